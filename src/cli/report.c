#include <stdarg.h>
#include <stdio.h>

#include "aws/hints.h"
#include "cli/cli.h"

int cli_exit_code(status_t st)
{
    switch (st) {
    case ST_OK:
        return EXIT_OK;
    case ST_USAGE:
    case ST_BAD_INPUT:
        return EXIT_USAGE;
    case ST_MISSING_ANSWER:
        return EXIT_NO_ANSWER;
    case ST_CANCELLED:
        return EXIT_INTERRUPTED;
    default:
        return EXIT_FAILURE_OP;
    }
}

int cli_report(const char *context, const sc_error *err)
{
    fprintf(stderr, "spot-connect: %s: ", context);
    if (err->code[0])
        fprintf(stderr, "%s: ", err->code);
    fputs(err->message[0] ? err->message : status_message(err->status), stderr);
    if (err->http_status || err->request_id[0] || err->attempts > 1) {
        fputs(" (", stderr);
        const char *sep = "";
        if (err->http_status)
            fprintf(stderr, "HTTP %ld", err->http_status), sep = ", ";
        if (err->attempts > 1)
            fprintf(stderr, "%s%d attempts", sep, err->attempts), sep = ", ";
        if (err->request_id[0])
            fprintf(stderr, "%srequest %s", sep, err->request_id);
        fputc(')', stderr);
    }
    const char *hint = aws_error_hint(err);
    if (hint)
        fprintf(stderr, "; %s", hint);
    fputc('\n', stderr);
    return cli_exit_code(err->status);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("spot-connect: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, " (see 'spot-connect %s --help')\n", command);
    else
        fputs(" (see 'spot-connect --help')\n", stderr);
    return EXIT_USAGE;
}
