#include "rules_form.h"

#include <stdio.h>
#include <string.h>

#include "theme.h"
#include "wizard/rules.h"

#define KEY_ESC 27

static const char *const labels[RULES_FORM_FIELDS] = {
    "Role name", "Policy name", "Permissions boundary", "IAM path", "Tags",
};

static const char *const hints[RULES_FORM_FIELDS] = {
    "empty: Spot-Role",
    "empty: Spot-Policy",
    "a managed policy's ARN, arn:aws:iam::ACCOUNT:policy/NAME; empty: none",
    "/PATH/, empty: /; IAM cannot move a role or policy that exists",
    "KEY=VALUE, KEY=VALUE: up to 50, on the role and the policy",
};

int rules_form_offered(const app *a)
{
    if (app_busy(a) || a->wz.method == CONNECT_MANUAL)
        return 0; /* manual: the operator makes the role and policy */
    return a->wz.step == W_PERMISSIONS || a->wz.step == W_POLICY;
}

void rules_form_open(app *a)
{
    const wizard *z = &a->wz;
    const char *values[RULES_FORM_FIELDS] = {z->role_name, z->policy_name, z->boundary, z->iam_path,
                                             z->tags};
    for (int i = 0; i < RULES_FORM_FIELDS; i++) {
        textfield_set(&a->rules_field[i], values[i]);
        a->rules_field[i].max = i == 4 ? WIZ_RULES_TAGS_LEN - 1 : 2048;
    }
    a->rules_focus = 0;
    a->rules_open = 1;
    app_set_status(a, 0, "Options: Tab moves between fields, Enter saves, Esc cancels.");
}

static ui_rect form_box(const app *a)
{
    return (ui_rect){.y = 3, .x = 2, .h = 3 * RULES_FORM_FIELDS + 3, .w = a->cols - 4};
}

void rules_form_draw(app *a)
{
    if (!a->rules_open)
        return;
    ui_rect box = form_box(a);
    ui_clear(stdscr, box, theme_attr(UI_NORMAL));
    ui_box(stdscr, box, "Options: company rules for the role and the policy");
    int y = box.y + 2;
    for (int i = 0; i < RULES_FORM_FIELDS; i++, y += 3) {
        ui_put(stdscr, y, box.x + 2, 22, theme_attr(UI_NORMAL), labels[i]);
        textfield_draw(&a->rules_field[i], stdscr,
                       (ui_rect){.y = y, .x = box.x + 24, .h = 1, .w = box.w - 26},
                       a->rules_focus == i);
        ui_put(stdscr, y + 1, box.x + 4, box.w - 6, theme_attr(UI_DIM), hints[i]);
    }
}

static void save(app *a)
{
    char why[600];
    for (int i = 0; i < RULES_FORM_FIELDS; i++)
        textfield_trim(&a->rules_field[i]);
    const textfield *f = a->rules_field;
    if (wiz_rules_set(&a->wz, f[0].text, f[1].text, f[2].text, f[3].text, f[4].text, why,
                      sizeof why) != 0) {
        app_set_status(a, 1, "%s", why);
        return;
    }
    a->rules_open = 0;
    char summary[3000];
    wiz_rules_summary(&a->wz, summary, sizeof summary);
    app_set_status(a, 0, "Options saved: %s.", summary);
}

void rules_form_key(app *a, int key)
{
    if (key == KEY_ESC) {
        a->rules_open = 0;
        app_set_status(a, 0, "Options unchanged.");
    } else if (key == '\t' || key == KEY_DOWN) {
        a->rules_focus = (a->rules_focus + 1) % RULES_FORM_FIELDS;
    } else if (key == KEY_BTAB || key == KEY_UP) {
        a->rules_focus = (a->rules_focus + RULES_FORM_FIELDS - 1) % RULES_FORM_FIELDS;
    } else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
        save(a);
    } else {
        textfield_key(&a->rules_field[a->rules_focus], key);
    }
}

void rules_form_free(app *a)
{
    for (int i = 0; i < RULES_FORM_FIELDS; i++)
        textfield_free(&a->rules_field[i]);
}
