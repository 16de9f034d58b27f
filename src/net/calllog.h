/* One line of the API call log, for AWS and Spot alike. It holds no secret
 * by construction: no headers, no bodies, only what identifies the call. */
#ifndef SC_CALLLOG_H
#define SC_CALLLOG_H

#include <stddef.h>

/* Which connection an exchange went over (net/http.c fills it). */
typedef enum http_conn {
    HTTP_CONN_UNKNOWN = 0, /* not an HTTP exchange, or not recorded */
    HTTP_CONN_NONE,        /* failed before any connection was up */
    HTTP_CONN_REUSED,      /* a kept-alive connection */
    HTTP_CONN_NEW          /* opened for this exchange */
} http_conn;

typedef enum http_tls {
    HTTP_TLS_NONE = 0, /* plain HTTP, a reused connection, or no handshake */
    HTTP_TLS_FULL,     /* a full handshake */
    HTTP_TLS_RESUMED   /* a session resumed from an earlier connection */
} http_tls;

typedef struct http_transport {
    http_conn conn;
    http_tls tls;           /* for a new connection only */
    double connect_seconds; /* name lookup and TCP connect, new connections only */
    double tls_seconds;     /* the TLS handshake, new https connections only */
} http_transport;

typedef struct api_call_log {
    const char *service; /* "iam", "sts", "spot" */
    const char *action;  /* "CreateRole", "setCredentials", ... */
    const char *method;
    const char *url;  /* no query secrets: Spot tokens travel in a header */
    long http_status; /* 0 when no answer */
    const char *request_id;
    const char *error_code; /* API code or transport status text, NULL when ok */
    double seconds;
    int attempt; /* 1-based */
    http_transport transport;
} api_call_log;

typedef void (*api_log_fn)(void *ctx, const api_call_log *entry);

/* The transport facts of an entry as " conn=new tls=full connect=0.012s
 * tls=0.020s", " conn=reused" or " conn=none"; "" when not recorded. */
void calllog_transport(const api_call_log *e, char *out, size_t len);

#endif
