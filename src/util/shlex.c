#include "util/shlex.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The states of Python's shlex.read_token in POSIX mode with
 * whitespace_split=True: between words, in a word, in quotes, after `\`. */
enum { SH_SPACE, SH_WORD, SH_SQUOTE, SH_DQUOTE, SH_ESCAPE };

typedef struct shlex_state {
    int state;
    int escaped_from; /* state to return to after an escape */
    int quoted;       /* the current word had quotes, so it exists even if empty */
    char *tok;
    size_t len;
    shlex_words *out;
} shlex_state;

static int sh_isspace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void sh_emit(shlex_state *st)
{
    if (st->len == 0 && !st->quoted)
        return;
    shlex_words *w = st->out;
    if (w->count + 2 > w->cap) { /* doubling: one slot more each time was quadratic */
        w->cap = w->cap ? 2 * w->cap : 8;
        w->words = xrealloc(w->words, w->cap * sizeof(char *));
    }
    st->out->words[st->out->count++] = xstrndup(st->tok, st->len);
    st->out->words[st->out->count] = NULL;
    st->len = 0;
    st->quoted = 0;
}

static void sh_unquoted(shlex_state *st, char c)
{
    if (sh_isspace(c)) {
        if (st->state == SH_WORD)
            sh_emit(st);
        st->state = SH_SPACE;
    } else if (c == '\\') {
        st->escaped_from = SH_WORD;
        st->state = SH_ESCAPE;
    } else if (c == '\'' || c == '"') {
        st->quoted = 1;
        st->state = c == '\'' ? SH_SQUOTE : SH_DQUOTE;
    } else {
        st->tok[st->len++] = c;
        st->state = SH_WORD;
    }
}

static void sh_step(shlex_state *st, char c)
{
    switch (st->state) {
    case SH_SQUOTE:
        if (c == '\'')
            st->state = SH_WORD;
        else
            st->tok[st->len++] = c;
        break;
    case SH_DQUOTE:
        if (c == '"') {
            st->state = SH_WORD;
        } else if (c == '\\') {
            st->escaped_from = SH_DQUOTE;
            st->state = SH_ESCAPE;
        } else {
            st->tok[st->len++] = c;
        }
        break;
    case SH_ESCAPE:
        /* Inside double quotes only `"` and `\` are escapable; elsewhere
         * the backslash stays. */
        if (st->escaped_from == SH_DQUOTE && c != '"' && c != '\\')
            st->tok[st->len++] = '\\';
        st->tok[st->len++] = c;
        st->state = st->escaped_from;
        break;
    default:
        sh_unquoted(st, c);
    }
}

int shlex_split(const char *s, shlex_words *out, const char **why)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(s);
    shlex_state st = {SH_SPACE, SH_WORD, 0, xmalloc(2 * n + 2), 0, out};
    for (size_t i = 0; i < n; i++)
        sh_step(&st, s[i]);
    int rc = 0;
    if (st.state == SH_SQUOTE || st.state == SH_DQUOTE) {
        *why = "No closing quotation";
        rc = -1;
    } else if (st.state == SH_ESCAPE) {
        *why = "No escaped character";
        rc = -1;
    } else {
        sh_emit(&st);
    }
    OPENSSL_cleanse(st.tok, 2 * n + 2);
    free(st.tok);
    if (rc < 0)
        shlex_free(out);
    else if (!out->words)
        out->words = xcalloc(1, sizeof(char *));
    return rc;
}

void shlex_free(shlex_words *w)
{
    for (size_t i = 0; i < w->count; i++)
        xfree_secret(w->words[i]);
    free(w->words);
    memset(w, 0, sizeof *w);
}
