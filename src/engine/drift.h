/* Drift: how the AWS side of a connection differs from what connect would
 * write now with the saved answers (trust, attachments, each policy's
 * default version statement by statement, boundary, tags). Reads only. */
#ifndef SC_DRIFT_H
#define SC_DRIFT_H

#include <stddef.h>

#include "aws/client.h"
#include "engine/state.h"
#include "util/error.h"

typedef enum drift_verdict {
    DRIFT_OK,
    DRIFT_DIFFERS,   /* update brings it back */
    DRIFT_UNCHECKED, /* could not be compared (reason in difference) */
} drift_verdict;

typedef struct drift_sids {
    char **items;
    size_t n;
} drift_sids;

typedef struct drift_item {
    char *kind; /* "trust", "attachment", "policy", "boundary", "tags" */
    char *name; /* the role's or the policy's name */
    drift_verdict verdict;
    char *difference; /* one line; NULL when ok */
    /* policy: statements by Sid (or "#N" without one) against the wanted
     * document: wanted but absent, present but not wanted, different. */
    drift_sids missing, extra, changed;
} drift_item;

typedef struct drift_report {
    int checked; /* 0: not compared at all (note says why) */
    char *note;
    drift_item *items;
    size_t n;
    int drifted; /* some item differs */
} drift_report;

/* Compares IAM with what connect would write for st (automatic and
 * console connections: spot-connect made the role and policy). ST_OK with
 * checked 0 and a note when there is nothing to compare against; an IAM
 * error other than NoSuchEntity stops it. */
status_t drift_check(aws_client *aws, const conn_state *st, drift_report *out, sc_error *err);
void drift_report_free(drift_report *r);

/* "trust Spot-Role: External ID X, not Y" for people. Caller frees. */
char *drift_item_line(const drift_item *it);

#endif
