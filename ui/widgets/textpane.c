/* The scrollable document pane (the policy JSON, the plan). Every row of
 * the rectangle is rewritten on each draw, text then blanks, and nothing
 * else: after a one-line scroll the rows are the old rows shifted, which
 * ncurses sends as a terminal scroll plus one new line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "widgets.h"

void textpane_free(textpane *t)
{
    for (size_t i = 0; i < t->nlines; i++)
        free(t->lines[i]);
    free(t->lines);
    t->lines = NULL;
    t->nlines = 0;
    t->top = 0;
}

static size_t count_lines(const char *text)
{
    if (!*text)
        return 0;
    size_t n = 1;
    for (const char *p = text; *p; p++)
        if (*p == '\n' && p[1])
            n++;
    return n;
}

void textpane_set(textpane *t, const char *text, int json, int numbers)
{
    textpane_free(t);
    t->json = json;
    t->numbers = numbers;
    size_t n = text ? count_lines(text) : 0;
    if (n == 0 || !(t->lines = calloc(n, sizeof *t->lines)))
        return;
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, "\n");
        size_t keep = len > 0 && p[len - 1] == '\r' ? len - 1 : len; /* CRLF documents */
        if (!(t->lines[i] = strndup(p, keep)))
            break;
        t->nlines = i + 1;
        p += len + (p[len] == '\n');
    }
}

/* ---- layout ---- */

/* Rows for text: the last row of the rectangle shows the position when
 * the document is longer than the pane. */
static size_t text_rows(size_t nlines, int h)
{
    if (h <= 0)
        return 0;
    if (h >= 2 && nlines > (size_t)h)
        return (size_t)h - 1;
    return (size_t)h;
}

static size_t max_top(size_t nlines, size_t rows)
{
    return nlines > rows ? nlines - rows : 0;
}

static int digits(size_t n)
{
    int d = 1;
    for (; n >= 10; n /= 10)
        d++;
    return d;
}

/* Numbers right-aligned, then one blank; none when the pane is too narrow
 * to show text beside them. */
static int gutter_width(const textpane *t, int w)
{
    if (!t->numbers)
        return 0;
    int g = digits(t->nlines) + 1;
    return g < w ? g : 0;
}

/* ---- JSON colouring: a tokenizer that needs no valid document, since
 * the pane shows one line at a time ---- */

typedef struct token {
    size_t n;
    ui_role role;
} token;

static size_t string_end(const char *s, size_t len)
{
    size_t i = 1;
    while (i < len && s[i] != '"')
        i += s[i] == '\\' && i + 1 < len ? 2 : 1;
    return i < len ? i + 1 : len;
}

static size_t run_of(const char *s, size_t len, const char *set)
{
    size_t i = 0;
    while (i < len && s[i] && strchr(set, s[i]))
        i++;
    return i;
}

static token word_token(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (ascii_isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    int literal = (i == 4 && (!strncmp(s, "true", 4) || !strncmp(s, "null", 4))) ||
                  (i == 5 && !strncmp(s, "false", 5));
    return (token){i, literal ? UI_JSON_NUMBER : UI_NORMAL};
}

static token json_token(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    if (c == '"') {
        /* A string is a key when the next non-blank is ':'. */
        size_t n = string_end(s, len);
        size_t j = n + run_of(s + n, len - n, " \t");
        return (token){n, j < len && s[j] == ':' ? UI_JSON_KEY : UI_JSON_STRING};
    }
    if (strchr("{}[],:", c))
        return (token){1, UI_JSON_PUNCT};
    if (c == '-' || ascii_isdigit(c))
        return (token){1 + run_of(s + 1, len - 1, "0123456789+-.eE"), UI_JSON_NUMBER};
    if (ascii_isalpha(c))
        return word_token(s, len);
    if (c == ' ' || c == '\t')
        return (token){run_of(s, len, " \t"), UI_NORMAL};
    size_t n = 1; /* anything else: one character, all its UTF-8 bytes */
    while (n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return (token){n, UI_NORMAL};
}

static int put_json(WINDOW *win, int y, int x, int w, const char *s, size_t len)
{
    int used = 0;
    for (size_t i = 0; i < len && used < w;) {
        token tk = json_token(s + i, len - i);
        used += ui_putn(win, y, x + used, w - used, theme_attr(tk.role), s + i, tk.n);
        i += tk.n;
    }
    return used;
}

/* ---- drawing ---- */

static void draw_line(WINDOW *win, int y, int x, int w, const char *line, int json)
{
    size_t len = strlen(line);
    /* No character is wider than its bytes, so short lines skip the
     * measuring. A longer line ends with a continuation mark (never
     * truncate silently, tui.md §4.10). */
    int more = len > (size_t)w && ui_widthn(line, len) > w;
    int avail = more ? w - 1 : w;
    int used = json ? put_json(win, y, x, avail, line, len)
                    : ui_putn(win, y, x, avail, theme_attr(UI_NORMAL), line, len);
    ui_clear(win, (ui_rect){.y = y, .x = x + used, .h = 1, .w = avail - used},
             theme_attr(UI_NORMAL));
    if (more)
        ui_put(win, y, x + w - 1, 1, theme_attr(UI_DIM), theme_ascii() ? ">" : "\u2026");
}

static void draw_number(WINDOW *win, int y, int x, int gw, size_t n)
{
    char num[24], buf[48]; /* gw is at most 21: 20 digits and a blank */
    int nw = snprintf(num, sizeof num, "%zu", n), pad = gw - 1 - nw;
    if (pad < 0)
        pad = 0;
    memset(buf, ' ', (size_t)pad);
    memcpy(buf + pad, num, (size_t)nw);
    buf[pad + nw] = ' ';
    ui_putn(win, y, x, gw, theme_attr(UI_LINENO), buf, (size_t)pad + (size_t)nw + 1);
}

/* "12-30/212", right-aligned on the pane's last row. */
static void draw_position(WINDOW *win, ui_rect r, size_t top, size_t rows, size_t total,
                          int focused)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%zu-%zu/%zu", top + 1, top + rows, total);
    int y = r.y + r.h - 1, bw = ui_width(buf);
    int x = bw < r.w ? r.x + r.w - bw : r.x;
    ui_clear(win, (ui_rect){.y = y, .x = r.x, .h = 1, .w = x - r.x}, theme_attr(UI_NORMAL));
    ui_put(win, y, x, r.w - (x - r.x), theme_attr(focused ? UI_STATUS : UI_DIM), buf);
}

void textpane_draw(const textpane *t, WINDOW *win, ui_rect r, int focused)
{
    if (!t || !win || r.h <= 0 || r.w <= 0)
        return;
    size_t rows = text_rows(t->nlines, r.h);
    size_t top = t->top < max_top(t->nlines, rows) ? t->top : max_top(t->nlines, rows);
    int gw = gutter_width(t, r.w);
    for (size_t i = 0; i < rows; i++) {
        int y = r.y + (int)i;
        if (top + i >= t->nlines) {
            ui_clear(win, (ui_rect){.y = y, .x = r.x, .h = 1, .w = r.w}, theme_attr(UI_NORMAL));
            continue;
        }
        if (gw)
            draw_number(win, y, r.x, gw, top + i + 1);
        draw_line(win, y, r.x + gw, r.w - gw, t->lines[top + i], t->json);
    }
    if (rows < (size_t)r.h)
        draw_position(win, r, top, rows, t->nlines, focused);
    /* Screen readers follow the cursor: put it on the first visible line. */
    if (focused) {
        wmove(win, r.y, r.x + gw);
        ui_focus_mark(win);
    }
}

int textpane_key(textpane *t, int key, int page)
{
    size_t rows = text_rows(t->nlines, page);
    if (rows == 0)
        rows = 1;
    size_t last = max_top(t->nlines, rows);
    size_t top = t->top < last ? t->top : last;
    switch (key) {
    case KEY_UP:
    case 'k':
        top = top ? top - 1 : 0;
        break;
    case KEY_DOWN:
    case 'j':
        top = top < last ? top + 1 : last;
        break;
    case KEY_PPAGE:
        top = top > rows ? top - rows : 0;
        break;
    case KEY_NPAGE:
        top = top + rows < last ? top + rows : last;
        break;
    case KEY_HOME:
        top = 0;
        break;
    case KEY_END:
        top = last;
        break;
    default:
        return 0;
    }
    t->top = top;
    return 1;
}

/* Where a line of at most w bytes ends: after a word when one fits, never
 * inside a UTF-8 character. */
static size_t wrap_cut(const char *s, size_t len, size_t w)
{
    if (len <= w)
        return len;
    size_t cut = w;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut > 0)
        return cut;
    cut = w; /* one long word (a path): split it, on a character boundary */
    while (cut > 1 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

static void wrap_paragraph(buf_t *out, const char *text, size_t len, size_t w, int numbered)
{
    size_t indent = numbered && len > 2 && ascii_isdigit(text[0]) && text[1] == '.' ? 3 : 0;
    size_t col = 0;
    do {
        size_t n = wrap_cut(text, len, w - col);
        buf_append(out, text, n);
        buf_putc(out, '\n');
        while (n < len && text[n] == ' ')
            n++;
        text += n;
        len -= n;
        if (len > 0)
            buf_printf(out, "%*s", (int)indent, "");
        col = indent;
    } while (len > 0);
}

char *textpane_wrap(const char *text, int width, int numbered)
{
    buf_t out = BUF_INIT;
    size_t w = width > 10 ? (size_t)width : 10;
    while (*text) {
        size_t n = strcspn(text, "\n");
        wrap_paragraph(&out, text, n, w, numbered);
        text += n + (text[n] == '\n');
    }
    return buf_steal(&out);
}
