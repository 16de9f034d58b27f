/* spot-connect: connects an AWS account to Spot. Entry point: the wizard
 * when there is no command, else the command line (src/cli). */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app.h"
#include "cli/cli.h"
#include "net/http.h"
#include "util/env.h"
#include "version.h"

static const cli_command commands[] = {
    {"connect", "connect this AWS account to Spot (automatic, manual or console)", cmd_connect},
    {"plan", "print the calls connect would make, changing nothing", cmd_plan},
    {"status", "show whether the account is connected, and to which role", cmd_status},
    {"update", "bring the role and policy back to what connect would write now", cmd_update},
    {"disconnect", "remove what spot-connect created", cmd_disconnect},
    {"whoami", "show the AWS identity and where its credentials come from", cmd_whoami},
    {"policy", "print the IAM policy Spot needs", cmd_policy},
    {"trust-policy", "print the role's trust policy for an External ID", cmd_trust_policy},
};

/* "spot-connect 0.1.0 (git a6acd34)" from a git checkout, else without the
 * commit. */
static int print_version(void)
{
    if (SC_VERSION_COMMIT[0])
        printf("spot-connect %s (git %s)\n", SC_VERSION, SC_VERSION_COMMIT);
    else
        printf("spot-connect %s\n", SC_VERSION);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OP;
}

/* Hidden, for the shell completions: the command names, one a line. */
static int list_commands(void)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("%s\n", commands[i].name);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OP;
}

static void print_help(FILE *f)
{
    fputs("Usage: spot-connect [WIZARD OPTIONS]\n"
          "       spot-connect COMMAND [OPTIONS]\n"
          "\n"
          "Connects an AWS account to Spot by NetApp: the IAM policy, the role Spot\n"
          "assumes, and the link in your Spot account. Without a command, on a\n"
          "terminal, a full-screen wizard walks through the steps.\n"
          "\n"
          "Wizard options:\n"
          "  --no-color          monochrome (also NO_COLOR)\n"
          "  --ascii             ASCII line drawing and marks (PuTTY, odd fonts)\n"
          "  --state FILE        state file to keep and resume the connection\n"
          "  --token-file FILE   Spot token (default SPOTINST_TOKEN, ~/.spotinst)\n"
          "  --policy-file FILE  this IAM policy instead of Spot's (no bundles; split\n"
          "                      into Spot-Policy, Spot-Policy-2, ... past 6,144 chars)\n"
          "  --spot-endpoint URL, --ca-bundle FILE, --profile P\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help     show this help (COMMAND --help for a command's options)\n"
          "  -V, --version  show the version (also: spot-connect version)\n"
          "\n"
          "Exit status:\n"
          "  0    success\n"
          "  1    an AWS/Spot API or operational failure\n"
          "  2    a usage error or bad input\n"
          "  3    an answer is needed and cannot be asked for (non-interactive use)\n"
          "  4    status: connected, but drifted from what connect writes (update)\n"
          "  5    status: not connected\n"
          "  130  interrupted\n"
          "\n"
          "See spot-connect(1) for the credential chain, environment and files.\n",
          f);
}

enum { W_NO_COLOR = 1, W_ASCII, W_STATE, W_TOKEN_FILE, W_ENDPOINT, W_CA, W_PROFILE, W_POLICY_FILE };

static const struct option wizard_options[] = {
    {"no-color", no_argument, NULL, W_NO_COLOR},
    {"ascii", no_argument, NULL, W_ASCII},
    {"state", required_argument, NULL, W_STATE},
    {"token-file", required_argument, NULL, W_TOKEN_FILE},
    {"spot-endpoint", required_argument, NULL, W_ENDPOINT},
    {"ca-bundle", required_argument, NULL, W_CA},
    {"profile", required_argument, NULL, W_PROFILE},
    {"policy-file", required_argument, NULL, W_POLICY_FILE},
    {NULL, 0, NULL, 0},
};

static void copy_opt(char *dst, size_t len, const char *value)
{
    snprintf(dst, len, "%s", value);
}

static int wizard_option(int c, wiz_settings *s, int *no_color, int *ascii)
{
    switch (c) {
    case W_NO_COLOR:
        *no_color = 1;
        return 0;
    case W_ASCII:
        *ascii = 1;
        return 0;
    case W_STATE:
        copy_opt(s->state_path, sizeof s->state_path, optarg);
        return 0;
    case W_TOKEN_FILE:
        copy_opt(s->token_file, sizeof s->token_file, optarg);
        return 0;
    case W_ENDPOINT:
        copy_opt(s->spot_endpoint, sizeof s->spot_endpoint, optarg);
        return 0;
    case W_CA:
        copy_opt(s->ca_bundle, sizeof s->ca_bundle, optarg);
        return 0;
    case W_PROFILE:
        copy_opt(s->profile, sizeof s->profile, optarg);
        return 0;
    case W_POLICY_FILE:
        copy_opt(s->policy_file, sizeof s->policy_file, optarg);
        return 0;
    default:
        return -1;
    }
}

static int run_wizard(int argc, char **argv)
{
    static wiz_settings s;
    int no_color = env_get("NO_COLOR") != NULL, ascii = 0, c;
    opterr = 0;
    if (cli_check_args(argc, argv, wizard_options, NULL) < 0)
        return EXIT_USAGE;
    while ((c = getopt_long(argc, argv, ":", wizard_options, NULL)) != -1)
        if (wizard_option(c, &s, &no_color, &ascii) < 0) {
            cli_getopt_error(NULL, c, argv[optind - 1]);
            return EXIT_USAGE;
        }
    if (optind < argc)
        return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
    if (!isatty(STDIN_FILENO)) {
        fputs("spot-connect: the wizard needs a terminal; use 'spot-connect connect' in scripts "
              "(see 'spot-connect --help')\n",
              stderr);
        return EXIT_USAGE;
    }
    return app_run(&s, no_color, ascii);
}

static int dispatch(int argc, char **argv)
{
    const char *name = argv[1];
    if (strcmp(name, "--list-commands") == 0)
        return list_commands();
    if (strncmp(name, "--", 2) == 0 && strcmp(name, "--help") != 0 &&
        strcmp(name, "--version") != 0)
        return run_wizard(argc, argv);
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
        return print_version();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (name[0] == '-')
        return cli_usage_error(NULL, "unknown option '%.*s'", (int)strcspn(name, "="), name);
    return cli_usage_error(NULL, "unknown command '%s'", name);
}

/* Keys and tokens live in this process's memory: no core file may hold
 * them, and other processes of the user may not read it (ptrace,
 * /proc/PID/mem). Done before any secret is read. */
static void protect_memory(void)
{
    struct rlimit none = {.rlim_cur = 0, .rlim_max = 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
    protect_memory();
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* JSON and logs want "0.5", never "0,5" */
    http_global_init();
    int rc = argc < 2 ? run_wizard(argc, argv) : dispatch(argc, argv);
    http_global_cleanup();
    return rc;
}
