/* Splitting a policy past IAM's size limit into managed policies that fit.
 *
 * The packing: every statement (or piece of a cut statement) is an item
 * whose weight is its compact size plus one for the comma; a part holds
 * items whose weights add up to at most the limit minus the part's frame
 * ({"Version":...,"Statement":[]}) plus one. First Fit Decreasing gives a
 * packing of at most 11/9 OPT + 6/9 parts. When that is more than the lower
 * bound ceil(total / capacity), a branch-and-bound search (items largest
 * first, bins of equal load tried once) looks for a packing in each smaller
 * count, within a node budget. So the result is the fewest parts whenever
 * FFD meets the bound or the search finishes, which it does at once for
 * realistic policies (tens of statements, up to ten parts); only when the
 * budget runs out is it FFD's, still within the bound above. A statement
 * too big alone is first cut by its actions, in order, into pieces that
 * each fill a part but the last; the packing is optimal for those pieces. */
#include "doc/policy_split.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/policy.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The same bound as policy.c: IAM's largest document, URL-encoded. */
#define SPLIT_INPUT_MAX ((size_t)4 * 131072)
/* Branch-and-bound nodes per count tried: milliseconds, ample for tens of
 * statements. */
#define SPLIT_NODE_BUDGET 200000L

typedef struct item {
    yajl_val st; /* the statement */
    int cut;     /* 1: only its actions [from, to) */
    size_t from, to;
    char *sid;     /* the piece's Sid; NULL: as it is */
    size_t order;  /* input position * 1000 + piece: reading order */
    size_t weight; /* compact size + 1 (the comma) */
    size_t bin;
} item;

typedef struct packing {
    item *items;
    size_t n;
    size_t cap; /* per part, in weight */
    size_t nbins;
    size_t whole; /* the input's size */
} packing;

/* ---- writing ---- */

static void write_statement(yajl_gen g, const item *it)
{
    yajl_val s = it->st;
    yajl_gen_map_open(g);
    for (size_t i = 0; i < s->u.object.len; i++) {
        const char *k = s->u.object.keys[i];
        json_key(g, k);
        if (it->sid && strcmp(k, "Sid") == 0) {
            json_str(g, it->sid);
        } else if (it->cut && strcmp(k, "Action") == 0) {
            yajl_gen_array_open(g);
            for (size_t a = it->from; a < it->to; a++)
                json_gen_val(g, s->u.object.values[i]->u.array.values[a]);
            yajl_gen_array_close(g);
        } else {
            json_gen_val(g, s->u.object.values[i]);
        }
    }
    yajl_gen_map_close(g);
}

static char *gen_text(yajl_gen g)
{
    buf_t b = BUF_INIT;
    json_gen_text(g, &b);
    yajl_gen_free(g);
    return buf_steal(&b);
}

/* The document with the items of bin (all bins when bin is SIZE_MAX). */
static char *write_part(yajl_val root, const item *items, size_t n, size_t bin)
{
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    for (size_t i = 0; i < root->u.object.len; i++) {
        const char *k = root->u.object.keys[i];
        json_key(g, k);
        if (strcmp(k, "Statement") != 0) {
            json_gen_val(g, root->u.object.values[i]);
            continue;
        }
        yajl_gen_array_open(g);
        for (size_t k2 = 0; k2 < n; k2++)
            if (bin == SIZE_MAX || items[k2].bin == bin)
                write_statement(g, &items[k2]);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    return gen_text(g);
}

static size_t item_size(const item *it)
{
    yajl_gen g = json_gen_new(0);
    write_statement(g, it);
    char *text = gen_text(g);
    size_t n = policy_size(text);
    free(text);
    return n;
}

/* ---- statements and pieces ---- */

static int sid_taken(yajl_val sts, size_t nsts, const char *sid)
{
    for (size_t i = 0; i < nsts; i++) {
        const char *s = json_member_str(sts->u.array.values[i], "Sid");
        if (s && strcmp(s, sid) == 0)
            return 1;
    }
    return 0;
}

/* The Sid prefix of the pieces: "S" for S1, S2, ..., or "SP", "SPP"
 * when one of those (up to one piece per action) is another statement's. */
static char *piece_prefix(yajl_val sts, const char *sid, size_t most)
{
    buf_t pre = BUF_INIT;
    buf_puts(&pre, sid);
    for (;;) {
        int clash = 0;
        for (size_t k = 1; !clash && k <= most; k++) {
            buf_t b = BUF_INIT;
            buf_printf(&b, "%s%zu", buf_str(&pre), k);
            clash = sid_taken(sts, sts->u.array.len, buf_str(&b));
            buf_free(&b);
        }
        if (!clash)
            return buf_steal(&pre);
        buf_putc(&pre, 'P');
    }
}

/* The input's size is named first: that is what the operator measured. */
static status_t too_big(const packing *p, const char *sid, size_t pos, size_t size, size_t limit,
                        const char *why, sc_error *err)
{
    return error_set(err, ST_BAD_INPUT,
                     "%zu characters without whitespace, over IAM's limit of %zu, and "
                     "statement %zu%s%.64s%s (%zu characters) cannot be split: %s",
                     p->whole, limit, pos + 1, sid ? " (" : "", sid ? sid : "", sid ? ")" : "",
                     size, why);
}

static void add_piece(packing *p, yajl_val s, size_t pos, const char *prefix, size_t from,
                      size_t to)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        k += p->items[i].st == s;
    buf_t b = BUF_INIT;
    if (prefix)
        buf_printf(&b, "%s%zu", prefix, k + 1);
    item it = {.st = s,
               .cut = 1,
               .from = from,
               .to = to,
               .sid = prefix ? buf_steal(&b) : NULL,
               .order = pos * 1000 + k + 1};
    it.weight = item_size(&it) + 1;
    p->items = xrealloc(p->items, (p->n + 1) * sizeof *p->items);
    p->items[p->n++] = it;
}

/* The weight of statement s cut to no action, with the longest Sid a piece
 * of it can get: every piece weighs at most this plus its actions. */
static size_t piece_frame(yajl_val s, const char *prefix, size_t most)
{
    buf_t longest = BUF_INIT;
    buf_printf(&longest, "%s%zu", prefix ? prefix : "", most);
    item empty = {.st = s, .cut = 1, .sid = prefix ? longest.data : NULL};
    size_t w = item_size(&empty) + 1;
    buf_free(&longest);
    return w;
}

/* Cuts statement pos by its actions, in order, into pieces of at most cap
 * weight. */
static status_t cut(packing *p, yajl_val sts, size_t pos, size_t whole, size_t limit, sc_error *err)
{
    yajl_val s = sts->u.array.values[pos];
    const char *sid = json_member_str(s, "Sid");
    yajl_val acts = json_member(s, "Action");
    if (!YAJL_IS_ARRAY(acts) || acts->u.array.len < 2)
        return too_big(p, sid, pos, whole, limit,
                       json_member(s, "NotAction") ? "a NotAction list cannot be cut"
                                                   : "it is too big even with one action",
                       err);
    size_t most = acts->u.array.len;
    char *prefix = sid ? piece_prefix(sts, sid, most) : NULL;
    size_t base = piece_frame(s, prefix, most);
    size_t from = 0, load = base;
    status_t st = ST_OK;
    for (size_t a = 0; a < most && st == ST_OK; a++) {
        char *one = json_val_text(acts->u.array.values[a], 0);
        size_t size = one ? policy_size(one) : 0;
        free(one);
        if (base + size > p->cap) {
            st = too_big(p, sid, pos, whole, limit, "it is too big even with one action", err);
        } else if (a > from && load + 1 + size > p->cap) { /* +1: the comma */
            add_piece(p, s, pos, prefix, from, a);
            from = a;
            load = base + size;
        } else {
            load += size + (a > from);
        }
    }
    if (st == ST_OK)
        add_piece(p, s, pos, prefix, from, most);
    free(prefix);
    return st;
}

static status_t make_items(packing *p, yajl_val sts, size_t limit, sc_error *err)
{
    for (size_t i = 0; i < sts->u.array.len; i++) {
        yajl_val s = sts->u.array.values[i];
        item it = {.st = s, .order = i * 1000};
        it.weight = item_size(&it) + 1;
        if (it.weight <= p->cap) {
            p->items = xrealloc(p->items, (p->n + 1) * sizeof *p->items);
            p->items[p->n++] = it;
            continue;
        }
        status_t st = cut(p, sts, i, it.weight - 1, limit, err);
        if (st != ST_OK)
            return st;
    }
    return ST_OK;
}

/* ---- packing ---- */

static int by_weight_desc(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
    const item *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

static size_t first_fit_decreasing(packing *p, size_t *load)
{
    size_t nb = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t b = 0;
        while (b < nb && load[b] + p->items[i].weight > p->cap)
            b++;
        if (b == nb)
            load[nb++] = 0;
        load[b] += p->items[i].weight;
        p->items[i].bin = b;
    }
    return nb;
}

typedef struct search {
    packing *p;
    size_t k;     /* bins allowed */
    size_t *load; /* per bin */
    size_t *left; /* weight of items i.. */
    long nodes;
} search;

/* 1 found, 0 none, -1 budget spent. Items are in decreasing weight. */
static int place(search *s, size_t i, size_t used)
{
    if (i == s->p->n)
        return 1;
    if (++s->nodes > SPLIT_NODE_BUDGET)
        return -1;
    size_t free_room = 0;
    for (size_t b = 0; b < s->k; b++)
        free_room += s->p->cap - s->load[b];
    if (s->left[i] > free_room)
        return 0;
    item *it = &s->p->items[i];
    size_t top = used < s->k ? used + 1 : s->k;
    for (size_t b = 0; b < top; b++) {
        int seen = 0; /* a bin of the same load was tried: same subtree */
        for (size_t c = 0; c < b && !seen; c++)
            seen = s->load[c] == s->load[b];
        if (seen || s->load[b] + it->weight > s->p->cap)
            continue;
        s->load[b] += it->weight;
        it->bin = b;
        int r = place(s, i + 1, b == used ? used + 1 : used);
        s->load[b] -= it->weight;
        if (r != 0)
            return r;
    }
    return 0;
}

/* Looks for a packing in fewer bins than FFD's; keeps FFD's otherwise. */
static void improve(packing *p, size_t nffd, size_t total)
{
    if (p->cap == 0) /* no room: make_items refused every item already */
        return;
    size_t lower = (total + p->cap - 1) / p->cap;
    if (lower >= nffd)
        return;
    size_t *keep = xcalloc(p->n, sizeof *keep);
    for (size_t i = 0; i < p->n; i++)
        keep[i] = p->items[i].bin;
    search s = {
        .p = p, .load = xcalloc(nffd, sizeof *s.load), .left = xcalloc(p->n + 1, sizeof *s.left)};
    for (size_t i = p->n; i-- > 0;)
        s.left[i] = s.left[i + 1] + p->items[i].weight;
    int found = 0;
    for (size_t k = lower; k < nffd && !found; k++) {
        s.k = k;
        s.nodes = 0;
        memset(s.load, 0, nffd * sizeof *s.load);
        int r = place(&s, 0, 0);
        if (r < 0)
            break;
        found = r;
        p->nbins = k;
    }
    if (!found) {
        p->nbins = nffd;
        for (size_t i = 0; i < p->n; i++)
            p->items[i].bin = keep[i];
    }
    free(keep);
    free(s.load);
    free(s.left);
}

static void pack(packing *p)
{
    if (p->n == 0 || !p->items) /* a policy has a statement: never */
        return;
    qsort(p->items, p->n, sizeof *p->items, by_weight_desc);
    size_t *load = xcalloc(p->n ? p->n : 1, sizeof *load);
    p->nbins = first_fit_decreasing(p, load);
    free(load);
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += p->items[i].weight;
    improve(p, p->nbins, total);
    /* Parts are numbered by their first statement, read in input order. */
    qsort(p->items, p->n, sizeof *p->items, by_order);
    size_t *renum = xcalloc(p->nbins, sizeof *renum), next = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!renum[p->items[i].bin])
            renum[p->items[i].bin] = ++next;
    for (size_t i = 0; i < p->n; i++)
        p->items[i].bin = renum[p->items[i].bin] - 1;
    free(renum);
}

/* ---- the whole ---- */

static status_t write_parts(yajl_val root, packing *p, size_t limit, policy_parts *out,
                            sc_error *err)
{
    out->docs = xcalloc(p->nbins, sizeof *out->docs);
    for (size_t b = 0; b < p->nbins; b++) {
        out->docs[out->n++] = write_part(root, p->items, p->n, b);
        if (policy_size(out->docs[b]) > limit) /* the sizes add up: never */
            return error_set(err, ST_BAD_INPUT, "policy part %zu came out over %zu characters",
                             b + 1, limit);
    }
    return ST_OK;
}

static status_t split_tree(yajl_val root, size_t whole, size_t limit, policy_parts *out,
                           sc_error *err)
{
    yajl_val sts = json_member(root, "Statement");
    if (!YAJL_IS_OBJECT(root) || !YAJL_IS_ARRAY(sts) || sts->u.array.len == 0)
        return error_set(err, ST_BAD_INPUT,
                         "over IAM's limit of %zu characters, and no list of statements to split",
                         limit);
    packing p = {.whole = whole};
    char *frame_text = write_part(root, NULL, 0, SIZE_MAX);
    size_t frame = policy_size(frame_text);
    free(frame_text);
    p.cap = limit + 1 > frame ? limit + 1 - frame : 0;
    status_t st = make_items(&p, sts, limit, err);
    if (st == ST_OK) {
        pack(&p);
        st = write_parts(root, &p, limit, out, err);
    }
    for (size_t i = 0; i < p.n; i++)
        free(p.items[i].sid);
    free(p.items);
    return st;
}

status_t policy_split(const char *json, size_t limit, policy_parts *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    if (policy_size(json) <= limit) {
        out->docs = xcalloc(1, sizeof *out->docs);
        out->docs[out->n++] = xstrdup(json);
        return ST_OK;
    }
    yajl_val root = NULL;
    sc_error why = {.status = ST_OK};
    if (json_parse(json, strlen(json), SPLIT_INPUT_MAX, &root, &why) != ST_OK)
        return error_set(err, ST_BAD_INPUT, "the policy is not JSON: %s", why.message);
    status_t st = split_tree(root, policy_size(json), limit, out, err);
    yajl_tree_free(root);
    if (st != ST_OK)
        policy_parts_free(out);
    return st;
}

char *policy_part_name(const char *base, size_t i)
{
    buf_t b = BUF_INIT;
    if (i == 0)
        buf_puts(&b, base);
    else
        buf_printf(&b, "%s-%zu", base, i + 1);
    return buf_steal(&b);
}

void policy_parts_free(policy_parts *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->docs[i]);
    free(p->docs);
    memset(p, 0, sizeof *p);
}
