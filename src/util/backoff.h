/* Waiting between retries: full-jitter exponential backoff, so that many
 * clients retrying at once spread out instead of arriving together. */
#ifndef SC_BACKOFF_H
#define SC_BACKOFF_H

/* A random delay in [0, min(base * 2^(attempt-1), cap)] seconds. */
double backoff_delay(double base, double cap, int attempt);
/* Sleeps for backoff_delay(base, cap, attempt). */
void backoff_sleep(double base, double cap, int attempt);
/* Sleeps for s seconds (fractions allowed), resuming after signals. */
void backoff_pause(double s);

#endif
