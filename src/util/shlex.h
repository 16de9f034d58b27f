/* Command-line splitting exactly like Python's shlex.split(s) (POSIX mode,
 * no comments), which botocore uses for credential_process commands and for
 * `[profile "name with spaces"]` section headers. */
#ifndef SC_SHLEX_H
#define SC_SHLEX_H

#include <stddef.h>

typedef struct shlex_words {
    char **words; /* NULL-terminated, so it can be passed to exec */
    size_t count;
    size_t cap; /* slots in words */
} shlex_words;

/* Splits s. Returns 0, or -1 with *why set to a static reason ("No closing
 * quotation" / "No escaped character", as Python says). */
int shlex_split(const char *s, shlex_words *out, const char **why);
/* Frees and wipes the words (a command line may carry a secret). */
void shlex_free(shlex_words *w);

#endif
