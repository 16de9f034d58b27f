#include "util/strindex.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static _Thread_local size_t probes;

size_t strindex_probes(void)
{
    return probes;
}

/* FNV-1a: short keys, no adversary who gains from collisions in a file of
 * their own. */
static size_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)h;
}

static strindex_slot *find(const str_index *x, const char *key, size_t len)
{
    size_t mask = x->cap - 1;
    for (size_t i = hash(key, len) & mask;; i = (i + 1) & mask) {
        strindex_slot *s = &x->slots[i];
        if (!s->key)
            return s;
        probes++;
        if (strnlen(s->key, len + 1) == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

size_t strindex_get(const str_index *x, const char *key, size_t len)
{
    if (!x->cap)
        return STRINDEX_NONE;
    const strindex_slot *s = find(x, key, len);
    return s->key ? s->value : STRINDEX_NONE;
}

static void grow(str_index *x)
{
    size_t cap = x->cap ? x->cap * 2 : 16;
    str_index bigger = {.slots = xcalloc(cap, sizeof *bigger.slots), .cap = cap, .count = x->count};
    for (size_t i = 0; i < x->cap; i++)
        if (x->slots[i].key)
            *find(&bigger, x->slots[i].key, strlen(x->slots[i].key)) = x->slots[i];
    free(x->slots);
    *x = bigger;
}

void strindex_put(str_index *x, const char *key, size_t value)
{
    if (2 * (x->count + 1) > x->cap)
        grow(x);
    strindex_slot *s = find(x, key, strlen(key));
    if (!s->key)
        x->count++;
    s->key = key;
    s->value = value;
}

void strindex_free(str_index *x)
{
    free(x->slots);
    memset(x, 0, sizeof *x);
}
