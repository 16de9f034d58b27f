/* Internals shared by the engine's step files; not for other modules. */
#ifndef SC_ENGINE_H
#define SC_ENGINE_H

#include "aws/client.h"
#include "aws/iam.h"
#include "aws/iam_tags.h"
#include "aws/partition.h"
#include "doc/policy_split.h"
#include "engine/answers.h"
#include "engine/connect.h"
#include "engine/state.h"

typedef struct engine {
    const connect_options *o;
    const connect_hooks *h;
    aws_client *aws; /* NULL: manual without credentials */
    spot_client *spot;
    journal *j;
    conn_state st;
    const partition_info *part;
    char caller_account[13]; /* "" when unknown */
    char *policy_doc;
    policy_parts parts;         /* policy_doc as the managed policies it is split into */
    answers *ans;               /* IAM's answers: the options' store, or this run's own */
    char *trust_doc;
    int aws_changed;        /* this run changed IAM: Spot may need to wait for it */
    const char *role_name;  /* the role the AWS steps work on: o->role_name, or the
                               one Spot already uses (adopted) */
    char *role_arn;         /* the role to hand to Spot; the state gets it only once
                               Spot has accepted it */
    char principal_arn[64]; /* Spot's principal for the partition; "" when unknown */
    char adopted_role[65];  /* storage for role_name when adopted */
    int linked;             /* the Spot account is linked to this AWS account */
    int preflight;          /* PREFLIGHT_* below */
    int already_connected;  /* adopted an existing link: nothing was changed */
    const char *iam_path;   /* the role's and policies' path: given, saved, or "/" */
    int path_given;         /* iam_path was asked for (option or state), not a default */
    iam_tag_list managed;   /* the tags this tool had set before this run */
    int spot_rehanded;      /* update: the role was handed to Spot again */
} engine;

enum { PREFLIGHT_NONE, PREFLIGHT_PASSED, PREFLIGHT_SKIPPED };

void eng_progress(engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* In a dry run, reports the call and returns 1: the caller must not make it. */
int eng_plan(engine *e, const char *service, const char *call, const char *body);
/* Saves the state and notes the step reached. */
status_t eng_reach(engine *e, state_step step, sc_error *err);
/* Saves the state as it is (before a create whose answer may be lost). */
status_t eng_save(engine *e, sc_error *err);
status_t eng_check_cancel(const engine *e, sc_error *err);
/* A create sent by an earlier run whose answer was lost was ours all the
 * same: now that the item is found, claim it. */
void eng_claim_pending(state_item *it);

/* One of the managed policies the policy is split into, and where the
 * state keeps what this tool did with it (the first: st.policy). */
typedef struct eng_part {
    char *name; /* Spot-Policy, Spot-Policy-2, ... (owned) */
    const char *doc;
    state_item *item;
    int *attached;
    char ***versions;
    size_t *nversions;
} eng_part;

/* parts.c */
/* Part i of e->parts (i < e->parts.n); free with eng_part_free. */
eng_part eng_part_at(engine *e, size_t i);
void eng_part_free(eng_part *p);
/* IAM's limit of managed policies per role, checked before any change:
 * the parts, SecurityAudit and the policies of others on the role. */
status_t eng_check_role_limit(engine *e, sc_error *err);
/* The role's attached policies (read once, then kept with the answers). */
status_t eng_role_policies(engine *e, iam_attached_policies *out, sc_error *err);
/* A policy that shrank: the parts this tool made beyond the ones needed
 * now are detached and deleted (after the new ones are attached). */
status_t eng_drop_surplus_parts(engine *e, sc_error *err);

/* aws_steps.c */
status_t eng_policy(engine *e, sc_error *err);
status_t eng_role(engine *e, sc_error *err);
status_t eng_attach(engine *e, sc_error *err);

/* iam_rules.c: the company rules (boundary, path, tags) */
/* Checks the options against IAM's rules; makes no call. */
status_t eng_rules_check(const connect_options *o, sc_error *err);
/* Once the partition and the state are known: the boundary's partition,
 * the path to use, the tags set before. */
status_t eng_rules_open(engine *e, sc_error *err);
/* What a create call adds (role: 1 for the role, 0 for a policy). */
void eng_rules_extras(const engine *e, int role, iam_extras *x);
/* The plan's line for a create: "CreateRole Path=/p/ Tags=k=v,...". */
char *eng_rules_plan_call(const engine *e, const char *call, int role);
/* Records in the state what a create put on the role or policy. */
void eng_rules_created(engine *e, int role);
/* An existing role: its path checked, its boundary and tags brought to the rules. */
status_t eng_rules_role(engine *e, const iam_role *r, sc_error *err);
/* An existing policy of ours: its tags brought to the rules. */
status_t eng_rules_policy(engine *e, const char *arn, sc_error *err);
/* The policy named name is not at arn: when the state (old, its ARN
 * there) or IAM says it is under another path, says so in one line (IAM
 * cannot move a policy). */
status_t eng_rules_policy_moved(engine *e, const char *old, const char *name, const char *arn,
                                sc_error *err);
void eng_rules_free(engine *e);

/* preflight.c */
/* The role is checked in IAM before Spot gets it (free when this run has
 * just made the role, its trust and its attachments itself). */
status_t eng_preflight(engine *e, sc_error *err);
/* A Spot account already linked to this AWS account, and no External ID
 * saved: find the role Spot uses and the External ID its trust names. */
status_t eng_adopt(engine *e, sc_error *err);

/* spot_steps.c */
status_t eng_spot_account(engine *e, sc_error *err);
status_t eng_external_id(engine *e, sc_error *err);
status_t eng_set_credentials(engine *e, sc_error *err);
status_t eng_verify(engine *e, sc_error *err);
/* update: *in_line when Spot uses the role already (then the connection is
 * verified as it is, with no Spot write). */
status_t eng_spot_in_line(engine *e, int *in_line, sc_error *err);

#endif
