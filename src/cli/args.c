/* Checks on argv before getopt_long sees it. getopt_long accepts any
 * unambiguous abbreviation, so "--token=SECRET" used to become --token-file
 * and the error then quoted the secret. Long options must be spelled out,
 * a token is never taken from the command line, and no message quotes what
 * follows an '='. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Names people reach for to pass a Spot token. */
static int is_token_name(const char *name, size_t n)
{
    static const char *const names[] = {"token", "spot-token", "spotinst-token"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return 1;
    return 0;
}

static const struct option *find_exact(const struct option *opts, const char *name, size_t n)
{
    for (; opts && opts->name; opts++)
        if (strlen(opts->name) == n && memcmp(opts->name, name, n) == 0)
            return opts;
    return NULL;
}

/* Checks one "--name[=value]" argument; returns how many following
 * arguments it consumes (0 or 1), or -1 after printing why it is refused. */
static int check_long(const char *arg, const struct option *opts, const char *command)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    int has_value = name[n] == '=';
    if (is_token_name(name, n)) {
        cli_usage_error(command, "a token is never accepted on the command line; use "
                                 "--token-file or SPOTINST_TOKEN");
        return -1;
    }
    const struct option *o = find_exact(opts, name, n);
    if (!o) {
        cli_usage_error(command, "unknown option '--%.*s'", (int)(n > 64 ? 64 : n), name);
        return -1;
    }
    if (o->has_arg == no_argument && has_value) {
        cli_usage_error(command, "option '--%s' takes no value", o->name);
        return -1;
    }
    return o->has_arg == required_argument && !has_value ? 1 : 0;
}

/* The hidden helper behind the shell completions (completions/): every long
 * option of the table getopt_long gets, one a line, "--name=" when it takes
 * a value. An option added to a command is completed with no change to the
 * scripts. */
static void list_options(const struct option *opts)
{
    for (; opts && opts->name; opts++)
        printf("--%s%s\n", opts->name, opts->has_arg == required_argument ? "=" : "");
    exit(fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_OP);
}

int cli_check_args(int argc, char **argv, const struct option *opts, const char *command)
{
    if (argc > 1 && strcmp(argv[1], CLI_LIST_OPTIONS) == 0)
        list_options(opts);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strncmp(a, "--", 2) != 0)
            continue;
        int skip = check_long(a, opts, command);
        if (skip < 0)
            return -1;
        i += skip;
    }
    return 0;
}

void cli_getopt_error(const char *command, int c, const char *arg)
{
    /* Long options were checked already: what is left is a short one. */
    if (strncmp(arg, "--", 2) == 0) {
        size_t n = strcspn(arg, "=");
        cli_usage_error(command, c == ':' ? "option '%.*s' needs a value" : "unknown option '%.*s'",
                        (int)(n > 66 ? 66 : n), arg);
    } else {
        cli_usage_error(command, c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'",
                        optopt > 32 && optopt < 127 ? optopt : '?');
    }
}
