/* Time stamps as AWS writes them. */
#ifndef SC_TIMEUTIL_H
#define SC_TIMEUTIL_H

#include <time.h>

/* Parses ISO 8601 / RFC 3339 UTC or offset times: "2026-11-26T12:00:00Z",
 * with an optional fraction of any length, or "+01:00" style offsets.
 * Returns 0 and sets *out, or -1 when s is not such a time. */
int time_parse_iso8601(const char *s, time_t *out);
/* Seconds since an arbitrary start that never jumps (for durations). */
double time_monotonic(void);
/* Formats t as "2026-11-26T12:00:00Z". */
void time_format_iso8601(time_t t, char out[21]);

#endif
