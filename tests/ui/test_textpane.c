/* The text pane (wrapping, scrolling, clipping, JSON colours) and what a
 * one-line scroll costs in bytes, drawn into a real curses screen. */
#include "screen_fixture.h"

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
    check_suite = "textpane";
    if (!screenfx_open(check_suite))
        return 1;
    check_run("textpane_wrap: words, hanging steps, UTF-8", test_textpane_wrap);
    check_run("textpane scrolls with numbers and position", test_textpane_scroll);
    check_run("textpane clips long and wide lines", test_textpane_short_and_clip);
    check_run("textpane colours JSON keys, strings, numbers", test_json_colours);
    check_run("one-line scroll costs one line of output", test_scroll_cost);
    screenfx_close();
    return check_exit();
}
