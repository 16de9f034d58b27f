#include "util/backoff.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

double backoff_delay(double base, double cap, int attempt)
{
    double ceiling = base;
    for (int i = 1; i < attempt && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    return ceiling * (double)arc4random_uniform(1000001) / 1e6;
}

void backoff_pause(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void backoff_sleep(double base, double cap, int attempt)
{
    backoff_pause(backoff_delay(base, cap, attempt));
}
