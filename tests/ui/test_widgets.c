/* Theme and widgets (drawing primitives, lists, text fields) drawn into a
 * real curses screen and read back cell by cell. The text pane is in
 * test_textpane.c. */
#include "screen_fixture.h"

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

int main(void)
{
    check_suite = "widgets";
    if (!screenfx_open(check_suite))
        return 1;
    check_run("ui_put clips to its columns", test_put_clips);
    check_run("ui_put measures CJK and combining characters", test_put_cjk);
    check_run("ui_put shows control characters as \\xNN", test_put_controls);
    check_run("ui_clear blanks only its rectangle", test_clear_rect);
    check_run("ui_box in ASCII with a title", test_box_ascii);
    check_run("ui_wrap breaks at words and marks overflow", test_wrap);
    check_run("glyphs: ASCII, UTF-8, and non-UTF-8 locale", test_glyphs);
    check_run("monochrome keeps roles apart", test_mono_distinct);
    check_run("colour theme: one pair per coloured role", test_color_theme);
    check_run("checklist navigation, toggle and all", test_choicelist_keys);
    check_run("radio list selects with the cursor", test_radio_keys);
    check_run("choicelist draws pointer and places the cursor", test_choicelist_draw);
    check_run("choicelist scrolls to the cursor", test_choicelist_scroll);
    check_run("textfield editing", test_textfield_edit);
    check_run("textfield bracketed paste is trimmed", test_textfield_paste);
    check_run("textfield scrolls to keep the cursor visible", test_textfield_draw);
    check_run("masked textfield never shows the secret", test_textfield_masked);
    screenfx_close();
    return check_exit();
}
