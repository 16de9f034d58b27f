/* spot-connect: connects an AWS account to Spot. Entry point and command
 * dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "net/http.h"

static const cli_command commands[] = {
    {"connect", "connect this AWS account to Spot (automatic, manual or console)", cmd_connect},
    {"plan", "print the calls connect would make, changing nothing", cmd_plan},
    {"status", "show whether the account is connected, and to which role", cmd_status},
    {"disconnect", "remove what spot-connect created", cmd_disconnect},
    {"whoami", "show the AWS identity and where its credentials come from", cmd_whoami},
    {"policy", "print the IAM policy Spot needs", cmd_policy},
    {"trust-policy", "print the role's trust policy for an External ID", cmd_trust_policy},
};

static void print_help(FILE *f)
{
    fputs("Usage: spot-connect COMMAND [OPTIONS]\n"
          "\n"
          "Connects an AWS account to Spot by NetApp: the IAM policy, the role Spot\n"
          "assumes, and the link in your Spot account.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help     show this help (COMMAND --help for a command's options)\n"
          "  -V, --version  show the version\n"
          "\n"
          "Exit status:\n"
          "  0    success\n"
          "  1    an AWS/Spot API or operational failure\n"
          "  2    a usage error or bad input\n"
          "  3    an answer is needed and cannot be asked for (non-interactive use)\n"
          "  130  interrupted\n"
          "\n"
          "See spot-connect(1) for the credential chain, environment and files.\n",
          f);
}

static int dispatch(int argc, char **argv)
{
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("spot-connect %s\n", SC_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (name[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s'", name);
    return cli_usage_error(NULL, "unknown command '%s'", name);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    http_global_init();
    int rc = dispatch(argc, argv);
    http_global_cleanup();
    return rc;
}
