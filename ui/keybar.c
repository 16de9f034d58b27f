#include "keybar.h"

#include <stdio.h>

#include "details.h"
#include "fixback.h"
#include "panels.h"

#define KEY_ESC 27

static const char quit_q[] = "F1/? help  q quit";
/* In a text field q and ? are text: Ctrl-C asks to quit, F1 helps. */
static const char quit_field[] = "F1 help  Ctrl-C quit";

static int field_focused(const app *a)
{
    switch (a->wz.step) {
    case W_SPOT:
        return a->wz.method == CONNECT_CONSOLE ||
               (!a->detected.have_token && !a->settings.token[0]) || a->focus == 1;
    case W_PARTITION:
    case W_AWS_LOGIN:
        return a->focus > 0;
    case W_CONNECT:
        return a->wz.method == CONNECT_MANUAL && !(a->have_result && a->result.r.connected);
    default:
        return 0;
    }
}

static const char *panel_keys(const app *a)
{
    int manual = a->wz.method == CONNECT_MANUAL;
    switch (a->wz.step) {
    case W_WELCOME:
        if (a->have_detected && a->detected.drifted)
            return "Enter begin  r resume  u update";
        return a->have_detected && a->detected.saved ? "Enter begin  r resume" : "Enter begin";
    case W_PROVIDER:
    case W_METHOD:
        return "Up/Down choose  Enter next  Esc back";
    case W_PARTITION:
        return a->focus ? "Tab list  Enter next  Esc back"
                        : "Up/Down choose  Tab ID field  Enter next  Esc back";
    case W_SPOT:
        if (a->wz.method == CONNECT_CONSOLE)
            return "paste the External ID  Enter next  Esc back";
        if (!a->detected.have_token && !a->settings.token[0])
            return "type the token  Enter check it  Esc back";
        if (a->rotate_asked)
            return "y rotate the External ID  n keep it";
        if (spot_rotate_offered(a))
            return "Up/Down choose  Tab name  r rotate ID  Enter next  Esc back";
        return a->focus ? "Tab list  Enter next  Esc back"
                        : "Up/Down choose  Tab name  Enter next  Esc back";
    case W_AWS_LOGIN:
        if (manual)
            return "Enter next  Esc back";
        if (a->partition_wrong && !a->focus)
            return "g GovCloud/China step  Up/Down choose  Enter check  Esc back";
        return a->focus      ? "Tab next field  Enter check  Esc back"
               : a->verified ? "Up/Down choose  Enter next  Esc back"
                             : "Up/Down choose  Tab keys  Enter check  Esc back";
    case W_PERMISSIONS:
        return "Space toggle  a all  o options  Enter next  Esc back";
    case W_POLICY:
    case W_ROLE:
        if (manual && a->npolicy_parts > 1) { /* one item per policy of the split */
            static char keys[80];
            int last = app_copy_number(a, COPY_ROLE_ARN);
            snprintf(keys, sizeof keys, "1-%d%s item  c copy  p print  Enter next  Esc back",
                     last > 9 ? 9 : last, last > 9 ? "/Tab" : "");
            return keys;
        }
        return manual                   ? "1-4 item  c copy  p print  Enter next  Esc back"
               : a->wz.step == W_POLICY ? "Enter run/next  c copy  o options  Esc back"
                                        : "Enter run/next  c copy  Esc back";
    case W_CONNECT:
        if (a->wz.method == CONNECT_CONSOLE)
            return "c copy  p print  Enter next  Esc back";
        if (manual && fixback_pending(a))
            return fixback_keys(a);
        if (manual && wiz_partition_mismatch(&a->wz, a->field[0].text, WIZ_ARN_ROLE, NULL, 0))
            return "Enter back to GovCloud/China step  Esc back";
        return manual ? "paste the role ARN  Enter hand to Spot  Esc back"
                      : "Enter run/next  Esc back";
    case W_DONE:
        return "Enter or q leave";
    default:
        return "";
    }
}

/* Only when the status message is longer than its area. */
static const char *details_hint(const app *a)
{
    if (!details_more(a))
        return "";
    return field_focused(a) ? "F2 details  " : "d details  ";
}

const char *keybar_text(const app *a)
{
    static char bar[220];
    if (a->job) {
        snprintf(bar, sizeof bar, "Esc cancel  %s", quit_q);
        return bar;
    }
    if (a->wz.step == W_DONE) {
        snprintf(bar, sizeof bar, "%s%s  F1/? help", details_hint(a), panel_keys(a));
        return bar;
    }
    snprintf(bar, sizeof bar, "%s%s  %s", details_hint(a), panel_keys(a),
             field_focused(a) ? quit_field : quit_q);
    return bar;
}

void keybar_define_keys(void)
{
    define_key("\033[1~", KEY_HOME);
    define_key("\033[4~", KEY_END);
    define_key("\033[7~", KEY_HOME);
    define_key("\033[8~", KEY_END);
    define_key("\033[H", KEY_HOME);
    define_key("\033[F", KEY_END);
    define_key("\033OH", KEY_HOME);
    define_key("\033OF", KEY_END);
}

int keybar_swallow_sequence(WINDOW *w)
{
    int c = wgetch(w); /* nodelay: what came with the Esc is already here */
    if (c == ERR)
        return 0;
    if (c == KEY_ESC) {
        ungetch(c); /* Esc pressed twice */
        return 0;
    }
    if (c == '[' || c == 'O') {
        /* CSI or SS3: parameters and intermediates, then a final byte. */
        while ((c = wgetch(w)) != ERR && !(c >= 0x40 && c <= 0x7e))
            ;
    }
    return 1;
}
