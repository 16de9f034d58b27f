/* Radio lists and checklists. The focused row carries a textual pointer
 * and the real cursor, because screen readers and braille displays follow
 * the cursor and do not see reverse video (tui.md §4.9).
 *
 * In a radio list the choice is the cursor: moving selects, as in most
 * toolkits, and items[].on is kept equal to it so callers may read
 * either. */
#include <string.h>

#include "theme.h"
#include "widgets.h"

/* ---- keys ---- */

static void radio_sync(choicelist *c)
{
    if (c->multi)
        return;
    for (size_t i = 0; i < c->n; i++)
        c->items[i].on = i == c->cursor;
}

/* The next enabled item from `from` in direction dir (+1/-1), or `from`
 * itself when there is none. */
static size_t step(const choicelist *c, size_t from, int dir)
{
    for (size_t i = from; dir > 0 ? i + 1 < c->n : i > 0;) {
        i = dir > 0 ? i + 1 : i - 1;
        if (!c->items[i].disabled)
            return i;
    }
    return from;
}

static void toggle_all(choicelist *c)
{
    int all_on = 1;
    for (size_t i = 0; i < c->n; i++)
        if (!c->items[i].disabled && !c->items[i].on)
            all_on = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!c->items[i].disabled)
            c->items[i].on = !all_on;
}

static void toggle(choicelist *c)
{
    choice_item *it = &c->items[c->cursor];
    if (it->disabled)
        return;
    if (c->multi)
        it->on = !it->on;
    else
        radio_sync(c);
}

int choicelist_key(choicelist *c, int key)
{
    if (!c || c->n == 0)
        return 0;
    if (c->cursor >= c->n)
        c->cursor = c->n - 1;
    switch (key) {
    case KEY_UP:
        c->cursor = step(c, c->cursor, -1);
        break;
    case KEY_DOWN:
        c->cursor = step(c, c->cursor, +1);
        break;
    case KEY_HOME:
        c->cursor = c->items[0].disabled ? step(c, 0, +1) : 0;
        break;
    case KEY_END:
        c->cursor = c->items[c->n - 1].disabled ? step(c, c->n - 1, -1) : c->n - 1;
        break;
    case ' ':
        toggle(c);
        return 1;
    case 'a':
        if (!c->multi)
            return 0;
        toggle_all(c);
        return 1;
    default:
        return 0;
    }
    if (!c->items[c->cursor].disabled)
        radio_sync(c);
    return 1;
}

size_t choicelist_selected(const choicelist *c)
{
    return c->cursor;
}

/* ---- drawing ---- */

/* The first row shown: c->top when the cursor is visible from there,
 * else the nearest scroll that shows it. */
static size_t first_row(const choicelist *c, int h)
{
    size_t top = c->top, rows = (size_t)h;
    if (c->cursor < top)
        top = c->cursor;
    else if (c->cursor >= top + rows)
        top = c->cursor - rows + 1;
    if (c->n > rows && top > c->n - rows)
        top = c->n - rows;
    return c->n <= rows ? 0 : top;
}

static const char *mark_of(const choicelist *c, size_t i)
{
    if (c->multi)
        return c->items[i].on ? theme_glyph_check() : theme_glyph_uncheck();
    return i == c->cursor ? theme_glyph_radio_on() : theme_glyph_radio_off();
}

static ui_role role_of(const choicelist *c, size_t i, int focused)
{
    const choice_item *it = &c->items[i];
    if (focused && i == c->cursor)
        return UI_FOCUS;
    if (it->disabled)
        return UI_DIM;
    int chosen = c->multi ? it->on : i == c->cursor;
    return chosen ? UI_SELECTED : UI_NORMAL;
}

/* "> [x] label  hint": pointer, mark, label, dim hint. */
static void draw_item(const choicelist *c, size_t i, WINDOW *win, int y, int x, int w, int focused)
{
    const choice_item *it = &c->items[i];
    ui_role role = role_of(c, i, focused);
    attr_t a = theme_attr(role);
    const char *ptr = focused && i == c->cursor ? theme_glyph_pointer() : " ";
    ui_clear(win, (ui_rect){.y = y, .x = x, .h = 1, .w = w}, a);
    int col = ui_putn(win, y, x, w, a, ptr, strlen(ptr));
    col += ui_putn(win, y, x + col, w - col, a, " ", 1);
    col += ui_putn(win, y, x + col, w - col, a, mark_of(c, i), strlen(mark_of(c, i)));
    col += ui_putn(win, y, x + col, w - col, a, " ", 1);
    col += ui_putn(win, y, x + col, w - col, a, it->label ? it->label : "",
                   it->label ? strlen(it->label) : 0);
    if (it->hint && *it->hint) {
        attr_t ha = role == UI_FOCUS ? a : theme_attr(UI_DIM);
        col += ui_putn(win, y, x + col, w - col, ha, "  ", 2);
        ui_putn(win, y, x + col, w - col, ha, it->hint, strlen(it->hint));
    }
}

/* Marks in the last column when rows are hidden above or below. */
static void draw_scroll_marks(const choicelist *c, WINDOW *win, ui_rect r, size_t top)
{
    int asc = theme_ascii();
    attr_t a = theme_attr(UI_DIM);
    int x = r.x + r.w - 1;
    ui_put(win, r.y, x, 1, a, top > 0 ? (asc ? "^" : "\u2191") : " ");
    ui_put(win, r.y + r.h - 1, x, 1, a, top + (size_t)r.h < c->n ? (asc ? "v" : "\u2193") : " ");
}

void choicelist_draw(const choicelist *c, WINDOW *win, ui_rect r, int focused)
{
    if (!c || !win || r.h <= 0 || r.w <= 0)
        return;
    size_t top = first_row(c, r.h);
    int scrolls = c->n > (size_t)r.h && r.w > 1;
    int w = scrolls ? r.w - 1 : r.w;
    for (int row = 0; row < r.h; row++) {
        size_t i = top + (size_t)row;
        if (i < c->n)
            draw_item(c, i, win, r.y + row, r.x, w, focused);
        else
            ui_clear(win, (ui_rect){.y = r.y + row, .x = r.x, .h = 1, .w = w},
                     theme_attr(UI_NORMAL));
    }
    if (scrolls)
        draw_scroll_marks(c, win, r, top);
    if (focused && c->cursor >= top && c->cursor < top + (size_t)r.h) {
        wmove(win, r.y + (int)(c->cursor - top), r.x);
        ui_focus_mark(win);
    }
}
