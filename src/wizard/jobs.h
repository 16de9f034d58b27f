/* The wizard's work, run on the worker thread: every AWS and Spot call the
 * panels need. Each job takes a snapshot of what it needs (so the UI may go
 * on editing) and leaves a result for the UI thread. No curses. */
#ifndef SC_WIZARD_JOBS_H
#define SC_WIZARD_JOBS_H

#include <stddef.h>

#include "engine/answers.h"
#include "engine/state.h"
#include "wizard/wizard.h"
#include "worker/worker.h"

/* Where the jobs' settings come from (copied into every job). */
typedef struct wiz_settings {
    char profile[128];     /* "" = the chain's default */
    int instance_role;     /* only the EC2 instance role */
    char access_key[128];  /* typed keys, "" when none */
    char secret_key[256];  /* secret: wiped when freed */
    char token[2048];      /* Spot token typed in, "" = resolve as the CLI does */
    char token_file[1024]; /* --token-file */
    char spot_endpoint[512];
    char ca_bundle[1024];
    char state_path[1024];  /* --state */
    char policy_file[1024]; /* --policy-file: this policy, not Spot's (no bundles) */
    /* What IAM and Spot answered, kept across jobs for the same credentials
     * (engine/answers.h); used on the worker thread only. NULL = none kept. */
    answers *answers;
} wiz_settings;

/* What the welcome panel shows, and what resume needs. */
typedef struct wiz_detected {
    int ssh, tmux, screen;
    int aws_ok;
    char aws_source[64];
    char aws_account[16];
    char aws_arn[256];
    char aws_problem[600]; /* why there is no identity, "" when aws_ok */
    int have_token;
    char token_source[96];
    char token_problem[600]; /* why a configured token is not used, "" when none */
    char **profiles;
    /* What the login panel says of each profile beside its name: SSO
     * profiles show their account and role, or that the login expired;
     * NULL for the others. */
    char **profile_notes;
    size_t nprofiles;
    int saved; /* a state file exists for this AWS account */
    state_step saved_step;
    char saved_method[16];
    char saved_external_id[1300];
    int saved_connected; /* Spot accepted the role in that run */
    char saved_spot_account[64];
    char saved_role_arn[2100];
    char saved_partition[16];
    char saved_principal[16];
    char **saved_bundles; /* as the state file lists them */
    size_t saved_nbundles;
    int saved_bundles_saved;
    char saved_role_name[65]; /* the company rules the saved run applied */
    char saved_policy_name[129];
    char saved_boundary[2100];
    char saved_iam_path[513];
    char saved_tags[WIZ_RULES_TAGS_LEN];
    char state_path[1024];
    /* A saved connection compared with what connect would write now
     * (engine/drift.h), with AWS credentials. */
    int drifted;
    char drift_text[800]; /* the items that differ, one a line */
} wiz_detected;

/* What spot-connect update changed (the Welcome's u). */
typedef struct wiz_update_result {
    size_t nchanged;
    char text[1200]; /* the items put back, one a line */
} wiz_update_result;

typedef struct wiz_account {
    char id[64];
    char name[128];
    int connected;
    char aws_account[13]; /* the AWS account it is linked to, "" when none */
    char role_arn[256];   /* the role Spot uses for it, "" when unknown */
} wiz_account;

typedef struct wiz_accounts {
    wiz_account *items;
    size_t n;
} wiz_accounts;

/* A connect phase: the engine runs up to stop_after (0 = to the end). */
typedef struct wiz_connect_result {
    connect_result r;
    state_step reached;
} wiz_connect_result;

/* Submitters: each returns the job id. */
int wiz_job_detect(worker *w, const wiz_settings *s);
int wiz_job_identity(worker *w, const wiz_settings *s); /* result: wiz_detected */
int wiz_job_accounts(worker *w, const wiz_settings *s); /* result: wiz_accounts */
int wiz_job_connect(worker *w, const wiz_settings *s, const wizard *wz, state_step stop_after);
/* The reads the coming panels need, made while the operator reads this
 * one (a plan of the connection: nothing is written); they are kept in
 * s->answers. No result; a failure is the reads' own error. */
int wiz_job_read_ahead(worker *w, const wiz_settings *s, const wizard *wz);
/* update (engine/update.h) of the connection saved in d's state file;
 * result: wiz_update_result. */
int wiz_job_update(worker *w, const wiz_settings *s, const wiz_detected *d);

void wiz_detected_free(wiz_detected *d);
/* The saved answers of d, for wiz_apply_saved (pointers into d). */
void wiz_detected_saved(const wiz_detected *d, wiz_saved *out);
void wiz_accounts_free(wiz_accounts *a);
void wiz_connect_result_free(wiz_connect_result *c);
void wiz_settings_wipe(wiz_settings *s);

#endif
