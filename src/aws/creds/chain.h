/* The credential provider chain, in the AWS CLI v2 (botocore) order:
 *   1. environment keys (skipped when the profile came from --profile);
 *   2. assume-role profile (role_arn + source_profile / credential_source);
 *   3. web identity (profile or AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN);
 *   4. IAM Identity Center (SSO) profiles: the token `aws sso login` cached,
 *      refreshed when it can be, then the portal's role credentials;
 *   5. static keys in the shared credentials file;
 *   6. credential_process;
 *   7. static keys in the config file;
 *   8. container credentials (ECS / EKS Pod Identity);
 *   9. EC2 instance metadata (IMDSv2, then v1 unless disabled).
 * The first source that is configured wins; if it then fails, the chain
 * fails (it does not fall through), as botocore does. */
#ifndef SC_CREDS_CHAIN_H
#define SC_CREDS_CHAIN_H

#include "aws/client.h"
#include "aws/creds/provider.h"
#include "aws/profile.h"
#include "aws/session.h"
#include "util/error.h"

typedef struct creds_chain_options {
    const profile_files *profiles; /* read during the call only */
    const char *profile;           /* profile in effect, "default" when none was chosen */
    int env_disabled;              /* 1 when the profile was given with --profile */
    /* Region, endpoints, transport (CA bundle, timeouts) and log for the STS
     * calls of assume-role and web identity; its creds field is ignored. */
    const aws_client_config *sts;
    mfa_prompt_fn mfa_prompt; /* NULL: MFA profiles fail with ST_MISSING_ANSWER */
    void *mfa_ctx;
    int instance_role_only; /* the operator chose the EC2 instance role: nothing else */
} creds_chain_options;

/* Finds the provider and loads it once. ST_NO_CREDENTIALS when no source is
 * configured (the message lists what was tried and how to fix it); the
 * failing source's error otherwise. Messages never hold a secret. */
status_t creds_chain_resolve(const creds_chain_options *opt, creds_provider **out, sc_error *err);

#endif
