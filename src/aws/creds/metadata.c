/* Credentials from the container agent (botocore's ContainerProvider,
 * "container-role"): ECS task roles and EKS Pod Identity. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/creds/creds_internal.h"
#include "net/endpoint.h"
#include "net/http.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/retry.h"
#include "util/xalloc.h"

#define CTR_HOST "http://169.254.170.2"
#define CTR_TIMEOUT_MS 2000

/* ---- container ---- */

typedef struct ctr_provider {
    creds_provider base;
    char *url;
    char *shown;     /* url without credentials, for messages */
    char *ca_bundle; /* for https URLs */
    char *ca_dir;
    http_options http;
} ctr_provider;

static int ctr_host_allowed(const char *host)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127 || strcmp(host, "169.254.170.2") == 0 ||
               strcmp(host, "169.254.170.23") == 0;
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char lo[16] = {[15] = 1};
        unsigned char eks[16];
        inet_pton(AF_INET6, "fd00:ec2::23", eks);
        return memcmp(a, lo, 16) == 0 || memcmp(a, eks, 16) == 0;
    }
    return strcmp(host, "localhost") == 0;
}

static status_t ctr_check_url(const char *url, sc_error *err)
{
    endpoint_url u;
    status_t st = endpoint_parse(url, "AWS_CONTAINER_CREDENTIALS_FULL_URI", &u, err);
    if (st != ST_OK || u.https || ctr_host_allowed(u.host))
        return st;
    return error_set(err, ST_CONFIG,
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https URL, or an http URL "
                     "of a loopback address, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; "
                     "its host is \"%s\"",
                     u.host);
}

/* The path is appended to the agent's address: anything but a path (as
 * "@host/x" or ".evil.com/x") would send the token elsewhere. */
static status_t ctr_check_relative(const char *rel, sc_error *err)
{
    if (rel[0] != '/')
        return error_set(err, ST_CONFIG,
                         "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with '/'");
    char *url = xstrjoin(CTR_HOST, rel, "");
    endpoint_url u;
    status_t st = endpoint_parse(url, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", &u, err);
    free(url);
    if (st == ST_OK && strcmp(u.authority, CTR_HOST + strlen("http://")) != 0)
        st = error_set(err, ST_CONFIG,
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path on %s", CTR_HOST);
    return st;
}

/* "Authorization: <token>" from the token file (read each time: it is
 * rotated) or AWS_CONTAINER_AUTHORIZATION_TOKEN; NULL when neither is set. */
static status_t ctr_auth_header(char **out, sc_error *err)
{
    *out = NULL;
    const char *file = env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *env = env_get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    char *token = NULL;
    if (file) {
        status_t st =
            creds_read_secret_file(file, "container authorization token file", &token, err);
        if (st != ST_OK)
            return st;
    } else if (env) {
        token = xstrdup(env);
    } else {
        return ST_OK;
    }
    status_t st = ST_OK;
    if (strpbrk(token, "\r\n"))
        st = error_set(err, ST_CONFIG,
                       "the container authorization token (%s) contains a line break, which "
                       "cannot go in an HTTP header",
                       file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                            : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    else
        *out = xstrjoin("Authorization: ", token, "");
    xfree_secret(token);
    return st;
}

/* One GET; returns 0 with out filled, 1 for a failure worth retrying
 * (transport, status, not JSON) and -1 for a final one; why says which. */
static int ctr_attempt(ctr_provider *cp, const char *const *hdrs, size_t nh, aws_credentials *out,
                       char *why, size_t n)
{
    static const creds_json_spec spec = {
        .token_field = "Token", .token_required = 1, .expiration_required = 1};
    http_response resp;
    sc_error e;
    error_clear(&e);
    if (creds_http(&cp->http, "GET", cp->url, hdrs, nh, &resp, &e) != ST_OK) {
        creds_note(why, n, e.message);
        creds_http_free(&resp);
        return 1;
    }
    int rc = 0;
    if (resp.status != 200) {
        snprintf(why, n, "HTTP status %ld", resp.status);
        rc = 1;
    } else if (creds_json_parse(buf_str(&resp.body), &spec, out, why, n) < 0) {
        rc = strstr(why, "not a JSON") ? 1 : -1;
    }
    creds_http_free(&resp);
    return rc;
}

static status_t ctr_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    ctr_provider *cp = (ctr_provider *)self;
    char *auth = NULL;
    status_t st = ctr_auth_header(&auth, err);
    if (st != ST_OK)
        return st;
    const char *hdrs[2] = {"Accept: application/json", auth};
    char why[256] = "";
    int rc = 1;
    retry_verdict v = RETRY_AGAIN;
    for (int attempt = 1; v == RETRY_AGAIN; attempt++) {
        rc = ctr_attempt(cp, hdrs, auth ? 2 : 1, out, why, sizeof why);
        if (rc != 1)
            break;
        v = retry_wait(&retry_container, attempt, 0, cp->http.cancel);
    }
    xfree_secret(auth);
    if (rc == 0)
        return ST_OK;
    if (v == RETRY_CANCELLED)
        return error_set(err, ST_CANCELLED, "container credentials: cancelled");
    return error_set(err, ST_CREDENTIALS, "container credentials from %s: %s%s", cp->shown, why,
                     rc == 1 ? " (after 3 attempts)" : "");
}

static void ctr_destroy(creds_provider *self)
{
    free(((ctr_provider *)self)->url);
    free(((ctr_provider *)self)->shown);
    free(((ctr_provider *)self)->ca_bundle);
    free(((ctr_provider *)self)->ca_dir);
}

status_t creds_try_container(const creds_ctx *c, creds_provider **out, sc_error *err)
{
    *out = NULL;
    const char *rel = env_get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env_get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!rel && !full)
        return ST_OK;
    status_t st = rel ? ctr_check_relative(rel, err) : ctr_check_url(full, err);
    if (st != ST_OK)
        return st;
    ctr_provider *cp = (ctr_provider *)creds_provider_alloc(sizeof *cp, "container-role", NULL,
                                                            ctr_load, ctr_destroy);
    cp->url = rel ? xstrjoin(CTR_HOST, rel, "") : xstrdup(full);
    cp->shown = endpoint_shown(cp->url);
    if (c->sts && c->sts->http.ca_bundle)
        cp->ca_bundle = xstrdup(c->sts->http.ca_bundle);
    if (c->sts && c->sts->http.ca_dir)
        cp->ca_dir = xstrdup(c->sts->http.ca_dir);
    cp->http.ca_bundle = cp->ca_bundle;
    cp->http.ca_dir = cp->ca_dir;
    cp->http.ca_source = c->sts ? c->sts->http.ca_source : NULL;
    cp->http.tls_kind = ENDPOINT_AWS;
    cp->http.endpoint_name = "the container credentials endpoint";
    cp->http.connect_timeout_ms = CTR_TIMEOUT_MS;
    cp->http.timeout_ms = CTR_TIMEOUT_MS;
    cp->http.no_proxy = 1;
    cp->http.cancel = c->sts ? c->sts->http.cancel : NULL;
    *out = &cp->base;
    return ST_OK;
}
