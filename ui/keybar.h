/* The footer's key bar: for the panel on screen, only the keys that do
 * something there, and the unusual input forms curses does not know. */
#ifndef SC_UI_KEYBAR_H
#define SC_UI_KEYBAR_H

#include <curses.h>

#include "app.h"

/* The bar's text for the panel and its state (focus, running job). */
const char *keybar_text(const app *a);
/* Home/End as PuTTY, rxvt and the vt forms send them (ESC[1~, ESC[4~,
 * ESC[H, ESC[F, ESCOH, ESCOF, ESC[7~, ESC[8~), whatever terminfo says. */
void keybar_define_keys(void);
/* After curses gave a bare Esc: 1 when it began a sequence curses did not
 * know (or only part of one, or Alt with a key), which is then read and
 * dropped; 0 for a real Esc key. */
int keybar_swallow_sequence(WINDOW *w);

#endif
