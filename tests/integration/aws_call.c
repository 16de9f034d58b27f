/* Makes one IAM/STS call through the real client, configured from the
 * standard AWS_* environment, and prints what came back as one JSON line:
 * {"status": "...", "code": "...", "http": N, "attempts": N}. The retry and
 * partition tests drive it through the fault proxy and the verifier.
 * Several calls separated by "--" run in one session, one line each, e.g.
 *   aws_call GetCallerIdentity -- CreatePolicyVersion ARN DOC */
#include <stdio.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/session.h"
#include "aws/sts.h"

static status_t call(aws_client *c, int argc, char **argv, sc_error *err)
{
    const char *action = argv[1];
    if (strcmp(action, "GetCallerIdentity") == 0) {
        sts_identity id;
        status_t st = sts_get_caller_identity(c, &id, err);
        if (st == ST_OK)
            sts_identity_free(&id);
        return st;
    }
    if (strcmp(action, "GetRole") == 0 && argc == 3) {
        iam_role r;
        status_t st = iam_get_role(c, argv[2], &r, err);
        if (st == ST_OK)
            iam_role_free(&r);
        return st;
    }
    if (strcmp(action, "CreatePolicy") == 0 && argc == 4) {
        iam_policy p;
        status_t st = iam_create_policy(c, argv[2], argv[3], NULL, &p, err);
        if (st == ST_OK)
            iam_policy_free(&p);
        return st;
    }
    if (strcmp(action, "CreatePolicyVersion") == 0 && argc == 4) {
        iam_policy_version v;
        status_t st = iam_create_policy_version(c, argv[2], argv[3], 1, &v, err);
        if (st == ST_OK)
            iam_policy_version_free(&v);
        return st;
    }
    return error_set(err, ST_USAGE, "usage: aws_call ACTION [ARGS]");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: aws_call ACTION [ARGS]\n", stderr);
        return 2;
    }
    http_global_init();
    aws_session_options so = {0};
    aws_session *s = NULL;
    sc_error err;
    error_clear(&err);
    status_t open_st = aws_session_open(&so, &s, &err), st = open_st;
    sc_error open_err = err;
    /* argv[first - 1] is the program's name or the "--" before the call:
     * call() reads the action from argv[1]. */
    for (int first = 1, i = 1; i <= argc; i++) {
        if (i < argc && strcmp(argv[i], "--") != 0)
            continue;
        err = open_err;
        st = open_st;
        if (st == ST_OK && i - first < 1)
            st = error_set(&err, ST_USAGE, "usage: aws_call ACTION [ARGS] [-- ACTION [ARGS]]");
        else if (st == ST_OK)
            st = call(s->client, i - first + 1, argv + first - 1, &err);
        if (st == ST_OK)
            err.attempts = err.attempts ? err.attempts : 1;
        printf("{\"status\": \"%s\", \"code\": \"%s\", \"http\": %ld, \"attempts\": %d}\n",
               status_message(st), err.code, err.http_status, err.attempts);
        if (st != ST_OK)
            fprintf(stderr, "aws_call: %s\n", err.message);
        first = i + 1;
    }
    aws_session_free(s);
    http_global_cleanup();
    return st == ST_OK ? 0 : 1;
}
