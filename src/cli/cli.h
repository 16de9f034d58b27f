/* The non-interactive command line: one function per command. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <stdatomic.h>
#include <stdio.h>

#include "aws/session.h"
#include "util/error.h"

/* Exit codes, documented in --help and the man page. */
enum {
    EXIT_OK = 0,
    EXIT_FAILURE_OP = 1,    /* an API or operational failure */
    EXIT_USAGE = 2,         /* usage error or bad input */
    EXIT_NO_ANSWER = 3,     /* an answer is missing in non-interactive use */
    EXIT_DRIFTED = 4,       /* status: connected, but IAM differs from what connect writes */
    EXIT_NOT_CONNECTED = 5, /* status: not connected */
    EXIT_INTERRUPTED = 130,
};

/* Options every AWS-facing command takes. */
typedef struct cli_aws_options {
    const char *profile;
    const char *region;
    const char *ca_bundle;
    long connect_timeout_ms;
    long timeout_ms;
    int verbose;
    atomic_int *cancel; /* set by the SIGINT/SIGTERM handler */
} cli_aws_options;

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

/* A command's own long options use ids from here up. */
#define CLI_EXTRA_OPTION 300
/* Handles one of a command's own options; returns -1 after printing why
 * the value is wrong. */
typedef int (*cli_extra_fn)(void *ctx, int id, const char *arg, const char *command);
struct option;
/* Parses the shared AWS options plus `extra` (NULL-terminated, ids from
 * CLI_EXTRA_OPTION, handled by fn). Returns as cli_parse_aws_options. */
int cli_parse(int argc, char **argv, const struct option *extra, cli_extra_fn fn, void *ctx,
              cli_aws_options *o, const char *usage);
/* argv[1] that makes cli_check_args print the command's long options and
 * exit 0: hidden, for the shell completions. */
#define CLI_LIST_OPTIONS "--list-options"
/* Refuses, with a usage error, long options that are not spelled out in
 * full (getopt_long would take abbreviations), any attempt to pass a token
 * on the command line, and values given to options that take none. Never
 * quotes what follows an '='. Returns -1 when refused, else 0. */
int cli_check_args(int argc, char **argv, const struct option *opts, const char *command);
/* Reports getopt_long's '?' or ':' for arg (argv[optind - 1]) without
 * quoting any value. */
void cli_getopt_error(const char *command, int c, const char *arg);
/* An api_log_fn printing each call on stderr (--verbose). */
void cli_log_call(void *ctx, const api_call_log *e);

/* Parses the shared options from argv (getopt_long style). Returns -1 and
 * prints the reason when an argument is wrong, 1 when --help was asked
 * (usage already printed), 0 otherwise. */
int cli_parse_aws_options(int argc, char **argv, cli_aws_options *o, const char *usage);
/* Fills session options from parsed CLI options, with the MFA prompt and,
 * with --verbose, the call log on stderr. */
void cli_session_options(const cli_aws_options *o, aws_session_options *so);

/* Prints "spot-connect: CONTEXT: reason (Code, HTTP n, request id) - hint"
 * on stderr and returns the exit code for the error. */
int cli_report(const char *context, const sc_error *err);
int cli_exit_code(status_t st);
/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints one line to f with control characters escaped (util/escape.h):
 * for every line that holds text from outside. */
void cli_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_whoami(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_disconnect(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_trust_policy(int argc, char **argv);

#endif
