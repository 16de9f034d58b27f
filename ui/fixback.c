#include "fixback.h"

#include <stdio.h>
#include <string.h>

#include "engine/preflight.h"
#include "panels.h"
#include "theme.h"

/* The panel whose steps fix what the check found; W__COUNT for none. */
static wiz_step target(const app *a)
{
    if (strcmp(a->fix_code, PREFLIGHT_POLICY_MISSING) == 0)
        return W_POLICY;
    if (strcmp(a->fix_code, PREFLIGHT_ROLE_MISSING) == 0 ||
        strcmp(a->fix_code, PREFLIGHT_TRUST_MISMATCH) == 0)
        return W_ROLE;
    return W__COUNT;
}

void fixback_clear(app *a)
{
    a->fix_code[0] = '\0';
    a->fix_reason[0] = '\0';
    a->fix_arn[0] = '\0';
}

void fixback_note(app *a, const sc_error *err)
{
    fixback_clear(a);
    if (err->status == ST_OK)
        return;
    snprintf(a->fix_code, sizeof a->fix_code, "%s", err->code);
    if (target(a) == W__COUNT) {
        fixback_clear(a);
        return;
    }
    snprintf(a->fix_reason, sizeof a->fix_reason, "%s", err->message);
    snprintf(a->fix_arn, sizeof a->fix_arn, "%s", a->wz.role_arn);
    app_set_status(a, 1, "The role check failed before Spot was asked: see above.");
}

int fixback_pending(const app *a)
{
    return a->fix_code[0] != '\0';
}

static const char *fix_text(const app *a)
{
    if (strcmp(a->fix_code, PREFLIGHT_ROLE_MISSING) == 0)
        return "Fix: create the role as step %d shows, or correct the ARN above and press Enter. "
               "Enter with this ARN goes back to step %d %s (your answers are kept).";
    if (strcmp(a->fix_code, PREFLIGHT_TRUST_MISMATCH) == 0)
        return "Fix: give the role the trust policy of step %d (Spot's account and this "
               "External ID). Enter goes back to step %d %s (your answers are kept).";
    return "Fix: create the policy as step %d shows and attach it to the role. Enter goes back "
           "to step %d %s (your answers are kept).";
}

void fixback_draw(app *a, WINDOW *w, ui_rect *r)
{
    if (!fixback_pending(a))
        return;
    char line[sizeof a->fix_reason + 40];
    snprintf(line, sizeof line, "The role check failed: %s", a->fix_reason);
    int used = ui_wrap(w, *r, theme_attr(UI_ERROR), line);
    r->y += used;
    r->h -= used;
    wiz_step to = target(a);
    int n = wiz_step_number(&a->wz, to);
    snprintf(line, sizeof line, fix_text(a), n, n, wiz_step_title(to));
    used = ui_wrap(w, *r, theme_attr(UI_WARN), line);
    r->y += used + 1;
    r->h -= used + 1;
}

int fixback_key(app *a, int key)
{
    if (!fixback_pending(a) || !pnl_is_enter(key) || app_busy(a))
        return 0;
    textfield_trim(&a->field[0]);
    if (strcmp(a->field[0].text, a->fix_arn) != 0)
        return 0; /* another ARN: it is tried */
    wiz_step to = target(a);
    fixback_clear(a);
    app_goto(a, to);
    app_set_status(a, 0, "Fix it here, then Enter goes on to Connect (the ARN is kept).");
    return 1;
}

const char *fixback_keys(const app *a)
{
    static char bar[120];
    snprintf(bar, sizeof bar, "Enter back to %s  Esc back", wiz_step_title(target(a)));
    return bar;
}
