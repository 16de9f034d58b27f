/* XML, URL and time helpers against the IAM/STS answers moto really sends. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/timeutil.h"
#include "util/url.h"
#include "util/xml.h"

static char *read_sample(const char *name, long *status)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/iam-xml-samples/%s", getenv("SC_TEST_DATA"), name);
    int fd = open(path, O_RDONLY);
    char *text = NULL;
    if (fd < 0 || file_read_all(fd, 1 << 20, &text, NULL) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    close(fd);
    const char *h = strstr(text, "HTTP ");
    *status = h ? atol(h + 5) : 0;
    return text;
}

/* The body after the leading "<!-- ... -->" line the samples carry. */
static const char *sample_body(const char *text)
{
    const char *nl = strchr(text, '\n');
    return nl ? nl + 1 : text;
}

/* "03-CreatePolicy-EntityAlreadyExists.xml" -> action "CreatePolicy", code
 * "EntityAlreadyExists" (the last part; meaningful for error samples). */
static void sample_names(const char *file, char *action, char *code)
{
    static const char *const prefixes[] = {"auth-", "STS-", "IAM-"};
    const char *p = strchr(file, '-') + 1;
    for (size_t i = 0; i < 3; i++)
        if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
            p += strlen(prefixes[i]);
    size_t n = strcspn(p, "-.");
    snprintf(action, 64, "%.*s", (int)n, p);
    const char *last = strrchr(p, '-');
    code[0] = '\0';
    if (last && last >= p + n)
        snprintf(code, 64, "%.*s", (int)strcspn(last + 1, "."), last + 1);
}

static void check_sample(const void *arg)
{
    const char *file = arg;
    long status;
    char *text = read_sample(file, &status);
    REQUIRE(text != NULL);
    char action[64], code[64], result[96];
    sample_names(file, action, code);
    xml_node *root = NULL;
    sc_error err;
    status_t st = xml_parse(sample_body(text), strlen(sample_body(text)), &root, &err);
    if (status == 500) {
        CHECK(st != ST_OK || !xml_find(root, "Code")); /* moto's HTML page */
    } else if (status >= 200 && status < 300) {
        CHECK_INT(st, ST_OK);
        snprintf(result, sizeof result, "%sResponse", action);
        CHECK_STR(root ? root->name : NULL, result);
        CHECK(xml_find(root, "RequestId") != NULL);
    } else {
        CHECK_INT(st, ST_OK);
        const xml_node *e = xml_find(root, "Error");
        CHECK(e != NULL);
        CHECK(xml_text(e, "Code") && *xml_text(e, "Code"));
        CHECK(xml_text(e, "Message") && *xml_text(e, "Message"));
        /* Most names say the expected code; moto's 21-25 say what was meant. */
        if (code[0] && strstr(file, "-auth-") == NULL && atoi(file) < 21 && e)
            CHECK_STR(xml_text(e, "Code"), code);
    }
    xml_free(root);
    free(text);
}

static void trust_policy_is_decoded(void)
{
    long status;
    char *text = read_sample("16-GetRole.xml", &status);
    xml_node *root = NULL;
    sc_error err;
    CHECK_INT(xml_parse(sample_body(text), strlen(sample_body(text)), &root, &err), ST_OK);
    const char *enc = xml_text(root, "GetRoleResult/Role/AssumeRolePolicyDocument");
    char *doc = enc ? url_decode_policy_document(enc) : NULL;
    CHECK(doc && strstr(doc, "\"sts:ExternalId\": \"ext-123\"") != NULL);
    CHECK_STR(xml_text(root, "GetRoleResult/Role/Arn"), "arn:aws:iam::123456789012:role/demo-role");
    free(doc);
    xml_free(root);
    free(text);
}

static void raw_policy_document_is_kept(void)
{
    char *doc = url_decode_policy_document("{\"a\": \"b+c%41\"}");
    CHECK_STR(doc, "{\"a\": \"b+c%41\"}");
    free(doc);
    doc = url_decode_policy_document("%7B%22a%22%3A%22b+c%22%7D");
    CHECK_STR(doc, "{\"a\":\"b+c\"}"); /* '+' stays a plus */
    free(doc);
}

static void form_encoding_matches_quote_plus(void)
{
    buf_t b = BUF_INIT;
    const char *s = "a b/c:{\"x\"}~_.-é";
    url_encode(&b, s, strlen(s), URL_FORM);
    CHECK_STR(buf_str(&b), "a+b%2Fc%3A%7B%22x%22%7D~_.-%C3%A9");
    buf_reset(&b);
    url_encode(&b, s, strlen(s), URL_RFC3986);
    CHECK_STR(buf_str(&b), "a%20b%2Fc%3A%7B%22x%22%7D~_.-%C3%A9");
    buf_free(&b);
}

static void malformed_xml_is_rejected(void)
{
    const char *bad[] = {"", "<a><b></a>", "not xml", "<GetRoleResponse><GetRoleResult>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xml_node *root = NULL;
        sc_error err;
        CHECK_INT(xml_parse(bad[i], strlen(bad[i]), &root, &err), ST_PARSE);
        CHECK(root == NULL);
        CHECK(strlen(err.message) > 0);
    }
}

static void deep_nesting_is_refused(void)
{
    buf_t b = BUF_INIT;
    for (int i = 0; i < 200; i++)
        buf_puts(&b, "<a>");
    for (int i = 0; i < 200; i++)
        buf_puts(&b, "</a>");
    xml_node *root = NULL;
    sc_error err;
    CHECK_INT(xml_parse(b.data, b.len, &root, &err), ST_PARSE);
    buf_free(&b);
}

static void expect_refused(const char *doc, size_t len, const char *needle)
{
    xml_node *root = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(xml_parse(doc, len, &root, &err), ST_PARSE);
    CHECK(root == NULL);
    if (!strstr(err.message, needle)) {
        fprintf(stderr, "  message [%s] lacks [%s]\n", err.message, needle);
        check_case_failed = 1;
    }
    xml_free(root);
}

/* AWS answers carry no DTD; its entities are how an answer expands. */
static void doctype_is_refused(void)
{
    const char *docs[] = {
        "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><r>&b;</r>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"http://127.0.0.1/x.dtd\"><r>x</r>",
        "<!DOCTYPE r><r/>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        expect_refused(docs[i], strlen(docs[i]), "DOCTYPE");
}

/* More than 1 MiB of character data is no AWS answer. */
/* Found by the fuzzer: appending walked the sibling list, so 200,000
 * members took minutes. Processor time, not wall time: a loaded machine
 * does not slow it, and the old code needed over 100 s. */
static void many_siblings_are_linear(void)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "<r>");
    for (int i = 0; i < 200000; i++)
        buf_puts(&b, "<m>1</m>");
    buf_puts(&b, "</r>");
    clock_t t0 = clock();
    xml_node *root = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(xml_parse(b.data, b.len, &root, &err), ST_OK);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(cpu < 20.0);
    size_t n = 0;
    const xml_node *last = NULL;
    for (const xml_node *c = root ? root->children : NULL; c; c = c->next, n++)
        last = c;
    CHECK_INT(n, 200000);
    CHECK(root && last == root->last_child);
    xml_free(root);
    buf_free(&b);
}

static void text_is_capped(void)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "<r><a>");
    for (int i = 0; i < 1100; i++)
        for (int j = 0; j < 1024; j++)
            buf_putc(&b, 'x');
    buf_puts(&b, "</a></r>");
    expect_refused(b.data, b.len, "more than 1048576 bytes of text");
    /* Just under the cap, split across many elements, is fine. */
    buf_reset(&b);
    buf_puts(&b, "<r>");
    for (int i = 0; i < 1000; i++) {
        buf_puts(&b, "<a>");
        for (int j = 0; j < 1000; j++)
            buf_putc(&b, 'y');
        buf_puts(&b, "</a>");
    }
    buf_puts(&b, "</r>");
    xml_node *root = NULL;
    sc_error err;
    CHECK_INT(xml_parse(b.data, b.len, &root, &err), ST_OK);
    CHECK_INT(strlen(xml_text(root, "a")), 1000);
    xml_free(root);
    buf_free(&b);
}

static void times_parse(void)
{
    time_t t;
    CHECK_INT(time_parse_iso8601("2026-11-26T05:06:53.811152Z", &t), 0);
    CHECK_INT(t, 1795669613);
    CHECK_INT(time_parse_iso8601("2026-11-26T05:06:53Z", &t), 0);
    CHECK_INT(t, 1795669613);
    CHECK_INT(time_parse_iso8601("2026-11-26T06:06:53+01:00", &t), 0);
    CHECK_INT(t, 1795669613);
    CHECK_INT(time_parse_iso8601("2026-11-26", &t), -1);
    CHECK_INT(time_parse_iso8601("2026-13-26T05:06:53Z", &t), -1);
    CHECK_INT(time_parse_iso8601("yesterday", &t), -1);
    char out[21];
    time_format_iso8601(1795669613, out);
    CHECK_STR(out, "2026-11-26T05:06:53Z");
}

static size_t sample_count;

static void samples_present(void)
{
    CHECK_INT(sample_count, 37);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    check_suite = "xml";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/iam-xml-samples", getenv("SC_TEST_DATA"));
    DIR *d = opendir(dir);
    char *files[128];
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d)) && n < 128;)
        if (strstr(e->d_name, ".xml"))
            files[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(files, n, sizeof files[0], by_name);
    for (size_t i = 0; i < n; i++) {
        char name[300];
        snprintf(name, sizeof name, "sample %s", files[i]);
        check_run_arg(name, check_sample, files[i]);
        free(files[i]);
    }
    sample_count = n;
    check_run("all 37 moto samples present", samples_present);
    check_run("trust policy is URL-decoded", trust_policy_is_decoded);
    check_run("raw policy document is kept", raw_policy_document_is_kept);
    check_run("form encoding matches quote_plus", form_encoding_matches_quote_plus);
    check_run("malformed XML is rejected", malformed_xml_is_rejected);
    check_run("deep nesting is refused", deep_nesting_is_refused);
    check_run("a DOCTYPE is refused", doctype_is_refused);
    check_run("text over 1 MiB is refused", text_is_capped);
    check_run("200,000 siblings parse in linear time", many_siblings_are_linear);
    check_run("ISO 8601 times parse", times_parse);
    return check_exit();
}
