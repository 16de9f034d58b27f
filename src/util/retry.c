#include "util/retry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

/* How often a wait looks at the cancel flag: a person pressing Esc or
 * Ctrl-C sees the program stop within this (a signal ends a slice at once). */
#define RETRY_SLICE_S 0.05
/* X-RateLimit-Reset above this cannot be "seconds until": it is a Unix time. */
#define RETRY_RESET_EPOCH_MIN 1e9

/* botocore standard mode: 3 attempts, base 1 s for throttles and 50 ms
 * otherwise, cap 20 s (aws.md). */
const retry_policy retry_aws = {
    .max_attempts = 3,
    .base_s = 0.05,
    .cap_s = 20.0,
    .hint_cap_s = 20.0,
};
const retry_policy retry_aws_throttled = {
    .max_attempts = 3,
    .base_s = 1.0,
    .cap_s = 20.0,
    .hint_cap_s = 20.0,
};
/* Spot blocks a route for its 60 s window after a 429 and restarts the
 * window on every request made meanwhile: waiting out one window is worth
 * it, retrying early never is; a longer block is reported instead. */
const retry_policy retry_spot = {
    .max_attempts = 3,
    .base_s = 0.5,
    .cap_s = 5.0,
    .hint_cap_s = 60.0,
};
/* botocore pauses 1 s between its 3 tries of the container agent. */
const retry_policy retry_container = {
    .max_attempts = 3,
    .base_s = 1.0,
    .cap_s = 1.0,
};
/* The attempt count comes from metadata_service_num_attempts (default 1). */
const retry_policy retry_imds = {
    .max_attempts = 1,
    .base_s = 0.1,
    .cap_s = 1.0,
};
/* Terraform polls IAM's eventual consistency for up to 2 minutes; the
 * caller sets the deadline (--wait). */
const retry_policy retry_iam_settle = {
    .max_attempts = 0,
    .base_s = 0.5,
    .cap_s = 4.0,
};

double retry_backoff(const retry_policy *p, int attempt)
{
    double ceiling = p->base_s;
    for (int i = 1; i < attempt && ceiling < p->cap_s; i++)
        ceiling *= 2;
    if (ceiling > p->cap_s)
        ceiling = p->cap_s;
    return ceiling * (double)arc4random_uniform(1000001) / 1e6;
}

double retry_delay(const retry_policy *p, int attempt, double hint_s)
{
    if (p->max_attempts > 0 && attempt >= p->max_attempts)
        return -1;
    double d;
    if (hint_s > 0 && p->hint_cap_s > 0) {
        if (hint_s > p->hint_cap_s)
            return -1;
        d = hint_s;
    } else {
        d = retry_backoff(p, attempt);
    }
    if (p->deadline > 0) {
        double left = p->deadline - time_monotonic();
        if (left <= 0)
            return -1;
        /* One last attempt at the deadline beats stopping short of it. */
        if (d > left)
            d = left;
    }
    return d;
}

int retry_pause(double s, const retry_flag *cancel)
{
    double end = time_monotonic() + s;
    for (;;) {
        if (retry_cancelled(cancel))
            return 1;
        double left = end - time_monotonic();
        if (left <= 0)
            return 0;
        if (left > RETRY_SLICE_S)
            left = RETRY_SLICE_S;
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        /* EINTR (SIGINT, SIGTERM) just brings the flag check forward. */
        if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
            return 0;
    }
}

retry_verdict retry_wait(const retry_policy *p, int attempt, double hint_s,
                         const retry_flag *cancel)
{
    if (retry_cancelled(cancel))
        return RETRY_CANCELLED;
    double d = retry_delay(p, attempt, hint_s);
    if (d < 0)
        return RETRY_GIVE_UP;
    return retry_pause(d, cancel) ? RETRY_CANCELLED : RETRY_AGAIN;
}

status_t retry_next(const retry_policy *p, int attempt, double hint_s, const retry_flag *cancel,
                    const char *what, sc_error *err)
{
    retry_verdict v = retry_wait(p, attempt, hint_s, cancel);
    if (v == RETRY_CANCELLED)
        return error_set(err, ST_CANCELLED, "%s cancelled after %d attempts", what, attempt);
    if (v == RETRY_AGAIN)
        return ST_OK;
    if (hint_s > 0 && p->hint_cap_s > 0 && hint_s > p->hint_cap_s) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n,
                 " (the server asks for a pause of %.0f s before another attempt: try again "
                 "later)",
                 hint_s);
    }
    return err->status;
}

double retry_reset_hint(double reset, time_t now)
{
    if (!(reset > 0))
        return 0;
    if (reset >= RETRY_RESET_EPOCH_MIN)
        reset -= (double)now;
    return reset > 0 ? reset : 0;
}
