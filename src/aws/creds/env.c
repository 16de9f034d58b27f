/* Credentials from the environment (botocore's EnvProvider, method "env").
 * Read again on every load, so a refreshed AWS_CREDENTIAL_EXPIRATION (and
 * the keys with it) is picked up. */
#include "util/env.h"
#include "aws/creds/creds_internal.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static char *env_dup(const char *name)
{
    const char *v = env_get(name);
    return v ? xstrdup(v) : NULL;
}

static status_t env_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    (void)self;
    if (!env_get("AWS_ACCESS_KEY_ID"))
        return error_set(err, ST_CREDENTIALS, "AWS_ACCESS_KEY_ID is no longer set");
    if (!env_get("AWS_SECRET_ACCESS_KEY"))
        return error_set(err, ST_CREDENTIALS,
                         "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both "
                         "(or unset AWS_ACCESS_KEY_ID to use a profile)");
    const char *when = env_get("AWS_CREDENTIAL_EXPIRATION");
    time_t expiration = 0;
    if (when && time_parse_iso8601(when, &expiration) < 0)
        return error_set(err, ST_CREDENTIALS,
                         "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time such as "
                         "2026-11-26T12:00:00Z");
    out->access_key_id = env_dup("AWS_ACCESS_KEY_ID");
    out->secret_access_key = env_dup("AWS_SECRET_ACCESS_KEY");
    /* botocore looks at the legacy name first. */
    out->session_token = env_dup("AWS_SECURITY_TOKEN");
    if (!out->session_token)
        out->session_token = env_dup("AWS_SESSION_TOKEN");
    out->expiration = expiration;
    out->account_id = env_dup("AWS_ACCOUNT_ID");
    return ST_OK;
}

status_t creds_try_env(creds_provider **out, sc_error *err)
{
    (void)err;
    *out = NULL;
    if (env_get("AWS_ACCESS_KEY_ID"))
        *out = creds_provider_alloc(sizeof(creds_provider), "env", NULL, env_load, NULL);
    return ST_OK;
}
