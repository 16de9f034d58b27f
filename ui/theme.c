/* Roles to attributes, and the glyphs. Two designed themes: colour (one
 * pair per role on the terminal's own background) and monochrome, which
 * uses attributes only so NO_COLOR and colourless terminals lose nothing
 * that matters (reference tui.md §4.2). */
#include "theme.h"

#include <langinfo.h>
#include <string.h>

#include "util/ascii.h"

typedef struct role_style {
    short fg; /* -1: the terminal's default foreground */
    short bg;
    attr_t color_attr; /* added to the colour pair */
    attr_t mono_attr;
} role_style;

#define D (-1)

/* Monochrome has 16 attribute combinations for 18 roles, so roles share
 * one only where they never meet: the bars (header, footer) are alike,
 * borders are line glyphs, and OK and the title live on different lines.
 * Roles that do meet differ:
 *   list:       normal 0, focus reverse+bold, selected bold, dim dim;
 *   status:     status 0, ok bold, warn bold+underline, error
 *               reverse+underline;
 *   field:      input underline, focused reverse+bold;
 *   JSON pane:  key bold, string 0, number underline, punctuation and line
 *               numbers dim (the gutter is set off by position). */
static const role_style styles[UI__COUNT] = {
    [UI_NORMAL] = {D, D, A_NORMAL, A_NORMAL},
    [UI_TITLE] = {D, D, A_BOLD, A_BOLD},
    [UI_HEADER] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [UI_FOOTER] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [UI_STATUS] = {COLOR_CYAN, D, A_NORMAL, A_NORMAL},
    [UI_FOCUS] = {D, D, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD},
    [UI_SELECTED] = {COLOR_GREEN, D, A_BOLD, A_BOLD},
    [UI_DIM] = {D, D, A_DIM, A_DIM},
    [UI_ERROR] = {COLOR_RED, D, A_BOLD, A_REVERSE | A_UNDERLINE},
    [UI_OK] = {COLOR_GREEN, D, A_NORMAL, A_BOLD},
    [UI_WARN] = {COLOR_YELLOW, D, A_BOLD, A_BOLD | A_UNDERLINE},
    [UI_INPUT] = {D, D, A_UNDERLINE, A_UNDERLINE},
    [UI_BORDER] = {D, D, A_NORMAL, A_NORMAL},
    [UI_LINENO] = {D, D, A_DIM, A_DIM},
    [UI_JSON_KEY] = {COLOR_CYAN, D, A_NORMAL, A_BOLD},
    [UI_JSON_STRING] = {COLOR_GREEN, D, A_NORMAL, A_NORMAL},
    [UI_JSON_NUMBER] = {COLOR_MAGENTA, D, A_NORMAL, A_UNDERLINE},
    [UI_JSON_PUNCT] = {D, D, A_NORMAL, A_DIM},
};

#undef D

static attr_t role_attrs[UI__COUNT];
static int color_on;
static int ascii_on = 1; /* until theme_init says otherwise */

static int locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (ascii_strcasecmp(cs, "UTF-8") == 0 || ascii_strcasecmp(cs, "utf8") == 0);
}

/* A role that only changes attributes needs no pair; pair numbers follow
 * the roles so they stay stable across theme_init calls. */
static int role_needs_pair(const role_style *s)
{
    return s->fg != -1 || s->bg != -1;
}

static int setup_pairs(void)
{
    /* -1 (the terminal's own colours) needs use_default_colors; without it
     * fall back to white on black, what most terminals show anyway. */
    int dflt = use_default_colors() == OK;
    if (COLOR_PAIRS <= UI__COUNT)
        return -1;
    for (int r = 0; r < UI__COUNT; r++) {
        const role_style *s = &styles[r];
        if (!role_needs_pair(s))
            continue;
        short fg = (short)(s->fg == -1 && !dflt ? COLOR_WHITE : s->fg);
        short bg = (short)(s->bg == -1 && !dflt ? COLOR_BLACK : s->bg);
        if (init_pair((short)r, fg, bg) == ERR)
            return -1;
    }
    return 0;
}

void theme_init(int use_color, int ascii)
{
    color_on = use_color && has_colors() && setup_pairs() == 0;
    ascii_on = ascii || !locale_is_utf8();
    for (int r = 0; r < UI__COUNT; r++) {
        const role_style *s = &styles[r];
        if (!color_on)
            role_attrs[r] = s->mono_attr;
        else if (role_needs_pair(s))
            role_attrs[r] = s->color_attr | COLOR_PAIR(r);
        else
            role_attrs[r] = s->color_attr;
    }
}

attr_t theme_attr(ui_role role)
{
    if ((int)role < 0 || role >= UI__COUNT)
        return A_NORMAL;
    return role_attrs[role];
}

int theme_color(void)
{
    return color_on;
}

int theme_ascii(void)
{
    return ascii_on;
}

/* The UTF-8 glyphs keep the ASCII widths (three columns, brackets kept)
 * so layouts do not move when the mode changes; wcwidth gives both marks
 * one column. */
const char *theme_glyph_check(void)
{
    return ascii_on ? "[x]" : "[\u2713]";
}

const char *theme_glyph_uncheck(void)
{
    return "[ ]";
}

const char *theme_glyph_radio_on(void)
{
    return ascii_on ? "(*)" : "(\u2022)";
}

const char *theme_glyph_radio_off(void)
{
    return "( )";
}

/* Always ">": screen readers speak it ("greater"), while arrows and block
 * glyphs are announced as long names or dropped (tui.md §4.9). */
const char *theme_glyph_pointer(void)
{
    return ">";
}
