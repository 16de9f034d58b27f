"""Drift and update (issue 9, section 4): after connect, a changed trust
(External ID, principal), a detached policy (and a detached part of a split
one), a new default policy version with a statement removed, a removed
boundary and changed tags are each reported by `status` (the item, what
differs, exit status 4) and shown by `plan` and `update --dry-run` as the
calls update makes; `update` fixes them (status back to 0), says what it
changed, and a second update changes nothing. update never generates an
External ID, never creates a Spot account, and writes to Spot only when
Spot no longer uses the role. Against moto and the fake Spot."""

import json
import os

import harness
from connect_env import (attached, connect, env, fresh, iam, names_args, policy_arn,
                         policy_versions, read_state, result, role_trust, secrets, spot,
                         state_file, stop_peers)

suite = harness.Suite("drift")
T = {}
ASSET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets",
                     "spot-policy.json")
AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
SPOT_WRITES = ("setCredentials", "generateExternalId", "createAccount")


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def run(args, env_=None):
    r = harness.run_binary(args, env=env_ or env(), home=T["home"], timeout=180)
    harness.assert_no_secrets(r, secrets())
    return r


def status():
    r = run(["status", "--json"])
    assert r.stdout.strip(), r.describe()
    return r, json.loads(r.stdout)


def items(doc, status_="differs"):
    return [i for i in doc["drift"]["items"] if i["status"] == status_]


def spot_writes():
    return {e: spot().count_endpoint(e) for e in SPOT_WRITES}


def update(*args):
    r = run(["update", "--yes", *args])
    assert r.stdout.strip(), r.describe()
    return r, json.loads(r.stdout)


def in_line():
    r, doc = status()
    assert r.code == 0 and doc["verdict"] == "in line", r.describe()
    assert doc["drift"]["checked"] and doc["drift"]["drifted"] is False, doc["drift"]
    assert items(doc) == [], doc["drift"]
    return doc


def fixed_by_update(kind, name):
    """update changes exactly the drifted item, writes nothing to Spot, and
    a second update changes nothing."""
    before = spot_writes()
    r, out = update()
    assert r.code == 0, r.describe()
    assert any(c.startswith(f"{kind} {name}:") for c in out["changed"]), out
    assert f"update: changed {kind} {name}:" in r.stderr, r.stderr
    assert spot_writes() == before, (spot_writes(), before)
    in_line()
    r, again = update()
    assert r.code == 0 and again["changed"] == [], r.describe()
    assert "nothing to change" in r.stderr, r.stderr
    assert spot_writes() == before


def writes(out):
    """The plan's write lines, each with its body (the next line) when it has one."""
    lines = out.splitlines()
    found = []
    for i, line in enumerate(lines):
        if ". write " in line:
            body = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("   ") else ""
            found.append(line + body)
    return found


def plan_writes(*connect_args):
    r = run(["plan", *names_args(T), *connect_args])
    assert r.code == 0, r.describe()
    return writes(r.stdout)


def update_plan():
    r = run(["update", "--dry-run"])
    assert r.code == 0, r.describe()
    return writes(r.stdout)


def trust_with(external_id, principal=None):
    doc = role_trust(T["role"])
    st = doc["Statement"][0]
    st["Condition"]["StringEquals"]["sts:ExternalId"] = external_id
    if principal:
        st["Principal"]["AWS"] = principal
    iam().update_assume_role_policy(RoleName=T["role"], PolicyDocument=json.dumps(doc))


def default_document(arn):
    p = iam().get_policy(PolicyArn=arn)["Policy"]
    v = iam().get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])
    d = v["PolicyVersion"]["Document"]
    return d if isinstance(d, dict) else json.loads(d)


# ---- in line ----

@suite.test
def test_status_after_connect_is_in_line():
    doc = result(connect(T))
    st = in_line()
    kinds = sorted({(i["item"], i["name"]) for i in st["drift"]["items"]})
    assert ("trust", T["role"]) in kinds and ("policy", T["policy"]) in kinds, kinds
    assert ("attachment", T["policy"]) in kinds and ("attachment", "SecurityAudit") in kinds
    assert st["connected"] and st["roleArn"] == doc["roleArn"], st
    assert plan_writes() == [l for l in plan_writes() if "/setup/credentials/aws" in l]
    assert update_plan() == []


# ---- trust ----

@suite.test
def test_changed_external_id_is_reported_and_fixed():
    doc = result(connect(T))
    trust_with("spotinst:aws:extid:someone-else")
    r, st = status()
    assert r.code == 4 and st["verdict"] == "drifted", r.describe()
    bad = items(st)
    assert [(i["item"], i["name"]) for i in bad] == [("trust", T["role"])], bad
    assert "someone-else" in bad[0]["difference"] and doc["externalId"] in bad[0]["difference"]
    assert f"trust {T['role']}: trusts External ID" in r.stderr, r.stderr
    assert "spot-connect update" in r.stderr, r.stderr
    assert any("UpdateAssumeRolePolicy" in w for w in plan_writes()), plan_writes()
    assert [w for w in update_plan() if "UpdateAssumeRolePolicy" in w], update_plan()
    generated = spot().count_endpoint("generateExternalId")
    fixed_by_update("trust", T["role"])
    trust = role_trust(T["role"])["Statement"][0]
    assert trust["Condition"]["StringEquals"]["sts:ExternalId"] == doc["externalId"], trust
    assert spot().count_endpoint("generateExternalId") == generated == 1
    assert read_state(T)["externalId"] == doc["externalId"]


@suite.test
def test_changed_principal_is_reported_and_fixed():
    result(connect(T))
    me = f"arn:aws:iam::{harness.moto().account_id}:root"
    trust_with(read_state(T)["externalId"], principal=me)
    r, st = status()
    assert r.code == 4, r.describe()
    bad = items(st)
    assert bad and bad[0]["item"] == "trust" and "principal" in bad[0]["difference"], bad
    fixed_by_update("trust", T["role"])
    assert role_trust(T["role"])["Statement"][0]["Principal"]["AWS"].endswith(":922761411349:root")


# ---- attachments ----

@suite.test
def test_detached_policy_is_reported_and_fixed():
    result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    r, st = status()
    assert r.code == 4, r.describe()
    bad = items(st)
    assert ("attachment", T["policy"]) in [(i["item"], i["name"]) for i in bad], bad
    assert "is not attached" in r.stderr, r.stderr
    assert any("AttachRolePolicy" in w and policy_arn(T) in w for w in plan_writes())
    assert any("AttachRolePolicy" in w for w in update_plan()), update_plan()
    fixed_by_update("attachment", T["policy"])
    assert policy_arn(T) in attached(T["role"])


@suite.test
def test_detached_security_audit_is_reported_and_fixed():
    result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=AUDIT)
    r, st = status()
    assert r.code == 4 and [i["name"] for i in items(st)] == ["SecurityAudit"], r.describe()
    fixed_by_update("attachment", "SecurityAudit")
    assert AUDIT in attached(T["role"])


def big_policy_file():
    with open(ASSET, encoding="utf-8") as f:
        doc = json.load(f)
    for i in range(32):
        doc["Statement"].append({
            "Sid": f"Extra{i}", "Effect": "Allow",
            "Action": [f"ec2:DescribeSomething{k}Of{i}" for k in range(10 + i % 7)],
            "Resource": "*"})
    return harness.write_file(os.path.join(T["home"], "big.json"), json.dumps(doc, indent=2))


@suite.test
def test_detached_part_of_a_split_policy_is_reported_and_fixed():
    path = big_policy_file()
    doc = result(connect(T, "--policy-file", path))
    assert len(doc["policyArns"]) >= 3, doc
    second = doc["policyArns"][1]
    in_line()
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=second)
    r, st = status()
    assert r.code == 4, r.describe()
    assert [(i["item"], i["name"]) for i in items(st)] == \
        [("attachment", T["policy"] + "-2")], items(st)
    assert any("AttachRolePolicy" in w and second in w for w in update_plan())
    fixed_by_update("attachment", T["policy"] + "-2")
    assert second in attached(T["role"])


# ---- policy documents ----

@suite.test
def test_new_default_version_without_a_statement_is_reported_and_fixed():
    result(connect(T))
    arn = policy_arn(T)
    want = default_document(arn)
    gone = want["Statement"][1]["Sid"]
    # Four versions more: IAM's five, so update must delete the oldest.
    for i in range(3):
        iam().create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(want))
    cut = dict(want, Statement=[s for s in want["Statement"] if s.get("Sid") != gone])
    changed = json.loads(json.dumps(want["Statement"][0]))
    changed["Action"] = ["ec2:RunInstances"]
    cut["Statement"][0] = changed
    cut["Statement"].append({"Sid": "Mine", "Effect": "Allow", "Action": "s3:*",
                             "Resource": "*"})
    iam().create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(cut), SetAsDefault=True)
    assert len(policy_versions(T)) == 5
    r, st = status()
    assert r.code == 4, r.describe()
    bad = items(st)
    assert [(i["item"], i["name"]) for i in bad] == [("policy", T["policy"])], bad
    assert bad[0]["missing"] == [gone] and bad[0]["extra"] == ["Mine"], bad
    assert bad[0]["changed"] == [want["Statement"][0]["Sid"]], bad
    assert f"statements missing: {gone}" in r.stderr, r.stderr
    planned = update_plan()
    assert any("DeletePolicyVersion" in w for w in planned), planned
    assert any("CreatePolicyVersion" in w for w in planned), planned
    assert any("CreatePolicyVersion" in w for w in plan_writes()), plan_writes()
    fixed_by_update("policy", T["policy"])
    assert default_document(arn) == want
    assert len(policy_versions(T)) == 5


# ---- boundary and tags ----

def boundary(name):
    doc = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    return iam().create_policy(PolicyName=f"{name}-{T['role']}",
                               PolicyDocument=doc)["Policy"]["Arn"]


@suite.test
def test_boundary_and_tags_drift_is_reported_and_fixed():
    b = boundary("Boundary")
    result(connect(T, "--permissions-boundary", b, "--tag", "Team=ops", "--tag", "Env=prod"))
    in_line()
    iam().delete_role_permissions_boundary(RoleName=T["role"])
    iam().untag_role(RoleName=T["role"], TagKeys=["Team"])
    iam().tag_policy(PolicyArn=policy_arn(T), Tags=[{"Key": "Env", "Value": "dev"}])
    r, st = status()
    assert r.code == 4, r.describe()
    bad = {(i["item"], i["name"]): i["difference"] for i in items(st)}
    assert set(bad) == {("boundary", T["role"]), ("tags", T["role"]),
                        ("tags", T["policy"])}, bad
    assert "tag Team missing" in bad[("tags", T["role"])], bad
    assert "tag Env is 'dev', not 'prod'" in bad[("tags", T["policy"])], bad
    planned = update_plan()
    for call in ("PutRolePermissionsBoundary", "TagRole", "TagPolicy"):
        assert any(call in w for w in planned), planned
    r, out = update()
    assert r.code == 0 and len(out["changed"]) == 3, r.describe()
    in_line()
    role = iam().get_role(RoleName=T["role"])["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == b
    r, again = update()
    assert r.code == 0 and again["changed"] == [], r.describe()


# ---- the Spot side ----

@suite.test
def test_update_hands_the_role_again_only_when_spot_lost_it():
    doc = result(connect(T))
    spot().set_role(doc["spotAccountId"], f"arn:aws:iam::{harness.moto().account_id}:role/Other")
    r, st = status()
    assert r.code == 5 and st["verdict"] == "not connected", r.describe()
    before = spot_writes()
    r, out = update()
    assert r.code == 0, r.describe()
    assert any(c.startswith("spot:") for c in out["changed"]), out
    after = spot_writes()
    assert after["setCredentials"] == before["setCredentials"] + 1, (before, after)
    assert after["generateExternalId"] == before["generateExternalId"] == 1
    assert after["createAccount"] == before["createAccount"]
    assert spot().accounts[doc["spotAccountId"]]["credentials"]["iamRole"] == doc["roleArn"]
    in_line()


@suite.test
def test_manual_connection_is_refused_and_not_connected_has_its_own_exit_status():
    state = harness.write_file(os.path.join(T["home"], "manual.json"), json.dumps({
        "awsAccountId": harness.moto().account_id, "method": "manual", "step": "verified",
        "connected": True, "externalId": "x-123",
        "role": {"arn": f"arn:aws:iam::{harness.moto().account_id}:role/Hand", "name": "Hand"}}))
    r = run(["update", "--yes", "--state", state])
    assert r.code == 2 and "made by hand" in r.stderr and "status" in r.stderr, r.describe()
    half = harness.write_file(os.path.join(T["home"], "half.json"), json.dumps({
        "awsAccountId": harness.moto().account_id, "method": "automatic", "step": "attached",
        "connected": False}))
    r = run(["status", "--state", half], env_=env(with_token=False))
    doc = json.loads(r.stdout)
    assert r.code == 5 and doc["verdict"] == "not connected", r.describe()
    r = run(["update", "--yes", "--state", half])
    assert r.code == 2 and "not complete" in r.stderr, r.describe()
    assert spot_writes() == {e: 0 for e in SPOT_WRITES}


@suite.test
def test_update_without_yes_and_no_terminal_changes_nothing():
    result(connect(T))
    iam().detach_role_policy(RoleName=T["role"], PolicyArn=policy_arn(T))
    r = run(["update"])
    assert r.code == 3 and "--yes" in r.stderr, r.describe()
    assert policy_arn(T) not in attached(T["role"])


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
