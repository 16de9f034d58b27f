#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->secret = 0;
}

void buf_init_secret(buf_t *b)
{
    buf_init(b);
    b->secret = 1;
}

void buf_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void buf_wipe_str(char *s)
{
    if (s) {
        buf_wipe(s, strlen(s));
        free(s);
    }
}

void buf_free(buf_t *b)
{
    int secret = b->secret;
    if (secret)
        buf_wipe(b->data, b->cap);
    free(b->data);
    buf_init(b);
    b->secret = secret;
}

void buf_reset(buf_t *b)
{
    if (b->secret)
        buf_wipe(b->data, b->len);
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Wipe-and-copy: the old block is cleared before it goes back to malloc. */
static char *buf_grow_secret(buf_t *b, size_t cap)
{
    char *fresh = xmalloc(cap);
    if (b->data) {
        memcpy(fresh, b->data, b->len + 1);
        buf_wipe(b->data, b->cap);
        free(b->data);
    }
    return fresh;
}

static void buf_reserve(buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = b->secret ? buf_grow_secret(b, cap) : xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(buf_t *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_vprintf(buf_t *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_steal(buf_t *b)
{
    char *s = b->data ? b->data : xstrdup("");
    int secret = b->secret;
    buf_init(b);
    b->secret = secret;
    return s;
}

const char *buf_str(const buf_t *b)
{
    return b->data ? b->data : "";
}
