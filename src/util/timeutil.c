#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#include "util/ascii.h"

static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!ascii_isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

/* Offset such as "Z", "+01:00" or "-0530", in seconds east of UTC. */
static int read_offset(const char *p, long *offset)
{
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *offset = 0;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p == '-' ? -1 : 1, hh, mm;
    p++;
    if (read_digits(&p, 2, &hh) < 0)
        return -1;
    if (*p == ':')
        p++;
    if (read_digits(&p, 2, &mm) < 0 || *p != '\0')
        return -1;
    *offset = sign * (hh * 3600L + mm * 60L);
    return 0;
}

int time_parse_iso8601(const char *s, time_t *out)
{
    if (!s)
        return -1;
    const char *p = s;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (read_digits(&p, 4, &tm.tm_year) < 0 || expect(&p, '-') < 0 ||
        read_digits(&p, 2, &tm.tm_mon) < 0 || expect(&p, '-') < 0 ||
        read_digits(&p, 2, &tm.tm_mday) < 0)
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (read_digits(&p, 2, &tm.tm_hour) < 0 || expect(&p, ':') < 0 ||
        read_digits(&p, 2, &tm.tm_min) < 0 || expect(&p, ':') < 0 ||
        read_digits(&p, 2, &tm.tm_sec) < 0)
        return -1;
    if (*p == '.') {
        p++;
        if (!ascii_isdigit((unsigned char)*p))
            return -1;
        while (ascii_isdigit((unsigned char)*p))
            p++;
    }
    long offset;
    if (read_offset(p, &offset) < 0)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm) - offset;
    return 0;
}

double time_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void time_format_iso8601(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
