/* AWS STS calls over the Query API. */
#ifndef SC_STS_H
#define SC_STS_H

#include "aws/client.h"
#include "aws/credentials.h"
#include "util/error.h"

typedef struct sts_identity {
    char *account;
    char *arn;
    char *user_id;
} sts_identity;

typedef struct sts_assume_role_params {
    const char *role_arn;
    const char *session_name;
    const char *external_id;   /* NULL = none */
    const char *serial_number; /* MFA device; NULL = none */
    const char *token_code;    /* MFA code, with serial_number */
    int duration_seconds;      /* 0 = STS default */
} sts_assume_role_params;

status_t sts_get_caller_identity(aws_client *c, sts_identity *out, sc_error *err);
void sts_identity_free(sts_identity *id);

/* Signed with the client's credentials; fills out with the temporary keys
 * (expiration set) and, when assumed_arn is not NULL, the assumed-role ARN. */
status_t sts_assume_role(aws_client *c, const sts_assume_role_params *p, aws_credentials *out,
                         char **assumed_arn, sc_error *err);

/* Sent unsigned, as the SDKs do; the client needs no credentials. */
status_t sts_assume_role_with_web_identity(aws_client *c, const char *role_arn,
                                           const char *session_name, const char *web_token,
                                           int duration_seconds, aws_credentials *out,
                                           sc_error *err);

#endif
