/* EC2 instance metadata credentials (botocore's InstanceMetadataProvider
 * and InstanceMetadataFetcher, method "iam-role"): an IMDSv2 session token,
 * then the role name, then the role's keys. Any failure means "not on EC2
 * (or no role)", so the chain reports that nothing was found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds/creds_internal.h"
#include "net/endpoint.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/json.h"
#include "util/retry.h"
#include "util/xalloc.h"

/* A credential document is a few hundred bytes. */
#define IMDS_MAX_JSON ((size_t)1024 * 1024)
#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_DEFAULT_V6 "http://[fd00:ec2::254]"
#define IMDS_TOKEN_PATH "latest/api/token"
#define IMDS_ROLE_PATH "latest/meta-data/iam/security-credentials/"

typedef struct imds_provider {
    creds_provider base;
    char *base_url;
    char *shown; /* base_url without credentials, for messages */
    http_options http;
    retry_policy retry; /* max_attempts from metadata_service_num_attempts */
    int v1_disabled;
} imds_provider;

static char *imds_url(const imds_provider *m, const char *path)
{
    size_t n = strlen(m->base_url);
    return xstrjoin(m->base_url, n && m->base_url[n - 1] == '/' ? "" : "/", path);
}

/* Sets *token, or leaves it NULL when IMDSv1 should be tried: botocore
 * falls back on 403/404/405, a timeout or repeated transport errors, and
 * gives up only on a 400. */
static int imds_token(imds_provider *m, char **token, char *why, size_t n)
{
    const char *hdr[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
    char *url = imds_url(m, IMDS_TOKEN_PATH);
    int rc = 0, done = 0;
    *token = NULL;
    for (int i = 1; !done; i++) {
        http_response r;
        sc_error e;
        error_clear(&e);
        status_t st = creds_http(&m->http, "PUT", url, hdr, 1, &r, &e);
        long s = st == ST_OK ? r.status : 0;
        if (st != ST_OK)
            creds_note(why, n, e.message);
        if (s == 200 && r.body.len > 0)
            *token = xstrdup(buf_str(&r.body));
        if (s == 400) {
            snprintf(why, n, "the IMDSv2 token request was refused (HTTP 400)");
            rc = -1;
        }
        done = st == ST_TIMEOUT || s == 200 || s == 400 || s == 403 || s == 404 || s == 405;
        creds_http_free(&r);
        if (!done && retry_wait(&m->retry, i, 0, m->http.cancel) != RETRY_AGAIN)
            done = 1;
    }
    free(url);
    return rc;
}

static int imds_json_ok(const char *text)
{
    yajl_val v = NULL;
    sc_error ignored;
    int ok = json_parse(text, strlen(text), IMDS_MAX_JSON, &v, &ignored) == ST_OK;
    json_free_secret(v);
    return ok;
}

/* GET with the token (if any). Retries on transport errors, non-200,
 * empty bodies and, for JSON documents, unparsable ones. */
static int imds_get(imds_provider *m, const char *path, const char *token, int json, char **body,
                    char *why, size_t n)
{
    char *url = imds_url(m, path);
    char *hdr = token ? xstrjoin("X-aws-ec2-metadata-token: ", "", token) : NULL;
    const char *hdrs[1] = {hdr};
    int rc = -1;
    for (int i = 1; rc < 0; i++) {
        http_response r;
        sc_error e;
        error_clear(&e);
        if (creds_http(&m->http, "GET", url, hdrs, hdr ? 1 : 0, &r, &e) != ST_OK)
            creds_note(why, n, e.message);
        else if (r.status != 200)
            snprintf(why, n, "HTTP status %ld for /%s", r.status, path);
        else if (r.body.len == 0 || (json && !imds_json_ok(buf_str(&r.body))))
            snprintf(why, n, "unusable answer for /%s", path);
        else
            rc = 0;
        if (rc == 0)
            *body = xstrdup(buf_str(&r.body));
        creds_http_free(&r);
        if (rc < 0 && retry_wait(&m->retry, i, 0, m->http.cancel) != RETRY_AGAIN)
            break;
    }
    xfree_secret(hdr);
    free(url);
    return rc;
}

/* botocore's static stability: keys the service already lets expire are
 * used for a few more minutes rather than failing outright. */
static void imds_extend_expired(aws_credentials *c)
{
    time_t now = time(NULL);
    if (c->expiration <= now)
        c->expiration = now + (time_t)5 * 60 + (time_t)arc4random_uniform(300);
}

static int imds_role_creds(imds_provider *m, const char *token, const char *roles,
                           aws_credentials *out, char *why, size_t n)
{
    static const creds_json_spec spec = {
        .token_field = "Token", .token_required = 1, .expiration_required = 1};
    size_t len = strcspn(roles, "\r\n");
    if (len == 0) {
        snprintf(why, n, "no IAM role is attached to this instance");
        return -1;
    }
    char *role = xstrndup(roles, len);
    char *path = xstrjoin(IMDS_ROLE_PATH, "", role);
    char *doc = NULL, problem[96];
    int rc = imds_get(m, path, token, 1, &doc, why, n);
    if (rc == 0 && creds_json_parse(doc, &spec, out, problem, sizeof problem) < 0) {
        snprintf(why, n, "the credentials of instance role %.64s are unusable: %s", role, problem);
        rc = -1;
    }
    if (rc == 0)
        imds_extend_expired(out);
    xfree_secret(doc);
    free(path);
    free(role);
    return rc;
}

static int imds_fetch(imds_provider *m, aws_credentials *out, char *why, size_t n)
{
    char *token = NULL, *roles = NULL;
    int rc = imds_token(m, &token, why, n);
    if (rc == 0 && !token && m->v1_disabled) {
        snprintf(why, n, "no IMDSv2 token, and IMDSv1 is disabled");
        rc = -1;
    }
    if (rc == 0)
        rc = imds_get(m, IMDS_ROLE_PATH, token, 0, &roles, why, n);
    if (rc == 0)
        rc = imds_role_creds(m, token, roles, out, why, n);
    xfree_secret(token);
    free(roles);
    return rc;
}

static status_t imds_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    imds_provider *m = (imds_provider *)self;
    char why[256] = "";
    if (imds_fetch(m, out, why, sizeof why) == 0)
        return ST_OK;
    return error_set(err, ST_CREDENTIALS, "EC2 instance metadata at %s: %s", m->shown, why);
}

static void imds_destroy(creds_provider *self)
{
    free(((imds_provider *)self)->base_url);
    free(((imds_provider *)self)->shown);
}

static status_t imds_base_url(const creds_ctx *c, imds_provider *m, sc_error *err)
{
    const char *ep =
        creds_setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
    const char *mode = creds_setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                     "ec2_metadata_service_endpoint_mode");
    if (mode && ascii_strcasecmp(mode, "ipv4") != 0 && ascii_strcasecmp(mode, "ipv6") != 0)
        return error_set(err, ST_CONFIG,
                         "the EC2 metadata endpoint mode must be IPv4 or IPv6, not \"%s\"", mode);
    endpoint_url u;
    if (ep && endpoint_parse(ep, "the EC2 metadata endpoint", &u, err) != ST_OK)
        return err->status;
    if (!ep)
        ep = mode && ascii_strcasecmp(mode, "ipv6") == 0 ? IMDS_DEFAULT_V6 : IMDS_DEFAULT;
    m->base_url = xstrdup(ep);
    m->shown = endpoint_shown(ep);
    return ST_OK;
}

static status_t imds_numbers(const creds_ctx *c, imds_provider *m, sc_error *err)
{
    const char *t = creds_setting(c, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout");
    const char *a =
        creds_setting(c, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts");
    char *end = NULL;
    double secs = t ? strtod(t, &end) : 1.0;
    if (t && (end == t || *end || !(secs > 0) || secs > 3600))
        return error_set(err, ST_CONFIG,
                         "the metadata service timeout must be a number of seconds, not \"%s\"", t);
    long tries = a ? strtol(a, &end, 10) : 1;
    if (a && (end == a || *end || tries < 1 || tries > 100))
        return error_set(err, ST_CONFIG,
                         "the metadata service attempt count must be a whole number from 1, not "
                         "\"%s\"",
                         a);
    m->http.connect_timeout_ms = m->http.timeout_ms = (long)(secs * 1000 + 0.5);
    m->retry = retry_imds;
    m->retry.max_attempts = (int)tries;
    return ST_OK;
}

status_t creds_try_imds(const creds_ctx *c, creds_provider **out, char *why, size_t why_len,
                        sc_error *err)
{
    *out = NULL;
    if (creds_is_true(env_get("AWS_EC2_METADATA_DISABLED"))) {
        snprintf(why, why_len, "disabled by AWS_EC2_METADATA_DISABLED");
        return ST_OK;
    }
    imds_provider *m =
        (imds_provider *)creds_provider_alloc(sizeof *m, "iam-role", NULL, imds_load, imds_destroy);
    m->http.no_proxy = 1;
    m->http.cancel = c->sts ? c->sts->http.cancel : NULL;
    m->v1_disabled =
        creds_is_true(creds_setting(c, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
    status_t st = imds_base_url(c, m, err);
    if (st == ST_OK)
        st = imds_numbers(c, m, err);
    if (st == ST_OK && imds_fetch(m, &m->base.current, why, why_len) == 0) {
        m->base.loaded = 1;
        *out = &m->base;
        return ST_OK;
    }
    creds_provider_free(&m->base);
    return st;
}
