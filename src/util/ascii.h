/* Character classes of ASCII only. <ctype.h> follows the locale main sets
 * (LC_ALL from the environment), so in a Latin-1 locale isalnum(0xE9) is
 * true: a byte of a multi-byte character would then pass as a letter of
 * an ARN or a region, or go out unencoded in a URL. */
#ifndef SC_ASCII_H
#define SC_ASCII_H

#include <stddef.h>

static inline int ascii_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int ascii_isupper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static inline int ascii_islower(int c)
{
    return c >= 'a' && c <= 'z';
}

static inline int ascii_isalpha(int c)
{
    return ascii_isupper(c) || ascii_islower(c);
}

static inline int ascii_isalnum(int c)
{
    return ascii_isalpha(c) || ascii_isdigit(c);
}

static inline int ascii_isxdigit(int c)
{
    return ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Space, \t, \n, \v, \f, \r: the C locale's isspace. */
static inline int ascii_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int ascii_iscntrl(int c)
{
    return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* Printable ASCII, space included. */
static inline int ascii_isprint(int c)
{
    return c >= 0x20 && c < 0x7f;
}

static inline int ascii_tolower(int c)
{
    return ascii_isupper(c) ? c - 'A' + 'a' : c;
}

static inline int ascii_toupper(int c)
{
    return ascii_islower(c) ? c - 'a' + 'A' : c;
}

/* strcasecmp folding ASCII letters only (glibc's follows the locale). */
static inline int ascii_strcasecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && ascii_tolower(*x) == ascii_tolower(*y))
        x++, y++;
    return ascii_tolower(*x) - ascii_tolower(*y);
}

static inline int ascii_strncasecmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++) {
        int d = ascii_tolower(*x) - ascii_tolower(*y);
        if (d || !*x)
            return d;
    }
    return 0;
}

#endif
