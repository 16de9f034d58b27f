/* The copy pane: the values the manual path needs, each one key away from
 * the clipboard, over SSH too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clipboard.h"
#include "doc/policy_split.h"
#include "engine/connect.h"
#include "engine/state.h"
#include "term.h"
#include "theme.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define TAB '\t'

static const char *const labels[COPY__N] = {"policy", "Spot's AWS account", "External ID",
                                            "role ARN"};
static const char *const files[COPY__N] = {"spot-policy.json", "spot-account-id.txt",
                                           "external-id.txt", "role-arn.txt"};

/* ---- the items: the policy's parts, then the others ---- */

static size_t part_count(const app *a)
{
    return a->npolicy_parts > 1 ? a->npolicy_parts : 1;
}

static int item_count(const app *a)
{
    return (int)part_count(a) + COPY__N - 1;
}

int app_copy_number(const app *a, copy_item item)
{
    return item == COPY_POLICY ? 1 : (int)item + (int)part_count(a);
}

void app_part_name(size_t i, char *out, size_t len)
{
    char *name = policy_part_name(CONNECT_DEFAULT_POLICY, i);
    snprintf(out, len, "%s", name);
    free(name);
}

void app_set_policy_parts(app *a, char **parts, size_t n)
{
    for (size_t i = 0; i < a->npolicy_parts; i++)
        free(a->policy_parts[i]);
    free(a->policy_parts);
    a->policy_parts = NULL;
    a->npolicy_parts = 0;
    if (n > 1) {
        a->policy_parts = xcalloc(n, sizeof *a->policy_parts);
        for (size_t i = 0; i < n; i++)
            a->policy_parts[i] = xstrdup(parts[i]);
        a->npolicy_parts = n;
    }
    if (a->policy_part >= part_count(a))
        a->policy_part = 0;
    if (n > 0)
        app_set_copy(a, COPY_POLICY, parts[0]);
    if (a->npolicy_parts > 1)
        textpane_set(&a->policy, a->policy_parts[a->policy_part], 1, 1);
}

/* Item v (0-based, as numbered on screen): which item, which part. */
static copy_item item_at(const app *a, int v, size_t *part)
{
    *part = 0;
    if ((size_t)v < part_count(a)) {
        *part = (size_t)v;
        return COPY_POLICY;
    }
    return (copy_item)(v - (int)part_count(a) + 1);
}

static int focused_number(const app *a)
{
    return app_copy_number(a, a->copy_focus) - 1 +
           (a->copy_focus == COPY_POLICY ? (int)a->policy_part : 0);
}

static const char *item_text(const app *a, copy_item it, size_t part)
{
    if (it == COPY_POLICY && a->npolicy_parts > 1)
        return a->policy_parts[part];
    return a->copy_text[it];
}

static const char *focused_text(const app *a)
{
    return item_text(a, a->copy_focus, a->policy_part);
}

/* The label of an item: a split policy's parts by the name IAM must give
 * them. */
static void item_label(const app *a, copy_item it, size_t part, char *out, size_t len)
{
    if (it == COPY_POLICY && a->npolicy_parts > 1)
        app_part_name(part, out, len);
    else
        snprintf(out, len, "%s", labels[it]);
}

static void focus_item(app *a, int v)
{
    size_t part;
    a->copy_focus = item_at(a, v, &part);
    if (a->copy_focus == COPY_POLICY && a->npolicy_parts > 1 && part != a->policy_part) {
        a->policy_part = part;
        textpane_set(&a->policy, a->policy_parts[part], 1, 1);
    }
}

/* The tabs, wrapped onto more rows when a split policy has many parts;
 * returns the rows taken. */
static int draw_tabs(app *a, WINDOW *w, ui_rect r)
{
    int x = r.x, y = r.y;
    for (int v = 0; v < item_count(a); v++) {
        size_t part;
        copy_item it = item_at(a, v, &part);
        char label[160], tab[192];
        item_label(a, it, part, label, sizeof label);
        snprintf(tab, sizeof tab, " %d %s ", v + 1, label);
        int width = (int)strlen(tab);
        if (x > r.x && x + width > r.x + r.w) {
            x = r.x;
            y++;
        }
        attr_t at = theme_attr(v == focused_number(a) ? UI_FOCUS : UI_DIM);
        if (!item_text(a, it, part))
            at = theme_attr(UI_DIM);
        ui_put(w, y, x, r.w - (x - r.x), at, tab);
        x += width + 1;
    }
    return y - r.y + 1;
}

/* The last copy's file on its own rows above the keys, wrapped, never cut:
 * the operator may have to open it by hand. Returns the rows it took. */
static int draw_saved(app *a, WINDOW *w, ui_rect r)
{
    if (!a->copy_saved[0])
        return 0;
    char line[4200];
    snprintf(line, sizeof line, "Saved to %s", a->copy_saved);
    int h = ui_wrap(NULL, (ui_rect){.y = 0, .x = 0, .h = 1, .w = r.w}, A_NORMAL, line);
    if (h > r.h - 4)
        h = r.h - 4 > 0 ? r.h - 4 : 0; /* too small a pane: the status line has it too */
    ui_wrap(w, (ui_rect){.y = r.y + r.h - 1 - h, .x = r.x, .h = h, .w = r.w}, theme_attr(UI_DIM),
            line);
    return h;
}

void app_draw_copy(app *a, WINDOW *w, ui_rect r)
{
    if (r.h < 4)
        return;
    int tabs = draw_tabs(a, w, r);
    int saved = draw_saved(a, w, r);
    ui_rect item = {.y = r.y + tabs, .x = r.x, .h = r.h - 1 - tabs - saved, .w = r.w};
    const char *text = focused_text(a);
    if (a->copy_focus == COPY_POLICY && text)
        textpane_draw(&a->policy, w, item, 1);
    else
        ui_wrap(w, item, theme_attr(UI_INPUT), text ? text : "(not known yet)");
    char keys[96];
    snprintf(keys, sizeof keys, "1-%d%s item  c copy  p print plainly  Up/Down scroll",
             item_count(a) > 9 ? 9 : item_count(a), item_count(a) > 9 ? "/Tab" : "");
    ui_put(w, r.y + r.h - 1, r.x, r.w, theme_attr(UI_DIM), keys);
}

/* A split policy's parts are saved as spot-policy.json, spot-policy-2.json, ... */
static void item_file(const app *a, char *out, size_t len)
{
    if (a->copy_focus == COPY_POLICY && a->policy_part > 0)
        snprintf(out, len, "spot-policy-%zu.json", a->policy_part + 1);
    else
        snprintf(out, len, "%s", files[a->copy_focus]);
}

static void copy_focused(app *a)
{
    const char *text = focused_text(a);
    char label[160], file[64];
    item_label(a, a->copy_focus, a->policy_part, label, sizeof label);
    item_file(a, file, sizeof file);
    if (!text) {
        app_set_status(a, 1, "the %s is not known yet", labels[a->copy_focus]);
        return;
    }
    char *dir = state_dir();
    clip_env env;
    clip_env_detect(&env, term_fd(), dir);
    clip_result res;
    /* After doupdate(): the escape sequence must not land mid-frame. */
    clip_copy(&env, label, file, text, strlen(text), &res);
    free(dir);
    snprintf(a->copy_saved, sizeof a->copy_saved, "%s", res.file);
    app_set_status(a, res.file[0] == '\0' && !res.osc52, "%s", res.message);
}

/* Leaves curses and prints the item as plain text, so the terminal's own
 * selection can take it. */
static void print_plainly(app *a)
{
    const char *text = focused_text(a);
    char label[160];
    item_label(a, a->copy_focus, a->policy_part, label, sizeof label);
    if (!text)
        return;
    /* Escaped, line breaks kept: an ARN or a name from outside must not
     * drive the terminal now that curses no longer stands in between. */
    buf_t shown = BUF_INIT;
    escape_lines(&shown, text, strlen(text));
    term_suspend();
    printf("\n%s:\n\n%s\n\n(press Enter to return)\n", label, buf_str(&shown));
    fflush(stdout);
    buf_free(&shown);
    int c;
    while ((c = getchar()) != EOF && c != '\n' && c != '\r')
        ;
    term_resume();
    a->redraw = 1;
}

int app_copy_key(app *a, int key)
{
    if (key >= '1' && key <= '9' && key - '1' < item_count(a)) {
        focus_item(a, key - '1');
        return 1;
    }
    if (key == TAB || key == KEY_BTAB) {
        int n = item_count(a);
        focus_item(a, (focused_number(a) + (key == TAB ? 1 : n - 1)) % n);
        return 1;
    }
    if (key == 'c') {
        copy_focused(a);
        return 1;
    }
    if (key == 'p') {
        print_plainly(a);
        return 1;
    }
    if (a->copy_focus == COPY_POLICY)
        return textpane_key(&a->policy, key, LINES > 20 ? LINES - 16 : 4);
    return 0;
}
