#include <stdarg.h>
#include <stdio.h>

#include "aws/hints.h"
#include "cli/cli.h"
#include "util/buf.h"
#include "util/escape.h"

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

/* Writes the line in b escaped (util/escape.h), then a line break: a
 * message carries names, ARNs and API answers, and none of them may drive
 * the terminal. Our own text has no control characters to lose. */
static void put_line(FILE *f, const buf_t *b)
{
    buf_t out = BUF_INIT;
    escape_text(&out, buf_str(b), b->len);
    buf_putc(&out, '\n');
    fputs(buf_str(&out), f);
    buf_free(&out);
}

void cli_line(FILE *f, const char *fmt, ...)
{
    buf_t b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    put_line(f, &b);
    buf_free(&b);
}

int cli_report(const char *context, const sc_error *err)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "spot-connect: %s: ", context);
    if (err->code[0])
        buf_printf(&b, "%s: ", err->code);
    buf_puts(&b, err->message[0] ? err->message : status_message(err->status));
    if (err->http_status || err->request_id[0] || err->attempts > 1) {
        buf_puts(&b, " (");
        const char *sep = "";
        if (err->http_status)
            buf_printf(&b, "HTTP %ld", err->http_status), sep = ", ";
        if (err->attempts > 1)
            buf_printf(&b, "%s%d attempts", sep, err->attempts), sep = ", ";
        if (err->request_id[0])
            buf_printf(&b, "%srequest %s", sep, err->request_id);
        buf_putc(&b, ')');
    }
    const char *hint = aws_error_hint(err);
    if (hint)
        buf_printf(&b, "; %s", hint);
    put_line(stderr, &b);
    buf_free(&b);
    return cli_exit_code(err->status);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    buf_t b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_puts(&b, "spot-connect: ");
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (command)
        buf_printf(&b, " (see 'spot-connect %s --help')", command);
    else
        buf_puts(&b, " (see 'spot-connect --help')");
    put_line(stderr, &b);
    buf_free(&b);
    return EXIT_USAGE;
}
