/* What the curses suites share: a real curses screen (newterm on
 * /dev/null, nothing reaches a terminal) read back cell by cell.
 * Header-only, as check.h is. */
#ifndef SC_TEST_SCREEN_FIXTURE_H
#define SC_TEST_SCREEN_FIXTURE_H

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../unit/check.h"
#include "theme.h"
#include "widgets/widgets.h"

static FILE *null_in, *null_out;
static SCREEN *screen;

/* ---- reading the virtual screen ---- */

/* ncols display columns of stdscr from (y, x), as UTF-8. */
static inline const char *cells(int y, int x, int ncols)
{
    static char out[1024];
    wchar_t row[512];
    int n = mvwinnwstr(stdscr, y, x, row, 511);
    size_t o = 0;
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < n && used < ncols; i++) {
        int w = wcwidth(row[i]);
        if (w > 0 && used + w > ncols)
            break;
        used += w > 0 ? w : 0;
        size_t k = wcrtomb(out + o, row[i], &st);
        if (k != (size_t)-1)
            o += k;
    }
    out[o] = '\0';
    return out;
}

static inline attr_t attr_at(int y, int x)
{
    return (attr_t)(mvwinch(stdscr, y, x) & A_ATTRIBUTES);
}

/* Fills the screen with '#' so anything drawn outside a rectangle shows. */
static inline void fill_hash(void)
{
    for (int y = 0; y < LINES; y++)
        mvwhline(stdscr, y, 0, '#' | A_NORMAL, COLS);
}

/* Every cell of the screen outside r is still '#'. */
static inline int outside_untouched(ui_rect r)
{
    for (int y = 0; y < LINES; y++)
        for (int x = 0; x < COLS; x++) {
            int in = y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
            if (!in && (mvwinch(stdscr, y, x) & A_CHARTEXT) != '#') {
                fprintf(stderr, "  cell %d,%d outside the rectangle was written\n", y, x);
                return 0;
            }
        }
    return 1;
}

static inline void send_keys(textfield *f, const char *s)
{
    for (; *s; s++)
        textfield_key(f, (unsigned char)*s);
}

/* A 24x80 xterm-256color screen on /dev/null in a UTF-8 locale; 0 when
 * that cannot be had (said as a failed case of suite). */
static inline int screenfx_open(const char *suite)
{
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        printf("not ok - %s: the C.UTF-8 locale is missing\n", suite);
        return 0;
    }
    null_in = fopen("/dev/null", "r");
    null_out = fopen("/dev/null", "w");
    screen = null_in && null_out ? newterm("xterm-256color", null_out, null_in) : NULL;
    if (!screen) {
        printf("not ok - %s: newterm on /dev/null failed\n", suite);
        return 0;
    }
    start_color();
    return 1;
}

static inline void screenfx_close(void)
{
    endwin();
    delscreen(screen);
    fclose(null_in);
    fclose(null_out);
}

#endif
