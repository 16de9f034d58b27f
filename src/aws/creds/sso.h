/* IAM Identity Center (SSO) profiles, read as the AWS CLI v2 (botocore)
 * reads them: `sso_session` naming an [sso-session NAME] section, or the
 * older form with sso_start_url and sso_region in the profile, plus
 * sso_account_id and sso_role_name. The credential chain uses the provider
 * (creds_internal.h); this header is for those who only describe a profile
 * (the wizard's login panel) without any network call. */
#ifndef SC_CREDS_SSO_H
#define SC_CREDS_SSO_H

#include <time.h>

#include "aws/profile.h"

/* Where the login a profile needs stands, from the token cache alone. */
typedef enum sso_login {
    SSO_LOGIN_VALID,   /* a cached token that has not expired */
    SSO_LOGIN_REFRESH, /* expired, but its refresh token and registration are usable */
    SSO_LOGIN_EXPIRED, /* expired: `aws sso login` is needed */
    SSO_LOGIN_MISSING, /* no cached token (or an unreadable one) */
} sso_login;

typedef struct sso_profile_info {
    char account_id[32];
    char role_name[128];
    sso_login login;
} sso_profile_info;

/* The name of a token cache file under ~/.aws/sso/cache/: the lower-case
 * hex SHA-1 of the sso-session name, or of the start URL in the older
 * form, and ".json". */
void sso_cache_name(const char *session_or_url, char out[46]);

/* 1 with out filled when the profile is an SSO profile (sso_account_id or
 * sso_role_name set) whose settings are complete; 0 otherwise. Reads the
 * token cache, never the network. */
int sso_profile_describe(const profile_files *pf, const char *profile, time_t now,
                         sso_profile_info *out);

#endif
