/* The one retry policy of every AWS, Spot and metadata call: a bounded
 * number of attempts, full-jitter exponential backoff (many clients retrying
 * at once spread out instead of arriving together), a server's requested
 * pause (Retry-After, Spot's X-RateLimit-Reset) honoured up to a cap, an
 * optional deadline, and the operator's cancel seen before every wait and
 * during it. Whether a failure may be retried at all (idempotency) is each
 * client's own decision; this module only decides when, and whether waiting
 * is still worth it. */
#ifndef SC_RETRY_H
#define SC_RETRY_H

#include <stdatomic.h>
#include <time.h>

#include "util/error.h"

/* The cancel flag the callers share with signal handlers and the worker. */
typedef atomic_int retry_flag;

static inline int retry_cancelled(const retry_flag *flag)
{
    return flag && atomic_load(flag);
}

typedef struct retry_policy {
    int max_attempts;  /* attempts in all, the first included; 0 = no limit */
    double base_s;     /* the backoff ceiling before the first repeat */
    double cap_s;      /* the ceiling doubles per attempt up to this */
    double hint_cap_s; /* a longer server-requested pause is not waited for; 0 = hints unused */
    double deadline;   /* time_monotonic() after which no wait starts; 0 = none */
} retry_policy;

/* Presets; copy one and set max_attempts or deadline when they come from
 * the configuration. */
extern const retry_policy retry_aws;           /* AWS Query: botocore's standard mode */
extern const retry_policy retry_aws_throttled; /* the same, after a throttling error */
extern const retry_policy retry_spot;          /* the Spot API */
extern const retry_policy retry_container;     /* the container credentials agent */
extern const retry_policy retry_imds;          /* EC2 instance metadata */
extern const retry_policy retry_iam_settle;    /* IAM eventual consistency (set a deadline) */

typedef enum retry_verdict {
    RETRY_AGAIN,     /* the wait is over: make the next attempt */
    RETRY_GIVE_UP,   /* no attempt left, deadline reached, or the server asks too long */
    RETRY_CANCELLED, /* the flag was set before or during the wait */
} retry_verdict;

/* A random delay in [0, min(base * 2^(attempt-1), cap)] seconds. */
double retry_backoff(const retry_policy *p, int attempt);

/* The pause before the attempt after `attempt` (1-based): the server's hint
 * when hint_s > 0, else the backoff, shortened to end at the deadline. -1
 * when no further attempt should be made: attempts used up, a hint over the
 * cap, or the deadline already passed. */
double retry_delay(const retry_policy *p, int attempt, double hint_s);

/* After failed attempt number `attempt`: waits retry_delay() in short
 * slices, watching cancel (may be NULL). */
retry_verdict retry_wait(const retry_policy *p, int attempt, double hint_s,
                         const retry_flag *cancel);

/* Sleeps s seconds, waking early (returning 1) when cancel becomes set;
 * returns 0 after the full pause. A signal only makes it look again. */
int retry_pause(double s, const retry_flag *cancel);

/* The retry step of a client's loop, after failed attempt `attempt` whose
 * error is in err and which the client has judged safe to repeat: ST_OK
 * once the wait is over; otherwise the status to return, err saying why
 * (ST_CANCELLED "WHAT cancelled after N attempts", or the failure as it
 * was, with a note when the server asked for a pause over the cap). */
status_t retry_next(const retry_policy *p, int attempt, double hint_s, const retry_flag *cancel,
                    const char *what, sc_error *err);

/* The pause Spot's X-RateLimit-Reset asks for: seconds until a request is
 * allowed (spot-api.md); a value too large for that is read as a Unix time,
 * as some rate limiters send. 0 when none or already past. */
double retry_reset_hint(double reset, time_t now);

#endif
