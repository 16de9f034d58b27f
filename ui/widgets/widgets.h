/* The widgets every panel is built from. Each draws into a rectangle of a
 * window and handles keys; none keeps curses state of its own, so a
 * resize is just a redraw with the new rectangle. */
#ifndef SC_UI_WIDGETS_H
#define SC_UI_WIDGETS_H

#include <curses.h>
#include <stddef.h>

/* Key values the input loop passes for the bracketed-paste markers
 * ESC [ 2 0 0 ~ and ESC [ 2 0 1 ~ (curses has no code for them). Other
 * keys are what wgetch() returns: KEY_* codes, or one byte at a time, so a
 * UTF-8 character arrives as its 2 to 4 bytes in a row. */
#define UI_KEY_PASTE_BEGIN (KEY_MAX + 1)
#define UI_KEY_PASTE_END (KEY_MAX + 2)

typedef struct ui_rect {
    int y, x, h, w;
} ui_rect;

/* ---- text pane: a long document, scrollable, optional line numbers and
 * JSON colouring (keys, strings, numbers, punctuation). ---- */
typedef struct textpane {
    char **lines; /* the text split at '\n', owned */
    size_t nlines;
    size_t top; /* first visible line */
    int json;
    int numbers;
} textpane;

void textpane_set(textpane *t, const char *text, int json, int numbers);
/* text word-wrapped greedily to width columns (a byte a column; a long word
 * is split, never inside a UTF-8 character), for textpane_set. With
 * numbered, a paragraph that starts "N." goes on indented by 3. The caller
 * frees. */
char *textpane_wrap(const char *text, int width, int numbered);
void textpane_free(textpane *t);
void textpane_draw(const textpane *t, WINDOW *win, ui_rect r, int focused);
/* Up/Down/PageUp/PageDown/Home/End (and k/j); 1 when the key was used.
 * page is the visible height. */
int textpane_key(textpane *t, int key, int page);

/* ---- choice list: radio (one) or checklist (many) ---- */
typedef struct choice_item {
    const char *label;
    const char *hint; /* dim text after the label, may be NULL */
    int on;           /* checked (checklist) */
    int disabled;
} choice_item;

typedef struct choicelist {
    choice_item *items;
    size_t n;
    size_t cursor;
    size_t top;
    int multi; /* checklist when 1, radio when 0 */
} choicelist;

void choicelist_draw(const choicelist *c, WINDOW *win, ui_rect r, int focused);
/* Up/Down move, Space toggles (checklist) or selects (radio), 'a' toggles
 * all (checklist); 1 when the key was used. */
int choicelist_key(choicelist *c, int key);
/* The radio choice: the cursor. */
size_t choicelist_selected(const choicelist *c);

/* ---- text field: one line, optionally masked (never echoes a secret),
 * bracketed paste aware; a paste is trimmed of surrounding whitespace and
 * newlines. ---- */
typedef struct textfield {
    char *text; /* owned; wiped when freed if masked */
    size_t len, cap;
    size_t cursor;
    int masked;
    size_t max;   /* 0 = 4096 */
    int in_paste; /* inside ESC[200~ ... ESC[201~ */
} textfield;

void textfield_set(textfield *f, const char *text);
void textfield_free(textfield *f);
void textfield_draw(const textfield *f, WINDOW *win, ui_rect r, int focused);
/* Printable characters, Backspace, Delete, Left/Right/Home/End, Ctrl-U
 * (clear); the bracketed paste markers as curses reports them. 1 when the
 * key was used. */
int textfield_key(textfield *f, int key);
/* Copies the first line, trimmed: what a pasted ARN should become. */
void textfield_trim(textfield *f);

/* ---- small drawing helpers ---- */
/* Writes UTF-8 text clipped to w columns (by display width) with attr. */
void ui_put(WINDOW *win, int y, int x, int w, attr_t attr, const char *text);
/* The same for the first len bytes; returns the columns written. Control
 * characters and invalid bytes show as one '?' each; a double-width
 * character that does not fit in the last column becomes a blank. Draws
 * only the text: nothing after it is erased, the cursor is not kept. */
int ui_putn(WINDOW *win, int y, int x, int w, attr_t attr, const char *text, size_t len);
/* Display columns ui_put would need for the text (wcwidth; CJK is 2). */
int ui_width(const char *text);
int ui_widthn(const char *text, size_t len);
/* Blanks the rectangle (clipped to the window) with attr; the way to
 * erase before drawing, never werase() of a whole window. */
void ui_clear(WINDOW *win, ui_rect r, attr_t attr);
/* Word-wraps text into the rectangle; returns the lines used. Text that
 * does not fit ends with a continuation mark. With win NULL nothing is
 * drawn and the result is the lines the whole text needs at width r.w. */
int ui_wrap(WINDOW *win, ui_rect r, attr_t attr, const char *text);
/* The focused widget marks where the real cursor belongs (screen readers
 * and braille displays follow it); the frame is drawn after the panel, so
 * the app puts the cursor back there last. */
void ui_focus_mark(WINDOW *win);
/* Takes the mark: 1 with its position, 0 when no widget had the focus. */
int ui_focus_take(int *y, int *x);

/* A box around r (ACS lines, or +-| with --ascii). */
void ui_box(WINDOW *win, ui_rect r, const char *title);

#endif
