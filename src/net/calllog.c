#include "net/calllog.h"

#include <stdio.h>

void calllog_transport(const api_call_log *e, char *out, size_t len)
{
    const http_transport *t = &e->transport;
    switch (t->conn) {
    case HTTP_CONN_NONE:
        snprintf(out, len, " conn=none");
        return;
    case HTTP_CONN_REUSED:
        snprintf(out, len, " conn=reused");
        return;
    case HTTP_CONN_NEW:
        if (t->tls == HTTP_TLS_NONE)
            snprintf(out, len, " conn=new connect=%.3fs", t->connect_seconds);
        else
            snprintf(out, len, " conn=new tls=%s connect=%.3fs tls=%.3fs",
                     t->tls == HTTP_TLS_RESUMED ? "resumed" : "full", t->connect_seconds,
                     t->tls_seconds);
        return;
    default:
        if (len)
            out[0] = '\0';
    }
}
