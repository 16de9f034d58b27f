/* The state of one connection, kept in a JSON file so that any run can be
 * interrupted and resumed: what exists, what this tool created, and the
 * External ID, which must never be generated twice. No secrets. */
#ifndef SC_STATE_H
#define SC_STATE_H

#include <stddef.h>

#include "aws/iam.h"
#include "util/error.h"

typedef enum state_step {
    STEP_START = 0,
    STEP_IDENTITY, /* the AWS account is known */
    STEP_SPOT_ACCOUNT,
    STEP_EXTERNAL_ID, /* saved before any AWS change */
    STEP_POLICY,
    STEP_ROLE,
    STEP_ATTACHED,
    STEP_CREDENTIALS, /* Spot accepted the role */
    STEP_VERIFIED,
    STEP__COUNT
} state_step;

/* Something this tool may create: a create that was sent but whose answer
 * was lost is "pending", so a re-run that finds it can claim it. */
typedef struct state_item {
    char *name;
    char *arn;   /* or Spot account ID */
    int created; /* by this tool */
    int pending; /* a create was sent, outcome unknown */
} state_item;

/* A managed policy after the first of a policy split to fit IAM's size
 * limit (Spot-Policy-2, Spot-Policy-3, ...); the first is conn_state's
 * "policy". */
typedef struct state_part {
    state_item item;
    char **versions; /* versions this tool added to it */
    size_t nversions;
    int attached; /* attached by this tool */
} state_part;

typedef struct conn_state {
    char *path;
    char *method; /* "automatic", "manual", "console" */
    char *partition;
    char *spot_principal; /* Spot's AWS account in GovCloud/China, else NULL */
    char *aws_account_id;
    char *external_id;
    char *external_id_valid_until; /* Spot's maxValidUntil (ISO 8601), when it said */
    state_item spot_account;
    state_item policy;
    state_item role;
    char **policy_versions; /* versions this tool added to an existing policy */
    size_t npolicy_versions;
    /* The policy's bundles as chosen: nbundles 0 = the whole policy. Files
     * written before bundles were saved have bundles_saved 0. */
    char **bundles;
    size_t nbundles;
    int bundles_saved;
    /* The policy file a connection was made with (absolute), instead of
     * Spot's policy and bundles: status and update build the same policy. */
    char *policy_file;
    /* Company rules: the IAM path the role and policy were made under
     * (NULL: "/"), the permissions boundary this tool put on the role, and
     * the tags it set (only these keys are ever removed). Files written
     * before these were kept have none of them. */
    char *iam_path;
    char *boundary;
    iam_tag *tags;
    size_t ntags;
    state_part *parts; /* the policy's parts after the first, in order */
    size_t nparts;
    int policy_attached;         /* attached by this tool */
    int security_audit_attached; /* attached by this tool */
    int connected;
    state_step step;
} conn_state;

const char *state_step_name(state_step s);

/* $XDG_STATE_HOME/spot-connect (default ~/.local/state/spot-connect). */
char *state_dir(void);
/* The default file for a connection: <dir>/<aws account>.json. */
char *state_default_path(const char *aws_account_id);

/* Loads path; a missing file gives an empty state (ST_OK). A file that
 * cannot be parsed is ST_CONFIG naming it: it is never overwritten blindly. */
status_t state_load(const char *path, conn_state *st, sc_error *err);
/* Writes atomically (a new temporary file created exclusively beside it,
 * fsync, rename, fsync of the directory), mode 0600, creating the directory
 * (0700) when needed. A directory that is not the user's or that others may
 * write to is refused (ST_IO), as is loading a state file that is a
 * symbolic link. */
status_t state_save(const conn_state *st, sc_error *err);
/* Sets *field to a copy of value (NULL allowed), freeing the old one. */
void state_set(char **field, const char *value);
void state_item_clear(state_item *it);
void state_add_policy_version(conn_state *st, const char *version_id);
/* Adds a copy of version_id to a list of versions. */
void state_add_version(char ***list, size_t *n, const char *version_id);
/* Part i of the policy's parts after the first, added (empty) when the
 * state has fewer. */
state_part *state_part_at(conn_state *st, size_t i);
/* Forgets the parts from i on. */
void state_parts_truncate(conn_state *st, size_t i);
/* Records the chosen bundles (none = the whole policy). */
void state_set_bundles(conn_state *st, const char *const *bundles, size_t n);
/* Records the tags this tool manages (copies). */
void state_set_tags(conn_state *st, const iam_tag *tags, size_t n);
void state_free(conn_state *st);

#endif
