/* The way back from a failed role check: the Connect panel shows why the
 * role was refused before it went to Spot (engine/preflight.c) and what
 * fixes it, and offers the panel where that is done, the answers kept. */
#ifndef SC_UI_FIXBACK_H
#define SC_UI_FIXBACK_H

#include <curses.h>

#include "app.h"

/* After a connect phase: keeps a role-check failure (err->code one of
 * PREFLIGHT_*), or forgets an earlier one. */
void fixback_note(app *a, const sc_error *err);
/* Forgets it (the operator went to fix it, or typed another ARN). */
void fixback_clear(app *a);
/* 1 when a failure is shown. */
int fixback_pending(const app *a);
/* Draws the reason and the fix at the top of r; r shrinks below them. */
void fixback_draw(app *a, WINDOW *w, ui_rect *r);
/* Enter with the refused ARN unchanged: to the panel that fixes it.
 * Returns 1 when it went there. */
int fixback_key(app *a, int key);
/* The key bar while a failure is shown. */
const char *fixback_keys(const app *a);

#endif
