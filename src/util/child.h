/* Child processes (credential_process, clipboard tools): what they inherit
 * is decided here, not left to chance. Each child gets an empty signal mask
 * and default signal actions (the wizard's worker thread blocks every
 * signal), no descriptor above 2 (the terminal, sockets, the captured
 * stderr), and an environment without the secrets it has no use for. */
#ifndef SC_CHILD_H
#define SC_CHILD_H

#include <sys/types.h>

/* Variables no child needs: the Spot token (only spot-connect talks to Spot). */
#define CHILD_DROP_SPOT "SPOTINST_TOKEN"
/* ...and AWS keys and tokens, for children that are not part of the AWS
 * credential chain (clipboard tools). */
#define CHILD_DROP_AWS                                                                             \
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",       \
        "AWS_CONTAINER_AUTHORIZATION_TOKEN"

/* Our environment without the variables named in drop (NULL-terminated).
 * The array is new; its strings are the environment's own. Build it before
 * fork(): a child of a threaded program may not allocate. NULL when out of
 * memory is impossible (xalloc aborts), so never NULL. */
char **child_env_new(const char *const drop[]);
void child_env_free(char **env);

typedef struct child_spawn_options {
    char *const *argv; /* argv[0] is looked up in PATH when it has no slash */
    char *const *envp;
    int stdout_fd;  /* becomes the child's stdout; -1 = inherit ours */
    int stdin_null; /* 1 = stdin from /dev/null; 0 = inherit ours */
    int own_group;  /* 1 = a process group of its own, so that
                       child_kill ends its descendants too */
} child_spawn_options;

/* Starts the child. 0 and *pid set, or an errno value. */
int child_spawn(const child_spawn_options *o, pid_t *pid);
/* SIGKILL to the child (its group when it has its own) and reaps it. */
void child_kill(pid_t pid, int own_group);

#endif
