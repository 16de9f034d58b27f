/* spot-connect connect / plan: the whole connection, or a dry run of it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/iam_rules.h"
#include "cli/cli.h"
#include "cli/clients.h"
#include "cli/signals.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "doc/trust.h"
#include "engine/connect.h"
#include "util/json.h"
#include "util/xalloc.h"

static const char connect_usage[] =
    "Usage: spot-connect connect|plan [--method automatic|manual|console] [OPTIONS]\n"
    "\n"
    "connect links this AWS account to Spot: the Spot account, the External ID,\n"
    "the IAM policy and role, and the role handed to Spot. Every step checks\n"
    "what exists first: a re-run never duplicates anything and resumes where an\n"
    "interrupted run stopped. plan prints the calls connect would make (it reads,\n"
    "never writes, never generates an External ID). With the connection's options\n"
    "it shows drift as the calls update makes: UpdateAssumeRolePolicy for a\n"
    "changed trust, AttachRolePolicy for a detached policy, CreatePolicyVersion\n"
    "(DeletePolicyVersion at IAM's five) for a changed policy ('spot-connect\n"
    "update --dry-run' does the same with the options the state saved).\n"
    "\n"
    "Methods:\n"
    "  automatic  (default) everything, with your AWS credentials\n"
    "  manual     you create the policy and role in the AWS console; the first run\n"
    "             prints the External ID, the next one takes --role-arn\n"
    "  console    no Spot token: --external-id from the Spot console; prints the\n"
    "             role ARN to paste back into the console\n"
    "\n"
    "Options:\n"
    "  --role-arn ARN           the role made by hand (manual)\n"
    "  --external-id ID         the External ID shown by the Spot console (console),\n"
    "                           or the one a run could not save (automatic, manual)\n"
    "  --spot-account act-...   use this Spot account\n"
    "  --spot-account-name N    reuse an unconnected Spot account of this name, or\n"
    "                           create one (default aws-<AWS account ID>)\n"
    "  --role-name NAME         default Spot-Role (1-64 of letters, digits, +=,.@_-)\n"
    "  --policy-name NAME       default Spot-Policy (1-128 of the same)\n"
    "  --permissions-boundary ARN\n"
    "                           this managed policy as the role's permissions\n"
    "                           boundary (same partition)\n"
    "  --iam-path /PATH/        make the role and the policy under this IAM path\n"
    "                           (default /; IAM cannot move an existing one)\n"
    "  --tag KEY=VALUE          tag the role and the policy (repeat, up to 50;\n"
    "                           letters, digits, spaces and _.:/=+-@; no aws: keys)\n"
    "  --partition P            aws, aws-us-gov or aws-cn (default: the credentials')\n"
    "  --spot-principal ACCT    Spot's AWS account for aws-us-gov/aws-cn (shown in the\n"
    "                           Spot console; required there)\n"
    "  --bundles A,B,...        only these permission bundles (see 'policy\n"
    "                           --list-bundles'; not in aws-us-gov/aws-cn)\n"
    "  --policy-file FILE       use this policy instead of Spot's\n"
    "  --no-security-audit      do not attach the AWS managed SecurityAudit policy\n"
    "  --wait S                 how long Spot may take to see a new role (default 120)\n"
    "  --yes                    do not ask for confirmation (needed without a terminal)\n"
    "  --fresh                  ignore the saved state and start over\n"
    "  --rotate-external-id     ask Spot for a new External ID even when one is\n"
    "                           known (the role's trust is updated before Spot\n"
    "                           gets the role)\n"
    "  --state FILE             state file (default\n"
    "                           $XDG_STATE_HOME/spot-connect/<AWS account>.json)\n"
    "  --log FILE               API call log (default: beside the state file)\n"
    "  --token-file FILE        Spot token (default: SPOTINST_TOKEN, then\n"
    "                           ~/.spotinst/credentials)\n"
    "  --spot-endpoint URL      Spot API (default https://api.spotinst.io,\n"
    "                           or SPOT_CONNECT_SPOT_ENDPOINT)\n"
    "  --profile P, --region R, --ca-bundle FILE, --connect-timeout S, --timeout S\n"
    "                           AWS settings, as for whoami\n"
    "  -v, --verbose            log every API call on stderr\n"
    "  -h, --help               show this help\n"
    "\n"
    "Progress goes to stderr; the result is JSON on stdout:\n"
    "  {\"spotAccountId\", \"externalId\", \"roleArn\", \"policyArn\", \"policyArns\",\n"
    "   \"awsAccountId\", \"connected\", \"alreadyConnected\", \"roleCheckSkipped\"}\n"
    "A policy over IAM's 6,144 characters (without whitespace) is split by whole\n"
    "statements into the fewest managed policies that fit: NAME, NAME-2, NAME-3,\n"
    "... (policyArns), all attached; IAM's limit of 10 managed policies per role\n"
    "(SecurityAudit and others' included) is checked before any change.\n"
    "Before the role goes to Spot it is checked in IAM (exists, trusts Spot with\n"
    "the External ID, has the Spot policy): a mistake stops at once with its fix.\n"
    "When Spot already has this AWS account linked and the role trusts Spot with\n"
    "an External ID, that ID is adopted and nothing is changed (\"already\n"
    "connected\"); a new External ID only with --rotate-external-id.\n"
    "A re-run brings the boundary and tags to the options given: a changed one is\n"
    "updated, one no longer given is removed when spot-connect had set it, tags\n"
    "spot-connect did not set are left alone. plan lists these calls too.\n"
    "Exit status: 0 ok, 1 API failure, 2 bad input, 3 an answer is missing\n"
    "(--yes, --role-arn, --external-id), 130 interrupted.\n";

enum {
    OPT_METHOD = CLI_EXTRA_OPTION,
    OPT_ROLE_ARN,
    OPT_EXTERNAL_ID,
    OPT_ACCOUNT_NAME,
    OPT_ROLE_NAME,
    OPT_POLICY_NAME,
    OPT_PARTITION,
    OPT_PRINCIPAL,
    OPT_BUNDLES,
    OPT_POLICY_FILE,
    OPT_NO_AUDIT,
    OPT_WAIT,
    OPT_YES,
    OPT_FRESH,
    OPT_ROTATE,
    OPT_STATE,
    OPT_LOG,
    OPT_BOUNDARY,
    OPT_IAM_PATH,
    OPT_TAG,
};

static const struct option connect_options_table[] = {
    {"method", required_argument, NULL, OPT_METHOD},
    {"role-arn", required_argument, NULL, OPT_ROLE_ARN},
    {"external-id", required_argument, NULL, OPT_EXTERNAL_ID},
    {"spot-account-name", required_argument, NULL, OPT_ACCOUNT_NAME},
    {"role-name", required_argument, NULL, OPT_ROLE_NAME},
    {"policy-name", required_argument, NULL, OPT_POLICY_NAME},
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"spot-principal", required_argument, NULL, OPT_PRINCIPAL},
    {"bundles", required_argument, NULL, OPT_BUNDLES},
    {"policy-file", required_argument, NULL, OPT_POLICY_FILE},
    {"no-security-audit", no_argument, NULL, OPT_NO_AUDIT},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"yes", no_argument, NULL, OPT_YES},
    {"fresh", no_argument, NULL, OPT_FRESH},
    {"rotate-external-id", no_argument, NULL, OPT_ROTATE},
    {"state", required_argument, NULL, OPT_STATE},
    {"log", required_argument, NULL, OPT_LOG},
    {"permissions-boundary", required_argument, NULL, OPT_BOUNDARY},
    {"iam-path", required_argument, NULL, OPT_IAM_PATH},
    {"tag", required_argument, NULL, OPT_TAG},
    CLI_SPOT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

typedef struct connect_cli {
    connect_options o;
    cli_spot_options spot;
    char *bundle_text; /* storage for o.bundles */
    const char **bundles;
    iam_tag *tags; /* --tag, each key pointing at its own copy */
    size_t ntags;
    int yes;
} connect_cli;

static int set_method(connect_cli *c, const char *arg, const char *cmd)
{
    static const char *const names[] = {"automatic", "manual", "console"};
    for (int i = 0; i < 3; i++)
        if (strcmp(arg, names[i]) == 0) {
            c->o.method = (connect_method)i;
            return 0;
        }
    cli_usage_error(cmd, "--method must be automatic, manual or console");
    return -1;
}

/* "a,b,c" into o.bundles; the strings live in bundle_text. */
static void set_bundles(connect_cli *c, const char *arg)
{
    free(c->bundle_text);
    free(c->bundles);
    c->bundle_text = xstrdup(arg);
    c->bundles = xcalloc(strlen(arg) + 1, sizeof *c->bundles);
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(c->bundle_text, ",", &save); t;
         t = strtok_r(NULL, ",", &save))
        c->bundles[n++] = t;
    c->o.bundles = c->bundles;
    c->o.nbundles = n;
}

static int set_wait(connect_cli *c, const char *arg, const char *cmd)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || v < 0 || v > 3600) {
        cli_usage_error(cmd, "--wait takes seconds between 0 and 3600");
        return -1;
    }
    c->o.wait_seconds = v;
    return 0;
}

/* One --tag KEY=VALUE more; IAM's rules are checked with the others, later. */
static int add_tag(connect_cli *c, const char *arg, const char *cmd)
{
    sc_error err;
    iam_tag t;
    if (iam_rules_parse_tag(arg, &t, &err) != ST_OK) {
        cli_usage_error(cmd, "--tag: %s", err.message);
        return -1;
    }
    c->tags = xrealloc(c->tags, (c->ntags + 1) * sizeof *c->tags);
    c->tags[c->ntags++] = t;
    c->o.tags = c->tags;
    c->o.ntags = c->ntags;
    return 0;
}

static int on_option(void *ctx, int id, const char *arg, const char *cmd)
{
    connect_cli *c = ctx;
    if (cli_spot_option(&c->spot, id, arg))
        return 0;
    switch (id) {
    case OPT_METHOD:
        return set_method(c, arg, cmd);
    case OPT_ROLE_ARN:
        c->o.role_arn = arg;
        return 0;
    case OPT_EXTERNAL_ID:
        c->o.external_id = arg;
        return 0;
    case OPT_ACCOUNT_NAME:
        c->o.spot_account_name = arg;
        return 0;
    case OPT_ROLE_NAME:
        c->o.role_name = arg;
        return 0;
    case OPT_POLICY_NAME:
        c->o.policy_name = arg;
        return 0;
    case OPT_PARTITION:
        c->o.partition = arg;
        return 0;
    case OPT_PRINCIPAL:
        c->o.spot_principal = arg;
        return 0;
    case OPT_BUNDLES:
        set_bundles(c, arg);
        return 0;
    case OPT_POLICY_FILE:
        c->o.policy_file = arg;
        return 0;
    case OPT_NO_AUDIT:
        c->o.security_audit = 0;
        return 0;
    case OPT_WAIT:
        return set_wait(c, arg, cmd);
    case OPT_YES:
        c->yes = 1;
        return 0;
    case OPT_FRESH:
        c->o.fresh = 1;
        return 0;
    case OPT_ROTATE:
        c->o.rotate_external_id = 1;
        return 0;
    case OPT_STATE:
        c->o.state_path = arg;
        return 0;
    case OPT_LOG:
        c->o.log_path = arg;
        return 0;
    case OPT_BOUNDARY:
        c->o.permissions_boundary = arg;
        return 0;
    case OPT_IAM_PATH:
        c->o.iam_path = arg;
        return 0;
    case OPT_TAG:
        return add_tag(c, arg, cmd);
    default:
        return -1;
    }
}

static void progress_line(void *ctx, const char *line)
{
    (void)ctx;
    cli_line(stderr, "spot-connect: %s", line);
}

/* ---- plan output ---- */

typedef struct plan_out {
    int n;
} plan_out;

static void plan_write(void *ctx, const char *service, const char *call, const char *body)
{
    plan_out *p = ctx;
    cli_line(stdout, "%d. write %s %s", ++p->n, service, call);
    if (body)
        cli_line(stdout, "   %s", body);
}

static void plan_read(void *ctx, const api_call_log *e)
{
    plan_out *p = ctx;
    if (e->attempt == 1)
        cli_line(stdout, "%d. read  %s %s %s %s", ++p->n, e->service, e->action, e->method, e->url);
}

/* ---- running ---- */

static void print_result(const connect_result *r)
{
    yajl_gen g = json_gen_new(1);
    yajl_gen_map_open(g);
    json_kv_str(g, "spotAccountId", r->spot_account_id);
    json_kv_str(g, "externalId", r->external_id);
    json_kv_str(g, "roleArn", r->role_arn);
    json_kv_str(g, "policyArn", r->policy_arn);
    json_key(g, "policyArns");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < r->npolicy_arns; i++)
        json_str(g, r->policy_arns[i]);
    yajl_gen_array_close(g);
    json_kv_str(g, "awsAccountId", r->aws_account_id);
    json_kv_bool(g, "connected", r->connected);
    json_kv_bool(g, "alreadyConnected", r->already_connected);
    json_kv_bool(g, "roleCheckSkipped", r->preflight_skipped);
    json_kv_str(g, "statePath", r->state_path);
    json_kv_str(g, "logPath", r->log_path);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

/* How many managed policies the operator must create: more than one when
 * the policy is over IAM's size limit. */
static size_t policy_count(const connect_cli *c)
{
    policy_options po = {.partition = c->o.partition,
                         .bundles = c->o.bundles,
                         .nbundles = c->o.nbundles,
                         .policy_file = c->o.policy_file};
    char *json = NULL;
    policy_parts parts = {0};
    sc_error err;
    size_t n = 1;
    if (policy_build_whole(&po, &json, &err) == ST_OK &&
        policy_split(json, POLICY_MAX_CHARS, &parts, &err) == ST_OK)
        n = parts.n;
    policy_parts_free(&parts);
    free(json);
    return n;
}

/* The manual path's first run has done the Spot side; the AWS side is the
 * operator's, with the documents this tool prints. */
static int print_manual_next(const connect_cli *c, const connect_result *r)
{
    const char *part = c->o.partition ? c->o.partition : "aws";
    int special = strcmp(part, "aws") != 0;
    char principal[16];
    snprintf(principal, sizeof principal, "%s",
             c->o.spot_principal ? c->o.spot_principal : TRUST_SPOT_ACCOUNT_AWS);
    fprintf(stderr,
            "spot-connect: connect: the Spot side is ready; create the policy and the role in "
            "the AWS console, then run again with --role-arn:\n"
            "  1. policy: spot-connect policy%s%s  (IAM > Policies > Create policy > JSON; name "
            "it %s)\n"
            "  2. role:   spot-connect trust-policy --external-id %s%s%s%s%s  (IAM > Roles > "
            "Create role > AWS account > Another AWS account: %s, Require external ID: %s; "
            "attach %s; name it %s)\n"
            "  3. then:   spot-connect connect --method manual --role-arn "
            "arn:%s:iam::%s:role/%s\n",
            special ? " --partition " : "", special ? part : "", c->o.policy_name, r->external_id,
            special ? " --partition " : "", special ? part : "",
            c->o.spot_principal ? " --spot-principal " : "",
            c->o.spot_principal ? c->o.spot_principal : "", principal, r->external_id,
            c->o.policy_name, c->o.role_name, part,
            r->aws_account_id ? r->aws_account_id : "ACCOUNT", c->o.role_name);
    size_t n = policy_count(c);
    if (n > 1)
        fprintf(stderr,
                "  the policy is over IAM's 6,144 characters: create %zu policies, 'spot-connect "
                "policy --part 1' to '--part %zu', named %s, %s-2 ... %s-%zu, and attach them "
                "all\n",
                n, n, c->o.policy_name, c->o.policy_name, c->o.policy_name, n);
    return EXIT_NO_ANSWER;
}

static int confirm(const connect_cli *c, const char *what)
{
    if (c->yes || c->o.dry_run)
        return 1;
    if (!isatty(STDIN_FILENO))
        return -1;
    fprintf(stderr, "spot-connect: %s. Go ahead? [y/N] ", what);
    char line[16];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y') ? 1 : 0;
}

static const char *describe(const connect_cli *c);

/* 1 to go on; otherwise says why not. No terminal and no --yes is a
 * missing answer (exit 3), as is a "no". */
static int confirmed(const connect_cli *c)
{
    int ok = confirm(c, describe(c));
    if (ok < 0)
        fputs("spot-connect: connect changes AWS and Spot: pass --yes to confirm when there is "
              "no terminal to ask on\n",
              stderr);
    else if (!ok)
        fputs("spot-connect: nothing was changed\n", stderr);
    return ok > 0;
}

static const char *describe(const connect_cli *c)
{
    switch (c->o.method) {
    case CONNECT_MANUAL:
        return "this links a Spot account to the role you made (manual method)";
    case CONNECT_CONSOLE:
        return "this creates or updates the IAM policy and role Spot assumes (console method)";
    default:
        return "this creates or updates a Spot account, the IAM policy and the role Spot assumes";
    }
}

static status_t open_clients(connect_cli *c, cli_aws_options *ao, journal *j, aws_session **aws,
                             spot_auth *auth, spot_client **spot, sc_error *err)
{
    status_t st = cli_check_endpoints(&c->spot, err);
    if (st != ST_OK)
        return st;
    st = cli_open_aws(ao, journal_call, j, aws, err);
    /* The manual method can do without AWS credentials. */
    if (st != ST_OK && c->o.method == CONNECT_MANUAL &&
        (st == ST_NO_CREDENTIALS || st == ST_CREDENTIALS)) {
        error_clear(err);
        st = ST_OK;
    }
    if (st != ST_OK || c->o.method == CONNECT_CONSOLE)
        return st;
    st = cli_open_spot(&c->spot, ao, journal_call, j, auth, spot, err);
    if (st == ST_OK && !*spot)
        st = error_set(err, ST_MISSING_ANSWER,
                       "no Spot token: set SPOTINST_TOKEN, use --token-file or "
                       "~/.spotinst/credentials, or use --method console");
    if (st == ST_OK && auth->account)
        c->o.spot_account = auth->account;
    return st;
}

static int run(connect_cli *c, cli_aws_options *ao, int dry_run)
{
    plan_out plan = {0};
    journal *j = journal_new(dry_run       ? plan_read
                             : ao->verbose ? cli_log_call
                                           : NULL,
                             dry_run ? (void *)&plan : NULL);
    aws_session *aws = NULL;
    spot_client *spot = NULL;
    spot_auth auth = {0};
    sc_error err;
    error_clear(&err);
    status_t st = open_clients(c, ao, j, &aws, &auth, &spot, &err);
    connect_hooks hooks = {.progress = progress_line, .planned = plan_write, .ctx = &plan};
    connect_result r = {0};
    if (st == ST_OK)
        st = connect_run(&c->o, &hooks, aws, spot, j, &r, &err);
    if (!dry_run && (st == ST_OK || st == ST_MISSING_ANSWER) && r.external_id)
        print_result(&r);
    int first_manual =
        st == ST_MISSING_ANSWER && c->o.method == CONNECT_MANUAL && !c->o.role_arn && r.external_id;
    int rc = st == ST_OK    ? EXIT_OK
             : first_manual ? print_manual_next(c, &r)
                            : cli_report(dry_run ? "plan" : "connect", &err);
    connect_result_free(&r);
    spot_client_free(spot);
    spot_auth_clear(&auth);
    aws_session_free(aws);
    journal_free(j);
    return rc;
}

static int connect_main(int argc, char **argv, int dry_run)
{
    connect_cli c;
    memset(&c, 0, sizeof c);
    c.o.role_name = CONNECT_DEFAULT_ROLE;
    c.o.policy_name = CONNECT_DEFAULT_POLICY;
    c.o.security_audit = 1;
    c.o.wait_seconds = CONNECT_DEFAULT_WAIT;
    c.o.dry_run = dry_run;
    cli_aws_options ao;
    int rc = cli_parse(argc, argv, connect_options_table, on_option, &c, &ao, connect_usage);
    if (rc == 0) {
        ao.cancel = c.o.cancel = signals_install();
        c.o.spot_account = c.spot.account;
        rc = confirmed(&c) ? run(&c, &ao, dry_run) : EXIT_NO_ANSWER;
    } else {
        rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    free(c.bundle_text);
    free(c.bundles);
    for (size_t i = 0; i < c.ntags; i++)
        free(c.tags[i].key); /* the value is in the same block */
    free(c.tags);
    return rc;
}

int cmd_connect(int argc, char **argv)
{
    return connect_main(argc, argv, 0);
}

int cmd_plan(int argc, char **argv)
{
    return connect_main(argc, argv, 1);
}
