"""The command line itself: help, version, usage errors, and whoami against
moto with signature checking on."""

import json
import os

import harness
from common import moto_env, whoami_json

suite = harness.Suite("cli")


@suite.test
def test_version():
    r = harness.run_binary(["--version"])
    assert r.code == 0 and r.stdout.startswith("spot-connect "), r.describe()


@suite.test
def test_help_lists_commands_and_exit_codes():
    r = harness.run_binary(["--help"])
    assert r.code == 0, r.describe()
    for text in ("whoami", "Exit status", "130", "an answer is needed"):
        assert text in r.stdout, f"--help lacks {text!r}"


@suite.test
def test_whoami_help():
    r = harness.run_binary(["whoami", "--help"])
    assert r.code == 0 and "--profile" in r.stdout and "--ca-bundle" in r.stdout, r.describe()


@suite.test
def test_no_command_without_a_terminal_says_so():
    r = harness.run_binary([])
    assert r.code == 2 and "needs a terminal" in r.stderr and "connect" in r.stderr, r.describe()


def usage_case(args, expect):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], r.describe()


for args, expect in [
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["--frob"], "unknown option '--frob'"),
    (["whoami", "--frob"], "unknown option '--frob'"),
    (["whoami", "--profile"], "needs a value"),
    (["whoami", "extra"], "unexpected argument 'extra'"),
    (["whoami", "--timeout", "soon"], "--timeout takes a number of seconds"),
    (["whoami", "--timeout", "-1"], "--timeout takes a number of seconds"),
]:
    suite.add(f"usage error: {' '.join(args)}", usage_case, args, expect)


@suite.test
def test_whoami_against_moto_prints_identity():
    moto = harness.moto()
    r = harness.run_binary(["whoami"], env=moto_env())
    doc = whoami_json(r)
    assert doc["account"] == moto.account_id, doc
    assert doc["arn"] == f"arn:aws:iam::{moto.account_id}:user/admin", doc
    assert doc["partition"] == "aws" and doc["source"] == "env", doc
    assert doc["userId"], doc
    assert set(doc) == {"account", "arn", "userId", "partition", "source", "profile"}, doc
    harness.assert_no_secrets(r, {"secret key": moto.secret_access_key})


@suite.test
def test_wrong_secret_names_signature_does_not_match():
    moto = harness.moto()
    wrong = "x" * 40
    env = moto_env(AWS_SECRET_ACCESS_KEY=wrong)
    r = harness.run_binary(["whoami"], env=env)
    assert r.code == 1, r.describe()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "SignatureDoesNotMatch" in lines[0], r.describe()
    assert "secret access key" in lines[0], r.describe()
    assert r.stdout == "", r.describe()
    harness.assert_no_secrets(r, {"wrong secret": wrong, "secret key": moto.secret_access_key})


@suite.test
def test_unknown_key_names_invalid_client_token_id():
    env = moto_env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7NOTREAL")
    r = harness.run_binary(["whoami"], env=env)
    assert r.code == 1 and "InvalidClientTokenId" in r.stderr, r.describe()
    assert "HTTP 403" in r.stderr, r.describe()


@suite.test
def test_verbose_logs_each_call_without_secrets():
    moto = harness.moto()
    r = harness.run_binary(["whoami", "-v"], env=moto_env())
    assert r.code == 0, r.describe()
    assert "sts GetCallerIdentity POST" in r.stderr and "-> 200" in r.stderr, r.describe()
    assert " conn=new connect=" in r.stderr, r.describe()  # moto: plain HTTP, no TLS
    harness.assert_no_secrets(r, {"secret key": moto.secret_access_key})
    assert "Signature=" not in r.stderr and "Authorization" not in r.stderr, r.describe()


@suite.test
def test_no_credentials_gives_clear_reason():
    env = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    r = harness.run_binary(["whoami"], env=env)
    assert r.code == 1, r.describe()
    assert "aws configure" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.describe()


@suite.test
def test_unreachable_endpoint_is_one_line():
    env = moto_env(AWS_ENDPOINT_URL="http://127.0.0.1:9")
    r = harness.run_binary(["whoami"], env=env)
    assert r.code == 1 and "cannot connect" in r.stderr, r.describe()
    assert len(r.stderr.strip().splitlines()) == 1, r.describe()


@suite.test
def test_secrets_never_on_the_command_line():
    r = harness.run_binary(["whoami", "--secret-access-key", "abc"])
    assert r.code == 2, r.describe()


if __name__ == "__main__":
    harness.main(suite)
