"""The preflight (issue 8, section 1): before the role is handed to Spot it
is checked in IAM, so a typo or a missing policy stops at once with its fix
instead of looking like IAM propagation; Spot's own 5xx answers at the last
step are waited out until --wait; a role Spot refused never replaces the one
it uses in the state."""

import json
import os
import re

import harness
from connect_env import (attached, connect, env, fresh, iam, read_state, result, role_exists,
                         spot, state_file, stop_peers)

suite = harness.Suite("preflight")
T = {}


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def trust_doc(external_id):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::922761411349:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}


def make_role(name, external_id, policy=True):
    arn = iam().create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        trust_doc(external_id)))["Role"]["Arn"]
    if policy:
        pol = iam().create_policy(PolicyName=name + "-pol", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*",
                                                    "Resource": "*"}]}))["Policy"]["Arn"]
        iam().attach_role_policy(RoleName=name, PolicyArn=pol)
    return arn


def manual_external_id():
    """The manual path's first run: the Spot account and its External ID."""
    r = connect(T, method="manual")
    assert r.code == 3, r.describe()
    return result(r)["externalId"]


def manual(arn, *args, env_=None):
    return connect(T, "--role-arn", arn, *args, method="manual", env_=env_)


def assert_stopped_before_spot(r):
    assert r.code == 2, r.describe()
    assert spot().count_endpoint("setCredentials") == 0, spot().endpoints()
    assert "waiting for IAM to propagate" not in r.stderr, r.stderr
    harness.note(f"stopped after {r.seconds:.1f}s")


@suite.test
def test_mistyped_role_name_stops_at_once_naming_the_roles_that_trust_spot():
    ext = manual_external_id()
    arn = make_role(T["role"], ext)
    typo = arn[:-1]
    r = manual(typo)
    assert_stopped_before_spot(r)
    acct = harness.moto().account_id
    line = r.stderr.strip().splitlines()[-1]
    want = f"role {T['role'][:-1]} does not exist in {acct}"
    assert want in line, line
    m = re.search(r"roles that trust Spot here: ([^;(]*)", line)
    assert m and T["role"] in m.group(1), line
    assert read_state(T)["role"].get("arn") is None, read_state(T)


@suite.test
def test_role_trusting_another_external_id_stops_at_once():
    manual_external_id()
    arn = make_role(T["role"], "spotinst:aws:extid:someoneelses01")
    r = manual(arn)
    assert_stopped_before_spot(r)
    assert "trusts External ID spotinst:aws:extid:someoneelses01, not the current" in r.stderr, \
        r.describe()
    assert "trust-policy --external-id" in r.stderr


@suite.test
def test_role_trusting_someone_else_stops_at_once():
    ext = manual_external_id()
    doc = trust_doc(ext)
    doc["Statement"][0]["Principal"]["AWS"] = "arn:aws:iam::111111111111:root"
    arn = iam().create_role(RoleName=T["role"],
                            AssumeRolePolicyDocument=json.dumps(doc))["Role"]["Arn"]
    r = manual(arn)
    assert_stopped_before_spot(r)
    assert "does not let Spot (arn:aws:iam::922761411349:root)" in r.stderr, r.describe()


@suite.test
def test_role_without_the_spot_policy_stops_at_once():
    ext = manual_external_id()
    arn = make_role(T["role"], ext, policy=False)
    iam().attach_role_policy(RoleName=T["role"],
                             PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    r = manual(arn)
    assert_stopped_before_spot(r)
    assert "allows ec2:RunInstances" in r.stderr, r.describe()


@suite.test
def test_automatic_without_the_core_bundle_is_refused_before_any_change():
    r = connect(T, "--bundles", "OceanEks")
    assert r.code == 2 and "ec2:RunInstances" in r.stderr, r.describe()
    assert "OceanAndElastigroupBasicActions" in r.stderr
    assert len(spot().requests) == 0 and not role_exists(T["role"])


@suite.test
def test_good_manual_role_passes_the_check_and_connects():
    ext = manual_external_id()
    arn = make_role(T["role"], ext)
    r = manual(arn)
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["roleCheckSkipped"] is False, r.describe()
    assert "trusts Spot with External ID" in r.stderr, r.stderr


@suite.test
def test_without_aws_credentials_the_check_is_skipped_and_said_so():
    ext = manual_external_id()
    arn = make_role(T["role"], ext)
    e = env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    r = manual(arn, "--state", state_file(T), env_=e)
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["roleCheckSkipped"] is True, r.describe()
    assert "role check skipped: no AWS credentials" in r.stderr, r.stderr


@suite.test
def test_four_5xx_answers_on_set_credentials_still_connect():
    spot().set_mode("http500", times=4, endpoint="setCredentials")
    r = connect(T)
    assert r.code == 0 and result(r)["connected"], r.describe()
    answers = [q.status for q in spot().requests if q.endpoint == "setCredentials"]
    assert answers[:4] == [500] * 4 and answers[-1] == 200, answers
    assert "trying again until the --wait deadline" in r.stderr, r.stderr


@suite.test
def test_connection_failures_on_set_credentials_are_waited_out():
    spot().set_plan([("reset", {"endpoint": "setCredentials"})] * 4)
    r = connect(T)
    assert r.code == 0 and result(r)["connected"], r.describe()


@suite.test
def test_5xx_past_the_wait_is_a_clear_failure():
    spot().set_mode("http500", times=None, endpoint="setCredentials")
    r = connect(T, "--wait", "2")
    assert r.code == 1 and "HTTP 500" in r.stderr, r.describe()
    assert read_state(T)["step"] == "attached"


@suite.test
def test_a_refused_role_never_replaces_the_working_one():
    first = result(connect(T))
    working = first["roleArn"]
    other = make_role(T["role"] + "-b", first["externalId"])
    spot().propagation_delay = 600      # Spot cannot assume the new role yet
    r = manual(other, "--wait", "1")
    assert r.code == 1 and "CANT_ASSUME_ROLE" in r.stderr, r.describe()
    assert read_state(T)["role"]["arn"] == working, read_state(T)
    assert spot().accounts[first["spotAccountId"]]["credentials"]["iamRole"] == working
    s = harness.run_binary(["status"], env=env(), home=T["home"])
    doc = json.loads(s.stdout)
    assert s.code == 0 and doc["connected"] is True and doc["roleArn"] == working, s.describe()


@suite.test
def test_fresh_automatic_connect_makes_no_more_calls_than_before():
    doc = result(connect(T))
    assert doc["connected"], doc
    with open(doc["logPath"]) as f:
        calls = [line for line in f if " call " in line]
    # Issue 7's main made 14 (sts 1, Spot 6, IAM 7): the preflight is free here.
    assert len(calls) <= 14, "".join(calls)
    assert not any(c for c in calls if "ListRoles" in c or "GetPolicyVersion" in c), calls


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
