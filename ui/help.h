/* Help inside the screen: an overlay per panel (what the step does, its
 * keys, and on the manual path the AWS console's steps), wrapped to the
 * window, scrollable, closed by Esc, F1 or q. Nothing leaves the alternate
 * screen. Also the console page's steps the manual panels show. */
#ifndef SC_UI_HELP_H
#define SC_UI_HELP_H

#include "app.h"
#include "util/buf.h"

void help_open(app *a);
/* Draws the overlay over the panel (after it, before the footer). */
void help_draw(app *a);
/* Every key while help is open: scroll, or close. */
void help_key(app *a, int key);
/* The AWS console's steps for the manual path's policy and role panels,
 * in the page's order, with the values to copy. */
void help_policy_steps(const app *a, buf_t *out);
void help_role_steps(const app *a, buf_t *out);

#endif
