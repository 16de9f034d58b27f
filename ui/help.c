#include "help.h"

#include <stdio.h>
#include <string.h>

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

/* Greedy word wrap to w columns (help text is ASCII); a numbered step's
 * continuation lines are indented under its text. */
static void wrap_into(buf_t *out, const char *text, int w)
{
    while (*text) {
        const char *eol = strchr(text, '\n');
        size_t len = eol ? (size_t)(eol - text) : strlen(text);
        int indent = len > 2 && text[0] >= '0' && text[0] <= '9' && text[1] == '.' ? 3 : 0;
        size_t col = 0, width = (size_t)w;
        while (len > width - col) {
            size_t cut = width - col;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = width - col; /* one long word: split it */
            buf_append(out, text, cut);
            buf_printf(out, "\n%*s", indent, "");
            col = (size_t)indent;
            while (cut < len && text[cut] == ' ')
                cut++;
            text += cut;
            len -= cut;
        }
        buf_append(out, text, len);
        buf_putc(out, '\n');
        text += len + (eol ? 1 : 0);
    }
}

static int help_width(const app *a)
{
    return a->cols - 8 > 20 ? a->cols - 8 : 20;
}

static void help_build(app *a)
{
    buf_t raw = BUF_INIT, wrapped = BUF_INIT;
    buf_printf(&raw, "Step %d of %d: %s\n\n%s", wiz_step_number(&a->wz, a->wz.step),
               wiz_step_count(&a->wz), wiz_step_title(a->wz.step), panel_for(a->wz.step)->help);
    manual_steps(a, &raw);
    buf_printf(&raw,
               "\n\nKeys here: %s.\nEverywhere: Ctrl-L redraws; Esc goes back (or cancels a "
               "running call); quitting keeps what was done, and running spot-connect again "
               "offers to resume.\n\nThis help: Up/Down/PgUp/PgDn/Home/End scroll; Esc, F1 or q "
               "closes it.",
               keybar_text(a));
    wrap_into(&wrapped, buf_str(&raw), help_width(a));
    textpane_set(&a->help, buf_str(&wrapped), 0, 0);
    a->help_cols = a->cols;
    buf_free(&raw);
    buf_free(&wrapped);
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
