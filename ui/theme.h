/* Colours and glyphs. Every drawing call asks the theme for a role's
 * attributes, so colour, monochrome (NO_COLOR, --no-color, no colour
 * support) and --ascii are decided in one place. */
#ifndef SC_UI_THEME_H
#define SC_UI_THEME_H

#include <curses.h>

typedef enum ui_role {
    UI_NORMAL,
    UI_TITLE,    /* panel title */
    UI_HEADER,   /* top bar: "Step N of M" and the path */
    UI_FOOTER,   /* bottom bar: keys */
    UI_STATUS,   /* status line messages */
    UI_FOCUS,    /* the focused item or field */
    UI_SELECTED, /* a chosen radio/checkbox item */
    UI_DIM,      /* hints, disabled items */
    UI_ERROR,
    UI_OK,
    UI_WARN,
    UI_INPUT, /* text fields */
    UI_BORDER,
    UI_LINENO, /* line numbers in the text pane */
    UI_JSON_KEY,
    UI_JSON_STRING,
    UI_JSON_NUMBER,
    UI_JSON_PUNCT,
    UI__COUNT
} ui_role;

/* After start_color() when colour is wanted; use_color 0 gives the
 * monochrome theme (attributes only: bold, reverse, underline, dim). */
void theme_init(int use_color, int ascii);
attr_t theme_attr(ui_role role);
int theme_color(void);
int theme_ascii(void);

/* Glyphs, ASCII with --ascii or a non-UTF-8 locale. */
const char *theme_glyph_check(void);   /* "[x]" / "☑"-like */
const char *theme_glyph_uncheck(void); /* "[ ]" */
const char *theme_glyph_radio_on(void);
const char *theme_glyph_radio_off(void);
const char *theme_glyph_pointer(void); /* focus marker, also for screen readers: ">" */

#endif
