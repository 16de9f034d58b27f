/* One HTTP exchange over libcurl. No retries here: callers decide what is
 * safe to repeat. TLS is always verified. Proxies come from the usual
 * HTTPS_PROXY / NO_PROXY environment, as libcurl reads them. */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "net/calllog.h"
#include "net/endpoint.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct http_options {
    const char *ca_bundle;     /* PEM file to trust instead of the system store; NULL = system */
    const char *ca_dir;        /* hashed CA directory (CAPATH); NULL = libcurl's default */
    const char *ca_source;     /* the settings that chose them (net/tls.h); NULL = the system's */
    endpoint_kind tls_kind;    /* which overrides a TLS error suggests */
    const char *endpoint_name; /* "AWS IAM", "AWS STS", "Spot": named in TLS errors */
    long connect_timeout_ms;   /* 0 = default (5 s) */
    long timeout_ms;           /* whole exchange; 0 = default (30 s) */
    int no_proxy;              /* 1 = never use a proxy (instance metadata, container agent) */
    atomic_int *cancel;        /* when it becomes non-zero the exchange stops: ST_CANCELLED */
    size_t max_body;           /* bytes of answer read at most (ST_PARSE beyond); 0 = 16 MiB */
} http_options;

typedef struct http_request {
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    const char *url;
    const char *const *headers; /* "Name: value" lines */
    size_t nheaders;
    const char *body; /* may be NULL */
    size_t body_len;
    /* 1 for a call that must not arrive twice. libcurl silently resends a
     * request whose reused keep-alive connection turns out dead, even after
     * the server acted on it; for such a call that resend is refused and the
     * exchange ends as ST_NET_IO (sent, outcome unknown). It reuses only a
     * connection idle for a few seconds at most. */
    int not_idempotent;
} http_request;

typedef struct http_response {
    long status;
    buf_t body;
    char request_id[96]; /* x-amzn-RequestId or x-amz-request-id, "" if absent */
    double seconds;      /* wall time of the exchange */
    long retry_after;    /* Retry-After in seconds (delta or HTTP date), 0 when absent */
    /* X-RateLimit-Reset as sent (Spot: seconds until allowed), 0 when absent */
    double rate_limit_reset;
    http_transport transport; /* the connection it went over, also on failure */
} http_response;

/* Process-wide libcurl setup; call once from main before any thread starts.
 * Every thread's handle shares the TLS session and DNS caches it makes. */
void http_global_init(void);
void http_global_cleanup(void);
/* Frees the calling thread's connection cache; worker threads call it on exit. */
void http_thread_cleanup(void);

/* Performs the exchange. Any HTTP status counts as ST_OK; transport failures
 * map to ST_NET_CONNECT (never sent), ST_NET_IO (sent, outcome unknown),
 * ST_TIMEOUT or ST_TLS with a one-line reason in err. */
status_t http_perform(const http_options *opt, const http_request *req, http_response *resp,
                      sc_error *err);
void http_response_free(http_response *resp);

#endif
