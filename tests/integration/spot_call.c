/* Makes Spot API calls through the real client, with the token and
 * account resolved as the CLI resolves them, and prints one JSON line a call:
 *   {"status": "...", "code": "...", "http": N, "request_id": "...",
 *    "attempts": N, "message": "...", "result": ...}
 * Several calls separated by "--" run one after the other in one process
 * (one client, so kept-alive connections are reused), e.g.
 *   spot_call listAccounts -- createAccount NAME
 * Every attempt is also written to stderr as `spot-log {...}`, with the
 * call log's transport facts under "transport" ("conn=new tls=full ...").
 *
 * Environment: SPOT_CONNECT_SPOT_ENDPOINT (base URL), SPOT_CONNECT_CA_BUNDLE
 * or AWS_CA_BUNDLE (PEM to trust), SPOT_CALL_MAX_ATTEMPTS and
 * SPOT_CALL_TIMEOUT_MS (optional), SPOTINST_* as for spot-connect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spot/auth.h"
#include "spot/spot.h"
#include "util/json.h"

#define USAGE                                                                                      \
    "usage: spot_call listAccounts [CLOUD_ACCOUNT_ID] | createAccount NAME | deleteAccount ID |\n" \
    "       generateExternalId ID | setCredentials ID ROLE_ARN | readCredentials ID\n"             \
    "       [-- another call ...]\n"

typedef struct last_call {
    long http_status;
    char request_id[96];
} last_call;

static void on_log(void *ctx, const api_call_log *e)
{
    last_call *last = ctx;
    last->http_status = e->http_status;
    snprintf(last->request_id, sizeof last->request_id, "%s", e->request_id ? e->request_id : "");
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    json_kv_str(g, "service", e->service);
    json_kv_str(g, "action", e->action);
    json_kv_str(g, "method", e->method);
    json_kv_str(g, "url", e->url);
    json_kv_int(g, "http", e->http_status);
    json_kv_str(g, "request_id", e->request_id);
    json_kv_str(g, "error", e->error_code);
    json_kv_int(g, "attempt", e->attempt);
    char transport[96];
    calllog_transport(e, transport, sizeof transport);
    json_kv_str(g, "transport", transport[0] ? transport + 1 : NULL);
    yajl_gen_map_close(g);
    fputs("spot-log ", stderr);
    json_gen_finish(g, stderr);
}

static void put_account(yajl_gen g, const spot_account *a)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "id", a->id);
    json_kv_str(g, "name", a->name);
    json_kv_str(g, "organizationId", a->organization_id);
    json_kv_str(g, "providerExternalId", a->provider_external_id);
    json_kv_str(g, "cloudProvider", a->cloud_provider);
    yajl_gen_map_close(g);
}

/* Performs the call and writes its result (null on failure) under "result". */
static status_t call(spot_client *c, int argc, char **argv, yajl_gen g, sc_error *err)
{
    const char *a = argv[1];
    status_t st = ST_USAGE;
    json_key(g, "result");
    if (strcmp(a, "listAccounts") == 0 && argc <= 3) {
        spot_accounts as;
        st = spot_list_accounts(c, argc == 3 ? argv[2] : NULL, &as, err);
        yajl_gen_array_open(g);
        for (size_t i = 0; st == ST_OK && i < as.n; i++)
            put_account(g, &as.items[i]);
        yajl_gen_array_close(g);
        spot_accounts_free(&as);
        return st;
    }
    if (strcmp(a, "createAccount") == 0 && argc == 3) {
        spot_account acct;
        st = spot_create_account(c, argv[2], &acct, err);
        if (st == ST_OK)
            put_account(g, &acct);
        else
            yajl_gen_null(g);
        spot_account_free(&acct);
        return st;
    }
    char *text = NULL;
    if (strcmp(a, "deleteAccount") == 0 && argc == 3)
        st = spot_delete_account(c, argv[2], err);
    else if (strcmp(a, "generateExternalId") == 0 && argc == 3)
        st = spot_generate_external_id(c, argv[2], &text, err);
    else if (strcmp(a, "setCredentials") == 0 && argc == 4)
        st = spot_set_credentials(c, argv[2], argv[3], err);
    else if (strcmp(a, "readCredentials") == 0 && argc == 3)
        st = spot_read_credentials(c, argv[2], &text, err);
    else
        error_set(err, ST_USAGE, USAGE);
    json_str(g, text);
    free(text);
    return st;
}

static const char *env_or(const char *a, const char *b)
{
    const char *v = getenv(a);
    return v && *v ? v : getenv(b);
}

/* Runs the call argv[1..argc-1] and prints its JSON line. */
static status_t run_one(spot_client *c, status_t auth_st, const spot_auth *auth,
                        const sc_error *auth_err, int argc, char **argv, last_call *last)
{
    sc_error err = *auth_err;
    status_t st = auth_st;
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    memset(last, 0, sizeof *last);
    if (st == ST_OK && argc < 2)
        st = error_set(&err, ST_USAGE, USAGE);
    else if (st == ST_OK)
        st = call(c, argc, argv, g, &err);
    json_kv_str(g, "status", status_message(st));
    json_kv_str(g, "code", err.code);
    json_kv_int(g, "http", st == ST_OK ? last->http_status : err.http_status);
    json_kv_str(g, "request_id", st == ST_OK ? last->request_id : err.request_id);
    json_kv_int(g, "attempts", err.attempts);
    json_kv_str(g, "message", st == ST_OK ? "" : err.message);
    json_kv_str(g, "token_source", auth->source);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
    fflush(stdout);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    http_global_init();
    sc_error err;
    spot_auth auth;
    last_call last = {0};
    status_t auth_st = spot_auth_resolve(NULL, NULL, &auth, &err);
    spot_client *c = NULL;
    if (auth_st == ST_OK) {
        const char *max = getenv("SPOT_CALL_MAX_ATTEMPTS"), *tmo = getenv("SPOT_CALL_TIMEOUT_MS");
        spot_config cfg = {.endpoint = getenv("SPOT_CONNECT_SPOT_ENDPOINT"),
                           .token = auth.token,
                           .max_attempts = max ? atoi(max) : 0,
                           .log = on_log,
                           .log_ctx = &last};
        cfg.http.ca_bundle = env_or("SPOT_CONNECT_CA_BUNDLE", "AWS_CA_BUNDLE");
        cfg.http.timeout_ms = tmo ? atol(tmo) : 0;
        c = spot_client_new(&cfg);
    }
    /* argv[first - 1] is the program's name or the "--" before the call:
     * call() reads the action from argv[1]. */
    status_t st = ST_OK;
    for (int first = 1, i = 1; i <= argc; i++) {
        if (i < argc && strcmp(argv[i], "--") != 0)
            continue;
        st = run_one(c, auth_st, &auth, &err, i - first + 1, argv + first - 1, &last);
        first = i + 1;
    }
    spot_client_free(c);
    spot_auth_clear(&auth);
    http_global_cleanup();
    return st == ST_OK ? 0 : st == ST_USAGE ? 2 : 1;
}
