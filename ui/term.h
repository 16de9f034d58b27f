/* The terminal while the wizard runs: newterm on the tty (so it works with
 * stdout redirected), colours or monochrome, a short ESCDELAY, stderr kept
 * off the screen, and the terminal restored on every way out. */
#ifndef SC_UI_TERM_H
#define SC_UI_TERM_H

#include <stddef.h>

typedef struct term_options {
    int no_color; /* --no-color or NO_COLOR */
    int ascii;    /* --ascii */
} term_options;

/* Starts curses. On failure (no tty, dumb or unknown TERM) writes a one-line
 * reason into why and returns -1; nothing is left changed. */
int term_start(const term_options *o, char *why, size_t why_len);
/* Ends curses and restores the terminal; safe to call twice, and from the
 * fatal-signal path. Writes what was captured from stderr back out. */
void term_end(void);
/* The tty's file descriptors: keys come in on one (poll it), escape
 * sequences such as OSC 52 go out on the other. */
int term_input_fd(void);
int term_fd(void);
/* Leaves curses for plain output (the "print it" key); term_resume comes back. */
void term_suspend(void);
void term_resume(void);

#endif
