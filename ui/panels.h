/* The panels, one per wizard step, and what they share. */
#ifndef SC_UI_PANELS_H
#define SC_UI_PANELS_H

#include "app.h"

extern const panel_ops panel_welcome, panel_provider, panel_method, panel_partition, panel_spot,
    panel_aws_login, panel_permissions, panel_policy, panel_role, panel_connect, panel_done;

/* Wrapped text at the top of r; r shrinks below it (and a blank line). */
int pnl_text(app *a, WINDOW *w, ui_rect *r, const char *text);
/* Sets text field i, masked (a secret: stars only) or not. */
void pnl_field_set(app *a, int i, const char *text, int masked);
/* The first h rows of r; r shrinks below them. */
ui_rect pnl_take(ui_rect *r, int h);
void pnl_list_reset(app *a, int multi);
void pnl_list_add(app *a, const char *label, const char *hint, int on);
void pnl_no_done(app *a, const worker_event *ev);
/* Enter, as a panel's key handler sees it. */
int pnl_is_enter(int key);
/* The progress lines of the running or last job, newest last. */
void pnl_draw_progress(app *a, WINDOW *w, ui_rect r);
/* 1 when the Spot step's cursor is on the account Spot links to this AWS
 * account: r offers to rotate its External ID (confirmed with y). */
int spot_rotate_offered(const app *a);
/* Resume, held for a token typed again, goes on to a->resume_to. */
void pnl_resume_go(app *a);

#endif
