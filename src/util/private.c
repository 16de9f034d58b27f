#include "util/private.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/* dirname() of a copy: the caller frees. */
static char *private_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    char *dir = xstrdup(dirname(copy));
    free(copy);
    return dir;
}

status_t private_check_dir(const char *path, const char *what, sc_error *err)
{
    char *dir = private_dir_of(path);
    struct stat sb;
    status_t st = ST_OK;
    if (stat(dir, &sb) < 0)
        st = error_set(err, ST_IO, "cannot use the directory %s of the %s: %s", dir, what,
                       strerror(errno));
    else if (!S_ISDIR(sb.st_mode))
        st = error_set(err, ST_IO, "%s of the %s is not a directory", dir, what);
    else if (sb.st_uid != geteuid())
        st = error_set(err, ST_IO,
                       "the directory %s of the %s is not yours: others could plant files in it; "
                       "use a directory of your own",
                       dir, what);
    else if (sb.st_mode & (S_IWGRP | S_IWOTH))
        st = error_set(err, ST_IO,
                       "the directory %s of the %s is writable by others, who could plant files "
                       "in it; use a private directory (chmod go-w %s)",
                       dir, what, dir);
    free(dir);
    return st;
}

int private_open_append(const char *path, const char *what, sc_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0) {
        if (errno == ELOOP)
            error_set(err, ST_IO, "%s %s is a symbolic link; refusing to write through it", what,
                      path);
        else
            error_set(err, ST_IO, "cannot open %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    struct stat sb;
    const char *why = NULL;
    if (fstat(fd, &sb) < 0)
        why = strerror(errno);
    else if (!S_ISREG(sb.st_mode))
        why = "not a regular file";
    else if (sb.st_uid != geteuid())
        why = "not yours";
    else if (sb.st_mode & 077)
        why = "readable or writable by others (chmod 600 it)";
    if (why) {
        error_set(err, ST_IO, "refusing %s %s: %s", what, path, why);
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int private_sync_dir(const char *path)
{
    char *dir = private_dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}
