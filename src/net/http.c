#include "net/http.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "net/endpoint.h"
#include "net/preconnect.h"
#include "net/tls.h"
#include "util/ascii.h"
#include "util/timeutil.h"

/* Answers larger than this are not API answers; stop reading. */
#define HTTP_MAX_BODY ((size_t)16 * 1024 * 1024)
#define HTTP_DEFAULT_CONNECT_MS 5000L
#define HTTP_DEFAULT_TIMEOUT_MS 30000L
/* A call that must not arrive twice reuses a connection only when its
 * endpoint answered on this thread within this many seconds. A server
 * closes an idle connection when its own timeout ends (load balancers
 * commonly after 60 s); if that close crosses the request, the request may
 * have arrived and is not resent (on_prereq), so the call fails. A
 * connection used moments ago is far from any such timeout, which keeps
 * that failure rare; otherwise the call gets a new connection (its TLS
 * session resumed). Decided per endpoint: CURLOPT_MAXAGE_CONN would close
 * every connection idle that long, to the other endpoints too. */
#define HTTP_ONCE_MAX_IDLE_S 10.0
#define HTTP_RECENT_SLOTS 8

typedef struct recent_use {
    char origin[288]; /* scheme://host:port as in the URL */
    double at;        /* when it last answered (monotonic) */
} recent_use;

static __thread recent_use tl_recent[HTTP_RECENT_SLOTS];

/* One handle per thread keeps its connection cache, so a run of calls to
 * the same endpoint costs one TLS handshake. */
static __thread CURL *tl_handle;

/* Shared by every thread's handle: TLS sessions and DNS answers, so that a
 * new connection to an endpoint resumes the TLS session of an earlier one
 * (the worker's or the main thread's) instead of a full handshake. Not the
 * connection cache: libcurl documents sharing it across threads as unsafe. */
static CURLSH *g_share;
static pthread_mutex_t g_share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
    (void)h, (void)access, (void)ud;
    if ((unsigned)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&g_share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
    (void)h, (void)ud;
    if ((unsigned)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&g_share_locks[data]);
}

void http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&g_share_locks[i], NULL);
    g_share = curl_share_init();
    if (!g_share)
        return; /* every handle keeps its own caches, as without a share */
    curl_share_setopt(g_share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(g_share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(g_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(g_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
}

void http_thread_cleanup(void)
{
    if (tl_handle) {
        curl_easy_cleanup(tl_handle);
        tl_handle = NULL;
    }
}

void http_global_cleanup(void)
{
    http_thread_cleanup();
    preconnect_cleanup();
    /* A worker thread still in a call keeps the share (CURLSHE_IN_USE):
     * then it and its locks stay until the process ends. */
    if (g_share && curl_share_cleanup(g_share) == CURLSHE_OK) {
        g_share = NULL;
        for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
            pthread_mutex_destroy(&g_share_locks[i]);
    }
    curl_global_cleanup();
}

/* Where the body goes, and how much of it is read at most. */
typedef struct body_sink {
    http_response *resp;
    size_t max;
    int too_big;
} body_sink;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    body_sink *sink = ud;
    size_t len = size * n;
    if (sink->resp->body.len + len > sink->max) {
        sink->too_big = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    buf_append(&sink->resp->body, data, len);
    return len;
}

static void copy_header_value(char *dst, size_t dst_len, const char *v, size_t len)
{
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    if (len >= dst_len)
        len = dst_len - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

/* A non-negative decimal number ("12", "1.5"), read without strtod, which
 * follows the locale's decimal point; 0 for anything else. */
static double header_seconds(const char *v)
{
    double d = 0, scale = 1;
    int digits = 0, frac = 0;
    for (; *v; v++) {
        if (*v == '.' && !frac) {
            frac = 1;
        } else if (*v >= '0' && *v <= '9' && digits < 15) {
            digits++;
            if (frac)
                d += (*v - '0') * (scale /= 10);
            else
                d = d * 10 + (*v - '0');
        } else {
            return 0;
        }
    }
    return digits ? d : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    http_response *resp = ud;
    size_t len = size * n;
    static const char *const names[] = {"x-amzn-requestid:", "x-amz-request-id:"};
    for (size_t i = 0; i < 2; i++) {
        size_t nl = strlen(names[i]);
        if (len > nl && ascii_strncasecmp(data, names[i], nl) == 0)
            copy_header_value(resp->request_id, sizeof resp->request_id, data + nl, len - nl);
    }
    static const char reset[] = "x-ratelimit-reset:";
    if (len > sizeof reset - 1 && ascii_strncasecmp(data, reset, sizeof reset - 1) == 0) {
        char v[32];
        copy_header_value(v, sizeof v, data + sizeof reset - 1, len - (sizeof reset - 1));
        resp->rate_limit_reset = header_seconds(v);
    }
    return len;
}

static struct curl_slist *build_headers(const http_request *req)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < req->nheaders; i++)
        list = curl_slist_append(list, req->headers[i]);
    /* A 100-continue round trip only adds latency for small API bodies. */
    list = curl_slist_append(list, "Expect:");
    return list;
}

/* curl_slist_free_all frees without wiping; the lines hold Authorization
 * and X-Amz-Security-Token. */
static void free_headers(struct curl_slist *list)
{
    for (struct curl_slist *s = list; s; s = s->next)
        buf_wipe(s->data, strlen(s->data));
    curl_slist_free_all(list);
}

static void set_method(CURL *h, const http_request *req)
{
    int has_body = strcmp(req->method, "GET") != 0;
    if (has_body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    }
    if (strcmp(req->method, "POST") != 0 && has_body)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
}

/* libcurl calls this often during a transfer; a set flag aborts it. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    atomic_int *cancel = ud;
    return *cancel ? 1 : 0;
}

static void set_transport(CURL *h, const http_options *opt)
{
    long connect_ms =
        opt && opt->connect_timeout_ms ? opt->connect_timeout_ms : HTTP_DEFAULT_CONNECT_MS;
    long total_ms = opt && opt->timeout_ms ? opt->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "spot-connect/" SC_VERSION);
    preconnect_attach(h);
    if (opt && opt->ca_bundle)
        curl_easy_setopt(h, CURLOPT_CAINFO, opt->ca_bundle);
    if (opt && opt->ca_dir)
        curl_easy_setopt(h, CURLOPT_CAPATH, opt->ca_dir);
    if (opt && opt->no_proxy)
        curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (opt && opt->cancel) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)opt->cancel);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
}

/* What libcurl's callbacks saw of one exchange's connections. */
typedef struct transfer_watch {
    CURL *handle;
    int once;           /* the request must not be sent twice */
    int attempts;       /* requests about to be sent; libcurl resends on its own */
    int refused_resend; /* on_prereq stopped a resend */
    http_tls tls;       /* of the connection the last attempt went over */
} transfer_watch;

/* Whether the connection the handle uses now resumed its TLS session. */
static http_tls tls_of(CURL *h)
{
    struct curl_tlssessioninfo *info = NULL;
    if (curl_easy_getinfo(h, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || !info ||
        info->backend != CURLSSLBACKEND_OPENSSL || !info->internals)
        return HTTP_TLS_NONE;
    return SSL_session_reused((SSL *)info->internals) ? HTTP_TLS_RESUMED : HTTP_TLS_FULL;
}

/* libcurl calls this before each time it sends the request, with the
 * connection up (new or reused). A second call means libcurl is resending
 * it by itself: its kept-alive connection died after the request went out
 * (Curl_retry_request: no answer byte on a reused connection, or an HTTP/2
 * stream the server refused), and the server may have acted on it. For a
 * call that must not arrive twice that resend is refused. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
    transfer_watch *w = ud;
    w->attempts++;
    w->tls = tls_of(w->handle);
    if (w->once && w->attempts > 1) {
        w->refused_resend = 1;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

/* "https://host:port" of a URL: what a connection is kept for, parsed as
 * libcurl parses it. */
static void url_origin(const char *url, char *out, size_t len)
{
    endpoint_url ep;
    sc_error ignored;
    if (endpoint_parse(url, "the URL", &ep, &ignored) == ST_OK)
        snprintf(out, len, "%s://%.255s:%ld", ep.https ? "https" : "http", ep.host, ep.port);
    else
        snprintf(out, len, "%.*s", (int)(len - 1), url);
}

static recent_use *recent_of(const char *url, int add)
{
    char origin[sizeof tl_recent[0].origin];
    url_origin(url, origin, sizeof origin);
    recent_use *oldest = &tl_recent[0];
    for (size_t i = 0; i < HTTP_RECENT_SLOTS; i++) {
        if (strcmp(tl_recent[i].origin, origin) == 0)
            return &tl_recent[i];
        if (tl_recent[i].at < oldest->at)
            oldest = &tl_recent[i];
    }
    if (!add)
        return NULL;
    snprintf(oldest->origin, sizeof oldest->origin, "%s", origin);
    return oldest;
}

static int answered_lately(const char *url)
{
    const recent_use *r = recent_of(url, 0);
    return r && time_monotonic() - r->at <= HTTP_ONCE_MAX_IDLE_S;
}

static void set_reuse(CURL *h, const http_request *req, transfer_watch *w)
{
    if (g_share)
        curl_easy_setopt(h, CURLOPT_SHARE, g_share);
    /* TLS 1.2 at least; the highest OpenSSL offers (1.3) is preferred. */
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    w->handle = h;
    w->once = req->not_idempotent;
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, w);
    if (req->not_idempotent && !answered_lately(req->url))
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
}

static double info_seconds(CURL *h, CURLINFO what)
{
    curl_off_t us = 0;
    curl_easy_getinfo(h, what, &us);
    return (double)us / 1e6;
}

/* Which connection the exchange went over, and what opening it cost. */
static http_transport transport_of(CURL *h, const transfer_watch *w)
{
    long opened = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &opened);
    /* The request went over a reused connection; the one opened for the
     * refused resend carried nothing (it stays cached for the next call). */
    if (w->refused_resend)
        return (http_transport){.conn = HTTP_CONN_REUSED};
    if (opened <= 0)
        return (http_transport){.conn = w->attempts ? HTTP_CONN_REUSED : HTTP_CONN_NONE};
    http_transport t = {.conn = HTTP_CONN_NEW,
                        .tls = w->tls,
                        .connect_seconds = info_seconds(h, CURLINFO_CONNECT_TIME_T)};
    if (t.tls != HTTP_TLS_NONE)
        t.tls_seconds = info_seconds(h, CURLINFO_APPCONNECT_TIME_T) - t.connect_seconds;
    return t;
}

/* The host part of url, for messages: never the path or query. */
static void url_host(const char *url, char *out, size_t len)
{
    endpoint_url ep;
    sc_error ignored;
    if (endpoint_parse(url, "the URL", &ep, &ignored) == ST_OK)
        snprintf(out, len, "%.*s", (int)(len - 1), ep.authority);
    else
        snprintf(out, len, "the endpoint");
}

/* Names the endpoint and the CA settings in force for it. */
static status_t tls_error(const http_options *opt, const char *host, CURLcode rc, sc_error *err)
{
    static const http_options none;
    if (!opt)
        opt = &none;
    char advice[400];
    const char *name = opt->endpoint_name ? opt->endpoint_name : host;
    tls_advice(opt->tls_kind, name, opt->ca_bundle, opt->ca_dir, opt->ca_source, advice,
               sizeof advice);
    if (!opt->endpoint_name)
        return error_set(err, ST_TLS, "TLS to %s failed: %s; %s", host, curl_easy_strerror(rc),
                         advice);
    return error_set(err, ST_TLS, "TLS to %s (%s) failed: %s; %s", name, host,
                     curl_easy_strerror(rc), advice);
}

static status_t map_curl_error(CURL *h, CURLcode rc, const char *url, const http_options *opt,
                               const transfer_watch *w, sc_error *err)
{
    long timeout_ms = opt ? opt->timeout_ms : 0;
    char host[256];
    url_host(url, host, sizeof host);
    double connect_time = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connect_time);
    if (rc == CURLE_ABORTED_BY_CALLBACK && w->refused_resend)
        return error_set(err, ST_NET_IO,
                         "the connection to %s closed before an answer; the request may have "
                         "arrived",
                         host);
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        return error_set(err, ST_CANCELLED, "interrupted");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return error_set(err, ST_NET_CONNECT, "cannot resolve %s", host);
    case CURLE_COULDNT_CONNECT:
        return error_set(err, ST_NET_CONNECT, "cannot connect to %s (%s)", host,
                         curl_easy_strerror(rc));
    case CURLE_OPERATION_TIMEDOUT:
        if (connect_time <= 0)
            return error_set(err, ST_NET_CONNECT, "timed out connecting to %s", host);
        return error_set(err, ST_TIMEOUT, "no answer from %s within %.1f s", host,
                         (double)(timeout_ms ? timeout_ms : HTTP_DEFAULT_TIMEOUT_MS) / 1000.0);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        return tls_error(opt, host, rc, err);
    default:
        return error_set(err, connect_time > 0 ? ST_NET_IO : ST_NET_CONNECT,
                         "connection to %s failed: %s", host, curl_easy_strerror(rc));
    }
}

status_t http_perform(const http_options *opt, const http_request *req, http_response *resp,
                      sc_error *err)
{
    memset(resp, 0, sizeof *resp);
    /* Answers carry credentials (STS, metadata, container): never leave a
     * copy behind, whether the buffer grows or is freed. */
    buf_init_secret(&resp->body);
    if (!tl_handle)
        tl_handle = curl_easy_init();
    else
        curl_easy_reset(tl_handle);
    if (!tl_handle)
        return error_set(err, ST_NET_CONNECT, "cannot start the HTTP client");
    CURL *h = tl_handle;
    struct curl_slist *headers = build_headers(req);
    body_sink sink = {.resp = resp,
                      .max = opt && opt->max_body ? opt->max_body : (size_t)HTTP_MAX_BODY};
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    set_method(h, req);
    set_transport(h, opt);
    transfer_watch watch = {0};
    set_reuse(h, req, &watch);
    double start = time_monotonic();
    CURLcode rc = curl_easy_perform(h);
    resp->seconds = time_monotonic() - start;
    resp->transport = transport_of(h, &watch);
    free_headers(headers);
    if (rc != CURLE_OK) {
        char host[256];
        url_host(req->url, host, sizeof host);
        status_t st = sink.too_big
                          ? error_set(err, ST_PARSE, "the answer from %s is larger than %zu bytes",
                                      host, sink.max)
                          : map_curl_error(h, rc, req->url, opt, &watch, err);
        buf_free(&resp->body);
        return st;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    recent_of(req->url, 1)->at = time_monotonic();
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        resp->retry_after = (long)retry_after;
    return ST_OK;
}

void http_response_free(http_response *resp)
{
    buf_free(&resp->body);
}
