#include "util/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

extern char **environ;

static int dropped(const char *entry, const char *const drop[])
{
    for (size_t i = 0; drop && drop[i]; i++) {
        size_t n = strlen(drop[i]);
        if (strncmp(entry, drop[i], n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

char **child_env_new(const char *const drop[])
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = xcalloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!dropped(environ[i], drop))
            env[k++] = environ[i];
    env[k] = NULL;
    return env;
}

void child_env_free(char **env)
{
    free(env);
}

static void set_attributes(posix_spawnattr_t *at, int own_group)
{
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_init(at);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    posix_spawnattr_setsigmask(at, &none);
    /* Every signal to its default: an ignored SIGPIPE or SIGINT would
     * otherwise survive exec. */
    posix_spawnattr_setsigdefault(at, &all);
    if (own_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(at, 0);
    }
    posix_spawnattr_setflags(at, flags);
}

static void set_files(posix_spawn_file_actions_t *fa, const child_spawn_options *o)
{
    posix_spawn_file_actions_init(fa);
    if (o->stdin_null)
        posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    /* dup2 clears close-on-exec on the copy. */
    if (o->stdout_fd >= 0)
        posix_spawn_file_actions_adddup2(fa, o->stdout_fd, STDOUT_FILENO);
    posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1);
}

int child_spawn(const child_spawn_options *o, pid_t *pid)
{
    posix_spawnattr_t at;
    posix_spawn_file_actions_t fa;
    set_attributes(&at, o->own_group);
    set_files(&fa, o);
    int rc = posix_spawnp(pid, o->argv[0], &fa, &at, o->argv, o->envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc;
}

void child_kill(pid_t pid, int own_group)
{
    if (own_group)
        kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}
