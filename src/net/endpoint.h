/* Endpoint URLs (AWS, Spot, instance metadata, the container agent) parsed
 * with libcurl's own URL parser, so that what is checked and signed is what
 * libcurl then connects to. */
#ifndef SC_ENDPOINT_H
#define SC_ENDPOINT_H

#include "util/error.h"

typedef struct endpoint_url {
    int https;           /* 1 for https, 0 for http (no other scheme passes) */
    char host[256];      /* lowercase, IPv6 without brackets */
    char authority[272]; /* for Host: the host (IPv6 in brackets), ":port" when the URL names one */
    long port;           /* the port connected to: the URL's, else 80 or 443 */
    int loopback;        /* host is 127.0.0.0/8, ::1 or "localhost" */
    char path[1024];     /* "/" when the URL has none; dot segments resolved as libcurl sends it */
    char query[1024];    /* without the '?', "" when none */
} endpoint_url;

/* Parses an http(s) URL. Refuses, with a one-line message naming what (e.g.
 * "AWS_ENDPOINT_URL"): a URL libcurl cannot parse or over 1023 bytes of
 * path or query, or another scheme (ST_CONFIG); a user name or password
 * (`user:pass@`) (ST_BAD_INPUT: it would be logged and sent). The URL is
 * quoted in messages only when it has no '@'. */
status_t endpoint_parse(const char *url, const char *what, endpoint_url *out, sc_error *err);
/* The URL for messages: scheme, host, port and path, without any user
 * name, password or query. The caller frees. */
char *endpoint_shown(const char *url);

/* Which endpoints may carry secrets: a bearer token or a signed request
 * must never cross the network in clear. */
typedef enum endpoint_kind {
    ENDPOINT_SPOT, /* bearer token in every request: https only */
    ENDPOINT_AWS,  /* signed requests: https, or http to this machine (local test servers) */
} endpoint_kind;

/* endpoint_parse, then ST_BAD_INPUT with a one-line reason naming `what`
 * (e.g. "--spot-endpoint") when url may not be used for kind. */
status_t endpoint_check(const char *url, endpoint_kind kind, const char *what, sc_error *err);

#endif
