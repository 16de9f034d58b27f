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
} wizard;

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

#endif
