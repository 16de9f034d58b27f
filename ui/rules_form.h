/* The Options form: the company rules (role and policy names, permissions
 * boundary, IAM path, tags) over the Permissions and policy panels, opened
 * with o. Enter saves when IAM's rules pass (the status names the field and
 * the rule otherwise), Esc leaves it unchanged. */
#ifndef SC_UI_RULES_FORM_H
#define SC_UI_RULES_FORM_H

#include "app.h"

#define RULES_FORM_FIELDS 5

/* 1 when o opens the form on this panel now. */
int rules_form_offered(const app *a);
void rules_form_open(app *a);
/* Draws the form over the panel (after it, before the footer). */
void rules_form_draw(app *a);
/* Every key while the form is open. */
void rules_form_key(app *a, int key);
void rules_form_free(app *a);

#endif
