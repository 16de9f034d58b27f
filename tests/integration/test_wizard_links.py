"""The wizard on a mistake and on an account already connected (issue 8,
sections 1, 2 and 7): a role the check refuses shows why and leads back to
the panel that fixes it; an account Spot has linked keeps its External ID
unless a rotation is confirmed on screen; Done shows the console page's
"What's next".  Same peers and helpers as test_wizard.py (the real binary
in a pty rendered by libvterm)."""

import re

import harness
import connect_env as ce
from test_wizard import (ACCOUNT, POLICY, ROLE, ROLE_ARN, RUN_SECONDS, Wizard, run_phase,
                         to_manual_policy, to_spot, trust_external_id, world)
from test_wizard_operator import words
import vt

suite = harness.Suite("wizard-links")
suite.after_each(vt.close_all)


def manual_to_connect(w):
    """Manual path up to the Connect panel; returns Spot's External ID."""
    to_manual_policy(w)
    w.key("Enter", "IAM > Roles > Create role")
    ext = next(iter(ce.spot().accounts.values()))["externalIds"][0]
    w.key("Enter", "Paste the ARN of the role")
    return ext


def paste(w, arn):
    w.key("C-u", "the role ARN is empty")
    w.type("\x1b[200~" + arn + "\x1b[201~")
    w.wait("This is a role ARN of your account")


@suite.test
def test_a_mistyped_role_fails_at_once_and_leads_back_to_create_iam_role():
    env, home = world()
    w = Wizard(env, home)
    ext = manual_to_connect(w)
    typo = f"arn:aws:iam::{ACCOUNT}:role/Spot-Rol"
    paste(w, typo)
    w.key("Enter")
    w.wait(words(f"The role check failed: role Spot-Rol does not exist in {ACCOUNT}"))
    w.wait(words("Enter with this ARN goes back to step 9 Create IAM role"))
    w.wait("Enter back to Create IAM role")              # the key bar
    assert ce.spot().count_endpoint("setCredentials") == 0, ce.spot().endpoints()
    assert "IAM to propagate" not in w.screen() and "Working..." not in w.screen()
    w.key("Enter", "Step 9 of 11: Create IAM role")
    w.wait(ext)                                         # the same External ID
    w.key("Enter", "Paste the ARN of the role")
    w.wait(typo)                                        # the answer kept
    assert "The role check failed" not in w.settle()
    w.key("C-c", "Quit?")
    w.key("y")
    assert w.exit_code() == 130
    assert ce.spot().count_endpoint("setCredentials") == 0


@suite.test
def test_a_govcloud_role_on_a_commercial_path_leads_back_to_step_4():
    env, home = world()
    w = Wizard(env, home)
    manual_to_connect(w)
    gov = f"arn:aws-us-gov:iam::{ACCOUNT}:role/Spot-Role"
    w.key("C-u", "the role ARN is empty")
    w.type("\x1b[200~" + gov + "\x1b[201~")
    w.wait(words("This role is in AWS GovCloud, not in a commercial account as step 4 says: "
                 "Enter goes back to step 4"))
    w.wait("Enter back to GovCloud/China step")          # the key bar
    w.key("Enter", "Is this an AWS GovCloud")
    w.wait("the role ARN is kept")
    assert ce.spot().count_endpoint("setCredentials") == 0, ce.spot().endpoints()
    w.key("C-c", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_a_role_without_the_policy_leads_back_to_create_iam_policy():
    env, home = world()
    w = Wizard(env, home)
    ext = manual_to_connect(w)
    doc = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
           '{"AWS": "arn:aws:iam::922761411349:root"}, "Action": "sts:AssumeRole", '
           '"Condition": {"StringEquals": {"sts:ExternalId": "%s"}}}]}' % ext)
    ce.iam().create_role(RoleName=ROLE, AssumeRolePolicyDocument=doc)
    paste(w, ROLE_ARN)
    w.key("Enter")
    w.wait(words(f"no policy attached to role {ROLE} allows ec2:RunInstances"))
    w.wait("Enter back to Create IAM policy")
    assert ce.spot().count_endpoint("setCredentials") == 0, ce.spot().endpoints()
    w.key("Enter", "Step 8 of 11: Create IAM policy")
    w.key("Esc", "Step 7 of 11: Permissions")            # the path is rebuilt
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_a_wrong_external_id_in_the_trust_leads_back_to_create_iam_role():
    env, home = world()
    w = Wizard(env, home)
    manual_to_connect(w)
    from test_connect import make_role_by_hand
    arn = make_role_by_hand(ROLE, "spotinst:aws:extid:0000000000000000", POLICY)
    paste(w, arn)
    w.key("Enter")
    w.wait(words("trusts External ID spotinst:aws:extid:0000000000000000"))
    w.wait("Enter back to Create IAM role")
    w.key("Enter", "Step 9 of 11: Create IAM role")
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130
    assert ce.spot().count_endpoint("setCredentials") == 0


def linked_world():
    """Spot-Role connected to a Spot account by an earlier run on another
    machine (the CLI, its own HOME): the wizard starts with no state."""
    env, home = world()
    t = {"role": ROLE, "policy": POLICY, "name": "linked-team", "home": harness.tempdir("home-")}
    r = ce.connect(t)
    assert r.code == 0, r.describe()
    acct_id = ce.result(r)["spotAccountId"]
    assert ce.spot().count_endpoint("generateExternalId") == 1
    return env, home, acct_id, trust_external_id()


def linked_to_policy(w, acct_id, keys):
    to_spot(w)
    w.wait(f"(linked to this AWS account, role {ROLE})")
    w.wait(re.compile(r"> \(.\) " + acct_id))         # preselected
    w.wait("r rotate ID")                               # offered, not done
    for k in keys:
        w.key(k)
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "permission bundles")
    w.key("Enter", "Press Enter to start.")


@suite.test
def test_a_connected_account_stays_as_it_is_without_a_confirmed_rotation():
    env, home, acct_id, ext = linked_world()
    sets = ce.spot().count_endpoint("setCredentials")
    w = Wizard(env, home)
    # r asks; anything but y keeps the External ID.
    linked_to_policy(w, acct_id, ["r", "n"])
    w.key("Esc", "Step 7 of 11")
    w.key("Esc", "Step 6 of 11")
    w.key("Esc", "Step 5 of 11")
    w.wait("r rotate ID")
    w.key("r", "Rotate the External ID? The old one stops working. y/n")
    w.wait("y rotate the External ID  n keep it")
    w.key("n", "Not rotated")
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "permission bundles")
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    w.wait("Already connected: nothing was changed.")
    w.wait(words(f"uses role {ROLE_ARN}, which trusts External ID {ext}"))
    w.key("Enter", "Step 9 of 11")
    w.wait("Done. Press Enter to go on.")
    w.key("Enter", "Step 10 of 11")
    w.wait("Already connected: Spot uses the role")
    w.key("Enter", "Step 11 of 11: Done")
    w.wait("The AWS account was already connected to Spot: nothing was changed.")
    # The console page's "What's next", with its URLs.
    w.wait(words("Overview > Dashboard: Insights & Recommendations"))
    w.wait(words("Savings Potential"))
    w.wait("https://console.spotinst.com/")
    w.wait("https://docs.spot.io/connect-your-cloud-provider/dashboard")
    w.key("q")
    assert w.exit_code() == 0
    assert ce.spot().count_endpoint("generateExternalId") == 1
    assert ce.spot().count_endpoint("setCredentials") == sets
    assert ce.spot().external_ids(acct_id) == [ext] and trust_external_id() == ext


@suite.test
def test_a_confirmed_rotation_makes_one_new_external_id_and_updates_the_trust():
    env, home, acct_id, ext = linked_world()
    w = Wizard(env, home)
    linked_to_policy(w, acct_id, ["r", "y"])
    run_phase(w)
    w.key("Enter", "Step 9 of 11")
    run_phase(w)
    w.key("Enter", "Step 10 of 11")
    run_phase(w, "Connected: Spot accepted the role.")
    w.key("Enter", "Step 11 of 11: Done")
    w.key("q")
    assert w.exit_code() == 0
    ids = ce.spot().external_ids(acct_id)
    assert len(ids) == 2 and ids[0] == ext, ids
    assert trust_external_id() == ids[1]
    acct = ce.spot().accounts[acct_id]
    assert acct["credentials"]["iamRole"] == ROLE_ARN, acct


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
