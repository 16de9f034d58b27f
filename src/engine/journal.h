/* The log of a connection: every API call (method, URL, status, request ID,
 * duration) and every step, appended to a file beside the state. Lines are
 * kept in memory until the file is known (the AWS account names it). */
#ifndef SC_JOURNAL_H
#define SC_JOURNAL_H

#include "net/calllog.h"
#include "util/error.h"

typedef struct journal journal;

/* next, when given, also receives every call (e.g. --verbose on stderr). */
journal *journal_new(api_log_fn next, void *next_ctx);
/* Appends to path (mode 0600), writing out what was kept so far. */
status_t journal_open(journal *j, const char *path, sc_error *err);
const char *journal_path(const journal *j);
/* An api_log_fn: pass the journal as ctx. */
void journal_call(void *ctx, const api_call_log *e);
void journal_note(journal *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void journal_free(journal *j);

#endif
