/* SIGINT, SIGTERM and SIGHUP during a command: the handler only sets a
 * flag; the engine stops between steps, saves its state, and exits 130. */
#ifndef SC_SIGNALS_H
#define SC_SIGNALS_H

#include <stdatomic.h>

/* Installs the handlers and returns the flag they set. A second signal
 * ends the process at once. */
atomic_int *signals_install(void);
/* Routes SIGINT, SIGTERM and SIGHUP to fn (which must only set flags);
 * the wizard uses it with its own handler. */
void signals_catch(void (*fn)(int));

#endif
