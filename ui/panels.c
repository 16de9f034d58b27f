#include "panels.h"

#include "theme.h"

static const panel_ops *const panels[W__COUNT] = {
    [W_WELCOME] = &panel_welcome,
    [W_PROVIDER] = &panel_provider,
    [W_METHOD] = &panel_method,
    [W_PARTITION] = &panel_partition,
    [W_SPOT] = &panel_spot,
    [W_AWS_LOGIN] = &panel_aws_login,
    [W_PERMISSIONS] = &panel_permissions,
    [W_POLICY] = &panel_policy,
    [W_ROLE] = &panel_role,
    [W_CONNECT] = &panel_connect,
    [W_DONE] = &panel_done,
};

const panel_ops *panel_for(wiz_step s)
{
    return panels[s];
}

int pnl_is_enter(int key)
{
    return key == '\r' || key == '\n' || key == KEY_ENTER;
}

/* The newest lines that fit, each wrapped: a long path or ID is never cut. */
void pnl_draw_progress(app *a, WINDOW *w, ui_rect r)
{
    int first = a->nprogress, rows = 0;
    while (first > 0) {
        int h = ui_wrap(NULL, (ui_rect){.y = 0, .x = 0, .h = 1, .w = r.w}, A_NORMAL,
                        a->progress[first - 1]);
        if (rows + h > r.h && first < a->nprogress)
            break;
        rows += h;
        first--;
    }
    for (int i = first; i < a->nprogress && r.h > 0; i++) {
        int used = ui_wrap(w, r, theme_attr(UI_NORMAL), a->progress[i]);
        r.y += used;
        r.h -= used;
    }
}

void pnl_resume_go(app *a)
{
    wiz_step to = a->resume_to;
    a->resume_to = W_WELCOME;
    app_goto(a, to);
    app_set_status(a, 0, "Resumed: the saved answers are kept.");
}
