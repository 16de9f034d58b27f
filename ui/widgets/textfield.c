/* One-line text input. The text is UTF-8 and the cursor a byte offset on
 * a character boundary. Keys arrive as wgetch() gives them, so a UTF-8
 * character comes byte by byte and is simply inserted byte by byte.
 *
 * Secrets: a masked field draws '*' per character and never the text, and
 * every buffer that held text is wiped before it is freed or reused. */
#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "widgets.h"

#define DEFAULT_MAX 4096
#define CTL(c) ((c)&0x1f)

static size_t limit(const textfield *f)
{
    return f->max ? f->max : DEFAULT_MAX;
}

/* Grows to hold need bytes plus the NUL. A fresh buffer instead of
 * realloc, so the old one can be wiped. */
static int reserve(textfield *f, size_t need)
{
    if (f->text && need < f->cap)
        return 0;
    size_t cap = f->cap ? f->cap : 64;
    while (cap <= need)
        cap *= 2;
    char *p = calloc(cap, 1);
    if (!p)
        return -1;
    if (f->text) {
        memcpy(p, f->text, f->len);
        explicit_bzero(f->text, f->cap);
        free(f->text);
    }
    f->text = p;
    f->cap = cap;
    return 0;
}

static int insert(textfield *f, const char *s, size_t n)
{
    if (f->len + n > limit(f) || reserve(f, f->len + n) < 0)
        return -1;
    memmove(f->text + f->cursor + n, f->text + f->cursor, f->len - f->cursor);
    memcpy(f->text + f->cursor, s, n);
    f->len += n;
    f->cursor += n;
    f->text[f->len] = '\0';
    return 0;
}

/* Removes bytes [a, b) and wipes the bytes freed at the end. */
static void delete_range(textfield *f, size_t a, size_t b)
{
    memmove(f->text + a, f->text + b, f->len - b);
    explicit_bzero(f->text + f->len - (b - a), b - a);
    f->len -= b - a;
    if (f->cursor >= b)
        f->cursor -= b - a;
    else if (f->cursor > a)
        f->cursor = a;
}

static int is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t prev_char(const textfield *f, size_t i)
{
    if (i == 0)
        return 0;
    for (i--; i > 0 && is_cont(f->text[i]); i--)
        ;
    return i;
}

static size_t next_char(const textfield *f, size_t i)
{
    if (i >= f->len)
        return f->len;
    for (i++; i < f->len && is_cont(f->text[i]); i++)
        ;
    return i;
}

void textfield_set(textfield *f, const char *text)
{
    if (f->text)
        explicit_bzero(f->text, f->cap);
    f->len = f->cursor = 0;
    f->in_paste = 0;
    size_t full = text ? strlen(text) : 0, n = full;
    if (n > limit(f))
        n = limit(f);
    while (n > 0 && n < full && is_cont(text[n])) /* whole characters only */
        n--;
    if (reserve(f, n) < 0)
        return;
    memcpy(f->text, text ? text : "", n);
    f->len = f->cursor = n;
    f->text[n] = '\0';
}

void textfield_free(textfield *f)
{
    if (f->text)
        explicit_bzero(f->text, f->cap);
    free(f->text);
    f->text = NULL;
    f->len = f->cap = f->cursor = 0;
    f->in_paste = 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

void textfield_trim(textfield *f)
{
    if (!f->text)
        return;
    size_t end = strcspn(f->text, "\r\n");
    if (end < f->len)
        delete_range(f, end, f->len);
    while (f->len > 0 && is_space(f->text[f->len - 1]))
        delete_range(f, f->len - 1, f->len);
    size_t lead = 0;
    while (lead < f->len && is_space(f->text[lead]))
        lead++;
    if (lead)
        delete_range(f, 0, lead);
    f->cursor = f->len;
}

/* ---- keys ---- */

/* Length of the UTF-8 sequence a lead byte starts; 0 for a byte that
 * cannot start one. */
static size_t seq_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

/* Inserts one byte of typed or pasted text. A character that would not
 * fit whole under the limit is refused at its first byte, and the bytes
 * that follow a refused one are refused too, so the text stays valid. */
static void insert_byte(textfield *f, int key)
{
    unsigned char b = (unsigned char)key;
    char c = (char)b;
    if ((b & 0xC0) == 0x80) {
        if (f->cursor > 0 && (unsigned char)f->text[f->cursor - 1] >= 0x80)
            insert(f, &c, 1);
        return;
    }
    size_t n = seq_len(b);
    if (n && f->len + n <= limit(f))
        insert(f, &c, 1);
}

/* Inside a paste everything is text: line breaks are dropped (a pasted ARN
 * often ends with one, and Enter must not submit half a paste), tabs
 * become blanks, and other control characters (ESC too) are kept and drawn
 * as \xNN: a pasted escape sequence is shown, then refused with the value,
 * rather than losing its ESC and looking like clean text. */
static int paste_key(textfield *f, int key)
{
    if (key == '\t')
        key = ' ';
    if (key > 0 && key <= 0xff && key != '\r' && key != '\n')
        insert_byte(f, key);
    return 1;
}

static int edit_key(textfield *f, int key)
{
    switch (key) {
    case KEY_BACKSPACE:
    case 0x7f:
    case CTL('h'):
        if (f->cursor > 0)
            delete_range(f, prev_char(f, f->cursor), f->cursor);
        return 1;
    case KEY_DC:
    case CTL('d'):
        if (f->cursor < f->len)
            delete_range(f, f->cursor, next_char(f, f->cursor));
        return 1;
    case CTL('u'):
        if (f->len)
            delete_range(f, 0, f->len);
        return 1;
    default:
        return 0;
    }
}

static int move_key(textfield *f, int key)
{
    switch (key) {
    case KEY_LEFT:
        f->cursor = prev_char(f, f->cursor);
        return 1;
    case KEY_RIGHT:
        f->cursor = next_char(f, f->cursor);
        return 1;
    case KEY_HOME:
    case CTL('a'):
        f->cursor = 0;
        return 1;
    case KEY_END:
    case CTL('e'):
        f->cursor = f->len;
        return 1;
    default:
        return 0;
    }
}

int textfield_key(textfield *f, int key)
{
    if (f->cursor > f->len)
        f->cursor = f->len;
    if (key == UI_KEY_PASTE_BEGIN) {
        f->in_paste = 1;
        return 1;
    }
    if (key == UI_KEY_PASTE_END) {
        f->in_paste = 0;
        textfield_trim(f);
        return 1;
    }
    if (f->in_paste)
        return paste_key(f, key);
    /* Bytes 0x80-0xff are pieces of a UTF-8 character. */
    if ((key >= 0x20 && key < 0x7f) || (key >= 0x80 && key <= 0xff)) {
        insert_byte(f, key);
        return 1;
    }
    return edit_key(f, key) || move_key(f, key);
}

/* ---- drawing ---- */

/* Columns of the text between two byte offsets, as drawn: one per
 * character when masked. */
static int cols(const textfield *f, size_t a, size_t b)
{
    if (!f->masked)
        return ui_widthn(f->text + a, b - a);
    int n = 0;
    for (size_t i = a; i < b; i++)
        n += !is_cont(f->text[i]);
    return n;
}

/* The first character shown: 0 when the cursor fits, else the one that
 * leaves `room` columns up to the cursor. */
static size_t scroll_start(const textfield *f, int room)
{
    size_t s = f->cursor;
    while (s > 0) {
        size_t p = prev_char(f, s);
        if (cols(f, p, f->cursor) > room)
            break;
        s = p;
    }
    return s;
}

static int put_text(const textfield *f, WINDOW *win, int y, int x, int w, attr_t a, size_t from)
{
    if (!f->masked)
        return ui_putn(win, y, x, w, a, f->text + from, f->len - from);
    /* Stars only: the secret itself never reaches the screen. */
    char stars[256];
    int n = cols(f, from, f->len);
    if (n > w)
        n = w;
    if (n > (int)sizeof stars)
        n = (int)sizeof stars;
    memset(stars, '*', (size_t)n);
    return ui_putn(win, y, x, w, a, stars, (size_t)n);
}

void textfield_draw(const textfield *f, WINDOW *win, ui_rect r, int focused)
{
    if (!f || !win || r.h <= 0 || r.w <= 0)
        return;
    attr_t a = theme_attr(focused ? UI_FOCUS : UI_INPUT);
    int w = r.w, marks = w >= 4;
    const char *left = theme_ascii() ? "<" : "\u2026", *right = theme_ascii() ? ">" : "\u2026";
    size_t cur = f->text && f->cursor <= f->len ? f->cursor : f->len;
    textfield v = *f; /* the same text with a clamped cursor */
    v.cursor = cur;
    size_t from = 0;
    int total = f->text ? cols(&v, 0, v.len) : 0;
    /* Scrolled, the row holds the left mark, the text up to the cursor,
     * the cursor cell and, unless the cursor is at the end, the right
     * mark. */
    if (total >= w && cols(&v, 0, cur) > w - 2)
        from = scroll_start(&v, !marks ? w - 1 : cur == v.len ? w - 2 : w - 3);
    ui_clear(win, (ui_rect){.y = r.y, .x = r.x, .h = 1, .w = w}, a);
    int x = r.x, avail = w;
    if (from > 0 && marks) {
        ui_put(win, r.y, x, 1, theme_attr(UI_DIM), left);
        x++;
        avail--;
    }
    int rest = f->text ? cols(&v, from, v.len) : 0;
    int more = rest > avail && marks;
    if (f->text)
        put_text(&v, win, r.y, x, more ? avail - 1 : avail, a, from);
    if (more)
        ui_put(win, r.y, r.x + w - 1, 1, theme_attr(UI_DIM), right);
    if (focused) {
        wmove(win, r.y, x + (f->text ? cols(&v, from, cur) : 0));
        ui_focus_mark(win);
    }
}
