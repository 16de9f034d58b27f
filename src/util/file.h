/* Reading small files that may hold secrets: one reader for every file the
 * tool takes in (AWS and Spot credentials, tokens, policies, the state). */
#ifndef SC_FILE_H
#define SC_FILE_H

#include <stddef.h>

#include "util/error.h"

/* Reads fd to the end, at most max bytes. A regular file is read into one
 * allocation of its size; a pipe or device (--token-file <(...)) grows by
 * wipe-and-copy, so no partial copy of a secret is left behind by a realloc.
 * Refuses directories (EISDIR) and more than max bytes (EFBIG). Returns 0
 * with *text NUL-terminated (the caller frees, wiping it if it held a secret),
 * or an errno value. */
int file_read_all(int fd, size_t max, char **text, size_t *len);

enum {
    FILE_MISSING_OK = 1, /* a file that is not there is no error: *text stays NULL */
    FILE_NO_SYMLINK = 2, /* a symbolic link is refused, not followed */
};

/* Opens path (close-on-exec, never as a controlling terminal) and reads it
 * with file_read_all. Failures are one line naming `shown` (how the operator
 * wrote the path), set with status fail ("cannot read ~/.aws/config: it is a
 * directory"), or ST_BAD_INPUT for a file over max. */
status_t file_read(const char *path, const char *shown, size_t max, int flags, status_t fail,
                   char **text, size_t *len, sc_error *err);

#endif
