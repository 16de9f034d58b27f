/* Preconnects to the endpoint of a Spot or STS client (net/preconnect.h),
 * then makes one call through that client, for test_preconnect.py:
 *   1. prints {"phase": "settled", "pooled": N} once no connect is under way;
 *   2. reads one line from stdin: the test's go-ahead, sent when its peer
 *      has seen what it waits for;
 *   3. makes the call and prints {"status": "...", "used": N, "pooled": N},
 *      used counting the exchanges that took a preconnected socket.
 *
 * Usage: preconnect_call spot | sts
 * spot: SPOT_CONNECT_SPOT_ENDPOINT, SPOTINST_TOKEN, SPOT_CONNECT_CA_BUNDLE;
 * the call is listAccounts. sts: the standard AWS_* environment, as
 * aws_call; the call is GetCallerIdentity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/session.h"
#include "aws/sts.h"
#include "net/preconnect.h"
#include "spot/spot.h"

#define SETTLE_DEADLINE_S 30

/* Waits, with a deadline, until every preconnect has connected or failed. */
static void wait_settled(void)
{
    struct timespec step = {.tv_nsec = 10 * 1000 * 1000};
    for (int i = 0; i < SETTLE_DEADLINE_S * 100 && preconnect_connecting() > 0; i++)
        nanosleep(&step, NULL);
    printf("{\"phase\": \"settled\", \"pooled\": %u, \"connecting\": %u}\n", preconnect_pooled(),
           preconnect_connecting());
    fflush(stdout);
}

static void wait_go(void)
{
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
}

static status_t spot(sc_error *err)
{
    spot_config cfg = {.endpoint = getenv("SPOT_CONNECT_SPOT_ENDPOINT"),
                       .token = getenv("SPOTINST_TOKEN")};
    cfg.http.ca_bundle = getenv("SPOT_CONNECT_CA_BUNDLE");
    spot_client *c = spot_client_new(&cfg);
    spot_client_preconnect(c);
    wait_settled();
    wait_go();
    spot_accounts as;
    status_t st = spot_list_accounts(c, NULL, &as, err);
    if (st == ST_OK)
        spot_accounts_free(&as);
    spot_client_free(c);
    return st;
}

static status_t sts(sc_error *err)
{
    aws_session_options so = {0};
    aws_session *s = NULL;
    status_t st = aws_session_open(&so, &s, err);
    if (st != ST_OK)
        return st;
    aws_client_preconnect(s->client, AWS_STS);
    wait_settled();
    wait_go();
    sts_identity id;
    st = sts_get_caller_identity(s->client, &id, err);
    if (st == ST_OK)
        sts_identity_free(&id);
    aws_session_free(s);
    return st;
}

int main(int argc, char **argv)
{
    int is_spot = argc == 2 && strcmp(argv[1], "spot") == 0;
    if (argc != 2 || (!is_spot && strcmp(argv[1], "sts") != 0)) {
        fputs("usage: preconnect_call spot | sts\n", stderr);
        return 2;
    }
    http_global_init();
    sc_error err;
    error_clear(&err);
    status_t st = is_spot ? spot(&err) : sts(&err);
    printf("{\"status\": \"%s\", \"used\": %u, \"pooled\": %u}\n", status_message(st),
           preconnect_used(), preconnect_pooled());
    if (st != ST_OK)
        fprintf(stderr, "preconnect_call: %s\n", err.message);
    http_global_cleanup();
    return st == ST_OK ? 0 : 1;
}
