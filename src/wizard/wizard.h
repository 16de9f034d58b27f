/* The wizard's model: which panels there are, which the operator's answers
 * make visible, where Enter and Esc lead, and the answers themselves. No
 * curses here, so all of it is tested without a terminal. */
#ifndef SC_WIZARD_H
#define SC_WIZARD_H

#include <stddef.h>

#include "engine/connect.h"

typedef enum wiz_step {
    W_WELCOME,
    W_PROVIDER,
    W_METHOD,
    W_PARTITION,
    W_SPOT,
    W_AWS_LOGIN,
    W_PERMISSIONS,
    W_POLICY,
    W_ROLE,
    W_CONNECT,
    W_DONE,
    W__COUNT
} wiz_step;

typedef enum wiz_partition { WP_AWS, WP_GOV, WP_CN } wiz_partition;

typedef enum wiz_creds {
    WC_DETECTED, /* whatever the credential chain finds (env, default profile, ...) */
    WC_PROFILE,  /* a named profile from the AWS files */
    WC_KEYS,     /* keys typed in (masked), never saved */
} wiz_creds;

#define WIZ_MAX_BUNDLES 32
#define WIZ_RULES_TAGS_LEN 8192 /* "KEY=VALUE,KEY=VALUE": 50 tags of any length */

typedef struct wizard {
    wiz_step step;
    wiz_step path[W__COUNT]; /* the panels visited, for Esc */
    int depth;

    connect_method method;
    wiz_partition partition;
    char spot_principal[16];
    int have_token;         /* a Spot token was found or typed */
    char external_id[1300]; /* console method: pasted; otherwise from the engine */
    char spot_account[64];  /* chosen act-..., "" = create */
    char spot_account_name[128];
    wiz_creds creds;
    char profile[128];
    int bundle_on[WIZ_MAX_BUNDLES]; /* by policy_bundle_name index */
    size_t nbundles;
    char role_arn[2100];
    int resumed; /* this run goes on from a saved one */
    int ran;     /* a connect phase ran in this run: the saved state is its own */
    /* The bundles the policy step was done with, to see a later change. */
    int policy_made;
    int policy_bundles[WIZ_MAX_BUNDLES];
    /* The Spot account is linked already: a new External ID only when the
     * operator confirmed it; cleared once Spot generated it (never twice). */
    int rotate_external_id;
    /* The company rules (wizard/rules.h); "" = the default. */
    char role_name[65];
    char policy_name[129];
    char boundary[2100];
    char iam_path[513];
    char tags[WIZ_RULES_TAGS_LEN];
} wizard;

/* The answers a state file keeps (engine/state.h), for resume. */
typedef struct wiz_saved {
    const char *method; /* "automatic", "manual", "console" */
    const char *partition;
    const char *spot_principal;
    const char *spot_account;
    const char *external_id;
    const char *const *bundles;
    size_t nbundles; /* 0 = the whole policy */
    int bundles_saved;
    state_step step;
    /* The company rules the saved run applied (NULL: none). */
    const char *role_name;
    const char *policy_name;
    const char *boundary;
    const char *iam_path;
    const char *tags; /* "KEY=VALUE,..." */
} wiz_saved;

void wiz_init(wizard *w);
const char *wiz_step_title(wiz_step s);
/* Whether a panel is part of the path with the current answers. */
int wiz_visible(const wizard *w, wiz_step s);
/* "Step N of M" for the current answers. */
int wiz_step_number(const wizard *w, wiz_step s);
int wiz_step_count(const wizard *w);
/* Enter: moves to the next visible panel; Esc: back along the path.
 * Both return 0 when there is nowhere to go. */
int wiz_forward(wizard *w);
int wiz_back(wizard *w);
/* Jumps to a panel (resume), recording the visible panels before it. */
void wiz_goto(wizard *w, wiz_step s);
/* "AWS > Linked Account > Automatically > ...": the answers so far. */
void wiz_path_text(const wizard *w, char *out, size_t len);
/* The engine options for these answers (strings point into w). */
void wiz_connect_options(const wizard *w, connect_options *o, const char **bundles,
                         size_t max_bundles);
/* The panel to resume at for a saved connection step. */
wiz_step wiz_resume_step(state_step saved);
/* Restores the saved answers (method, partition, principal, Spot account,
 * External ID, bundles) and returns the panel to resume at. */
wiz_step wiz_apply_saved(wizard *w, const wiz_saved *s);
/* The resume offer in words: "Manual path, Spot account act-..., stopped
 * before step 9 Create IAM role", for the answers in w. */
void wiz_resume_text(const wizard *w, wiz_step at, char *out, size_t len);
/* Notes that the policy step was done with the current bundles. */
void wiz_policy_made(wizard *w);
/* 1 when the bundles differ from those the policy step was done with. */
int wiz_bundles_changed(const wizard *w);
const char *wiz_method_name(connect_method m);
/* The steps a path has with method m in partition p: said where the path
 * is chosen, so the header's count never jumps unannounced. */
int wiz_step_count_for(const wizard *w, connect_method m, wiz_partition p);
/* The partition of an ARN (arn:aws:, arn:aws-us-gov:, arn:aws-cn:), -1
 * for none of them. */
int wiz_arn_partition(const char *arn);
/* Whose ARN is checked against the partition chosen: the way back differs. */
typedef enum {
    WIZ_ARN_CREDENTIALS, /* at AWS login: g goes back */
    WIZ_ARN_ROLE         /* typed on the manual Connect panel: Enter goes back */
} wiz_arn_of;
/* 0 when the ARN fits the partition chosen; otherwise 1 and, in out (NULL
 * with len 0 to ask only), what is wrong and the way back, in the wizard's
 * words. */
int wiz_partition_mismatch(const wizard *w, const char *arn, wiz_arn_of of, char *out, size_t len);
/* 1 when an External ID has Spot's form: "spotinst:aws:extid:" and then
 * letters and digits only. Anything else earns a warning, not a refusal. */
int wiz_external_id_looks_spot(const char *id);

#endif
