"""The wizard as an operator expects it (issue 8, sections 3, 6 and 7): a
resume that keeps the saved answers and asks again only for a typed token,
help inside the screen, keys in every terminal's form, a summary left in the
scrollback, and the console page's steps.  Same peers and helpers as
test_wizard.py (the real binary in a pty rendered by libvterm)."""

import json
import os
import re

import harness
import connect_env as ce
from connect_env import TOKEN
from test_wizard import (ACCOUNT, POLICY, RUN_SECONDS, Wizard, begin, run_phase, to_method,
                         world)
import vt

suite = harness.Suite("wizard-operator")
suite.after_each(vt.close_all)

POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{POLICY}"


def state_of(home):
    path = os.path.join(home, ".local/state/spot-connect", ACCOUNT + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def policy_versions():
    return ce.iam().list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]


def default_policy():
    for v in policy_versions():
        if v["IsDefaultVersion"]:
            doc = ce.iam().get_policy_version(PolicyArn=POLICY_ARN, VersionId=v["VersionId"])
            return doc["PolicyVersion"]["Document"]
    raise AssertionError("no default version")


def sids(doc):
    if isinstance(doc, str):
        doc = json.loads(doc)
    return [s["Sid"] for s in doc["Statement"]]


def words(text):
    """A wait condition for text that may wrap across rows."""
    want = " ".join(text.split())
    return lambda screen: want in " ".join(screen.split())


def typed_token_to_permissions(w):
    """Automatic path with the Spot token typed in the wizard."""
    to_method(w)
    w.key("Home")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot token:")
    w.type(TOKEN)
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "Permissions")


@suite.test
def test_resume_keeps_method_bundles_and_account_asks_only_the_token():
    env, home = world(with_token=False)
    w = Wizard(env, home)
    typed_token_to_permissions(w)
    w.key(" ")                                   # the first bundle off
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    assert "resuming from" not in w.screen()    # the run's own state: no resume
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130
    saved = state_of(home)
    first = sids(default_policy())
    assert saved["method"] == "automatic" and len(saved["bundles"]) == len(first), saved
    acct_id = saved["spotAccount"]["id"]
    w.s.close()

    w = Wizard(env, home)
    w.wait(words(f"Automatic path, Spot account {acct_id}, stopped before step 9 Create IAM role"))
    w.wait(re.compile(r"\br resume\b"))          # the key bar says r
    w.key("r", "Spot token:")                   # typed last time: never saved
    w.type(TOKEN)
    w.key("Enter", "Step 9 of 11: Create IAM role")
    w.wait("AWS > Linked Account > Automatically")
    w.wait("Press Enter to start.")
    run_phase(w)
    w.wait("resuming from")                     # now it is one
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130
    saved = state_of(home)
    assert saved["method"] == "automatic", saved
    assert saved["spotAccount"]["id"] == acct_id, saved
    assert len(policy_versions()) == 1, policy_versions()   # no new version
    assert sids(default_policy()) == first
    assert saved["bundles"] == first, saved


@suite.test
def test_old_state_file_without_bundles_still_resumes():
    env, home = world()
    # A state file as spot-connect wrote it before answers were saved.
    path = os.path.join(home, ".local/state/spot-connect", ACCOUNT + ".json")
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    old = {"version": 1, "method": "manual", "partition": "aws", "awsAccountId": ACCOUNT,
           "externalId": "spotinst:aws:extid:0123456789abcdef", "step": "external-id",
           "connected": False,
           "spotAccount": {"name": "x", "id": "act-12345678", "created": True, "pending": False},
           "policy": {"name": None, "arn": None, "created": False, "pending": False,
                      "versionsAdded": []},
           "role": {"name": None, "arn": None, "created": False, "pending": False},
           "policyAttached": False, "securityAuditAttached": False}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(old, f)
    os.chmod(path, 0o600)
    w = Wizard(env, home)
    w.wait(words("Manual path, Spot account act-12345678, stopped before step 8 Create IAM policy"))
    w.key("r", "Step 8 of 11: Create IAM policy")
    w.wait("AWS > Linked Account > Manually")
    w.key("Esc", "Step 7 of 11: Permissions")
    w.wait("[✓] OpsWorks")                      # not saved: the default, every bundle
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_changing_bundles_after_the_policy_step_runs_it_again():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "Permissions")
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    w.key("Enter", "create the role Spot-Role")
    w.key("Esc", "Step 8 of 11")
    w.key("Esc", "Step 7 of 11: Permissions")
    w.wait("Ocean and Elastigroup  run, scale and replace EC2 instances")   # by product
    assert "OceanAndElastigroupBasicActions" not in w.screen()
    w.key(" ")
    w.key("Enter", "The bundles changed since step 8 was done")
    w.wait("Press Enter to start.")
    run_phase(w)
    w.wait("updated to version v2")
    assert len(policy_versions()) == 2, policy_versions()
    assert "OpsWorks" not in sids(default_policy())
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_help_opens_inside_the_screen_and_closes():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Down")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.key("Enter", "Permissions")
    w.key("Enter", "Create policy")
    mark = len(w.s.raw())
    w.key("F1", "Keys here:")
    w.wait("Help")
    w.wait(words("Policy editor: JSON"))
    raw = w.s.raw()[mark:]
    assert b"\x1b[?1049l" not in raw and b"press Enter to return" not in raw, raw[-200:]
    w.key("End", "closes it")                  # scrolled to the end
    w.key("q")
    w.s.wait_for_not("Keys here:")
    w.wait("Step 8 of 11: Create IAM policy")   # q closed help, did not quit
    w.key("?", "Keys here:")
    w.key("Esc")
    w.s.wait_for_not("Keys here:")
    w.wait("Step 8 of 11")                      # Esc closed help, did not go back
    w.key("Enter", "Create IAM role")
    w.key("F1", words("Another AWS account"))
    w.wait(words("Account ID: 922761411349 (item 2)"))
    w.wait(words("tick Require external ID"))
    w.key("F1")
    w.s.wait_for_not("Keys here:")
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_unknown_escape_sequences_are_not_esc_and_home_end_in_vt_forms():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.type("\x1b[99~")                          # unknown: must not go back
    w.type("\x1b[")                             # partial
    w.settle()
    w.wait("Step 3 of 11: Connection method")
    for end, home_ in (("\x1b[4~", "\x1b[1~"), ("\x1b[F", "\x1b[H"), ("\x1bOF", "\x1bOH")):
        w.type(end)
        w.wait(re.compile(r">.*Through the Spot console"))
        w.type(home_)
        w.wait(re.compile(r">.*Automatically"))
    w.wait("Up/Down choose  Enter next  Esc back")      # the panel's key bar
    assert "Tab field" not in w.screen()
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_leaving_prints_a_summary_in_the_scrollback():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "Permissions")
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130
    out = w.s.raw().decode(errors="replace")
    tail = out[out.rfind("\x1b[?1049l"):]       # after leaving the alternate screen
    assert "Spot account: act-" in tail and "External ID:  spotinst:aws:extid:" in tail, tail
    assert "not connected yet" in tail, tail


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
