/* SIGINT, SIGTERM and SIGHUP during a command: the handler only sets a
 * flag; the engine stops between steps, saves its state, and exits 130. */
#ifndef SC_SIGNALS_H
#define SC_SIGNALS_H

/* Installs the handlers and returns the flag they set. A second signal
 * ends the process at once. */
volatile int *signals_install(void);

#endif
