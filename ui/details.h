/* A status message longer than the status area: the area shows its start,
 * the key bar offers d (F2 in a text field), and the whole text opens in a
 * scrollable view over the panel, closed by Esc, q or d. */
#ifndef SC_UI_DETAILS_H
#define SC_UI_DETAILS_H

#include "app.h"

/* Rows the status area has for a message. */
#define DETAILS_STATUS_ROWS 2

/* 1 when the status message does not fit the status area. */
int details_more(const app *a);
void details_open(app *a);
/* Draws the view over the panel (after it, before the footer). */
void details_draw(app *a);
/* Every key while the view is open: scroll, or close. */
void details_key(app *a, int key);

#endif
