/* What IAM and Spot answered, kept for the steps that ask next. The wizard runs the
 * plan in phases and reads ahead while the operator reads a panel; with
 * one store for all of them, Enter on a panel makes only that panel's
 * writes. Answers are keyed by what was asked (role name, policy ARN), and
 * the engine's own writes update them, so a run never reads back what it
 * wrote. A stale answer costs a detour, never a wrong write: a create that
 * finds the name taken reads, and IAM refuses a change to what is gone.
 *
 * Not thread-safe: one thread at a time (the wizard's worker). A store
 * may be NULL everywhere: every read is then a call. */
#ifndef SC_ANSWERS_H
#define SC_ANSWERS_H

#include "aws/iam.h"
#include "aws/sts.h"
#include "spot/spot.h"
#include "util/error.h"

typedef struct answers answers;

answers *answers_new(void);
void answers_free(answers *a);
/* Forgets everything: other credentials, or a run that failed (the world
 * may not be what the store says). */
void answers_clear(answers *a);

/* Reads through the store: the kept answer to the same question (an IAM
 * refusal such as NoSuchEntity included), else the call, whose answer is
 * kept. The outputs are the caller's to free, as with the plain calls. */
status_t answers_identity(answers *a, aws_client *aws, sts_identity *out, sc_error *err);
status_t answers_role_policies(answers *a, aws_client *aws, const char *role,
                               iam_attached_policies *out, sc_error *err);
status_t answers_role(answers *a, aws_client *aws, const char *role, iam_role *out, sc_error *err);
status_t answers_policy(answers *a, aws_client *aws, const char *arn, iam_policy *out,
                        sc_error *err);
/* Spot's accounts, all (cloud_account NULL) or those linked to an AWS account. */
status_t answers_spot_accounts(answers *a, spot_client *spot, const char *cloud_account,
                               spot_accounts *out, sc_error *err);
/* The document of a policy's version. */
status_t answers_policy_version(answers *a, aws_client *aws, const char *arn, const char *version,
                                iam_policy_version *out, sc_error *err);

/* 1 when the store knows the role or policy does not exist (0 also when it
 * does not know). */
int answers_role_missing(const answers *a, const char *role);
int answers_policy_missing(const answers *a, const char *arn);
/* 1 when the store knows the policy exists. */
int answers_policy_known(const answers *a, const char *arn);

/* An identity read elsewhere (the wizard's login check). */
void answers_set_identity(answers *a, const sts_identity *id);
/* The store belongs to the credentials and endpoints whose digest is key:
 * another key empties it first. */
void answers_bind(answers *a, const unsigned char key[32]);

/* What this run wrote. */
/* A Spot account was made or linked: the lists are out of date. */
void answers_spot_changed(answers *a);
void answers_policy_made(answers *a, const iam_policy *p, const char *doc);
void answers_policy_version_made(answers *a, const char *arn, const char *version, const char *doc);
/* A role just made (r as CreateRole answered; trust and boundary as sent,
 * boundary NULL for none): it has no policies attached yet. */
void answers_role_made(answers *a, const char *name, const iam_role *r, const char *trust,
                       const char *boundary);
void answers_trust_set(answers *a, const char *role, const char *trust);
void answers_attached(answers *a, const char *role, const char *policy_arn);
/* Drops what is known of a role or a policy (changed in a way not kept). */
void answers_forget_role(answers *a, const char *role);
void answers_forget_policy(answers *a, const char *arn);

#endif
