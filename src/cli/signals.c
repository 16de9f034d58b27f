#include "cli/signals.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static atomic_int interrupted;

static void on_signal(int sig)
{
    interrupted = 1;
    /* The next one takes the default action: an impatient operator wins. */
    signal(sig, SIG_DFL);
}

void signals_catch(void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

atomic_int *signals_install(void)
{
    signals_catch(on_signal);
    return &interrupted;
}
