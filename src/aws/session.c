/* Session resolution as the AWS CLI v2 does it: profile, region, endpoint
 * overrides, transport settings, then the credential chain. */
#include "aws/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds/chain.h"
#include "aws/profile.h"
#include "net/endpoint.h"
#include "net/tls.h"
#include "util/ascii.h"
#include "util/env.h"
#include "util/xalloc.h"

typedef struct session_priv {
    aws_client_config cfg; /* its strings are the fields below */
    char *endpoint;
    char *iam_endpoint;
    char *sts_endpoint;
    char *ca_bundle;
    char *ca_dir;
} session_priv;

/* The resolved profile: who chose it decides what it may skip. */
typedef struct session_profile {
    const char *name;
    int from_option; /* --profile: environment keys are skipped */
    int explicit_;   /* --profile, AWS_PROFILE or AWS_DEFAULT_PROFILE: must exist */
} session_profile;

/* One setting: the environment variable when set, else the profile key. */
static const char *session_setting(const profile_files *pf, const char *profile, const char *env,
                                   const char *key)
{
    const char *v = env ? env_get(env) : NULL;
    return v ? v : profile_get(pf, profile, key);
}

static void session_pick_profile(const aws_session_options *opt, session_profile *sp)
{
    sp->from_option = opt->profile && *opt->profile;
    sp->name = sp->from_option ? opt->profile : env_get("AWS_PROFILE");
    if (!sp->name)
        sp->name = env_get("AWS_DEFAULT_PROFILE");
    sp->explicit_ = sp->name != NULL;
    if (!sp->name)
        sp->name = "default";
}

static status_t session_region(const aws_session_options *opt, const profile_files *pf,
                               const char *profile, aws_session *s, sc_error *err)
{
    const char *src = "--region", *r = opt->region && *opt->region ? opt->region : NULL;
    if (!r && (r = env_get("AWS_REGION")))
        src = "AWS_REGION";
    if (!r && (r = env_get("AWS_DEFAULT_REGION")))
        src = "AWS_DEFAULT_REGION";
    if (!r && (r = profile_get(pf, profile, "region")))
        src = "the profile's region";
    if (!r)
        r = "us-east-1";
    if (!partition_region_name_ok(r))
        return error_set(err, ST_CONFIG, "region \"%.64s\" (from %s) is not a valid region name%s",
                         r, src,
                         strpbrk(r, "#;") ? "; AWS config files allow comments only on lines of "
                                            "their own"
                                          : "");
    s->region = xstrdup(r);
    s->partition = partition_for_region(s->region);
    return ST_OK;
}

static status_t session_url(const char *url, const char *what, char **out, sc_error *err)
{
    *out = NULL;
    if (!url)
        return ST_OK;
    status_t st = endpoint_check(url, ENDPOINT_AWS, what, err);
    if (st == ST_OK)
        *out = xstrdup(url);
    return st;
}

/* A service's endpoint: AWS_ENDPOINT_URL_<SVC>, else its block in the
 * profile's [services NAME] section (botocore's order). */
static status_t session_service_url(const profile_files *pf, const char *profile, const char *env,
                                    const char *svc, char **out, sc_error *err)
{
    char from_file[1024];
    const char *url = env_get(env);
    const char *services = profile_get(pf, profile, "services");
    if (!url && services &&
        profile_services_get(pf, services, svc, "endpoint_url", from_file, sizeof from_file) == 0)
        url = from_file;
    return session_url(url, env, out, err);
}

static status_t session_endpoints(const profile_files *pf, const char *profile, session_priv *sp,
                                  sc_error *err)
{
    const char *ignore = session_setting(pf, profile, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                         "ignore_configured_endpoint_urls");
    if (ignore && ascii_strcasecmp(ignore, "true") == 0)
        return ST_OK;
    status_t st =
        session_url(session_setting(pf, profile, "AWS_ENDPOINT_URL", "endpoint_url"),
                    "the endpoint URL (AWS_ENDPOINT_URL, endpoint_url)", &sp->endpoint, err);
    if (st == ST_OK)
        st =
            session_service_url(pf, profile, "AWS_ENDPOINT_URL_IAM", "iam", &sp->iam_endpoint, err);
    if (st == ST_OK)
        st =
            session_service_url(pf, profile, "AWS_ENDPOINT_URL_STS", "sts", &sp->sts_endpoint, err);
    sp->cfg.endpoint_url = sp->endpoint;
    sp->cfg.iam_endpoint_url = sp->iam_endpoint;
    sp->cfg.sts_endpoint_url = sp->sts_endpoint;
    return st;
}

static status_t session_transport(const aws_session_options *opt, const profile_files *pf,
                                  const char *profile, session_priv *sp, sc_error *err)
{
    tls_ca ca = tls_ca_for(ENDPOINT_AWS, opt->ca_bundle, profile_get(pf, profile, "ca_bundle"));
    sp->ca_bundle = ca.file ? xstrdup(ca.file) : NULL;
    sp->ca_dir = ca.dir ? xstrdup(ca.dir) : NULL;
    sp->cfg.http.ca_bundle = sp->ca_bundle;
    sp->cfg.http.ca_dir = sp->ca_dir;
    sp->cfg.http.ca_source = ca.source;
    sp->cfg.http.tls_kind = ENDPOINT_AWS;
    sp->cfg.http.connect_timeout_ms = opt->connect_timeout_ms;
    sp->cfg.http.timeout_ms = opt->timeout_ms;
    sp->cfg.http.cancel = opt->cancel;
    const char *ma = session_setting(pf, profile, "AWS_MAX_ATTEMPTS", "max_attempts");
    char *end = NULL;
    long n = ma ? strtol(ma, &end, 10) : 0;
    if (ma && (end == ma || *end || n < 1 || n > 100))
        return error_set(err, ST_CONFIG,
                         "max_attempts (AWS_MAX_ATTEMPTS) must be a whole number from 1 to 100, "
                         "not \"%.32s\"",
                         ma);
    sp->cfg.max_attempts = (int)n;
    sp->cfg.log = opt->log;
    sp->cfg.log_ctx = opt->log_ctx;
    return ST_OK;
}

static status_t session_config(const aws_session_options *opt, const profile_files *pf,
                               const session_profile *who, aws_session *s, sc_error *err)
{
    session_priv *sp = s->priv;
    if (who->explicit_ && !profile_exists(pf, who->name))
        return error_set(err, ST_CONFIG, "profile %s not found in %s or %s", who->name,
                         profile_config_path(pf), profile_credentials_path(pf));
    if (profile_exists(pf, who->name))
        s->profile = xstrdup(who->name);
    status_t st = session_region(opt, pf, who->name, s, err);
    if (st == ST_OK)
        st = session_endpoints(pf, who->name, sp, err);
    if (st == ST_OK)
        st = session_transport(opt, pf, who->name, sp, err);
    sp->cfg.region = s->region;
    return st;
}

static status_t session_setup(const aws_session_options *opt, aws_session *s, sc_error *err)
{
    session_priv *sp = s->priv;
    session_profile who;
    session_pick_profile(opt, &who);
    profile_files *pf = NULL;
    status_t st = profile_files_load(&pf, err);
    if (st == ST_OK)
        st = session_config(opt, pf, &who, s, err);
    if (st == ST_OK && opt->keys) {
        /* Keys typed into the wizard: no chain, and nothing is saved. */
        s->creds = creds_provider_static(opt->keys, "typed-keys");
    } else if (st == ST_OK) {
        creds_chain_options co = {
            pf,           who.name,          who.from_option, &sp->cfg, opt->mfa_prompt,
            opt->mfa_ctx, opt->instance_role};
        st = creds_chain_resolve(&co, &s->creds, err);
    }
    /* The files hold secrets; the providers kept what they need. */
    profile_files_free(pf);
    if (st != ST_OK)
        return st;
    aws_client_config cfg = sp->cfg;
    cfg.creds = s->creds;
    s->client = aws_client_new(&cfg);
    return ST_OK;
}

status_t aws_session_open(const aws_session_options *opt, aws_session **out, sc_error *err)
{
    static const aws_session_options none;
    aws_session *s = xcalloc(1, sizeof *s);
    s->priv = xcalloc(1, sizeof(session_priv));
    status_t st = session_setup(opt ? opt : &none, s, err);
    if (st != ST_OK) {
        aws_session_free(s);
        s = NULL;
    }
    *out = s;
    return st;
}

void aws_session_free(aws_session *s)
{
    if (!s)
        return;
    if (s->client)
        aws_client_free(s->client);
    creds_provider_free(s->creds);
    session_priv *sp = s->priv;
    if (sp) {
        free(sp->endpoint);
        free(sp->iam_endpoint);
        free(sp->sts_endpoint);
        free(sp->ca_bundle);
        free(sp->ca_dir);
        free(sp);
    }
    free(s->profile);
    free(s->region);
    free(s);
}
