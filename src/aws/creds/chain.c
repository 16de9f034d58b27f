#include "aws/creds/chain.h"

#include <stdio.h>
#include <string.h>

#include "aws/creds/creds_internal.h"
#include "util/buf.h"

/* Returns from the calling function when a step failed or found a source. */
#define CHAIN_TRY(expr)                                                                            \
    do {                                                                                           \
        status_t st_ = (expr);                                                                     \
        if (st_ != ST_OK || *out)                                                                  \
            return st_;                                                                            \
    } while (0)

status_t creds_profile_providers(const creds_ctx *c, const char *profile, int use_env,
                                 creds_provider **out, sc_error *err)
{
    *out = NULL;
    CHAIN_TRY(creds_try_web_identity(c, profile, use_env, out, err));
    CHAIN_TRY(creds_try_sso(c, profile, out, err));
    CHAIN_TRY(creds_try_shared_file(c, profile, out, err));
    CHAIN_TRY(creds_try_process(c, profile, out, err));
    CHAIN_TRY(creds_try_config_file(c, profile, out, err));
    return ST_OK;
}

static status_t chain_find(const creds_ctx *c, const creds_chain_options *opt, creds_provider **out,
                           char *imds_why, size_t why_len, sc_error *err)
{
    *out = NULL;
    if (!opt->env_disabled)
        CHAIN_TRY(creds_try_env(out, err));
    creds_visit visit = {.names = {opt->profile}, .count = 1};
    CHAIN_TRY(creds_try_assume_role(c, opt->profile, &visit, out, err));
    CHAIN_TRY(creds_profile_providers(c, opt->profile, !opt->env_disabled, out, err));
    CHAIN_TRY(creds_try_container(c, out, err));
    CHAIN_TRY(creds_try_imds(c, out, imds_why, why_len, err));
    return ST_OK;
}

/* ST_NO_CREDENTIALS: what was looked at, and the usual ways out. */
static status_t chain_none(const creds_chain_options *opt, const char *imds_why, sc_error *err)
{
    const profile_files *pf = opt->profiles;
    buf_t b = BUF_INIT;
    buf_printf(&b, "tried: environment variables (%s); ",
               opt->env_disabled ? "skipped because of --profile" : "AWS_ACCESS_KEY_ID not set");
    if (profile_exists(pf, opt->profile))
        buf_printf(&b, "profile \"%s\" (it has no credentials); ", opt->profile);
    else
        buf_printf(&b, "profile \"%s\" (not in %s or %s); ", opt->profile, profile_config_path(pf),
                   profile_credentials_path(pf));
    buf_printf(&b, "container credentials (not configured); EC2 instance metadata (%s). ",
               imds_why);
    buf_puts(&b, "Run `aws configure`, set AWS_PROFILE to a profile that has credentials, or "
                 "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
    error_set(err, ST_NO_CREDENTIALS, "no AWS credentials found; %s", buf_str(&b));
    buf_free(&b);
    return ST_NO_CREDENTIALS;
}

status_t creds_chain_resolve(const creds_chain_options *opt, creds_provider **out, sc_error *err)
{
    creds_ctx c = {.pf = opt->profiles,
                   .profile = opt->profile,
                   .sts = opt->sts,
                   .mfa_prompt = opt->mfa_prompt,
                   .mfa_ctx = opt->mfa_ctx};
    char imds_why[160] = "not tried";
    creds_provider *p = NULL;
    *out = NULL;
    status_t st = opt->instance_role_only ? creds_try_imds(&c, &p, imds_why, sizeof imds_why, err)
                                          : chain_find(&c, opt, &p, imds_why, sizeof imds_why, err);
    if (st != ST_OK)
        return st;
    if (!p && opt->instance_role_only)
        return error_set(err, ST_NO_CREDENTIALS, "no EC2 instance role: instance metadata %s",
                         imds_why);
    if (!p)
        return chain_none(opt, imds_why, err);
    const aws_credentials *creds;
    st = creds_provider_get(p, &creds, err);
    if (st != ST_OK) {
        creds_provider_free(p);
        return st;
    }
    *out = p;
    return ST_OK;
}
