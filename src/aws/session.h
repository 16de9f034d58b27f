/* Everything needed to talk to AWS, resolved the way the AWS CLI does it:
 * profile, region, endpoints, CA bundle and the credential chain. */
#ifndef SC_AWS_SESSION_H
#define SC_AWS_SESSION_H

#include <stdatomic.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/creds/provider.h"
#include "aws/partition.h"
#include "util/error.h"

/* Asks the operator for an MFA code for the device `serial`. Writes a
 * NUL-terminated code into code and returns 0, or returns -1 when nobody can
 * answer (non-interactive use): the session then fails with ST_MISSING_ANSWER. */
typedef int (*mfa_prompt_fn)(void *ctx, const char *serial, char *code, size_t code_len);

typedef struct aws_session_options {
    const char *profile;      /* --profile; NULL = AWS_PROFILE, then "default" */
    const char *region;       /* --region; NULL = AWS_REGION, AWS_DEFAULT_REGION, the profile */
    const char *ca_bundle;    /* --ca-bundle; NULL = net/tls.h's order */
    long connect_timeout_ms;  /* 0 = default */
    long timeout_ms;          /* 0 = default */
    mfa_prompt_fn mfa_prompt; /* NULL = MFA profiles fail with ST_MISSING_ANSWER */
    void *mfa_ctx;
    atomic_int *cancel;          /* when set, calls in flight stop with ST_CANCELLED */
    const aws_credentials *keys; /* use these instead of the chain (typed in) */
    int instance_role;           /* only the EC2 instance role (instance metadata) */
    api_log_fn log;              /* every API call, secret-free */
    void *log_ctx;
} aws_session_options;

typedef struct aws_session {
    char *profile; /* the profile in use, NULL when none was used */
    char *region;  /* resolved; us-east-1 (or the partition default) when none configured */
    const partition_info *partition;
    creds_provider *creds; /* the provider the chain chose, already loaded once */
    aws_client *client;    /* signed with creds; ready for IAM and STS */
    void *priv;            /* owned internals */
} aws_session;

/* Resolves the configuration and the credential chain. On failure err says
 * which source failed and why, never with a secret in it. */
status_t aws_session_open(const aws_session_options *opt, aws_session **out, sc_error *err);
void aws_session_free(aws_session *s);

#endif
