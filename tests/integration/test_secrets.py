"""Secrets and files (issue 7 section 4): no token on the command line and no
option abbreviations, no core dumps, private state and log files, the
External ID kept when its save fails, https for Spot, and MFA codes never
sent twice."""

import os

import harness

suite = harness.Suite("secrets")

TOKEN = "tok-Secret-0123456789abcdef"
TOKEN_REFUSED = "a token is never accepted on the command line; use --token-file or SPOTINST_TOKEN"

# ---- the command line ----


def token_refused(args):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert TOKEN_REFUSED in r.stderr, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()
    assert len(r.stderr.strip().splitlines()) == 1, r.describe()


for cmd in (["status"], ["connect"], ["disconnect"], ["plan"], []):
    for form in (["--token", TOKEN], ["--token=" + TOKEN], ["--spot-token=" + TOKEN],
                 ["--spot-token", TOKEN]):
        suite.add(f"token refused: {' '.join(cmd + form[:1])}", token_refused, cmd + form)


def abbreviation_refused(args, name):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert f"unknown option '{name}'" in r.stderr, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()


for args, name in [
    (["status", "--token-f=" + TOKEN], "--token-f"),
    (["status", "--tok", TOKEN], "--tok"),
    (["connect", "--external=" + TOKEN], "--external"),
    (["whoami", "--prof", TOKEN], "--prof"),
    (["trust-policy", "--ext=" + TOKEN], "--ext"),
    (["policy", "--part=" + TOKEN], "--part"),
    (["--token-f=" + TOKEN], "--token-f"),
]:
    suite.add(f"abbreviation refused: {args[0]} {name}", abbreviation_refused, args, name)


def value_not_echoed(args):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()


for args in (["whoami", "--timeout=" + TOKEN], ["connect", "--method=" + TOKEN],
             ["connect", "--wait=" + TOKEN], ["policy", "--partition=" + TOKEN],
             ["connect", "--yes=" + TOKEN], ["status", "--bogus=" + TOKEN],
             ["--bogus=" + TOKEN], ["--no-color=" + TOKEN]):
    suite.add(f"usage error quotes no value: {' '.join(args)[:40]}", value_not_echoed, args)


@suite.test
def test_full_option_names_still_work():
    r = harness.run_binary(["policy", "--partition=aws", "--compact"])
    assert r.code == 0 and r.stdout.startswith("{"), r.describe()
    r = harness.run_binary(["trust-policy", "--external-id", "abc-123"])
    assert r.code == 0 and "abc-123" in r.stdout, r.describe()


if __name__ == "__main__":
    harness.main(suite)
