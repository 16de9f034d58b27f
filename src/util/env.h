/* Reading the environment: one rule for every setting. */
#ifndef SC_ENV_H
#define SC_ENV_H

/* The variable's value, NULL when it is unset or empty (an empty value
 * means "not set" for every variable this tool reads). */
const char *env_get(const char *name);

#endif
