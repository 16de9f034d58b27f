/* After a connection: asking how it stands, and undoing what this tool
 * created (and nothing else). */
#ifndef SC_MANAGE_H
#define SC_MANAGE_H

#include "aws/session.h"
#include "engine/drift.h"
#include "engine/journal.h"
#include "engine/state.h"
#include "spot/spot.h"
#include "util/error.h"

/* The state file of the connection: state_path when given, else the
 * default one for the caller's AWS account (aws required then). */
status_t manage_state_path(const char *state_path, aws_session *aws, char **out, sc_error *err);

typedef struct status_report {
    conn_state st;      /* as saved */
    int spot_known;     /* 1 when Spot was asked */
    int connected;      /* what Spot says, when asked */
    char *role_arn;     /* the role Spot uses, when asked */
    int found_via_spot; /* the state did not know it: found by AWS account */
    int role_checked;   /* the role Spot uses was checked in IAM */
    char *role_health;  /* "ok", or what is wrong with it and the fix */
    drift_report drift; /* with AWS credentials: IAM against what connect writes */
    int drift_read;     /* drift was asked (AWS credentials) */
} status_report;

/* What status's exit status says (documented in the man page). */
typedef enum status_verdict {
    STATUS_IN_LINE,       /* connected, and IAM as connect would write it */
    STATUS_DRIFTED,       /* connected, but something differs (drift, roleHealth) */
    STATUS_NOT_CONNECTED, /* the state or Spot says it is not connected */
} status_verdict;

status_verdict status_verdict_of(const status_report *r);

/* Loads the state and, with a Spot client, asks Spot whether the account is
 * connected and to which role; when the state does not know the connection,
 * Spot is asked which account is linked to the caller's AWS account. With
 * AWS credentials, the role Spot uses gets the connect's preflight checks
 * and the AWS side is compared with what connect would write (drift). */
status_t status_run(const char *path, aws_session *aws, spot_client *spot, status_report *out,
                    sc_error *err);
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
