/* The wizard's model: visible panels, Step N of M, Enter/Esc, resume, and
 * the engine options its answers give. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "doc/policy.h"
#include "wizard/wizard.h"

static void automatic_path_has_every_panel(void)
{
    wizard w;
    wiz_init(&w);
    CHECK_INT(wiz_step_count(&w), 11);
    int n = 1;
    while (wiz_forward(&w))
        n++;
    CHECK_INT(n, 11);
    CHECK_INT(w.step, W_DONE);
    CHECK_INT(wiz_step_number(&w, W_DONE), 11);
}

static void govcloud_skips_permissions(void)
{
    wizard w;
    wiz_init(&w);
    w.partition = WP_GOV;
    CHECK(!wiz_visible(&w, W_PERMISSIONS));
    CHECK_INT(wiz_step_count(&w), 10);
    wiz_goto(&w, W_AWS_LOGIN);
    CHECK(wiz_forward(&w));
    CHECK_INT(w.step, W_POLICY);
    CHECK_INT(wiz_step_number(&w, W_POLICY), 7);
}

/* The console page offers the bundles on the manual path too; only
 * GovCloud and China have the full policy alone. The count stays put. */
static void manual_offers_permissions(void)
{
    wizard w;
    wiz_init(&w);
    int automatic = wiz_step_count(&w);
    w.method = CONNECT_MANUAL;
    CHECK(wiz_visible(&w, W_PERMISSIONS));
    CHECK_INT(wiz_step_count(&w), automatic);
    w.partition = WP_GOV;
    CHECK(!wiz_visible(&w, W_PERMISSIONS));
}

static void resume_restores_the_answers(void)
{
    wizard w;
    wiz_init(&w);
    w.method = CONNECT_CONSOLE; /* what no token found made it */
    const char *bundles[] = {"OceanEks", "OverviewDashboard"};
    wiz_saved s = {.method = "manual",
                   .partition = "aws",
                   .spot_account = "act-12345678",
                   .bundles = bundles,
                   .nbundles = 2,
                   .bundles_saved = 1,
                   .step = STEP_POLICY};
    wiz_step at = wiz_apply_saved(&w, &s);
    CHECK_INT(at, W_ROLE);
    CHECK_INT(w.method, CONNECT_MANUAL);
    CHECK_STR(w.spot_account, "act-12345678");
    size_t on = 0;
    for (size_t i = 0; i < w.nbundles; i++)
        on += (size_t)w.bundle_on[i];
    CHECK_INT(on, 2);
    CHECK(!wiz_bundles_changed(&w));
    w.bundle_on[0] = !w.bundle_on[0];
    CHECK(wiz_bundles_changed(&w));
    char text[300];
    wiz_resume_text(&w, at, text, sizeof text);
    CHECK_STR(text,
              "Manual path, Spot account act-12345678, stopped before step 9 Create IAM role");
}

static void esc_goes_back_along_the_path(void)
{
    wizard w;
    wiz_init(&w);
    CHECK(!wiz_back(&w)); /* nowhere before Welcome */
    wiz_forward(&w);
    wiz_forward(&w);
    CHECK_INT(w.step, W_METHOD);
    CHECK(wiz_back(&w));
    CHECK_INT(w.step, W_PROVIDER);
    CHECK(wiz_back(&w));
    CHECK_INT(w.step, W_WELCOME);
}

static void goto_records_the_path(void)
{
    wizard w;
    wiz_init(&w);
    wiz_goto(&w, W_CONNECT);
    CHECK_INT(w.depth, 9);
    CHECK(wiz_back(&w));
    CHECK_INT(w.step, W_ROLE);
}

static void path_text_names_the_answers(void)
{
    wizard w;
    char text[200];
    wiz_init(&w);
    w.method = CONNECT_MANUAL;
    w.partition = WP_CN;
    wiz_goto(&w, W_SPOT);
    wiz_path_text(&w, text, sizeof text);
    CHECK_STR(text, "AWS > Linked Account > Manually > China");
}

static void options_follow_the_answers(void)
{
    wizard w;
    const char *bundles[WIZ_MAX_BUNDLES];
    connect_options o;
    wiz_init(&w);
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    CHECK_INT(o.nbundles, 0); /* all bundles: the published policy */
    CHECK(o.partition == NULL && o.security_audit);
    w.bundle_on[0] = 0;
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    CHECK_INT(o.nbundles, policy_bundle_count() - 1);
    CHECK_STR(o.bundles[0], policy_bundle_name(1));
    w.partition = WP_GOV;
    snprintf(w.spot_principal, sizeof w.spot_principal, "123456789012");
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    CHECK_STR(o.partition, "aws-us-gov");
    CHECK_INT(o.nbundles, 0); /* never customised there */
    CHECK_STR(o.spot_principal, "123456789012");
}

static void resume_maps_saved_steps(void)
{
    CHECK_INT(wiz_resume_step(STEP_START), W_WELCOME);
    CHECK_INT(wiz_resume_step(STEP_EXTERNAL_ID), W_POLICY);
    CHECK_INT(wiz_resume_step(STEP_POLICY), W_ROLE);
    CHECK_INT(wiz_resume_step(STEP_ATTACHED), W_CONNECT);
    CHECK_INT(wiz_resume_step(STEP_VERIFIED), W_DONE);
}

/* Said where the path is chosen: every method has the same count, and
 * GovCloud/China one step less (no Permissions). */
static void step_count_for_each_path(void)
{
    wizard w;
    wiz_init(&w);
    CHECK_INT(wiz_step_count_for(&w, CONNECT_AUTOMATIC, WP_AWS), 11);
    CHECK_INT(wiz_step_count_for(&w, CONNECT_MANUAL, WP_AWS), 11);
    CHECK_INT(wiz_step_count_for(&w, CONNECT_CONSOLE, WP_AWS), 11);
    CHECK_INT(wiz_step_count_for(&w, CONNECT_CONSOLE, WP_GOV), 10);
    CHECK_INT(wiz_step_count_for(&w, CONNECT_AUTOMATIC, WP_CN), 10);
    CHECK_INT(w.method, CONNECT_AUTOMATIC); /* the answers are left alone */
    CHECK_INT(w.partition, WP_AWS);
    /* The count each path announces is the count its header shows. */
    w.partition = WP_GOV;
    CHECK_INT(wiz_step_count(&w), wiz_step_count_for(&w, CONNECT_AUTOMATIC, WP_GOV));
}

static void partition_of_credentials(void)
{
    CHECK_INT(wiz_arn_partition("arn:aws:iam::123456789012:user/a"), WP_AWS);
    CHECK_INT(wiz_arn_partition("arn:aws-us-gov:sts::123456789012:assumed-role/r/s"), WP_GOV);
    CHECK_INT(wiz_arn_partition("arn:aws-cn:iam::123456789012:root"), WP_CN);
    CHECK_INT(wiz_arn_partition("arn:aws-iso:iam::1:root"), -1);
    CHECK_INT(wiz_arn_partition(NULL), -1);
    wizard w;
    wiz_init(&w);
    char why[400] = "";
    CHECK_INT(wiz_partition_mismatch(&w, "arn:aws:iam::123456789012:user/a", WIZ_ARN_CREDENTIALS,
                                     why, sizeof why),
              0);
    w.partition = WP_GOV;
    CHECK_INT(wiz_partition_mismatch(&w, "arn:aws:iam::123456789012:user/a", WIZ_ARN_CREDENTIALS,
                                     why, sizeof why),
              1);
    CHECK(strstr(why, "a commercial AWS account") != NULL);
    CHECK(strstr(why, "not in GovCloud as step 4 says") != NULL);
    CHECK(strstr(why, "press g") != NULL);
    CHECK(strlen(why) <= 2 * 78); /* the status area's two rows at 80 columns */
    CHECK_INT(wiz_partition_mismatch(&w, "arn:aws-us-gov:iam::1:user/a", WIZ_ARN_CREDENTIALS, why,
                                     sizeof why),
              0);
    w.partition = WP_AWS;
    CHECK_INT(wiz_partition_mismatch(&w, "arn:aws-cn:iam::1:user/a", WIZ_ARN_CREDENTIALS, why,
                                     sizeof why),
              1);
    CHECK(strstr(why, "AWS China") != NULL);
    /* A role ARN typed on the manual path: Enter is the way back (g is text there). */
    w.partition = WP_GOV;
    CHECK_INT(wiz_partition_mismatch(&w, "arn:aws:iam::123456789012:role/Spot-Role", WIZ_ARN_ROLE,
                                     why, sizeof why),
              1);
    CHECK(strstr(why, "This role is in a commercial AWS account") != NULL);
    CHECK(strstr(why, "Enter goes back to step 4") != NULL);
    CHECK(strstr(why, "press g") == NULL);
    CHECK(strlen(why) <= 2 * 78);
}

static void external_id_form(void)
{
    CHECK(wiz_external_id_looks_spot("spotinst:aws:extid:3w72ms42i8000000"));
    CHECK(!wiz_external_id_looks_spot("spotinst:aws:extid:"));
    CHECK(!wiz_external_id_looks_spot("3w72ms42i8000000"));
    CHECK(!wiz_external_id_looks_spot("spotinst:aws:extid:abc def"));
    CHECK(!wiz_external_id_looks_spot("Spotinst:aws:extid:abc"));
    CHECK(!wiz_external_id_looks_spot(""));
    CHECK(!wiz_external_id_looks_spot(NULL));
}

int main(void)
{
    check_suite = "wizard";
    check_run("automatic path has every panel", automatic_path_has_every_panel);
    check_run("GovCloud skips permissions", govcloud_skips_permissions);
    check_run("manual offers permissions", manual_offers_permissions);
    check_run("resume restores the answers", resume_restores_the_answers);
    check_run("Esc goes back along the path", esc_goes_back_along_the_path);
    check_run("goto records the path", goto_records_the_path);
    check_run("path text names the answers", path_text_names_the_answers);
    check_run("options follow the answers", options_follow_the_answers);
    check_run("resume maps saved steps", resume_maps_saved_steps);
    check_run("step count for each path", step_count_for_each_path);
    check_run("partition of credentials", partition_of_credentials);
    check_run("External ID form", external_id_form);
    return check_exit();
}
