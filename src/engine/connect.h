/* The connection engine: the steps of the console's "Connect AWS Account"
 * wizard as one resumable plan. Every step checks what already exists
 * first, so a re-run never duplicates anything, and the External ID is
 * saved before any AWS change and never generated twice. */
#ifndef SC_CONNECT_H
#define SC_CONNECT_H

#include <stdatomic.h>
#include <stddef.h>

#include "aws/iam.h"
#include "aws/session.h"
#include "engine/answers.h"
#include "engine/journal.h"
#include "engine/state.h"
#include "spot/spot.h"
#include "util/error.h"

typedef enum connect_method {
    CONNECT_AUTOMATIC, /* every step with the operator's AWS credentials */
    CONNECT_MANUAL,    /* the operator made the policy and role; we do the Spot side */
    CONNECT_CONSOLE,   /* no Spot token: External ID from the console, AWS side only */
} connect_method;

#define CONNECT_DEFAULT_ROLE "Spot-Role"
#define CONNECT_DEFAULT_POLICY "Spot-Policy"
#define CONNECT_DEFAULT_WAIT 120.0

typedef struct connect_options {
    connect_method method;
    const char *role_arn;          /* manual */
    const char *external_id;       /* console */
    const char *spot_account;      /* act-...: use this Spot account */
    const char *spot_account_name; /* or find/create one of this name */
    const char *role_name;
    const char *policy_name;
    const char *partition;      /* NULL = the credentials' partition */
    const char *spot_principal; /* required for aws-us-gov and aws-cn */
    const char *const *bundles;
    size_t nbundles;
    const char *policy_file;
    /* Company rules, checked against IAM's rules before any call. A re-run
     * brings the role and policy to these: a boundary or tag given no more
     * is removed when this tool had set it. */
    const char *permissions_boundary; /* the role's; NULL = none */
    const char *iam_path;             /* role and policies; NULL = the saved one, or "/" */
    const iam_tag *tags;              /* on the role and the policies */
    size_t ntags;
    int security_audit;     /* attach SecurityAudit too, as the console does */
    double wait_seconds;    /* how long Spot may take to see the new role */
    int dry_run;            /* plan: read, never write, never generate */
    int fresh;              /* ignore the saved state */
    int rotate_external_id; /* generate a new External ID even when one is known */
    const char *state_path; /* NULL = state_default_path(account) */
    const char *log_path;   /* NULL = beside the state file */
    atomic_int *cancel;     /* set asynchronously to stop between steps */
    state_step stop_after;  /* stop once this step is reached (the wizard's
                               panels run the plan in phases); 0 = run it all */
    int same_run;           /* a later phase of the same wizard run: the saved
                               state is its own, so no "resuming from" */
    answers *answers;       /* IAM's answers kept between runs (the wizard's phases
                               and read-ahead); NULL = this run's own */
    int update;             /* spot-connect update: the saved answers again; never
                               a new External ID or Spot account, and the role is
                               handed to Spot only when Spot does not use it */
} connect_options;

typedef struct connect_hooks {
    /* One line of progress for the operator. */
    void (*progress)(void *ctx, const char *line);
    /* Dry run: a call the real run would make (body may be NULL). */
    void (*planned)(void *ctx, const char *service, const char *call, const char *body);
    void *ctx;
} connect_hooks;

typedef struct connect_result {
    char *aws_account_id;
    char *spot_account_id;
    char *external_id;
    char *role_arn;
    char *policy_arn;
    char **policy_arns; /* every part of a split policy, policy_arn first */
    size_t npolicy_arns;
    char *state_path;
    char *log_path;
    int connected;
    int already_connected; /* Spot had the link already: adopted, nothing changed */
    int preflight_skipped; /* no AWS credentials to check the role with */
    int spot_rehanded;     /* update: Spot did not use the role, so it was handed again */
} connect_result;

/* aws may be NULL only for the manual method; spot must be NULL exactly for
 * the console method. On ST_MISSING_ANSWER (manual without --role-arn) the
 * result still holds the External ID and Spot account to show. */
status_t connect_run(const connect_options *o, const connect_hooks *h, aws_session *aws,
                     spot_client *spot, journal *j, connect_result *out, sc_error *err);
void connect_result_free(connect_result *r);

#endif
