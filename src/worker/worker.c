#include "worker/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
};

struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake_thread;
    int pipe_fd[2];
    job_node *jobs, *jobs_tail;
    event_node *events, *events_tail;
    int next_id;
    int running; /* id of the running job, 0 when idle */
    int stopping;
    volatile int cancel;
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

volatile int *worker_cancel_flag(worker_job *job)
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
        w->cancel = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return j;
}

static void run_job(worker *w, job_node *j)
{
    worker_job job = {w, j->id};
    worker_event ev = {.kind = WORKER_DONE, .job_id = j->id};
    error_clear(&ev.err);
    ev.status = j->fn(&job, j->arg, &ev.result, &ev.err);
    if (j->free_arg)
        j->free_arg(j->arg);
    free(j);
    pthread_mutex_lock(&w->lock);
    w->running = 0;
    pthread_mutex_unlock(&w->lock);
    push_event(w, &ev);
}

static void *worker_main(void *ud)
{
    worker *w = ud;
    job_node *j;
    while ((j = next_job(w)))
        run_job(w, j);
    http_thread_cleanup();
    return NULL;
}

worker *worker_start(void)
{
    worker *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake_thread, NULL);
    if (pipe2(w->pipe_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(w);
        return NULL;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(w->pipe_fd[0]);
        close(w->pipe_fd[1]);
        free(w);
        return NULL;
    }
    w->next_id = 1;
    return w;
}

int worker_submit(worker *w, worker_fn fn, void *arg, void (*free_arg)(void *))
{
    job_node *j = xcalloc(1, sizeof *j);
    j->fn = fn;
    j->arg = arg;
    j->free_arg = free_arg;
    pthread_mutex_lock(&w->lock);
    j->id = w->next_id++;
    if (w->jobs_tail)
        w->jobs_tail->next = j;
    else
        w->jobs = j;
    w->jobs_tail = j;
    pthread_cond_signal(&w->wake_thread);
    pthread_mutex_unlock(&w->lock);
    return j->id;
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
    pthread_mutex_unlock(&w->lock);
    if (!n)
        return 0;
    *out = n->ev;
    free(n);
    /* More may be queued: keep the pipe readable so poll() comes back. */
    if (w->events) {
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

void worker_cancel(worker *w)
{
    w->cancel = 1;
}

int worker_busy(worker *w)
{
    pthread_mutex_lock(&w->lock);
    int busy = w->running != 0 || w->jobs != NULL;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

void worker_stop(worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    w->cancel = 1;
    pthread_cond_signal(&w->wake_thread);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (job_node *j = w->jobs, *next; j; j = next) {
        next = j->next;
        if (j->free_arg)
            j->free_arg(j->arg);
        free(j);
    }
    for (event_node *n = w->events, *next; n; n = next) {
        next = n->next;
        worker_event_free(&n->ev);
        free(n);
    }
    close(w->pipe_fd[0]);
    close(w->pipe_fd[1]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake_thread);
    free(w);
}
