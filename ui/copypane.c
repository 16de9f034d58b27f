/* The copy pane: the values the manual path needs, each one key away from
 * the clipboard, over SSH too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clipboard.h"
#include "engine/state.h"
#include "term.h"
#include "theme.h"
#include "util/buf.h"
#include "util/escape.h"

static const char *const labels[COPY__N] = {"policy", "Spot's AWS account", "External ID",
                                            "role ARN"};
static const char *const files[COPY__N] = {"spot-policy.json", "spot-account-id.txt",
                                           "external-id.txt", "role-arn.txt"};

static void draw_tabs(app *a, WINDOW *w, ui_rect r)
{
    int x = r.x;
    for (int i = 0; i < COPY__N; i++) {
        char tab[64];
        snprintf(tab, sizeof tab, " %d %s ", i + 1, labels[i]);
        attr_t at = theme_attr((copy_item)i == a->copy_focus ? UI_FOCUS : UI_DIM);
        if (!a->copy_text[i])
            at = theme_attr(UI_DIM);
        ui_put(w, r.y, x, r.w - (x - r.x), at, tab);
        x += (int)strlen(tab) + 1;
    }
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
    draw_tabs(a, w, r);
    int saved = draw_saved(a, w, r);
    ui_rect item = {.y = r.y + 1, .x = r.x, .h = r.h - 2 - saved, .w = r.w};
    const char *text = a->copy_text[a->copy_focus];
    if (a->copy_focus == COPY_POLICY && text)
        textpane_draw(&a->policy, w, item, 1);
    else
        ui_wrap(w, item, theme_attr(UI_INPUT), text ? text : "(not known yet)");
    ui_put(w, r.y + r.h - 1, r.x, r.w, theme_attr(UI_DIM),
           "1-4 item  c copy  p print plainly  Up/Down scroll");
}

static void copy_focused(app *a)
{
    const char *text = a->copy_text[a->copy_focus];
    if (!text) {
        app_set_status(a, 1, "the %s is not known yet", labels[a->copy_focus]);
        return;
    }
    char *dir = state_dir();
    clip_env env;
    clip_env_detect(&env, term_fd(), dir);
    clip_result res;
    /* After doupdate(): the escape sequence must not land mid-frame. */
    clip_copy(&env, labels[a->copy_focus], files[a->copy_focus], text, strlen(text), &res);
    free(dir);
    snprintf(a->copy_saved, sizeof a->copy_saved, "%s", res.file);
    app_set_status(a, res.file[0] == '\0' && !res.osc52, "%s", res.message);
}

/* Leaves curses and prints the item as plain text, so the terminal's own
 * selection can take it. */
static void print_plainly(app *a)
{
    const char *text = a->copy_text[a->copy_focus];
    if (!text)
        return;
    /* Escaped, line breaks kept: an ARN or a name from outside must not
     * drive the terminal now that curses no longer stands in between. */
    buf_t shown = BUF_INIT;
    escape_lines(&shown, text, strlen(text));
    term_suspend();
    printf("\n%s:\n\n%s\n\n(press Enter to return)\n", labels[a->copy_focus], buf_str(&shown));
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
    if (key >= '1' && key < '1' + COPY__N) {
        a->copy_focus = (copy_item)(key - '1');
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
