"""Company rules (issue 9, section 3): --permissions-boundary, --iam-path and
--tag on the role and the policy, visible in moto after connect; a re-run
with the same options writes nothing; a changed tag or boundary is updated,
one no longer given removed only when spot-connect had set it; every value
IAM would refuse is refused before any call, naming the rule; plan lists the
changes; a path change is refused in one line."""

import json
import os

import harness
from connect_env import (connect, env, fresh, iam, names_args, read_state, result, secrets,
                         spot, state_dir, stop_peers)

suite = harness.Suite("rules")
T = {}

WRITES = ("CreatePolicy", "CreatePolicyVersion", "CreateRole", "UpdateAssumeRolePolicy",
          "AttachRolePolicy", "TagRole", "UntagRole", "TagPolicy", "UntagPolicy",
          "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "setCredentials",
          "generateExternalId", "createAccount")


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def account():
    return harness.moto().account_id


def boundary(name):
    """A managed policy to use as a boundary, made by the operator's admin."""
    doc = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    n = f"{name}-{T['role']}"
    return iam().create_policy(PolicyName=n, PolicyDocument=doc)["Policy"]["Arn"]


def role_tags():
    return {t["Key"]: t["Value"] for t in iam().list_role_tags(RoleName=T["role"])["Tags"]}


def policy_tags(arn):
    return {t["Key"]: t["Value"] for t in iam().list_policy_tags(PolicyArn=arn)["Tags"]}


def role_boundary():
    return iam().get_role(RoleName=T["role"])["Role"].get("PermissionsBoundary", {}).get(
        "PermissionsBoundaryArn")


def log_lines(doc):
    with open(doc["logPath"]) as f:
        return [line for line in f if " call " in line]


def writes(lines):
    return [c for c in lines if any(f" {w} " in c for w in WRITES)]


def run(args, **kw):
    r = harness.run_binary(args, env=env(), home=T["home"], timeout=120, **kw)
    harness.assert_no_secrets(r, secrets())
    return r


@suite.test
def test_boundary_path_and_tags_are_visible_in_iam():
    b = boundary("Boundary")
    r = connect(T, "--permissions-boundary", b, "--iam-path", "/spot/team/",
                "--tag", "Team=ops", "--tag", "CostCenter=42 a:b/c", "--tag", "Empty=")
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    role = iam().get_role(RoleName=T["role"])["Role"]
    assert role["Path"] == "/spot/team/", role
    assert role["Arn"] == f"arn:aws:iam::{account()}:role/spot/team/{T['role']}", role
    assert doc["roleArn"] == role["Arn"], doc
    assert role_boundary() == b
    want = {"Team": "ops", "CostCenter": "42 a:b/c", "Empty": ""}
    assert role_tags() == want, role_tags()
    parn = f"arn:aws:iam::{account()}:policy/spot/team/{T['policy']}"
    assert doc["policyArn"] == parn, doc
    assert iam().get_policy(PolicyArn=parn)["Policy"]["Path"] == "/spot/team/"
    assert policy_tags(parn) == want
    assert parn in [p["PolicyArn"] for p in
                    iam().list_attached_role_policies(RoleName=T["role"])["AttachedPolicies"]]
    st = read_state(T)
    assert st["iamPath"] == "/spot/team/" and st["permissionsBoundary"] == b, st
    assert st["tags"] == [{"key": "Team", "value": "ops"},
                          {"key": "CostCenter", "value": "42 a:b/c"},
                          {"key": "Empty", "value": ""}], st


@suite.test
def test_rerun_with_equal_options_writes_nothing():
    b = boundary("Boundary")
    args = ("--permissions-boundary", b, "--iam-path", "/p/", "--tag", "Team=ops")
    doc = result(connect(T, *args))
    before = len(log_lines(doc))
    r = connect(T, *args)
    assert r.code == 0, r.describe()
    again = log_lines(result(r))[before:]
    assert again, "the second run logged no call"
    # Handing the role to Spot again is the only write a re-run makes (as before).
    assert [w for w in writes(again) if " setCredentials " not in w] == [], writes(again)
    assert not any(" Tag" in c or " Untag" in c or "Boundary " in c for c in again), again
    assert role_boundary() == b and role_tags() == {"Team": "ops"}


@suite.test
def test_changed_tags_and_boundary_are_updated_and_foreign_ones_kept():
    b1, b2 = boundary("B1"), boundary("B2")
    connect(T, "--permissions-boundary", b1, "--tag", "Team=ops", "--tag", "Env=dev")
    iam().tag_role(RoleName=T["role"], Tags=[{"Key": "Owner", "Value": "alice"}])
    r = connect(T, "--permissions-boundary", b2, "--tag", "Team=platform")
    assert r.code == 0, r.describe()
    assert role_boundary() == b2
    assert role_tags() == {"Team": "platform", "Owner": "alice"}, role_tags()
    parn = result(r)["policyArn"]
    assert policy_tags(parn) == {"Team": "platform"}, policy_tags(parn)
    assert "untagged Env" in r.stderr and "permissions boundary" in r.stderr, r.stderr
    # No boundary given any more: the one spot-connect put is removed.
    r = connect(T, "--tag", "Team=platform")
    assert r.code == 0 and role_boundary() is None, r.describe()
    # One the admin puts afterwards is not spot-connect's: kept.
    iam().put_role_permissions_boundary(RoleName=T["role"], PermissionsBoundary=b1)
    r = connect(T)
    assert r.code == 0 and role_boundary() == b1, r.describe()
    assert "not set by spot-connect" in r.stderr, r.stderr
    assert role_tags() == {"Owner": "alice"}, role_tags()   # ours removed, the admin's kept
    assert "tags" not in read_state(T)


@suite.test
def test_rules_added_to_a_connection_made_without_them():
    first = result(connect(T))
    st = read_state(T)
    assert "tags" not in st and "permissionsBoundary" not in st and "iamPath" not in st, st
    b = boundary("Late")
    r = connect(T, "--permissions-boundary", b, "--tag", "Team=ops")
    assert r.code == 0, r.describe()
    assert role_boundary() == b and role_tags() == {"Team": "ops"}
    assert policy_tags(first["policyArn"]) == {"Team": "ops"}


@suite.test
def test_a_changed_path_is_refused_in_one_line():
    connect(T, "--iam-path", "/a/")
    r = connect(T, "--iam-path", "/b/")
    assert r.code == 2, r.describe()
    lines = [line for line in r.stderr.splitlines() if "cannot move" in line]
    assert len(lines) == 1 and "/a/" in lines[0], r.stderr
    assert iam().get_role(RoleName=T["role"])["Role"]["Path"] == "/a/"


BAD = [
    (["--iam-path", "spot"], "starts and ends with '/'"),
    (["--iam-path", "/a b/"], "0x21-0x7E"),
    (["--iam-path", "/" + "a" * 511 + "/"], "1 to 512"),
    (["--tag", "aws:owner=x"], "reserved for AWS"),
    (["--tag", "Team=ops!"], "letters, digits, spaces and _.:/=+-@"),
    (["--tag", "k" * 129 + "=v"], "1 to 128"),
    (["--tag", "=v"], "1 to 128"),
    (["--tag", "Team=" + "v" * 257], "0 to 256"),
    (["--tag", "Team=a", "--tag", "team=b"], "given twice"),
    ([a for i in range(51) for a in ("--tag", f"k{i}=v")], "at most 50"),
    (["--permissions-boundary", "arn:aws:iam::123456789012:role/Admin"], "managed policy's ARN"),
    (["--permissions-boundary", "Boundary"], "managed policy's ARN"),
    (["--partition", "aws", "--permissions-boundary",
      "arn:aws-cn:iam::123456789012:policy/B"], "partition aws-cn"),
]


@suite.test
def test_every_rule_is_checked_before_any_call():
    for args, rule in BAD:
        r = run(["connect", "--yes", "-v", *names_args(T), *args])
        assert r.code == 2, (args[:4], r.describe())
        assert rule in r.stderr, (rule, r.stderr)
        assert " -> " not in r.stderr, f"a call was made for {args[:4]}: {r.stderr}"
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert spot().endpoints() == []
    assert not os.path.exists(state_dir(T)), "nothing is written before the rules pass"


@suite.test
def test_bad_names_are_refused_before_any_call():
    for args, rule in [(["--role-name", "Spot Role"], "letters, digits and +=,.@_-"),
                       (["--role-name", "r" * 65], "1 to 64"),
                       (["--policy-name", "p" * 129], "1 to 128"),
                       (["--policy-name", "Spot/Policy"], "letters, digits and +=,.@_-")]:
        r = run(["connect", "--yes", "-v", "--spot-account-name", T["name"], *args])
        assert r.code == 2 and rule in r.stderr, (args, r.describe())
        assert " -> " not in r.stderr, r.stderr
    assert spot().endpoints() == []


@suite.test
def test_a_tag_without_equals_is_a_usage_error():
    r = run(["connect", "--yes", *names_args(T), "--tag", "Team"])
    assert r.code == 2 and "KEY=VALUE" in r.stderr, r.describe()


@suite.test
def test_boundary_of_another_partition_than_the_credentials_is_refused_before_iam():
    r = run(["connect", "--yes", "-v", *names_args(T), "--permissions-boundary",
             "arn:aws-us-gov:iam::123456789012:policy/B"])
    assert r.code == 2 and "partition aws-us-gov" in r.stderr, r.describe()
    calls = [line for line in r.stderr.splitlines() if " -> " in line]
    assert all(" sts " in c or " GetCallerIdentity " in c for c in calls), calls
    assert spot().endpoints() == []


@suite.test
def test_plan_shows_the_rules():
    b = boundary("Plan")
    r = run(["plan", *names_args(T), "--iam-path", "/x/", "--permissions-boundary", b,
             "--tag", "Team=ops"])
    assert r.code == 0, r.describe()
    assert f"write iam CreatePolicy PolicyName={T['policy']} Path=/x/ Tags=Team=ops" in r.stdout, \
        r.stdout
    assert f"write iam CreateRole Path=/x/ PermissionsBoundary={b} Tags=Team=ops" in r.stdout
    connect(T, "--permissions-boundary", b, "--tag", "Team=ops", "--tag", "Env=dev")
    b2 = boundary("Plan2")
    r = run(["plan", *names_args(T), "--permissions-boundary", b2, "--tag", "Team=platform"])
    assert r.code == 0, r.describe()
    out = r.stdout
    for line in ("write iam TagPolicy", "write iam UntagPolicy", "write iam TagRole",
                 "write iam UntagRole", "write iam PutRolePermissionsBoundary"):
        assert line in out, (line, out)
    assert "Team=platform" in out and b2 in out
    assert role_boundary() == b and role_tags() == {"Team": "ops", "Env": "dev"}


@suite.test
def test_help_man_page_and_readme_name_the_options():
    r = run(["connect", "--help"])
    assert r.code == 0, r.describe()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "man", "spot-connect.1")) as f:
        man = f.read().replace("\\-", "-")
    with open(os.path.join(root, "README.md")) as f:
        readme = f.read()
    for opt in ("--permissions-boundary", "--iam-path", "--tag", "--role-name", "--policy-name"):
        assert opt in r.stdout and opt in man and opt in readme, opt


# ---- the wizard's Options form ----

@suite.test
def test_wizard_options_form_sets_the_rules():
    import test_wizard as tw            # its helpers; its suite is not run here
    env_, home = tw.world()
    T["home"] = home
    b = boundary("Wizard")
    role, policy = f"W-{T['role']}", f"W-{T['policy']}"
    w = tw.Wizard(env_, home)
    tw.to_permissions(w)
    w.key("o", "Options: company rules")
    w.golden("options")
    w.type(role)
    w.key("Tab")
    w.type(policy)
    w.key("Tab")
    w.type(b)
    w.key("Tab")
    w.type("wiz")                       # IAM's rule is named, the form stays open
    w.key("Tab")
    w.type("Team=ops, Env=dev")
    w.key("Enter", "IAM path: an IAM path starts and ends with '/'")
    w.key("Up")
    w.key("C-u")
    w.type("/wiz/")
    w.key("Enter", "Options saved")
    w.key("Enter", "Press Enter to start.")
    w.wait(policy)
    tw.run_phase(w)
    w.key("Enter", f"create the role {role}")
    w.wait("Press Enter to start.")
    tw.run_phase(w)
    got = iam().get_role(RoleName=role)["Role"]
    assert got["Path"] == "/wiz/", got
    assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == b, got
    tags = {t["Key"]: t["Value"] for t in iam().list_role_tags(RoleName=role)["Tags"]}
    assert tags == {"Team": "ops", "Env": "dev"}, tags
    parn = f"arn:aws:iam::{account()}:policy/wiz/{policy}"
    assert policy_tags(parn) == {"Team": "ops", "Env": "dev"}
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130
    w.s.close()
    # A resumed wizard goes on with the same rules: nothing is untagged.
    w = tw.Wizard(env_, home)
    w.wait("A connection in progress was found")
    w.key("r", "hands the role to Spot")
    tw.run_phase(w, "Connected: Spot accepted the role.")
    tags = {t["Key"]: t["Value"] for t in iam().list_role_tags(RoleName=role)["Tags"]}
    assert tags == {"Team": "ops", "Env": "dev"}, tags
    assert iam().get_role(RoleName=role)["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == b


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
