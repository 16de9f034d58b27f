/* After a connection: asking how it stands, and undoing what this tool
 * created (and nothing else). */
#ifndef SC_MANAGE_H
#define SC_MANAGE_H

#include "aws/session.h"
#include "engine/journal.h"
#include "engine/state.h"
#include "spot/spot.h"
#include "util/error.h"

/* The state file of the connection: state_path when given, else the
 * default one for the caller's AWS account (aws required then). */
status_t manage_state_path(const char *state_path, aws_session *aws, char **out, sc_error *err);

typedef struct status_report {
    conn_state st;  /* as saved */
    int spot_known; /* 1 when Spot was asked */
    int connected;  /* what Spot says, when asked */
    char *role_arn; /* the role Spot uses, when asked */
} status_report;

/* Loads the state and, with a Spot client, asks Spot whether the account is
 * connected and to which role. */
status_t status_run(const char *path, spot_client *spot, status_report *out, sc_error *err);
void status_report_free(status_report *r);

typedef struct disconnect_report {
    char **removed; /* what was deleted, one line each */
    size_t nremoved;
    char **kept; /* what was left, and why */
    size_t nkept;
} disconnect_report;

/* Removes what the state says this tool created: the attachments it made,
 * the policy versions it added, the role and policy it created, and the Spot
 * account with delete_spot_account (only one it created). Anything else is
 * kept and reported. aws is required; spot only to delete the account. */
status_t disconnect_run(const char *path, int delete_spot_account, aws_session *aws,
                        spot_client *spot, journal *j, disconnect_report *out, sc_error *err);
void disconnect_report_free(disconnect_report *r);

#endif
