#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_messages[ST__COUNT] = {
    [ST_OK] = "ok",
    [ST_USAGE] = "usage error",
    [ST_BAD_INPUT] = "invalid input",
    [ST_IO] = "file error",
    [ST_CONFIG] = "configuration error",
    [ST_NO_CREDENTIALS] = "no AWS credentials found",
    [ST_CREDENTIALS] = "AWS credentials could not be loaded",
    [ST_NET_CONNECT] = "could not connect",
    [ST_NET_IO] = "connection failed",
    [ST_TIMEOUT] = "timed out",
    [ST_TLS] = "TLS error",
    [ST_HTTP] = "unexpected HTTP answer",
    [ST_PARSE] = "unreadable answer",
    [ST_AWS] = "AWS error",
    [ST_SPOT] = "Spot API error",
    [ST_MISSING_ANSWER] = "an answer is needed",
    [ST_CANCELLED] = "cancelled",
    [ST_PAUSED] = "paused",
};

const char *status_message(status_t st)
{
    if (st < 0 || st >= ST__COUNT || !status_messages[st])
        return "unknown error";
    return status_messages[st];
}

void error_clear(sc_error *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

status_t error_set(sc_error *e, status_t st, const char *fmt, ...)
{
    if (!e)
        return st;
    e->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return st;
}

void error_prefix(sc_error *e, const char *fmt, ...)
{
    if (!e)
        return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Long messages are cut rather than refused: one line is the goal. */
    size_t plen = strlen(prefix), room = sizeof e->message - 1;
    if (plen + 2 > room)
        plen = room - 2;
    size_t mlen = strnlen(e->message, room);
    if (plen + 2 + mlen > room)
        mlen = room - plen - 2;
    memmove(e->message + plen + 2, e->message, mlen);
    memcpy(e->message, prefix, plen);
    memcpy(e->message + plen, ": ", 2);
    e->message[plen + 2 + mlen] = '\0';
}
