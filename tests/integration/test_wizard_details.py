"""The wizard as an operator expects it, the rest of issue 8 section 6: a
message longer than the status area opens whole in a details view, the copy
pane's saved-file path is never cut, the "New name" field sits under the
Spot account list, a GovCloud/China answer that does not match the
credentials is caught at AWS login, an External ID not of Spot's form gets a
warning, and each path's length is said where the path is chosen.  Same
peers and helpers as test_wizard.py (the real binary in a pty rendered by
libvterm)."""

import os
import re

import harness
import connect_env as ce
from test_wizard import Wizard, to_manual_policy, to_method, to_spot, world
import vt

suite = harness.Suite("wizard-details")
suite.after_each(vt.close_all)


def words(text):
    """A wait condition for text that may wrap across rows."""
    want = " ".join(text.split())
    return lambda screen: want in " ".join(screen.split())


def unwrapped(text):
    """A wait condition for a string without blanks (a path) that may be
    split anywhere across rows: the rows are joined without separators."""
    return lambda screen: text in "".join(line.strip() for line in screen.split("\n"))


def long_state_dir(home):
    # Longer than the two status rows at 80 columns, with the message around it.
    return os.path.join(home, "a-state-directory-with-a-long-name-" * 4 + "end")


@suite.test
def test_long_message_opens_in_a_details_view_and_the_saved_path_is_whole():
    env, home = world()
    env = dict(env, XDG_STATE_HOME=long_state_dir(home))
    saved = os.path.join(long_state_dir(home), "spot-connect", "spot-policy.json")
    w = Wizard(env, home)
    to_manual_policy(w)
    assert "d details" not in w.settle()       # nothing more to see yet
    w.key("c", words("also saved to"))
    # The copy pane has the path on rows of its own, whole.
    w.wait(unwrapped(saved))                   # the status line has only its start
    w.wait(re.compile(r"^ Saved to\b", re.M))
    # The status area cannot hold it all: the key bar offers the rest.
    w.wait(re.compile(r"\bd details\b"))
    w.key("d", "Details")
    w.wait("Esc, d or q close details")
    # The text inside the box (between its side lines), rows joined.
    inside = "".join(m.group(1).strip() for m in
                     re.finditer(r"[|\u2502] (.*?) *[|\u2502]", w.screen()))
    assert saved in inside, w.screen()
    assert "spot-policy.json" in inside
    w.key("Escape")
    w.wait(lambda s: "close details" not in s)
    w.wait("Step 8 of 11: Create IAM policy")   # Esc closed the view, nothing else
    w.key("d", "Esc, d or q close details")    # again, and q closes it too
    w.key("q")
    w.wait(lambda s: "close details" not in s and "Quit?" not in s)


@suite.test
def test_new_name_sits_under_the_spot_account_list():
    env, home = world()
    w = Wizard(env, home)
    to_spot(w)
    w.wait("New name:")
    lines = w.screen().split("\n")
    create = next(i for i, l in enumerate(lines) if "Create a new Spot account" in l)
    name = next(i for i, l in enumerate(lines) if "New name:" in l)
    assert 0 < name - create <= 2, w.screen()


@suite.test
def test_govcloud_answer_not_matching_the_credentials_is_caught_at_login():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Down", "Spot's AWS account ID:")    # GovCloud
    w.key("Tab")
    w.type("123456789013")
    w.key("Enter", "Step 5 of 10")
    w.wait("Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("Enter", words("These credentials are in a commercial AWS account, not in "
                         "GovCloud as step 4 says: press g to go back to step 4"))
    w.wait(re.compile(r"\bg GovCloud/China step\b"))
    assert "Verified:" not in w.settle()
    w.key("Enter", words("These credentials are in a commercial AWS account"))
    assert "Step 6 of 10: AWS login" in w.settle()   # never on to the next step
    w.key("g", "Step 4 of 10: GovCloud or China account?")
    w.key("Up")                                   # No: a commercial account
    w.key("Enter", "Step 5 of 11")
    w.wait("Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")                   # now they match


@suite.test
def test_external_id_not_of_spots_form_gets_a_warning_not_a_refusal():
    env, home = world(with_token=False)
    w = Wizard(env, home)
    to_method(w)
    w.key("End")                                  # Through the Spot console
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "External ID:")
    w.type("spotinst:aws:extid:3w72ms42i8000000")
    w.wait("spotinst:aws:extid:3w72ms42i8000000")
    assert "does not look like a Spot External ID" not in w.settle()
    w.key("C-u")
    w.type("3w72ms42i8000000")                    # the prefix left behind
    w.wait(words("Warning: this does not look like a Spot External ID"))
    w.key("Enter", "Step 6 of 11: AWS login")     # a warning, not a refusal


@suite.test
def test_each_path_says_its_length_where_it_is_chosen():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.wait(words("Automatically: 11 steps. Manually: 11 steps. Through the Spot console: "
                 "11 steps. GovCloud and China: 10 steps (no Permissions step)."))
    w.key("Down")                                 # Manually
    w.key("Enter", "Is this an AWS GovCloud")
    w.wait(words("Manual path: 11 steps with No; 10 with GovCloud or China"))
    w.key("Down", "Spot's AWS account ID:")
    w.key("Tab")
    w.type("123456789013")
    w.key("Enter", "Step 5 of 10")                # the count said before


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
