/* Files from assets/ compiled into the program by assets/embed.py, so that
 * nothing is read from disk at run time. */
#ifndef SC_ASSETS_H
#define SC_ASSETS_H

#include <stddef.h>

/* assets/spot-policy.json, NUL-terminated; the length excludes the NUL. */
extern const char asset_spot_policy_json[];
extern const size_t asset_spot_policy_json_len;

#endif
