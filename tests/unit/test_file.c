/* util/file: the one reader of the files the tool takes in. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/file.h"

static char dir[] = "/tmp/sc-test-file-XXXXXX";

static char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *name, const char *text, size_t len)
{
    int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, text, len) == (ssize_t)len);
    close(fd);
}

static void test_regular(void)
{
    write_file("a", "token=x\n", 8);
    char *text = NULL;
    size_t len = 0;
    sc_error err;
    error_clear(&err);
    CHECK_INT(file_read(path_of("a"), "the file", 64, 0, ST_CONFIG, &text, &len, &err), ST_OK);
    CHECK_STR(text, "token=x\n");
    CHECK_INT(len, 8);
    free(text);
}

static void test_missing(void)
{
    char *text = (char *)"x";
    sc_error err;
    error_clear(&err);
    CHECK_INT(
        file_read(path_of("none"), "~/none", 64, FILE_MISSING_OK, ST_CONFIG, &text, NULL, &err),
        ST_OK);
    CHECK(text == NULL);
    CHECK_INT(file_read(path_of("none"), "~/none", 64, 0, ST_CONFIG, &text, NULL, &err), ST_CONFIG);
    CHECK_STR(err.message, "cannot read ~/none: No such file or directory");
}

static void test_directory_and_size(void)
{
    char *text = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(file_read(dir, "the dir", 64, 0, ST_IO, &text, NULL, &err), ST_IO);
    CHECK_STR(err.message, "cannot read the dir: it is a directory");
    write_file("big", "0123456789", 10);
    CHECK_INT(file_read(path_of("big"), "big", 9, 0, ST_IO, &text, NULL, &err), ST_BAD_INPUT);
    CHECK_STR(err.message, "cannot read big: larger than 9 bytes");
    CHECK_INT(file_read(path_of("big"), "big", 10, 0, ST_IO, &text, NULL, &err), ST_OK);
    free(text);
}

/* A pipe has no size: --token-file <(pass spot) must still be read whole,
 * across several buffer growths, and refused past the limit. */
static void read_from_writer(size_t n, size_t max, status_t want)
{
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char chunk[1000];
        memset(chunk, 'k', sizeof chunk);
        for (size_t done = 0; done < n;) {
            size_t k = n - done < sizeof chunk ? n - done : sizeof chunk;
            if (write(p[1], chunk, k) != (ssize_t)k)
                _exit(1);
            done += k;
        }
        _exit(0);
    }
    close(p[1]);
    char name[64];
    snprintf(name, sizeof name, "/dev/fd/%d", p[0]);
    char *text = NULL;
    size_t len = 0;
    sc_error err;
    error_clear(&err);
    CHECK_INT(file_read(name, "the pipe", max, 0, ST_CONFIG, &text, &len, &err), want);
    close(p[0]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (want == ST_OK) {
        CHECK_INT(len, n);
        CHECK(text && strspn(text, "k") == n);
    }
    free(text);
}

static void test_pipe(void)
{
    read_from_writer(0, 100, ST_OK);
    read_from_writer(50000, 100000, ST_OK);
    read_from_writer(100000, 100000, ST_OK);
    read_from_writer(100001, 100000, ST_BAD_INPUT);
}

int main(void)
{
    check_suite = "file";
    if (!mkdtemp(dir))
        return 1;
    check_run("a regular file is read whole", test_regular);
    check_run("a missing file is no error only when allowed", test_missing);
    check_run("a directory and an oversized file are refused", test_directory_and_size);
    check_run("a pipe is read across growths and capped", test_pipe);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return check_exit();
}
