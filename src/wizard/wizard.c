#include "wizard/wizard.h"

#include <stdio.h>
#include <string.h>

#include "doc/policy.h"
#include "util/ascii.h"

static const char *const titles[W__COUNT] = {
    [W_WELCOME] = "Welcome",
    [W_PROVIDER] = "Cloud provider",
    [W_METHOD] = "Connection method",
    [W_PARTITION] = "GovCloud or China account?",
    [W_SPOT] = "Spot account",
    [W_AWS_LOGIN] = "AWS login",
    [W_PERMISSIONS] = "Permissions",
    [W_POLICY] = "Create IAM policy",
    [W_ROLE] = "Create IAM role",
    [W_CONNECT] = "Connect",
    [W_DONE] = "Done",
};

const char *wiz_step_title(wiz_step s)
{
    return s >= 0 && s < W__COUNT ? titles[s] : "";
}

void wiz_init(wizard *w)
{
    memset(w, 0, sizeof *w);
    w->method = CONNECT_AUTOMATIC;
    w->nbundles = policy_bundle_count();
    if (w->nbundles > WIZ_MAX_BUNDLES)
        w->nbundles = WIZ_MAX_BUNDLES;
    for (size_t i = 0; i < w->nbundles; i++)
        w->bundle_on[i] = 1;
}

int wiz_visible(const wizard *w, wiz_step s)
{
    /* The console lets GovCloud and China use the full policy only. */
    if (s == W_PERMISSIONS)
        return w->partition == WP_AWS;
    return s >= 0 && s < W__COUNT;
}

int wiz_step_count(const wizard *w)
{
    int n = 0;
    for (int s = 0; s < W__COUNT; s++)
        n += wiz_visible(w, (wiz_step)s);
    return n;
}

int wiz_step_number(const wizard *w, wiz_step s)
{
    int n = 0;
    for (int i = 0; i <= (int)s && i < W__COUNT; i++)
        n += wiz_visible(w, (wiz_step)i);
    return n;
}

int wiz_forward(wizard *w)
{
    for (int s = (int)w->step + 1; s < W__COUNT; s++) {
        if (!wiz_visible(w, (wiz_step)s))
            continue;
        w->path[w->depth++] = w->step;
        w->step = (wiz_step)s;
        return 1;
    }
    return 0;
}

int wiz_back(wizard *w)
{
    if (w->depth == 0)
        return 0;
    w->step = w->path[--w->depth];
    return 1;
}

void wiz_goto(wizard *w, wiz_step s)
{
    w->depth = 0;
    for (int i = 0; i < (int)s; i++)
        if (wiz_visible(w, (wiz_step)i))
            w->path[w->depth++] = (wiz_step)i;
    w->step = s;
}

static const char *method_label(connect_method m)
{
    return m == CONNECT_MANUAL ? "Manually" : m == CONNECT_CONSOLE ? "Console" : "Automatically";
}

void wiz_path_text(const wizard *w, char *out, size_t len)
{
    static const char *const parts[] = {"AWS", "GovCloud", "China"};
    int n = snprintf(out, len, "AWS > Linked Account");
    if (w->step > W_METHOD && n > 0 && (size_t)n < len)
        n += snprintf(out + n, len - (size_t)n, " > %s", method_label(w->method));
    if (w->step > W_PARTITION && w->partition != WP_AWS && n > 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, " > %s", parts[w->partition]);
}

static const char *partition_name(wiz_partition p)
{
    return p == WP_GOV ? "aws-us-gov" : p == WP_CN ? "aws-cn" : NULL;
}

static size_t selected_bundles(const wizard *w, const char **out, size_t max)
{
    size_t n = 0, all = 1;
    for (size_t i = 0; i < w->nbundles; i++)
        all &= (size_t)w->bundle_on[i];
    if (all)
        return 0; /* every bundle: the default policy as published */
    for (size_t i = 0; i < w->nbundles && n < max; i++)
        if (w->bundle_on[i])
            out[n++] = policy_bundle_name(i);
    return n;
}

void wiz_connect_options(const wizard *w, connect_options *o, const char **bundles,
                         size_t max_bundles)
{
    memset(o, 0, sizeof *o);
    o->method = w->method;
    o->role_arn = w->role_arn[0] ? w->role_arn : NULL;
    o->external_id = w->external_id[0] && w->method == CONNECT_CONSOLE ? w->external_id : NULL;
    o->spot_account = w->spot_account[0] ? w->spot_account : NULL;
    o->spot_account_name = w->spot_account_name[0] ? w->spot_account_name : NULL;
    o->role_name = w->role_name[0] ? w->role_name : CONNECT_DEFAULT_ROLE;
    o->policy_name = w->policy_name[0] ? w->policy_name : CONNECT_DEFAULT_POLICY;
    /* Manual: the operator makes the role and policy, rules and all. */
    int rules = w->method != CONNECT_MANUAL;
    o->permissions_boundary = rules && w->boundary[0] ? w->boundary : NULL;
    o->iam_path = rules && w->iam_path[0] ? w->iam_path : NULL; /* tags: wiz_rules_options */
    o->partition = partition_name(w->partition);
    o->spot_principal = w->spot_principal[0] ? w->spot_principal : NULL;
    o->security_audit = 1;
    o->wait_seconds = CONNECT_DEFAULT_WAIT;
    o->same_run = w->ran;
    o->rotate_external_id = w->rotate_external_id;
    /* Manual: the operator pastes the policy; the choice is saved all the same. */
    if (w->partition == WP_AWS) {
        o->nbundles = selected_bundles(w, bundles, max_bundles);
        o->bundles = o->nbundles ? bundles : NULL; /* NULL: the whole policy */
    }
}

wiz_step wiz_resume_step(state_step saved)
{
    if (saved >= STEP_VERIFIED)
        return W_DONE;
    if (saved >= STEP_ATTACHED)
        return W_CONNECT;
    if (saved >= STEP_POLICY)
        return W_ROLE;
    if (saved >= STEP_EXTERNAL_ID)
        return W_POLICY;
    return W_WELCOME;
}

const char *wiz_method_name(connect_method m)
{
    return m == CONNECT_MANUAL ? "manual" : m == CONNECT_CONSOLE ? "console" : "automatic";
}

static void apply_bundles(wizard *w, const wiz_saved *s)
{
    if (!s->bundles_saved)
        return; /* an older state file: the default, every bundle */
    for (size_t i = 0; i < w->nbundles; i++) {
        int on = s->nbundles == 0; /* none listed: the whole policy */
        for (size_t j = 0; j < s->nbundles && !on; j++)
            on = strcmp(s->bundles[j], policy_bundle_name(i)) == 0;
        w->bundle_on[i] = on;
    }
}

wiz_step wiz_apply_saved(wizard *w, const wiz_saved *s)
{
    static const char *const methods[] = {"automatic", "manual", "console"};
    for (int m = 0; s->method && m < 3; m++)
        if (strcmp(s->method, methods[m]) == 0)
            w->method = (connect_method)m;
    const char *part = s->partition ? s->partition : "aws";
    w->partition = strcmp(part, "aws-us-gov") == 0 ? WP_GOV
                   : strcmp(part, "aws-cn") == 0   ? WP_CN
                                                   : WP_AWS;
    snprintf(w->spot_principal, sizeof w->spot_principal, "%s",
             s->spot_principal && w->partition != WP_AWS ? s->spot_principal : "");
    snprintf(w->spot_account, sizeof w->spot_account, "%s", s->spot_account ? s->spot_account : "");
    snprintf(w->external_id, sizeof w->external_id, "%s", s->external_id ? s->external_id : "");
    apply_bundles(w, s);
    snprintf(w->role_name, sizeof w->role_name, "%s", s->role_name ? s->role_name : "");
    snprintf(w->policy_name, sizeof w->policy_name, "%s", s->policy_name ? s->policy_name : "");
    snprintf(w->boundary, sizeof w->boundary, "%s", s->boundary ? s->boundary : "");
    snprintf(w->iam_path, sizeof w->iam_path, "%s", s->iam_path ? s->iam_path : "");
    snprintf(w->tags, sizeof w->tags, "%s", s->tags ? s->tags : "");
    w->resumed = 1;
    if (s->step >= STEP_POLICY)
        wiz_policy_made(w);
    return wiz_resume_step(s->step);
}

void wiz_resume_text(const wizard *w, wiz_step at, char *out, size_t len)
{
    static const char *const paths[] = {"Automatic", "Manual", "Console"};
    static const char *const parts[] = {"", " (GovCloud)", " (China)"};
    int n = snprintf(out, len, "%s path%s", paths[w->method], parts[w->partition]);
    if (w->spot_account[0] && n > 0 && (size_t)n < len)
        n += snprintf(out + n, len - (size_t)n, ", Spot account %s", w->spot_account);
    if (n <= 0 || (size_t)n >= len)
        return;
    if (at == W_DONE)
        snprintf(out + n, len - (size_t)n, ", all steps done");
    else
        snprintf(out + n, len - (size_t)n, ", stopped before step %d %s", wiz_step_number(w, at),
                 wiz_step_title(at));
}

void wiz_policy_made(wizard *w)
{
    w->policy_made = 1;
    memcpy(w->policy_bundles, w->bundle_on, sizeof w->policy_bundles);
}

int wiz_bundles_changed(const wizard *w)
{
    return w->policy_made &&
           memcmp(w->policy_bundles, w->bundle_on, w->nbundles * sizeof w->bundle_on[0]) != 0;
}

int wiz_step_count_for(const wizard *w, connect_method m, wiz_partition p)
{
    static wizard tmp; /* large; the model is used from one thread */
    tmp = *w;
    tmp.method = m;
    tmp.partition = p;
    return wiz_step_count(&tmp);
}

int wiz_arn_partition(const char *arn)
{
    static const char *const prefixes[] = {"arn:aws:", "arn:aws-us-gov:", "arn:aws-cn:"};
    for (int p = 0; arn && p < 3; p++)
        if (strncmp(arn, prefixes[p], strlen(prefixes[p])) == 0)
            return p;
    return -1;
}

int wiz_partition_mismatch(const wizard *w, const char *arn, wiz_arn_of of, char *out, size_t len)
{
    static const char *const where[] = {"a commercial AWS account", "AWS GovCloud", "AWS China"};
    static const char *const chosen[] = {"a commercial account", "GovCloud", "China"};
    int p = wiz_arn_partition(arn);
    if (p < 0 || p == (int)w->partition)
        return 0;
    int step = wiz_step_number(w, W_PARTITION);
    /* Two status rows at 80 columns: the whole of it stays in sight. */
    if (of == WIZ_ARN_CREDENTIALS)
        snprintf(out, len,
                 "These credentials are in %s, not in %s as step %d says: press g to go back "
                 "to step %d, or choose other credentials.",
                 where[p], chosen[w->partition], step, step);
    else
        snprintf(out, len,
                 "This role is in %s, not in %s as step %d says: Enter goes back to step %d "
                 "(the ARN is kept), or paste the ARN of another role.",
                 where[p], chosen[w->partition], step, step);
    return 1;
}

int wiz_external_id_looks_spot(const char *id)
{
    static const char prefix[] = "spotinst:aws:extid:";
    if (!id || strncmp(id, prefix, sizeof prefix - 1) != 0 || !id[sizeof prefix - 1])
        return 0;
    for (const char *c = id + sizeof prefix - 1; *c; c++)
        if (!ascii_isalnum((unsigned char)*c))
            return 0;
    return 1;
}
