#include "help.h"

#include <stdlib.h>

#include "doc/trust.h"
#include "keybar.h"
#include "theme.h"

#define KEY_ESC 27

void help_policy_steps(const app *a, buf_t *out)
{
    (void)a;
    buf_puts(out, "In the AWS console: IAM > Policies > Create policy.\n"
                  "1. Policy editor: JSON. Delete the text there.\n"
                  "2. Paste the policy (item 1 below: c copies it, p prints it).\n"
                  "3. Next. Policy name: " CONNECT_DEFAULT_POLICY ". Create policy.");
}

void help_role_steps(const app *a, buf_t *out)
{
    const char *principal = a->copy_text[COPY_PRINCIPAL] ? a->copy_text[COPY_PRINCIPAL]
                            : a->wz.spot_principal[0]    ? a->wz.spot_principal
                                                         : TRUST_SPOT_ACCOUNT_AWS;
    buf_printf(out,
               "In the AWS console: IAM > Roles > Create role.\n"
               "1. Trusted entity type: AWS account > Another AWS account.\n"
               "2. Account ID: %s (item 2).\n"
               "3. Options: tick Require external ID. External ID: %s (item 3). Next.\n"
               "4. Permissions: search " CONNECT_DEFAULT_POLICY ", tick it. Next.\n"
               "5. Role name: " CONNECT_DEFAULT_ROLE ". Create role.\n"
               "6. Open " CONNECT_DEFAULT_ROLE ", copy its ARN: the next panel asks for it.",
               principal, a->wz.external_id[0] ? a->wz.external_id : "(item 3, from Spot)");
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
