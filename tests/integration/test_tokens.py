"""Where the Spot token and the trusted CAs come from: SPOTINST_TOKEN before
the credentials file, and one CA order for AWS (IAM, STS, through the TLS
fault proxy in front of moto) and Spot (the fake, over TLS), both served
with certificates of the test CA."""

import os
import shutil
import subprocess

import harness
from connect_env import env, fresh, names_args, secrets, spot, stop_peers

suite = harness.Suite("tokens")
T = {}


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def plan(**extra):
    """`plan` reads STS (through the TLS proxy) and Spot: both endpoints."""
    e = env(via_proxy=True, AWS_CA_BUNDLE=None, SPOT_CONNECT_CA_BUNDLE=None)
    args = extra.pop("args", [])
    e.update(extra)
    r = harness.run_binary(["plan", "--method", "automatic", *names_args(T), *args], env=e,
                           home=T["home"], timeout=120)
    harness.assert_no_secrets(r, secrets())
    return r


def reached_both(r):
    """STS answered (the identity line) and Spot answered (accounts listed)."""
    assert r.code == 0, r.describe()
    assert "AWS account" in r.stderr, r.describe()
    assert any(q.endpoint == "listAccounts" and q.status == 200 for q in spot().requests), \
        spot().requests


def ca_dir():
    d = harness.tempdir("cadir-")
    shutil.copy(harness.ca().ca_cert, os.path.join(d, "ca.pem"))
    subprocess.run(["openssl", "rehash", d], check=True, capture_output=True)
    assert any(len(n) == 10 and n.endswith(".0") for n in os.listdir(d)), os.listdir(d)
    return d


# ---- the token ----

@suite.test
def test_spotinst_token_beats_an_unusable_credentials_file():
    harness.write_file(f"{T['home']}/.spotinst/credentials",
                       "[default]\ntoken = not a token with spaces\n")
    r = plan(AWS_CA_BUNDLE=harness.ca().ca_cert, SPOT_CONNECT_CA_BUNDLE=harness.ca().ca_cert)
    reached_both(r)
    assert "warning" in r.stderr and "SPOTINST_TOKEN is used" in r.stderr, r.describe()
    assert "not a token" not in r.output, r.describe()


@suite.test
def test_missing_named_credentials_file_is_a_warning_with_spotinst_token():
    missing = os.path.join(T["home"], "no-such-credentials")
    r = plan(AWS_CA_BUNDLE=harness.ca().ca_cert, SPOT_CONNECT_CA_BUNDLE=harness.ca().ca_cert,
             SPOTINST_SHARED_CREDENTIALS_FILE=missing)
    reached_both(r)
    assert "warning" in r.stderr and "no-such-credentials" in r.stderr, r.describe()


# ---- CA bundles ----

@suite.test
def test_ca_bundle_option_alone_covers_aws_and_spot():
    reached_both(plan(args=["--ca-bundle", harness.ca().ca_cert]))


@suite.test
def test_ssl_cert_file_alone_covers_aws_and_spot():
    reached_both(plan(SSL_CERT_FILE=harness.ca().ca_cert))


@suite.test
def test_curl_ca_bundle_alone_covers_aws_and_spot():
    reached_both(plan(CURL_CA_BUNDLE=harness.ca().ca_cert))


@suite.test
def test_ssl_cert_dir_alone_covers_aws_and_spot():
    reached_both(plan(SSL_CERT_DIR=ca_dir()))


@suite.test
def test_aws_ca_bundle_overrides_ssl_cert_file_for_aws_only():
    r = plan(AWS_CA_BUNDLE=harness.ca().ca_cert, SSL_CERT_FILE=harness.ca().wrong_ca)
    assert r.code == 1, r.describe()
    assert "AWS account" in r.stderr, r.describe()  # STS trusted AWS_CA_BUNDLE
    assert "TLS to Spot" in r.stderr and "SSL_CERT_FILE" in r.stderr, r.describe()
    assert "AWS_CA_BUNDLE" not in r.stderr, r.describe()


@suite.test
def test_spot_override_beats_ssl_cert_file():
    r = plan(SSL_CERT_FILE=harness.ca().ca_cert, SPOT_CONNECT_CA_BUNDLE=harness.ca().wrong_ca)
    assert r.code == 1 and "TLS to Spot" in r.stderr, r.describe()
    assert "SPOT_CONNECT_CA_BUNDLE" in r.stderr and "wrong-ca.pem" in r.stderr, r.describe()


@suite.test
def test_wrong_aws_ca_names_the_endpoint_and_the_setting_in_force():
    r = plan(AWS_CA_BUNDLE=harness.ca().wrong_ca, SPOT_CONNECT_CA_BUNDLE=harness.ca().ca_cert)
    assert r.code == 1, r.describe()
    assert "TLS to AWS STS" in r.stderr, r.describe()
    assert "AWS_CA_BUNDLE (" in r.stderr and "wrong-ca.pem" in r.stderr, r.describe()
    # It is set already: no advice to set it.
    assert "set AWS_CA_BUNDLE" not in r.stderr and "AWS_CA_BUNDLE or" not in r.stderr, \
        r.describe()
    assert "--ca-bundle /" not in r.stderr, r.describe()


@suite.test
def test_wrong_ca_option_names_the_option():
    r = plan(args=["--ca-bundle", harness.ca().wrong_ca])
    assert r.code == 1 and "TLS to AWS STS" in r.stderr, r.describe()
    assert "--ca-bundle (" in r.stderr and "AWS_CA_BUNDLE" not in r.stderr, r.describe()


@suite.test
def test_no_ca_setting_names_the_system_store():
    r = plan()
    assert r.code == 1 and "TLS to AWS STS" in r.stderr, r.describe()
    assert "system's CAs" in r.stderr, r.describe()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
