#include "help.h"

#include <stdlib.h>

#include "doc/trust.h"
#include "keybar.h"
#include "theme.h"

#define KEY_ESC 27

/* A split policy: one policy per copy item, each named as its item. */
static void split_policy_steps(const app *a, buf_t *out)
{
    char last[160];
    app_part_name(a->npolicy_parts - 1, last, sizeof last);
    buf_printf(out,
               "The policy is over IAM's 6,144 characters: create %zu policies, items 1-%zu "
               "below (" CONNECT_DEFAULT_POLICY " ... %s). For each item:\n"
               "1. In the AWS console: IAM > Policies > Create policy. Policy editor: JSON. "
               "Delete the text there.\n"
               "2. Paste the item (c copies it, p prints it).\n"
               "3. Next. Policy name: the item's name. Create policy.",
               a->npolicy_parts, a->npolicy_parts, last);
}

void help_policy_steps(const app *a, buf_t *out)
{
    if (a->npolicy_parts > 1) {
        split_policy_steps(a, out);
        return;
    }
    buf_puts(out, "In the AWS console: IAM > Policies > Create policy.\n"
                  "1. Policy editor: JSON. Delete the text there.\n"
                  "2. Paste the policy (item 1 below: c copies it, p prints it).\n"
                  "3. Next. Policy name: " CONNECT_DEFAULT_POLICY ". Create policy.");
}

/* "Spot-Policy" or "Spot-Policy, Spot-Policy-2 and Spot-Policy-3". */
static void policy_names(const app *a, buf_t *out)
{
    size_t n = a->npolicy_parts > 1 ? a->npolicy_parts : 1;
    for (size_t i = 0; i < n; i++) {
        char name[160];
        app_part_name(i, name, sizeof name);
        buf_printf(out, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", name);
    }
}

void help_role_steps(const app *a, buf_t *out)
{
    const char *principal = a->copy_text[COPY_PRINCIPAL] ? a->copy_text[COPY_PRINCIPAL]
                            : a->wz.spot_principal[0]    ? a->wz.spot_principal
                                                         : TRUST_SPOT_ACCOUNT_AWS;
    int ext = app_copy_number(a, COPY_EXTERNAL_ID);
    char from_spot[32];
    snprintf(from_spot, sizeof from_spot, "(item %d, from Spot)", ext);
    buf_t names = BUF_INIT;
    policy_names(a, &names);
    buf_printf(out,
               "In the AWS console: IAM > Roles > Create role.\n"
               "1. Trusted entity type: AWS account > Another AWS account.\n"
               "2. Account ID: %s (item %d).\n"
               "3. Options: tick Require external ID. External ID: %s (item %d). Next.\n"
               "4. Permissions: search " CONNECT_DEFAULT_POLICY ", tick %s. Next.\n"
               "5. Role name: " CONNECT_DEFAULT_ROLE ". Create role.\n"
               "6. Open " CONNECT_DEFAULT_ROLE ", copy its ARN: the next panel asks for it.",
               principal, app_copy_number(a, COPY_PRINCIPAL),
               a->wz.external_id[0] ? a->wz.external_id : from_spot, ext,
               a->npolicy_parts > 1 ? buf_str(&names) : "it");
    buf_free(&names);
}

static void manual_steps(const app *a, buf_t *b)
{
    if (a->wz.method != CONNECT_MANUAL)
        return;
    switch (a->wz.step) {
    case W_AWS_LOGIN:
        buf_puts(b, "\n\nOn the AWS console: open https://console.aws.amazon.com/ and sign in "
                    "to the account to connect, as a user allowed to create IAM policies and "
                    "roles.");
        break;
    case W_POLICY:
        buf_puts(b, "\n\n");
        help_policy_steps(a, b);
        buf_puts(b, "\nIf Spot-Policy exists already: IAM > Policies > Spot-Policy > Edit > "
                    "JSON, paste, Next, Save changes.");
        break;
    case W_ROLE:
        buf_puts(b, "\n\n");
        help_role_steps(a, b);
        buf_puts(b, "\nThe ARN is on the role's Summary: arn:aws:iam::<account>:role/Spot-Role.");
        break;
    case W_CONNECT:
        buf_puts(b, "\n\nPaste the ARN copied from IAM > Roles > Spot-Role > Summary. "
                    "spot-connect hands it to Spot, which assumes the role to check it.");
        break;
    default:
        break;
    }
}

static int help_width(const app *a)
{
    return a->cols - 8 > 20 ? a->cols - 8 : 20;
}

static void help_build(app *a)
{
    buf_t raw = BUF_INIT;
    buf_printf(&raw, "Step %d of %d: %s\n\n%s", wiz_step_number(&a->wz, a->wz.step),
               wiz_step_count(&a->wz), wiz_step_title(a->wz.step), panel_for(a->wz.step)->help);
    manual_steps(a, &raw);
    buf_printf(&raw,
               "\n\nKeys here: %s.\nEverywhere: Ctrl-L redraws; Esc goes back (or cancels a "
               "running call); quitting keeps what was done, and running spot-connect again "
               "offers to resume.\n\nThis help: Up/Down/PgUp/PgDn/Home/End scroll; Esc, F1 or q "
               "closes it.",
               keybar_text(a));
    char *wrapped = textpane_wrap(buf_str(&raw), help_width(a), 1);
    textpane_set(&a->help, wrapped, 0, 0);
    a->help_cols = a->cols;
    buf_free(&raw);
    free(wrapped);
}

void help_open(app *a)
{
    a->help_open = 1;
    help_build(a);
}

void help_draw(app *a)
{
    if (!a->help_open)
        return;
    if (a->help_cols != a->cols)
        help_build(a); /* resized: wrap again */
    ui_rect box = {.y = 2, .x = 2, .h = a->rows - 4, .w = a->cols - 4};
    ui_clear(stdscr, box, theme_attr(UI_NORMAL));
    ui_box(stdscr, box, "Help");
    textpane_draw(&a->help, stdscr,
                  (ui_rect){.y = box.y + 1, .x = box.x + 2, .h = box.h - 2, .w = box.w - 4}, 1);
}

void help_key(app *a, int key)
{
    if (key == KEY_ESC || key == KEY_F(1) || key == 'q' || key == 'Q') {
        a->help_open = 0;
        return;
    }
    textpane_key(&a->help, key, a->rows - 6 > 1 ? a->rows - 6 : 1);
}
