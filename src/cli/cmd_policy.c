/* spot-connect policy / trust-policy: print the documents the connection
 * creates in IAM, for review or for connecting by hand. No AWS call. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/partition.h"
#include "cli/cli.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "doc/trust.h"
#include "util/json.h"
#include "util/xalloc.h"

static const char policy_usage[] =
    "Usage: spot-connect policy [--partition P] [--bundles A,B,...] [--compact]\n"
    "                           [--policy-file FILE] [--list-bundles]\n"
    "                           [--part N | --json] [--policy-name NAME]\n"
    "\n"
    "Prints the IAM permission policy Spot needs (\"Spot-Policy\", built in), as\n"
    "it would be created: narrowed to the chosen bundles, with ARNs for the\n"
    "partition. A policy over IAM's size limit of 6,144 characters (without\n"
    "whitespace) is split by whole statements into the fewest managed policies\n"
    "that fit, named NAME, NAME-2, NAME-3, ...: create each one and attach them\n"
    "all. Then the documents are printed one after another (stderr names them),\n"
    "or one with --part, or all as one JSON array with --json.\n"
    "\n"
    "Options:\n"
    "  --partition P       aws (default), aws-us-gov or aws-cn; rewrites every\n"
    "                      \"arn:aws:\" for that partition\n"
    "  --bundles A,B,...   keep only these permission bundles (statement Sids;\n"
    "                      see --list-bundles); not for aws-us-gov/aws-cn, where\n"
    "                      Spot takes the full policy only\n"
    "  --compact           print the policy on one line, as sent to IAM\n"
    "  --policy-file FILE  check and print this policy instead of Spot's\n"
    "  --list-bundles      print the bundle names, one per line\n"
    "  --part N            print only the Nth policy of a split (1 = NAME)\n"
    "  --json              print [{\"name\": NAME, \"document\": {...}}, ...], one\n"
    "                      element per policy (one when not split)\n"
    "  --policy-name NAME  the first policy's name (default Spot-Policy)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 success, 1 a file could not be read, 2 a usage error, a\n"
    "--part past the last policy, or a policy that IAM would refuse (a statement\n"
    "too big alone that cannot be cut by its actions).\n";

static const char trust_usage[] =
    "Usage: spot-connect trust-policy --external-id ID [--partition P]\n"
    "                                 [--spot-principal ACCOUNT]\n"
    "\n"
    "Prints the trust policy of the role Spot assumes: Spot's AWS account may\n"
    "call sts:AssumeRole when it presents the External ID.\n"
    "\n"
    "Options:\n"
    "  --external-id ID          the External ID Spot generated for the account\n"
    "                            (2-1224 characters: letters, digits, _+=,.@:/-)\n"
    "  --partition P             aws (default), aws-us-gov or aws-cn\n"
    "  --spot-principal ACCOUNT  Spot's 12-digit AWS account to trust (default\n"
    "                            " TRUST_SPOT_ACCOUNT_AWS " in aws; required in aws-us-gov and\n"
    "                            aws-cn: take it from the Spot console)\n"
    "  -h, --help                show this help\n"
    "\n"
    "Exit status: 0 success, 2 a usage error or bad input.\n";

enum {
    OPT_PARTITION = 256,
    OPT_BUNDLES,
    OPT_COMPACT,
    OPT_POLICY_FILE,
    OPT_LIST_BUNDLES,
    OPT_PART,
    OPT_JSON,
    OPT_POLICY_NAME,
    OPT_EXTERNAL_ID,
    OPT_SPOT_PRINCIPAL,
    OPT_BAD, /* already reported */
};

static const struct option policy_options_long[] = {
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"bundles", required_argument, NULL, OPT_BUNDLES},
    {"compact", no_argument, NULL, OPT_COMPACT},
    {"policy-file", required_argument, NULL, OPT_POLICY_FILE},
    {"list-bundles", no_argument, NULL, OPT_LIST_BUNDLES},
    {"part", required_argument, NULL, OPT_PART},
    {"json", no_argument, NULL, OPT_JSON},
    {"policy-name", required_argument, NULL, OPT_POLICY_NAME},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct option trust_options_long[] = {
    {"external-id", required_argument, NULL, OPT_EXTERNAL_ID},
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"spot-principal", required_argument, NULL, OPT_SPOT_PRINCIPAL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* getopt_long with the usage-error style of the other commands. */
static int next_option(int argc, char **argv, const struct option *longopts)
{
    if (optind == 1 && cli_check_args(argc, argv, longopts, argv[0]) < 0)
        return OPT_BAD;
    int c = getopt_long(argc, argv, ":h", longopts, NULL);
    if (c == '?' || c == ':') {
        cli_getopt_error(argv[0], c, argv[optind - 1]);
        return OPT_BAD;
    }
    if (c == -1 && optind < argc) {
        cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        return OPT_BAD;
    }
    return c;
}

static int check_partition(const char *command, const char *name)
{
    if (partition_by_name(name))
        return 0;
    cli_usage_error(command, "unknown partition (aws, aws-us-gov or aws-cn)");
    return -1;
}

/* Stdout may be a closed pipe or a full disk: say so instead of exit 0. */
static int flush_stdout(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return EXIT_OK;
    fputs("spot-connect: could not write the output\n", stderr);
    return EXIT_FAILURE_OP;
}

static int print_text(const char *text)
{
    fputs(text, stdout);
    fputc('\n', stdout);
    return flush_stdout();
}

typedef struct policy_args {
    policy_options opt;
    char **bundles; /* owned; opt.bundles points here */
    int compact, list, json;
    size_t part; /* 1-based; 0 = all */
    const char *name;
} policy_args;

static void push_bundle(policy_args *a, const char *name, size_t n)
{
    a->bundles = xrealloc(a->bundles, (a->opt.nbundles + 1) * sizeof *a->bundles);
    a->bundles[a->opt.nbundles++] = xstrndup(name, n);
    a->opt.bundles = (const char *const *)a->bundles;
}

/* "a, b,c" adds a, b and c. An empty name ("a,,b", "a,") is more likely a
 * mistake than a wish, so it is refused rather than skipped. */
static int add_bundles(policy_args *a, const char *list)
{
    for (const char *p = list;; p++) {
        size_t n = strcspn(p, ",");
        size_t lead = strspn(p, " "); /* stops at the comma too: lead <= n */
        const char *name = p + lead;
        size_t len = n - lead;
        while (len > 0 && name[len - 1] == ' ')
            len--;
        if (len == 0) {
            cli_usage_error("policy", "--bundles needs a comma-separated list of bundle names");
            return -1;
        }
        push_bundle(a, name, len);
        p += n;
        if (*p == '\0')
            return 0;
    }
}

static void free_policy_args(policy_args *a)
{
    for (size_t i = 0; i < a->opt.nbundles; i++)
        free(a->bundles[i]);
    free(a->bundles);
}

static int parse_part(policy_args *a, const char *arg)
{
    char *end = NULL;
    unsigned long n = strtoul(arg, &end, 10);
    if (arg[0] < '1' || arg[0] > '9' || *end || n > 1000) {
        cli_usage_error("policy", "--part needs a number from 1");
        return -1;
    }
    a->part = n;
    return 0;
}

static int set_policy_option(policy_args *a, int c)
{
    switch (c) {
    case OPT_PARTITION:
        a->opt.partition = optarg;
        return check_partition("policy", optarg);
    case OPT_BUNDLES:
        return add_bundles(a, optarg);
    case OPT_COMPACT:
        a->compact = 1;
        return 0;
    case OPT_POLICY_FILE:
        a->opt.policy_file = optarg;
        return 0;
    case OPT_LIST_BUNDLES:
        a->list = 1;
        return 0;
    case OPT_PART:
        return parse_part(a, optarg);
    case OPT_JSON:
        a->json = 1;
        return 0;
    case OPT_POLICY_NAME:
        a->name = optarg;
        return 0;
    default:
        return -1;
    }
}

/* Returns -1 on a usage error (reported), 1 after --help, 0 otherwise. */
static int parse_policy_args(int argc, char **argv, policy_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = next_option(argc, argv, policy_options_long)) != -1) {
        if (c == 'h') {
            fputs(policy_usage, stdout);
            return 1;
        }
        if (c == OPT_BAD || set_policy_option(a, c) < 0)
            return -1;
    }
    if (a->json && a->part) {
        cli_usage_error("policy", "--part and --json do not go together");
        return -1;
    }
    return 0;
}

static int list_bundles(void)
{
    for (size_t i = 0; i < policy_bundle_count(); i++)
        printf("%s\n", policy_bundle_name(i));
    return flush_stdout();
}

static int print_doc(const policy_args *a, const char *json)
{
    char *pretty = a->compact ? NULL : policy_pretty(json);
    int rc = print_text(pretty ? pretty : json);
    free(pretty);
    return rc;
}

/* [{"name": ..., "document": {...}}, ...]: the documents as JSON values. */
static int print_json(const policy_args *a, const policy_parts *parts)
{
    yajl_gen g = json_gen_new(!a->compact);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < parts->n; i++) {
        yajl_val doc = NULL;
        sc_error ignored;
        json_parse(parts->docs[i], strlen(parts->docs[i]), strlen(parts->docs[i]), &doc, &ignored);
        char *name = policy_part_name(a->name, i);
        yajl_gen_map_open(g);
        json_kv_str(g, "name", name);
        json_key(g, "document");
        json_gen_val(g, doc);
        yajl_gen_map_close(g);
        free(name);
        yajl_tree_free(doc);
    }
    yajl_gen_array_close(g);
    json_gen_finish(g, stdout);
    return flush_stdout();
}

/* On stderr: stdout holds only the documents. */
static void name_parts(const policy_args *a, const policy_parts *parts, size_t whole)
{
    fprintf(stderr,
            "spot-connect: policy: %zu characters, over IAM's %d for one managed policy: "
            "split into %zu policies, printed in this order; create each one and attach them "
            "all:\n",
            whole, POLICY_MAX_CHARS, parts->n);
    for (size_t i = 0; i < parts->n; i++) {
        char *name = policy_part_name(a->name, i);
        fprintf(stderr, "  %zu. %s (%zu characters; --part %zu)\n", i + 1, name,
                policy_size(parts->docs[i]), i + 1);
        free(name);
    }
}

static int print_parts(const policy_args *a, const policy_parts *parts, size_t whole)
{
    if (a->json)
        return print_json(a, parts);
    if (a->part > parts->n) {
        if (parts->n == 1)
            fprintf(stderr, "spot-connect: policy: --part %zu, but the policy is not split\n",
                    a->part);
        else
            fprintf(stderr, "spot-connect: policy: --part %zu, but the policy is split into %zu\n",
                    a->part, parts->n);
        return EXIT_USAGE;
    }
    if (a->part)
        return print_doc(a, parts->docs[a->part - 1]);
    if (parts->n > 1)
        name_parts(a, parts, whole);
    int rc = EXIT_OK;
    for (size_t i = 0; rc == EXIT_OK && i < parts->n; i++)
        rc = print_doc(a, parts->docs[i]);
    return rc;
}

static int print_policy(const policy_args *a)
{
    sc_error err;
    error_clear(&err);
    char *json = NULL;
    policy_parts parts = {0};
    status_t st = policy_build_whole(&a->opt, &json, &err);
    if (st == ST_OK && (st = policy_split(json, POLICY_MAX_CHARS, &parts, &err)) != ST_OK)
        error_prefix(&err, a->opt.policy_file ? "policy file '%s'" : "the policy",
                     a->opt.policy_file);
    int rc = st == ST_OK ? print_parts(a, &parts, policy_size(json)) : cli_report("policy", &err);
    policy_parts_free(&parts);
    free(json);
    return rc;
}

int cmd_policy(int argc, char **argv)
{
    policy_args a;
    memset(&a, 0, sizeof a);
    a.name = "Spot-Policy";
    int rc = parse_policy_args(argc, argv, &a);
    if (rc == 0)
        rc = a.list ? list_bundles() : print_policy(&a);
    else
        rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
    free_policy_args(&a);
    return rc;
}

typedef struct trust_args {
    const char *external_id, *partition, *principal;
} trust_args;

static int parse_trust_args(int argc, char **argv, trust_args *t)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = next_option(argc, argv, trust_options_long)) != -1) {
        if (c == 'h') {
            fputs(trust_usage, stdout);
            return 1;
        }
        if (c == OPT_EXTERNAL_ID)
            t->external_id = optarg;
        else if (c == OPT_PARTITION)
            t->partition = optarg;
        else if (c == OPT_SPOT_PRINCIPAL)
            t->principal = optarg;
        else
            return -1;
    }
    if (t->partition && check_partition("trust-policy", t->partition) < 0)
        return -1;
    if (!t->external_id) {
        cli_usage_error("trust-policy", "--external-id is required");
        return -1;
    }
    return 0;
}

int cmd_trust_policy(int argc, char **argv)
{
    trust_args t = {NULL, NULL, NULL};
    int rc = parse_trust_args(argc, argv, &t);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    sc_error err;
    error_clear(&err);
    char account[13], *json = NULL;
    if (trust_principal(t.partition, t.principal, account, &err) != ST_OK ||
        trust_policy_build(t.partition, account, t.external_id, &json, &err) != ST_OK)
        return cli_report("trust policy", &err);
    char *pretty = policy_pretty(json);
    rc = print_text(pretty);
    free(pretty);
    free(json);
    return rc;
}
