#include "net/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/timeutil.h"

/* Answers larger than this are not API answers; stop reading. */
#define HTTP_MAX_BODY (16L * 1024 * 1024)
#define HTTP_DEFAULT_CONNECT_MS 5000L
#define HTTP_DEFAULT_TIMEOUT_MS 30000L

/* One handle per thread keeps its connection cache, so a run of calls to
 * the same endpoint costs one TLS handshake. */
static __thread CURL *tl_handle;

void http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
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
    curl_global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    http_response *resp = ud;
    size_t len = size * n;
    if (resp->body.len + len > (size_t)HTTP_MAX_BODY)
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    buf_append(&resp->body, data, len);
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

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    http_response *resp = ud;
    size_t len = size * n;
    static const char *const names[] = {"x-amzn-requestid:", "x-amz-request-id:"};
    for (size_t i = 0; i < 2; i++) {
        size_t nl = strlen(names[i]);
        if (len > nl && strncasecmp(data, names[i], nl) == 0)
            copy_header_value(resp->request_id, sizeof resp->request_id, data + nl, len - nl);
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
    if (opt && opt->ca_bundle)
        curl_easy_setopt(h, CURLOPT_CAINFO, opt->ca_bundle);
    if (opt && opt->no_proxy)
        curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (opt && opt->cancel) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)opt->cancel);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
}

/* The host part of url, for messages: never the path or query. */
static void url_host(const char *url, char *out, size_t len)
{
    char path[8], query[8];
    if (http_url_parts(url, out, len, path, sizeof path, query, sizeof query) != ST_OK)
        snprintf(out, len, "the endpoint");
}

static status_t map_curl_error(CURL *h, CURLcode rc, const char *url, long timeout_ms,
                               sc_error *err)
{
    char host[256];
    url_host(url, host, sizeof host);
    double connect_time = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connect_time);
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
        return error_set(err, ST_TLS, "TLS to %s failed: %s (check --ca-bundle / AWS_CA_BUNDLE)",
                         host, curl_easy_strerror(rc));
    default:
        return error_set(err, connect_time > 0 ? ST_NET_IO : ST_NET_CONNECT,
                         "connection to %s failed: %s", host, curl_easy_strerror(rc));
    }
}

status_t http_perform(const http_options *opt, const http_request *req, http_response *resp,
                      sc_error *err)
{
    memset(resp, 0, sizeof *resp);
    if (!tl_handle)
        tl_handle = curl_easy_init();
    else
        curl_easy_reset(tl_handle);
    if (!tl_handle)
        return error_set(err, ST_NET_CONNECT, "cannot start the HTTP client");
    CURL *h = tl_handle;
    struct curl_slist *headers = build_headers(req);
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    set_method(h, req);
    set_transport(h, opt);
    if (req->not_idempotent)
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    double start = time_monotonic();
    CURLcode rc = curl_easy_perform(h);
    resp->seconds = time_monotonic() - start;
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        status_t st = map_curl_error(h, rc, req->url, opt ? opt->timeout_ms : 0, err);
        buf_free(&resp->body);
        return st;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        resp->retry_after = (long)retry_after;
    return ST_OK;
}

void http_response_free(http_response *resp)
{
    buf_free(&resp->body);
}

static int copy_part(char *dst, size_t len, const char *src, size_t n)
{
    if (n >= len)
        return -1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

status_t http_url_parts(const char *url, char *host, size_t host_len, char *path, size_t path_len,
                        char *query, size_t query_len)
{
    const char *p = strstr(url, "://");
    if (!p)
        return ST_BAD_INPUT;
    p += 3;
    size_t hl = strcspn(p, "/?#");
    if (hl == 0 || copy_part(host, host_len, p, hl) < 0)
        return ST_BAD_INPUT;
    p += hl;
    size_t pl = strcspn(p, "?#");
    int rc = pl ? copy_part(path, path_len, p, pl) : copy_part(path, path_len, "/", 1);
    p += pl;
    const char *q = *p == '?' ? p + 1 : "";
    if (rc < 0 || copy_part(query, query_len, q, strcspn(q, "#")) < 0)
        return ST_BAD_INPUT;
    return ST_OK;
}
