/* A hash index from strings to positions in the caller's array, so that
 * files of tens of thousands of sections are read in linear time. */
#ifndef SC_STRINDEX_H
#define SC_STRINDEX_H

#include <stddef.h>
#include <stdint.h>

#define STRINDEX_NONE SIZE_MAX

typedef struct strindex_slot {
    const char *key; /* NULL: free; owned by the caller, stable until freed */
    size_t value;
} strindex_slot;

typedef struct str_index {
    strindex_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} str_index;

/* The value stored for key[0..len), or STRINDEX_NONE. */
size_t strindex_get(const str_index *x, const char *key, size_t len);
/* Stores value for the NUL-terminated key, replacing an earlier one. The
 * index keeps the pointer, not a copy. */
void strindex_put(str_index *x, const char *key, size_t value);
void strindex_free(str_index *x);
/* Key comparisons made by this thread so far: tests count work with it. */
size_t strindex_probes(void);

#endif
