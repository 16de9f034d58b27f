/* The worker thread: jobs run in order off the calling thread, progress and
 * results arrive through the queue and the wake pipe, cancel reaches a job. */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util/backoff.h"
#include "util/xalloc.h"
#include "worker/worker.h"

static pthread_t main_thread;

static status_t job_echo(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)err;
    worker_progress(job, "halfway");
    int *n = xmalloc(sizeof *n);
    *n = *(int *)arg * 2;
    *n += pthread_equal(pthread_self(), main_thread) ? 1000 : 0;
    *result = n;
    return ST_OK;
}

/* Says it runs, then waits for the cancel (60 s at most: a deadline for a
 * broken cancel, never a measure of speed). */
static status_t job_wait_cancel(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)arg, (void)result;
    volatile int *flag = worker_cancel_flag(job);
    worker_progress(job, "running");
    for (int i = 0; i < 6000 && !*flag; i++)
        backoff_pause(0.01);
    return *flag ? error_set(err, ST_CANCELLED, "cancelled") : ST_OK;
}

/* Waits on the wake fd as the UI does, then takes one event (30 s at most). */
static int next_event(worker *w, worker_event *ev)
{
    for (int i = 0; i < 600; i++) {
        if (worker_take(w, ev))
            return 1;
        struct pollfd p = {worker_wake_fd(w), POLLIN, 0};
        poll(&p, 1, 50);
    }
    return 0;
}

static void runs_jobs_off_thread_in_order(void)
{
    worker *w = worker_start();
    static int a = 1, b = 2;
    int id1 = worker_submit(w, job_echo, &a, NULL);
    int id2 = worker_submit(w, job_echo, &b, NULL);
    CHECK(id1 > 0 && id2 > id1);
    int want[] = {WORKER_PROGRESS, WORKER_DONE, WORKER_PROGRESS, WORKER_DONE};
    int results[2] = {0, 0}, nres = 0;
    for (int i = 0; i < 4; i++) {
        worker_event ev;
        REQUIRE(next_event(w, &ev));
        CHECK_INT(ev.kind, want[i]);
        if (ev.kind == WORKER_PROGRESS)
            CHECK_STR(ev.text, "halfway");
        if (ev.kind == WORKER_DONE) {
            CHECK_INT(ev.status, ST_OK);
            results[nres++] = *(int *)ev.result;
            free(ev.result);
        }
        worker_event_free(&ev);
    }
    CHECK_INT(results[0], 2);
    CHECK_INT(results[1], 4);
    worker_stop(w);
}

static void cancel_reaches_the_running_job(void)
{
    worker *w = worker_start();
    worker_submit(w, job_wait_cancel, NULL, NULL);
    /* The job has started when it says so (a pause would race the thread's
     * start on a loaded machine, and a cancel before the start is lost). */
    worker_event ev;
    REQUIRE(next_event(w, &ev));
    CHECK_INT(ev.kind, WORKER_PROGRESS);
    worker_event_free(&ev);
    CHECK(worker_busy(w));
    worker_cancel(w);
    REQUIRE(next_event(w, &ev));
    CHECK_INT(ev.kind, WORKER_DONE);
    CHECK_INT(ev.status, ST_CANCELLED);
    CHECK(!worker_busy(w));
    worker_stop(w);
}

static void free_arg_is_called(void)
{
    worker *w = worker_start();
    int *arg = xmalloc(sizeof *arg);
    *arg = 5;
    worker_submit(w, job_echo, arg, free);
    worker_event ev;
    int done = 0;
    while (!done && next_event(w, &ev)) {
        done = ev.kind == WORKER_DONE;
        if (done)
            free(ev.result);
        worker_event_free(&ev);
    }
    CHECK(done);
    worker_stop(w); /* ASan reports the arg if it leaked */
}

int main(void)
{
    check_suite = "worker";
    main_thread = pthread_self();
    check_run("runs jobs off the UI thread, in order", runs_jobs_off_thread_in_order);
    check_run("cancel reaches the running job", cancel_reaches_the_running_job);
    check_run("free_arg is called", free_arg_is_called);
    return check_exit();
}
