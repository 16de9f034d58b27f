"""plan, status and disconnect against moto and the fake Spot."""

import json
import os

import harness
from connect_env import (attached, connect, env, fresh, iam, names_args, policy_arn, result, role_exists,
                         secrets, spot, state_file, stop_peers)
from test_connect import make_role_by_hand

suite = harness.Suite("manage")
T = {}


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def run(args, env_=None):
    r = harness.run_binary(args, env=env_ or env(), home=T["home"], timeout=120)
    harness.assert_no_secrets(r, secrets())
    return r


# ---- plan ----

@suite.test
def test_plan_reads_but_never_writes():
    r = run(["plan", *names_args(T)])
    assert r.code == 0, r.describe()
    out = r.stdout
    for call in ("read  sts GetCallerIdentity", "read  spot listAccounts",
                 "write spot POST /setup/account", "write spot POST /setup/credentials/aws/externalId",
                 "write iam CreatePolicy", "write iam CreateRole", "write iam AttachRolePolicy",
                 "write spot POST /setup/credentials/aws?accountId="):
        assert call in out, f"plan lacks {call!r}:\n{out}"
    assert '"Statement"' in out and "sts:ExternalId" in out
    assert spot().count_endpoint("createAccount") == 0
    assert spot().count_endpoint("generateExternalId") == 0
    assert not role_exists(T["role"])
    assert not os.path.exists(state_file(T)), "plan must not write a state file"


@suite.test
def test_plan_after_connect_lists_no_creates():
    connect(T)
    r = run(["plan", *names_args(T)])
    assert r.code == 0, r.describe()
    writes = [line for line in r.stdout.splitlines() if ". write " in line]
    # Converged, and Spot uses the role: nothing is left to write.
    assert writes == [], r.stdout
    assert "read  spot readCredentials" in r.stdout, r.stdout


# ---- status ----

@suite.test
def test_status_after_connect():
    doc = result(connect(T))
    r = run(["status"])
    st = json.loads(r.stdout)
    assert r.code == 0 and st["connected"] and st["checkedWithSpot"], r.describe()
    assert st["spotRoleArn"] == doc["roleArn"] and st["externalId"] == doc["externalId"], st


@suite.test
def test_status_without_token_uses_the_state():
    connect(T)
    r = run(["status"], env_=env(with_token=False))
    st = json.loads(r.stdout)
    assert r.code == 0 and st["checkedWithSpot"] is False and st["connected"], st


@suite.test
def test_status_sees_a_role_changed_in_spot():
    doc = result(connect(T))
    spot().set_mode("error", times=None, endpoint="readCredentials", status=400,
                    code="Account_DOESNT_EXIST", message="Account does not exist")
    r = run(["status"])
    assert r.code == 1 and "Account_DOESNT_EXIST" in r.stderr, r.describe()
    spot().clear()
    assert doc["connected"]


@suite.test
def test_status_without_a_connection():
    r = run(["status"])
    assert r.code == 2 and "connect" in r.stderr, r.describe()


# ---- disconnect ----

@suite.test
def test_disconnect_removes_what_it_created():
    doc = result(connect(T))
    r = run(["disconnect", "--yes"])
    out = json.loads(r.stdout)
    assert r.code == 0, r.describe()
    assert not role_exists(T["role"])
    client = iam()
    try:
        client.get_policy(PolicyArn=policy_arn(T))
        raise AssertionError("policy still there")
    except client.exceptions.NoSuchEntityException:
        pass
    assert any("Spot account" in k and "--delete-spot-account" in k for k in out["kept"]), out
    assert doc["spotAccountId"] in spot().accounts
    assert os.path.exists(state_file(T)), "the Spot account is still recorded"


@suite.test
def test_disconnect_with_spot_account():
    doc = result(connect(T))
    r = run(["disconnect", "--yes", "--delete-spot-account"])
    assert r.code == 0, r.describe()
    assert doc["spotAccountId"] not in spot().accounts
    assert not os.path.exists(state_file(T))


@suite.test
def test_disconnect_refuses_a_spot_account_it_did_not_create():
    acct = spot().add_account("existing")
    connect(T, "--spot-account", acct)
    r = run(["disconnect", "--yes", "--delete-spot-account"])
    assert r.code == 2 and "refusing" in r.stderr and acct in r.stderr, r.describe()
    assert role_exists(T["role"]), "nothing may change when the request is refused"
    assert acct in spot().accounts


@suite.test
def test_disconnect_keeps_a_role_made_by_hand():
    r = connect(T, method="manual")
    ext = result(r)["externalId"]
    arn = make_role_by_hand(T["role"], ext, T["policy"])
    doc = result(connect(T, "--role-arn", arn, method="manual"))
    assert doc["policyArn"] == policy_arn(T), doc     # found by the role check
    r = run(["disconnect", "--yes"])
    out = json.loads(r.stdout)
    assert r.code == 0 and role_exists(T["role"]), r.describe()
    assert attached(T["role"]) == [policy_arn(T)], out  # recorded, never ours to remove
    assert any("not created by spot-connect" in k for k in out["kept"]), out


@suite.test
def test_disconnect_keeps_a_role_with_foreign_policies():
    connect(T)
    iam().attach_role_policy(RoleName=T["role"], PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    r = run(["disconnect", "--yes"])
    out = json.loads(r.stdout)
    assert r.code == 0 and role_exists(T["role"]), r.describe()
    assert any("other policies" in k for k in out["kept"]), out


@suite.test
def test_disconnect_needs_yes_without_terminal():
    connect(T)
    r = run(["disconnect"])
    assert r.code == 3 and "--yes" in r.stderr and role_exists(T["role"]), r.describe()


@suite.test
def test_disconnect_without_a_connection():
    r = run(["disconnect", "--yes"])
    assert r.code == 0, r.describe()
    out = json.loads(r.stdout)
    assert out["removed"] == [] and "only what it created" in out["kept"][0], out


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
