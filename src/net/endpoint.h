/* Which endpoints may carry secrets: a bearer token or a signed request
 * must never cross the network in clear. */
#ifndef SC_ENDPOINT_H
#define SC_ENDPOINT_H

#include "util/error.h"

typedef enum endpoint_kind {
    ENDPOINT_SPOT, /* bearer token in every request: https only */
    ENDPOINT_AWS,  /* signed requests: https, or http to this machine (local test servers) */
} endpoint_kind;

/* ST_OK when url may be used for kind; else ST_BAD_INPUT with a one-line
 * reason naming `what` (e.g. "--spot-endpoint") and never the URL's
 * userinfo, path or query. */
status_t endpoint_check(const char *url, endpoint_kind kind, const char *what, sc_error *err);

#endif
