#include "net/endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 127.0.0.0/8, ::1 and localhost: the traffic never leaves the machine. */
static int endpoint_is_loopback(const char *host)
{
    char h[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof h)
        return 0;
    memcpy(h, host, n);
    h[n] = '\0';
    if (strcasecmp(h, "localhost") == 0 || strcasecmp(h, "localhost.") == 0)
        return 1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static status_t endpoint_judge(CURLU *u, endpoint_kind kind, const char *what, sc_error *err)
{
    char *scheme = NULL, *host = NULL;
    status_t st = ST_OK;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        st = error_set(err, ST_BAD_INPUT, "%s is not a URL with a host", what);
    else if (strcasecmp(scheme, "https") == 0)
        st = ST_OK;
    else if (strcasecmp(scheme, "http") != 0)
        st = error_set(err, ST_BAD_INPUT, "%s must be an https:// URL", what);
    else if (kind == ENDPOINT_SPOT)
        st = error_set(err, ST_BAD_INPUT,
                       "%s must be an https:// URL: http:// would send the Spot token in clear",
                       what);
    else if (!endpoint_is_loopback(host))
        st = error_set(err, ST_BAD_INPUT,
                       "%s must be an https:// URL (http:// only to this machine: 127.0.0.1, ::1, "
                       "localhost)",
                       what);
    curl_free(scheme);
    curl_free(host);
    return st;
}

status_t endpoint_check(const char *url, endpoint_kind kind, const char *what, sc_error *err)
{
    CURLU *u = curl_url();
    if (!u)
        return error_set(err, ST_BAD_INPUT, "%s cannot be checked", what);
    status_t st;
    if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        st = error_set(err, ST_BAD_INPUT, "%s is not a valid URL", what);
    else
        st = endpoint_judge(u, kind, what, err);
    curl_url_cleanup(u);
    return st;
}
