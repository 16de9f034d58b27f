#include "engine/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/calllog.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/private.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct journal {
    FILE *f;
    char *path;
    buf_t pending; /* lines written before the file was opened */
    api_log_fn next;
    void *next_ctx;
};

journal *journal_new(api_log_fn next, void *next_ctx)
{
    journal *j = xcalloc(1, sizeof *j);
    j->next = next;
    j->next_ctx = next_ctx;
    return j;
}

/* Lines carry names and messages from the APIs: escaped, so that reading
 * the log in a terminal shows them and never runs them. */
static void journal_line(journal *j, const char *line)
{
    char now[21];
    time_format_iso8601(time(NULL), now);
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s ", now);
    escape_text(&b, line, strlen(line));
    buf_putc(&b, '\n');
    if (j->f) {
        fputs(buf_str(&b), j->f);
        fflush(j->f);
    } else {
        buf_puts(&j->pending, buf_str(&b));
    }
    buf_free(&b);
}

status_t journal_open(journal *j, const char *path, sc_error *err)
{
    status_t st = private_check_dir(path, "log file", err);
    if (st != ST_OK)
        return st;
    int fd = private_open_append(path, "log file", err);
    if (fd < 0)
        return err->status;
    FILE *f = fdopen(fd, "a");
    if (!f) {
        close(fd);
        return error_set(err, ST_IO, "cannot open log file %s: %s", path, strerror(errno));
    }
    if (j->f)
        fclose(j->f);
    j->f = f;
    free(j->path);
    j->path = xstrdup(path);
    fputs(buf_str(&j->pending), f);
    fflush(f);
    buf_free(&j->pending);
    return ST_OK;
}

const char *journal_path(const journal *j)
{
    return j->path;
}

void journal_call(void *ctx, const api_call_log *e)
{
    journal *j = ctx;
    buf_t b = BUF_INIT;
    buf_printf(&b, "call %s %s %s %s -> %ld in %.3fs", e->service, e->action, e->method, e->url,
               e->http_status, e->seconds);
    if (e->request_id)
        buf_printf(&b, " request=%s", e->request_id);
    if (e->error_code)
        buf_printf(&b, " error=%s", e->error_code);
    if (e->attempt > 1)
        buf_printf(&b, " attempt=%d", e->attempt);
    char transport[96];
    calllog_transport(e, transport, sizeof transport);
    buf_puts(&b, transport);
    journal_line(j, buf_str(&b));
    buf_free(&b);
    if (j->next)
        j->next(j->next_ctx, e);
}

void journal_note(journal *j, const char *fmt, ...)
{
    buf_t b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    journal_line(j, buf_str(&b));
    buf_free(&b);
}

void journal_free(journal *j)
{
    if (!j)
        return;
    if (j->f)
        fclose(j->f);
    free(j->path);
    buf_free(&j->pending);
    free(j);
}
