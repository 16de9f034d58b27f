/* A small test harness for the C unit tests. Each case prints one line,
 * "ok - SUITE: NAME" or "not ok - SUITE: NAME: why", which tests/run counts. */
#ifndef SC_CHECK_H
#define SC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_total;
static int check_case_failed;
static const char *check_suite = "unit";

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

/* Like CHECK, but the case cannot go on without it (the next lines would
 * dereference what it checks): the case stops here, failed.  Only in a
 * case's own function (it returns void). */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: required check failed, case stopped: %s\n", __FILE__,        \
                    __LINE__, #cond);                                                              \
            check_case_failed = 1;                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                                   \
            fprintf(stderr, "  %s:%d: %s\n    got:  [%s]\n    want: [%s]\n", __FILE__, __LINE__,   \
                    #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                 \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) {                                                                            \
            fprintf(stderr, "  %s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_);  \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

/* Runs one case and prints its line. */
static inline void check_run(const char *name, void (*fn)(void))
{
    check_case_failed = 0;
    fn();
    printf("%s - %s: %s\n", check_case_failed ? "not ok" : "ok", check_suite, name);
    fflush(stdout);
    if (check_case_failed)
        check_failed_total++;
}

/* Like check_run, for table-driven cases that take an argument. */
static inline void check_run_arg(const char *name, void (*fn)(const void *), const void *arg)
{
    check_case_failed = 0;
    fn(arg);
    printf("%s - %s: %s\n", check_case_failed ? "not ok" : "ok", check_suite, name);
    fflush(stdout);
    if (check_case_failed)
        check_failed_total++;
}

static inline int check_exit(void)
{
    return check_failed_total ? 1 : 0;
}

#endif
