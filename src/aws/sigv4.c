#include "aws/sigv4.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/url.h"
#include "util/xalloc.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

typedef struct span {
    const char *p;
    size_t n;
} span;

/* A header prepared for the canonical form; order keeps repeated names in
 * the caller's order, since qsort is not stable. */
typedef struct canon_header {
    char *name;
    char *value;
    size_t order;
} canon_header;

/* A query parameter, both parts already in canonical encoding. */
typedef struct canon_param {
    char *name;
    char *value;
} canon_param;

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data ? data : (const void *)"", n, md);
    hex_encode(md, sizeof md, out);
}

void sigv4_amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Decoding first makes raw and pre-encoded input sign the same way. */
static char *canon_component(const char *s, size_t n)
{
    buf_t raw = BUF_INIT, enc = BUF_INIT;
    url_decode(&raw, s, n);
    url_encode(&enc, raw.data ? raw.data : "", raw.len, URL_RFC3986);
    buf_free(&raw);
    return buf_steal(&enc);
}

static int is_dot_segment(span seg, const char *dots)
{
    return seg.n == strlen(dots) && memcmp(seg.p, dots, seg.n) == 0;
}

/* Splits path into segments with '.', '..' and empty ones resolved; returns
 * how many are left in segs (which holds at least strlen(path) + 1). */
static size_t normalize_segments(const char *path, span *segs)
{
    size_t count = 0;
    for (const char *p = path; *p;) {
        span seg = {p, strcspn(p, "/")};
        p += seg.n + (p[seg.n] == '/');
        if (seg.n == 0 || is_dot_segment(seg, "."))
            continue;
        if (!is_dot_segment(seg, ".."))
            segs[count++] = seg;
        else if (count > 0)
            count--;
    }
    return count;
}

/* Non-S3 services sign the normalised path with each segment encoded again,
 * so an already-encoded "%2F" becomes "%252F", as the SDKs do. */
static void canonical_uri(buf_t *b, const char *path)
{
    size_t len = strlen(path);
    span *segs = xmalloc((len + 1) * sizeof *segs);
    size_t count = normalize_segments(path, segs);
    for (size_t i = 0; i < count; i++) {
        buf_putc(b, '/');
        url_encode(b, segs[i].p, segs[i].n, URL_RFC3986);
    }
    if (count == 0 || path[len - 1] == '/')
        buf_putc(b, '/');
    free(segs);
}

static int param_cmp(const void *a, const void *b)
{
    const canon_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Fills params from query and returns their number. */
static size_t parse_query(const char *query, canon_param *params)
{
    size_t count = 0;
    for (const char *p = query; *p;) {
        size_t n = strcspn(p, "&");
        if (n > 0) {
            const char *eq = memchr(p, '=', n);
            size_t name_len = eq ? (size_t)(eq - p) : n;
            params[count].name = canon_component(p, name_len);
            params[count].value = eq ? canon_component(eq + 1, n - name_len - 1) : xstrdup("");
            count++;
        }
        p += n + (p[n] == '&');
    }
    return count;
}

static void canonical_query(buf_t *b, const char *query)
{
    if (!query || !*query)
        return;
    size_t max = 1;
    for (const char *p = query; *p; p++)
        max += *p == '&';
    canon_param *params = xmalloc(max * sizeof *params);
    size_t count = parse_query(query, params);
    qsort(params, count, sizeof *params, param_cmp);
    for (size_t i = 0; i < count; i++) {
        buf_printf(b, "%s%s=%s", i ? "&" : "", params[i].name, params[i].value);
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
}

static char *lowercase(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        *p = (char)ascii_tolower(*p);
    return out;
}

static int is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims the value and folds each inner run of whitespace to one space,
 * since proxies may re-space headers and the signature must survive that. */
static char *trim_value(const char *s)
{
    buf_t b;
    buf_init_secret(&b); /* X-Amz-Security-Token */
    while (is_lws(*s))
        s++;
    for (; *s; s++) {
        if (!is_lws(*s))
            buf_putc(&b, *s);
        else if (!is_lws(s[1]) && s[1])
            buf_putc(&b, ' ');
    }
    return buf_steal(&b);
}

static int header_cmp(const void *a, const void *b)
{
    const canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Appends "name:v1,v2\n" lines to canon and "name;..." to signed_names. */
static void emit_headers(const canon_header *h, size_t n, buf_t *canon, buf_t *signed_names)
{
    for (size_t i = 0, j; i < n; i = j) {
        buf_printf(canon, "%s:%s", h[i].name, h[i].value);
        for (j = i + 1; j < n && strcmp(h[j].name, h[i].name) == 0; j++)
            buf_printf(canon, ",%s", h[j].value);
        buf_putc(canon, '\n');
        buf_printf(signed_names, "%s%s", i ? ";" : "", h[i].name);
    }
}

static void canonical_headers(const sigv4_input *in, buf_t *canon, buf_t *signed_names)
{
    canon_header *h = xmalloc((in->nheaders ? in->nheaders : 1) * sizeof *h);
    for (size_t i = 0; i < in->nheaders; i++) {
        h[i].name = lowercase(in->headers[i].name);
        h[i].value = trim_value(in->headers[i].value);
        h[i].order = i;
    }
    qsort(h, in->nheaders, sizeof *h, header_cmp);
    emit_headers(h, in->nheaders, canon, signed_names);
    for (size_t i = 0; i < in->nheaders; i++) {
        free(h[i].name);
        buf_wipe_str(h[i].value);
    }
    free(h);
}

static char *canonical_request(const sigv4_input *in, buf_t *signed_names)
{
    buf_t b;
    buf_init_secret(&b); /* holds the session token */
    char payload_hash[65];
    buf_printf(&b, "%s\n", in->method);
    canonical_uri(&b, in->path && *in->path ? in->path : "/");
    buf_putc(&b, '\n');
    canonical_query(&b, in->query);
    buf_putc(&b, '\n');
    canonical_headers(in, &b, signed_names);
    sigv4_sha256_hex(in->payload, in->payload_len, payload_hash);
    buf_printf(&b, "\n%s\n%s", buf_str(signed_names), payload_hash);
    return buf_steal(&b);
}

static char *credential_scope(const sigv4_input *in)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%.8s/%s/%s/aws4_request", in->amz_date, in->region, in->service);
    return buf_steal(&b);
}

static char *string_to_sign(const sigv4_input *in, const char *scope, const char *creq)
{
    buf_t b;
    buf_init_secret(&b);
    char creq_hash[65];
    sigv4_sha256_hex(creq, strlen(creq), creq_hash);
    buf_printf(&b, SIGV4_ALGORITHM "\n%s\n%s\n%s", in->amz_date, scope, creq_hash);
    return buf_steal(&b);
}

static int hmac_step(const unsigned char *key, size_t key_len, const char *msg,
                     unsigned char out[SHA256_DIGEST_LENGTH])
{
    unsigned int len = 0;
    const unsigned char *data = (const unsigned char *)msg;
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, strlen(msg), out, &len))
        return -1;
    return len == SHA256_DIGEST_LENGTH ? 0 : -1;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"); every intermediate key is wiped, as each can sign for a day. */
static int signing_key(const char *secret, const sigv4_input *in,
                       unsigned char key[SHA256_DIGEST_LENGTH])
{
    char date[9];
    unsigned char k1[SHA256_DIGEST_LENGTH], k2[SHA256_DIGEST_LENGTH];
    /* Sized once: a growing buffer would leave copies of the secret behind. */
    size_t seed_len = 4 + strlen(secret);
    unsigned char *seed = xmalloc(seed_len);
    memcpy(seed, "AWS4", 4); // NOLINT(bugprone-not-null-terminated-result): bytes, not a string
    memcpy(seed + 4, secret, seed_len - 4);
    memcpy(date, in->amz_date, 8);
    date[8] = '\0';
    int rc = hmac_step(seed, seed_len, date, k1);
    rc = rc ? rc : hmac_step(k1, sizeof k1, in->region, k2);
    rc = rc ? rc : hmac_step(k2, sizeof k2, in->service, k1);
    rc = rc ? rc : hmac_step(k1, sizeof k1, "aws4_request", key);
    OPENSSL_cleanse(seed, seed_len);
    free(seed);
    OPENSSL_cleanse(k1, sizeof k1);
    OPENSSL_cleanse(k2, sizeof k2);
    return rc;
}

static int compute_signature(const char *secret, const sigv4_input *in, const char *sts,
                             char out[65])
{
    unsigned char key[SHA256_DIGEST_LENGTH], sig[SHA256_DIGEST_LENGTH];
    int rc = signing_key(secret, in, key);
    rc = rc ? rc : hmac_step(key, sizeof key, sts, sig);
    OPENSSL_cleanse(key, sizeof key);
    if (rc == 0)
        hex_encode(sig, sizeof sig, out);
    return rc;
}

static int input_ok(const sigv4_input *in, const aws_credentials *creds)
{
    if (!in || !creds || !creds->access_key_id || !creds->secret_access_key)
        return 0;
    if (!in->method || !in->region || !in->service || !in->amz_date)
        return 0;
    if (strlen(in->amz_date) != 16 || (in->nheaders && !in->headers))
        return 0;
    if (!in->payload && in->payload_len)
        return 0;
    for (size_t i = 0; i < in->nheaders; i++)
        if (!in->headers[i].name || !in->headers[i].value)
            return 0;
    return 1;
}

int sigv4_sign(const sigv4_input *in, const aws_credentials *creds, sigv4_output *out)
{
    memset(out, 0, sizeof *out);
    if (!input_ok(in, creds))
        return -1;
    buf_t signed_names = BUF_INIT, auth;
    buf_init_secret(&auth);
    char *scope = credential_scope(in);
    out->canonical_request = canonical_request(in, &signed_names);
    out->string_to_sign = string_to_sign(in, scope, out->canonical_request);
    int rc = compute_signature(creds->secret_access_key, in, out->string_to_sign, out->signature);
    if (rc == 0) {
        buf_printf(&auth, SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                   creds->access_key_id, scope, buf_str(&signed_names), out->signature);
        out->authorization = buf_steal(&auth);
    }
    free(scope);
    buf_free(&signed_names);
    if (rc != 0)
        sigv4_output_free(out);
    return rc;
}

void sigv4_output_free(sigv4_output *out)
{
    if (!out)
        return;
    buf_wipe_str(out->canonical_request);
    buf_wipe_str(out->string_to_sign);
    buf_wipe_str(out->authorization);
    buf_wipe(out, sizeof *out);
}
