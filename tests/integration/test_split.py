"""A policy past IAM's 6,144 characters: split into Spot-Policy, Spot-Policy-2,
... (each within the limit, the fewest), created and attached, kept on
re-runs, listed by plan and status, removed by disconnect; IAM's limit of 10
managed policies per role checked before any change. Against moto and the
fake Spot."""

import json
import os
import urllib.parse

import harness
from connect_env import (attached, connect, env, fresh, iam, names_args, read_state, result,
                         role_exists, secrets, spot, state_file, stop_peers)

suite = harness.Suite("split")
T = {}
LIMIT = 6144
ASSET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets",
                     "spot-policy.json")
AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
IAM_WRITES = ("CreatePolicy", "CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion",
              "CreateRole", "UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
              "DeleteRole")


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def big_policy(extra=32):
    """Spot's policy and extra statements: ~20,000 characters compacted."""
    with open(ASSET, encoding="utf-8") as f:
        doc = json.load(f)
    for i in range(extra):
        doc["Statement"].append({
            "Sid": f"Extra{i}", "Effect": "Allow",
            "Action": [f"ec2:DescribeSomething{k}Of{i}" for k in range(10 + i % 7)],
            "Resource": "*"})
    return doc


def huge_statement(n=800):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "RunAndDescribe", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
        {"Sid": "Big", "Effect": "Allow",
         "Action": [f"ec2:DescribeThing{k:05d}" for k in range(n)], "Resource": "*"}]}


def policy_file(doc, name="big.json"):
    path = os.path.join(T["home"], name)
    harness.write_file(path, json.dumps(doc, indent=2))
    return path


def actions(doc):
    out = []
    for s in doc["Statement"]:
        a = s.get("Action", [])
        out += [a] if isinstance(a, str) else a
    return sorted(out)


def part_names(n):
    return [T["policy"]] + [f"{T['policy']}-{i}" for i in range(2, n + 1)]


def part_arn(name):
    return f"arn:aws:iam::{harness.moto().account_id}:policy/{name}"


def default_document(arn):
    client = iam()
    p = client.get_policy(PolicyArn=arn)["Policy"]
    v = client.get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])
    doc = v["PolicyVersion"]["Document"]
    return doc if isinstance(doc, dict) else json.loads(urllib.parse.unquote(doc))


def policy_exists(arn):
    client = iam()
    try:
        client.get_policy(PolicyArn=arn)
        return True
    except client.exceptions.NoSuchEntityException:
        return False


def iam_writes(doc, skip=0):
    """The calls in the log after its first skip lines, and the IAM writes."""
    with open(doc["logPath"]) as f:
        calls = [line for line in f.readlines()[skip:] if " call " in line]
    return calls, [c for c in calls if any(f" {w} " in c for w in IAM_WRITES)]


def log_length(doc):
    with open(doc["logPath"]) as f:
        return len(f.readlines())


def run(args):
    r = harness.run_binary(args, env=env(), home=T["home"], timeout=120)
    harness.assert_no_secrets(r, secrets())
    return r


def check_parts(doc, source, n):
    """n parts named as the operator would, each within the limit, attached,
    and together exactly the source's actions."""
    names = part_names(n)
    assert doc["policyArns"] == [part_arn(x) for x in names], doc
    assert doc["policyArn"] == part_arn(names[0]), doc
    got = []
    for arn in doc["policyArns"]:
        part = default_document(arn)
        assert len(compact(part)) <= LIMIT, (arn, len(compact(part)))
        got += actions(part)
    assert sorted(got) == actions(source)
    on_role = attached(T["role"])
    assert sorted(on_role) == sorted(doc["policyArns"] + [AUDIT]), on_role


@suite.test
def test_a_20000_character_policy_is_split_attached_kept_shown_and_removed():
    source = big_policy()
    assert 19000 < len(compact(source)) < 21000
    path = policy_file(source)
    r = connect(T, "--policy-file", path)
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    check_parts(doc, source, 4)  # the lower bound ceil(20,000 / 6,144)
    assert "split into 4" in r.stderr, r.stderr
    saved = read_state(T)
    assert [p["name"] for p in saved["policyParts"]] == part_names(4)[1:], saved
    assert all(p["created"] and p["attached"] for p in saved["policyParts"]), saved

    # A second run finds every part as it should be: no IAM write at all.
    before = log_length(doc)
    again = result(connect(T, "--policy-file", path))
    calls, written = iam_writes(again, before)
    assert calls and written == [], written
    assert again["policyArns"] == doc["policyArns"]

    r = run(["status"])
    st = json.loads(r.stdout)
    assert r.code == 0 and st["policyArns"] == doc["policyArns"], r.describe()
    assert st["policyArn"] == doc["policyArns"][0] and st["roleHealth"] == "ok", st

    r = run(["disconnect", "--yes"])
    out = json.loads(r.stdout)
    assert r.code == 0, r.describe()
    assert not role_exists(T["role"])
    for arn in doc["policyArns"]:
        assert not policy_exists(arn), arn
        assert any(f"policy {arn}" == line for line in out["removed"]), out


@suite.test
def test_every_part_gets_the_path_and_tags_and_a_rerun_writes_nothing():
    source = big_policy()
    path = policy_file(source)
    rules = ("--policy-file", path, "--iam-path", "/spot/", "--tag", "Team=ops")
    doc = result(connect(T, *rules))
    assert doc["connected"] and len(doc["policyArns"]) == 4, doc
    acct = harness.moto().account_id
    names = part_names(4)
    assert doc["policyArns"] == [f"arn:aws:iam::{acct}:policy/spot/{x}" for x in names], doc
    for arn in doc["policyArns"]:
        assert iam().get_policy(PolicyArn=arn)["Policy"]["Path"] == "/spot/", arn
        tags = iam().list_policy_tags(PolicyArn=arn)["Tags"]
        assert {"Key": "Team", "Value": "ops"} in tags, (arn, tags)
    assert sorted(attached(T["role"])) == sorted(doc["policyArns"] + [AUDIT])
    before = log_length(doc)
    again = result(connect(T, *rules))
    calls, written = iam_writes(again, before)
    assert calls and written == [], written
    r = run(["disconnect", "--yes"])
    assert r.code == 0, r.describe()
    assert not any(policy_exists(arn) for arn in doc["policyArns"])


@suite.test
def test_one_statement_over_the_limit_is_cut_by_its_actions():
    source = huge_statement()
    r = connect(T, "--policy-file", policy_file(source))
    doc = result(r)
    assert r.code == 0, r.describe()
    n = len(doc["policyArns"])
    assert n >= 4, doc
    check_parts(doc, source, n)
    sids = [s["Sid"] for arn in doc["policyArns"] for s in default_document(arn)["Statement"]]
    assert sorted(sids) == sorted(["RunAndDescribe"] + [f"Big{i}" for i in range(1, n + 1)]), sids


@suite.test
def test_plan_lists_every_part_and_writes_nothing():
    path = policy_file(big_policy())
    r = run(["plan", *names_args(T), "--policy-file", path])
    assert r.code == 0, r.describe()
    for name in part_names(4):
        assert f"write iam CreatePolicy PolicyName={name}\n" in r.stdout, r.stdout
        assert f"write iam AttachRolePolicy\n   {part_arn(name)}\n" in r.stdout, r.stdout
    assert f"{T['policy']}-5" not in r.stdout
    assert not role_exists(T["role"]) and not policy_exists(part_arn(T["policy"]))
    assert not os.path.exists(state_file(T))


@suite.test
def test_a_policy_that_shrinks_drops_the_parts_it_no_longer_needs():
    doc = result(connect(T, "--policy-file", policy_file(big_policy())))
    assert len(doc["policyArns"]) == 4
    smaller = big_policy(extra=8)  # ~9,600 characters: two parts
    r = connect(T, "--policy-file", policy_file(smaller, "smaller.json"))
    now = result(r)
    assert r.code == 0, r.describe()
    check_parts(now, smaller, 2)
    for arn in doc["policyArns"][2:]:
        assert not policy_exists(arn), arn
    assert [p["name"] for p in read_state(T)["policyParts"]] == part_names(2)[1:]
    # Back to one policy: the file has no parts left, as before splitting.
    r = connect(T)
    one = result(r)
    assert r.code == 0 and one["policyArns"] == [part_arn(T["policy"])], r.describe()
    assert "policyParts" not in read_state(T)
    assert sorted(attached(T["role"])) == sorted([part_arn(T["policy"]), AUDIT])


def role_with_foreign_policies(count):
    client = iam()
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::922761411349:root"},
        "Action": "sts:AssumeRole"}]}
    client.create_role(RoleName=T["role"], AssumeRolePolicyDocument=json.dumps(trust))
    for i in range(count):
        name = f"{T['policy']}-other-{i}"
        arn = client.create_policy(PolicyName=name, PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Policy"]["Arn"]
        client.attach_role_policy(RoleName=T["role"], PolicyArn=arn)


@suite.test
def test_ten_policies_per_role_is_checked_before_any_change():
    role_with_foreign_policies(6)  # 4 parts + SecurityAudit + 6 = 11
    r = connect(T, "--policy-file", policy_file(big_policy()))
    assert r.code == 2, r.describe()
    line = r.stderr.strip().splitlines()[-1]
    assert "11 managed policies" in line and "limit of 10" in line and T["role"] in line, line
    assert spot().count_endpoint("createAccount") == 0
    assert spot().count_endpoint("generateExternalId") == 0
    assert not policy_exists(part_arn(T["policy"]))
    assert len(attached(T["role"])) == 6
    assert not os.path.exists(state_file(T))
    # Without SecurityAudit it fits exactly: 4 + 6 = 10.
    doc = result(connect(T, "--policy-file", policy_file(big_policy()), "--no-security-audit"))
    assert len(attached(T["role"])) == 10 and len(doc["policyArns"]) == 4


@suite.test
def test_plan_refuses_over_the_role_limit_too():
    role_with_foreign_policies(6)
    r = run(["plan", *names_args(T), "--policy-file", policy_file(big_policy())])
    assert r.code == 2 and "limit of 10" in r.stderr, r.describe()


@suite.test
def test_a_policy_that_fits_keeps_the_state_format():
    doc = result(connect(T))
    assert doc["policyArns"] == [doc["policyArn"]]
    assert "policyParts" not in read_state(T)


@suite.test
def test_manual_first_run_says_to_create_every_part():
    r = connect(T, "--policy-file", policy_file(big_policy()), method="manual")
    assert r.code == 3, r.describe()
    p = T["policy"]
    assert f"create 4 policies" in r.stderr and "'--part 4'" in r.stderr, r.stderr
    assert f"named {p}, {p}-2 ... {p}-4" in r.stderr, r.stderr


# ---- spot-connect policy: every document for the operator or a script ----

@suite.test
def test_policy_command_prints_every_part():
    source = big_policy()
    path = policy_file(source)
    r = run(["policy", "--policy-file", path, "--json", "--policy-name", "P"])
    assert r.code == 0, r.describe()
    parts = json.loads(r.stdout)
    assert [p["name"] for p in parts] == ["P", "P-2", "P-3", "P-4"]
    assert all(len(compact(p["document"])) <= LIMIT for p in parts)
    assert sorted(a for p in parts for a in actions(p["document"])) == actions(source)
    for i, p in enumerate(parts, 1):
        one = run(["policy", "--policy-file", path, "--part", str(i), "--compact"])
        assert one.code == 0 and json.loads(one.stdout) == p["document"], one.describe()
    r = run(["policy", "--policy-file", path])
    assert r.code == 0 and "Spot-Policy-4" in r.stderr and "--part 4" in r.stderr, r.describe()
    docs, text = [], r.stdout
    decoder = json.JSONDecoder()
    while text.strip():
        d, end = decoder.raw_decode(text.lstrip())
        docs.append(d)
        text = text.lstrip()[end:]
    assert docs == [p["document"] for p in parts]
    r = run(["policy", "--policy-file", path, "--part", "5"])
    assert r.code == 2 and "split into 4" in r.stderr, r.describe()
    r = run(["policy", "--json"])
    assert r.code == 0 and [p["name"] for p in json.loads(r.stdout)] == ["Spot-Policy"]


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
