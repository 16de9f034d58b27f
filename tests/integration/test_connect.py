"""The connect engine end to end: the real binary against moto (IAM/STS,
signatures checked) and the fake Spot API, which checks the role for real
in the same moto."""

import json
import os
import stat

import harness
from connect_env import (TOKEN, attached, connect, env, fresh, iam, policy_arn, policy_versions,
                         read_state, result, role_exists, role_trust, secrets, spot, state_file,
                         stop_peers)

suite = harness.Suite("connect")
T = {}


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def trust_external_id(role):
    st = role_trust(role)["Statement"][0]
    return st["Condition"]["StringEquals"]["sts:ExternalId"], st["Principal"]["AWS"]


@suite.test
def test_automatic_connects():
    r = connect(T)
    assert r.code == 0, r.describe()
    doc = result(r)
    assert doc["connected"] is True, doc
    acct = doc["spotAccountId"]
    assert spot().external_ids(acct) == [doc["externalId"]]
    ext, principal = trust_external_id(T["role"])
    assert ext == doc["externalId"] and principal == "arn:aws:iam::922761411349:root"
    arns = attached(T["role"])
    assert policy_arn(T) in arns and "arn:aws:iam::aws:policy/SecurityAudit" in arns, arns
    assert doc["roleArn"].endswith(":role/" + T["role"]) and doc["policyArn"] == policy_arn(T)
    assert spot().accounts[acct]["credentials"]["iamRole"] == doc["roleArn"]
    assert spot().token_leaks == []


@suite.test
def test_state_and_log_files_are_private_and_secret_free():
    r = connect(T)
    doc = result(r)
    for path in (doc["statePath"], doc["logPath"]):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, f"{path} has mode {mode:o}"
        with open(path) as f:
            text = f.read()
        harness.assert_no_secrets({path: text}, secrets())
    state = read_state(T)
    assert state["externalId"] == doc["externalId"] and state["step"] == "verified", state
    assert state["role"]["created"] and state["policy"]["created"], state
    with open(doc["logPath"]) as f:
        log = f.read()
    for call in ("iam CreateRole POST", "sts GetCallerIdentity", "spot setCredentials POST"):
        assert call in log, f"log lacks {call!r}"
    assert "request=" in log
    # Each call line ends with its connection; Spot's calls, the once-only
    # ones too, share one kept-alive TLS connection.
    calls = [line for line in log.splitlines() if " call " in line]
    assert all(" conn=" in line for line in calls), calls
    spot_new = [line for line in calls if " spot " in line and " conn=new " in line]
    assert len(spot_new) == 1 and " tls=full connect=" in spot_new[0], calls
    assert len({r.client for r in spot().requests}) == 1, [r.client for r in spot().requests]


@suite.test
def test_rerun_changes_nothing():
    first = result(connect(T))
    r = connect(T)
    again = result(r)
    assert again["externalId"] == first["externalId"] and again["connected"], again
    assert len(spot().accounts) == 1, spot().accounts
    assert spot().count_endpoint("generateExternalId") == 1
    assert spot().count_endpoint("createAccount") == 1
    assert len(policy_versions(T)) == 1
    assert "up to date" in r.stderr and "already trusts" in r.stderr, r.stderr


@suite.test
def test_changed_policy_becomes_a_new_version():
    connect(T)
    r = connect(T, "--bundles", "OceanEks,OceanAndElastigroupBasicActions")
    assert r.code == 0, r.describe()
    vs = policy_versions(T)
    assert len(vs) == 2 and [v["VersionId"] for v in vs if v["IsDefaultVersion"]] == ["v2"], vs
    assert read_state(T)["policy"]["versionsAdded"] == ["v2"]


@suite.test
def test_policy_versions_are_pruned_at_five():
    connect(T)
    for i in range(6):
        # Both keep OceanAndElastigroupBasicActions: Spot needs ec2:RunInstances.
        base = "OceanAndElastigroupBasicActions,"
        bundles = base + ("OceanEks" if i % 2 == 0 else "OceanEcs")
        r = connect(T, "--bundles", bundles)
        assert r.code == 0, r.describe()
    vs = policy_versions(T)
    assert len(vs) == 5, vs
    assert "deleting the oldest" in r.stderr


@suite.test
def test_existing_role_trust_is_updated():
    connect(T)
    old = trust_external_id(T["role"])[0]
    r = connect(T, "--fresh", "--rotate-external-id", "--spot-account-name", T["name"] + "-b")
    doc = result(r)
    assert doc["connected"] and doc["externalId"] != old, doc
    assert trust_external_id(T["role"])[0] == doc["externalId"]
    assert "now trusts Spot" in r.stderr, r.stderr


@suite.test
def test_reuses_spot_account_linked_to_the_aws_account():
    acct = spot().add_account("linked-before", aws_account_id=harness.moto().account_id)
    doc = result(connect(T))
    assert doc["spotAccountId"] == acct and doc["connected"], doc
    assert spot().count_endpoint("createAccount") == 0


@suite.test
def test_reuses_unconnected_account_of_the_name():
    acct = spot().add_account(T["name"])
    doc = result(connect(T))
    assert doc["spotAccountId"] == acct, doc
    assert spot().count_endpoint("createAccount") == 0


@suite.test
def test_spot_account_option():
    acct = spot().add_account("chosen")
    doc = result(connect(T, "--spot-account", acct))
    assert doc["spotAccountId"] == acct and doc["connected"], doc


@suite.test
def test_oversized_policy_file_that_cannot_be_split_is_refused_before_any_change():
    # One statement, one action, 120 resources: no split by statements or
    # by actions brings it under IAM's limit (test_split.py splits others).
    big = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Wide", "Effect": "Allow", "Action": "ec2:RunInstances",
         "Resource": [f"arn:aws:ec2:*:*:instance/{'x' * 40}{i}" for i in range(120)]}]}
    path = os.path.join(T["home"], "big.json")
    harness.write_file(path, json.dumps(big))
    r = connect(T, "--policy-file", path)
    assert r.code == 2 and "6144" in r.stderr.replace(",", ""), r.describe()
    assert "statement 1 (Wide)" in r.stderr and path in r.stderr, r.describe()
    assert len(spot().requests) == 0 and not role_exists(T["role"])
    assert not os.path.exists(state_file(T))


@suite.test
def test_no_security_audit():
    connect(T, "--no-security-audit")
    assert "arn:aws:iam::aws:policy/SecurityAudit" not in attached(T["role"])


# ---- manual and console ----

def make_role_by_hand(name, external_id, policy_name):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::922761411349:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}
    arn = iam().create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc))["Role"]["Arn"]
    pol = iam().create_policy(PolicyName=policy_name, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances",
                                                "Resource": "*"}]}))["Policy"]["Arn"]
    iam().attach_role_policy(RoleName=name, PolicyArn=pol)
    return arn


@suite.test
def test_manual_first_gives_external_id_then_connects_with_arn():
    r = connect(T, method="manual")
    assert r.code == 3 and "--role-arn" in r.stderr, r.describe()
    ext = result(r)["externalId"]
    # The next steps, with the commands that print what to paste.
    assert "spot-connect policy" in r.stderr and f"trust-policy --external-id {ext}" in r.stderr
    assert "922761411349" in r.stderr and "standard input" not in r.stderr, r.describe()
    assert ext and spot().external_ids(result(r)["spotAccountId"]) == [ext]
    arn = make_role_by_hand(T["role"], ext, T["policy"])
    r = connect(T, "--role-arn", arn, method="manual")
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["roleArn"] == arn, r.describe()
    assert doc["externalId"] == ext
    assert spot().count_endpoint("generateExternalId") == 1


@suite.test
def test_manual_without_aws_credentials():
    e = env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    r = connect(T, method="manual", env_=e)
    assert r.code == 3 and "--role-arn" in r.stderr, r.describe()


@suite.test
def test_console_method_without_a_token():
    r = connect(T, "--external-id", "spotinst:aws:extid:consoleABC123", method="console",
                env_=env(with_token=False))
    doc = result(r)
    assert r.code == 0 and doc["roleArn"].endswith(":role/" + T["role"]), r.describe()
    assert doc["connected"] is False and doc["spotAccountId"] is None, doc
    assert trust_external_id(T["role"])[0] == "spotinst:aws:extid:consoleABC123"
    assert len(spot().requests) == 0


@suite.test
def test_console_method_needs_external_id():
    r = connect(T, method="console", env_=env(with_token=False))
    assert r.code == 3 and "--external-id" in r.stderr, r.describe()


BAD_ARNS = [
    ("", "empty"),
    ("not-an-arn", "is not an ARN"),
    ("arn:aws:s3:::bucket/role", "is not an IAM ARN"),
    ("arn:aws:iam::12345:role/Spot-Role", "not 12 digits"),
    ("arn:aws:iam::{acct}:user/Spot-Role", "does not name a role"),
    ("arn:aws:iam::{acct}:role/", "empty role name"),
    ("arn:aws:iam:us-east-1:{acct}:role/Spot-Role", "has a region"),
    ("arn:aws-cn:iam::{acct}:role/Spot-Role", "partition"),
    ("arn:aws-moon:iam::{acct}:role/Spot-Role", "unknown partition"),
    ("arn:aws:iam::999999999999:role/Spot-Role", "your credentials are for"),
    ("arn:aws:iam::{acct}:role/bad name", "does not allow"),
]


def bad_arn(arn, reason):
    arn = arn.format(acct=harness.moto().account_id)
    r = connect(T, "--role-arn", arn, method="manual")
    assert r.code == 2, r.describe()
    assert reason in r.stderr and len(r.stderr.strip().splitlines()) >= 1, r.describe()
    assert spot().count_endpoint("setCredentials") == 0


for arn, reason in BAD_ARNS:
    suite.add(f"bad role ARN {arn or '(empty)'!r}: {reason}", bad_arn, arn, reason)


@suite.test
def test_govcloud_needs_spot_principal():
    r = connect(T, "--partition", "aws-us-gov")
    assert r.code == 2 and "--spot-principal" in r.stderr, r.describe()
    assert len(spot().requests) == 0


@suite.test
def test_china_refuses_bundles():
    r = connect(T, "--partition", "aws-cn", "--spot-principal", "123456789012",
                "--bundles", "OceanEks")
    assert r.code == 2 and "cannot be customised" in r.stderr, r.describe()


@suite.test
def test_partition_must_match_credentials():
    r = connect(T, "--partition", "aws-cn", "--spot-principal", "123456789012")
    assert r.code == 2 and "credentials are for partition aws" in r.stderr, r.describe()


# ---- Spot failures ----

@suite.test
def test_spot_500_once_is_retried():
    spot().set_mode("http500", times=1, endpoint="listAccounts")
    r = connect(T)
    assert r.code == 0 and result(r)["connected"], r.describe()


@suite.test
def test_spot_429_is_retried():
    spot().set_mode("http429", times=2, endpoint="setCredentials")
    r = connect(T)
    assert r.code == 0 and result(r)["connected"], r.describe()


@suite.test
def test_spot_500_always_is_a_clear_failure():
    spot().set_mode("http500", times=None, endpoint="generateExternalId")
    r = connect(T)
    assert r.code == 1, r.describe()
    line = r.stderr.strip().splitlines()[-1]
    assert "HTTP 500" in line and "request" in line, line
    assert not role_exists(T["role"]), "no AWS change before the External ID is saved"


@suite.test
def test_bad_token_is_a_clear_failure():
    r = connect(T, env_=env(SPOTINST_TOKEN="wrong-token-value"))
    assert r.code == 1, r.describe()
    line = r.stderr.strip().splitlines()[-1]
    assert "401" in line and "token" in line.lower(), line
    harness.assert_no_secrets(r, {"wrong token": "wrong-token-value"})


@suite.test
def test_no_token_is_a_missing_answer():
    r = connect(T, env_=env(with_token=False))
    assert r.code == 3 and "SPOTINST_TOKEN" in r.stderr, r.describe()


@suite.test
def test_token_file_option():
    path = os.path.join(T["home"], "token")
    harness.write_file(path, TOKEN + "\n")
    r = connect(T, "--token-file", path, env_=env(with_token=False))
    assert r.code == 0 and result(r)["connected"], r.describe()


@suite.test
def test_no_terminal_and_no_yes_is_a_missing_answer():
    r = harness.run_binary(["connect", "--role-name", T["role"]], env=env(), home=T["home"])
    assert r.code == 3 and "--yes" in r.stderr, r.describe()
    assert len(spot().requests) == 0


# ---- propagation ----

def propagation(delay):
    spot().propagation_delay = delay
    r = connect(T, "--wait", "60")
    assert r.code == 0 and result(r)["connected"], r.describe()
    if delay:
        assert "waiting for IAM to propagate" in r.stderr, r.stderr
    # How soon after the delay it connected is bench/connect.py's figure.
    harness.note(f"propagation delay {delay}s: connected after {r.seconds:.1f}s")


for d in (0, 8, 30):
    suite.add(f"propagation delay {d}s", propagation, d)


@suite.test
def test_propagation_past_wait_gives_up_clearly():
    spot().propagation_delay = 60
    r = connect(T, "--wait", "3")
    assert r.code == 1 and "raise --wait" in r.stderr and "CANT_ASSUME_ROLE" in r.stderr, \
        r.describe()
    doc = read_state(T)
    assert doc["externalId"] and doc["step"] == "attached", doc
    spot().propagation_delay = 0
    again = result(connect(T))
    assert again["connected"] and again["externalId"] == doc["externalId"]


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
