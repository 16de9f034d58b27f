#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/query.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static char *dup_text(const query_result *r, const char *path)
{
    const char *t = query_text(r, path);
    return t ? xstrdup(t) : NULL;
}

static status_t missing(sc_error *err, const char *action, const char *what)
{
    return error_set(err, ST_PARSE, "%s answer has no %s", action, what);
}

status_t sts_get_caller_identity(aws_client *c, sts_identity *out, sc_error *err)
{
    query_params q;
    query_result r;
    memset(out, 0, sizeof *out);
    query_init(&q, AWS_STS, "GetCallerIdentity");
    status_t st = query_call(c, AWS_STS, "GetCallerIdentity", &q, QUERY_IDEMPOTENT, 1, &r, err);
    query_free(&q);
    if (st != ST_OK)
        return st;
    out->account = dup_text(&r, "Account");
    out->arn = dup_text(&r, "Arn");
    out->user_id = dup_text(&r, "UserId");
    query_result_free(&r);
    if (!out->account || !out->arn) {
        sts_identity_free(out);
        return missing(err, "GetCallerIdentity", "Account or Arn");
    }
    return ST_OK;
}

void sts_identity_free(sts_identity *id)
{
    free(id->account);
    free(id->arn);
    free(id->user_id);
    memset(id, 0, sizeof *id);
}

/* Reads <Credentials> from an AssumeRole* result. */
static status_t read_credentials(const query_result *r, const char *action, aws_credentials *out,
                                 sc_error *err)
{
    const char *akid = query_text(r, "Credentials/AccessKeyId");
    const char *secret = query_text(r, "Credentials/SecretAccessKey");
    const char *token = query_text(r, "Credentials/SessionToken");
    const char *exp = query_text(r, "Credentials/Expiration");
    time_t when;
    if (!akid || !secret || !token || !exp || time_parse_iso8601(exp, &when) != 0)
        return missing(err, action, "complete Credentials");
    memset(out, 0, sizeof *out);
    out->access_key_id = xstrdup(akid);
    out->secret_access_key = xstrdup(secret);
    out->session_token = xstrdup(token);
    out->expiration = when;
    return ST_OK;
}

static status_t assume_finish(query_result *r, const char *action, aws_credentials *out,
                              char **assumed_arn, sc_error *err)
{
    status_t st = read_credentials(r, action, out, err);
    if (st == ST_OK && assumed_arn)
        *assumed_arn = dup_text(r, "AssumedRoleUser/Arn");
    query_result_free(r);
    return st;
}

status_t sts_assume_role(aws_client *c, const sts_assume_role_params *p, aws_credentials *out,
                         char **assumed_arn, sc_error *err)
{
    query_params q;
    query_result r;
    query_init(&q, AWS_STS, "AssumeRole");
    query_add(&q, "RoleArn", p->role_arn);
    query_add(&q, "RoleSessionName", p->session_name);
    if (p->external_id)
        query_add(&q, "ExternalId", p->external_id);
    if (p->serial_number && p->token_code) {
        query_add(&q, "SerialNumber", p->serial_number);
        query_add(&q, "TokenCode", p->token_code);
    }
    if (p->duration_seconds > 0)
        query_add_int(&q, "DurationSeconds", p->duration_seconds);
    /* An MFA code is good once: a call that may have arrived is not repeated
     * with it (the caller asks for a new code instead). */
    query_retry retry = p->token_code ? QUERY_NOT_IDEMPOTENT : QUERY_IDEMPOTENT;
    status_t st = query_call(c, AWS_STS, "AssumeRole", &q, retry, 1, &r, err);
    query_free(&q);
    if (st != ST_OK)
        return st;
    return assume_finish(&r, "AssumeRole", out, assumed_arn, err);
}

status_t sts_assume_role_with_web_identity(aws_client *c, const char *role_arn,
                                           const char *session_name, const char *web_token,
                                           int duration_seconds, aws_credentials *out,
                                           sc_error *err)
{
    query_params q;
    query_result r;
    query_init(&q, AWS_STS, "AssumeRoleWithWebIdentity");
    query_add(&q, "RoleArn", role_arn);
    query_add(&q, "RoleSessionName", session_name);
    query_add(&q, "WebIdentityToken", web_token);
    if (duration_seconds > 0)
        query_add_int(&q, "DurationSeconds", duration_seconds);
    status_t st =
        query_call(c, AWS_STS, "AssumeRoleWithWebIdentity", &q, QUERY_IDEMPOTENT, 0, &r, err);
    query_free(&q);
    if (st != ST_OK)
        return st;
    return assume_finish(&r, "AssumeRoleWithWebIdentity", out, NULL, err);
}
