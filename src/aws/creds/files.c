/* Static keys from the shared credentials file ("shared-credentials-file")
 * or the config file ("config-file"). */
#include <stdio.h>
#include <string.h>

#include "aws/creds/creds_internal.h"
#include "util/xalloc.h"

/* botocore's SharedCredentialProvider / ConfigProvider: present as soon as
 * aws_access_key_id is there; a missing secret is then an error. */
static status_t files_static(const creds_ctx *c, profile_source src, const char *profile,
                             const char *method, creds_provider **out, sc_error *err)
{
    *out = NULL;
    const char *akid = profile_get_in(c->pf, src, profile, "aws_access_key_id");
    if (!akid)
        return ST_OK;
    const char *path =
        src == PROFILE_CONFIG ? profile_config_path(c->pf) : profile_credentials_path(c->pf);
    const char *secret = profile_get_in(c->pf, src, profile, "aws_secret_access_key");
    if (!secret)
        return error_set(err, ST_CREDENTIALS,
                         "profile \"%s\" in %s has aws_access_key_id but no "
                         "aws_secret_access_key",
                         profile, path);
    if (!*akid || !*secret)
        return error_set(err, ST_CREDENTIALS,
                         "profile \"%s\" in %s has an empty aws_access_key_id or "
                         "aws_secret_access_key",
                         profile, path);
    aws_credentials k;
    memset(&k, 0, sizeof k);
    k.access_key_id = (char *)akid;
    k.secret_access_key = (char *)secret;
    /* The legacy name first, as botocore. */
    k.session_token = (char *)profile_get_in(c->pf, src, profile, "aws_security_token");
    if (!k.session_token)
        k.session_token = (char *)profile_get_in(c->pf, src, profile, "aws_session_token");
    k.account_id = (char *)profile_get_in(c->pf, src, profile, "aws_account_id");
    *out = creds_provider_static(&k, method);
    snprintf((*out)->profile, sizeof(*out)->profile, "%s", profile);
    return ST_OK;
}

status_t creds_try_shared_file(const creds_ctx *c, const char *profile, creds_provider **out,
                               sc_error *err)
{
    return files_static(c, PROFILE_CREDENTIALS, profile, "shared-credentials-file", out, err);
}

status_t creds_try_config_file(const creds_ctx *c, const char *profile, creds_provider **out,
                               sc_error *err)
{
    return files_static(c, PROFILE_CONFIG, profile, "config-file", out, err);
}
