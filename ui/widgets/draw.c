/* Drawing primitives every widget uses. All text goes through ui_putn so
 * the width rules (wcwidth, CJK double width, control characters) are the
 * same everywhere, and nothing is written outside the caller's columns.
 * A control character is drawn as \xNN, the rule of util/escape.h, so text
 * from outside shows on the screen as it does on stderr.
 *
 * Cells are written with wadd_wchnstr: unlike waddstr it never wraps,
 * never scrolls the window when it reaches the bottom-right corner (the
 * caller may have scrollok on) and leaves the cursor alone, so the focus
 * cursor is placed once per frame by the widget that owns it. */
#include <string.h>
#include <wchar.h>

#include "theme.h"
#include "util/escape.h"
#include "widgets.h"

#define CHUNK 128

/* One character of the text: what to show, its columns, bytes used;
 * esc >= 0: shown as \xNN of that value instead (ESC_COLS columns). */
typedef struct uchar {
    wchar_t wc;
    int w;
    size_t n;
    int esc;
} uchar;

#define ESC_COLS 4

/* A byte of invalid or incomplete UTF-8, a NUL byte and a C0, DEL or C1
 * control become \xNN (waddstr would draw "^X" or pass it to the terminal);
 * a tab becomes one blank; another character with no width ('?') one
 * column. */
static uchar next_char(const char *s, size_t len, mbstate_t *st)
{
    uchar c = {L'?', 1, 1, -1};
    wchar_t wc;
    size_t r = mbrtowc(&wc, s, len, st);
    if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
        memset(st, 0, sizeof *st);
        c.esc = (unsigned char)s[0];
        c.w = ESC_COLS;
        return c;
    }
    c.n = r;
    if (wc == L'\t') {
        c.wc = L' ';
        return c;
    }
    if (wc >= 0 && escape_is_control((uint32_t)wc)) {
        c.esc = (int)wc;
        c.w = ESC_COLS;
        return c;
    }
    int w = wcwidth(wc);
    if (w >= 0) {
        c.wc = wc;
        c.w = w;
    }
    return c;
}

int ui_widthn(const char *text, size_t len)
{
    if (!text)
        return 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int cols = 0;
    for (size_t i = 0; i < len;) {
        uchar c = next_char(text + i, len - i, &st);
        i += c.n;
        cols += c.w;
    }
    return cols;
}

int ui_width(const char *text)
{
    return text ? ui_widthn(text, strlen(text)) : 0;
}

/* Cells are collected in a small buffer and written in chunks; the cell
 * being built keeps the combining characters that follow its base. */
typedef struct writer {
    WINDOW *win;
    int y, x; /* where the buffered cells go */
    attr_t attr;
    short pair;
    cchar_t cells[CHUNK];
    int n, cols;
    wchar_t cur[CCHARW_MAX + 1];
    int ncur, curw;
} writer;

static void writer_init(writer *wr, WINDOW *win, int y, int x, attr_t attr)
{
    wr->win = win;
    wr->y = y;
    wr->x = x;
    wr->attr = attr & ~A_COLOR;
    wr->pair = (short)PAIR_NUMBER(attr);
    wr->n = wr->cols = wr->ncur = wr->curw = 0;
}

static void writer_flush(writer *wr)
{
    if (wr->n == 0)
        return;
    mvwadd_wchnstr(wr->win, wr->y, wr->x, wr->cells, wr->n);
    wr->x += wr->cols;
    wr->n = wr->cols = 0;
}

static void writer_end_cell(writer *wr)
{
    if (wr->ncur == 0)
        return;
    wr->cur[wr->ncur] = L'\0';
    setcchar(&wr->cells[wr->n++], wr->cur, wr->attr, wr->pair, NULL);
    wr->cols += wr->curw;
    wr->ncur = 0;
    if (wr->n == CHUNK)
        writer_flush(wr);
}

static void writer_add(writer *wr, wchar_t wc, int w)
{
    if (w == 0) {
        /* A combining mark joins the cell before it; with none, or a full
         * cell, it is dropped rather than drawn on its own. */
        if (wr->ncur > 0 && wr->ncur < CCHARW_MAX)
            wr->cur[wr->ncur++] = wc;
        return;
    }
    writer_end_cell(wr);
    wr->cur[0] = wc;
    wr->ncur = 1;
    wr->curw = w;
}

static void writer_finish(writer *wr)
{
    writer_end_cell(wr);
    writer_flush(wr);
}

/* \xNN as far as it fits in w columns; returns the columns used. */
static int put_escape(writer *wr, int v, int used, int w)
{
    static const wchar_t hex[] = L"0123456789abcdef";
    wchar_t e[ESC_COLS] = {L'\\', L'x', hex[(v >> 4) & 0xF], hex[v & 0xF]};
    for (int k = 0; k < ESC_COLS && used < w; k++, used++)
        writer_add(wr, e[k], 1);
    return used;
}

/* Clips w so x..x+w stays in the window; 0 when nothing can be drawn. */
static int clip_width(WINDOW *win, int y, int x, int w)
{
    int maxy, maxx;
    getmaxyx(win, maxy, maxx);
    if (y < 0 || y >= maxy || x < 0 || x >= maxx || w <= 0)
        return 0;
    return w < maxx - x ? w : maxx - x;
}

int ui_putn(WINDOW *win, int y, int x, int w, attr_t attr, const char *text, size_t len)
{
    if (!win || !text || (w = clip_width(win, y, x, w)) == 0)
        return 0;
    writer wr;
    writer_init(&wr, win, y, x, attr);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int used = 0;
    for (size_t i = 0; i < len;) {
        uchar c = next_char(text + i, len - i, &st);
        i += c.n;
        if (c.esc >= 0) {
            used = put_escape(&wr, c.esc, used, w);
            if (used >= w)
                break;
            continue;
        }
        if (used + c.w > w) {
            if (used < w) { /* half a wide character: show a blank */
                writer_add(&wr, L' ', 1);
                used++;
            }
            break;
        }
        writer_add(&wr, c.wc, c.w);
        used += c.w;
    }
    writer_finish(&wr);
    return used;
}

void ui_put(WINDOW *win, int y, int x, int w, attr_t attr, const char *text)
{
    if (text)
        ui_putn(win, y, x, w, attr, text, strlen(text));
}

static void fill_row(WINDOW *win, int y, int x, int w, attr_t attr)
{
    if ((w = clip_width(win, y, x, w)) == 0)
        return;
    writer wr;
    writer_init(&wr, win, y, x, attr);
    for (int i = 0; i < w; i++)
        writer_add(&wr, L' ', 1);
    writer_finish(&wr);
}

void ui_clear(WINDOW *win, ui_rect r, attr_t attr)
{
    if (!win)
        return;
    /* A rectangle starting left of the window keeps its visible part. */
    if (r.x < 0) {
        r.w += r.x;
        r.x = 0;
    }
    for (int i = 0; i < r.h; i++)
        fill_row(win, r.y + i, r.x, r.w, attr);
}

/* ---- word wrap ---- */

/* The longest prefix of s[0..len) that fits in w columns, broken after a
 * word when there is one; *next is where the following line starts (the
 * blanks at the break are skipped). */
static size_t fit_line(const char *s, size_t len, int w, size_t *next)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int cols = 0;
    size_t brk = 0; /* end of the last word that fitted; 0: none yet */
    for (size_t i = 0; i < len;) {
        uchar c = next_char(s + i, len - i, &st);
        if (s[i] == ' ' && i > 0 && s[i - 1] != ' ')
            brk = i;
        if (s[i] != ' ' && cols + c.w > w) {
            size_t end = brk ? brk : (i ? i : c.n); /* a word longer than w is cut */
            size_t j = end;
            while (j < len && s[j] == ' ')
                j++;
            *next = j;
            return end;
        }
        cols += c.w;
        i += c.n;
    }
    *next = len;
    return len;
}

/* Wraps one paragraph (no '\n') from row *row on; 1 when it did not fit. */
static int wrap_para(WINDOW *win, ui_rect r, attr_t attr, const char *p, size_t len, int *row)
{
    size_t pos = 0;
    do {
        if (win && *row >= r.h)
            return 1;
        size_t next;
        size_t n = fit_line(p + pos, len - pos, r.w, &next);
        if (win)
            ui_putn(win, r.y + *row, r.x, r.w, attr, p + pos, n);
        (*row)++;
        pos += next;
    } while (pos < len);
    return 0;
}

int ui_wrap(WINDOW *win, ui_rect r, attr_t attr, const char *text)
{
    if (!text || r.w <= 0 || (win && r.h <= 0))
        return 0;
    int row = 0;
    for (const char *p = text;;) {
        size_t n = strcspn(p, "\n");
        int cut = wrap_para(win, r, attr, p, n, &row);
        if (!cut && p[n] == '\n' && p[n + 1] != '\0' && win && row >= r.h)
            cut = 1;
        if (cut) {
            /* Never truncate silently (tui.md §4.10). */
            ui_put(win, r.y + r.h - 1, r.x + r.w - 1, 1, theme_attr(UI_DIM),
                   theme_ascii() ? ">" : "\u2026");
            break;
        }
        if (p[n] == '\0' || p[n + 1] == '\0') /* a final '\n' adds no line */
            break;
        p += n + 1;
    }
    return row;
}

/* ---- box ---- */

static void box_title(WINDOW *win, ui_rect r, const char *title)
{
    int x = r.x + 2, avail = r.w - 4;
    attr_t a = theme_attr(UI_TITLE);
    int used = ui_putn(win, r.y, x, avail, a, " ", 1);
    used += ui_putn(win, r.y, x + used, avail - used, a, title, strlen(title));
    ui_putn(win, r.y, x + used, avail - used, a, " ", 1);
}

void ui_box(WINDOW *win, ui_rect r, const char *title)
{
    if (!win || r.h < 2 || r.w < 2)
        return;
    attr_t a = theme_attr(UI_BORDER);
    int asc = theme_ascii();
    chtype hl = asc ? '-' : ACS_HLINE, vl = asc ? '|' : ACS_VLINE;
    chtype ul = asc ? '+' : ACS_ULCORNER, ur = asc ? '+' : ACS_URCORNER;
    chtype ll = asc ? '+' : ACS_LLCORNER, lr = asc ? '+' : ACS_LRCORNER;
    int bottom = r.y + r.h - 1, right = r.x + r.w - 1;
    /* whline of one cell for the corners: waddch in the window's last
     * cell would scroll a scrollok window. */
    mvwhline(win, r.y, r.x, ul | a, 1);
    mvwhline(win, r.y, r.x + 1, hl | a, r.w - 2);
    mvwhline(win, r.y, right, ur | a, 1);
    mvwvline(win, r.y + 1, r.x, vl | a, r.h - 2);
    mvwvline(win, r.y + 1, right, vl | a, r.h - 2);
    mvwhline(win, bottom, r.x, ll | a, 1);
    mvwhline(win, bottom, r.x + 1, hl | a, r.w - 2);
    mvwhline(win, bottom, right, lr | a, 1);
    if (title && *title && r.w > 4)
        box_title(win, r, title);
}

static int focus_y = -1, focus_x = -1;

void ui_focus_mark(WINDOW *win)
{
    int y, x, by, bx;
    getyx(win, y, x);
    getbegyx(win, by, bx);
    focus_y = by + y;
    focus_x = bx + x;
}

int ui_focus_take(int *y, int *x)
{
    if (focus_y < 0)
        return 0;
    *y = focus_y;
    *x = focus_x;
    focus_y = focus_x = -1;
    return 1;
}
