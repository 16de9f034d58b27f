/* What the fuzz targets (tests/fuzz/) found, each kept as a plain case so
 * it stays fixed without clang; and the small parse entry points the
 * targets call. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "spot/auth.h"
#include "util/shlex.h"
#include "util/xalloc.h"

/* fuzz_shlex, big-words: 280,000 words took over two minutes under ASan,
 * the word list growing by one slot per word. It now doubles. */
static void test_shlex_many_words(void)
{
    enum { N = 300000 };
    char *s = xmalloc(N * 4 + 1);
    for (size_t i = 0; i < N; i++)
        memcpy(s + 4 * i, i % 2 ? "'b' " : "a\\  ", 4);
    s[N * 4] = '\0';
    shlex_words w;
    const char *why = NULL;
    CHECK_INT(shlex_split(s, &w, &why), 0);
    CHECK_INT(w.count, N);
    CHECK(w.cap > w.count && w.cap <= 2 * (w.count + 1));
    CHECK(w.words[N] == NULL);
    CHECK_STR(w.words[0], "a ");
    CHECK_STR(w.words[N - 1], "b");
    shlex_free(&w);
    CHECK(w.words == NULL && w.count == 0 && w.cap == 0);
    free(s);
}

static void parse(const char *text, const char *profile, status_t want, const char *token,
                  const char *account)
{
    spot_auth a;
    sc_error err;
    CHECK_INT(spot_auth_parse_text(text, strlen(text), profile, &a, &err), want);
    if (token)
        CHECK_STR(a.token, token);
    else
        CHECK(a.token == NULL);
    if (account)
        CHECK_STR(a.account, account);
    else
        CHECK(a.account == NULL);
    if (want != ST_OK)
        CHECK(strstr(err.message, "se cret") == NULL); /* never quotes the token */
    spot_auth_clear(&a);
}

static void test_spot_auth_parse_text(void)
{
    parse("[default]\ntoken = t1\naccount = act-1\n[prod]\ntoken = t2\n", "prod", ST_OK, "t2",
          NULL);
    parse("# c\ndefault:\n  token: \"t1\"\n  account: 'act-1'\n", "default", ST_OK, "t1", "act-1");
    parse("token: t3\n", "default", ST_OK, "t3", NULL);
    parse("{\"prod\":{\"token\":\"t4\",\"account\":\"act-4\"}}", "prod", ST_OK, "t4", "act-4");
    parse("[default]\ntoken = t1\n", "other", ST_OK, NULL, NULL);
    parse("[default]\ntoken = se cret\n", "default", ST_CONFIG, NULL, NULL);
    parse("{\"token\": 1", "default", ST_CONFIG, NULL, NULL);
    /* The text need not end with a NUL: only len bytes are read. */
    spot_auth a;
    sc_error err;
    CHECK_INT(spot_auth_parse_text("token: abcdef", 9, "default", &a, &err), ST_OK);
    CHECK_STR(a.token, "ab");
    spot_auth_clear(&a);
}

int main(void)
{
    check_suite = "fuzz_found";
    check_run("shlex: 300,000 words, the list grows by doubling", test_shlex_many_words);
    check_run("spot_auth_parse_text: INI, YAML, flat and JSON forms", test_spot_auth_parse_text);
    return check_exit();
}
