/* SigV4 against the official AWS suite, its corrected form-POST cases and the
 * derived IAM/STS vectors in tests/data/sigv4 (see the README there). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/sigv4.h"
#include "check.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/xalloc.h"

#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_DATE "20150830T123600Z"
#define MAX_HEADERS 32

typedef struct vector_case {
    char *dir; /* absolute folder */
    char *rel; /* folder below tests/data/sigv4, the case's name */
} vector_case;

typedef struct case_list {
    vector_case *items;
    size_t len;
} case_list;

typedef struct parsed_req {
    char *head; /* the .req text, cut in place */
    char *method, *path, *query;
    sigv4_header headers[MAX_HEADERS];
    size_t nheaders;
    const char *body;
    size_t body_len;
} parsed_req;

/* The official cases whose files contradict each other (README, "defective"). */
static const char *const defective[] = {
    "aws-testsuite/post-x-www-form-urlencoded",
    "aws-testsuite/post-x-www-form-urlencoded-parameters",
};

static const char *data_root;
static char *sts_token;

static char *path_join(const char *a, const char *b)
{
    buf_t p = BUF_INIT;
    buf_printf(&p, "%s/%s", a, b);
    return buf_steal(&p);
}

/* Reads a whole file, NUL-terminated; NULL when it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    char *text = NULL;
    if (fd < 0)
        return NULL;
    int e = file_read_all(fd, 1 << 20, &text, len);
    close(fd);
    return e ? NULL : text;
}

static char *read_case_file(const vector_case *vc, const char *suffix, size_t *len)
{
    const char *base = strrchr(vc->dir, '/') + 1;
    buf_t p = BUF_INIT;
    buf_printf(&p, "%s/%s.%s", vc->dir, base, suffix);
    char *text = read_file(p.data, len);
    if (!text)
        fprintf(stderr, "  cannot read %s\n", p.data);
    buf_free(&p);
    return text;
}

/* --- .req parsing --------------------------------------------------------- */

/* The target may hold a raw space (normalize-path/get-space), so the
 * protocol is found from the end. */
static int parse_request_line(char *line, parsed_req *r)
{
    char *sp = strchr(line, ' '), *proto = NULL;
    for (char *p = line; (p = strstr(p, " HTTP/")); p++)
        proto = p;
    if (!sp || !proto || proto <= sp)
        return -1;
    *sp = '\0';
    *proto = '\0';
    r->method = line;
    r->path = sp + 1;
    char *q = strchr(r->path, '?');
    r->query = q ? q + 1 : "";
    if (q)
        *q = '\0';
    return 0;
}

/* A folded line becomes another value of the same header: the newer suite
 * signs get-header-value-multiline as "value1,value2,value3". */
static int parse_header_line(char *line, parsed_req *r)
{
    if (r->nheaders == MAX_HEADERS)
        return -1;
    sigv4_header *h = &r->headers[r->nheaders];
    if (line[0] == ' ' || line[0] == '\t') {
        if (r->nheaders == 0)
            return -1;
        h->name = r->headers[r->nheaders - 1].name;
        h->value = line;
    } else {
        char *colon = strchr(line, ':');
        if (!colon)
            return -1;
        *colon = '\0';
        h->name = line;
        h->value = colon + 1;
    }
    r->nheaders++;
    return 0;
}

static int parse_req(char *text, size_t len, parsed_req *r)
{
    memset(r, 0, sizeof *r);
    r->head = text;
    char *blank = strstr(text, "\n\n");
    r->body = blank ? blank + 2 : "";
    r->body_len = blank ? len - (size_t)(r->body - text) : 0;
    if (blank)
        *blank = '\0';
    char *line = text, *next;
    for (int first = 1; line; line = next, first = 0) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int rc = first ? parse_request_line(line, r) : parse_header_line(line, r);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static const char *find_header(const parsed_req *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* A real client sends non-ASCII query bytes percent-encoded; the suite's
 * get-vanilla-utf8-query .req holds them raw (README). */
static char *client_query(const char *raw)
{
    buf_t b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
        if (*p >= 0x80 || *p <= ' ')
            buf_printf(&b, "%%%02X", *p);
        else
            buf_putc(&b, (char)*p);
    }
    return buf_steal(&b);
}

/* Region and service from "Credential=AKID/date/region/service/aws4_request". */
static int scope_from_authz(const char *authz, char region[64], char service[64])
{
    const char *cred = strstr(authz, "Credential=");
    if (!cred)
        return -1;
    return sscanf(cred, "Credential=%*[^/]/%*[^/]/%63[^/]/%63[^/]/", region, service) == 2 ? 0 : -1;
}

/* --- the vector cases ----------------------------------------------------- */

typedef struct case_files {
    char *req, *creq, *sts, *authz, *sreq;
    size_t req_len;
} case_files;

static int load_case(const vector_case *vc, case_files *f)
{
    f->req = read_case_file(vc, "req", &f->req_len);
    f->creq = read_case_file(vc, "creq", NULL);
    f->sts = read_case_file(vc, "sts", NULL);
    f->authz = read_case_file(vc, "authz", NULL);
    f->sreq = read_case_file(vc, "sreq", NULL);
    return f->req && f->creq && f->sts && f->authz && f->sreq ? 0 : -1;
}

static void free_case(case_files *f)
{
    free(f->req);
    free(f->creq);
    free(f->sts);
    free(f->authz);
    free(f->sreq);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The signer signs exactly the headers it is given, so a token in the
 * credentials alone must not appear in the signature (post-sts-header-after),
 * while a token header in the request is signed (post-sts-header-before). */
static void set_token(const vector_case *vc, const parsed_req *r, const case_files *f,
                      aws_credentials *creds)
{
    const char *sent = find_header(r, "X-Amz-Security-Token");
    if (sent) {
        CHECK_STR(sent, sts_token);
        creds->session_token = sts_token;
    }
    if (ends_with(vc->rel, "post-sts-header-after")) {
        buf_t added = BUF_INIT;
        buf_printf(&added, "\nX-Amz-Security-Token:%s", sts_token);
        CHECK(strstr(f->sreq, added.data) != NULL);
        buf_free(&added);
        creds->session_token = sts_token;
    }
}

static void sign_and_compare(const parsed_req *r, const case_files *f, const aws_credentials *creds)
{
    char region[64], service[64];
    CHECK_INT(scope_from_authz(f->authz, region, service), 0);
    char *query = client_query(r->query);
    sigv4_input in = {r->method, r->path,     query,  r->headers, r->nheaders,
                      r->body,   r->body_len, region, service,    TEST_DATE};
    sigv4_output out;
    CHECK_INT(sigv4_sign(&in, creds, &out), 0);
    CHECK_STR(out.canonical_request, f->creq);
    CHECK_STR(out.string_to_sign, f->sts);
    CHECK_STR(out.authorization, f->authz);
    sigv4_output_free(&out);
    free(query);
}

static void run_vector(const void *arg)
{
    const vector_case *vc = arg;
    case_files f = {0};
    parsed_req r;
    aws_credentials creds = {.access_key_id = TEST_AKID, .secret_access_key = TEST_SECRET};
    if (load_case(vc, &f) != 0 || parse_req(f.req, f.req_len, &r) != 0) {
        CHECK(!"case files load and parse");
        free_case(&f);
        return;
    }
    set_token(vc, &r, &f, &creds);
    sign_and_compare(&r, &f, &creds);
    free_case(&f);
}

/* --- finding the cases ---------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A case is a folder NAME holding NAME.req; other folders group cases. */
static int is_case_dir(const char *dir, const char *name)
{
    buf_t p = BUF_INIT;
    buf_printf(&p, "%s/%s.req", dir, name);
    struct stat st;
    int yes = stat(p.data, &st) == 0;
    buf_free(&p);
    return yes;
}

static void walk(const char *dir, const char *rel, case_list *list)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = path_join(dir, e->d_name), *sub = path_join(rel, e->d_name);
        if (is_dir(path) && is_case_dir(path, e->d_name)) {
            list->items = xrealloc(list->items, (list->len + 1) * sizeof *list->items);
            list->items[list->len++] = (vector_case){path, sub}; /* list owns both */
            continue;
        }
        if (is_dir(path))
            walk(path, sub, list);
        free(path);
        free(sub);
    }
    if (d)
        closedir(d);
}

static int case_cmp(const void *a, const void *b)
{
    return strcmp(((const vector_case *)a)->rel, ((const vector_case *)b)->rel);
}

static int is_defective(const char *rel)
{
    for (size_t i = 0; i < sizeof defective / sizeof *defective; i++)
        if (strcmp(rel, defective[i]) == 0)
            return 1;
    return 0;
}

/* The token is the last line of the CRLF readme of post-sts-token. */
static char *load_sts_token(void)
{
    char *path = path_join(data_root, "sigv4/aws-testsuite/post-sts-token/readme.txt");
    char *text = read_file(path, NULL);
    free(path);
    if (!text)
        return xstrdup("(missing readme.txt)");
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    char *last = strrchr(text, '\n');
    char *token = xstrdup(last ? last + 1 : text);
    token[strcspn(token, "\r")] = '\0';
    free(text);
    return token;
}

/* Runs every case under sigv4/ROOT and checks how many there were, so a
 * vector lost from the tree fails instead of silently shrinking the suite. */
static void run_root(const char *root, size_t want)
{
    char *sub = path_join("sigv4", root), *dir = path_join(data_root, sub);
    case_list list = {NULL, 0};
    walk(dir, root, &list);
    qsort(list.items, list.len, sizeof *list.items, case_cmp);
    for (size_t i = 0; i < list.len; i++) {
        if (is_defective(list.items[i].rel))
            printf("ok - %s: %s # skip defective vector, see form-urlencoded-corrected\n",
                   check_suite, list.items[i].rel);
        else
            check_run_arg(list.items[i].rel, run_vector, &list.items[i]);
        free(list.items[i].dir);
        free(list.items[i].rel);
    }
    check_case_failed = 0;
    CHECK_INT(list.len, want);
    buf_t name = BUF_INIT;
    buf_printf(&name, "%s: %zu cases found", root, want);
    printf("%s - %s: %s\n", check_case_failed ? "not ok" : "ok", check_suite, name.data);
    check_failed_total += check_case_failed;
    buf_free(&name);
    free(list.items);
    free(sub);
    free(dir);
}

/* --- extra cases ---------------------------------------------------------- */

static sigv4_output sign_get(const char *host, const char *query, const char *region,
                             const char *service, int *rc)
{
    sigv4_header h[] = {
        {"Host", host},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"X-Amz-Date", TEST_DATE},
    };
    sigv4_input in = {"GET", "/", query, h, 3, NULL, 0, region, service, TEST_DATE};
    aws_credentials creds = {.access_key_id = TEST_AKID, .secret_access_key = TEST_SECRET};
    sigv4_output out;
    *rc = sigv4_sign(&in, &creds, &out);
    return out;
}

/* AWS's documented IAM example (reference/aws.md section 2.1). */
static void test_iam_example(void)
{
    int rc;
    sigv4_output out = sign_get("iam.amazonaws.com", "Action=ListUsers&Version=2010-05-08",
                                "us-east-1", "iam", &rc);
    CHECK_INT(rc, 0);
    char creq_hash[65];
    sigv4_sha256_hex(out.canonical_request, strlen(out.canonical_request), creq_hash);
    CHECK_STR(creq_hash, "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    CHECK_STR(out.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    CHECK_STR(out.authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date, "
              "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    CHECK(!strstr(out.canonical_request, TEST_SECRET));
    CHECK(!strstr(out.string_to_sign, TEST_SECRET));
    CHECK(!strstr(out.authorization, TEST_SECRET));
    sigv4_output_free(&out);
}

static void test_amz_date(void)
{
    char s[17];
    sigv4_amz_date(1440938160, s);
    CHECK_STR(s, TEST_DATE);
    sigv4_amz_date(0, s);
    CHECK_STR(s, "19700101T000000Z");
    sigv4_amz_date(951782400, s);
    CHECK_STR(s, "20000229T000000Z");
}

static void test_query_order(void)
{
    int rc1, rc2;
    sigv4_output a = sign_get("example.amazonaws.com", "b=2&a=1", "us-east-1", "service", &rc1);
    sigv4_output b = sign_get("example.amazonaws.com", "a=1&b=2", "us-east-1", "service", &rc2);
    CHECK(rc1 == 0 && rc2 == 0);
    CHECK_STR(a.canonical_request, b.canonical_request);
    CHECK_STR(a.authorization, b.authorization);
    CHECK(strstr(a.canonical_request, "\na=1&b=2\n") != NULL);
    sigv4_output_free(&a);
    sigv4_output_free(&b);
}

static void test_query_encoding(void)
{
    int rc;
    sigv4_output out = sign_get("example.amazonaws.com", "x=%7e+&a=b c&k&\xE1\x88\xB4=%e1%88%b4",
                                "us-east-1", "service", &rc);
    CHECK_INT(rc, 0);
    CHECK(strstr(out.canonical_request, "\n%E1%88%B4=%E1%88%B4&a=b%20c&k=&x=~%2B\n") != NULL);
    sigv4_output_free(&out);
}

static void test_rejects_missing_fields(void)
{
    sigv4_input in = {"GET", "/", NULL, NULL, 0, NULL, 0, NULL, "iam", TEST_DATE};
    aws_credentials creds = {.access_key_id = TEST_AKID, .secret_access_key = TEST_SECRET};
    sigv4_output out;
    CHECK_INT(sigv4_sign(&in, &creds, &out), -1);
    CHECK(out.canonical_request == NULL && out.authorization == NULL);
    in.region = "us-east-1";
    creds.secret_access_key = NULL;
    CHECK_INT(sigv4_sign(&in, &creds, &out), -1);
    sigv4_output_free(&out);
}

int main(void)
{
    check_suite = "sigv4";
    data_root = getenv("SC_TEST_DATA");
    if (!data_root) {
        printf("not ok - sigv4: SC_TEST_DATA is not set\n");
        return 1;
    }
    sts_token = load_sts_token();
    run_root("aws-testsuite", 31);
    run_root("form-urlencoded-corrected", 2);
    run_root("iam-sts-derived", 5);
    free(sts_token);
    check_run("official IAM ListUsers example", test_iam_example);
    check_run("sigv4_amz_date formatting", test_amz_date);
    check_run("query b=2&a=1 canonicalises as a=1&b=2", test_query_order);
    check_run("query names and values re-encoded", test_query_encoding);
    check_run("missing fields rejected", test_rejects_missing_fields);
    return check_exit();
}
