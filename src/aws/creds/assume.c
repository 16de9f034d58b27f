/* Roles: assume-role profiles (botocore's AssumeRoleProvider, method
 * "assume-role") and web identity (AssumeRoleWithWebIdentityProvider,
 * "assume-role-with-web-identity"). The STS calls go to the session's region
 * and endpoints, as botocore's client_creator does. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds/creds_internal.h"
#include "aws/sts.h"
#include "util/env.h"
#include "util/xalloc.h"

/* How many MFA codes one load may ask for after calls that may have used
 * their code. */
#define ROLE_MFA_ASKS 3

typedef struct role_provider {
    creds_provider base;
    creds_provider *source; /* owned; the client borrows it */
    aws_client *client;
    char *role_arn;
    char *session_name;
    char *external_id;
    char *mfa_serial;
    int duration;
    mfa_prompt_fn mfa_prompt;
    void *mfa_ctx;
} role_provider;

typedef struct role_config {
    const char *role_arn;
    const char *source_profile;
    const char *credential_source;
    int duration;
} role_config;

static char *role_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void role_default_session_name(char *out, size_t n)
{
    snprintf(out, n, "spot-connect-%lld", (long long)time(NULL));
}

static aws_client *role_client(const creds_ctx *c, creds_provider *creds)
{
    aws_client_config cfg = *c->sts;
    cfg.creds = creds;
    return aws_client_new(&cfg);
}

/* ---- assume-role ---- */

static status_t role_ask_mfa(role_provider *rp, char *code, size_t n, sc_error *err)
{
    if (!rp->mfa_prompt || rp->mfa_prompt(rp->mfa_ctx, rp->mfa_serial, code, n) != 0)
        return error_set(err, ST_MISSING_ANSWER,
                         "profile \"%s\" needs an MFA code for %s and nobody can type it here; "
                         "run interactively or use credentials that need no MFA",
                         rp->base.profile, rp->mfa_serial);
    code[n - 1] = '\0';
    return ST_OK;
}

static status_t role_call(role_provider *rp, const char *code, aws_credentials *out, sc_error *err)
{
    sts_assume_role_params prm = {.role_arn = rp->role_arn,
                                  .session_name = rp->session_name,
                                  .external_id = rp->external_id,
                                  .serial_number = rp->mfa_serial,
                                  .token_code = rp->mfa_serial ? code : NULL,
                                  .duration_seconds = rp->duration};
    char *assumed_arn = NULL;
    status_t st = sts_assume_role(rp->client, &prm, out, &assumed_arn, err);
    if (st != ST_OK)
        error_prefix(err, "assuming %s for profile \"%s\"", rp->role_arn, rp->base.profile);
    else if (!out->account_id && assumed_arn)
        out->account_id = creds_arn_account(assumed_arn);
    free(assumed_arn);
    return st;
}

/* A failure after which the call may have reached STS: its MFA code may be
 * used up, and AWS refuses a code twice. */
static int role_mfa_maybe_used(const sc_error *e)
{
    switch (e->status) {
    case ST_NET_IO:
    case ST_TIMEOUT:
    case ST_PARSE:
        return 1;
    case ST_AWS:
    case ST_HTTP:
        return e->http_status >= 500;
    default:
        return 0;
    }
}

/* After such a failure the operator types a new code; when nobody can, the
 * first failure is reported with why it was not retried. */
static status_t role_ask_again(role_provider *rp, char *code, size_t n, sc_error *err)
{
    sc_error again;
    error_clear(&again);
    if (role_ask_mfa(rp, code, n, &again) == ST_OK)
        return ST_OK;
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    error_set(err, ST_MISSING_ANSWER,
              "%s; not retried, since the MFA code may have been used: run again with a new "
              "code",
              why);
    return err->status;
}

static status_t role_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    role_provider *rp = (role_provider *)self;
    const aws_credentials *src;
    status_t st = creds_provider_get(rp->source, &src, err);
    if (st != ST_OK) {
        error_prefix(err, "source credentials of profile \"%s\"", self->profile);
        return st;
    }
    /* botocore refuses to refresh MFA roles; asking again is kinder to a
     * long interactive session, and a non-interactive one still fails. */
    char code[64] = "";
    if (rp->mfa_serial && (st = role_ask_mfa(rp, code, sizeof code, err)) != ST_OK)
        return st;
    for (int asked = 1;; asked++) {
        st = role_call(rp, code, out, err);
        OPENSSL_cleanse(code, sizeof code);
        if (st == ST_OK || !rp->mfa_serial || !role_mfa_maybe_used(err) || asked >= ROLE_MFA_ASKS)
            return st;
        if ((st = role_ask_again(rp, code, sizeof code, err)) != ST_OK)
            return st;
        error_clear(err);
    }
}

static void role_destroy(creds_provider *self)
{
    role_provider *rp = (role_provider *)self;
    aws_client_free(rp->client);
    creds_provider_free(rp->source);
    free(rp->role_arn);
    free(rp->session_name);
    free(rp->external_id);
    free(rp->mfa_serial);
}

static int role_has_vars(const profile_files *pf, const char *profile)
{
    /* A profile with a web identity token file belongs to that provider. */
    return profile_get(pf, profile, "role_arn") &&
           !profile_get(pf, profile, "web_identity_token_file");
}

static int role_has_static(const profile_files *pf, const char *profile)
{
    return profile_get(pf, profile, "aws_access_key_id") ||
           profile_get(pf, profile, "aws_secret_access_key");
}

static status_t role_read_config(const creds_ctx *c, const char *profile, role_config *rc,
                                 sc_error *err)
{
    rc->role_arn = profile_get(c->pf, profile, "role_arn");
    rc->source_profile = profile_get(c->pf, profile, "source_profile");
    rc->credential_source = profile_get(c->pf, profile, "credential_source");
    rc->duration = 0;
    if (rc->source_profile && rc->credential_source)
        return error_set(err, ST_CONFIG,
                         "profile \"%s\" sets both source_profile and credential_source; keep "
                         "only one",
                         profile);
    if (!rc->source_profile && !rc->credential_source)
        return error_set(err, ST_CONFIG,
                         "profile \"%s\" has role_arn but neither source_profile nor "
                         "credential_source to assume it with",
                         profile);
    const char *d = profile_get(c->pf, profile, "duration_seconds");
    char *end = NULL;
    long v = d ? strtol(d, &end, 10) : 0;
    if (d && (end == d || *end || v <= 0 || v > 43200))
        return error_set(err, ST_CONFIG,
                         "duration_seconds of profile \"%s\" must be a number of seconds "
                         "(900 to 43200)",
                         profile);
    rc->duration = (int)v;
    return ST_OK;
}

static status_t role_from_credential_source(const creds_ctx *c, const char *profile,
                                            const char *source, creds_provider **out, sc_error *err)
{
    char why[160] = "";
    status_t st;
    /* botocore compares these names case-sensitively. */
    if (strcmp(source, "Environment") == 0)
        st = creds_try_env(out, err);
    else if (strcmp(source, "EcsContainer") == 0)
        st = creds_try_container(c, out, err);
    else if (strcmp(source, "Ec2InstanceMetadata") == 0)
        st = creds_try_imds(c, out, why, sizeof why, err);
    else
        return error_set(err, ST_CONFIG,
                         "credential_source \"%s\" of profile \"%s\" is not valid; use "
                         "Environment, EcsContainer or Ec2InstanceMetadata",
                         source, profile);
    if (st == ST_OK && !*out)
        st = error_set(err, ST_CREDENTIALS,
                       "credential_source %s of profile \"%s\" found no credentials%s%s%s", source,
                       profile, why[0] ? " (" : "", why, why[0] ? ")" : "");
    return st;
}

static status_t role_check_loop(const creds_ctx *c, const char *parent, const char *source,
                                const creds_visit *v, sc_error *err)
{
    int seen = 0;
    for (size_t i = 0; i < v->count; i++)
        seen |= strcmp(v->names[i], source) == 0;
    /* A profile may name itself to use its own static keys. */
    if (!seen || (strcmp(parent, source) == 0 && role_has_static(c->pf, source)))
        return ST_OK;
    char path[256] = "";
    for (size_t i = 0; i < v->count; i++)
        snprintf(path + strlen(path), sizeof path - strlen(path), "%s -> ", v->names[i]);
    return error_set(err, ST_CONFIG,
                     "the source_profile links loop (%s%s) and never reach credentials", path,
                     source);
}

static status_t role_build(const creds_ctx *c, const char *profile, creds_visit *v,
                           creds_provider **out, sc_error *err);

static status_t role_from_source_profile(const creds_ctx *c, const char *parent, const char *source,
                                         creds_visit *v, creds_provider **out, sc_error *err)
{
    if (!profile_exists(c->pf, source))
        return error_set(err, ST_CONFIG,
                         "the source_profile \"%s\" of profile \"%s\" is not in %s or %s", source,
                         parent, profile_config_path(c->pf), profile_credentials_path(c->pf));
    status_t st = role_check_loop(c, parent, source, v, err);
    if (st != ST_OK)
        return st;
    if (v->count >= CREDS_MAX_CHAIN)
        return error_set(err, ST_CONFIG, "profile \"%s\": more than %d roles chained", parent,
                         CREDS_MAX_CHAIN);
    v->names[v->count++] = source;
    if (role_has_static(c->pf, source) || !role_has_vars(c->pf, source)) {
        st = creds_profile_providers(c, source, 0, out, err);
        if (st == ST_OK && !*out)
            st = error_set(err, ST_CONFIG,
                           "the source_profile \"%s\" of profile \"%s\" has no credentials", source,
                           parent);
        return st;
    }
    return role_build(c, source, v, out, err);
}

static creds_provider *role_new(const creds_ctx *c, const char *profile, const role_config *rc,
                                creds_provider *source)
{
    role_provider *rp = (role_provider *)creds_provider_alloc(sizeof *rp, "assume-role", profile,
                                                              role_load, role_destroy);
    char name[64];
    role_default_session_name(name, sizeof name);
    const char *sn = profile_get(c->pf, profile, "role_session_name");
    rp->source = source;
    rp->client = role_client(c, source);
    rp->role_arn = xstrdup(rc->role_arn);
    rp->session_name = xstrdup(sn ? sn : name);
    rp->external_id = role_dup(profile_get(c->pf, profile, "external_id"));
    rp->mfa_serial = role_dup(profile_get(c->pf, profile, "mfa_serial"));
    rp->duration = rc->duration;
    rp->mfa_prompt = c->mfa_prompt;
    rp->mfa_ctx = c->mfa_ctx;
    return &rp->base;
}

static status_t role_build(const creds_ctx *c, const char *profile, creds_visit *v,
                           creds_provider **out, sc_error *err)
{
    role_config rc;
    creds_provider *source = NULL;
    status_t st = role_read_config(c, profile, &rc, err);
    if (st == ST_OK && rc.credential_source)
        st = role_from_credential_source(c, profile, rc.credential_source, &source, err);
    else if (st == ST_OK)
        st = role_from_source_profile(c, profile, rc.source_profile, v, &source, err);
    if (st != ST_OK) {
        creds_provider_free(source);
        return st;
    }
    *out = role_new(c, profile, &rc, source);
    return ST_OK;
}

status_t creds_try_assume_role(const creds_ctx *c, const char *profile, creds_visit *v,
                               creds_provider **out, sc_error *err)
{
    *out = NULL;
    if (!role_has_vars(c->pf, profile))
        return ST_OK;
    return role_build(c, profile, v, out, err);
}

/* ---- web identity ---- */

typedef struct webid_provider {
    creds_provider base;
    aws_client *client; /* unsigned calls only */
    char *token_file;
    char *role_arn;
    char *session_name;
} webid_provider;

static status_t webid_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    webid_provider *wp = (webid_provider *)self;
    char *token = NULL;
    /* Read on every refresh: the orchestrator rotates the file. */
    status_t st = creds_read_secret_file(wp->token_file, "web identity token file", &token, err);
    if (st != ST_OK)
        return st;
    size_t n = strlen(token);
    while (n > 0 && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' '))
        token[--n] = '\0';
    if (n == 0)
        st = error_set(err, ST_CREDENTIALS, "web identity token file %s is empty", wp->token_file);
    else
        st = sts_assume_role_with_web_identity(wp->client, wp->role_arn, wp->session_name, token, 0,
                                               out, err);
    if (st != ST_OK && n > 0)
        error_prefix(err, "assuming %s with web identity", wp->role_arn);
    xfree_secret(token);
    return st;
}

static void webid_destroy(creds_provider *self)
{
    webid_provider *wp = (webid_provider *)self;
    aws_client_free(wp->client);
    free(wp->token_file);
    free(wp->role_arn);
    free(wp->session_name);
}

/* botocore takes each setting from its environment variable when set
 * (unless --profile was given), else from the profile. */
static const char *webid_setting(const creds_ctx *c, const char *profile, int use_env,
                                 const char *env, const char *key)
{
    const char *v = use_env ? env_get(env) : NULL;
    return v ? v : profile_get(c->pf, profile, key);
}

status_t creds_try_web_identity(const creds_ctx *c, const char *profile, int use_env,
                                creds_provider **out, sc_error *err)
{
    *out = NULL;
    const char *file = webid_setting(c, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
                                     "web_identity_token_file");
    if (!file || !*file)
        return ST_OK;
    const char *arn = webid_setting(c, profile, use_env, "AWS_ROLE_ARN", "role_arn");
    if (!arn || !*arn)
        return error_set(err, ST_CONFIG,
                         "a web identity token file is configured but no role ARN; set role_arn "
                         "in profile \"%s\" or AWS_ROLE_ARN",
                         profile);
    const char *sn =
        webid_setting(c, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name");
    char name[64];
    role_default_session_name(name, sizeof name);
    webid_provider *wp = (webid_provider *)creds_provider_alloc(
        sizeof *wp, "assume-role-with-web-identity", profile, webid_load, webid_destroy);
    wp->client = role_client(c, NULL);
    wp->token_file = xstrdup(file);
    wp->role_arn = xstrdup(arn);
    wp->session_name = xstrdup(sn ? sn : name);
    *out = &wp->base;
    return ST_OK;
}
