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
#include "util/json.h"

static const char status_usage[] =
    "Usage: spot-connect status [--state FILE] [OPTIONS]\n"
    "\n"
    "Prints the saved state of the connection and, with a Spot token, whether\n"
    "Spot has the account connected and to which role; without a saved state,\n"
    "Spot is asked which of its accounts is linked to this AWS account. With AWS\n"
    "credentials the role Spot uses is checked as connect checks it (roleHealth:\n"
    "\"ok\" or what is wrong and the fix). JSON:\n"
    "  {\"awsAccountId\", \"spotAccountId\", \"externalId\", \"roleArn\", \"policyArn\",\n"
    "   \"policyArns\", \"step\", \"connected\", \"spotRoleArn\", \"checkedWithSpot\",\n"
    "   \"foundThroughSpot\", \"roleHealth\", \"statePath\"}\n"
    "policyArns lists every managed policy of a policy split to fit IAM's size\n"
    "limit (Spot-Policy, Spot-Policy-2, ...); policyArn is the first.\n"
    "\n"
    "Options:\n"
    "  --state FILE        state file (default: the one for your AWS account)\n"
    "  --token-file FILE, --spot-endpoint URL, --profile P, --region R,\n"
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

enum { OPT_STATE = CLI_EXTRA_OPTION, OPT_DELETE_ACCOUNT, OPT_YES };

static const struct option manage_options[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"delete-spot-account", no_argument, NULL, OPT_DELETE_ACCOUNT},
    {"yes", no_argument, NULL, OPT_YES},
    CLI_SPOT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

typedef struct manage_cli {
    cli_spot_options spot;
    const char *state;
    int delete_account;
    int yes;
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

static int parse(int argc, char **argv, manage_cli *m, cli_aws_options *ao, const char *usage)
{
    memset(m, 0, sizeof *m);
    int rc = cli_parse(argc, argv, manage_options, on_option, m, ao, usage);
    if (rc == 0)
        ao->cancel = signals_install();
    return rc;
}

/* ---- status ---- */

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
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

int cmd_status(int argc, char **argv)
{
    manage_cli m;
    cli_aws_options ao;
    int rc = parse(argc, argv, &m, &ao, status_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    journal *j = journal_new(ao.verbose ? cli_log_call : NULL, NULL);
    clients c;
    sc_error err;
    error_clear(&err);
    char *path = NULL;
    status_report r = {0};
    status_t st = open_clients(&m, &ao, j, &c, &err);
    if (st == ST_OK)
        st = manage_state_path(m.state, c.aws, &path, &err);
    if (st == ST_OK)
        st = status_run(path, c.aws, c.spot, &r, &err);
    if (st == ST_OK)
        print_status(&r, path);
    rc = st == ST_OK ? EXIT_OK : cli_report("status", &err);
    status_report_free(&r);
    free(path);
    close_clients(&c);
    journal_free(j);
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

static int disconnect_confirmed(const manage_cli *m)
{
    if (m->yes)
        return 1;
    if (!isatty(STDIN_FILENO)) {
        fputs("spot-connect: disconnect deletes AWS resources: pass --yes to confirm when there "
              "is no terminal to ask on\n",
              stderr);
        return 0;
    }
    fputs("spot-connect: delete what spot-connect created for this connection? [y/N] ", stderr);
    char line[16];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

int cmd_disconnect(int argc, char **argv)
{
    manage_cli m;
    cli_aws_options ao;
    int rc = parse(argc, argv, &m, &ao, disconnect_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (!disconnect_confirmed(&m))
        return EXIT_NO_ANSWER;
    journal *j = journal_new(ao.verbose ? cli_log_call : NULL, NULL);
    clients c;
    sc_error err;
    error_clear(&err);
    char *path = NULL;
    disconnect_report r = {0};
    status_t st = open_clients(&m, &ao, j, &c, &err);
    if (st == ST_OK)
        st = manage_state_path(m.state, c.aws, &path, &err);
    if (st == ST_OK)
        st = disconnect_run(path, m.delete_account, c.aws, c.spot, j, &r, &err);
    if (st == ST_OK)
        print_disconnect(&r);
    rc = st == ST_OK ? EXIT_OK : cli_report("disconnect", &err);
    disconnect_report_free(&r);
    free(path);
    close_clients(&c);
    journal_free(j);
    return rc;
}
