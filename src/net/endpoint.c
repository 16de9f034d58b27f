#include "net/endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* Copies a part of u into dst; -1 when absent or too long. */
static int get_part(CURLU *u, CURLUPart part, unsigned flags, char *dst, size_t len)
{
    char *v = NULL;
    if (curl_url_get(u, part, &v, flags) != CURLUE_OK || !v)
        return -1;
    size_t n = strlen(v);
    int rc = n < len ? 0 : -1;
    if (rc == 0)
        memcpy(dst, v, n + 1);
    curl_free(v);
    return rc;
}

static int has_part(CURLU *u, CURLUPart part)
{
    char *v = NULL;
    int present = curl_url_get(u, part, &v, 0) == CURLUE_OK && v;
    curl_free(v);
    return present;
}

static int is_loopback(const char *host)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char lo[16] = {[15] = 1};
        return memcmp(a, lo, sizeof lo) == 0;
    }
    return strcmp(host, "localhost") == 0;
}

/* The URL quoted for a message, or a note that it is not shown. */
static const char *quoted(const char *url, char *buf, size_t len)
{
    if (strchr(url, '@'))
        return "(not shown: it has an '@')";
    snprintf(buf, len, "\"%.200s\"", url);
    return buf;
}

static status_t fill(CURLU *u, const char *url, const char *what, endpoint_url *out, sc_error *err)
{
    char scheme[16], q[220], port[16] = "";
    if (get_part(u, CURLUPART_SCHEME, 0, scheme, sizeof scheme) < 0 ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        return error_set(err, ST_CONFIG, "%s %s is not an http:// or https:// URL", what,
                         quoted(url, q, sizeof q));
    if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
        has_part(u, CURLUPART_OPTIONS))
        return error_set(err, ST_BAD_INPUT,
                         "%s has a user name or password before '@' (not shown); an endpoint "
                         "takes none, as it would be logged and sent to the server",
                         what);
    out->https = strcmp(scheme, "https") == 0;
    if (get_part(u, CURLUPART_HOST, 0, out->host, sizeof out->host) < 0 || !out->host[0])
        return error_set(err, ST_CONFIG, "%s %s has no host", what, quoted(url, q, sizeof q));
    get_part(u, CURLUPART_PORT, 0, port, sizeof port);
    out->port = port[0] ? strtol(port, NULL, 10) : out->https ? 443 : 80;
    snprintf(out->authority, sizeof out->authority, "%s%s%s", out->host, port[0] ? ":" : "", port);
    /* libcurl keeps IPv6 brackets in the host part; Host: wants them. */
    size_t hl = strlen(out->host);
    if (out->host[0] == '[' && hl >= 2) {
        memmove(out->host, out->host + 1, hl - 2);
        out->host[hl - 2] = '\0';
    }
    for (char *c = out->host; *c; c++)
        *c = (char)ascii_tolower((unsigned char)*c);
    out->loopback = is_loopback(out->host);
    if (get_part(u, CURLUPART_PATH, 0, out->path, sizeof out->path) < 0)
        return error_set(err, ST_CONFIG, "%s has a path longer than %zu bytes", what,
                         sizeof out->path - 1);
    if (!out->path[0])
        snprintf(out->path, sizeof out->path, "/");
    if (has_part(u, CURLUPART_QUERY) &&
        get_part(u, CURLUPART_QUERY, 0, out->query, sizeof out->query) < 0)
        return error_set(err, ST_CONFIG, "%s has a query longer than %zu bytes", what,
                         sizeof out->query - 1);
    return ST_OK;
}

status_t endpoint_parse(const char *url, const char *what, endpoint_url *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    CURLU *u = curl_url();
    if (!u)
        return error_set(err, ST_CONFIG, "cannot parse %s: out of memory", what);
    char q[220];
    status_t st;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK)
        st = error_set(err, ST_CONFIG, "%s %s is not a valid URL (%s)", what,
                       quoted(url, q, sizeof q), curl_url_strerror(rc));
    else
        st = fill(u, url, what, out, err);
    curl_url_cleanup(u);
    return st;
}

char *endpoint_shown(const char *url)
{
    CURLU *u = curl_url();
    char scheme[16] = "", host[256] = "", port[16] = "", path[1024] = "";
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             get_part(u, CURLUPART_SCHEME, 0, scheme, sizeof scheme) == 0 &&
             get_part(u, CURLUPART_HOST, 0, host, sizeof host) == 0;
    if (ok) {
        get_part(u, CURLUPART_PORT, 0, port, sizeof port);
        get_part(u, CURLUPART_PATH, 0, path, sizeof path);
    }
    curl_url_cleanup(u);
    if (!ok)
        return xstrdup("(an unparsable URL)");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s://%s%s%s%s", scheme, host, port[0] ? ":" : "", port, path);
    return buf_steal(&b);
}

status_t endpoint_check(const char *url, endpoint_kind kind, const char *what, sc_error *err)
{
    endpoint_url u;
    status_t st = endpoint_parse(url, what, &u, err);
    if (st != ST_OK || u.https)
        return st;
    if (kind == ENDPOINT_SPOT)
        return error_set(err, ST_BAD_INPUT,
                         "%s must be an https:// URL: http:// would send the Spot token in clear",
                         what);
    if (!u.loopback)
        return error_set(err, ST_BAD_INPUT,
                         "%s must be an https:// URL (http:// only to this machine: 127.0.0.1, "
                         "::1, localhost)",
                         what);
    return ST_OK;
}
