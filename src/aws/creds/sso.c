/* IAM Identity Center (SSO) credentials, as botocore's SSOProvider (method
 * "sso"), SSOTokenLoader and SSOTokenProvider: the token `aws sso login`
 * cached under ~/.aws/sso/cache/, refreshed with SSO OIDC CreateToken when
 * it is about to expire (sso-session profiles only), then the portal's
 * GetRoleCredentials. Neither call is signed; the bearer token, refresh
 * token and client secret are secrets like the keys they buy. */
#include "aws/creds/sso.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds/creds_internal.h"
#include "aws/partition.h"
#include "net/endpoint.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/file.h"
#include "util/json.h"
#include "util/path.h"
#include "util/private.h"
#include "util/retry.h"
#include "util/timeutil.h"
#include "util/url.h"
#include "util/xalloc.h"

#define SSO_CACHE_DIR "~/.aws/sso/cache/"
/* A token file is a few hundred bytes. */
#define SSO_MAX_FILE ((size_t)1024 * 1024)
/* tokens.py _REFRESH_WINDOW: a token this close to expiring is refreshed. */
#define SSO_REFRESH_WINDOW ((time_t)15 * 60)
#define SSO_HINT                                                                                   \
    "run `aws sso login --profile %s` (on a jump host or over SSH: `aws sso login --profile %s "   \
    "--use-device-code`)"

/* The profile's SSO settings, resolved (pointers into the profile files). */
typedef struct sso_config {
    const char *session; /* NULL in the older form */
    const char *start_url;
    const char *region;
    const char *account_id;
    const char *role_name;
} sso_config;

/* A cached token; every string is owned, the secrets wiped when freed. */
typedef struct sso_token {
    char *access_token;
    char *refresh_token;
    char *client_id;
    char *client_secret;
    char *registration_expires_at; /* as cached: written back unchanged */
    time_t expires_at;
} sso_token;

typedef struct sso_provider {
    creds_provider base;
    char *session;
    char *start_url;
    char *region;
    char *account_id;
    char *role_name;
    char *cache_path;
    char *cache_shown;
    char *portal_url; /* base URL, without the operation's path */
    char *oidc_url;
    char *ca_bundle;
    char *ca_dir;
    http_options http;
    retry_policy retry;
} sso_provider;

/* ---- configuration ---- */

void sso_cache_name(const char *session_or_url, char out[46])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int got = 0;
    if (EVP_Digest(session_or_url, strlen(session_or_url), md, &got, EVP_sha1(), NULL) != 1)
        got = 0;
    size_t n = got < 20 ? got : 20;
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    snprintf(out + 2 * n, 6, ".json");
}

static int sso_is_profile(const profile_files *pf, const char *profile)
{
    return profile_get(pf, profile, "sso_account_id") || profile_get(pf, profile, "sso_role_name");
}

/* botocore's _resolve_sso_session_reference: the session's values, which
 * the profile may repeat but not contradict. */
static status_t sso_from_session(const profile_files *pf, const char *profile, sso_config *sc,
                                 sc_error *err)
{
    if (!profile_sso_session_exists(pf, sc->session))
        return error_set(err, ST_CONFIG,
                         "profile \"%s\" names sso_session \"%s\", but %s has no "
                         "[sso-session %s] section",
                         profile, sc->session, profile_config_path(pf), sc->session);
    static const char *const keys[] = {"sso_start_url", "sso_region"};
    const char **dst[] = {&sc->start_url, &sc->region};
    for (size_t i = 0; i < 2; i++) {
        const char *v = profile_sso_session_get(pf, sc->session, keys[i]);
        if (v && *dst[i] && strcmp(*dst[i], v) != 0)
            return error_set(err, ST_CONFIG,
                             "the %s of profile \"%s\" differs from that of its sso-session "
                             "\"%s\"; keep only the session's",
                             keys[i], profile, sc->session);
        if (v)
            *dst[i] = v;
    }
    return ST_OK;
}

static status_t sso_read_config(const profile_files *pf, const char *profile, sso_config *sc,
                                sc_error *err)
{
    memset(sc, 0, sizeof *sc);
    sc->session = profile_get(pf, profile, "sso_session");
    sc->start_url = profile_get(pf, profile, "sso_start_url");
    sc->region = profile_get(pf, profile, "sso_region");
    sc->account_id = profile_get(pf, profile, "sso_account_id");
    sc->role_name = profile_get(pf, profile, "sso_role_name");
    if (sc->session) {
        status_t st = sso_from_session(pf, profile, sc, err);
        if (st != ST_OK)
            return st;
    }
    buf_t missing = BUF_INIT;
    const char *names[] = {"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"};
    const char *vals[] = {sc->role_name, sc->account_id, sc->start_url, sc->region};
    for (size_t i = 0; i < 4; i++)
        if (!vals[i] || !*vals[i])
            buf_printf(&missing, "%s%s", missing.len ? ", " : "", names[i]);
    status_t st = ST_OK;
    if (missing.len)
        st = error_set(
            err, ST_CONFIG, "profile \"%s\" is configured to use SSO but is missing %s%s", profile,
            buf_str(&missing), sc->session ? " (in the profile or its sso-session)" : "");
    else if (!partition_region_name_ok(sc->region))
        st = error_set(err, ST_CONFIG,
                       "the sso_region \"%.64s\" of profile \"%s\" is not a valid region name",
                       sc->region, profile);
    buf_free(&missing);
    return st;
}

/* ---- the token cache ---- */

/* The file's path, and how messages show it ("~/.aws/sso/cache/...").
 * The caller frees both. */
static char *sso_cache_path(const sso_config *sc, char **shown)
{
    char name[46];
    sso_cache_name(sc->session ? sc->session : sc->start_url, name);
    char *dir = path_expand(SSO_CACHE_DIR);
    char *path = xstrjoin(dir, "", name);
    free(dir);
    *shown = xstrjoin(SSO_CACHE_DIR, "", name);
    return path;
}

/* Some CLI versions wrote "...T12:00:00UTC" rather than "Z". */
static int sso_parse_time(const char *s, time_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n > 3 && n < 64 && strcmp(s + n - 3, "UTC") == 0) {
        char fixed[64];
        snprintf(fixed, sizeof fixed, "%.*sZ", (int)(n - 3), s);
        return time_parse_iso8601(fixed, out);
    }
    return s ? time_parse_iso8601(s, out) : -1;
}

static void sso_token_free(sso_token *t)
{
    xfree_secret(t->access_token);
    xfree_secret(t->refresh_token);
    xfree_secret(t->client_id);
    xfree_secret(t->client_secret);
    free(t->registration_expires_at);
    memset(t, 0, sizeof *t);
}

static char *sso_dup_member(yajl_val root, const char *key)
{
    const char *v = json_member_str(root, key);
    return v ? xstrdup(v) : NULL;
}

/* 1 when the file is there and holds accessToken and expiresAt (what
 * SSOTokenLoader insists on); 0 when it is missing; -1 when unusable. */
static int sso_token_read(const char *path, const char *shown, sso_token *t, char *why, size_t n)
{
    memset(t, 0, sizeof *t);
    char *text = NULL;
    size_t len = 0;
    sc_error e;
    error_clear(&e);
    if (file_read(path, shown, SSO_MAX_FILE, FILE_MISSING_OK, ST_CREDENTIALS, &text, &len, &e) !=
        ST_OK) {
        creds_note(why, n, e.message);
        return -1;
    }
    if (!text)
        return 0;
    yajl_val root = NULL;
    json_parse(text, len, SSO_MAX_FILE, &root, &e);
    xfree_secret(text);
    int rc = -1;
    if (YAJL_IS_OBJECT(root)) {
        t->access_token = sso_dup_member(root, "accessToken");
        t->refresh_token = sso_dup_member(root, "refreshToken");
        t->client_id = sso_dup_member(root, "clientId");
        t->client_secret = sso_dup_member(root, "clientSecret");
        t->registration_expires_at = sso_dup_member(root, "registrationExpiresAt");
        if (t->access_token &&
            sso_parse_time(json_member_str(root, "expiresAt"), &t->expires_at) == 0)
            rc = 1;
    }
    json_free_secret(root);
    if (rc < 0) {
        snprintf(why, n, "%s has no usable accessToken and expiresAt", shown);
        sso_token_free(t);
    }
    return rc;
}

/* A JSON string (the cache and CreateToken's body hold only ASCII text,
 * but escape whatever comes). */
static void sso_json_str(buf_t *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_printf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            buf_printf(b, "\\u%04x", ch);
        else
            buf_putc(b, (char)ch);
    }
    buf_putc(b, '"');
}

static void sso_json_kv(buf_t *b, const char *key, const char *value)
{
    if (!value)
        return;
    buf_puts(b, b->len > 1 ? ", " : "");
    sso_json_str(b, key);
    buf_puts(b, ": ");
    sso_json_str(b, value);
}

static int sso_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* What SSOTokenProvider._attempt_create_token caches, written as
 * JSONFileCache does: a new 0600 file beside the old one, then rename. */
static int sso_token_save(const sso_provider *s, const sso_token *t, char *why, size_t n)
{
    char expires[21];
    time_format_iso8601(t->expires_at, expires);
    buf_t doc;
    buf_init_secret(&doc);
    buf_putc(&doc, '{');
    sso_json_kv(&doc, "startUrl", s->start_url);
    sso_json_kv(&doc, "region", s->region);
    sso_json_kv(&doc, "accessToken", t->access_token);
    sso_json_kv(&doc, "expiresAt", expires);
    sso_json_kv(&doc, "clientId", t->client_id);
    sso_json_kv(&doc, "clientSecret", t->client_secret);
    sso_json_kv(&doc, "registrationExpiresAt", t->registration_expires_at);
    sso_json_kv(&doc, "refreshToken", t->refresh_token);
    buf_putc(&doc, '}');
    buf_t tmp = BUF_INIT;
    buf_printf(&tmp, "%s.XXXXXX", s->cache_path);
    int fd = mkostemp(tmp.data, O_CLOEXEC);
    int rc = fd < 0 ? -1 : 0, saved = errno;
    if (fd >= 0) {
        rc = sso_write_all(fd, doc.data, doc.len) < 0 || fsync(fd) < 0 ? -1 : 0;
        rc |= close(fd) < 0 ? -1 : 0;
        if (rc == 0 && rename(tmp.data, s->cache_path) < 0)
            rc = -1;
        saved = errno;
        if (rc < 0)
            unlink(tmp.data);
    }
    if (rc < 0)
        snprintf(why, n, "cannot write %s: %s", s->cache_shown, strerror(saved));
    else
        private_sync_dir(s->cache_path);
    buf_free(&tmp);
    buf_free(&doc);
    return rc;
}

/* ---- SSO OIDC CreateToken ---- */

static char *sso_url(const char *base, const char *path)
{
    size_t n = strlen(base);
    return xstrjoin(base, n && base[n - 1] == '/' ? path + 1 : path, "");
}

/* Whether an exchange that failed may be tried again: never sent, or an
 * answer that says the service was busy or broken. */
static int sso_retryable(status_t st, long http_status, int sent_maybe_ok)
{
    if (st == ST_NET_CONNECT)
        return 1;
    if (st == ST_NET_IO || st == ST_TIMEOUT)
        return sent_maybe_ok;
    return st == ST_OK && (http_status == 429 || http_status >= 500);
}

/* One call with retries; resp holds the last answer (free it). */
static status_t sso_exchange(const sso_provider *s, const http_request *req, int idempotent,
                             const char *what, http_response *resp, sc_error *err)
{
    for (int attempt = 1;; attempt++) {
        memset(resp, 0, sizeof *resp);
        status_t st = http_perform(&s->http, req, resp, err);
        if (!sso_retryable(st, resp->status, idempotent))
            return st;
        if (st == ST_OK)
            error_set(err, ST_HTTP, "%s: HTTP %ld", what, resp->status);
        double hint = (double)resp->retry_after;
        creds_http_free(resp);
        memset(resp, 0, sizeof *resp);
        st = retry_next(&s->retry, attempt, hint, s->http.cancel, what, err);
        if (st != ST_OK)
            return st;
    }
}

static int sso_refresh_call(sso_provider *s, sso_token *t, time_t now, char *why, size_t n)
{
    buf_t body;
    buf_init_secret(&body);
    buf_putc(&body, '{');
    sso_json_kv(&body, "clientId", t->client_id);
    sso_json_kv(&body, "clientSecret", t->client_secret);
    sso_json_kv(&body, "grantType", "refresh_token");
    sso_json_kv(&body, "refreshToken", t->refresh_token);
    buf_putc(&body, '}');
    char *url = sso_url(s->oidc_url, "/token");
    const char *hdrs[] = {"Content-Type: application/json"};
    http_request req = {.method = "POST",
                        .url = url,
                        .headers = hdrs,
                        .nheaders = 1,
                        .body = body.data,
                        .body_len = body.len,
                        .not_idempotent = 1};
    http_response r;
    sc_error e;
    error_clear(&e);
    status_t st = sso_exchange(s, &req, 0, "SSO OIDC CreateToken", &r, &e);
    yajl_val root = NULL;
    if (st == ST_OK)
        json_parse(r.body.data ? r.body.data : "", r.body.len, SSO_MAX_FILE, &root, &e);
    const char *access = json_member_str(root, "accessToken");
    yajl_val expires_in = json_member(root, "expiresIn");
    int rc = -1;
    if (st != ST_OK)
        creds_note(why, n, e.message);
    else if (r.status != 200) {
        const char *code = json_member_str(root, "error");
        snprintf(why, n, "SSO OIDC refused the refresh: HTTP %ld%s%.64s", r.status,
                 code ? ", " : "", code ? code : "");
    } else if (!access || !*access || !YAJL_IS_INTEGER(expires_in))
        snprintf(why, n, "SSO OIDC answered the refresh without accessToken and expiresIn");
    else {
        xfree_secret(t->access_token);
        t->access_token = xstrdup(access);
        t->expires_at = now + (time_t)YAJL_GET_INTEGER(expires_in);
        const char *refresh = json_member_str(root, "refreshToken");
        /* botocore keeps the refresh token only when the answer has one. */
        xfree_secret(t->refresh_token);
        t->refresh_token = refresh ? xstrdup(refresh) : NULL;
        rc = 0;
    }
    json_free_secret(root);
    creds_http_free(&r);
    free(url);
    buf_free(&body);
    return rc;
}

/* SSOTokenProvider._refresh_access_token: only with a refresh token and a
 * client registration that has not expired. 0 when t now holds a new
 * token (saved to the cache), -1 with why otherwise. */
static int sso_refresh(sso_provider *s, sso_token *t, time_t now, char *why, size_t n)
{
    time_t reg = 0;
    if (!t->refresh_token || !t->client_id || !t->client_secret || !t->registration_expires_at) {
        snprintf(why, n, "no refresh token is cached");
        return -1;
    }
    if (sso_parse_time(t->registration_expires_at, &reg) < 0 || reg <= now) {
        snprintf(why, n, "the cached client registration has expired");
        return -1;
    }
    if (sso_refresh_call(s, t, now, why, n) < 0)
        return -1;
    return sso_token_save(s, t, why, n);
}

/* ---- the portal's GetRoleCredentials ---- */

static status_t sso_portal_error(const sso_provider *s, const http_response *r, sc_error *err)
{
    yajl_val root = NULL;
    sc_error ignored;
    json_parse(r->body.data ? r->body.data : "", r->body.len, SSO_MAX_FILE, &root, &ignored);
    const char *msg = json_member_str(root, "message");
    if (!msg)
        msg = json_member_str(root, "Message");
    const char *p = s->base.profile;
    status_t st;
    if (r->status == 401)
        st = error_set(err, ST_CREDENTIALS,
                       "IAM Identity Center did not accept the SSO login of profile \"%s\" "
                       "(expired or signed out); " SSO_HINT,
                       p, p, p);
    else if (r->status == 403)
        st = error_set(err, ST_CREDENTIALS,
                       "IAM Identity Center does not let this SSO login use role %s in account "
                       "%s (ForbiddenException%s%.200s); check sso_account_id and sso_role_name "
                       "of profile \"%s\"",
                       s->role_name, s->account_id, msg ? ": " : "", msg ? msg : "", p);
    else
        st =
            error_set(err, ST_CREDENTIALS,
                      "IAM Identity Center GetRoleCredentials for profile \"%s\": HTTP %ld%s%.200s",
                      p, r->status, msg ? ": " : "", msg ? msg : "");
    json_free_secret(root);
    return st;
}

static status_t sso_role_creds_parse(const sso_provider *s, const http_response *r,
                                     aws_credentials *out, sc_error *err)
{
    yajl_val root = NULL;
    sc_error ignored;
    json_parse(r->body.data ? r->body.data : "", r->body.len, SSO_MAX_FILE, &root, &ignored);
    yajl_val rc = json_member(root, "roleCredentials");
    const char *akid = json_member_str(rc, "accessKeyId");
    const char *secret = json_member_str(rc, "secretAccessKey");
    const char *token = json_member_str(rc, "sessionToken");
    yajl_val exp = json_member(rc, "expiration");
    status_t st = ST_OK;
    if (!akid || !secret || !token || !YAJL_IS_NUMBER(exp))
        st = error_set(err, ST_PARSE,
                       "IAM Identity Center answered GetRoleCredentials for profile \"%s\" "
                       "without complete roleCredentials",
                       s->base.profile);
    else {
        double ms = YAJL_IS_INTEGER(exp) ? (double)YAJL_GET_INTEGER(exp) : YAJL_GET_DOUBLE(exp);
        out->access_key_id = xstrdup(akid);
        out->secret_access_key = xstrdup(secret);
        out->session_token = xstrdup(token);
        out->expiration = (time_t)(ms / 1000.0);
        out->account_id = xstrdup(s->account_id);
    }
    json_free_secret(root);
    return st;
}

static status_t sso_get_role_credentials(sso_provider *s, const char *access_token,
                                         aws_credentials *out, sc_error *err)
{
    buf_t url = BUF_INIT;
    char *base = sso_url(s->portal_url, "/federation/credentials");
    buf_printf(&url, "%s?role_name=", base);
    url_encode(&url, s->role_name, strlen(s->role_name), URL_RFC3986);
    buf_puts(&url, "&account_id=");
    url_encode(&url, s->account_id, strlen(s->account_id), URL_RFC3986);
    buf_t hdr;
    buf_init_secret(&hdr);
    buf_printf(&hdr, "x-amz-sso_bearer_token: %s", access_token);
    const char *hdrs[] = {hdr.data, "Accept: application/json"};
    http_request req = {.method = "GET", .url = url.data, .headers = hdrs, .nheaders = 2};
    http_response r;
    status_t st = sso_exchange(s, &req, 1, "IAM Identity Center GetRoleCredentials", &r, err);
    if (st == ST_OK && r.status != 200)
        st = sso_portal_error(s, &r, err);
    else if (st == ST_OK)
        st = sso_role_creds_parse(s, &r, out, err);
    creds_http_free(&r);
    buf_free(&hdr);
    buf_free(&url);
    free(base);
    return st;
}

/* ---- the provider ---- */

static status_t sso_login_needed(const sso_provider *s, const sso_token *t, const char *why,
                                 sc_error *err)
{
    const char *p = s->base.profile;
    char when[21];
    time_format_iso8601(t->expires_at, when);
    if (why[0])
        return error_set(err, ST_CREDENTIALS,
                         "the SSO login of profile \"%s\" expired at %s and cannot be refreshed "
                         "(%s); " SSO_HINT,
                         p, when, why, p, p);
    return error_set(err, ST_CREDENTIALS,
                     "the SSO login of profile \"%s\" expired at %s; " SSO_HINT, p, when, p, p);
}

static status_t sso_token_get(sso_provider *s, sso_token *t, sc_error *err)
{
    char why[256] = "";
    const char *p = s->base.profile;
    int found = sso_token_read(s->cache_path, s->cache_shown, t, why, sizeof why);
    if (found == 0)
        return error_set(err, ST_CREDENTIALS,
                         "profile \"%s\" has no SSO login on this machine (no %s); " SSO_HINT, p,
                         s->cache_shown, p, p);
    if (found < 0)
        return error_set(err, ST_CREDENTIALS,
                         "the SSO login of profile \"%s\" is unusable: %s; " SSO_HINT, p, why, p,
                         p);
    time_t now = time(NULL);
    /* Older profiles are never refreshed: botocore only checks expiry. */
    if (s->session && t->expires_at - now < SSO_REFRESH_WINDOW &&
        sso_refresh(s, t, now, why, sizeof why) == 0)
        return ST_OK;
    if (t->expires_at <= now)
        return sso_login_needed(s, t, why, err);
    return ST_OK;
}

static status_t sso_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    sso_provider *s = (sso_provider *)self;
    sso_token t;
    status_t st = sso_token_get(s, &t, err);
    if (st == ST_OK)
        st = sso_get_role_credentials(s, t.access_token, out, err);
    sso_token_free(&t);
    return st;
}

static void sso_destroy(creds_provider *self)
{
    sso_provider *s = (sso_provider *)self;
    free(s->session);
    free(s->start_url);
    free(s->region);
    free(s->account_id);
    free(s->role_name);
    free(s->cache_path);
    free(s->cache_shown);
    free(s->portal_url);
    free(s->oidc_url);
    free(s->ca_bundle);
    free(s->ca_dir);
}

/* A service's endpoint as botocore's client_creator resolves it for the
 * session's profile: AWS_ENDPOINT_URL_<SVC>, its [services] block, then
 * the global endpoint URL; else the service's host in sso_region. */
static status_t sso_endpoint(const creds_ctx *c, const char *env, const char *svc, const char *host,
                             const char *region, char **out, sc_error *err)
{
    char from_file[1024];
    const char *url = NULL;
    if (!creds_is_true(creds_setting(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                     "ignore_configured_endpoint_urls"))) {
        url = env_get(env);
        const char *services =
            c->pf && c->profile ? profile_get(c->pf, c->profile, "services") : NULL;
        if (!url && services &&
            profile_services_get(c->pf, services, svc, "endpoint_url", from_file,
                                 sizeof from_file) == 0)
            url = from_file;
        if (!url && c->sts)
            url = c->sts->endpoint_url;
    }
    if (url) {
        status_t st = endpoint_check(url, ENDPOINT_AWS, env, err);
        *out = st == ST_OK ? xstrdup(url) : NULL;
        return st;
    }
    buf_t b = BUF_INIT;
    buf_printf(&b, "https://%s.%s.%s", host, region, partition_for_region(region)->dns_suffix);
    *out = buf_steal(&b);
    return ST_OK;
}

static void sso_transport(const creds_ctx *c, sso_provider *s)
{
    s->retry = retry_aws;
    if (!c->sts)
        return;
    s->http = c->sts->http;
    s->ca_bundle = c->sts->http.ca_bundle ? xstrdup(c->sts->http.ca_bundle) : NULL;
    s->ca_dir = c->sts->http.ca_dir ? xstrdup(c->sts->http.ca_dir) : NULL;
    s->http.ca_bundle = s->ca_bundle;
    s->http.ca_dir = s->ca_dir;
    if (c->sts->max_attempts > 0)
        s->retry.max_attempts = c->sts->max_attempts;
}

status_t creds_try_sso(const creds_ctx *c, const char *profile, creds_provider **out, sc_error *err)
{
    *out = NULL;
    if (!sso_is_profile(c->pf, profile))
        return ST_OK;
    sso_config sc;
    status_t st = sso_read_config(c->pf, profile, &sc, err);
    if (st != ST_OK)
        return st;
    sso_provider *s =
        (sso_provider *)creds_provider_alloc(sizeof *s, "sso", profile, sso_load, sso_destroy);
    s->session = sc.session ? xstrdup(sc.session) : NULL;
    s->start_url = xstrdup(sc.start_url);
    s->region = xstrdup(sc.region);
    s->account_id = xstrdup(sc.account_id);
    s->role_name = xstrdup(sc.role_name);
    s->cache_path = sso_cache_path(&sc, &s->cache_shown);
    sso_transport(c, s);
    s->http.endpoint_name = "AWS IAM Identity Center";
    st = sso_endpoint(c, "AWS_ENDPOINT_URL_SSO", "sso", "portal.sso", sc.region, &s->portal_url,
                      err);
    if (st == ST_OK)
        st = sso_endpoint(c, "AWS_ENDPOINT_URL_SSO_OIDC", "sso_oidc", "oidc", sc.region,
                          &s->oidc_url, err);
    if (st != ST_OK) {
        creds_provider_free(&s->base);
        return st;
    }
    *out = &s->base;
    return ST_OK;
}

/* ---- describing a profile (the wizard) ---- */

int sso_profile_describe(const profile_files *pf, const char *profile, time_t now,
                         sso_profile_info *out)
{
    memset(out, 0, sizeof *out);
    sso_config sc;
    sc_error ignored;
    if (!sso_is_profile(pf, profile) || sso_read_config(pf, profile, &sc, &ignored) != ST_OK)
        return 0;
    snprintf(out->account_id, sizeof out->account_id, "%s", sc.account_id);
    snprintf(out->role_name, sizeof out->role_name, "%s", sc.role_name);
    char *shown = NULL;
    char *path = sso_cache_path(&sc, &shown);
    char why[256];
    sso_token t;
    int found = sso_token_read(path, shown, &t, why, sizeof why);
    time_t reg = 0;
    if (found <= 0)
        out->login = SSO_LOGIN_MISSING;
    else if (t.expires_at > now)
        out->login = SSO_LOGIN_VALID;
    else if (sc.session && t.refresh_token && t.client_id && t.client_secret &&
             sso_parse_time(t.registration_expires_at, &reg) == 0 && reg > now)
        out->login = SSO_LOGIN_REFRESH;
    else
        out->login = SSO_LOGIN_EXPIRED;
    if (found > 0)
        sso_token_free(&t);
    free(path);
    free(shown);
    return 1;
}
