/* Theme and widgets drawn into a real curses screen (newterm on /dev/null,
 * nothing reaches a terminal) and read back cell by cell. */
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
static const char *cells(int y, int x, int ncols)
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

static attr_t attr_at(int y, int x)
{
    return (attr_t)(mvwinch(stdscr, y, x) & A_ATTRIBUTES);
}

/* Fills the screen with '#' so anything drawn outside a rectangle shows. */
static void fill_hash(void)
{
    for (int y = 0; y < LINES; y++)
        mvwhline(stdscr, y, 0, '#' | A_NORMAL, COLS);
}

/* Every cell of the screen outside r is still '#'. */
static int outside_untouched(ui_rect r)
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

static void send_keys(textfield *f, const char *s)
{
    for (; *s; s++)
        textfield_key(f, (unsigned char)*s);
}

/* ---- drawing helpers ---- */

static void test_put_clips(void)
{
    theme_init(0, 1);
    fill_hash();
    ui_put(stdscr, 1, 2, 5, A_NORMAL, "hello world");
    CHECK_STR(cells(1, 0, 10), "##hello###");
    CHECK_INT(ui_putn(stdscr, 2, 0, 3, A_NORMAL, "abcdef", 2), 2);
    CHECK_STR(cells(2, 0, 4), "ab##");
    /* Past the window's right edge nothing wraps to the next line. */
    ui_put(stdscr, 3, COLS - 2, 10, A_NORMAL, "xyz");
    CHECK_STR(cells(3, COLS - 3, 3), "#xy");
    CHECK_STR(cells(4, 0, 2), "##");
}

static void test_put_cjk(void)
{
    fill_hash();
    CHECK_INT(ui_width("日本語"), 6);
    CHECK_INT(ui_width("h\xc3\xa9llo"), 5);
    CHECK_INT(ui_width("e\xcc\x81"), 1); /* e + combining acute */
    /* 5 columns: two wide characters, then a blank for the half that does
     * not fit, and the cell after the rectangle untouched. */
    CHECK_INT(ui_putn(stdscr, 1, 2, 5, A_NORMAL, "日本語", strlen("日本語")), 5);
    CHECK_STR(cells(1, 0, 10), "##日本 ###");
    ui_put(stdscr, 2, 0, 4, A_NORMAL, "a日本");
    CHECK_STR(cells(2, 0, 6), "a日 ##");
}

/* The rule of util/escape.h: \xNN for C0, DEL, C1 and invalid bytes. */
static void test_put_controls(void)
{
    fill_hash();
    CHECK_INT(ui_width("a\tb\x01"
                       "c"),
              8);
    ui_put(stdscr, 0, 0, 20, A_NORMAL,
           "a\tb\x01"
           "c\xff");
    CHECK_STR(cells(0, 0, 14), "a b\\x01c\\xff##");
    fill_hash();
    ui_put(stdscr, 0, 0, 30, A_NORMAL, "\x1b]0;pwned\x07\xc2\x9b\x7f");
    CHECK_STR(cells(0, 0, 24), "\\x1b]0;pwned\\x07\\x9b\\x7f");
    /* Cut at the rectangle's edge, part of an escape. */
    fill_hash();
    CHECK_INT(ui_putn(stdscr, 1, 0, 3, A_NORMAL, "a\x1b", 2), 3);
    CHECK_STR(cells(1, 0, 4), "a\\x#");
}

static void test_clear_rect(void)
{
    fill_hash();
    ui_rect r = {2, 3, 2, 4};
    ui_clear(stdscr, r, A_NORMAL);
    CHECK_STR(cells(2, 2, 6), "#    #");
    CHECK_STR(cells(3, 2, 6), "#    #");
    CHECK(outside_untouched(r));
    /* Partly outside the window: only the visible part, no crash. */
    ui_clear(stdscr, (ui_rect){LINES - 1, COLS - 2, 5, 10}, A_NORMAL);
    CHECK_STR(cells(LINES - 1, COLS - 3, 3), "#  ");
}

static void test_box_ascii(void)
{
    theme_init(0, 1);
    fill_hash();
    ui_rect r = {1, 1, 4, 10};
    ui_box(stdscr, r, "T");
    CHECK_STR(cells(1, 1, 10), "+- T ----+");
    CHECK_STR(cells(2, 1, 10), "|########|");
    CHECK_STR(cells(4, 1, 10), "+--------+");
    CHECK(outside_untouched(r));
}

static void test_wrap(void)
{
    theme_init(0, 1);
    const char *text = "the quick brown fox jumps over";
    fill_hash();
    ui_rect r = {0, 0, 3, 10};
    CHECK_INT(ui_wrap(stdscr, r, A_NORMAL, text), 3);
    CHECK_STR(cells(0, 0, 11), "the quick##");
    CHECK_STR(cells(1, 0, 11), "brown fox##");
    CHECK_STR(cells(2, 0, 11), "jumps over#");
    CHECK(outside_untouched(r));
    CHECK_INT(ui_wrap(NULL, (ui_rect){0, 0, 0, 5}, A_NORMAL, "abcdefghijkl"), 3);
    CHECK_INT(ui_wrap(NULL, (ui_rect){0, 0, 0, 20}, A_NORMAL, "a\n\nb\n"), 3);
    /* Too long for the rectangle: the last cell says so. */
    fill_hash();
    CHECK_INT(ui_wrap(stdscr, (ui_rect){0, 0, 2, 10}, A_NORMAL, text), 2);
    CHECK_STR(cells(1, 0, 10), "brown fox>");
}

/* ---- theme ---- */

static void test_glyphs(void)
{
    theme_init(0, 1);
    CHECK(theme_ascii());
    CHECK_STR(theme_glyph_check(), "[x]");
    CHECK_STR(theme_glyph_uncheck(), "[ ]");
    CHECK_STR(theme_glyph_radio_on(), "(*)");
    CHECK_STR(theme_glyph_radio_off(), "( )");
    CHECK_STR(theme_glyph_pointer(), ">");
    theme_init(0, 0); /* UTF-8 locale */
    CHECK(!theme_ascii());
    CHECK(strcmp(theme_glyph_check(), "[x]") != 0);
    CHECK_INT(ui_width(theme_glyph_check()), 3);
    CHECK_INT(ui_width(theme_glyph_radio_on()), 3);
    CHECK_STR(theme_glyph_pointer(), ">");
    setlocale(LC_CTYPE, "C"); /* not UTF-8: ASCII whatever was asked */
    theme_init(0, 0);
    CHECK(theme_ascii());
    CHECK_STR(theme_glyph_check(), "[x]");
    setlocale(LC_CTYPE, "C.UTF-8");
}

static int all_differ(const ui_role *roles, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (theme_attr(roles[i]) == theme_attr(roles[j])) {
                fprintf(stderr, "  roles %d and %d look alike\n", roles[i], roles[j]);
                return 0;
            }
    return 1;
}

/* Roles that appear together stay apart with attributes alone. */
static void test_mono_distinct(void)
{
    theme_init(0, 0);
    CHECK(!theme_color());
    for (int r = 0; r < UI__COUNT; r++)
        CHECK_INT(PAIR_NUMBER(theme_attr((ui_role)r)), 0);
    static const ui_role list[] = {UI_NORMAL, UI_FOCUS, UI_SELECTED, UI_DIM};
    static const ui_role status[] = {UI_STATUS, UI_OK, UI_WARN, UI_ERROR};
    static const ui_role field[] = {UI_INPUT, UI_FOCUS, UI_NORMAL};
    static const ui_role json[] = {UI_JSON_KEY, UI_JSON_STRING, UI_JSON_NUMBER, UI_JSON_PUNCT};
    static const ui_role bars[] = {UI_HEADER, UI_FOCUS, UI_NORMAL, UI_ERROR};
    CHECK(all_differ(list, 4));
    CHECK(all_differ(status, 4));
    CHECK(all_differ(field, 3));
    CHECK(all_differ(json, 4));
    CHECK(all_differ(bars, 4));
    CHECK_INT(theme_attr(UI__COUNT), A_NORMAL);
}

static void test_color_theme(void)
{
    theme_init(1, 0);
    CHECK(theme_color());
    CHECK(PAIR_NUMBER(theme_attr(UI_JSON_KEY)) != 0);
    CHECK(PAIR_NUMBER(theme_attr(UI_JSON_KEY)) != PAIR_NUMBER(theme_attr(UI_JSON_STRING)));
    CHECK(PAIR_NUMBER(theme_attr(UI_ERROR)) != 0);
    CHECK(theme_attr(UI_FOCUS) & A_REVERSE);
    short fg, bg;
    pair_content((short)PAIR_NUMBER(theme_attr(UI_ERROR)), &fg, &bg);
    CHECK_INT(fg, COLOR_RED);
    theme_init(0, 0);
}

/* ---- text pane ---- */

static char *numbered_lines(int n)
{
    char *s = malloc((size_t)n * 16 + 1);
    size_t o = 0;
    for (int i = 1; i <= n; i++)
        o += (size_t)sprintf(s + o, "line %d\n", i);
    return s;
}

/* The help and details views wrap with it: words kept whole, a long word
 * split on a character boundary, numbered steps hanging. */
static void test_textpane_wrap(void)
{
    char *w = textpane_wrap("one two three four\n\nfive", 10, 0);
    CHECK_STR(w, "one two\nthree four\n\nfive\n");
    free(w);
    w = textpane_wrap("1. open the IAM console and choose Roles", 14, 1);
    CHECK_STR(w, "1. open the\n   IAM console\n   and choose\n   Roles\n");
    free(w);
    w = textpane_wrap("/tmp/\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 10, 0); /* 13 bytes, no blank */
    CHECK_STR(w, "/tmp/\xc3\xa9\xc3\xa9\n\xc3\xa9\xc3\xa9\n");
    free(w);
}

static void test_textpane_scroll(void)
{
    theme_init(0, 1);
    textpane t = {0};
    char *text = numbered_lines(212);
    textpane_set(&t, text, 0, 1);
    free(text);
    CHECK_INT(t.nlines, 212);
    ui_rect r = {2, 3, 10, 20};
    fill_hash();
    textpane_draw(&t, stdscr, r, 1);
    CHECK_INT(getcury(stdscr), 2); /* focus: the cursor on the first line */
    CHECK_INT(getcurx(stdscr), 3 + 4);
    CHECK_STR(cells(2, 3, 20), "  1 line 1          ");
    CHECK_STR(cells(10, 3, 20), "  9 line 9          ");
    CHECK_STR(cells(11, 3, 20), "             1-9/212");
    CHECK(outside_untouched(r));

    CHECK_INT(textpane_key(&t, KEY_DOWN, r.h), 1);
    textpane_draw(&t, stdscr, r, 0);
    CHECK_STR(cells(2, 3, 20), "  2 line 2          ");
    CHECK_STR(cells(11, 3, 20), "            2-10/212");
    CHECK_INT(textpane_key(&t, KEY_NPAGE, r.h), 1);
    CHECK_INT(t.top, 10);
    CHECK_INT(textpane_key(&t, KEY_END, r.h), 1);
    CHECK_INT(t.top, 203);
    CHECK_INT(textpane_key(&t, 'j', r.h), 1);
    CHECK_INT(t.top, 203);
    textpane_draw(&t, stdscr, r, 0);
    CHECK_STR(cells(2, 3, 20), "204 line 204        ");
    CHECK_STR(cells(11, 3, 20), "         204-212/212");
    CHECK_INT(textpane_key(&t, KEY_PPAGE, r.h), 1);
    CHECK_INT(t.top, 194);
    CHECK_INT(textpane_key(&t, 'k', r.h), 1);
    CHECK_INT(t.top, 193);
    CHECK_INT(textpane_key(&t, KEY_HOME, r.h), 1);
    CHECK_INT(t.top, 0);
    CHECK_INT(textpane_key(&t, KEY_UP, r.h), 1);
    CHECK_INT(t.top, 0);
    CHECK_INT(textpane_key(&t, 'x', r.h), 0);
    CHECK(outside_untouched(r));
    textpane_free(&t);
}

static void test_textpane_short_and_clip(void)
{
    theme_init(0, 1);
    textpane t = {0};
    textpane_set(&t, "short\r\nabcdefghijklmnopqrstuvwxyz\n日本語日本語\n", 0, 0);
    CHECK_INT(t.nlines, 3);
    ui_rect r = {1, 1, 5, 10};
    fill_hash();
    textpane_draw(&t, stdscr, r, 0);
    CHECK_STR(cells(1, 1, 10), "short     ");
    CHECK_STR(cells(2, 1, 10), "abcdefghi>"); /* clipped, and says so */
    CHECK_STR(cells(3, 1, 10), "日本語日 >"); /* the half that does not fit is blank */
    CHECK_STR(cells(4, 1, 10), "          "); /* fits: no position row */
    CHECK_STR(cells(5, 1, 10), "          ");
    CHECK(outside_untouched(r));
    /* Redrawing after a shorter text leaves nothing stale. */
    textpane_set(&t, "x", 0, 0);
    textpane_draw(&t, stdscr, r, 0);
    CHECK_STR(cells(2, 1, 10), "          ");
    CHECK_INT(textpane_key(&t, KEY_DOWN, r.h), 1);
    CHECK_INT(t.top, 0);
    /* A rectangle too narrow for the gutter drops the numbers. */
    textpane_set(&t, "ab", 0, 1);
    fill_hash();
    textpane_draw(&t, stdscr, (ui_rect){0, 0, 1, 2}, 0);
    CHECK_STR(cells(0, 0, 3), "ab#");
    textpane_free(&t);
    textpane_free(&t); /* twice is harmless */
}

static const char *json_doc = "{\n"
                              "  \"name\": \"x\",\n"
                              "  \"n\": -12.5e3,\n"
                              "  \"ok\" : true,\n"
                              "  \"list\": [\"a:b\", null]\n"
                              "}\n";

static void check_json_cells(void)
{
    /* row 1: `  "name": "x",` */
    for (int x = 2; x <= 7; x++)
        CHECK_INT(attr_at(1, x), theme_attr(UI_JSON_KEY));
    CHECK_INT(attr_at(1, 8), theme_attr(UI_JSON_PUNCT));
    for (int x = 10; x <= 12; x++)
        CHECK_INT(attr_at(1, x), theme_attr(UI_JSON_STRING));
    CHECK_INT(attr_at(1, 13), theme_attr(UI_JSON_PUNCT));
    /* row 2: `  "n": -12.5e3,` */
    for (int x = 7; x <= 13; x++)
        CHECK_INT(attr_at(2, x), theme_attr(UI_JSON_NUMBER));
    /* row 3: `  "ok" : true,` a key even with a blank before ':' */
    CHECK_INT(attr_at(3, 2), theme_attr(UI_JSON_KEY));
    CHECK_INT(attr_at(3, 7), theme_attr(UI_JSON_PUNCT));
    CHECK_INT(attr_at(3, 9), theme_attr(UI_JSON_NUMBER));
    /* row 4: `  "list": ["a:b", null]` a ':' inside a string does not make
     * the string a key */
    CHECK_INT(attr_at(4, 10), theme_attr(UI_JSON_PUNCT));
    for (int x = 11; x <= 15; x++)
        CHECK_INT(attr_at(4, x), theme_attr(UI_JSON_STRING));
    CHECK_INT(attr_at(4, 18), theme_attr(UI_JSON_NUMBER));
    CHECK_INT(attr_at(0, 0), theme_attr(UI_JSON_PUNCT));
}

static void test_json_colours(void)
{
    textpane t = {0};
    textpane_set(&t, json_doc, 1, 0);
    ui_rect r = {0, 0, 8, 40};
    theme_init(1, 0);
    fill_hash();
    textpane_draw(&t, stdscr, r, 0);
    CHECK_STR(cells(1, 0, 16), "  \"name\": \"x\",  ");
    CHECK(theme_attr(UI_JSON_KEY) != theme_attr(UI_JSON_STRING));
    check_json_cells();
    CHECK(outside_untouched(r));
    /* Monochrome: the same classes, told apart by attributes alone. */
    theme_init(0, 0);
    CHECK(theme_attr(UI_JSON_KEY) != theme_attr(UI_JSON_STRING));
    CHECK(theme_attr(UI_JSON_NUMBER) != theme_attr(UI_JSON_STRING));
    textpane_draw(&t, stdscr, r, 0);
    check_json_cells();
    CHECK_INT(PAIR_NUMBER(attr_at(1, 2)), 0);
    textpane_free(&t);
}

/* ---- choice list ---- */

static choice_item demo_items[] = {
    {"Alpha", "first", 0, 0},
    {"Beta", NULL, 0, 0},
    {"Gamma", NULL, 0, 1}, /* disabled */
    {"Delta", NULL, 0, 0},
};

static void test_choicelist_keys(void)
{
    choice_item items[4];
    memcpy(items, demo_items, sizeof items);
    choicelist c = {items, 4, 0, 0, 1};
    CHECK_INT(choicelist_key(&c, KEY_DOWN), 1);
    CHECK_INT(c.cursor, 1);
    choicelist_key(&c, KEY_DOWN);
    CHECK_INT(c.cursor, 3); /* skips the disabled item */
    choicelist_key(&c, KEY_DOWN);
    CHECK_INT(c.cursor, 3);
    choicelist_key(&c, KEY_UP);
    CHECK_INT(c.cursor, 1);
    CHECK_INT(choicelist_key(&c, ' '), 1);
    CHECK(items[1].on);
    choicelist_key(&c, ' ');
    CHECK(!items[1].on);
    CHECK_INT(choicelist_key(&c, 'a'), 1);
    CHECK(items[0].on && items[1].on && items[3].on && !items[2].on);
    choicelist_key(&c, 'a');
    CHECK(!items[0].on && !items[1].on && !items[3].on);
    items[0].on = 1; /* some on: 'a' turns all on */
    choicelist_key(&c, 'a');
    CHECK(items[0].on && items[1].on && items[3].on);
    choicelist_key(&c, KEY_END);
    CHECK_INT(c.cursor, 3);
    choicelist_key(&c, KEY_HOME);
    CHECK_INT(c.cursor, 0);
    CHECK_INT(choicelist_key(&c, 'z'), 0);
    CHECK_INT(choicelist_key(&c, '\n'), 0);
}

static void test_radio_keys(void)
{
    choice_item items[4];
    memcpy(items, demo_items, sizeof items);
    choicelist c = {items, 4, 0, 0, 0};
    choicelist_key(&c, KEY_DOWN);
    CHECK_INT(choicelist_selected(&c), 1);
    CHECK(!items[0].on && items[1].on);
    choicelist_key(&c, KEY_DOWN);
    CHECK_INT(choicelist_selected(&c), 3);
    CHECK(items[3].on && !items[1].on);
    CHECK_INT(choicelist_key(&c, 'a'), 0);
    CHECK_INT(choicelist_key(&c, ' '), 1);
    CHECK_INT(choicelist_selected(&c), 3);
    choicelist empty = {NULL, 0, 0, 0, 0};
    CHECK_INT(choicelist_key(&empty, KEY_DOWN), 0);
}

static void test_choicelist_draw(void)
{
    theme_init(0, 1);
    choice_item items[4];
    memcpy(items, demo_items, sizeof items);
    items[0].on = 1;
    choicelist c = {items, 4, 1, 0, 1};
    ui_rect r = {1, 2, 4, 30};
    fill_hash();
    choicelist_draw(&c, stdscr, r, 1);
    /* The real cursor sits on the focused row, for screen readers. */
    CHECK_INT(getcury(stdscr), 2);
    CHECK_INT(getcurx(stdscr), 2);
    CHECK_STR(cells(1, 2, 30), "  [x] Alpha  first            ");
    CHECK_STR(cells(2, 2, 30), "> [ ] Beta                    ");
    CHECK_STR(cells(3, 2, 30), "  [ ] Gamma                   ");
    CHECK(outside_untouched(r));
    CHECK(attr_at(2, 2) & A_REVERSE);
    CHECK_INT(attr_at(1, 8), theme_attr(UI_SELECTED));
    CHECK_INT(attr_at(3, 8), theme_attr(UI_DIM));
    /* Not focused: no pointer, no highlight. */
    choicelist_draw(&c, stdscr, r, 0);
    CHECK_STR(cells(2, 2, 12), "  [ ] Beta  ");
    CHECK(!(attr_at(2, 2) & A_REVERSE));
    /* Radio glyphs follow the cursor. */
    c.multi = 0;
    choicelist_draw(&c, stdscr, r, 0);
    CHECK_STR(cells(1, 2, 10), "  ( ) Alph");
    CHECK_STR(cells(2, 2, 10), "  (*) Beta");
}

static void test_choicelist_scroll(void)
{
    theme_init(0, 1);
    choice_item items[10];
    static const char *names[10] = {"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9"};
    for (int i = 0; i < 10; i++)
        items[i] = (choice_item){names[i], NULL, 0, 0};
    choicelist c = {items, 10, 5, 0, 1};
    ui_rect r = {0, 0, 3, 12};
    fill_hash();
    choicelist_draw(&c, stdscr, r, 1);
    CHECK_STR(cells(0, 0, 12), "  [ ] i3   ^");
    CHECK_STR(cells(2, 0, 12), "> [ ] i5   v");
    CHECK_INT(getcury(stdscr), 2);
    CHECK(outside_untouched(r));
    c.cursor = 9;
    choicelist_draw(&c, stdscr, r, 1);
    CHECK_STR(cells(2, 0, 12), "> [ ] i9    ");
    c.cursor = 0;
    choicelist_draw(&c, stdscr, r, 1);
    CHECK_STR(cells(0, 0, 12), "> [ ] i0    ");
    CHECK_STR(cells(2, 0, 12), "  [ ] i2   v");
}

/* ---- text field ---- */

static void test_textfield_edit(void)
{
    textfield f = {0};
    send_keys(&f, "abc");
    CHECK_STR(f.text, "abc");
    CHECK_INT(f.cursor, 3);
    textfield_key(&f, KEY_LEFT);
    CHECK_INT(textfield_key(&f, KEY_BACKSPACE), 1);
    CHECK_STR(f.text, "ac");
    CHECK_INT(f.cursor, 1);
    textfield_key(&f, KEY_HOME);
    textfield_key(&f, KEY_DC);
    CHECK_STR(f.text, "c");
    textfield_key(&f, KEY_END);
    send_keys(&f, "\xc3\xa9"); /* é, byte by byte as wgetch gives it */
    CHECK_STR(f.text, "c\xc3\xa9");
    textfield_key(&f, KEY_LEFT);
    CHECK_INT(f.cursor, 1); /* one character, two bytes */
    textfield_key(&f, KEY_RIGHT);
    textfield_key(&f, 127);
    CHECK_STR(f.text, "c");
    textfield_key(&f, 0x15); /* Ctrl-U */
    CHECK_STR(f.text, "");
    CHECK_INT(textfield_key(&f, '\n'), 0); /* Enter, Tab, Esc are the caller's */
    CHECK_INT(textfield_key(&f, '\t'), 0);
    CHECK_INT(textfield_key(&f, 27), 0);
    CHECK_INT(textfield_key(&f, KEY_UP), 0);
    f.max = 3;
    send_keys(&f, "abcd");
    CHECK_STR(f.text, "abc");
    textfield_key(&f, KEY_BACKSPACE);
    send_keys(&f, "日"); /* 3 bytes do not fit after "ab" */
    CHECK_STR(f.text, "ab");
    textfield_set(&f, "hello");
    CHECK_STR(f.text, "hel");
    CHECK_INT(f.cursor, 3);
    textfield_free(&f);
    CHECK(f.text == NULL);
}

static void test_textfield_paste(void)
{
    textfield f = {0};
    textfield_key(&f, UI_KEY_PASTE_BEGIN);
    CHECK(f.in_paste);
    send_keys(&f, "  arn:aws:iam::123456789012:role/X\n");
    CHECK_INT(textfield_key(&f, UI_KEY_PASTE_END), 1);
    CHECK(!f.in_paste);
    CHECK_STR(f.text, "arn:aws:iam::123456789012:role/X");
    CHECK_INT(f.cursor, f.len);
    /* Line breaks inside a paste are dropped, not submitted. */
    textfield_set(&f, "");
    textfield_key(&f, UI_KEY_PASTE_BEGIN);
    CHECK_INT(textfield_key(&f, '\n'), 1);
    send_keys(&f, "ab\r\ncd\t");
    textfield_key(&f, UI_KEY_PASTE_END);
    CHECK_STR(f.text, "abcd");
    /* ESC and other controls are pasted text, shown escaped, not lost. */
    textfield_set(&f, "");
    textfield_key(&f, UI_KEY_PASTE_BEGIN);
    send_keys(&f, "role/\x1b]52;c;SGk=\x07");
    textfield_key(&f, UI_KEY_PASTE_END);
    CHECK_STR(f.text, "role/\x1b]52;c;SGk=\x07");
    fill_hash();
    textfield_draw(&f, stdscr, (ui_rect){.y = 0, .x = 0, .h = 1, .w = 30}, 0);
    CHECK_STR(cells(0, 0, 23), "role/\\x1b]52;c;SGk=\\x07");
    /* textfield_trim keeps the first line only. */
    textfield_set(&f, " \tfirst line \nsecond");
    textfield_trim(&f);
    CHECK_STR(f.text, "first line");
    textfield_free(&f);
}

static void test_textfield_draw(void)
{
    theme_init(0, 1);
    textfield f = {0};
    textfield_set(&f, "abcdefghijklmnopqrstuvwxyz");
    ui_rect r = {1, 2, 1, 10};
    fill_hash();
    textfield_draw(&f, stdscr, r, 1);
    /* Cursor at the end: scrolled, with a mark for the hidden start. */
    int cy = getcury(stdscr), cx = getcurx(stdscr);
    CHECK_STR(cells(1, 2, 10), "<stuvwxyz ");
    CHECK_INT(cy, 1);
    CHECK_INT(cx, 2 + 9);
    CHECK(outside_untouched(r));
    textfield_key(&f, KEY_HOME);
    textfield_draw(&f, stdscr, r, 1);
    cx = getcurx(stdscr);
    CHECK_STR(cells(1, 2, 10), "abcdefghi>");
    CHECK_INT(cx, 2);
    for (int i = 0; i < 12; i++)
        textfield_key(&f, KEY_RIGHT);
    textfield_draw(&f, stdscr, r, 1);
    cx = getcurx(stdscr);
    CHECK_STR(cells(1, 2, 10), "<fghijklm>");
    CHECK_STR(cells(1, cx, 1), "m");
    CHECK(outside_untouched(r));
    /* Wide characters scroll by whole characters. */
    textfield_set(&f, "日本語日本語");
    textfield_draw(&f, stdscr, (ui_rect){1, 2, 1, 8}, 1);
    cx = getcurx(stdscr);
    CHECK_STR(cells(1, 2, 8), "<日本語 ");
    CHECK_INT(cx, 2 + 7);
    CHECK(attr_at(1, 3) & A_UNDERLINE || attr_at(1, 3) & A_REVERSE);
    textfield_free(&f);
}

static void test_textfield_masked(void)
{
    theme_init(0, 0);
    const char *secret = "wJalrXUtnFEMI/K7MDENG";
    textfield f = {0};
    f.masked = 1;
    textfield_set(&f, secret);
    fill_hash();
    textfield_draw(&f, stdscr, (ui_rect){0, 0, 1, 30}, 1);
    CHECK_INT(getcurx(stdscr), 21);
    CHECK_STR(cells(0, 0, 31), "*********************         #");
    /* Narrow, scrolled, cursor in the middle: still only stars. */
    for (int w = 1; w <= 25; w++) {
        fill_hash();
        textfield_draw(&f, stdscr, (ui_rect){0, 0, 1, w}, w % 2);
        const char *row = cells(0, 0, w);
        CHECK(strpbrk(row, "wJalrXUtnFEMI/K7MDENG") == NULL);
        textfield_key(&f, KEY_LEFT);
    }
    textfield_free(&f);
}

/* ---- output cost ---- */

/* Scrolling the pane by one line must cost about one line of output, not
 * a repaint: the draw functions touch only their rectangle and leave the
 * rest of the screen to ncurses' optimiser. */
static long draw_and_count(FILE *out, textpane *t, ui_rect r)
{
    long before = ftell(out);
    textpane_draw(t, stdscr, r, 1);
    wrefresh(stdscr);
    fflush(out);
    return ftell(out) - before;
}

static void test_scroll_cost(void)
{
    FILE *out = tmpfile();
    SCREEN *s = newterm("xterm-256color", out, null_in);
    CHECK(s != NULL);
    if (!s)
        return;
    set_term(s);
    idlok(stdscr, TRUE);
    theme_init(0, 0);
    textpane t = {0};
    char *text = numbered_lines(300);
    textpane_set(&t, text, 0, 1);
    free(text);
    ui_rect r = {0, 0, LINES, COLS};
    long first = draw_and_count(out, &t, r);
    textpane_key(&t, KEY_DOWN, r.h);
    long scroll = draw_and_count(out, &t, r);
    long again = draw_and_count(out, &t, r);
    CHECK(scroll > 0 && scroll < 150);
    CHECK(scroll * 4 < first);
    CHECK(again < 16);
    if (check_case_failed)
        fprintf(stderr, "  bytes: first frame %ld, one-line scroll %ld, unchanged %ld\n", first,
                scroll, again);
    textpane_free(&t);
    endwin();
    set_term(screen);
    delscreen(s);
    fclose(out);
}

int main(void)
{
    check_suite = "widgets";
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        printf("not ok - widgets: the C.UTF-8 locale is missing\n");
        return 1;
    }
    null_in = fopen("/dev/null", "r");
    null_out = fopen("/dev/null", "w");
    screen = null_in && null_out ? newterm("xterm-256color", null_out, null_in) : NULL;
    if (!screen) {
        printf("not ok - widgets: newterm on /dev/null failed\n");
        return 1;
    }
    start_color();

    check_run("ui_put clips to its columns", test_put_clips);
    check_run("ui_put measures CJK and combining characters", test_put_cjk);
    check_run("ui_put shows control characters as \\xNN", test_put_controls);
    check_run("ui_clear blanks only its rectangle", test_clear_rect);
    check_run("ui_box in ASCII with a title", test_box_ascii);
    check_run("ui_wrap breaks at words and marks overflow", test_wrap);
    check_run("glyphs: ASCII, UTF-8, and non-UTF-8 locale", test_glyphs);
    check_run("monochrome keeps roles apart", test_mono_distinct);
    check_run("colour theme: one pair per coloured role", test_color_theme);
    check_run("textpane_wrap: words, hanging steps, UTF-8", test_textpane_wrap);
    check_run("textpane scrolls with numbers and position", test_textpane_scroll);
    check_run("textpane clips long and wide lines", test_textpane_short_and_clip);
    check_run("textpane colours JSON keys, strings, numbers", test_json_colours);
    check_run("checklist navigation, toggle and all", test_choicelist_keys);
    check_run("radio list selects with the cursor", test_radio_keys);
    check_run("choicelist draws pointer and places the cursor", test_choicelist_draw);
    check_run("choicelist scrolls to the cursor", test_choicelist_scroll);
    check_run("textfield editing", test_textfield_edit);
    check_run("textfield bracketed paste is trimmed", test_textfield_paste);
    check_run("textfield scrolls to keep the cursor visible", test_textfield_draw);
    check_run("masked textfield never shows the secret", test_textfield_masked);
    check_run("one-line scroll costs one line of output", test_scroll_cost);

    endwin();
    delscreen(screen);
    fclose(null_in);
    fclose(null_out);
    return check_exit();
}
