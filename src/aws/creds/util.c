/* Helpers shared by the credential providers. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds/creds_internal.h"
#include "util/ascii.h"
#include "util/env.h"
#include "util/file.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Token and secret files are tiny; a bigger one is a wrong path. */
#define CREDS_MAX_SECRET_FILE ((size_t)1024 * 1024)
/* A credential document is a few hundred bytes. */
#define CREDS_MAX_JSON ((size_t)1024 * 1024)

const char *creds_setting(const creds_ctx *c, const char *env, const char *key)
{
    const char *v = env ? env_get(env) : NULL;
    if (v || !c->pf || !c->profile)
        return v;
    return profile_get(c->pf, c->profile, key);
}

void creds_note(char *why, size_t n, const char *msg)
{
    size_t len = strlen(msg);
    if (n == 0)
        return;
    if (len >= n)
        len = n - 1;
    memcpy(why, msg, len);
    why[len] = '\0';
}

int creds_is_true(const char *v)
{
    return v && ascii_strcasecmp(v, "true") == 0;
}

status_t creds_read_secret_file(const char *path, const char *what, char **out, sc_error *err)
{
    buf_t shown = BUF_INIT;
    buf_printf(&shown, "%s %s", what, path);
    status_t st =
        file_read(path, buf_str(&shown), CREDS_MAX_SECRET_FILE, 0, ST_CREDENTIALS, out, NULL, err);
    buf_free(&shown);
    return st;
}

status_t creds_http(const http_options *o, const char *method, const char *url,
                    const char *const *headers, size_t nheaders, http_response *resp, sc_error *err)
{
    http_request req = {.method = method, .url = url, .headers = headers, .nheaders = nheaders};
    memset(resp, 0, sizeof *resp);
    return http_perform(o, &req, resp, err);
}

void creds_http_free(http_response *resp)
{
    if (resp->body.data)
        OPENSSL_cleanse(resp->body.data, resp->body.cap);
    http_response_free(resp);
}

/* A string member, NULL when absent or null; *bad when of another type. */
static const char *js_string(yajl_val root, const char *name, int *bad)
{
    yajl_val v = json_member(root, name);
    if (!v || YAJL_IS_NULL(v))
        return NULL;
    if (!YAJL_IS_STRING(v)) {
        *bad = 1;
        return NULL;
    }
    return v->u.string;
}

static int js_version_ok(yajl_val root)
{
    yajl_val v = json_member(root, "Version");
    if (!YAJL_IS_NUMBER(v))
        return 0;
    if (YAJL_IS_INTEGER(v))
        return YAJL_GET_INTEGER(v) == 1;
    return YAJL_IS_DOUBLE(v) && YAJL_GET_DOUBLE(v) == 1.0;
}

/* Copies a field into *dst; returns -1 with a problem when it is required
 * and missing or is not a string. */
static int js_take(yajl_val root, const char *name, int required, char **dst, char *problem,
                   size_t plen)
{
    int bad = 0;
    const char *s = js_string(root, name, &bad);
    if (bad) {
        snprintf(problem, plen, "\"%s\" is not a string", name);
        return -1;
    }
    if (!s && required) {
        snprintf(problem, plen, "\"%s\" is missing", name);
        return -1;
    }
    *dst = s ? xstrdup(s) : NULL;
    return 0;
}

static int js_expiration(yajl_val root, int required, time_t *out, char *problem, size_t plen)
{
    char *when = NULL;
    if (js_take(root, "Expiration", required, &when, problem, plen) < 0)
        return -1;
    int rc = 0;
    if (when && time_parse_iso8601(when, out) < 0) {
        snprintf(problem, plen, "\"Expiration\" is not an RFC 3339 time");
        rc = -1;
    }
    free(when);
    return rc;
}

static int js_fill(yajl_val root, const creds_json_spec *spec, aws_credentials *out, char *problem,
                   size_t plen)
{
    if (spec->version_required && !js_version_ok(root)) {
        snprintf(problem, plen, "\"Version\" is missing or is not 1 (the only version there is)");
        return -1;
    }
    if (js_take(root, "AccessKeyId", 1, &out->access_key_id, problem, plen) < 0 ||
        js_take(root, "SecretAccessKey", 1, &out->secret_access_key, problem, plen) < 0 ||
        js_take(root, spec->token_field, spec->token_required, &out->session_token, problem, plen) <
            0 ||
        js_expiration(root, spec->expiration_required, &out->expiration, problem, plen) < 0 ||
        js_take(root, "AccountId", 0, &out->account_id, problem, plen) < 0)
        return -1;
    return 0;
}

int creds_json_parse(const char *text, const creds_json_spec *spec, aws_credentials *out,
                     char *problem, size_t problem_len)
{
    sc_error why = {.status = ST_OK};
    yajl_val root = NULL;
    json_parse(text, strlen(text), CREDS_MAX_JSON, &root, &why);
    int rc = -1;
    if (!YAJL_IS_OBJECT(root))
        snprintf(problem, problem_len, "it is not a JSON object%s%s%s", root ? "" : " (",
                 root ? "" : why.message, root ? "" : ")");
    else
        rc = js_fill(root, spec, out, problem, problem_len);
    json_free_secret(root);
    if (rc < 0)
        aws_credentials_clear(out);
    return rc;
}

char *creds_arn_account(const char *arn)
{
    const char *s = arn;
    for (int field = 0; s && field < 4; field++) {
        s = strchr(s, ':');
        if (s)
            s++;
    }
    if (!s)
        return NULL;
    size_t n = strcspn(s, ":");
    return n == 12 && strspn(s, "0123456789") >= 12 ? xstrndup(s, n) : NULL;
}
