"""The wizard end to end: the real binary in a pty rendered by libvterm
(vt.py) at 80x24 and 120x40, against moto (IAM/STS) and the fake Spot.

Golden screens of every panel live in tests/ui/screens/wizard-*.screen
(UPDATE_GOLDEN=1 rewrites them; volatile text is normalised first, see
normalise()).  Walkthroughs: automatic, manual and console, each ending
connected; resize, Esc/Enter, NO_COLOR, --ascii, OSC 52, a stalled Spot
call, quit and resume, a tmux smoke test, TERM=dumb, and no secret on any
screen.  The wizard always uses the default names Spot-Role/Spot-Policy, so
every test first deletes them from moto (see world())."""

import atexit
import json
import os
import re
import signal
import ssl
import tempfile
import time
import urllib.request

import harness
import vt
import connect_env as ce
from connect_env import TOKEN
from test_connect import make_role_by_hand

suite = harness.Suite("wizard-ui")
suite.after_each(vt.close_all)

ROLE, POLICY = "Spot-Role", "Spot-Policy"
ACCOUNT = "123456789012"   # moto's, stable
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
RUN_SECONDS = 60           # a deadline for a connect phase (not a speed goal)


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------

def home_dir():
    """A fresh HOME of a fixed length (/tmp/scw-XXXXXXXX when /tmp is
    writable), so wrapped paths fall the same way on every machine."""
    base = "/tmp" if os.access("/tmp", os.W_OK) else None
    path = harness.TempDir(tempfile.mkdtemp(prefix="scw-", dir=base))
    atexit.register(path.remove)
    return path


def remove_wizard_iam():
    """Delete Spot-Role and Spot-Policy if an earlier test made them (much
    faster than a moto reset, which takes seconds)."""
    harness.moto().remove_role_and_policy(ROLE, POLICY)


def world(with_token=True):
    """No Spot-Role/Spot-Policy in moto, a clean Spot; returns (env, home)."""
    remove_wizard_iam()
    ce.fresh()
    return ce.env(with_token=with_token), home_dir()


def secrets():
    return {"spot token": TOKEN, "aws secret": harness.moto().secret_access_key}


_VOLATILE = [
    (re.compile(r"act-[0-9a-f]{8}"), "act-00000000"),
    (re.compile(r"spotinst:aws:extid:[a-z0-9]{16}"), "spotinst:aws:extid:" + "x" * 16),
    (re.compile(r"[|/\\-] Working\.\.\. \d+ s"), "| Working... N s"),
    (re.compile(r"AKIA[A-Z0-9]{16}"), "AKIA" + "X" * 16),     # moto's admin key ID
]


def normalise(text, home=None):
    """Screen text without what changes from run to run: Spot account IDs,
    generated External IDs, the temp HOME (shown as ~), elapsed seconds,
    moto's access key ID (an ID, not a secret).  The AWS account ID (moto's
    123456789012) and the role and policy names are stable and kept."""
    if home:
        text = text.replace(home, "~")
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text


class Wizard:
    """The wizard in a Session, with the checks every screen gets."""

    def __init__(self, env, home, args=(), rows=24, cols=80, term="xterm-256color"):
        self.env, self.home = env, home
        self.s = vt.binary_session(list(args), env=env, home=home, rows=rows, cols=cols,
                                   term=term)

    def screen(self):
        text = self.s.screen()
        harness.assert_no_secrets({"screen": text}, secrets())
        return text

    def wait(self, pattern, timeout=30):
        """Wait until the screen shows pattern (see Session.wait_for).  A
        check of what a screen shows is always such a wait: a frame may
        arrive in pieces, so the row that marks a panel can be on screen
        before the rest of it."""
        took = self.s.wait_for(pattern, timeout=timeout)
        self.screen()
        return took

    def key(self, name, then=None, timeout=30):
        """Press a key; with `then`, wait until the screen shows it.  The
        program is let finish the frame it is drawing first (settle), so
        a wait after the key cannot match rows a half-read frame had not
        yet overwritten."""
        self.s.settle()
        self.s.key(name)
        if then is not None:
            return self.wait(then, timeout)
        return None

    def type(self, text):
        self.s.settle()
        self.s.send(text)

    def settle(self):
        """Wait until the program is idle with its last frame read (for
        checks of what a screen must NOT show, or of attributes)."""
        self.s.settle()
        return self.screen()

    def golden(self, name):
        """Wait until the screen equals the golden screen (a frame may come
        in pieces, and a resize redraws after the terminal changed size),
        then compare: on the deadline the diff is the failure."""
        rows, cols = self.s.vt.rows, self.s.vt.cols
        full = f"wizard-{name}" if (rows, cols) == (24, 80) else f"wizard-{cols}x{rows}-{name}"
        path = os.path.join(vt.GOLDEN_DIR, full + ".screen")
        if os.environ.get("UPDATE_GOLDEN") != "1" and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                want = vt._normalise(f.read())
            try:
                self.s.wait_for(lambda t: vt._normalise(normalise(t, self.home)) == want)
            except AssertionError:
                pass                        # vt.golden below shows the diff
        else:
            self.s.settle()
        text = normalise(self.screen(), self.home)
        vt.golden(full, text)
        return text

    def exit_code(self, timeout=30):
        code = self.s.exit_code(timeout)
        harness.assert_no_secrets({"terminal output": self.s.raw()}, secrets())
        self.s.check_sanitizers()
        return code


def begin(w):
    w.wait("Press Enter to begin.")


def to_method(w):
    begin(w)
    w.key("Enter", "Which cloud account")
    w.key("Enter", "How should the IAM policy")


def to_spot(w, method_keys=()):
    """Welcome to the Spot panel (list loaded), the method chosen with keys."""
    to_method(w)
    for k in method_keys:
        w.key(k)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Step 5 of")
    if not method_keys:
        w.wait("Spot account(s) in this organization")


def to_manual_policy(w):
    to_spot(w, ["Down"])
    w.wait("Spot account(s) in this organization")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.key("Enter", "permission bundles")        # the manual path chooses them too
    w.key("Enter", "IAM > Policies > Create policy")
    w.wait("1-10/")
    w.wait("Spot's External ID is ready (item 3).")


def to_permissions(w):
    to_spot(w)
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "permission bundles")


def run_phase(w, done="Done. Press Enter to go on."):
    w.key("Enter")
    w.wait(done, timeout=RUN_SECONDS)


def trust_external_id(role=ROLE):
    st = ce.role_trust(role)["Statement"][0]
    return st["Condition"]["StringEquals"]["sts:ExternalId"]


def connected_account():
    """The one Spot account, which must hold the role as its credentials."""
    accounts = ce.spot().accounts
    assert len(accounts) == 1, accounts
    acct = next(iter(accounts.values()))
    assert acct["credentials"] and acct["credentials"]["iamRole"] == ROLE_ARN, acct
    assert acct["externalIds"] and trust_external_id() == acct["externalIds"][-1], acct
    return acct


def policy_text():
    """What `spot-connect policy` prints (pretty), without the newline that
    ends its output line: the document the copy pane holds."""
    r = harness.run_binary(["policy"])
    assert r.code == 0 and r.stdout.endswith("}\n"), r.describe()
    return r.stdout[:-1]


def spot_console(method, path, body=None):
    """The Spot console's side of the console method, as plain API calls."""
    ctx = ssl.create_default_context(cafile=harness.ca().ca_cert)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ctx))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(ce.spot().url + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {TOKEN}",
                                          "Content-Type": "application/json"})
    with opener.open(req, timeout=10) as resp:
        return json.load(resp)["response"]


def colours(s):
    return {(r, c) for r in range(s.vt.rows) for c in range(s.vt.cols)
            if s.attrs(r, c)["fg"] is not None or s.attrs(r, c)["bg"] is not None}


def row_attrs(s, text):
    pos = s.vt.find(text)
    assert pos is not None, f"{text!r} not on screen\n{s.dump()}"
    return s.attrs(*pos)


# ----------------------------------------------------------------------------
# Walkthroughs
# ----------------------------------------------------------------------------

@suite.test
def test_automatic_walkthrough_with_goldens():
    env, home = world()
    w = Wizard(env, home)
    begin(w)
    w.golden("welcome")
    w.key("Enter", "Which cloud account")
    w.golden("provider")
    w.key("Enter", "How should the IAM policy")
    w.golden("method")
    w.key("Enter", "Is this an AWS GovCloud")
    w.golden("partition")
    w.key("Down", "Spot's AWS account ID:")
    w.golden("partition-govcloud")
    w.key("Up")
    w.s.wait_for_not("Spot's AWS account ID:")
    w.key("Enter", "Spot account(s) in this organization")
    w.golden("spot")
    w.key("Enter", "Detected credentials")
    w.golden("login")
    w.key("Enter", "Verified:")
    w.golden("login-verified")
    w.key("Enter", "permission bundles")
    w.golden("permissions")
    w.key("Enter", "Press Enter to start.")
    w.golden("policy")
    run_phase(w)
    w.golden("policy-done")
    w.key("Enter", "create the role Spot-Role")
    w.wait("Press Enter to start.")
    w.golden("role")
    run_phase(w)
    w.golden("role-done")
    w.key("Enter", "hands the role to Spot")
    w.golden("connect")
    run_phase(w, "Connected: Spot accepted the role.")
    w.golden("connected")
    w.key("Enter", "Step 11 of 11: Done")
    w.golden("done")
    w.key("q")
    assert w.exit_code() == 0
    acct = connected_account()
    assert acct["name"] == f"aws-{ACCOUNT}", acct
    assert len(acct["externalIds"]) == 1, acct
    assert ce.spot().token_leaks == []


@suite.test
def test_manual_walkthrough_with_goldens():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Down")
    w.wait(re.compile(r"> \(.\) Manually"))
    w.golden("method-manual")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.golden("login-manual")
    w.key("Enter", "permission bundles")        # the manual path chooses them too
    w.key("Enter", "IAM > Policies > Create policy")
    w.wait("1-10/")
    w.wait("Spot's External ID is ready (item 3).")   # fetched in the background
    w.golden("policy-manual")
    w.key("Down", "2-11/")
    w.key("PgDn")
    w.s.wait_for_not("2-11/")
    w.golden("policy-manual-scrolled")
    w.key("2", "922761411349")
    w.golden("policy-manual-principal")
    w.key("4", "(not known yet)")
    w.key("c", "the role ARN is not known yet")
    w.key("3", "spotinst:aws:extid:")
    w.golden("policy-manual-external-id")
    w.key("p", "(press Enter to return)")    # printed plainly, outside the panel
    w.wait("External ID:")
    assert "Step 8" not in w.settle(), w.s.dump()
    w.key("Enter", "IAM > Policies > Create policy")
    acct_id, acct = next(iter(ce.spot().accounts.items()))
    ext = acct["externalIds"][0]
    w.key("Enter", "IAM > Roles > Create role")
    w.wait(ext)
    w.golden("role-manual")
    arn = make_role_by_hand(ROLE, ext, POLICY)
    assert arn == ROLE_ARN
    w.key("Enter", "Paste the ARN of the role")
    w.wait("the role ARN is empty")
    w.golden("connect-manual")
    w.type("arn:aws:iam::1234")
    w.wait("is not an ARN")
    w.golden("connect-manual-partial")
    w.key("Enter")                           # refused: nothing happens
    w.type(arn[len("arn:aws:iam::1234"):])
    w.wait("This is a role ARN of your account")
    w.wait(arn)                              # the ARN field shows the ARN, not stars
    w.golden("connect-manual-ready")
    w.key("C-u", "the role ARN is empty")
    # Pasted from a browser: bracketed, with spaces and a newline around it.
    # The newline is pasted text: only the Enter below hands the role over
    # (it used to start the call, so under load that Enter reached Done).
    w.type("\x1b[200~  " + arn + "\r\n\x1b[201~")
    w.wait("This is a role ARN of your account")
    text = w.settle()
    assert "Working..." not in text and "Connected:" not in text, w.s.dump()
    assert ce.spot().count_endpoint("setCredentials") == 0, ce.spot().endpoints()
    run_phase(w, "Connected: Spot accepted the role.")
    w.key("Enter", "Step 11 of 11: Done")
    w.golden("done-manual")
    w.key("q")
    assert w.exit_code() == 0
    assert connected_account()["id"] == acct_id
    assert ce.spot().external_ids(acct_id) == [ext]


@suite.test
def test_console_walkthrough_ends_connected():
    env, home = world(with_token=False)
    # The operator starts in the Spot console: an account and its External ID.
    acct_id = spot_console("POST", "/setup/account", {"account": {"name": "console-team"}})[
        "items"][0]["id"]
    ext = spot_console("POST", f"/setup/credentials/aws/externalId?accountId={acct_id}")[
        "items"][0]["externalId"]
    w = Wizard(env, home)
    begin(w)
    w.golden("welcome-no-token")
    w.key("Enter", "Which cloud account")
    w.key("Enter", "How should the IAM policy")
    w.wait(re.compile(r"> \(.\) Through the Spot console"))   # no token: preselected
    w.golden("method-no-token")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "External ID:")
    w.golden("spot-console")
    w.type("bad id")
    w.key("Enter", "has a character AWS does not allow")
    w.golden("spot-console-bad-id")
    w.key("C-u")
    w.type(ext)
    w.wait(ext)
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "permission bundles")
    w.key("Enter", "Press Enter to start.")
    w.golden("policy-console")
    run_phase(w)
    w.key("Enter", "create the role Spot-Role")
    run_phase(w)
    w.key("Enter", "paste this role ARN")
    w.wait(ROLE_ARN)
    w.golden("connect-console")
    w.key("Enter", "Step 11 of 11: Done")
    w.golden("done-console")
    w.key("q")
    assert w.exit_code() == 0
    assert trust_external_id() == ext
    assert ce.spot().accounts[acct_id]["credentials"] is None
    # Back in the console: Connect with the ARN the wizard showed.
    spot_console("POST", f"/setup/credentials/aws?accountId={acct_id}",
                 {"credentials": {"iamRole": ROLE_ARN}})
    assert connected_account()["id"] == acct_id


@suite.test
def test_goldens_at_120x40():
    env, home = world()
    w = Wizard(env, home, rows=40, cols=120)
    begin(w)
    w.golden("welcome")
    w.key("Enter", "Which cloud account")
    w.key("Enter", "How should the IAM policy")
    w.golden("method")
    w.key("Down")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.golden("spot")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.key("Enter", "permission bundles")        # the manual path chooses them too
    w.key("Enter", "IAM > Policies > Create policy")
    w.wait("1-26/")
    w.wait("Spot's External ID is ready (item 3).")
    w.golden("policy-manual")


# ----------------------------------------------------------------------------
# Terminal behaviour
# ----------------------------------------------------------------------------

@suite.test
def test_resize_mid_step_and_too_small():
    env, home = world()
    w = Wizard(env, home)
    to_permissions(w)
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    w.key("Enter", "create the role Spot-Role")
    run_phase(w)
    w.key("Enter", "hands the role to Spot")
    ce.spot().propagation_delay = 4          # Spot cannot assume the new role yet
    w.key("Enter", "Working...")
    w.s.resize(40, 120)
    w.wait(lambda t: t.split("\n")[0].endswith("Step 10 of 11: Connect")
           and len(t.split("\n")[0]) == 119 and "Working..." in t)
    w.s.resize(20, 60)
    w.wait("Terminal too small")
    w.golden("too-small")
    for k in ("Enter", "Esc", "Down"):           # nothing acts on an unseen panel
        w.key(k)
    w.key("q", "Quit? Your progress is saved.")
    w.golden("too-small-quit")
    w.key("n", "Enlarge the window")
    w.s.resize(24, 80)
    w.wait("Step 10 of 11: Connect")
    w.wait("Connected: Spot accepted the role.", timeout=RUN_SECONDS)
    w.golden("connected")                    # as drawn without the resizes
    w.s.resize(40, 120)
    w.wait(lambda t: len(t.split("\n")) == 40 and "Connected:" in t)
    w.golden("connected")
    w.s.resize(24, 80)
    w.key("Enter", "Step 11 of 11: Done")
    w.key("q")
    assert w.exit_code() == 0
    connected_account()


@suite.test
def test_starts_too_small_then_recovers():
    env, home = world()
    w = Wizard(env, home, rows=20, cols=60)
    w.wait(lambda t: "Terminal too small: spot-connect needs 80x24, this one is\n60x20." in t)
    w.key("Enter")
    w.s.resize(24, 80)
    w.wait("Press Enter to begin.")
    w.wait("Step 1 of 11: Welcome")
    # A resize right behind a key, while the program is busy with the key,
    # is not lost until the next key (the signal arrives outside the wait).
    for i in range(12):
        rows, cols, want = (20, 60, "Terminal too small") if i % 2 == 0 else \
            (24, 80, "Press Enter to begin.")
        w.s.send(w.s.vt.key_bytes("C-l"))
        w.s.resize(rows, cols)
        w.s.wait_for(want)


@suite.test
def test_esc_back_and_enter_forward_keep_answers():
    env, home = world()
    existing = ce.spot().add_account("existing-team")
    w = Wizard(env, home)
    begin(w)
    w.key("Esc")                                 # nowhere to go back to
    w.key("C-l")
    w.wait("Step 1 of 11: Welcome")
    w.key("Enter", "Which cloud account")
    w.key("Enter", "How should the IAM policy")
    w.key("Down")
    w.key("Enter", "AWS > Linked Account > Manually")
    w.key("Esc", "How should the IAM policy")
    w.wait(re.compile(r"> \(.\) Manually"))     # the answer is kept
    w.key("Up")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Down")
    w.key("Down")
    w.key("Tab")
    w.type("922761411349")
    w.key("Enter", "Spot account(s) in this organization")  # China, Spot's account given
    w.wait("AWS > Linked Account > Automatically > China")
    w.key("Esc", "Is this an AWS GovCloud")
    w.wait(re.compile(r"> \(.\) China"))
    w.wait("922761411349")
    w.key("Up")
    w.key("Up")
    w.key("Enter", "Spot account(s) in this organization")
    w.wait(f"{existing}  existing-team")
    w.key("Tab")
    w.key("C-u")
    w.type("my-team")
    w.key("Enter", "Detected credentials")
    w.key("Esc", "New name: my-team")           # the name is kept, in clear
    w.wait("Spot account(s) in this organization")
    w.key("Up")
    w.key("Enter", "Detected credentials")
    w.key("Esc", "Spot account(s) in this organization")
    w.wait(re.compile(r"> \(.\) " + existing))  # the pick is kept too
    w.key("Enter", "Detected credentials")
    w.key("Enter", "Verified:")
    w.key("Enter", "permission bundles")
    w.key("Space", "[ ] OpsWorks")
    w.key("Enter", "Press Enter to start.")
    w.key("Esc", "[ ] OpsWorks")
    w.key("F1", "Keys here:")                   # help inside the screen
    w.key("Esc")                                 # closes help, not the panel
    w.s.wait_for_not("Keys here:")
    w.wait("[ ] OpsWorks")
    w.key("Enter", "Press Enter to start.")
    w.wait("Step 8 of 11")
    w.key("C-c", "Quit?")                        # as q does
    w.key("n")
    w.s.wait_for_not("Quit?")
    w.key("Enter", "Working...")
    assert w.s.running()


@suite.test
def test_no_color_env_and_option():
    env, home = world()
    for extra, args in (({"NO_COLOR": "1"}, []), ({}, ["--no-color"])):
        w = Wizard(dict(env, **extra), home, args=args)
        to_method(w)
        s = w.s
        w.settle()
        assert not colours(s), f"{extra or args}: colour used\n{s.dump()}"
        focus = row_attrs(s, "> (")
        assert focus["reverse"] and focus["bold"], focus
        header = row_attrs(s, "spot-connect: Connect AWS Account")
        assert header["reverse"], header
        w.key("Down")
        w.key("Enter", "Is this an AWS GovCloud")
        w.key("Enter", "Spot account(s) in this organization")
        w.key("Tab")
        w.key("C-u")
        w.key("Enter", "needs at least one letter")   # an error, without colour
        w.settle()
        err = row_attrs(s, "a Spot account name needs")
        assert err["reverse"] or err["bold"] or err["underline"], err
        assert not colours(s), s.dump()
        w.key("Tab")                                  # off the field: q is a key again
        w.key("q", "Quit?")
        w.key("y")
        assert w.exit_code() == 130
    # Colour is the default otherwise.
    w = Wizard(env, home)
    begin(w)
    w.settle()
    assert colours(w.s), "the default theme uses colour"


@suite.test
def test_ascii_option_draws_no_utf8_glyphs():
    env, home = world()
    w = Wizard(env, home, args=["--ascii"])
    to_permissions(w)
    w.wait("[x] OpsWorks")
    w.golden("permissions-ascii")
    w.key("Enter", "Press Enter to start.")
    bad = sorted({ch for ch in w.settle() if ord(ch) > 127})
    assert not bad, f"non-ASCII on screen with --ascii: {bad}\n{w.s.dump()}"
    w.key("Esc", "permission bundles")
    w.key("Esc", "Detected credentials")
    w.key("Esc", "Spot account(s)")
    w.wait("(*) Create a new Spot account")
    assert not any(ord(ch) > 127 for ch in w.settle()), w.s.dump()
    # Without --ascii, the UTF-8 marks are used (so the check above means something).
    w2 = Wizard(env, home)
    to_permissions(w2)
    w2.wait("[\u2713] OpsWorks")


@suite.test
def test_osc52_copy_is_the_policy_exactly():
    env, home = world()
    w = Wizard(env, home)
    to_manual_policy(w)
    mark = w.s.mark()
    w.key("c", "policy sent to the terminal clipboard (OSC 52)")
    w.golden("policy-manual-copied")
    found = vt.parse_osc52(w.s.raw_since(mark))
    assert len(found) == 1, found
    entry = found[0]
    assert entry["target"] == "c" and entry["wrap"] == "none", entry
    expected = policy_text()
    assert entry["text"] == expected, (len(entry["text"] or ""), len(expected))
    saved = os.path.join(home, ".local", "state", "spot-connect", "spot-policy.json")
    with open(saved) as f:
        assert f.read() == expected
    # Another item, another payload: the External ID the panel shows.
    w.key("3", "spotinst:aws:extid:")
    mark = w.s.mark()
    w.key("c", "External ID sent to the terminal clipboard")
    ext = next(iter(ce.spot().accounts.values()))["externalIds"][0]
    assert [e["text"] for e in vt.parse_osc52(w.s.raw_since(mark))] == [ext]


@suite.test
def test_stalled_spot_call_keeps_keys_responsive():
    env, home = world()
    w = Wizard(env, home)
    to_method(w)
    w.key("Enter", "Is this an AWS GovCloud")
    # Far longer than any deadline here: the call cannot end while the test
    # runs, so every answer below came while it was stalled.  How fast the
    # keys were answered is a figure for bench/ui.py, noted, not judged.
    ce.spot().set_mode("stall", endpoint="listAccounts", seconds=600)
    w.key("Enter", "Working...")
    assert ce.spot().wait_for("listAccounts", timeout=30 * harness.timeout_factor())
    w.s.settle()                                 # idle, waiting on the call
    w.s.key("q")
    took = w.s.wait_for("Quit?")
    harness.note(f"quit prompt {took * 1000:.0f} ms after q, Spot stalled")
    w.golden("quit-prompt")
    w.s.key("n")
    w.s.wait_for_not("Quit?")
    w.wait("Working...")                         # the call still runs ...
    assert ce.spot().count_endpoint("listAccounts") == 1   # ... the first one, no retry
    w.s.key("Esc")                               # cancels the call, stays here
    took = w.s.wait_for("interrupted")
    harness.note(f"cancelled {took * 1000:.0f} ms after Esc, Spot stalled")
    w.wait("Step 5 of 11: Spot account")
    # Ended by the cancel: not by a timeout, and not repeated.
    assert ce.spot().count_endpoint("listAccounts") == 1, ce.spot().endpoints()
    ce.spot().clear()
    # Stalled again, quitting does not wait for the call either: the exit
    # comes well inside the program's own 30 s HTTP timeout (with no retry
    # of the call), while the stall would last 600 s.
    w.key("Esc", "Is this an AWS GovCloud")
    ce.spot().set_mode("stall", endpoint="listAccounts", seconds=600)
    w.key("Enter", "Working...")
    assert ce.spot().wait_for("listAccounts", n=2, timeout=30 * harness.timeout_factor())
    w.key("q", "Quit?")
    start = time.monotonic()
    w.key("y")
    assert w.exit_code(timeout=20 / harness.timeout_factor()) == 130
    harness.note(f"exited {time.monotonic() - start:.2f} s after y, Spot stalled")
    assert ce.spot().count_endpoint("listAccounts") == 2, ce.spot().endpoints()


@suite.test
def test_quit_midway_then_resume_to_connected():
    env, home = world()
    w = Wizard(env, home)
    to_permissions(w)
    w.key("Enter", "Press Enter to start.")
    run_phase(w)
    w.key("q", "Quit? Your progress is saved")
    w.key("y")
    assert w.exit_code() == 130
    assert "state saved in" in w.s.raw().decode(errors="replace")
    acct_id, acct = next(iter(ce.spot().accounts.items()))
    ext = acct["externalIds"][0]
    w.s.close()
    w = Wizard(env, home)
    w.wait("A connection in progress was found")
    w.golden("welcome-resume")
    w.key("r", "Step 9 of 11: Create IAM role")
    w.wait("Press Enter to start.")
    run_phase(w)
    w.wait("(saved; never generated twice)")
    w.key("Enter", "hands the role to Spot")
    run_phase(w, "Connected: Spot accepted the role.")
    w.key("Enter", "Step 11 of 11: Done")
    w.wait("The AWS account is connected to Spot.")
    w.key("q")
    assert w.exit_code() == 0
    assert connected_account()["id"] == acct_id
    assert ce.spot().external_ids(acct_id) == [ext]
    assert ce.spot().count_endpoint("generateExternalId") == 1


@suite.test
def test_relaunch_after_connecting_shows_the_connection():
    env, home = world()
    r = harness.run_binary(["connect", "--method", "automatic", "--yes"], env=env, home=home)
    assert r.code == 0, r.describe()
    acct_id = connected_account()["id"]
    w = Wizard(env, home)
    w.wait("was connected to Spot before")
    w.golden("welcome-connected")
    w.key("r", "Step 11 of 11: Done")
    w.wait("The AWS account is connected to Spot.")
    w.wait(lambda text: f"Spot account: {acct_id}" in text and f"Role ARN:     {ROLE_ARN}" in text
           and f"State file: {home}" in text)
    w.golden("done-resumed")
    w.key("q")
    assert w.exit_code() == 0
    assert ce.spot().count_endpoint("generateExternalId") == 1


@suite.test
def test_typed_secrets_are_masked_never_shown():
    env, home = world(with_token=False)
    moto = harness.moto()
    w = Wizard(env, home)
    to_method(w)
    w.key("Up")
    w.key("Up")
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot token:")
    w.golden("spot-token")
    w.type(TOKEN)
    w.wait("*" * len(TOKEN))
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Detected credentials")
    w.key("End", "Access key ID:")     # the last item: typed keys
    w.key("Tab")
    w.type(moto.access_key_id)
    w.wait(moto.access_key_id)                   # a key ID is no secret: shown
    w.key("Tab")
    w.type(moto.secret_access_key)
    w.wait(re.compile(r"Secret access key:\s+\*{20}"))
    w.golden("login-keys")
    w.key("Enter", "Verified:")
    w.key("Tab")                                 # off the fields: q is a key again
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_real_cursor_follows_the_focus():
    """Screen readers and braille displays follow the terminal cursor."""
    env, home = world()
    w = Wizard(env, home)
    to_method(w)

    def focus_row(text):
        return next((i for i, line in enumerate(text.split("\n"))
                     if "> " in line and "Automatically" in line), None)
    w.wait(lambda t: focus_row(t) is not None)
    row = focus_row(w.screen())
    w.s.wait_for(lambda _: w.s.cursor()[0] == row)   # dump on the deadline shows it
    w.key("Down")
    w.s.wait_for(lambda _: w.s.cursor()[0] == row + 1)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Down", "Spot's AWS account ID:")
    w.key("Tab")
    field = next(i for i, line in enumerate(w.s.lines()) if "Spot's AWS account ID:" in line)
    w.s.wait_for(lambda _: w.s.cursor()[0] == field)


@suite.test
def test_instance_role_is_a_credential_source():
    from peers.metadata import ImdsServer
    creds = harness.moto().temporary_credentials(session_name="wizard-imds")
    env, home = world()
    with ImdsServer() as imds:
        imds.set_credentials_dict(creds)
        env = dict(env, AWS_EC2_METADATA_DISABLED=None, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        w = Wizard(env, home)
        to_spot(w)
        w.key("Enter", "Which AWS credentials")
        w.key("Down", re.compile(r"> \(.\) Instance role"))
        w.key("Enter", "Verified: arn:aws:sts::")
        w.wait(":assumed-role/")
        assert imds.token_puts >= 1, w.s.dump()
        harness.assert_no_secrets({"screen": w.screen()}, {"token": creds["SessionToken"]})


@suite.test
def test_sigterm_restores_the_terminal():
    env, home = world()
    w = Wizard(env, home)
    begin(w)
    mark = w.s.mark()
    os.kill(w.s.pid, signal.SIGTERM)
    assert w.exit_code() == 130
    tail = w.s.raw_since(mark)
    assert b"\x1b[?2004l" in tail, "bracketed paste left on"
    assert b"\x1b[?1049l" in tail, "alternate screen not left"


@suite.test
def test_term_dumb_refuses_with_one_line():
    env, home = world()
    w = Wizard(env, home, term="dumb")
    code = w.exit_code()
    out = w.s.raw().decode(errors="replace").strip().splitlines()
    assert code != 0 and len(out) == 1, (code, out)
    assert "spot-connect connect" in out[0] and "TERM=dumb" in out[0], out


@suite.test
def test_tmux_smoke_copy_reaches_paste_buffer():
    env, home = world()
    with vt.Tmux(rows=24, cols=80) as t:
        argv = harness.wrapper() + [harness.binary_path()]
        t.run(argv, env=vt.tui_env(env, home))
        t.wait_for("Press Enter to begin.")
        assert "inside tmux" in t.capture(), t.capture()
        for want in ("Which cloud account", "How should the IAM policy"):
            t.send_keys("Enter")
            t.wait_for(want)
        t.send_keys("Down")
        for want in ("Is this an AWS GovCloud", "Spot account(s)", "Open https://console",
                     "permission bundles", "External ID is ready"):
            t.send_keys("Enter")
            t.wait_for(want)
        t.send_keys("c", literal=True)
        t.wait_for("tmux's paste buffer")
        harness.assert_no_secrets({"tmux pane": t.capture()}, secrets())
        assert t.show_buffer() == policy_text()
        t.send_keys("q", literal=True)
        t.wait_for("Quit?")
        t.send_keys("y", literal=True)
        t.exit_code()


@suite.test
def test_spot_step_preselects_the_linked_account_and_names_its_role():
    env, home = world()
    ce.spot().add_account("someone-else")
    linked = ce.spot().add_account("linked-team", aws_account_id=ACCOUNT, iam_role=ROLE_ARN)
    w = Wizard(env, home)
    to_spot(w)
    w.wait(f"{linked}  linked-team")
    w.wait(f"(linked to this AWS account, role {ROLE})")
    w.wait(re.compile(r"> \(.\) " + linked))     # preselected, not "Create a new"
    w.key("C-c", "Quit?")
    w.key("y")


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
