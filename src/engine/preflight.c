#include "engine/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "doc/policy.h"
#include "doc/trust.h"
#include "engine/arn.h"
#include "engine/engine.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xalloc.h"

#define PREFLIGHT_DOC_MAX ((size_t)128 * 1024)
#define PREFLIGHT_NAMES_MAX 5 /* roles named in a "does not exist" message */

/* IAM's action wildcards: '*' any run, '?' one character, case-insensitive. */
static int action_match(const char *pat, const char *s)
{
    if (!*pat)
        return !*s;
    if (*pat == '*')
        return action_match(pat + 1, s) || (*s && action_match(pat, s + 1));
    if (!*s)
        return 0;
    if (*pat != '?' && ascii_tolower((unsigned char)*pat) != ascii_tolower((unsigned char)*s))
        return 0;
    return action_match(pat + 1, s + 1);
}

/* A string, or any string of an array, for which match(value, arg) holds. */
static int any_value(yajl_val v, int (*match)(const char *, const char *), const char *arg)
{
    if (YAJL_IS_STRING(v))
        return match(v->u.string, arg);
    for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
        if (YAJL_IS_STRING(v->u.array.values[i]) && match(v->u.array.values[i]->u.string, arg))
            return 1;
    return 0;
}

static int allows(yajl_val statement, const char *action)
{
    const char *effect = json_member_str(statement, "Effect");
    return effect && strcmp(effect, "Allow") == 0 &&
           any_value(json_member(statement, "Action"), action_match, action);
}

/* "arn:aws:iam::123456789012:root" is also written as the bare account. */
static int principal_match(const char *value, const char *principal_arn)
{
    if (strcmp(value, principal_arn) == 0)
        return 1;
    const char *acct = strstr(principal_arn, "::");
    size_t n = strlen(value);
    return acct && n == 12 && strncmp(acct + 2, value, n) == 0 && acct[2 + n] == ':';
}

static yajl_val statements(const char *doc, yajl_val *root)
{
    sc_error ignored;
    *root = NULL;
    if (!doc || json_parse(doc, strlen(doc), PREFLIGHT_DOC_MAX, root, &ignored) != ST_OK)
        return NULL;
    return json_member(*root, "Statement");
}

static size_t count_of(yajl_val st)
{
    return YAJL_IS_ARRAY(st) ? st->u.array.len : YAJL_IS_OBJECT(st) ? 1 : 0;
}

static yajl_val nth(yajl_val st, size_t i)
{
    return YAJL_IS_ARRAY(st) ? st->u.array.values[i] : st;
}

/* trusted: set when some statement lets the principal assume the role. */
static char *trusted_id(const char *trust_doc, const char *principal_arn, int *trusted)
{
    yajl_val root;
    yajl_val st = statements(trust_doc, &root);
    char *id = NULL;
    *trusted = 0;
    for (size_t i = 0; !id && i < count_of(st); i++) {
        yajl_val s = nth(st, i);
        yajl_val aws = json_member(json_member(s, "Principal"), "AWS");
        if (!allows(s, "sts:AssumeRole") || !any_value(aws, principal_match, principal_arn))
            continue;
        *trusted = 1;
        const char *x = trust_statement_external_id(s);
        id = x ? xstrdup(x) : NULL;
    }
    yajl_tree_free(root);
    return id;
}

char *preflight_trusted_external_id(const char *trust_doc, const char *principal_arn)
{
    int trusted;
    return trusted_id(trust_doc, principal_arn, &trusted);
}

int preflight_trusts(const char *trust_doc, const char *principal_arn)
{
    int trusted;
    free(trusted_id(trust_doc, principal_arn, &trusted));
    return trusted;
}

int preflight_grants_run_instances(const char *policy_doc)
{
    yajl_val root;
    yajl_val st = statements(policy_doc, &root);
    int yes = 0;
    for (size_t i = 0; !yes && i < count_of(st); i++)
        yes = allows(nth(st, i), "ec2:RunInstances");
    yajl_tree_free(root);
    return yes;
}

/* ---- the checks ---- */

/* Tags a failure set just before with the step that fixes it. */
static status_t coded(sc_error *err, const char *code)
{
    snprintf(err->code, sizeof err->code, "%s", code);
    return err->status;
}

/* "roles that trust Spot here: A, B" for a role that does not exist. */
static void trusting_roles(aws_client *aws, const char *principal_arn, buf_t *out)
{
    iam_roles rs;
    sc_error ignored;
    if (iam_list_roles(aws, &rs, &ignored) != ST_OK) {
        buf_puts(out, "(the roles here could not be listed)");
        return;
    }
    size_t named = 0;
    for (size_t i = 0; i < rs.n; i++) {
        int trusted;
        free(trusted_id(rs.items[i].trust_policy, principal_arn, &trusted));
        if (!trusted || !rs.items[i].name)
            continue;
        if (named++ < PREFLIGHT_NAMES_MAX)
            buf_printf(out, "%s%s",
                       named > 1 ? ", " : "roles that trust Spot here: ", rs.items[i].name);
    }
    if (named > PREFLIGHT_NAMES_MAX)
        buf_printf(out, " and %zu more", named - PREFLIGHT_NAMES_MAX);
    if (!named)
        buf_puts(out, "no role here trusts Spot yet");
    iam_roles_free(&rs);
}

static status_t no_role(aws_client *aws, const preflight_want *w, const role_arn *r, sc_error *err)
{
    buf_t b = BUF_INIT;
    trusting_roles(aws, w->principal_arn, &b);
    status_t st = error_set(err, ST_BAD_INPUT,
                            "role %s does not exist in %s; %s (check --role-arn, or create the "
                            "role with 'spot-connect trust-policy --external-id %s')",
                            r->name, r->account, buf_str(&b), w->external_id);
    buf_free(&b);
    return st == ST_BAD_INPUT ? coded(err, PREFLIGHT_ROLE_MISSING) : st;
}

static status_t check_trust(const iam_role *role, const preflight_want *w, sc_error *err)
{
    int trusted;
    char *id = trusted_id(role->trust_policy, w->principal_arn, &trusted);
    status_t st = ST_OK;
    if (!trusted)
        st = error_set(err, ST_BAD_INPUT,
                       "role %s does not let Spot (%s) call sts:AssumeRole; replace its trust "
                       "policy with 'spot-connect trust-policy --external-id %s'",
                       role->name, w->principal_arn, w->external_id);
    else if (!id)
        st = error_set(err, ST_BAD_INPUT,
                       "role %s trusts Spot without the condition StringEquals sts:ExternalId; "
                       "replace its trust policy with 'spot-connect trust-policy --external-id %s'",
                       role->name, w->external_id);
    else if (strcmp(id, w->external_id) != 0)
        st = error_set(err, ST_BAD_INPUT,
                       "role %s trusts External ID %s, not the current %s; replace its trust "
                       "policy with 'spot-connect trust-policy --external-id %s'",
                       role->name, id, w->external_id, w->external_id);
    free(id);
    return st == ST_BAD_INPUT ? coded(err, PREFLIGHT_TRUST_MISMATCH) : st;
}

/* The default version's document of a policy; NULL when it cannot be read. */
static char *default_document(aws_client *aws, const char *arn, char **version, sc_error *err)
{
    iam_policy p;
    *version = NULL;
    if (iam_get_policy(aws, arn, &p, err) != ST_OK)
        return NULL;
    iam_policy_version v;
    char *doc = NULL;
    if (p.default_version_id &&
        iam_get_policy_version(aws, arn, p.default_version_id, &v, err) == ST_OK) {
        doc = v.document;
        v.document = NULL;
        *version = xstrdup(p.default_version_id);
        iam_policy_version_free(&v);
    }
    iam_policy_free(&p);
    return doc;
}

static status_t check_expected_policy(aws_client *aws, const preflight_want *w,
                                      const iam_attached_policies *a, const char *role,
                                      sc_error *err)
{
    int found = 0;
    for (size_t i = 0; i < a->n && !found; i++)
        found = a->arns[i] && strcmp(a->arns[i], w->policy_arn) == 0;
    if (!found)
        return error_set(err, ST_BAD_INPUT,
                         "policy %s is not attached to role %s; attach it (IAM > Roles > %s > "
                         "Add permissions), or run again to let spot-connect attach it",
                         w->policy_arn, role, role);
    if (!w->policy_doc)
        return ST_OK;
    char *version;
    char *doc = default_document(aws, w->policy_arn, &version, err);
    if (!doc)
        return err->status != ST_OK ? err->status : ST_OK;
    status_t st = ST_OK;
    if (!policy_equal(doc, w->policy_doc))
        st = error_set(err, ST_BAD_INPUT,
                       "policy %s: its default version %s is not the policy expected; run "
                       "again to update it, or set the expected version as the default",
                       w->policy_arn, version);
    free(doc);
    free(version);
    return st;
}

static int aws_managed(const char *arn)
{
    const char *p = strstr(arn, ":iam::aws:");
    return p != NULL;
}

static status_t check_any_spot_policy(aws_client *aws, const iam_attached_policies *a,
                                      const char *role, preflight_found *found, sc_error *err)
{
    for (size_t i = 0; i < a->n; i++) {
        if (!a->arns[i] || aws_managed(a->arns[i]))
            continue;
        char *version;
        char *doc = default_document(aws, a->arns[i], &version, err);
        int ok = doc && preflight_grants_run_instances(doc);
        free(doc);
        free(version);
        if (ok) {
            snprintf(found->policy_arn, sizeof found->policy_arn, "%s", a->arns[i]);
            return ST_OK;
        }
        if (err->status != ST_OK && !iam_is(err, "NoSuchEntity"))
            return err->status;
        error_clear(err);
    }
    return error_set(err, ST_BAD_INPUT,
                     "no policy attached to role %s allows ec2:RunInstances: attach the Spot "
                     "policy ('spot-connect policy' prints it; keep the "
                     "OceanAndElastigroupBasicActions bundle)",
                     role);
}

static status_t check_policies(aws_client *aws, const preflight_want *w, const char *role,
                               preflight_found *found, sc_error *err)
{
    iam_attached_policies a;
    status_t st = iam_list_attached_role_policies(aws, role, &a, err);
    if (st != ST_OK)
        return st;
    st = w->policy_arn ? check_expected_policy(aws, w, &a, role, err)
                       : check_any_spot_policy(aws, &a, role, found, err);
    if (st == ST_OK && w->policy_arn)
        snprintf(found->policy_arn, sizeof found->policy_arn, "%s", w->policy_arn);
    iam_attached_policies_free(&a);
    return st == ST_BAD_INPUT ? coded(err, PREFLIGHT_POLICY_MISSING) : st;
}

status_t preflight_check(aws_client *aws, const preflight_want *w, preflight_found *found,
                         sc_error *err)
{
    preflight_found scratch;
    found = found ? found : &scratch;
    found->policy_arn[0] = '\0';
    role_arn r;
    error_clear(err);
    status_t st = arn_parse_role(w->role_arn, NULL, NULL, &r, err);
    if (st != ST_OK)
        return st;
    iam_role role;
    st = iam_get_role(aws, r.name, &role, err);
    if (st != ST_OK)
        return iam_is(err, "NoSuchEntity") ? no_role(aws, w, &r, err) : st;
    if (role.arn && strcmp(role.arn, w->role_arn) != 0)
        st = error_set(err, ST_BAD_INPUT, "role %s does not exist; the role named %s is %s",
                       w->role_arn, r.name, role.arn);
    if (st != ST_OK)
        coded(err, PREFLIGHT_ROLE_MISSING);
    if (st == ST_OK)
        st = check_trust(&role, w, err);
    if (st == ST_OK)
        st = check_policies(aws, w, r.name, found, err);
    iam_role_free(&role);
    return st;
}

/* ---- in the connect plan ---- */

/* A policy the operator attached is remembered for reports, never as ours:
 * no created/attached flag, so disconnect leaves it. */
static void note_policy(engine *e, const preflight_found *f)
{
    if (!e->st.policy.arn && f->policy_arn[0])
        state_set(&e->st.policy.arn, f->policy_arn);
}

status_t eng_preflight(engine *e, sc_error *err)
{
    if (e->o->dry_run)
        return ST_OK;
    if (e->o->method != CONNECT_MANUAL) {
        /* This run has just made or checked the role, its trust and its
         * attachments, and the policy allows what Spot needs: known, free. */
        e->preflight = PREFLIGHT_PASSED;
        return ST_OK;
    }
    if (!e->aws || !e->principal_arn[0]) {
        eng_progress(e, "role check skipped: %s; Spot checks the role itself",
                     e->aws ? "Spot's principal for this partition is not known (--spot-principal)"
                            : "no AWS credentials to read IAM with");
        e->preflight = PREFLIGHT_SKIPPED;
        return ST_OK;
    }
    preflight_want w = {.role_arn = e->role_arn,
                        .external_id = e->st.external_id,
                        .principal_arn = e->principal_arn};
    preflight_found f;
    status_t st = preflight_check(e->aws, &w, &f, err);
    if (st != ST_OK)
        return st;
    note_policy(e, &f);
    eng_progress(e, "role %s exists, trusts Spot with External ID %s and has the Spot policy",
                 e->role_arn, e->st.external_id);
    e->preflight = PREFLIGHT_PASSED;
    return ST_OK;
}

/* ---- an account Spot has linked already ---- */

static status_t adopt_needs_iam(engine *e, const char *role, sc_error *err)
{
    return error_set(err, ST_MISSING_ANSWER,
                     "Spot account %s is already connected with role %s; without AWS "
                     "credentials its trust policy cannot be read, and a new External ID would "
                     "break it: run with AWS credentials, pass --external-id with the ID the "
                     "role trusts, or --rotate-external-id",
                     e->st.spot_account.arn, role);
}

/* The External ID role trusts Spot with (NULL: none, or not ours to read). */
static char *role_external_id(engine *e, const role_arn *r, sc_error *err)
{
    iam_role ir;
    if (iam_get_role(e->aws, r->name, &ir, err) != ST_OK) {
        if (iam_is(err, "NoSuchEntity")) {
            eng_progress(e, "role %s, which Spot uses, does not exist here any more", r->name);
            error_clear(err);
        }
        return NULL;
    }
    char *id = preflight_trusted_external_id(ir.trust_policy, e->principal_arn);
    iam_role_free(&ir);
    if (!id)
        eng_progress(e, "role %s does not trust Spot with an External ID: not adopted", r->name);
    return id;
}

/* The link as Spot has it is checked like any role; when it passes, it is
 * kept as it is. */
static status_t adopt_link(engine *e, const char *role, sc_error *err)
{
    preflight_want w = {
        .role_arn = role, .external_id = e->st.external_id, .principal_arn = e->principal_arn};
    preflight_found f;
    status_t st = preflight_check(e->aws, &w, &f, err);
    if (st != ST_OK) {
        /* The ID stays adopted; the steps repair the rest (on the manual
         * path the operator does, and the check runs again before Spot). */
        if (err->status != ST_BAD_INPUT)
            return st;
        eng_progress(e, "the existing link needs repair: %s", err->message);
        error_clear(err);
        return ST_OK;
    }
    state_set(&e->st.role.arn, role);
    state_set(&e->st.role.name, e->role_name);
    note_policy(e, &f);
    e->st.connected = 1;
    e->already_connected = 1;
    e->preflight = PREFLIGHT_PASSED;
    eng_progress(e,
                 "already connected: Spot account %s uses role %s, which trusts External ID "
                 "%s; nothing was changed",
                 e->st.spot_account.arn, role, e->st.external_id);
    return eng_reach(e, STEP_VERIFIED, err);
}

static status_t adopt_role(engine *e, const char *role, sc_error *err)
{
    role_arn r;
    if (arn_parse_role(role, e->part->name, e->caller_account, &r, err) != ST_OK) {
        error_clear(err); /* a role elsewhere is not ours to adopt */
        return ST_OK;
    }
    char *id = role_external_id(e, &r, err);
    if (!id)
        return err->status;
    snprintf(e->adopted_role, sizeof e->adopted_role, "%s", r.name);
    e->role_name = e->adopted_role;
    state_set(&e->role_arn, role);
    status_t st = ST_OK;
    if (e->o->rotate_external_id) {
        eng_progress(e,
                     "Spot account %s uses role %s (External ID %s): replacing the External ID "
                     "as asked (--rotate-external-id); the role's trust is updated before Spot "
                     "gets the role",
                     e->st.spot_account.arn, role, id);
    } else {
        state_set(&e->st.external_id, id);
        state_set(&e->st.external_id_valid_until, NULL);
        eng_progress(e,
                     "Spot account %s uses role %s, which trusts External ID %s: adopting "
                     "it (no new External ID)",
                     e->st.spot_account.arn, role, id);
        int other =
            e->o->method == CONNECT_MANUAL && e->o->role_arn && strcmp(e->o->role_arn, role) != 0;
        st = other ? ST_OK : adopt_link(e, role, err);
    }
    free(id);
    return st;
}

status_t eng_adopt(engine *e, sc_error *err)
{
    if (!e->principal_arn[0])
        return ST_OK;
    char *role = NULL;
    status_t st = spot_read_credentials(e->spot, e->st.spot_account.arn, &role, err);
    if (st != ST_OK || !role)
        return st;
    if (!e->aws)
        st = e->o->rotate_external_id ? ST_OK : adopt_needs_iam(e, role, err);
    else
        st = adopt_role(e, role, err);
    free(role);
    return st;
}
