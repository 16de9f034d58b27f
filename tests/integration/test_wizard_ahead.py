"""The wizard reads ahead (issue 10, section 4): while the operator reads
the permissions, policy, role and connect panels, the worker makes the
reads the coming panels need, so Enter on a panel makes only that panel's
writes, and Enter on Connect only hands the role to Spot and checks it.
A read-ahead that fails is said on the panels it serves, and their own run
reads again."""

import os

import harness
import vt
import connect_env as ce
from test_wizard import ACCOUNT, Wizard, run_phase, to_permissions, to_spot, world

suite = harness.Suite("wizard_ahead")
suite.after_each(vt.close_all)

READS = ("GetCallerIdentity", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
         "GetRole", "listAccounts", "readCredentials", "ListPolicyVersions")


def phases(home):
    """The calls of each phase the wizard ran, from its log: a phase starts
    where the engine names the AWS account."""
    path = os.path.join(home, ".local", "state", "spot-connect", f"{ACCOUNT}.log")
    out = []
    with open(path) as f:
        for line in f:
            if " AWS account " in line:
                out.append([])
            elif " call " in line and out:
                out[-1].append(line.split()[3])
    return out


def walk_to_policy(w):
    to_permissions(w)
    w.key("Enter", "Press Enter to start.")


@suite.test
def test_enter_on_each_panel_makes_only_its_writes():
    env, home = world()
    w = Wizard(env, home)
    walk_to_policy(w)
    run_phase(w)
    w.key("Enter", "create the role Spot-Role")
    w.wait("Press Enter to start.")
    run_phase(w)
    w.key("Enter", "hands the role to Spot")
    run_phase(w, "Connected: Spot accepted the role.")
    w.key("Enter", "Step 11 of 11: Done")
    w.key("q")
    assert w.exit_code() == 0
    log = open(os.path.join(home, ".local", "state", "spot-connect", f"{ACCOUNT}.log")).read()
    policy, role, connect = phases(home)
    assert policy, log
    assert [c for c in policy if c in READS] == [], policy
    assert policy[-3:] == ["createAccount", "generateExternalId", "CreatePolicy"], policy
    assert role == ["CreateRole", "AttachRolePolicy", "AttachRolePolicy"], role
    assert connect == ["setCredentials", "readCredentials"], connect


@suite.test
def test_a_failed_read_ahead_is_said_and_the_panel_reads_itself():
    env, home = world()
    env = dict(env)
    proxy = ce.iam_proxy()
    env["AWS_ENDPOINT_URL"] = proxy.url
    w = Wizard(env, home)
    to_spot(w)
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    # The read-ahead meets a refusal it cannot wait out.
    proxy.set_mode("error", times=None, action="ListAttachedRolePolicies", status=400,
                   code="ValidationError", message="read ahead refused")
    w.key("Enter", "permission bundles")
    w.key("Enter", "Press Enter to start.")      # said on the panel it serves
    w.wait("Checking ahead failed: ValidationError: read ahead refused")
    proxy.clear()
    run_phase(w)                                 # Enter reads for itself, and goes on
    assert ce.iam().get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/Spot-Policy")
    assert "Checking ahead failed" not in w.s.screen()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
