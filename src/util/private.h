/* Files only the user may touch: the state, its temporary file and the log.
 * A directory others can write to lets them plant symbolic links where the
 * tool is about to write, so such directories are refused outright. */
#ifndef SC_PRIVATE_H
#define SC_PRIVATE_H

#include "util/error.h"

/* ST_OK when the directory holding `path` is the user's and not writable by
 * group or others; else ST_IO naming it and saying what to change. `what`
 * is "state file", "log file", ... */
status_t private_check_dir(const char *path, const char *what, sc_error *err);
/* Opens path for appending without following a symbolic link, creating it
 * 0600; refuses (ST_IO) anything but a regular file of the user's with no
 * group or other permissions. Returns the descriptor (close-on-exec) or -1. */
int private_open_append(const char *path, const char *what, sc_error *err);
/* fsync of the directory holding path, so a rename in it survives a crash. */
int private_sync_dir(const char *path);

#endif
