#include "util/escape.h"

#include <string.h>

size_t escape_utf8_char(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n;
    uint32_t c, min;
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        n = 2, c = u[0] & 0x1Fu, min = 0x80;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        n = 3, c = u[0] & 0x0Fu, min = 0x800;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        n = 4, c = u[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

int escape_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static void put_hex(buf_t *out, uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    char e[4] = {'\\', 'x', hex[(v >> 4) & 0xF], hex[v & 0xF]};
    buf_append(out, e, sizeof e);
}

static void escape_run(buf_t *out, const char *s, size_t len, int keep_newline)
{
    size_t i = 0, plain = 0; /* s[plain..i) is kept and not yet appended */
    while (i < len) {
        uint32_t cp = 0;
        size_t n = escape_utf8_char(s + i, len - i, &cp);
        if (n && (!escape_is_control(cp) || (keep_newline && cp == '\n'))) {
            i += n;
            continue;
        }
        buf_append(out, s + plain, i - plain);
        put_hex(out, n ? cp : (unsigned char)s[i]);
        i += n ? n : 1;
        plain = i;
    }
    buf_append(out, s + plain, len - plain);
}

void escape_text(buf_t *out, const char *s, size_t len)
{
    escape_run(out, s, len, 0);
}

void escape_lines(buf_t *out, const char *s, size_t len)
{
    escape_run(out, s, len, 1);
}

char *escape_str(const char *s)
{
    buf_t b = BUF_INIT;
    if (s)
        escape_text(&b, s, strlen(s));
    return buf_steal(&b);
}

int escape_needed(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = escape_utf8_char(s + i, len - i, &cp);
        if (!n || escape_is_control(cp))
            return 1;
        i += n;
    }
    return 0;
}
