/* The worker thread: jobs run in order off the calling thread, progress and
 * results arrive through the queue and the wake pipe, cancel reaches a job.
 * The stress cases are for the sanitizer builds: ThreadSanitizer sees any
 * unlocked access, AddressSanitizer the job freed under worker_submit. */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/retry.h"
#include "util/timeutil.h"
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

static atomic_int job_started;

/* Says it started, then waits (up to a minute) for the cancel flag. */
static status_t job_wait_cancel(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)arg, (void)result;
    atomic_int *flag = worker_cancel_flag(job);
    atomic_store(&job_started, 1);
    for (int i = 0; i < 6000 && !atomic_load(flag); i++)
        retry_pause(0.01, NULL);
    return atomic_load(flag) ? error_set(err, ST_CANCELLED, "cancelled") : ST_OK;
}

/* Waits up to a minute for the running job to say it started. */
static int wait_started(void)
{
    for (int i = 0; i < 6000 && !atomic_load(&job_started); i++)
        retry_pause(0.01, NULL);
    return atomic_load(&job_started);
}

static status_t job_nothing(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)job, (void)arg, (void)result, (void)err;
    return ST_OK;
}

static status_t job_chatty(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)arg, (void)result, (void)err;
    for (int i = 0; i < 50; i++)
        worker_progress(job, "tick");
    return ST_OK;
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
    atomic_store(&job_started, 0);
    worker_submit(w, job_wait_cancel, NULL, NULL);
    CHECK(wait_started());
    CHECK(worker_busy(w));
    worker_cancel(w);
    worker_event ev;
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

/* Submits while the worker finishes jobs as fast as it can: every id
 * returned is the job's own (the next in sequence), never one read from a
 * job the worker already freed. */
static void submit_races_the_worker(void)
{
    worker *w = worker_start();
    enum { N = 3000 };
    int last = 0, bad = 0;
    for (int i = 0; i < N; i++) {
        int id = worker_submit(w, job_nothing, NULL, NULL);
        bad += id != last + 1;
        last = id;
        if (i % 7 == 0)
            worker_cancel(w); /* the flag is written here and read there */
    }
    CHECK_INT(bad, 0);
    int done = 0;
    worker_event ev;
    while (done < N && next_event(w, &ev)) {
        done += ev.kind == WORKER_DONE;
        worker_event_free(&ev);
    }
    CHECK_INT(done, N);
    worker_stop(w);
}

/* Takes events while the worker is still queueing more. */
static void take_races_progress(void)
{
    worker *w = worker_start();
    enum { JOBS = 40 };
    for (int i = 0; i < JOBS; i++)
        worker_submit(w, job_chatty, NULL, NULL);
    int done = 0, ticks = 0;
    worker_event ev;
    while (done < JOBS && next_event(w, &ev)) {
        done += ev.kind == WORKER_DONE;
        ticks += ev.kind == WORKER_PROGRESS;
        worker_event_free(&ev);
    }
    CHECK_INT(done, JOBS);
    CHECK_INT(ticks, JOBS * 50);
    worker_stop(w);
}

/* A job that ignores the cancel flag until released. */
static atomic_int released;
static status_t job_stubborn(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)job, (void)arg, (void)result, (void)err;
    atomic_store(&job_started, 1);
    while (!atomic_load(&released))
        retry_pause(0.01, NULL);
    return ST_OK;
}

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1 /* the sanitizers own SIGSEGV, and TSan forks badly */
#else
#define SANITIZED 0
#endif

/* Runs fn in a child process; its exit status, or 128 + the signal. */
static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(99);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void stop_gives_up_child(void)
{
    worker *w = worker_start();
    atomic_store(&job_started, 0);
    worker_submit(w, job_stubborn, NULL, NULL);
    if (!wait_started())
        _exit(1);
    double t0 = time_monotonic();
    int rc = worker_stop_within(w, 0.3);
    double took = time_monotonic() - t0;
    _exit(rc == -1 && took >= 0.25 && took < 30 ? 0 : 2);
}

static void stop_within_is_bounded(void)
{
    /* In a child: the worker left behind must not outlive the case (and
     * ThreadSanitizer cannot follow threads into a forked child). */
    if (!SANITIZED)
        CHECK_INT(in_child(stop_gives_up_child), 0);
    /* A job that honours the flag is joined and freed. */
    worker *w = worker_start();
    atomic_store(&job_started, 0);
    worker_submit(w, job_wait_cancel, NULL, NULL);
    CHECK(wait_started());
    CHECK_INT(worker_stop_within(w, 30), 0);
}

static void on_segv(int sig)
{
    (void)sig;
    _exit(42);
}

static status_t job_fault(worker_job *job, void *arg, void **result, sc_error *err)
{
    (void)job, (void)result, (void)err;
    *(volatile int *)arg = 1; /* NULL: a real fault, as a bug would raise */
    return ST_OK;
}

static void fault_child(void)
{
    struct sigaction sa = {.sa_handler = on_segv, .sa_flags = SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    worker *w = worker_start();
    worker_submit(w, job_fault, NULL, NULL);
    worker_event ev;
    while (!next_event(w, &ev)) /* the fault ends this child first */
        ;
    worker_stop(w);
}

/* A fault on the worker thread runs the process's handler (the one that
 * restores the terminal) instead of killing the process outright. */
static void fault_on_worker_reaches_handler(void)
{
    CHECK_INT(in_child(fault_child), 42);
}

int main(void)
{
    check_suite = "worker";
    main_thread = pthread_self();
    check_run("runs jobs off the UI thread, in order", runs_jobs_off_thread_in_order);
    check_run("cancel reaches the running job", cancel_reaches_the_running_job);
    check_run("free_arg is called", free_arg_is_called);
    check_run("submit races the worker: ids are the jobs' own", submit_races_the_worker);
    check_run("events are taken while the worker queues more", take_races_progress);
    check_run("stopping is bounded", stop_within_is_bounded);
    if (SANITIZED) /* the sanitizers' own SIGSEGV handler comes first */
        printf("ok - worker: a fault on the worker reaches the handler # skip sanitizer\n");
    else
        check_run("a fault on the worker reaches the handler", fault_on_worker_reaches_handler);
    return check_exit();
}
