#include "details.h"

#include <string.h>

#include "theme.h"
#include "util/buf.h"

#define KEY_ESC 27

static int status_width(const app *a)
{
    return a->cols - 2;
}

int details_more(const app *a)
{
    if (!a->status[0] || a->cols <= 2)
        return 0;
    ui_rect r = {.y = 0, .x = 0, .h = 1, .w = status_width(a)};
    return ui_wrap(NULL, r, A_NORMAL, a->status) > DETAILS_STATUS_ROWS;
}

/* Where a line of at most w bytes ends: after a word when one fits, never
 * inside a UTF-8 character. */
static size_t cut_at(const char *s, size_t len, size_t w)
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

/* The message wrapped at w columns (bytes: at least as many as columns for
 * everything but wide characters, which the pane clips, never wraps). */
static void wrap_message(buf_t *out, const char *text, size_t len, size_t w)
{
    while (len > 0) {
        size_t n = cut_at(text, len, w);
        buf_append(out, text, n);
        buf_putc(out, '\n');
        while (n < len && text[n] == ' ')
            n++;
        text += n;
        len -= n;
    }
}

static ui_rect view_box(const app *a)
{
    return (ui_rect){.y = 2, .x = 2, .h = a->rows - 4, .w = a->cols - 4};
}

static void build(app *a)
{
    buf_t b = BUF_INIT;
    const char *p = a->status;
    int w = view_box(a).w - 4;
    while (*p) { /* paragraph by paragraph */
        size_t n = strcspn(p, "\n");
        wrap_message(&b, p, n, (size_t)(w > 10 ? w : 10));
        p += n + (p[n] == '\n');
    }
    textpane_set(&a->details, buf_str(&b), 0, 0);
    a->details_cols = a->cols;
    buf_free(&b);
}

void details_open(app *a)
{
    a->details_open = 1;
    build(a);
}

void details_draw(app *a)
{
    if (!a->details_open)
        return;
    if (a->details_cols != a->cols)
        build(a); /* resized: wrap again */
    ui_rect box = view_box(a);
    ui_clear(stdscr, box, theme_attr(UI_NORMAL));
    ui_box(stdscr, box, a->status_error ? "Details of the error" : "Details");
    textpane_draw(&a->details, stdscr,
                  (ui_rect){.y = box.y + 1, .x = box.x + 2, .h = box.h - 2, .w = box.w - 4}, 1);
}

void details_key(app *a, int key)
{
    if (key == KEY_ESC || key == 'q' || key == 'Q' || key == 'd' || key == KEY_F(2)) {
        a->details_open = 0;
        return;
    }
    textpane_key(&a->details, key, a->rows - 6 > 1 ? a->rows - 6 : 1);
}
