/* The background worker: one thread that makes every AWS and Spot call, so
 * the UI thread never blocks. Jobs go in through worker_submit; progress
 * lines and results come back as events on a queue, and a byte on a wake
 * pipe tells the UI's poll() there is something to take. */
#ifndef SC_WORKER_H
#define SC_WORKER_H

#include <stdatomic.h>

#include "util/error.h"

typedef struct worker worker;
typedef struct worker_job worker_job; /* what a running job sees */

/* Runs on the worker thread. Returns a status (err filled on failure) and
 * may leave a job-defined result in *result for the UI to take. */
typedef status_t (*worker_fn)(worker_job *job, void *arg, void **result, sc_error *err);

typedef enum worker_event_kind {
    WORKER_PROGRESS, /* text: one line of progress */
    WORKER_DONE,     /* status, err, result */
} worker_event_kind;

typedef struct worker_event {
    worker_event_kind kind;
    int job_id;
    char *text;
    status_t status;
    sc_error err;
    void *result; /* owned by whoever takes the event */
    /* Frees result; set by the job (worker_result_free), NULL for free().
     * For a result nobody takes: a stale job's, or one left at quit. */
    void (*free_result)(void *);
} worker_event;

/* Starts the thread (with every signal blocked but those a fault raises,
 * so they reach the UI). */
worker *worker_start(void);
/* Cancels the running job, waits for the thread, frees pending events. */
void worker_stop(worker *w);
/* The same, but gives up after `seconds` when the job ignores the cancel
 * flag: returns -1 then, leaving the thread (and w) behind for the caller's
 * exit, which must follow at once. 0 when stopped and freed. */
int worker_stop_within(worker *w, double seconds);
/* Queues a job; free_arg (may be NULL) is called on arg once it is done.
 * Returns the job's id (> 0). */
int worker_submit(worker *w, worker_fn fn, void *arg, void (*free_arg)(void *));
/* The read end of the wake pipe, for poll(). */
int worker_wake_fd(const worker *w);
/* Takes the next event without blocking: 1 when one was taken. */
int worker_take(worker *w, worker_event *out);
/* Frees the text; the result stays the taker's. */
void worker_event_free(worker_event *ev);
/* Frees the text and the result too: for an event nobody wants. */
void worker_event_discard(worker_event *ev);
/* Asks the running job to stop: its HTTP calls see the flag and abort. */
void worker_cancel(worker *w);
/* 1 while a job is queued or running. */
int worker_busy(worker *w);

/* For jobs: report a line of progress; the flag to hand to http_options. */
void worker_progress(worker_job *job, const char *line);
atomic_int *worker_cancel_flag(worker_job *job);
/* How to free the job's result when nobody takes it (default free()). */
void worker_result_free(worker_job *job, void (*fn)(void *));

#endif
