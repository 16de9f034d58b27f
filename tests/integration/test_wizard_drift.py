"""The wizard's Welcome on an account that is connected but drifted (issue 9,
section 4): it names what differs and offers u, which runs update in the
worker and shows what changed; an account in line shows no such offer."""

import json

import harness
import connect_env as ce
from test_wizard import ACCOUNT, POLICY, ROLE, Wizard, world

suite = harness.Suite("wizard_drift")
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{POLICY}"


def words(text):
    """A wait condition for text that may wrap across rows."""
    want = " ".join(text.split())
    return lambda screen: want in " ".join(screen.split())


def status(env, home):
    r = harness.run_binary(["status"], env=env, home=home)
    return r, json.loads(r.stdout)


@suite.test
def test_welcome_offers_the_update_and_shows_what_changed():
    env, home = world()
    r = harness.run_binary(["connect", "--method", "automatic", "--yes"], env=env, home=home)
    assert r.code == 0, r.describe()
    ce.iam().detach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN)
    r, _ = status(env, home)
    assert r.code == 4, r.describe()
    writes = ce.spot().count_endpoint("setCredentials")
    w = Wizard(env, home)
    w.wait(words("connected to Spot, but its IAM role or policy drifted"))
    w.wait(words(f"attachment {POLICY}: {POLICY_ARN} is not attached to role {ROLE}"))
    w.wait("u update")
    w.key("u", words("Updated: the role and policy are as spot-connect writes them again."))
    w.wait(words(f"Changed: attachment {POLICY}:"))
    w.wait("Update done: 1 item(s) changed.")
    r, doc = status(env, home)
    assert r.code == 0 and doc["verdict"] == "in line", r.describe()
    assert ce.spot().count_endpoint("setCredentials") == writes
    assert ce.spot().count_endpoint("generateExternalId") == 1
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130                  # left on the Welcome


@suite.test
def test_welcome_in_line_offers_no_update():
    env, home = world()
    r = harness.run_binary(["connect", "--method", "automatic", "--yes"], env=env, home=home)
    assert r.code == 0, r.describe()
    w = Wizard(env, home)
    w.wait("was connected to Spot before")
    assert "drifted" not in w.screen() and "u update" not in w.screen(), w.screen()
    w.key("u")          # no update offered: the key does nothing
    w.wait("was connected to Spot before")
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130                  # left on the Welcome


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
