/* credential_process (botocore's ProcessProvider, method "custom-process"):
 * the command is shell-split like Python's shlex and run without a shell;
 * its stdout is a JSON document with the keys. Its stderr goes straight to
 * ours so that the helper can explain itself; its stdout holds secrets and
 * is never shown. Unlike botocore, a helper is bounded: a deadline
 * (SPOT_CONNECT_PROCESS_TIMEOUT, default 60 s), the output cap, and the
 * session's cancel flag (Esc in the wizard, SIGINT on the command line)
 * each kill it. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds/creds_internal.h"
#include "util/child.h"
#include "util/env.h"
#include "util/shlex.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* A credential document is a few hundred bytes; the cap keeps a runaway
 * helper from filling memory. Fixed-size, so no realloc leaves copies. */
#define PROC_MAX_OUTPUT ((size_t)64 * 1024)
#define PROC_DEFAULT_TIMEOUT_S 60
#define PROC_MAX_TIMEOUT_S 86400
/* How often a wait looks at the cancel flag. */
#define PROC_TICK_MS 50

typedef struct proc_provider {
    creds_provider base;
    char *command;      /* may embed a secret: wiped on free */
    char *account_id;   /* the profile's aws_account_id, used when the output has none */
    atomic_int *cancel; /* the session's cancel flag, NULL when there is none */
    /* No MFA prompt means nobody may use the terminal (the wizard draws on
     * it): the helper then reads /dev/null and gets a process group of its
     * own, so that killing it ends whatever it started too. On the command
     * line it shares ours, so it can prompt and Ctrl-C reaches it. */
    int detached;
} proc_provider;

typedef struct proc_output {
    char *data; /* PROC_MAX_OUTPUT + 1 bytes, NUL-terminated */
    size_t len;
} proc_output;

/* Why the helper was stopped before it finished. */
typedef enum proc_stop { PROC_RAN, PROC_TIMEOUT, PROC_FLOOD, PROC_CANCEL } proc_stop;

typedef struct proc_run_state {
    pid_t pid;
    int fd;
    double deadline; /* time_monotonic() */
    proc_stop stop;
} proc_run_state;

static status_t proc_timeout(const proc_provider *pp, int *seconds, sc_error *err)
{
    const char *v = env_get("SPOT_CONNECT_PROCESS_TIMEOUT");
    *seconds = PROC_DEFAULT_TIMEOUT_S;
    if (!v)
        return ST_OK;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1 || n > PROC_MAX_TIMEOUT_S)
        return error_set(err, ST_CONFIG,
                         "SPOT_CONNECT_PROCESS_TIMEOUT must be a whole number of seconds from 1 "
                         "to %d, not \"%.32s\" (credential_process of profile \"%s\")",
                         PROC_MAX_TIMEOUT_S, v, pp->base.profile);
    *seconds = (int)n;
    return ST_OK;
}

static status_t proc_spawn(proc_provider *pp, char *const argv[], proc_run_state *rs, sc_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return error_set(err, ST_CREDENTIALS, "credential_process of profile \"%s\": pipe: %s",
                         pp->base.profile, strerror(errno));
    /* The helper has no business with the Spot token. */
    const char *const drop[] = {CHILD_DROP_SPOT, NULL};
    char **env = child_env_new(drop);
    child_spawn_options so = {.argv = argv,
                              .envp = env,
                              .stdout_fd = fds[1],
                              .stdin_null = pp->detached,
                              .own_group = pp->detached};
    int rc = child_spawn(&so, &rs->pid);
    child_env_free(env);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\": cannot run %s: %s",
                         pp->base.profile, argv[0], strerror(rc));
    }
    rs->fd = fds[0];
    return ST_OK;
}

/* PROC_RAN while the helper may go on; otherwise why it must stop. */
static proc_stop proc_check(const proc_provider *pp, const proc_run_state *rs, int *wait_ms)
{
    if (pp->cancel && atomic_load(pp->cancel))
        return PROC_CANCEL;
    double left = rs->deadline - time_monotonic();
    if (left <= 0)
        return PROC_TIMEOUT;
    *wait_ms = left * 1000 < PROC_TICK_MS ? (int)(left * 1000) + 1 : PROC_TICK_MS;
    return PROC_RAN;
}

/* Reads the helper's stdout to its end, or until it must be stopped. */
static void proc_read(const proc_provider *pp, proc_run_state *rs, proc_output *o)
{
    int wait_ms = 0;
    while ((rs->stop = proc_check(pp, rs, &wait_ms)) == PROC_RAN) {
        struct pollfd p = {.fd = rs->fd, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0)
            continue; /* a tick (or EINTR): look at the flag and the clock */
        char extra;
        size_t room = PROC_MAX_OUTPUT - o->len;
        ssize_t r = room ? read(rs->fd, o->data + o->len, room) : read(rs->fd, &extra, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* end of output */
        if (!room) {
            rs->stop = PROC_FLOOD;
            break;
        }
        o->len += (size_t)r;
    }
    o->data[o->len] = '\0';
}

/* Waits for the helper to exit after its output ended: it may linger.
 * 0 once it exited, -1 when it must be stopped (rs->stop says why), -2 when
 * it cannot be waited for. */
static int proc_reap(const proc_provider *pp, proc_run_state *rs, int *wst)
{
    int wait_ms = 0;
    while ((rs->stop = proc_check(pp, rs, &wait_ms)) == PROC_RAN) {
        pid_t r = waitpid(rs->pid, wst, WNOHANG);
        if (r == rs->pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -2;
        struct timespec tick = {0, 10 * 1000000L};
        nanosleep(&tick, NULL);
    }
    return -1;
}

static status_t proc_stopped(const proc_provider *pp, proc_stop why, int seconds, sc_error *err)
{
    const char *profile = pp->base.profile;
    switch (why) {
    case PROC_CANCEL:
        return error_set(err, ST_CANCELLED,
                         "credential_process of profile \"%s\" was stopped: "
                         "cancelled",
                         profile);
    case PROC_FLOOD:
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\" printed more than 64 KiB and was "
                         "stopped",
                         profile);
    default:
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\" did not finish within %d s and "
                         "was stopped (SPOT_CONNECT_PROCESS_TIMEOUT sets the limit)",
                         profile, seconds);
    }
}

static status_t proc_status(const proc_provider *pp, int wst, sc_error *err)
{
    if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0)
        return ST_OK;
    if (WIFSIGNALED(wst))
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\" was killed by signal %d (%s)",
                         pp->base.profile, WTERMSIG(wst), strsignal(WTERMSIG(wst)));
    return error_set(err, ST_CREDENTIALS,
                     "credential_process of profile \"%s\" failed with exit status %d (its "
                     "own messages, if any, are just above)",
                     pp->base.profile, WEXITSTATUS(wst));
}

static status_t proc_run(proc_provider *pp, char *const argv[], proc_output *o, sc_error *err)
{
    int seconds;
    status_t st = proc_timeout(pp, &seconds, err);
    proc_run_state rs = {.pid = 0, .fd = -1, .stop = PROC_RAN};
    if (st == ST_OK)
        st = proc_spawn(pp, argv, &rs, err);
    if (st != ST_OK)
        return st;
    rs.deadline = time_monotonic() + seconds;
    proc_read(pp, &rs, o);
    int wst = 0, reaped = rs.stop == PROC_RAN ? proc_reap(pp, &rs, &wst) : -1;
    /* Closed only now: descendants still holding the pipe get SIGPIPE. */
    close(rs.fd);
    if (reaped == -2)
        return error_set(err, ST_CREDENTIALS, "credential_process of profile \"%s\": %s",
                         pp->base.profile, strerror(ECHILD));
    if (rs.stop != PROC_RAN) {
        child_kill(rs.pid, pp->detached);
        return proc_stopped(pp, rs.stop, seconds, err);
    }
    return proc_status(pp, wst, err);
}

static status_t proc_parse(proc_provider *pp, const char *text, aws_credentials *out, sc_error *err)
{
    static const creds_json_spec spec = {"SessionToken", 0, 0, 1};
    char problem[128];
    if (creds_json_parse(text, &spec, out, problem, sizeof problem) < 0)
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\" printed unusable output: %s "
                         "(expected {\"Version\": 1, \"AccessKeyId\": ..., "
                         "\"SecretAccessKey\": ...})",
                         pp->base.profile, problem);
    if (!out->account_id && pp->account_id)
        out->account_id = xstrdup(pp->account_id);
    return ST_OK;
}

static status_t proc_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    proc_provider *pp = (proc_provider *)self;
    shlex_words words;
    const char *why = NULL;
    if (shlex_split(pp->command, &words, &why) < 0)
        return error_set(err, ST_CONFIG,
                         "credential_process of profile \"%s\" cannot be split into words: %s",
                         self->profile, why);
    if (words.count == 0) {
        shlex_free(&words);
        return error_set(err, ST_CONFIG, "credential_process of profile \"%s\" is empty",
                         self->profile);
    }
    proc_output o = {.data = xmalloc(PROC_MAX_OUTPUT + 1), .len = 0};
    status_t st = proc_run(pp, words.words, &o, err);
    shlex_free(&words);
    if (st == ST_OK)
        st = proc_parse(pp, o.data, out, err);
    OPENSSL_cleanse(o.data, PROC_MAX_OUTPUT + 1);
    free(o.data);
    return st;
}

static void proc_destroy(creds_provider *self)
{
    proc_provider *pp = (proc_provider *)self;
    xfree_secret(pp->command);
    free(pp->account_id);
}

status_t creds_try_process(const creds_ctx *c, const char *profile, creds_provider **out,
                           sc_error *err)
{
    (void)err;
    *out = NULL;
    const char *cmd = profile_get(c->pf, profile, "credential_process");
    if (!cmd)
        return ST_OK;
    proc_provider *pp = (proc_provider *)creds_provider_alloc(sizeof *pp, "custom-process", profile,
                                                              proc_load, proc_destroy);
    pp->command = xstrdup(cmd);
    const char *acct = profile_get(c->pf, profile, "aws_account_id");
    pp->account_id = acct ? xstrdup(acct) : NULL;
    pp->cancel = c->sts ? c->sts->http.cancel : NULL;
    pp->detached = c->mfa_prompt == NULL;
    *out = &pp->base;
    return ST_OK;
}
