/* Reading small files that may hold secrets. */
#ifndef SC_FILE_H
#define SC_FILE_H

#include <stddef.h>

/* Reads fd to the end into one allocation of the file's size, so that no
 * partial copy of a secret is left behind by a realloc. Refuses directories
 * (EISDIR) and files over max bytes (EFBIG). Returns 0 with *text
 * NUL-terminated (the caller frees, wiping it if it held a secret), or an
 * errno value. */
int file_read_all(int fd, size_t max, char **text, size_t *len);

#endif
