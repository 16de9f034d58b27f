#include "util/url.h"

#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

static int url_unreserved(unsigned char c)
{
    return ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

void url_encode(buf_t *out, const char *s, size_t len, url_encoding how)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (url_unreserved(c)) {
            buf_putc(out, (char)c);
        } else if (c == ' ' && how == URL_FORM) {
            buf_putc(out, '+');
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, esc, 3);
        }
    }
}

static int hex_value(char c)
{
    if (ascii_isdigit((unsigned char)c))
        return c - '0';
    c = (char)ascii_tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void url_decode(buf_t *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
        if (s[i] == '%' && hi >= 0 && lo >= 0) {
            buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            buf_putc(out, s[i]);
        }
    }
}

char *url_percent_decode(const char *s)
{
    buf_t out = BUF_INIT;
    url_decode(&out, s, strlen(s));
    return buf_steal(&out);
}

char *url_decode_policy_document(const char *s)
{
    if (strncmp(s, "%7B", 3) == 0 || strncmp(s, "%7b", 3) == 0)
        return url_percent_decode(s);
    return xstrdup(s);
}
