/* Growable byte buffers: every string the core builds goes through one. */
#ifndef SC_BUF_H
#define SC_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        .data = NULL, .len = 0, .cap = 0                                                           \
    }

void buf_init(buf_t *b);
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
void buf_append(buf_t *b, const void *data, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Returns the contents ("" when empty) and leaves b empty; the caller frees. */
char *buf_steal(buf_t *b);
/* Contents as a C string, "" when nothing was appended. */
const char *buf_str(const buf_t *b);

#endif
