/* spot-connect status / disconnect. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/clients.h"
#include "cli/signals.h"
#include "engine/manage.h"
#include "engine/update.h"
#include "util/json.h"

static const char status_usage[] =
    "Usage: spot-connect status [--state FILE] [--json] [OPTIONS]\n"
    "\n"
    "Prints the saved state of the connection and, with a Spot token, whether\n"
    "Spot has the account connected and to which role; without a saved state,\n"
    "Spot is asked which of its accounts is linked to this AWS account. With AWS\n"
    "credentials the role Spot uses is checked as connect checks it (roleHealth:\n"
    "\"ok\" or what is wrong and the fix), and IAM is compared with what connect\n"
    "would write now with the saved answers (drift): the role's trust, the\n"
    "attachments (every part of a split policy, SecurityAudit when spot-connect\n"
    "attached it), each policy's default version statement by statement, and the\n"
    "boundary and tags spot-connect set. A line per item that differs goes to\n"
    "stderr; 'spot-connect update' brings them back. JSON (also with --json):\n"
    "  {\"awsAccountId\", \"spotAccountId\", \"externalId\", \"roleArn\", \"policyArn\",\n"
    "   \"policyArns\", \"step\", \"connected\", \"spotRoleArn\", \"checkedWithSpot\",\n"
    "   \"foundThroughSpot\", \"roleHealth\", \"statePath\", \"verdict\", \"drift\"}\n"
    "policyArns lists every managed policy of a policy split to fit IAM's size\n"
    "limit (Spot-Policy, Spot-Policy-2, ...); policyArn is the first. verdict is\n"
    "\"in line\", \"drifted\" or \"not connected\". drift (null without AWS\n"
    "credentials): {\"checked\", \"note\", \"drifted\", \"items\": [{\"item\":\n"
    "trust|attachment|policy|boundary|tags, \"name\", \"status\": ok|differs|\n"
    "unchecked, \"difference\", and for a policy \"missing\", \"extra\", \"changed\"\n"
    "(statement Sids)}]}.\n"
    "Exit status: 0 connected and in line, 4 drifted (or roleHealth not ok),\n"
    "5 not connected, 1 API failure, 2 bad input or no connection recorded.\n"
    "\n"
    "Options:\n"
    "  --state FILE        state file (default: the one for your AWS account)\n"
    "  --json              JSON on stdout (the default; for scripts that say so)\n"
    "  --token-file FILE, --spot-endpoint URL, --profile P, --region R,\n"
    "  --ca-bundle FILE, --connect-timeout S, --timeout S, -v, -h\n";

static const char update_usage[] =
    "Usage: spot-connect update [--dry-run] [--yes] [--state FILE] [OPTIONS]\n"
    "\n"
    "Brings the AWS side of a connection back to what connect would write now,\n"
    "with the answers the state saved (method, role and policy names, bundles or\n"
    "policy file, partition, IAM path, boundary, tags, External ID): a new\n"
    "default version of each policy that differs (the oldest version deleted at\n"
    "IAM's five), the role's trust, the attachments, the boundary and the tags.\n"
    "The Spot side is left alone unless Spot no longer uses the role (then the\n"
    "role is handed to Spot again). update never generates an External ID and\n"
    "never creates a Spot account. Run it after upgrading spot-connect, when\n"
    "Spot's policy changed, or when status reports drift. A manual connection's\n"
    "role was made by hand and is refused: status says what differs and how to\n"
    "fix it. With --dry-run, the calls update would make are printed (as plan\n"
    "does) and nothing is changed. What changed goes to stderr, and JSON:\n"
    "  {\"changed\": [\"<item> <name>: <what differed>\", ...], \"statePath\"}\n"
    "(\"changed\": [] when everything was in line).\n"
    "Exit status: 0 ok, 1 API failure, 2 bad input or a connection update cannot\n"
    "change, 3 no --yes without a terminal, 130 interrupted.\n"
    "\n"
    "Options:\n"
    "  --dry-run           print the calls update would make; change nothing\n"
    "  --yes               do not ask for confirmation (needed without a terminal)\n"
    "  --state FILE, --token-file FILE, --spot-endpoint URL, --profile P, --region R,\n"
    "  --ca-bundle FILE, --connect-timeout S, --timeout S, -v, -h\n";

static const char disconnect_usage[] =
    "Usage: spot-connect disconnect [--delete-spot-account] [--state FILE] [OPTIONS]\n"
    "\n"
    "Removes what the state file says spot-connect created, in order: the policy\n"
    "attachments it made, the role, the policy versions and the policy (every\n"
    "part of a split policy: Spot-Policy, Spot-Policy-2, ...); with\n"
    "--delete-spot-account also the Spot account, if spot-connect created it.\n"
    "Anything it did not create is kept and listed. Prints JSON:\n"
    "  {\"removed\": [...], \"kept\": [...]}\n"
    "\n"
    "Options:\n"
    "  --delete-spot-account  also delete the Spot account spot-connect created\n"
    "  --yes                  do not ask for confirmation (needed without a terminal)\n"
    "  --state FILE, --token-file FILE, --spot-endpoint URL, --profile P, --region R,\n"
    "  --ca-bundle FILE, --connect-timeout S, --timeout S, -v, -h\n";

enum { OPT_STATE = CLI_EXTRA_OPTION, OPT_DELETE_ACCOUNT, OPT_YES, OPT_JSON, OPT_DRY_RUN };

/* Each command its own table: an option one command takes (disconnect's
 * --yes, update's --dry-run) is refused by the others. */
static const struct option status_options[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"json", no_argument, NULL, OPT_JSON},
    CLI_SPOT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

static const struct option disconnect_options[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"delete-spot-account", no_argument, NULL, OPT_DELETE_ACCOUNT},
    {"yes", no_argument, NULL, OPT_YES},
    CLI_SPOT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

static const struct option update_options[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"yes", no_argument, NULL, OPT_YES},
    CLI_SPOT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

typedef struct manage_cli {
    cli_spot_options spot;
    const char *state;
    int delete_account;
    int yes;
    int dry_run;
} manage_cli;

static int on_option(void *ctx, int id, const char *arg, const char *cmd)
{
    (void)cmd;
    manage_cli *m = ctx;
    if (cli_spot_option(&m->spot, id, arg))
        return 0;
    if (id == OPT_STATE)
        m->state = arg;
    else if (id == OPT_DELETE_ACCOUNT)
        m->delete_account = 1;
    else if (id == OPT_YES)
        m->yes = 1;
    else if (id == OPT_DRY_RUN)
        m->dry_run = 1;
    /* --json: the output is JSON already */
    return 0;
}

/* The clients a command may use; AWS credentials are optional with --state. */
typedef struct clients {
    aws_session *aws;
    spot_client *spot;
    spot_auth auth;
} clients;

static status_t open_clients(const manage_cli *m, const cli_aws_options *ao, journal *j, clients *c,
                             sc_error *err)
{
    memset(c, 0, sizeof *c);
    status_t st = cli_check_endpoints(&m->spot, err);
    if (st != ST_OK)
        return st;
    st = cli_open_aws(ao, journal_call, j, &c->aws, err);
    if (st != ST_OK && m->state && (st == ST_NO_CREDENTIALS || st == ST_CREDENTIALS)) {
        error_clear(err);
        st = ST_OK;
    }
    if (st == ST_OK)
        st = cli_open_spot(&m->spot, ao, journal_call, j, &c->auth, &c->spot, err);
    return st;
}

static void close_clients(clients *c)
{
    spot_client_free(c->spot);
    spot_auth_clear(&c->auth);
    aws_session_free(c->aws);
}

/* What status, disconnect and update each work with: the clients, the
 * log of their calls, and the state file of the connection. */
typedef struct managed {
    journal *j;
    clients c;
    char *path;
} managed;

static status_t managed_open(const manage_cli *m, const cli_aws_options *ao, managed *w,
                             sc_error *err)
{
    error_clear(err);
    w->path = NULL;
    w->j = journal_new(ao->verbose ? cli_log_call : NULL, NULL);
    status_t st = open_clients(m, ao, w->j, &w->c, err);
    if (st == ST_OK)
        st = manage_state_path(m->state, w->c.aws, &w->path, err);
    return st;
}

static void managed_close(managed *w)
{
    free(w->path);
    close_clients(&w->c);
    journal_free(w->j);
}

static int parse(int argc, char **argv, const struct option *table, manage_cli *m,
                 cli_aws_options *ao, const char *usage)
{
    memset(m, 0, sizeof *m);
    int rc = cli_parse(argc, argv, table, on_option, m, ao, usage);
    if (rc == 0)
        ao->cancel = signals_install();
    return rc;
}

/* ---- status ---- */

static const char *const verdict_names[] = {"in line", "drifted", "not connected"};
static const char *const drift_names[] = {"ok", "differs", "unchecked"};

static void print_sids(yajl_gen g, const char *key, const drift_sids *s)
{
    json_key(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n; i++)
        json_str(g, s->items[i]);
    yajl_gen_array_close(g);
}

static void print_drift_item(yajl_gen g, const drift_item *it)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "item", it->kind);
    json_kv_str(g, "name", it->name);
    json_kv_str(g, "status", drift_names[it->verdict]);
    json_kv_str(g, "difference", it->difference);
    if (strcmp(it->kind, "policy") == 0) {
        print_sids(g, "missing", &it->missing);
        print_sids(g, "extra", &it->extra);
        print_sids(g, "changed", &it->changed);
    }
    yajl_gen_map_close(g);
}

static void print_drift(yajl_gen g, const drift_report *d)
{
    yajl_gen_map_open(g);
    json_kv_bool(g, "checked", d->checked);
    json_kv_str(g, "note", d->note);
    json_kv_bool(g, "drifted", d->drifted);
    json_key(g, "items");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < d->n; i++)
        print_drift_item(g, &d->items[i]);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void print_status(const status_report *r, const char *path)
{
    yajl_gen g = json_gen_new(1);
    yajl_gen_map_open(g);
    json_kv_str(g, "awsAccountId", r->st.aws_account_id);
    json_kv_str(g, "spotAccountId", r->st.spot_account.arn);
    json_kv_str(g, "externalId", r->st.external_id);
    json_kv_str(g, "roleArn", r->st.role.arn);
    json_kv_str(g, "policyArn", r->st.policy.arn);
    json_key(g, "policyArns"); /* every part of a split policy, policyArn first */
    yajl_gen_array_open(g);
    if (r->st.policy.arn)
        json_str(g, r->st.policy.arn);
    for (size_t i = 0; i < r->st.nparts; i++)
        if (r->st.parts[i].item.arn)
            json_str(g, r->st.parts[i].item.arn);
    yajl_gen_array_close(g);
    json_kv_str(g, "step", state_step_name(r->st.step));
    json_kv_bool(g, "connected", r->spot_known ? r->connected : r->st.connected);
    json_kv_str(g, "spotRoleArn", r->role_arn);
    json_kv_bool(g, "checkedWithSpot", r->spot_known);
    json_kv_bool(g, "foundThroughSpot", r->found_via_spot);
    json_kv_str(g, "roleHealth", r->role_health);
    json_kv_str(g, "statePath", path);
    json_kv_str(g, "verdict", verdict_names[status_verdict_of(r)]);
    json_key(g, "drift");
    if (r->drift_read)
        print_drift(g, &r->drift);
    else
        yajl_gen_null(g);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

/* One line on stderr per item that differs, for people. */
static void say_drift(const drift_report *d)
{
    if (d->note)
        cli_line(stderr, "spot-connect: status: drift not checked: %s", d->note);
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].verdict == DRIFT_OK)
            continue;
        char *line = drift_item_line(&d->items[i]);
        cli_line(stderr, "spot-connect: status: %s", line);
        free(line);
    }
    if (d->drifted)
        fputs("spot-connect: status: drifted: 'spot-connect update' brings it back (see "
              "'spot-connect update --dry-run' first)\n",
              stderr);
}

static int verdict_exit(const status_report *r)
{
    switch (status_verdict_of(r)) {
    case STATUS_DRIFTED:
        return EXIT_DRIFTED;
    case STATUS_NOT_CONNECTED:
        return EXIT_NOT_CONNECTED;
    default:
        return EXIT_OK;
    }
}

int cmd_status(int argc, char **argv)
{
    manage_cli m;
    cli_aws_options ao;
    int rc = parse(argc, argv, status_options, &m, &ao, status_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    managed w;
    sc_error err;
    status_report r = {0};
    status_t st = managed_open(&m, &ao, &w, &err);
    if (st == ST_OK)
        st = status_run(w.path, w.c.aws, w.c.spot, &r, &err);
    if (st == ST_OK) {
        print_status(&r, w.path);
        say_drift(&r.drift);
    }
    rc = st == ST_OK ? verdict_exit(&r) : cli_report("status", &err);
    status_report_free(&r);
    managed_close(&w);
    return rc;
}

/* ---- disconnect ---- */

static void print_lines(yajl_gen g, const char *key, char **lines, size_t n)
{
    json_key(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        json_str(g, lines[i]);
    yajl_gen_array_close(g);
}

static void print_disconnect(const disconnect_report *r)
{
    yajl_gen g = json_gen_new(1);
    yajl_gen_map_open(g);
    print_lines(g, "removed", r->removed, r->nremoved);
    print_lines(g, "kept", r->kept, r->nkept);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

/* --yes, or a y on the terminal; without a terminal, says why it stops. */
static int confirmed(const manage_cli *m, const char *what, const char *question)
{
    if (m->yes)
        return 1;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr,
                "spot-connect: %s: pass --yes to confirm when there is no terminal to ask on\n",
                what);
        return 0;
    }
    fprintf(stderr, "spot-connect: %s [y/N] ", question);
    char line[16];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int disconnect_confirmed(const manage_cli *m)
{
    return confirmed(m, "disconnect deletes AWS resources",
                     "delete what spot-connect created for this connection?");
}

int cmd_disconnect(int argc, char **argv)
{
    manage_cli m;
    cli_aws_options ao;
    int rc = parse(argc, argv, disconnect_options, &m, &ao, disconnect_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (!disconnect_confirmed(&m))
        return EXIT_NO_ANSWER;
    managed w;
    sc_error err;
    disconnect_report r = {0};
    status_t st = managed_open(&m, &ao, &w, &err);
    if (st == ST_OK)
        st = disconnect_run(w.path, m.delete_account, w.c.aws, w.c.spot, w.j, &r, &err);
    if (st == ST_OK)
        print_disconnect(&r);
    rc = st == ST_OK ? EXIT_OK : cli_report("disconnect", &err);
    disconnect_report_free(&r);
    managed_close(&w);
    return rc;
}

/* ---- update ---- */

static void update_progress(void *ctx, const char *line)
{
    (void)ctx;
    cli_line(stderr, "spot-connect: %s", line);
}

static void update_planned(void *ctx, const char *service, const char *call, const char *body)
{
    int *n = ctx;
    cli_line(stdout, "%d. write %s %s", ++*n, service, call);
    if (body)
        cli_line(stdout, "   %s", body);
}

static void print_update(const update_report *r)
{
    for (size_t i = 0; i < r->nchanged; i++)
        cli_line(stderr, "spot-connect: update: changed %s", r->changed[i]);
    if (!r->nchanged)
        fputs("spot-connect: update: nothing to change\n", stderr);
    yajl_gen g = json_gen_new(1);
    yajl_gen_map_open(g);
    print_lines(g, "changed", r->changed, r->nchanged);
    json_kv_str(g, "statePath", r->state_path);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

static int update_confirmed(const manage_cli *m)
{
    return m->dry_run || confirmed(m, "update changes IAM",
                                   "bring the role and policy back to what connect writes?");
}

int cmd_update(int argc, char **argv)
{
    manage_cli m;
    cli_aws_options ao;
    int rc = parse(argc, argv, update_options, &m, &ao, update_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (!update_confirmed(&m))
        return EXIT_NO_ANSWER;
    managed w;
    sc_error err;
    int planned = 0;
    connect_hooks hooks = {.progress = update_progress, .planned = update_planned, .ctx = &planned};
    update_report r = {0};
    status_t st = managed_open(&m, &ao, &w, &err);
    if (st == ST_OK)
        st = update_run(w.path, m.dry_run, ao.cancel, &hooks, w.c.aws, w.c.spot, w.j, &r, &err);
    if (st == ST_OK && !m.dry_run)
        print_update(&r);
    rc = st == ST_OK ? EXIT_OK : cli_report(m.dry_run ? "update --dry-run" : "update", &err);
    update_report_free(&r);
    managed_close(&w);
    return rc;
}
