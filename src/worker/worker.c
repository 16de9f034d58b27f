#include "worker/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/http.h"
#include "util/xalloc.h"

typedef struct job_node {
    int id;
    worker_fn fn;
    void *arg;
    void (*free_arg)(void *);
    struct job_node *next;
} job_node;

typedef struct event_node {
    worker_event ev;
    struct event_node *next;
} event_node;

struct worker_job {
    worker *w;
    int id;
    void (*free_result)(void *);
};

struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake_thread;
    pthread_cond_t exited_cond; /* signalled once the thread is done */
    int pipe_fd[2];
    job_node *jobs, *jobs_tail;
    event_node *events, *events_tail;
    int next_id;
    int running; /* id of the running job, 0 when idle */
    int stopping;
    int exited;
    /* Set by the UI thread (Esc) and the signal-driven quit, read by the
     * job's HTTP calls and child processes on the worker thread. */
    atomic_int cancel;
};

static void push_event(worker *w, const worker_event *ev)
{
    event_node *n = xcalloc(1, sizeof *n);
    n->ev = *ev;
    pthread_mutex_lock(&w->lock);
    if (w->events_tail)
        w->events_tail->next = n;
    else
        w->events = n;
    w->events_tail = n;
    pthread_mutex_unlock(&w->lock);
    char byte = 1;
    /* The pipe is non-blocking: when full, the UI has wake-ups pending anyway. */
    while (write(w->pipe_fd[1], &byte, 1) < 0 && errno == EINTR)
        ;
}

void worker_progress(worker_job *job, const char *line)
{
    worker_event ev = {.kind = WORKER_PROGRESS, .job_id = job->id, .text = xstrdup(line)};
    push_event(job->w, &ev);
}

atomic_int *worker_cancel_flag(worker_job *job)
{
    return &job->w->cancel;
}

static job_node *next_job(worker *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->jobs && !w->stopping)
        pthread_cond_wait(&w->wake_thread, &w->lock);
    job_node *j = w->stopping ? NULL : w->jobs;
    if (j) {
        w->jobs = j->next;
        if (!w->jobs)
            w->jobs_tail = NULL;
        w->running = j->id;
        atomic_store(&w->cancel, 0);
    }
    pthread_mutex_unlock(&w->lock);
    return j;
}

static void run_job(worker *w, job_node *j)
{
    worker_job job = {.w = w, .id = j->id, .free_result = NULL};
    worker_event ev = {.kind = WORKER_DONE, .job_id = j->id};
    error_clear(&ev.err);
    ev.status = j->fn(&job, j->arg, &ev.result, &ev.err);
    ev.free_result = job.free_result;
    if (j->free_arg)
        j->free_arg(j->arg);
    free(j);
    pthread_mutex_lock(&w->lock);
    w->running = 0;
    pthread_mutex_unlock(&w->lock);
    push_event(w, &ev);
}

/* A stack overflow in a job (deeply nested input) must still reach the
 * fatal-signal handler, which needs a stack of its own to run on. */
static void *alt_stack_install(void)
{
    size_t size = (size_t)64 * 1024;
    stack_t ss = {.ss_sp = xmalloc(size), .ss_size = size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) == 0)
        return ss.ss_sp;
    free(ss.ss_sp);
    return NULL;
}

static void alt_stack_remove(void *stack)
{
    if (!stack)
        return;
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    free(stack);
}

static void *worker_main(void *ud)
{
    worker *w = ud;
    void *alt = alt_stack_install();
    job_node *j;
    while ((j = next_job(w)))
        run_job(w, j);
    http_thread_cleanup();
    alt_stack_remove(alt);
    pthread_mutex_lock(&w->lock);
    w->exited = 1;
    pthread_cond_broadcast(&w->exited_cond);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Every signal is blocked in the thread so that they reach the UI, except
 * the ones a fault raises: the kernel kills the process outright, without
 * running the handler that restores the terminal, when those are blocked. */
static void block_signals(sigset_t *old)
{
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    sigset_t set;
    sigfillset(&set);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&set, faults[i]);
    pthread_sigmask(SIG_SETMASK, &set, old);
}

worker *worker_start(void)
{
    worker *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake_thread, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->exited_cond, &ca);
    pthread_condattr_destroy(&ca);
    w->next_id = 1;
    if (pipe2(w->pipe_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(w);
        return NULL;
    }
    sigset_t old;
    block_signals(&old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(w->pipe_fd[0]);
        close(w->pipe_fd[1]);
        free(w);
        return NULL;
    }
    return w;
}

int worker_submit(worker *w, worker_fn fn, void *arg, void (*free_arg)(void *))
{
    job_node *j = xcalloc(1, sizeof *j);
    j->fn = fn;
    j->arg = arg;
    j->free_arg = free_arg;
    pthread_mutex_lock(&w->lock);
    /* Read under the lock: once it is released the worker may run the job
     * and free j. */
    int id = j->id = w->next_id++;
    if (w->jobs_tail)
        w->jobs_tail->next = j;
    else
        w->jobs = j;
    w->jobs_tail = j;
    pthread_cond_signal(&w->wake_thread);
    pthread_mutex_unlock(&w->lock);
    return id;
}

int worker_wake_fd(const worker *w)
{
    return w->pipe_fd[0];
}

int worker_take(worker *w, worker_event *out)
{
    char drain[64];
    while (read(w->pipe_fd[0], drain, sizeof drain) > 0)
        ;
    pthread_mutex_lock(&w->lock);
    event_node *n = w->events;
    if (n) {
        w->events = n->next;
        if (!w->events)
            w->events_tail = NULL;
    }
    int more = w->events != NULL;
    pthread_mutex_unlock(&w->lock);
    if (!n)
        return 0;
    *out = n->ev;
    free(n);
    /* More may be queued: keep the pipe readable so poll() comes back. */
    if (more) {
        char byte = 1;
        (void)!write(w->pipe_fd[1], &byte, 1);
    }
    return 1;
}

void worker_event_free(worker_event *ev)
{
    free(ev->text);
    ev->text = NULL;
}

void worker_event_discard(worker_event *ev)
{
    worker_event_free(ev);
    if (ev->result)
        (ev->free_result ? ev->free_result : free)(ev->result);
    ev->result = NULL;
}

void worker_result_free(worker_job *job, void (*fn)(void *))
{
    job->free_result = fn;
}

void worker_cancel(worker *w)
{
    atomic_store(&w->cancel, 1);
}

int worker_busy(worker *w)
{
    pthread_mutex_lock(&w->lock);
    int busy = w->running != 0 || w->jobs != NULL;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

/* Waits until the thread has returned or the monotonic deadline passed:
 * 1 when it has. */
static int wait_exited(worker *w, const struct timespec *deadline)
{
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!w->exited && rc == 0)
        rc = deadline ? pthread_cond_timedwait(&w->exited_cond, &w->lock, deadline)
                      : pthread_cond_wait(&w->exited_cond, &w->lock);
    int exited = w->exited;
    pthread_mutex_unlock(&w->lock);
    return exited;
}

static void worker_free(worker *w)
{
    for (job_node *j = w->jobs, *next; j; j = next) {
        next = j->next;
        if (j->free_arg)
            j->free_arg(j->arg);
        free(j);
    }
    for (event_node *n = w->events, *next; n; n = next) {
        next = n->next;
        worker_event_discard(&n->ev);
        free(n);
    }
    close(w->pipe_fd[0]);
    close(w->pipe_fd[1]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake_thread);
    pthread_cond_destroy(&w->exited_cond);
    free(w);
}

static int stop_within(worker *w, double seconds)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    atomic_store(&w->cancel, 1);
    pthread_cond_signal(&w->wake_thread);
    pthread_mutex_unlock(&w->lock);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)seconds;
    deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    if (!wait_exited(w, seconds < 0 ? NULL : &deadline)) {
        /* The job ignores the cancel flag: leave it running (and w with
         * it); the caller is about to exit. */
        pthread_detach(w->thread);
        return -1;
    }
    pthread_join(w->thread, NULL);
    worker_free(w);
    return 0;
}

void worker_stop(worker *w)
{
    if (w)
        stop_within(w, -1);
}

int worker_stop_within(worker *w, double seconds)
{
    return w ? stop_within(w, seconds) : 0;
}
