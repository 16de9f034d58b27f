"""The wizard with a policy past IAM's 6,144 characters (--policy-file): the
manual path's copy pane has one item per document, named as IAM must name
them (Spot-Policy, Spot-Policy-2, ...), the steps say to create each, and
the role steps to tick each."""

import json
import os

import harness
import connect_env as ce
from test_wizard import Wizard, to_spot, world
from test_split import big_policy

suite = harness.Suite("wizard_split")


def words(text):
    """A wait condition for text that may wrap across rows."""
    want = " ".join(text.split())
    return lambda screen: want in " ".join(screen.split())


def first_sid(doc):
    return doc["Statement"][0]["Sid"]


@suite.test
def test_manual_copy_pane_has_one_item_per_policy():
    env, home = world()
    path = os.path.join(home, "big.json")
    harness.write_file(path, json.dumps(big_policy(), indent=2))
    r = harness.run_binary(["policy", "--policy-file", path, "--json"])
    parts = json.loads(r.stdout)
    assert [p["name"] for p in parts] == ["Spot-Policy", "Spot-Policy-2", "Spot-Policy-3",
                                          "Spot-Policy-4"], r.describe()
    w = Wizard(env, home, args=["--policy-file", path])
    to_spot(w, ["Down"])
    w.wait("Spot account(s) in this organization")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.key("Enter", "permission bundles")
    w.key("Enter", words("create 4 policies, items 1-4 below (Spot-Policy ... Spot-Policy-4)"))
    for tab in (" 1 Spot-Policy ", " 2 Spot-Policy-2 ", " 3 Spot-Policy-3 ", " 4 Spot-Policy-4",
                " 5 Spot's AWS account ", " 6 External ID ", " 7 role ARN"):
        w.wait(tab)
    w.wait("1-7 item  c copy  p print  Enter next")
    w.wait("Spot's External ID is ready (item 6).")
    w.wait(f'"Sid": "{first_sid(parts[0]["document"])}"')
    w.key("2", f'"Sid": "{first_sid(parts[1]["document"])}"')
    w.key("Tab", f'"Sid": "{first_sid(parts[2]["document"])}"')
    w.key("c", "spot-policy-3.json")              # saved under the part's own name
    saved = os.path.join(home, ".local", "state", "spot-connect", "spot-policy-3.json")
    with open(saved, encoding="utf-8") as f:
        assert json.load(f) == parts[2]["document"]
    w.key("5", "922761411349")
    w.key("Enter", "IAM > Roles > Create role")
    w.wait(words("tick Spot-Policy, Spot-Policy-2, Spot-Policy-3 and Spot-Policy-4"))
    w.wait(words("(item 6)"))
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130                  # left before connecting


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
