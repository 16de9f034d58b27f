/* Allocation that never returns NULL: running out of memory ends the program
 * with a message, since no step of a connection can recover from it. */
#ifndef SC_XALLOC_H
#define SC_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* a, b and c end to end in one allocation of the exact size, so that a
 * secret among them leaves no copy behind in a grown buffer. */
char *xstrjoin(const char *a, const char *b, const char *c);
/* Overwrites then frees a string that held a secret. NULL is fine. */
void xfree_secret(char *s);

#endif
