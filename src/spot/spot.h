/* The Spot API calls that connect an AWS account (api.spotinst.io, JSON
 * over HTTPS, "Authorization: Bearer <token>"). Errors come back as ST_SPOT
 * with err->code/message from response.errors[0], err->request_id from
 * request.id and err->http_status. */
#ifndef SC_SPOT_H
#define SC_SPOT_H

#include <stddef.h>

#include "net/calllog.h"
#include "net/http.h"
#include "util/error.h"

#define SPOT_DEFAULT_ENDPOINT "https://api.spotinst.io"

typedef struct spot_config {
    const char *endpoint; /* base URL; NULL = SPOT_DEFAULT_ENDPOINT */
    const char *token;    /* secret; sent only in the Authorization header */
    http_options http;
    int max_attempts; /* 0 = 3 */
    api_log_fn log;   /* every call, secret-free */
    void *log_ctx;
} spot_config;

typedef struct spot_client spot_client;

typedef struct spot_account {
    char *id; /* "act-..." ("id" on create, "accountId" on list) */
    char *name;
    char *organization_id;      /* string or number in the answer; kept as text */
    char *provider_external_id; /* the connected AWS account number; NULL until connected */
    char *cloud_provider;       /* NULL until connected */
} spot_account;

typedef struct spot_accounts {
    spot_account *items;
    size_t n;
} spot_accounts;

/* Copies the strings of cfg. */
spot_client *spot_client_new(const spot_config *cfg);
void spot_client_free(spot_client *c);
/* Starts opening the connection the next call will use, in the background
 * (net/preconnect.h): same endpoint, same proxy rules. */
void spot_client_preconnect(spot_client *c);

/* GET /setup/account[?cloudAccountId=...]. */
status_t spot_list_accounts(spot_client *c, const char *cloud_account_id, spot_accounts *out,
                            sc_error *err);
/* POST /setup/account {"account":{"name":...}}. */
status_t spot_create_account(spot_client *c, const char *name, spot_account *out, sc_error *err);
/* Spot's rule for account names (at least one ASCII letter), for checking
 * before a round trip: NULL when name passes, else a one-line reason. */
const char *spot_account_name_problem(const char *name);
/* DELETE /setup/account/{id}. */
status_t spot_delete_account(spot_client *c, const char *account_id, sc_error *err);
/* POST /setup/credentials/aws/externalId?accountId=... ; each call makes a NEW id. */
status_t spot_generate_external_id(spot_client *c, const char *account_id, char **external_id,
                                   sc_error *err);
/* The same, with the answer's maxValidUntil (ISO 8601 text; NULL when the
 * answer has none): after it, Spot no longer accepts a role trusting the ID. */
status_t spot_generate_external_id_until(spot_client *c, const char *account_id, char **external_id,
                                         char **max_valid_until, sc_error *err);
/* POST /setup/credentials/aws?accountId=... {"credentials":{"iamRole":ARN}}. */
status_t spot_set_credentials(spot_client *c, const char *account_id, const char *role_arn,
                              sc_error *err);
/* GET /setup/credentials/aws?accountId=... ; *role_arn NULL when none is set. */
status_t spot_read_credentials(spot_client *c, const char *account_id, char **role_arn,
                               sc_error *err);

void spot_account_free(spot_account *a);
void spot_accounts_free(spot_accounts *as);

#endif
