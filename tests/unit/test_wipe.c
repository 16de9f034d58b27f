/* Secrets are wiped before their memory goes back to malloc: buffers that
 * grow, signing intermediates, answer bodies and parsed answers. Linked
 * with -Wl,--wrap=free,--wrap=realloc: every free and every moving realloc
 * made by the core is checked for the marker of a secret while it is still
 * readable, i.e. before the allocator gets the block back. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/sigv4.h"
#include "aws/sts.h"
#include "aws_fixture.h"
#include "check.h"
#include "net/http.h"
#include "util/buf.h"
#include "util/xml.h"

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);

static const char *volatile watched; /* the marker looked for; NULL = off */
static volatile int leaks;           /* blocks released still holding it */

static int holds_marker(void *p)
{
    const char *m = watched;
    return p && m && memmem(p, malloc_usable_size(p), m, strlen(m)) != NULL;
}

void __wrap_free(void *p)
{
    if (holds_marker(p))
        leaks++;
    __real_free(p);
}

void *__wrap_realloc(void *p, size_t n)
{
    int had = holds_marker(p);
    void *q = __real_realloc(p, n);
    if (had && q != p)
        leaks++;
    return q;
}

static void watch(const char *marker)
{
    leaks = 0;
    watched = marker;
}

static int stop_watching(void)
{
    watched = NULL;
    return leaks;
}

/* ---- buffers ---- */

static void test_secret_buffer_grows_by_wipe_and_copy(void)
{
    buf_t b;
    buf_init_secret(&b);
    watch("MARKER-buf-secret");
    buf_puts(&b, "MARKER-buf-secret");
    char *blocker = malloc(64); /* keeps the block from growing in place */
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "%04d", i);
    CHECK(strncmp(buf_str(&b), "MARKER-buf-secret0000", 21) == 0);
    CHECK_INT(b.len, 17 + 4 * 2000);
    buf_reset(&b);
    buf_puts(&b, "MARKER-buf-secret again");
    buf_free(&b);
    CHECK_INT(stop_watching(), 0);
    free(blocker);
}

static void test_stolen_secret_is_wiped_by_buf_wipe_str(void)
{
    buf_t b;
    buf_init_secret(&b);
    watch("MARKER-stolen");
    buf_printf(&b, "%s", "MARKER-stolen");
    buf_wipe_str(buf_steal(&b));
    CHECK_INT(stop_watching(), 0);
}

/* ---- signing ---- */

static void test_sigv4_intermediates_are_wiped(void)
{
    aws_credentials creds = {.access_key_id = "AKIDEXAMPLE",
                             .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                             .session_token = "MARKER-session-token-0123456789"};
    sigv4_header hs[] = {{"Host", "sts.amazonaws.com"},
                         {"X-Amz-Date", "20240101T000000Z"},
                         {"X-Amz-Security-Token", "  MARKER-session-token-0123456789 "}};
    sigv4_input in = {.method = "POST",
                      .path = "/",
                      .query = "",
                      .headers = hs,
                      .nheaders = 3,
                      .payload = "Action=GetCallerIdentity",
                      .payload_len = 24,
                      .region = "us-east-1",
                      .service = "sts",
                      .amz_date = "20240101T000000Z"};
    sigv4_output out;
    watch("MARKER-session-token");
    CHECK_INT(sigv4_sign(&in, &creds, &out), 0);
    CHECK(strstr(out.canonical_request, "MARKER-session-token") != NULL);
    char sig[65];
    memcpy(sig, out.signature, sizeof sig);
    sigv4_output_free(&out);
    CHECK_INT(stop_watching(), 0);
    /* The signature is wiped from the output struct too. */
    CHECK(out.signature[0] == '\0' && sig[0] != '\0');
}

/* ---- answers ---- */

static void test_parsed_xml_text_is_wiped(void)
{
    const char doc[] = "<R><Credentials><SecretAccessKey>MARKER-xml-secret</SecretAccessKey>"
                       "</Credentials></R>";
    xml_node *root = NULL;
    sc_error err;
    watch("MARKER-xml-secret");
    CHECK_INT(xml_parse(doc, strlen(doc), &root, &err), ST_OK);
    CHECK_STR(xml_text(root, "Credentials/SecretAccessKey"), "MARKER-xml-secret");
    xml_free(root);
    CHECK_INT(stop_watching(), 0);
}

static fake_server srv;

static void test_http_answer_body_is_wiped(void)
{
    /* Big enough that the body buffer grows many times. */
    size_t n = 256 * 1024;
    char *body = malloc(n + 1);
    memset(body, 'x', n);
    memcpy(body, "MARKER-http-body", 16);
    body[n] = '\0';
    fake_start(&srv);
    fake_route_add(&srv, "GET", "/creds", NULL, 200, body, 0);
    http_request req = {.method = "GET",
                        .url = fake_url(&srv, "/creds"),
                        .headers =
                            (const char *const[]){"Authorization: Bearer MARKER-http-bearer"},
                        .nheaders = 1};
    http_response resp;
    sc_error err;
    watch("MARKER-http-body");
    CHECK_INT(http_perform(NULL, &req, &resp, &err), ST_OK);
    CHECK_INT(resp.body.len, n);
    http_response_free(&resp);
    CHECK_INT(stop_watching(), 0);
    fake_stop(&srv);
    free(body);
}

#define STS_WEB                                                                                    \
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"      \
    "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"             \
    "<SecretAccessKey>MARKER-sts-secret</SecretAccessKey><SessionToken>TOKWEB</SessionToken>"      \
    "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"                                  \
    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"

static void sts_web_call(const char *marker)
{
    fake_start(&srv);
    fake_route_add(&srv, "POST", "/", "AssumeRoleWithWebIdentity", 200, STS_WEB, 0);
    aws_client_config cfg = {
        .region = "us-east-1", .sts_endpoint_url = fake_url(&srv, "/"), .max_attempts = 1};
    aws_client *c = aws_client_new(&cfg);
    aws_credentials out;
    sc_error err;
    watch(marker);
    CHECK_INT(sts_assume_role_with_web_identity(c, "arn:aws:iam::123456789012:role/R", "s",
                                                "MARKER-web-identity-token", 0, &out, &err),
              ST_OK);
    CHECK_STR(out.secret_access_key, "MARKER-sts-secret");
    aws_credentials_clear(&out);
    aws_client_free(c);
    CHECK_INT(stop_watching(), 0);
    fake_stop(&srv);
}

static void test_sts_answer_is_wiped(void)
{
    sts_web_call("MARKER-sts-secret");
}

static void test_sts_request_body_is_wiped(void)
{
    sts_web_call("MARKER-web-identity-token");
}

int main(void)
{
    check_suite = "wipe";
    http_global_init();
    check_run("a secret buffer grows by wipe-and-copy and is wiped when reset and freed",
              test_secret_buffer_grows_by_wipe_and_copy);
    check_run("a stolen secret buffer is wiped by buf_wipe_str",
              test_stolen_secret_is_wiped_by_buf_wipe_str);
    check_run("SigV4: canonical request, string to sign and header copies are wiped",
              test_sigv4_intermediates_are_wiped);
    check_run("XML: parsed text is wiped when freed", test_parsed_xml_text_is_wiped);
    check_run("HTTP: an answer body is wiped as it grows and when freed",
              test_http_answer_body_is_wiped);
    check_run("STS: the credentials in an answer are wiped", test_sts_answer_is_wiped);
    check_run("STS: a web identity token in the request body is wiped",
              test_sts_request_body_is_wiped);
    http_global_cleanup();
    return check_failed_total ? 1 : 0;
}
