/* The preflight: before a role is handed to Spot, check in IAM what Spot
 * will check (the role exists, trusts Spot with the current External ID,
 * carries the Spot policy), so a typo fails at once with its fix instead of
 * looking like IAM propagation for minutes. */
#ifndef SC_PREFLIGHT_H
#define SC_PREFLIGHT_H

#include "aws/client.h"
#include "util/error.h"

typedef struct preflight_want {
    const char *role_arn;      /* the role to hand to Spot */
    const char *external_id;   /* the current External ID */
    const char *principal_arn; /* Spot's: arn:<partition>:iam::<account>:root */
    const char *policy_arn;    /* the policy expected attached; NULL = any attached
                                  customer-managed policy that grants ec2:RunInstances */
    const char *policy_doc;    /* the expected default version of policy_arn; NULL = any */
} preflight_want;

/* What a passing check found. */
typedef struct preflight_found {
    char policy_arn[2100]; /* the attached policy that passed: Spot's, or one granting
                              ec2:RunInstances */
} preflight_found;

/* The err->code of a failed check, so a front end knows which step fixes it. */
#define PREFLIGHT_ROLE_MISSING "RoleMissing"     /* no such role (or another ARN) */
#define PREFLIGHT_TRUST_MISMATCH "TrustMismatch" /* Spot or the External ID not trusted */
#define PREFLIGHT_POLICY_MISSING "PolicyMissing" /* the Spot policy not attached or outdated */

/* ST_OK when the role passes (found, when not NULL, says with what); else
 * ST_BAD_INPUT whose message is the reason and the fix (err->code one of
 * PREFLIGHT_* above), or the IAM error that stopped the check. */
status_t preflight_check(aws_client *aws, const preflight_want *w, preflight_found *found,
                         sc_error *err);

/* The External ID with which trust_doc lets principal_arn call
 * sts:AssumeRole, or NULL (caller frees). */
char *preflight_trusted_external_id(const char *trust_doc, const char *principal_arn);

/* 1 when some statement of trust_doc lets principal_arn call
 * sts:AssumeRole, with or without an External ID. */
int preflight_trusts(const char *trust_doc, const char *principal_arn);

/* 1 when the policy document allows ec2:RunInstances (wildcards included):
 * the action Spot cannot work without. */
int preflight_grants_run_instances(const char *policy_doc);

#endif
