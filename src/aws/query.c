#include "aws/query.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client_internal.h"
#include "aws/sigv4.h"
#include "net/endpoint.h"
#include "net/http.h"
#include "util/retry.h"
#include "util/timeutil.h"
#include "util/url.h"

#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
/* IAM and STS answers are a few KiB (a policy version at most ~400 KiB
 * URL-encoded); more is not an answer, and expat would expand it. */
#define QUERY_MAX_BODY ((size_t)2 * 1024 * 1024)

void query_init(query_params *q, aws_service svc, const char *action)
{
    buf_init_secret(&q->body); /* may hold a web identity token or an MFA code */
    buf_puts(&q->body, "Action=");
    url_encode(&q->body, action, strlen(action), URL_FORM);
    buf_puts(&q->body, svc == AWS_IAM ? "&Version=2010-05-08" : "&Version=2011-06-15");
}

void query_add(query_params *q, const char *name, const char *value)
{
    buf_putc(&q->body, '&');
    url_encode(&q->body, name, strlen(name), URL_FORM);
    buf_putc(&q->body, '=');
    url_encode(&q->body, value, strlen(value), URL_FORM);
}

void query_add_int(query_params *q, const char *name, long value)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", value);
    query_add(q, name, num);
}

void query_free(query_params *q)
{
    if (q->body.data)
        OPENSSL_cleanse(q->body.data, q->body.cap);
    buf_free(&q->body);
}

void query_result_free(query_result *r)
{
    xml_free(r->root);
    memset(r, 0, sizeof *r);
}

const char *query_text(const query_result *r, const char *path)
{
    return xml_text(r->result, path);
}

/* Header lines for one attempt; the date is taken now so each retry is
 * signed afresh. Returns the number of lines written to lines/storage. */
typedef struct signed_request {
    char host[272]; /* endpoint_url.authority */
    char date[17];
    buf_t lines[5];
    const char *ptrs[5];
    size_t n;
} signed_request;

static void add_line(signed_request *s, const char *name, const char *value)
{
    buf_init(&s->lines[s->n]);
    buf_printf(&s->lines[s->n], "%s: %s", name, value);
    s->ptrs[s->n] = s->lines[s->n].data;
    s->n++;
}

static void signed_request_free(signed_request *s)
{
    for (size_t i = 0; i < s->n; i++) {
        OPENSSL_cleanse(s->lines[i].data, s->lines[i].len);
        buf_free(&s->lines[i]);
    }
    s->n = 0;
}

static status_t sign_request(const aws_endpoint *ep, const aws_credentials *creds,
                             const buf_t *body, signed_request *s, sc_error *err)
{
    endpoint_url u;
    if (endpoint_parse(ep->url, "the endpoint URL", &u, err) != ST_OK)
        return err->status;
    const char *path = u.path, *query = u.query;
    snprintf(s->host, sizeof s->host, "%s", u.authority);
    sigv4_amz_date(time(NULL), s->date);
    add_line(s, "Host", s->host);
    add_line(s, "Content-Type", CONTENT_TYPE);
    if (!creds)
        return ST_OK;
    add_line(s, "X-Amz-Date", s->date);
    sigv4_header hs[4] = {
        {"Host", s->host}, {"Content-Type", CONTENT_TYPE}, {"X-Amz-Date", s->date}};
    size_t nh = 3;
    if (creds->session_token) {
        hs[nh++] = (sigv4_header){"X-Amz-Security-Token", creds->session_token};
        add_line(s, "X-Amz-Security-Token", creds->session_token);
    }
    sigv4_input in = {
        "POST",           path,   query, hs, nh, body->data, body->len, ep->signing_region,
        ep->service_name, s->date};
    sigv4_output out;
    if (sigv4_sign(&in, creds, &out) != 0)
        return error_set(err, ST_CREDENTIALS, "cannot sign the request: incomplete credentials");
    add_line(s, "Authorization", out.authorization);
    sigv4_output_free(&out);
    return ST_OK;
}

static void parse_error_body(const http_response *resp, sc_error *err)
{
    xml_node *root = NULL;
    sc_error ignored;
    err->http_status = resp->status;
    snprintf(err->request_id, sizeof err->request_id, "%s", resp->request_id);
    if (xml_parse(resp->body.data, resp->body.len, &root, &ignored) != ST_OK) {
        error_set(err, ST_HTTP, "HTTP %ld with a non-XML answer", resp->status);
        return;
    }
    const xml_node *e = xml_find(root, "Error");
    const char *code = xml_text(e, "Code");
    const char *msg = xml_text(e, "Message");
    const xml_node *rid = xml_find(root, "RequestId");
    if (rid && *rid->text)
        snprintf(err->request_id, sizeof err->request_id, "%s", rid->text);
    if (code && *code) {
        snprintf(err->code, sizeof err->code, "%s", code);
        error_set(err, ST_AWS, "%s", msg && *msg ? msg : code);
    } else {
        error_set(err, ST_HTTP, "HTTP %ld with no error code", resp->status);
    }
    xml_free(root);
}

static status_t parse_success(const http_response *resp, const char *action, query_result *out,
                              sc_error *err)
{
    if (xml_parse(resp->body.data, resp->body.len, &out->root, err) != ST_OK) {
        err->http_status = resp->status;
        error_prefix(err, "%s answer", action);
        return ST_PARSE;
    }
    char name[128];
    snprintf(name, sizeof name, "%sResult", action);
    out->result = xml_child(out->root, name);
    const char *rid = xml_text(out->root, "ResponseMetadata/RequestId");
    snprintf(out->request_id, sizeof out->request_id, "%s", rid ? rid : resp->request_id);
    return ST_OK;
}

static int is_throttle(const char *code)
{
    static const char *const codes[] = {"Throttling",
                                        "ThrottlingException",
                                        "RequestLimitExceeded",
                                        "TooManyRequestsException",
                                        "RequestThrottled",
                                        "SlowDown",
                                        "PriorRequestNotComplete"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(code, codes[i]) == 0)
            return 1;
    return 0;
}

/* Whether another attempt may be made after this failure. A call that may
 * have been processed is repeated only when repeating cannot duplicate. */
static int may_retry(const sc_error *e, query_retry retry)
{
    int processed_maybe = retry == QUERY_NOT_IDEMPOTENT;
    switch (e->status) {
    case ST_NET_CONNECT:
        return 1;
    case ST_NET_IO:
    case ST_TIMEOUT:
    case ST_PARSE:
        return !processed_maybe;
    case ST_AWS:
    case ST_HTTP:
        if (is_throttle(e->code) || e->http_status == 503 || e->http_status == 429)
            return 1;
        if (strcmp(e->code, "ServiceUnavailable") == 0 || strcmp(e->code, "RequestTimeout") == 0)
            return 1;
        return e->http_status >= 500 && !processed_maybe;
    default:
        return 0;
    }
}

/* The pause a refusal asks for (Retry-After on a 429 or 503), 0 when none. */
static double server_hint(const http_response *resp)
{
    int refused = resp->status == 429 || resp->status == 503;
    return refused && resp->retry_after > 0 ? (double)resp->retry_after : 0;
}

/* Throttles back off from 1 s, other failures from 50 ms (botocore). */
static retry_policy policy_for(const aws_client *c, const sc_error *e)
{
    retry_policy p = is_throttle(e->code) ? retry_aws_throttled : retry_aws;
    p.max_attempts = aws_client_max_attempts(c);
    return p;
}

static void log_attempt(const aws_client *c, const aws_endpoint *ep, const char *action,
                        const http_response *resp, const sc_error *e, int attempt)
{
    api_call_log entry = {.service = ep->service_name,
                          .action = action,
                          .method = "POST",
                          .url = ep->url,
                          .http_status = resp->status,
                          .request_id = resp->request_id[0] ? resp->request_id : NULL,
                          .seconds = resp->seconds,
                          .attempt = attempt,
                          .transport = resp->transport};
    if (e && e->status != ST_OK)
        entry.error_code = e->code[0] ? e->code : status_message(e->status);
    aws_client_log(c, &entry);
}

static status_t attempt_once(aws_client *c, const aws_endpoint *ep, const char *action,
                             query_params *q, int sign, query_retry retry, int attempt,
                             double *hint, query_result *out, sc_error *err)
{
    const aws_credentials *creds = NULL;
    creds_provider *p = aws_client_creds(c);
    if (sign) {
        if (!p)
            return error_set(err, ST_NO_CREDENTIALS, "no credentials for %s", action);
        if (creds_provider_get(p, &creds, err) != ST_OK)
            return err->status;
    }
    signed_request s = {0};
    http_response resp = {0};
    status_t st = sign_request(ep, creds, &q->body, &s, err);
    if (st == ST_OK) {
        http_request req = {.method = "POST",
                            .url = ep->url,
                            .headers = s.ptrs,
                            .nheaders = s.n,
                            .body = q->body.data,
                            .body_len = q->body.len,
                            .not_idempotent = retry == QUERY_NOT_IDEMPOTENT};
        http_options o = aws_client_get_config(c)->http;
        o.max_body = QUERY_MAX_BODY;
        o.endpoint_name = strcmp(ep->service_name, "sts") == 0 ? "AWS STS" : "AWS IAM";
        st = http_perform(&o, &req, &resp, err);
    }
    signed_request_free(&s);
    if (st == ST_OK && resp.status >= 200 && resp.status < 300)
        st = parse_success(&resp, action, out, err);
    else if (st == ST_OK) {
        parse_error_body(&resp, err);
        st = err->status;
    }
    *hint = server_hint(&resp);
    log_attempt(c, ep, action, &resp, st == ST_OK ? NULL : err, attempt);
    http_response_free(&resp);
    return st;
}

/* An expired session token is worth one refresh of the credentials. */
static int refresh_expired(aws_client *c, const sc_error *e, int *refreshed)
{
    creds_provider *p = aws_client_creds(c);
    if (*refreshed || !p || e->status != ST_AWS)
        return 0;
    if (strcmp(e->code, "ExpiredToken") != 0 && strcmp(e->code, "ExpiredTokenException") != 0)
        return 0;
    *refreshed = 1;
    p->loaded = 0;
    return 1;
}

status_t query_call(aws_client *c, aws_service svc, const char *action, query_params *q,
                    query_retry retry, int sign, query_result *out, sc_error *err)
{
    aws_endpoint ep;
    aws_client_endpoint(c, svc, &ep);
    memset(out, 0, sizeof *out);
    int refreshed = 0;
    for (int attempt = 1;; attempt++) {
        double hint = 0;
        error_clear(err);
        status_t st = attempt_once(c, &ep, action, q, sign, retry, attempt, &hint, out, err);
        if (st == ST_OK) {
            out->retried = attempt > 1;
            return ST_OK;
        }
        err->attempts = attempt;
        query_result_free(out);
        if (refresh_expired(c, err, &refreshed))
            continue;
        if (!may_retry(err, retry))
            return st;
        retry_policy p = policy_for(c, err);
        if (retry_next(&p, attempt, hint, aws_client_get_config(c)->http.cancel, action, err) !=
            ST_OK)
            return err->status;
    }
}
