/* spot-connect update: the AWS side brought back to what connect would
 * write now, with the answers the state saved; the Spot side only when it
 * is broken. Never a new External ID, never a new Spot account. */
#ifndef SC_UPDATE_H
#define SC_UPDATE_H

#include <stdatomic.h>
#include <stddef.h>

#include "aws/session.h"
#include "engine/connect.h"
#include "engine/drift.h"
#include "engine/journal.h"
#include "spot/spot.h"
#include "util/error.h"

typedef struct update_report {
    char **changed; /* "trust Spot-Role: <what differed>", one line per item put back */
    size_t nchanged;
    drift_report after; /* IAM once update is done (a dry run: as it is) */
    char *state_path;
} update_report;

/* Runs connect's steps for the connection saved in path, with its answers
 * (method, names, bundles or policy file, partition, boundary, path, tags,
 * External ID, Spot account). A manual connection is refused (the role is
 * the operator's), as is a state that is not connected. With dry_run, the
 * hooks' planned() gets each write update would make, and nothing is
 * written. spot is required for automatic connections. */
status_t update_run(const char *path, int dry_run, atomic_int *cancel, const connect_hooks *h,
                    aws_session *aws, spot_client *spot, journal *j, update_report *out,
                    sc_error *err);
void update_report_free(update_report *r);

#endif
