/* The retry policy: backoff bounds, server hints and their cap, the
 * deadline, and the cancel flag seen before and during a wait. Timing is
 * only ever checked with bounds far from what a loaded machine could reach:
 * a wait that must be cut short is a minute long, and the cut is checked
 * against half of it. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "util/error.h"
#include "util/retry.h"
#include "util/timeutil.h"

static const retry_policy slow = {
    .max_attempts = 0,
    .base_s = 60.0,
    .cap_s = 60.0,
    .hint_cap_s = 120.0,
};

static void backoff_is_full_jitter_within_the_ceiling(void)
{
    const retry_policy p = {.max_attempts = 10, .base_s = 0.5, .cap_s = 5.0};
    const double ceilings[] = {0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0};
    for (int a = 1; a <= 7; a++) {
        double lo = 1e9, hi = -1;
        for (int i = 0; i < 2000; i++) {
            double d = retry_backoff(&p, a);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        CHECK(lo >= 0 && hi <= ceilings[a - 1]);
        /* Full jitter spreads over the whole range, not around its top. */
        CHECK(lo < 0.25 * ceilings[a - 1] && hi > 0.75 * ceilings[a - 1]);
    }
    CHECK(retry_backoff(&p, 1000) <= 5.0);
}

static void attempts_are_bounded(void)
{
    const retry_policy p = {.max_attempts = 3, .base_s = 0.01, .cap_s = 0.01};
    CHECK(retry_delay(&p, 1, 0) >= 0);
    CHECK(retry_delay(&p, 2, 0) >= 0);
    CHECK(retry_delay(&p, 3, 0) < 0);
    const retry_policy unlimited = {.max_attempts = 0, .base_s = 0.01, .cap_s = 0.01};
    CHECK(retry_delay(&unlimited, 500, 0) >= 0);
    CHECK_INT(retry_wait(&p, 3, 0, NULL), RETRY_GIVE_UP);
}

static void a_server_hint_is_honoured_up_to_its_cap(void)
{
    const retry_policy p = {.max_attempts = 3, .base_s = 0.01, .cap_s = 0.02, .hint_cap_s = 60};
    CHECK(retry_delay(&p, 1, 7.0) == 7.0);
    CHECK(retry_delay(&p, 2, 60.0) == 60.0);
    /* Longer than the cap: reported, not waited for, not cut short (Spot
     * restarts its window on a request made too early). */
    CHECK(retry_delay(&p, 1, 3600.0) < 0);
    CHECK_INT(retry_wait(&p, 1, 3600.0, NULL), RETRY_GIVE_UP);
    /* Hints unused: the backoff alone decides. */
    const retry_policy none = {.max_attempts = 3, .base_s = 0.01, .cap_s = 0.02};
    double d = retry_delay(&none, 1, 3600.0);
    CHECK(d >= 0 && d <= 0.01);
}

static void the_deadline_shortens_then_ends_the_waits(void)
{
    retry_policy p = slow;
    p.deadline = time_monotonic() + 5.0;
    double d = retry_delay(&p, 1, 0);
    CHECK(d >= 0 && d <= 5.0);
    d = retry_delay(&p, 1, 100.0);
    CHECK(d > 0 && d <= 5.0);
    p.deadline = time_monotonic() - 1.0;
    CHECK(retry_delay(&p, 1, 0) < 0);
    CHECK_INT(retry_wait(&p, 1, 0, NULL), RETRY_GIVE_UP);
}

static void rate_limit_reset_as_seconds_or_unix_time(void)
{
    time_t now = 1750000000;
    CHECK(retry_reset_hint(30, now) == 30);
    CHECK(retry_reset_hint(0.5, now) == 0.5);
    CHECK(retry_reset_hint((double)now + 45, now) == 45);
    CHECK(retry_reset_hint((double)now - 10, now) == 0);
    CHECK(retry_reset_hint(0, now) == 0);
    CHECK(retry_reset_hint(-5, now) == 0);
}

static void cancel_before_the_wait_stops_at_once(void)
{
    retry_flag flag = 1;
    double start = time_monotonic();
    CHECK_INT(retry_wait(&slow, 1, 0, &flag), RETRY_CANCELLED);
    CHECK_INT(retry_wait(&slow, 1, 100.0, &flag), RETRY_CANCELLED);
    /* Even with no attempt left, a cancel is a cancel. */
    const retry_policy done = {.max_attempts = 1};
    CHECK_INT(retry_wait(&done, 1, 0, &flag), RETRY_CANCELLED);
    CHECK(retry_pause(60.0, &flag) == 1);
    CHECK(time_monotonic() - start < 30.0);
}

typedef struct setter {
    retry_flag *flag;
    pthread_t target; /* signalled after the flag is set, as SIGINT would */
    int signal_it;
} setter;

static void *set_flag_soon(void *arg)
{
    setter *s = arg;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    *s->flag = 1;
    if (s->signal_it)
        pthread_kill(s->target, SIGUSR1);
    return NULL;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void cancel_during_the_wait(int signal_it)
{
    retry_flag flag = 0;
    setter s = {&flag, pthread_self(), signal_it};
    pthread_t t;
    double start = time_monotonic();
    CHECK(pthread_create(&t, NULL, set_flag_soon, &s) == 0);
    /* A 60 s hint: only the flag can end this wait early. */
    CHECK_INT(retry_wait(&slow, 1, 60.0, &flag), RETRY_CANCELLED);
    CHECK(time_monotonic() - start < 30.0);
    pthread_join(t, NULL);
}

static void cancel_during_the_wait_from_a_thread(void)
{
    cancel_during_the_wait(0);
}

static void cancel_during_the_wait_with_a_signal(void)
{
    cancel_during_the_wait(1);
}

static void *signal_soon(void *arg)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

/* A signal that cancels nothing must not shorten the pause. */
static void a_signal_alone_does_not_shorten_a_pause(void)
{
    retry_flag flag = 0;
    pthread_t self = pthread_self(), t;
    double start = time_monotonic();
    CHECK(pthread_create(&t, NULL, signal_soon, &self) == 0);
    CHECK(retry_pause(0.3, &flag) == 0);
    CHECK(time_monotonic() - start >= 0.3);
    pthread_join(t, NULL);
    CHECK(retry_pause(0, NULL) == 0);
    CHECK(retry_pause(-1, NULL) == 0);
}

static void retry_next_says_why_it_stops(void)
{
    const retry_policy p = {.max_attempts = 3, .base_s = 0.01, .cap_s = 0.01, .hint_cap_s = 60};
    sc_error e;
    error_clear(&e);
    error_set(&e, ST_SPOT, "Too Many Requests");
    e.http_status = 429;
    CHECK_INT(retry_next(&p, 1, 3600.0, NULL, "listAccounts", &e), ST_SPOT);
    CHECK(strstr(e.message, "Too Many Requests (the server asks for a pause of 3600 s") ==
          e.message);
    CHECK_INT(e.http_status, 429);

    error_clear(&e);
    error_set(&e, ST_HTTP, "HTTP 503");
    CHECK_INT(retry_next(&p, 3, 0, NULL, "GetRole", &e), ST_HTTP);
    CHECK_STR(e.message, "HTTP 503");
    CHECK_INT(retry_next(&p, 1, 0, NULL, "GetRole", &e), ST_OK);

    retry_flag flag = 1;
    CHECK_INT(retry_next(&p, 2, 0, &flag, "GetRole", &e), ST_CANCELLED);
    CHECK_STR(e.message, "GetRole cancelled after 2 attempts");
}

static void presets_keep_their_shape(void)
{
    const retry_policy *all[] = {&retry_aws,       &retry_aws_throttled, &retry_spot,
                                 &retry_container, &retry_imds,          &retry_iam_settle};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK(all[i]->base_s > 0 && all[i]->cap_s >= all[i]->base_s);
        CHECK(all[i]->deadline == 0);
        CHECK(all[i]->max_attempts >= 0);
    }
    /* Spot's rate limiter blocks for a 60 s window: one window is waited. */
    CHECK(retry_delay(&retry_spot, 1, 60.0) == 60.0);
    CHECK(retry_delay(&retry_spot, 1, 61.0) < 0);
    CHECK_INT(retry_aws.max_attempts, 3);
    CHECK_INT(retry_spot.max_attempts, 3);
}

int main(void)
{
    check_suite = "retry";
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    check_run("backoff is full jitter within the ceiling",
              backoff_is_full_jitter_within_the_ceiling);
    check_run("attempts are bounded", attempts_are_bounded);
    check_run("a server hint is honoured up to its cap", a_server_hint_is_honoured_up_to_its_cap);
    check_run("the deadline shortens, then ends, the waits",
              the_deadline_shortens_then_ends_the_waits);
    check_run("X-RateLimit-Reset as seconds or a Unix time",
              rate_limit_reset_as_seconds_or_unix_time);
    check_run("cancel before the wait stops at once", cancel_before_the_wait_stops_at_once);
    check_run("cancel during the wait, from a thread", cancel_during_the_wait_from_a_thread);
    check_run("cancel during the wait, with a signal", cancel_during_the_wait_with_a_signal);
    check_run("a signal alone does not shorten a pause", a_signal_alone_does_not_shorten_a_pause);
    check_run("retry_next says why it stops", retry_next_says_why_it_stops);
    check_run("presets keep their shape", presets_keep_their_shape);
    return check_exit();
}
