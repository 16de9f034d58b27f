/* credential_process (botocore's ProcessProvider, method "custom-process"):
 * the command is shell-split like Python's shlex and run without a shell;
 * its stdout is a JSON document with the keys. Its stderr goes straight to
 * ours so that the helper can explain itself; its stdout holds secrets and
 * is never shown. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/creds/creds_internal.h"
#include "util/shlex.h"
#include "util/xalloc.h"

extern char **environ;

/* A credential document is a few hundred bytes; the cap keeps a runaway
 * helper from filling memory. Fixed-size, so no realloc leaves copies. */
#define PROC_MAX_OUTPUT (64 * 1024)

typedef struct proc_provider {
    creds_provider base;
    char *command;    /* may embed a secret: wiped on free */
    char *account_id; /* the profile's aws_account_id, used when the output has none */
} proc_provider;

typedef struct proc_output {
    char *data; /* PROC_MAX_OUTPUT + 1 bytes, NUL-terminated */
    size_t len;
    int overflow;
} proc_output;

static status_t proc_spawn(proc_provider *pp, char *const argv[], pid_t *pid, int *rfd,
                           sc_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return error_set(err, ST_CREDENTIALS, "credential_process of profile \"%s\": pipe: %s",
                         pp->base.profile, strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    /* dup2 clears close-on-exec on the child's stdout; stdin and stderr are
     * inherited, as with botocore's Popen (stderr not captured here). */
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return error_set(err, ST_CREDENTIALS,
                         "credential_process of profile \"%s\": cannot run %s: %s",
                         pp->base.profile, argv[0], strerror(rc));
    }
    *rfd = fds[0];
    return ST_OK;
}

static void proc_read(int fd, proc_output *o)
{
    char sink[4096];
    for (;;) {
        size_t room = PROC_MAX_OUTPUT - o->len;
        char *dst = room ? o->data + o->len : sink;
        ssize_t r = read(fd, dst, room ? room : sizeof sink);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (room)
            o->len += (size_t)r;
        else
            o->overflow = 1; /* keep draining so the helper is not blocked */
    }
    OPENSSL_cleanse(sink, sizeof sink);
    o->data[o->len] = '\0';
}

static status_t proc_wait(proc_provider *pp, pid_t pid, sc_error *err)
{
    int wst;
    while (waitpid(pid, &wst, 0) < 0)
        if (errno != EINTR)
            return error_set(err, ST_CREDENTIALS, "credential_process of profile \"%s\": %s",
                             pp->base.profile, strerror(errno));
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
    pid_t pid = 0;
    int fd = -1;
    status_t st = proc_spawn(pp, argv, &pid, &fd, err);
    if (st != ST_OK)
        return st;
    proc_read(fd, o);
    close(fd);
    st = proc_wait(pp, pid, err);
    if (st == ST_OK && o->overflow)
        st = error_set(err, ST_CREDENTIALS,
                       "credential_process of profile \"%s\" printed more than 64 KiB",
                       pp->base.profile);
    return st;
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
    proc_output o = {xmalloc(PROC_MAX_OUTPUT + 1), 0, 0};
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
    *out = &pp->base;
    return ST_OK;
}
