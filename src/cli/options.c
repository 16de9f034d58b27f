#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/prompt.h"
#include "net/calllog.h"
#include "util/xalloc.h"

enum { OPT_PROFILE = 256, OPT_REGION, OPT_CA_BUNDLE, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT };

static const struct option aws_long_options[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"ca-bundle", required_argument, NULL, OPT_CA_BUNDLE},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Seconds as given on the command line ("2", "0.5") into milliseconds. */
static int parse_seconds(const char *s, long *ms)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v <= 0 || v > 3600)
        return -1;
    *ms = (long)(v * 1000.0);
    return 0;
}

static int set_option(cli_aws_options *o, int c, const char *command)
{
    switch (c) {
    case OPT_PROFILE:
        o->profile = optarg;
        return 0;
    case OPT_REGION:
        o->region = optarg;
        return 0;
    case OPT_CA_BUNDLE:
        o->ca_bundle = optarg;
        return 0;
    case OPT_CONNECT_TIMEOUT:
    case OPT_TIMEOUT:
        if (parse_seconds(optarg, c == OPT_TIMEOUT ? &o->timeout_ms : &o->connect_timeout_ms) == 0)
            return 0;
        cli_usage_error(command, "--%s takes a number of seconds between 0 and 3600",
                        c == OPT_TIMEOUT ? "timeout" : "connect-timeout");
        return -1;
    case 'v':
        o->verbose = 1;
        return 0;
    default:
        return -1;
    }
}

/* aws_long_options followed by the command's own, as getopt_long wants. */
static struct option *merge_options(const struct option *extra)
{
    size_t na = sizeof aws_long_options / sizeof aws_long_options[0] - 1, ne = 0;
    while (extra && extra[ne].name)
        ne++;
    struct option *all = xcalloc(na + ne + 1, sizeof *all);
    memcpy(all, aws_long_options, na * sizeof *all);
    if (ne)
        memcpy(all + na, extra, ne * sizeof *all);
    return all;
}

static int parse_loop(int argc, char **argv, const struct option *all, cli_extra_fn fn, void *ctx,
                      cli_aws_options *o, const char *usage)
{
    int c;
    while ((c = getopt_long(argc, argv, ":vh", all, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (c == '?' || c == ':') {
            cli_getopt_error(argv[0], c, argv[optind - 1]);
            return -1;
        }
        int rc =
            c >= CLI_EXTRA_OPTION && fn ? fn(ctx, c, optarg, argv[0]) : set_option(o, c, argv[0]);
        if (rc < 0)
            return -1;
    }
    if (optind < argc) {
        cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const struct option *extra, cli_extra_fn fn, void *ctx,
              cli_aws_options *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    struct option *all = merge_options(extra);
    int rc = cli_check_args(argc, argv, all, argv[0]) < 0
                 ? -1
                 : parse_loop(argc, argv, all, fn, ctx, o, usage);
    free(all);
    return rc;
}

int cli_parse_aws_options(int argc, char **argv, cli_aws_options *o, const char *usage)
{
    return cli_parse(argc, argv, NULL, NULL, NULL, o, usage);
}

void cli_log_call(void *ctx, const api_call_log *e)
{
    (void)ctx;
    char status[24] = "no answer";
    if (e->http_status)
        snprintf(status, sizeof status, "%ld", e->http_status);
    char attempt[24] = "";
    if (e->attempt > 1)
        snprintf(attempt, sizeof attempt, " (attempt %d)", e->attempt);
    char transport[96];
    calllog_transport(e, transport, sizeof transport);
    cli_line(stderr, "spot-connect: %s %s %s %s -> %s in %.3f s%s%s%s%s%s%s%s", e->service,
             e->action, e->method, e->url, status, e->seconds, e->error_code ? " [" : "",
             e->error_code ? e->error_code : "", e->error_code ? "]" : "",
             e->request_id ? " request " : "", e->request_id ? e->request_id : "", attempt,
             transport);
}

void cli_session_options(const cli_aws_options *o, aws_session_options *so)
{
    memset(so, 0, sizeof *so);
    so->profile = o->profile;
    so->region = o->region;
    so->ca_bundle = o->ca_bundle;
    so->connect_timeout_ms = o->connect_timeout_ms;
    so->timeout_ms = o->timeout_ms;
    so->mfa_prompt = prompt_mfa_code;
    so->cancel = o->cancel;
    if (o->verbose)
        so->log = cli_log_call;
}
