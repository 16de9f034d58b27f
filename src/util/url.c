#include "util/url.h"

#include <ctype.h>
#include <string.h>

#include "util/xalloc.h"

void url_form_encode(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_putc(out, (char)*p);
        } else if (*p == ' ') {
            buf_putc(out, '+');
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(out, esc, 3);
        }
    }
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *url_percent_decode(const char *s)
{
    buf_t out = BUF_INIT;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
            buf_putc(&out, (char)(hi * 16 + lo));
            p += 2;
        } else {
            buf_putc(&out, *p);
        }
    }
    return buf_steal(&out);
}

char *url_decode_policy_document(const char *s)
{
    if (strncmp(s, "%7B", 3) == 0 || strncmp(s, "%7b", 3) == 0)
        return url_percent_decode(s);
    return xstrdup(s);
}
