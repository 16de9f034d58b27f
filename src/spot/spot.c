#include "spot/spot.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/preconnect.h"
#include "spot/spot_internal.h"
#include "util/ascii.h"
#include "util/json.h"
#include "util/retry.h"
#include "util/url.h"
#include "util/xalloc.h"

#define SPOT_DEFAULT_ATTEMPTS 3
/* AWS account numbers are 12 digits; a JSON number loses leading zeros. */
#define AWS_ACCOUNT_DIGITS 12
/* The biggest answer read: a list of every account of an organization
 * stays far below; http.c stops reading at the same size. */
#define SPOT_MAX_ANSWER ((size_t)16 * 1024 * 1024)

struct spot_client {
    char *base; /* no trailing slash */
    char *token;
    char *ca_bundle;
    char *ca_dir;
    http_options http;
    int max_attempts;
    api_log_fn log;
    void *log_ctx;
};

/* One API call as the retry loop sees it. */
typedef struct spot_call {
    const char *action; /* name in the call log */
    const char *method;
    const char *url;
    const char *body; /* NULL: none */
    /* Repeating it after it may have arrived could create a second object
     * (an account, an external ID): then only failures that prove it never
     * reached Spot, or that Spot refused before acting (429/503), repeat. */
    const char *once_hint;
} spot_call;

/* ---- small helpers ---- */

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!ascii_isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Replaces every copy of token in s (capacity cap) with "***": a server
 * that echoes the Authorization header must not put it into our messages. */
static void mask_token(char *s, size_t cap, const char *token)
{
    if (!token || !*token || !strstr(s, token))
        return;
    buf_t b = BUF_INIT;
    size_t tl = strlen(token);
    for (const char *p = s, *hit; *p; p = hit + tl) {
        hit = strstr(p, token);
        if (!hit) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, "***");
    }
    snprintf(s, cap, "%s", buf_str(&b));
    buf_free(&b);
}

static void mask_error(sc_error *err, const char *token)
{
    mask_token(err->message, sizeof err->message, token);
    mask_token(err->code, sizeof err->code, token);
    mask_token(err->request_id, sizeof err->request_id, token);
}

void spot_build_url(buf_t *out, const char *base, const char *path, const char *name,
                    const char *value)
{
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    buf_append(out, base, bl);
    buf_puts(out, path);
    if (name) {
        buf_printf(out, "?%s=", name);
        url_encode(out, value ? value : "", value ? strlen(value) : 0, URL_RFC3986);
    }
}

/* ---- JSON answers ---- */

static yajl_val member2(yajl_val obj, const char *a, const char *b)
{
    return json_member(json_member(obj, a), b);
}

char *spot_json_text(yajl_val obj, const char *key)
{
    yajl_val v = json_member(obj, key);
    if (YAJL_IS_STRING(v))
        return xstrdup(YAJL_GET_STRING(v));
    if (YAJL_IS_NUMBER(v) && v->u.number.r)
        return xstrdup(v->u.number.r);
    return NULL;
}

/* Copies a string member into dst, "" when absent or not a string. */
static void copy_str(char *dst, size_t len, yajl_val obj, const char *key)
{
    char *s = spot_json_text(obj, key);
    snprintf(dst, len, "%s", s ? s : "");
    free(s);
}

/* NULL when the answer is not JSON, too big or nested too deep; why says
 * which. */
static yajl_val parse_json(const char *body, size_t len, sc_error *why)
{
    yajl_val root = NULL;
    json_parse(body, len, SPOT_MAX_ANSWER, &root, why);
    return root;
}

/* The text of the 401/403 answer: what the operator must do differs from
 * any other refusal, so it says so rather than relaying "Unauthorized". */
static void set_rejected(sc_error *err, long http_status, const char *server_msg)
{
    error_set(err, ST_SPOT,
              "Spot rejected the API token (HTTP %ld%s%.200s): connecting an account needs an "
              "organization-admin (personal) token",
              http_status, *server_msg ? ": " : "", server_msg);
}

/* Fills err from the error envelope: errors[0] when present, else what the
 * status block or the bare HTTP status says. */
static void set_spot_error(long http_status, yajl_val root, int non_json, sc_error *err)
{
    yajl_val errors = member2(root, "response", "errors");
    yajl_val e0 = YAJL_IS_ARRAY(errors) && errors->u.array.len ? errors->u.array.values[0] : NULL;
    char msg[400], field[64];
    copy_str(err->code, sizeof err->code, e0, "code");
    copy_str(msg, sizeof msg, e0, "message");
    copy_str(field, sizeof field, e0, "field");
    if (!msg[0])
        copy_str(msg, sizeof msg, member2(root, "response", "status"), "message");
    if (!msg[0] && err->code[0])
        snprintf(msg, sizeof msg, "%s", err->code);
    if (!err->code[0])
        snprintf(err->code, sizeof err->code, "HTTP %ld", http_status);
    if (http_status == 401 || http_status == 403)
        set_rejected(err, http_status, msg);
    else if (non_json)
        error_set(err, ST_SPOT, "HTTP %ld with a non-JSON answer", http_status);
    else if (!msg[0])
        error_set(err, ST_SPOT, "HTTP %ld with no error details", http_status);
    else if (field[0])
        error_set(err, ST_SPOT, "%s (field %s)", msg, field);
    else
        error_set(err, ST_SPOT, "%s", msg);
}

status_t spot_answer_parse(long http_status, const char *body, size_t len, const char *token,
                           spot_answer *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    int empty = !body || is_blank(body, len);
    sc_error why = {.status = ST_OK};
    yajl_val root = empty ? NULL : parse_json(body, len, &why);
    int non_json = !empty && !YAJL_IS_OBJECT(root);
    copy_str(out->request_id, sizeof out->request_id, json_member(root, "request"), "id");
    mask_token(out->request_id, sizeof out->request_id, token);
    if (http_status == 200 && !non_json) {
        out->root = root;
        yajl_val items = member2(root, "response", "items");
        out->items = YAJL_IS_ARRAY(items) ? items : NULL;
        return ST_OK;
    }
    err->http_status = http_status;
    snprintf(err->request_id, sizeof err->request_id, "%s", out->request_id);
    if (http_status == 200)
        error_set(err, ST_PARSE, "the answer is not a JSON object%s%s", why.message[0] ? ": " : "",
                  why.message);
    else
        set_spot_error(http_status, root, non_json, err);
    mask_error(err, token);
    yajl_tree_free(root);
    out->request_id[0] = '\0';
    return err->status;
}

void spot_answer_free(spot_answer *a)
{
    yajl_tree_free(a->root);
    memset(a, 0, sizeof *a);
}

/* A numeric providerExternalId lost the leading zeros of the AWS account
 * number; restore them so it compares equal to what STS reports. */
static char *aws_account_text(yajl_val item)
{
    char *s = spot_json_text(item, "providerExternalId");
    yajl_val v = json_member(item, "providerExternalId");
    size_t n = s ? strlen(s) : 0;
    if (!s || !YAJL_IS_NUMBER(v) || n >= AWS_ACCOUNT_DIGITS || strspn(s, "0123456789") != n)
        return s;
    char *padded = xmalloc(AWS_ACCOUNT_DIGITS + 1);
    snprintf(padded, AWS_ACCOUNT_DIGITS + 1, "%0*d%s", (int)(AWS_ACCOUNT_DIGITS - n), 0, s);
    free(s);
    return padded;
}

status_t spot_account_from_json(yajl_val item, spot_account *out)
{
    memset(out, 0, sizeof *out);
    out->id = spot_json_text(item, "id");
    if (!out->id)
        out->id = spot_json_text(item, "accountId");
    if (!out->id || !*out->id) {
        free(out->id);
        out->id = NULL;
        return ST_PARSE;
    }
    out->name = spot_json_text(item, "name");
    out->organization_id = spot_json_text(item, "organizationId");
    out->provider_external_id = aws_account_text(item);
    out->cloud_provider = spot_json_text(item, "cloudProvider");
    return ST_OK;
}

static yajl_val first_item(const spot_answer *a)
{
    return a->items && a->items->u.array.len ? a->items->u.array.values[0] : NULL;
}

/* ---- client ---- */

spot_client *spot_client_new(const spot_config *cfg)
{
    spot_client *c = xcalloc(1, sizeof *c);
    c->base = xstrdup(cfg->endpoint && *cfg->endpoint ? cfg->endpoint : SPOT_DEFAULT_ENDPOINT);
    c->token = cfg->token ? xstrdup(cfg->token) : NULL;
    c->http = cfg->http;
    if (cfg->http.ca_bundle) {
        c->ca_bundle = xstrdup(cfg->http.ca_bundle);
        c->http.ca_bundle = c->ca_bundle;
    }
    if (cfg->http.ca_dir) {
        c->ca_dir = xstrdup(cfg->http.ca_dir);
        c->http.ca_dir = c->ca_dir;
    }
    c->http.tls_kind = ENDPOINT_SPOT;
    c->http.endpoint_name = "Spot";
    c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : SPOT_DEFAULT_ATTEMPTS;
    c->log = cfg->log;
    c->log_ctx = cfg->log_ctx;
    return c;
}

void spot_client_free(spot_client *c)
{
    if (!c)
        return;
    free(c->base);
    xfree_secret(c->token);
    free(c->ca_bundle);
    free(c->ca_dir);
    free(c);
}

void spot_client_preconnect(spot_client *c)
{
    preconnect_start(c->base, &c->http);
}

/* A token with a control character would break (or add) header lines. */
static status_t check_token(const spot_client *c, sc_error *err)
{
    if (!c->token || !*c->token)
        return error_set(err, ST_BAD_INPUT,
                         "no Spot API token (--token-file, SPOTINST_TOKEN or "
                         "~/.spotinst/credentials)");
    for (const unsigned char *p = (const unsigned char *)c->token; *p; p++)
        if (*p < 0x21 || *p == 0x7f)
            return error_set(err, ST_BAD_INPUT,
                             "the Spot API token contains spaces or control characters");
    return ST_OK;
}

/* The pause a refusal asks for, 0 when none: Retry-After on a 429 or 503,
 * or the rate limiter's X-RateLimit-Reset on a 429 (Spot sends that header
 * on every answer, so only a 429 makes it a request to wait). The longer
 * wins: Spot restarts its window on a request made too early. */
static double server_hint(const http_response *resp)
{
    double hint = 0;
    if ((resp->status == 429 || resp->status == 503) && resp->retry_after > 0)
        hint = (double)resp->retry_after;
    if (resp->status == 429) {
        double reset = retry_reset_hint(resp->rate_limit_reset, time(NULL));
        if (reset > hint)
            hint = reset;
    }
    return hint;
}

static void log_attempt(const spot_client *c, const spot_call *call, const http_response *resp,
                        const char *request_id, const sc_error *e, int attempt)
{
    if (!c->log)
        return;
    api_call_log entry = {.service = "spot",
                          .action = call->action,
                          .method = call->method,
                          .url = call->url,
                          .http_status = resp->status,
                          .request_id = request_id && *request_id ? request_id : NULL,
                          .seconds = resp->seconds,
                          .attempt = attempt,
                          .transport = resp->transport};
    if (e)
        entry.error_code = e->code[0] ? e->code : status_message(e->status);
    c->log(c->log_ctx, &entry);
}

static status_t attempt_once(spot_client *c, const spot_call *call, int attempt, spot_answer *out,
                             double *hint, sc_error *err)
{
    buf_t auth = BUF_INIT;
    buf_printf(&auth, "Authorization: Bearer %s", c->token);
    const char *headers[] = {auth.data, "Content-Type: application/json",
                             "Accept: application/json", "User-Agent: spot-connect/" SC_VERSION};
    http_request req = {.method = call->method,
                        .url = call->url,
                        .headers = headers,
                        .nheaders = 4,
                        .body = call->body,
                        .body_len = call->body ? strlen(call->body) : 0,
                        .not_idempotent = call->once_hint != NULL};
    http_response resp;
    status_t st = http_perform(&c->http, &req, &resp, err);
    OPENSSL_cleanse(auth.data, auth.cap);
    buf_free(&auth);
    if (st == ST_OK)
        st = spot_answer_parse(resp.status, resp.body.data, resp.body.len, c->token, out, err);
    *hint = server_hint(&resp);
    log_attempt(c, call, &resp, st == ST_OK ? out->request_id : err->request_id,
                st == ST_OK ? NULL : err, attempt);
    http_response_free(&resp);
    return st;
}

/* Whether the failure leaves room for another attempt. A once-only call is
 * repeated only when it surely did not reach Spot or Spot refused it
 * before doing anything (429 throttling, 503 unavailable). */
static int may_retry(const sc_error *e, int once)
{
    switch (e->status) {
    case ST_NET_CONNECT:
        return 1;
    case ST_NET_IO:
    case ST_TIMEOUT:
    case ST_PARSE:
        return !once;
    case ST_SPOT:
        if (e->http_status == 429 || e->http_status == 503)
            return 1;
        if (e->http_status == 500 || e->http_status == 502 || e->http_status == 504)
            return !once;
        return 0;
    default:
        return 0;
    }
}

/* Says why a once-only call that may have arrived was not repeated. */
static void note_not_repeated(const spot_call *call, sc_error *err)
{
    if (!call->once_hint || !may_retry(err, 0) || may_retry(err, 1))
        return;
    size_t n = strlen(err->message);
    snprintf(err->message + n, sizeof err->message - n, " (not repeated: %s)", call->once_hint);
}

/* Runs the call with retries. On return err->attempts holds the number of
 * attempts, success included, so callers can report it. */
static status_t spot_do(spot_client *c, const spot_call *call, spot_answer *out, sc_error *err)
{
    error_clear(err);
    memset(out, 0, sizeof *out);
    if (check_token(c, err) != ST_OK)
        return err->status;
    for (int attempt = 1;; attempt++) {
        double hint = 0;
        error_clear(err);
        status_t st = attempt_once(c, call, attempt, out, &hint, err);
        err->attempts = attempt;
        if (st == ST_OK)
            return ST_OK;
        if (!may_retry(err, call->once_hint != NULL)) {
            note_not_repeated(call, err);
            return st;
        }
        retry_policy p = retry_spot;
        p.max_attempts = c->max_attempts;
        if (retry_next(&p, attempt, hint, c->http.cancel, call->action, err) != ST_OK)
            return err->status;
    }
}

/* ---- the calls ---- */

static status_t need_id(const char *id, const char *what, sc_error *err)
{
    if (!id || !*id)
        return error_set(err, ST_BAD_INPUT, "no %s given", what);
    return ST_OK;
}

static void list_from_items(const spot_answer *a, spot_accounts *out)
{
    size_t n = a->items ? a->items->u.array.len : 0;
    out->items = xcalloc(n ? n : 1, sizeof *out->items);
    out->n = 0;
    for (size_t i = 0; i < n; i++)
        /* An item without an id names no account we could use: skip it. */
        if (spot_account_from_json(a->items->u.array.values[i], &out->items[out->n]) == ST_OK)
            out->n++;
}

status_t spot_list_accounts(spot_client *c, const char *cloud_account_id, spot_accounts *out,
                            sc_error *err)
{
    memset(out, 0, sizeof *out);
    buf_t url = BUF_INIT;
    int filtered = cloud_account_id && *cloud_account_id;
    spot_build_url(&url, c->base, "/setup/account", filtered ? "cloudAccountId" : NULL,
                   cloud_account_id);
    spot_call call = {"listAccounts", "GET", url.data, NULL, NULL};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    if (st == ST_OK)
        list_from_items(&a, out);
    spot_answer_free(&a);
    buf_free(&url);
    return st;
}

/* A 200 answer without what the call exists for. */
static status_t answer_lacks(const spot_answer *a, const char *what, sc_error *err)
{
    int attempts = err->attempts;
    error_set(err, ST_PARSE, "%s", what);
    err->http_status = 200;
    err->attempts = attempts;
    snprintf(err->request_id, sizeof err->request_id, "%s", a->request_id);
    return ST_PARSE;
}

const char *spot_account_name_problem(const char *name)
{
    for (const char *s = name; s && *s; s++)
        if (ascii_isalpha((unsigned char)*s))
            return NULL;
    return "a Spot account name needs at least one letter a-z or A-Z";
}

status_t spot_create_account(spot_client *c, const char *name, spot_account *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    error_clear(err);
    const char *problem = spot_account_name_problem(name);
    if (problem)
        return error_set(err, ST_BAD_INPUT, "%s", problem);
    buf_t url = BUF_INIT;
    spot_build_url(&url, c->base, "/setup/account", NULL, NULL);
    char *body = json_nested_pair("account", "name", name);
    spot_call call = {"createAccount", "POST", url.data, body,
                      "it may have reached Spot; list the accounts before creating another"};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    if (st == ST_OK && spot_account_from_json(first_item(&a), out) != ST_OK)
        st = answer_lacks(&a, "the createAccount answer names no account id", err);
    spot_answer_free(&a);
    free(body);
    buf_free(&url);
    return st;
}

status_t spot_delete_account(spot_client *c, const char *account_id, sc_error *err)
{
    error_clear(err);
    if (need_id(account_id, "Spot account id", err) != ST_OK)
        return err->status;
    buf_t path = BUF_INIT, url = BUF_INIT;
    buf_puts(&path, "/setup/account/");
    url_encode(&path, account_id, strlen(account_id), URL_RFC3986);
    spot_build_url(&url, c->base, buf_str(&path), NULL, NULL);
    spot_call call = {"deleteAccount", "DELETE", url.data, NULL, NULL};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    /* A repeat after an attempt that failed ambiguously finds the account
     * gone: that attempt did the work. */
    if (st == ST_SPOT && err->attempts > 1 && strcmp(err->code, "Account_DOESNT_EXIST") == 0) {
        int attempts = err->attempts;
        error_clear(err);
        err->attempts = attempts;
        st = ST_OK;
    }
    spot_answer_free(&a);
    buf_free(&path);
    buf_free(&url);
    return st;
}

status_t spot_generate_external_id(spot_client *c, const char *account_id, char **external_id,
                                   sc_error *err)
{
    return spot_generate_external_id_until(c, account_id, external_id, NULL, err);
}

status_t spot_generate_external_id_until(spot_client *c, const char *account_id, char **external_id,
                                         char **max_valid_until, sc_error *err)
{
    *external_id = NULL;
    if (max_valid_until)
        *max_valid_until = NULL;
    error_clear(err);
    if (need_id(account_id, "Spot account id", err) != ST_OK)
        return err->status;
    buf_t url = BUF_INIT;
    spot_build_url(&url, c->base, "/setup/credentials/aws/externalId", "accountId", account_id);
    spot_call call = {"generateExternalId", "POST", url.data, NULL,
                      "it may have reached Spot, and each call makes a new external ID"};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    if (st == ST_OK) {
        *external_id = spot_json_text(first_item(&a), "externalId");
        if (!*external_id || !**external_id) {
            free(*external_id);
            *external_id = NULL;
            st = answer_lacks(&a, "the generateExternalId answer has no externalId", err);
        } else if (max_valid_until) {
            *max_valid_until = spot_json_text(first_item(&a), "maxValidUntil");
        }
    }
    spot_answer_free(&a);
    buf_free(&url);
    return st;
}

status_t spot_set_credentials(spot_client *c, const char *account_id, const char *role_arn,
                              sc_error *err)
{
    error_clear(err);
    if (need_id(account_id, "Spot account id", err) != ST_OK ||
        need_id(role_arn, "role ARN", err) != ST_OK)
        return err->status;
    buf_t url = BUF_INIT;
    spot_build_url(&url, c->base, "/setup/credentials/aws", "accountId", account_id);
    char *body = json_nested_pair("credentials", "iamRole", role_arn);
    spot_call call = {"setCredentials", "POST", url.data, body, NULL};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    spot_answer_free(&a);
    free(body);
    buf_free(&url);
    return st;
}

status_t spot_read_credentials(spot_client *c, const char *account_id, char **role_arn,
                               sc_error *err)
{
    *role_arn = NULL;
    error_clear(err);
    if (need_id(account_id, "Spot account id", err) != ST_OK)
        return err->status;
    buf_t url = BUF_INIT;
    spot_build_url(&url, c->base, "/setup/credentials/aws", "accountId", account_id);
    spot_call call = {"readCredentials", "GET", url.data, NULL, NULL};
    spot_answer a;
    status_t st = spot_do(c, &call, &a, err);
    if (st == ST_OK) {
        *role_arn = spot_json_text(first_item(&a), "iamRole");
        if (*role_arn && !**role_arn) {
            free(*role_arn);
            *role_arn = NULL;
        }
    }
    spot_answer_free(&a);
    buf_free(&url);
    return st;
}

void spot_account_free(spot_account *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->name);
    free(a->organization_id);
    free(a->provider_external_id);
    free(a->cloud_provider);
    memset(a, 0, sizeof *a);
}

void spot_accounts_free(spot_accounts *as)
{
    if (!as)
        return;
    for (size_t i = 0; i < as->n; i++)
        spot_account_free(&as->items[i]);
    free(as->items);
    memset(as, 0, sizeof *as);
}
