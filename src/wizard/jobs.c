#include "wizard/jobs.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds/sso.h"
#include "aws/iam_rules.h"
#include "aws/profile.h"
#include "aws/sts.h"
#include "engine/drift.h"
#include "engine/update.h"
#include "spot/auth.h"
#include "spot/spot.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "wizard/rules.h"

typedef struct job_args {
    wiz_settings s;
    wizard wz;
    state_step stop_after;
} job_args;

void wiz_settings_wipe(wiz_settings *s)
{
    OPENSSL_cleanse(s->secret_key, sizeof s->secret_key);
    OPENSSL_cleanse(s->token, sizeof s->token);
}

static void free_args(void *p)
{
    job_args *a = p;
    wiz_settings_wipe(&a->s);
    free(a);
}

static job_args *args_new(const wiz_settings *s, const wizard *wz, state_step stop_after)
{
    job_args *a = xcalloc(1, sizeof *a);
    a->s = *s;
    if (wz)
        a->wz = *wz;
    a->stop_after = stop_after;
    return a;
}

static const char *opt(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- answers kept between jobs ---- */

/* A digest of what decides who is asking and where: another login, key
 * or endpoint makes the kept answers someone else's. */
static void settings_key(const wiz_settings *s, unsigned char key[32])
{
    const char *parts[] = {s->profile,    s->access_key,    s->secret_key, s->token,
                           s->token_file, s->spot_endpoint, s->ca_bundle,  s->state_path};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 32;
    memset(key, 0, 32);
    if (!md)
        return;
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        EVP_DigestUpdate(md, parts[i], strlen(parts[i]) + 1);
    EVP_DigestUpdate(md, &s->instance_role, sizeof s->instance_role);
    EVP_DigestFinal_ex(md, key, &n);
    EVP_MD_CTX_free(md);
}

static answers *job_answers(const wiz_settings *s)
{
    if (!s->answers)
        return NULL;
    unsigned char key[32];
    settings_key(s, key);
    answers_bind(s->answers, key);
    OPENSSL_cleanse(key, sizeof key);
    return s->answers;
}

/* ---- clients from the settings ---- */

/* j, when given, gets every call in the run's log, as the CLI's does. */
static status_t open_aws(const wiz_settings *s, worker_job *job, journal *j, aws_session **out,
                         sc_error *err)
{
    aws_session_options so;
    memset(&so, 0, sizeof so);
    so.profile = opt(s->profile);
    so.ca_bundle = opt(s->ca_bundle);
    so.cancel = worker_cancel_flag(job);
    so.instance_role = s->instance_role;
    aws_credentials keys = {(char *)s->access_key, (char *)s->secret_key, NULL, 0, NULL};
    if (s->access_key[0])
        so.keys = &keys;
    so.log = j ? journal_call : NULL;
    so.log_ctx = j;
    return aws_session_open(&so, out, err);
}

static status_t open_spot(const wiz_settings *s, worker_job *job, journal *j, spot_auth *auth,
                          spot_client **out, sc_error *err)
{
    memset(auth, 0, sizeof *auth);
    status_t st = ST_OK;
    if (s->token[0])
        auth->token = xstrdup(s->token);
    else
        st = spot_auth_resolve(opt(s->token_file), NULL, auth, err);
    http_options http = {.cancel = worker_cancel_flag(job)};
    if (st == ST_OK)
        st = spot_open(auth, opt(s->spot_endpoint), opt(s->ca_bundle), &http,
                       j ? journal_call : NULL, j, out, err);
    return st;
}

/* ---- results nobody took (the wizard quit first) ---- */

static void detected_destroy(void *p)
{
    wiz_detected_free(p);
    free(p);
}

static void accounts_destroy(void *p)
{
    wiz_accounts_free(p);
    free(p);
}

static void connect_result_destroy(void *p)
{
    wiz_connect_result_free(p);
    free(p);
}

/* ---- detect / identity ---- */

static void detect_terminal(wiz_detected *d)
{
    d->ssh = getenv("SSH_CONNECTION") || getenv("SSH_TTY") || getenv("SSH_CLIENT");
    d->tmux = getenv("TMUX") != NULL;
    d->screen = getenv("STY") != NULL;
}

static void detect_aws(const wiz_settings *s, worker_job *job, wiz_detected *d)
{
    aws_session *aws = NULL;
    sc_error err;
    error_clear(&err);
    sts_identity id;
    status_t st = open_aws(s, job, NULL, &aws, &err);
    if (st == ST_OK)
        st = sts_get_caller_identity(aws->client, &id, &err);
    if (st != ST_OK) {
        snprintf(d->aws_problem, sizeof d->aws_problem, "%s%s%s", err.code, err.code[0] ? ": " : "",
                 err.message);
        aws_session_free(aws);
        return;
    }
    d->aws_ok = 1;
    answers_set_identity(job_answers(s), &id);
    snprintf(d->aws_source, sizeof d->aws_source, "%s", aws->creds->method);
    snprintf(d->aws_account, sizeof d->aws_account, "%s", id.account);
    snprintf(d->aws_arn, sizeof d->aws_arn, "%s", id.arn);
    sts_identity_free(&id);
    aws_session_free(aws);
}

/* "SSO: 123456789012 / AdminRole", or what to run when the login expired;
 * NULL for a profile that is not an SSO profile. */
static char *sso_note(const profile_files *pf, const char *name)
{
    sso_profile_info info;
    if (!sso_profile_describe(pf, name, time(NULL), &info))
        return NULL;
    buf_t b = BUF_INIT;
    if (info.login == SSO_LOGIN_VALID || info.login == SSO_LOGIN_REFRESH)
        buf_printf(&b, "SSO: %s / %s", info.account_id, info.role_name);
    else
        buf_printf(&b, "SSO login %s: run aws sso login --profile %s",
                   info.login == SSO_LOGIN_EXPIRED ? "expired" : "missing", name);
    return buf_steal(&b);
}

static void detect_profiles(wiz_detected *d)
{
    profile_files *pf = NULL;
    sc_error err;
    if (profile_files_load(&pf, &err) != ST_OK)
        return;
    d->nprofiles = profile_count(pf);
    d->profiles = xcalloc(d->nprofiles + 1, sizeof *d->profiles);
    d->profile_notes = xcalloc(d->nprofiles + 1, sizeof *d->profile_notes);
    for (size_t i = 0; i < d->nprofiles; i++) {
        d->profiles[i] = xstrdup(profile_name(pf, i));
        d->profile_notes[i] = sso_note(pf, d->profiles[i]);
    }
    profile_files_free(pf);
}

static void detect_saved_rules(const conn_state *st, wiz_detected *d)
{
    snprintf(d->saved_role_name, sizeof d->saved_role_name, "%s",
             st->role.name ? st->role.name : "");
    snprintf(d->saved_policy_name, sizeof d->saved_policy_name, "%s",
             st->policy.name ? st->policy.name : "");
    snprintf(d->saved_boundary, sizeof d->saved_boundary, "%s", st->boundary ? st->boundary : "");
    snprintf(d->saved_iam_path, sizeof d->saved_iam_path, "%s", st->iam_path ? st->iam_path : "");
    wiz_rules_tags_text(st->tags, st->ntags, d->saved_tags, sizeof d->saved_tags);
}

static void detect_saved(const wiz_settings *s, wiz_detected *d)
{
    char *path = s->state_path[0] ? xstrdup(s->state_path)
                 : d->aws_ok      ? state_default_path(d->aws_account)
                                  : NULL;
    conn_state st;
    sc_error err;
    if (path && state_load(path, &st, &err) == ST_OK) {
        snprintf(d->state_path, sizeof d->state_path, "%s", path);
        d->saved = st.aws_account_id != NULL;
        d->saved_step = st.step;
        snprintf(d->saved_method, sizeof d->saved_method, "%s", st.method ? st.method : "");
        snprintf(d->saved_external_id, sizeof d->saved_external_id, "%s",
                 st.external_id ? st.external_id : "");
        d->saved_connected = st.connected;
        snprintf(d->saved_spot_account, sizeof d->saved_spot_account, "%s",
                 st.spot_account.arn ? st.spot_account.arn : "");
        snprintf(d->saved_role_arn, sizeof d->saved_role_arn, "%s", st.role.arn ? st.role.arn : "");
        snprintf(d->saved_partition, sizeof d->saved_partition, "%s",
                 st.partition ? st.partition : "");
        snprintf(d->saved_principal, sizeof d->saved_principal, "%s",
                 st.spot_principal ? st.spot_principal : "");
        d->saved_bundles_saved = st.bundles_saved;
        d->saved_bundles = xcalloc(st.nbundles + 1, sizeof *d->saved_bundles);
        for (size_t i = 0; i < st.nbundles; i++)
            d->saved_bundles[d->saved_nbundles++] = xstrdup(st.bundles[i]);
        detect_saved_rules(&st, d);
        state_free(&st);
    }
    free(path);
}

/* The differing items of a drift report, one a line, as far as they fit. */
static void drift_lines(const drift_report *r, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->n && n + 1 < len; i++) {
        if (r->items[i].verdict != DRIFT_DIFFERS)
            continue;
        char *line = drift_item_line(&r->items[i]);
        int w = snprintf(out + n, len - n, "%s\n", line);
        free(line);
        n = w > 0 && (size_t)w < len - n ? n + (size_t)w : len - 1;
    }
}

/* A connection saved as done: does IAM still hold what connect wrote? */
static void detect_drift(const wiz_settings *s, worker_job *job, wiz_detected *d)
{
    if (!d->saved || !d->saved_connected || !d->aws_ok)
        return;
    aws_session *aws = NULL;
    sc_error err;
    conn_state st;
    if (state_load(d->state_path, &st, &err) != ST_OK) {
        state_free(&st);
        return;
    }
    drift_report r = {0};
    if (open_aws(s, job, NULL, &aws, &err) == ST_OK &&
        drift_check(aws->client, &st, &r, &err) == ST_OK)
        d->drifted = r.drifted;
    if (d->drifted)
        drift_lines(&r, d->drift_text, sizeof d->drift_text);
    drift_report_free(&r);
    aws_session_free(aws);
    state_free(&st);
}

static status_t run_detect(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)err;
    job_args *a = arg;
    wiz_detected *d = xcalloc(1, sizeof *d);
    detect_terminal(d);
    detect_aws(&a->s, job, d);
    spot_auth auth;
    sc_error e2;
    if (a->s.token[0]) {
        d->have_token = 1;
        snprintf(d->token_source, sizeof d->token_source, "typed in");
    } else if (spot_auth_resolve(opt(a->s.token_file), NULL, &auth, &e2) == ST_OK) {
        d->have_token = auth.token != NULL;
        snprintf(d->token_source, sizeof d->token_source, "%s", auth.source);
        snprintf(d->token_problem, sizeof d->token_problem, "%s", auth.warning);
        spot_auth_clear(&auth);
    } else {
        snprintf(d->token_problem, sizeof d->token_problem, "%s", e2.message);
    }
    detect_profiles(d);
    detect_saved(&a->s, d);
    detect_drift(&a->s, job, d);
    *result = d;
    worker_result_free(job, detected_destroy);
    return ST_OK;
}

int wiz_job_detect(worker *w, const wiz_settings *s)
{
    return worker_submit(w, run_detect, args_new(s, NULL, 0), free_args);
}

static status_t run_identity(worker_job *job, void *arg, void **result, sc_error *err)
{
    job_args *a = arg;
    wiz_detected *d = xcalloc(1, sizeof *d);
    detect_aws(&a->s, job, d);
    *result = d;
    worker_result_free(job, detected_destroy);
    if (!d->aws_ok)
        return error_set(err, ST_CREDENTIALS, "%s", d->aws_problem);
    return ST_OK;
}

int wiz_job_identity(worker *w, const wiz_settings *s)
{
    return worker_submit(w, run_identity, args_new(s, NULL, 0), free_args);
}

/* ---- Spot accounts ---- */

#define WIZ_LINKS_READ 8 /* roles read for linked accounts: one call each */

/* Which AWS account a Spot account is linked to and the role it uses, so
 * the Spot account step can preselect this AWS account's and name its role. */
static void account_link(spot_client *spot, const spot_account *in, wiz_account *w, int *reads)
{
    if (!in->provider_external_id)
        return;
    snprintf(w->aws_account, sizeof w->aws_account, "%s", in->provider_external_id);
    char *role = NULL;
    sc_error ignored;
    if ((*reads)++ < WIZ_LINKS_READ &&
        spot_read_credentials(spot, in->id, &role, &ignored) == ST_OK && role)
        snprintf(w->role_arn, sizeof w->role_arn, "%s", role);
    free(role);
}

static status_t run_accounts(worker_job *job, void *arg, void **result, sc_error *err)
{
    job_args *a = arg;
    spot_auth auth;
    spot_client *spot = NULL;
    status_t st = open_spot(&a->s, job, NULL, &auth, &spot, err);
    if (st == ST_OK && !spot)
        st = error_set(err, ST_MISSING_ANSWER, "no Spot token");
    spot_accounts as = {0};
    if (st == ST_OK)
        st = spot_list_accounts(spot, NULL, &as, err);
    if (st == ST_OK) {
        wiz_accounts *out = xcalloc(1, sizeof *out);
        int reads = 0;
        out->items = xcalloc(as.n + 1, sizeof *out->items);
        for (size_t i = 0; i < as.n; i++) {
            wiz_account *w = &out->items[out->n++];
            snprintf(w->id, sizeof w->id, "%s", as.items[i].id);
            snprintf(w->name, sizeof w->name, "%s", as.items[i].name ? as.items[i].name : "");
            w->connected = as.items[i].provider_external_id != NULL;
            account_link(spot, &as.items[i], w, &reads);
        }
        *result = out;
        worker_result_free(job, accounts_destroy);
        spot_accounts_free(&as);
    }
    spot_client_free(spot);
    spot_auth_clear(&auth);
    return st;
}

int wiz_job_accounts(worker *w, const wiz_settings *s)
{
    return worker_submit(w, run_accounts, args_new(s, NULL, 0), free_args);
}

/* ---- connect phases ---- */

static void on_progress(void *ctx, const char *line)
{
    worker_progress(ctx, line);
}

static status_t open_connect_clients(job_args *a, worker_job *job, journal *j, aws_session **aws,
                                     spot_auth *auth, spot_client **spot, sc_error *err)
{
    status_t st = open_aws(&a->s, job, j, aws, err);
    if (st != ST_OK && a->wz.method == CONNECT_MANUAL) {
        error_clear(err); /* the manual path can do without AWS credentials */
        st = ST_OK;
    }
    memset(auth, 0, sizeof *auth);
    if (st == ST_OK && a->wz.method != CONNECT_CONSOLE)
        st = open_spot(&a->s, job, j, auth, spot, err);
    if (st == ST_OK && a->wz.method != CONNECT_CONSOLE && !*spot)
        st = error_set(err, ST_MISSING_ANSWER, "no Spot token");
    return st;
}

/* The engine's options for a phase (or a plan) of the wizard's run, with
 * the storage they point into. */
typedef struct phase_setup {
    connect_options o;
    const char *bundles[WIZ_MAX_BUNDLES];
    iam_tag tags[IAM_RULES_MAX_TAGS];
    char tag_store[WIZ_RULES_TAGS_LEN];
} phase_setup;

static void phase_options(job_args *a, worker_job *job, phase_setup *p)
{
    connect_options *o = &p->o;
    wiz_connect_options(&a->wz, o, p->bundles, WIZ_MAX_BUNDLES);
    wiz_rules_options(&a->wz, o, p->tags, IAM_RULES_MAX_TAGS, p->tag_store, WIZ_RULES_TAGS_LEN);
    if (a->s.policy_file[0]) { /* bundles select from Spot's policy only */
        o->policy_file = a->s.policy_file;
        o->bundles = NULL;
        o->nbundles = 0;
    }
    o->stop_after = a->stop_after;
    o->cancel = worker_cancel_flag(job);
    o->state_path = opt(a->s.state_path);
    o->answers = job_answers(&a->s);
}

static status_t run_connect(worker_job *job, void *arg, void **result, sc_error *err)
{
    job_args *a = arg;
    aws_session *aws = NULL;
    spot_auth auth;
    spot_client *spot = NULL;
    journal *j = journal_new(NULL, NULL);
    status_t st = open_connect_clients(a, job, j, &aws, &auth, &spot, err);
    wiz_connect_result *out = xcalloc(1, sizeof *out);
    if (st == ST_OK) {
        phase_setup p;
        phase_options(a, job, &p);
        connect_hooks hooks = {.progress = on_progress, .ctx = job};
        st = connect_run(&p.o, &hooks, aws, spot, j, &out->r, err);
        out->reached = a->stop_after;
    }
    *result = out;
    worker_result_free(job, connect_result_destroy);
    spot_client_free(spot);
    spot_auth_clear(&auth);
    aws_session_free(aws);
    journal_free(j);
    return st;
}

/* A plan of the rest of the run: every read it needs, no write, and no
 * progress lines (the panel shows its own run's). */
static status_t run_read_ahead(worker_job *job, void *arg, void **result, sc_error *err)
{
    job_args *a = arg;
    aws_session *aws = NULL;
    spot_auth auth;
    spot_client *spot = NULL;
    *result = NULL;
    status_t st = open_connect_clients(a, job, NULL, &aws, &auth, &spot, err);
    if (st == ST_OK) {
        phase_setup p;
        phase_options(a, job, &p);
        p.o.dry_run = 1;
        connect_hooks hooks = {.ctx = job};
        journal *j = journal_new(NULL, NULL);
        connect_result r;
        st = connect_run(&p.o, &hooks, aws, spot, j, &r, err);
        connect_result_free(&r);
        journal_free(j);
    }
    spot_client_free(spot);
    spot_auth_clear(&auth);
    aws_session_free(aws);
    return st;
}

int wiz_job_read_ahead(worker *w, const wiz_settings *s, const wizard *wz)
{
    return worker_submit(w, run_read_ahead, args_new(s, wz, 0), free_args);
}

int wiz_job_connect(worker *w, const wiz_settings *s, const wizard *wz, state_step stop_after)
{
    return worker_submit(w, run_connect, args_new(s, wz, stop_after), free_args);
}

/* ---- update ---- */

static status_t run_update(worker_job *job, void *arg, void **result, sc_error *err)
{
    job_args *a = arg;
    aws_session *aws = NULL;
    spot_auth auth = {0};
    spot_client *spot = NULL;
    status_t st = open_aws(&a->s, job, NULL, &aws, err);
    if (st == ST_OK && a->wz.method != CONNECT_CONSOLE)
        st = open_spot(&a->s, job, NULL, &auth, &spot, err);
    wiz_update_result *out = xcalloc(1, sizeof *out);
    if (st == ST_OK) {
        connect_hooks hooks = {.progress = on_progress, .ctx = job};
        journal *j = journal_new(NULL, NULL);
        update_report r = {0};
        st = update_run(a->s.state_path, 0, worker_cancel_flag(job), &hooks, aws, spot, j, &r, err);
        out->nchanged = r.nchanged;
        size_t n = 0;
        for (size_t i = 0; i < r.nchanged && n + 1 < sizeof out->text; i++) {
            int w = snprintf(out->text + n, sizeof out->text - n, "%s\n", r.changed[i]);
            n = w > 0 && (size_t)w < sizeof out->text - n ? n + (size_t)w : sizeof out->text - 1;
        }
        update_report_free(&r);
        journal_free(j);
    }
    *result = out;
    worker_result_free(job, free);
    spot_client_free(spot);
    spot_auth_clear(&auth);
    aws_session_free(aws);
    return st;
}

int wiz_job_update(worker *w, const wiz_settings *s, const wiz_detected *d)
{
    job_args *a = args_new(s, NULL, 0);
    snprintf(a->s.state_path, sizeof a->s.state_path, "%s", d->state_path);
    a->wz.method = strcmp(d->saved_method, "console") == 0 ? CONNECT_CONSOLE : CONNECT_AUTOMATIC;
    return worker_submit(w, run_update, a, free_args);
}

/* ---- results ---- */

void wiz_detected_free(wiz_detected *d)
{
    for (size_t i = 0; i < d->nprofiles; i++) {
        free(d->profiles[i]);
        free(d->profile_notes ? d->profile_notes[i] : NULL);
    }
    free(d->profiles);
    free(d->profile_notes);
    for (size_t i = 0; i < d->saved_nbundles; i++)
        free(d->saved_bundles[i]);
    free(d->saved_bundles);
    memset(d, 0, sizeof *d);
}

void wiz_detected_saved(const wiz_detected *d, wiz_saved *out)
{
    *out = (wiz_saved){
        .method = d->saved_method,
        .partition = d->saved_partition[0] ? d->saved_partition : NULL,
        .spot_principal = d->saved_principal[0] ? d->saved_principal : NULL,
        .spot_account = d->saved_spot_account,
        .external_id = d->saved_external_id,
        .bundles = (const char *const *)d->saved_bundles,
        .nbundles = d->saved_nbundles,
        .bundles_saved = d->saved_bundles_saved,
        .step = d->saved_step,
        .role_name = d->saved_role_name,
        .policy_name = d->saved_policy_name,
        .boundary = d->saved_boundary,
        .iam_path = d->saved_iam_path,
        .tags = d->saved_tags,
    };
}

void wiz_accounts_free(wiz_accounts *a)
{
    free(a->items);
    memset(a, 0, sizeof *a);
}

void wiz_connect_result_free(wiz_connect_result *c)
{
    connect_result_free(&c->r);
}
