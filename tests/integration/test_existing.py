"""An account that is already connected stays connected (issue 8, section
2): without a state file the link is found through Spot and the role
through IAM, its External ID adopted and nothing changed; a new External ID
only with --rotate-external-id; a saved ID past Spot's maxValidUntil is
replaced; status finds the connection through Spot and checks the role."""

import json
import os

import harness
from connect_env import (attached, connect, env, fresh, iam, policy_arn, policy_versions,
                         read_state, result, role_trust, spot, state_file, stop_peers)

suite = harness.Suite("existing")
T = {}

WRITES = ("CreatePolicy", "CreatePolicyVersion", "CreateRole", "UpdateAssumeRolePolicy",
          "AttachRolePolicy", "setCredentials", "generateExternalId", "createAccount")


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def trusted_id(role):
    return role_trust(role)["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"]


def log_calls(doc):
    with open(doc["logPath"]) as f:
        return [line for line in f if " call " in line]


def new_home():
    """Another jump host, a colleague, a lost home directory."""
    T["home"] = harness.tempdir("home-")


def status(*args):
    r = harness.run_binary(["status", *args], env=env(), home=T["home"])
    assert r.stdout.strip(), r.describe()
    return r, json.loads(r.stdout)


@suite.test
def test_rerun_from_an_empty_state_dir_adopts_and_changes_nothing():
    first = result(connect(T))
    new_home()
    r = connect(T)
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["alreadyConnected"] is True, r.describe()
    assert doc["externalId"] == first["externalId"] and doc["roleArn"] == first["roleArn"], doc
    assert doc["policyArn"] == first["policyArn"] == policy_arn(T), doc   # found in IAM
    assert spot().count_endpoint("generateExternalId") == 1
    calls = log_calls(doc)
    written = [c for c in calls if any(f" {w} " in c for w in WRITES)]
    assert written == [], written
    assert trusted_id(T["role"]) == first["externalId"] and len(policy_versions(T)) == 1
    assert "already connected" in r.stderr, r.stderr
    assert read_state(T)["externalId"] == first["externalId"]


@suite.test
def test_rerun_with_fresh_adopts_too():
    first = result(connect(T))
    doc = result(connect(T, "--fresh"))
    assert doc["alreadyConnected"] and doc["externalId"] == first["externalId"], doc
    assert spot().count_endpoint("generateExternalId") == 1


@suite.test
def test_adoption_with_a_broken_policy_repairs_with_the_same_external_id():
    first = result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    new_home()
    r = connect(T)
    doc = result(r)
    assert r.code == 0 and doc["connected"] and not doc["alreadyConnected"], r.describe()
    assert doc["externalId"] == first["externalId"], doc
    assert spot().count_endpoint("generateExternalId") == 1
    assert policy_arn(T) in attached(T["role"])
    assert "needs repair" in r.stderr, r.stderr


@suite.test
def test_manual_adoption_of_a_broken_link_keeps_the_id_and_checks_again_before_spot():
    first = result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    new_home()
    r = connect(T, method="manual")              # the manual path's first run
    doc = result(r)
    assert r.code == 3 and doc["externalId"] == first["externalId"], r.describe()
    assert "needs repair" in r.stderr and "allows ec2:RunInstances" in r.stderr, r.stderr
    assert "--role-arn" in r.stderr, r.stderr
    r = connect(T, "--role-arn", first["roleArn"], method="manual")
    assert r.code == 2 and "allows ec2:RunInstances" in r.stderr, r.describe()
    assert spot().count_endpoint("generateExternalId") == 1
    iam().attach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    r = connect(T, "--role-arn", first["roleArn"], method="manual")
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["externalId"] == first["externalId"], \
        r.describe()


@suite.test
def test_the_linked_account_given_by_id_is_adopted_not_given_a_new_external_id():
    # The wizard passes the Spot account the operator picked as --spot-account.
    first = result(connect(T))
    new_home()
    r = connect(T, "--spot-account", first["spotAccountId"])
    doc = result(r)
    assert r.code == 0 and doc["alreadyConnected"] is True, r.describe()
    assert doc["externalId"] == first["externalId"], doc
    assert spot().count_endpoint("generateExternalId") == 1
    assert trusted_id(T["role"]) == first["externalId"]


@suite.test
def test_rotate_external_id_updates_the_trust_before_spot_gets_the_role():
    first = result(connect(T))
    r = connect(T, "--rotate-external-id")
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    assert doc["externalId"] != first["externalId"]
    assert spot().external_ids(doc["spotAccountId"]) == [first["externalId"], doc["externalId"]]
    assert trusted_id(T["role"]) == doc["externalId"]
    assert "--rotate-external-id" in r.stderr, r.stderr


@suite.test
def test_rotate_from_an_empty_state_dir_keeps_the_linked_role():
    first = result(connect(T))
    new_home()
    r = connect(T, "--rotate-external-id")
    doc = result(r)
    assert doc["connected"] and doc["externalId"] != first["externalId"], doc
    assert "--rotate-external-id" in r.stderr and "already connected" not in r.stderr, r.stderr
    assert doc["roleArn"] == first["roleArn"] and trusted_id(T["role"]) == doc["externalId"]


@suite.test
def test_linked_account_without_aws_credentials_is_not_broken():
    result(connect(T))
    new_home()
    e = env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    path = os.path.join(T["home"], "s.json")
    r = connect(T, "--state", path, "--role-arn",
                f"arn:aws:iam::{harness.moto().account_id}:role/{T['role']}", method="manual",
                env_=e)
    # Without IAM access the trust cannot be read: no new External ID may break it.
    assert r.code == 3 and "already connected with role" in r.stderr, r.describe()
    assert "--rotate-external-id" in r.stderr
    assert spot().count_endpoint("generateExternalId") == 1


def expire_saved_id():
    path = state_file(T)
    with open(path) as f:
        doc = json.load(f)
    assert doc.get("externalIdMaxValidUntil"), doc
    doc["externalIdMaxValidUntil"] = "2020-01-01T00:00:00.000Z"
    with open(path, "w") as f:
        json.dump(doc, f)


@suite.test
def test_saved_external_id_past_max_valid_until_is_replaced_with_a_reason():
    r = connect(T, method="manual")
    old = result(r)["externalId"]
    expire_saved_id()
    r = connect(T)
    doc = result(r)
    assert r.code == 0 and doc["connected"] and doc["externalId"] != old, r.describe()
    assert "expired at 2020-01-01" in r.stderr, r.stderr
    assert trusted_id(T["role"]) == doc["externalId"]


@suite.test
def test_saved_external_id_still_valid_is_kept():
    r = connect(T, method="manual")
    old = result(r)["externalId"]
    assert read_state(T)["externalIdMaxValidUntil"]
    doc = result(connect(T))
    assert doc["connected"] and doc["externalId"] == old, doc
    assert spot().count_endpoint("generateExternalId") == 1


@suite.test
def test_status_finds_the_connection_through_spot_and_checks_the_role():
    first = result(connect(T))
    new_home()
    r, doc = status()
    assert r.code == 0 and doc["connected"] is True and doc["foundThroughSpot"] is True, \
        r.describe()
    assert doc["spotAccountId"] == first["spotAccountId"], doc
    assert doc["spotRoleArn"] == first["roleArn"] and doc["roleHealth"] == "ok", doc
    assert doc["externalId"] == first["externalId"], doc
    assert doc["policyArn"] == first["policyArn"], doc


@suite.test
def test_status_reports_what_is_wrong_with_the_role():
    result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    r, doc = status()
    # Connected, but drifted (issue 9): exit 4, the detached policy named.
    assert r.code == 4 and "ec2:RunInstances" in doc["roleHealth"], doc
    assert doc["verdict"] == "drifted" and doc["drift"]["drifted"], doc


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
