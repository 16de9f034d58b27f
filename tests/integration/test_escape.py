"""Text from outside is shown, never obeyed (issue 8 §5): a role ARN, a
Spot account name or an API error message holding an escape sequence
reaches stdout, stderr and the screen with its control characters as \\xNN
(util/escape.h), JSON output as JSON escapes; the terminal never gets the
sequence itself.  CLI against moto and the Spot fake, and the wizard on the
virtual terminal (vt.py), whose raw output stream is checked byte by byte."""

import json
import re

import harness
import vt
import connect_env as ce
from connect_env import connect, fresh
from test_wizard import Wizard, to_method, to_spot, world

suite = harness.Suite("escape")
suite.after_each(vt.close_all)
T = {}

OSC52 = "\x1b]52;c;SGk=\x07"          # a clipboard write
OSC52_SHOWN = "\\x1b]52;c;SGk=\\x07"
TITLE = "\x1b]0;pwned\x07"            # a window title
TITLE_SHOWN = "\\x1b]0;pwned\\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b2J"                     # U+009B, CSI as one C1 control


@suite.before_each
def _fresh():
    T.clear()
    T.update(fresh())


def no_raw_controls(r):
    """Nothing the program wrote may drive the terminal: no ESC, BEL or C1
    CSI on stdout or stderr (JSON escapes them as \\u001B ...)."""
    for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
        for bad in ("\x1b", "\x07", "\x9b"):
            assert bad not in text, f"raw {bad!r} on {name}\n{r.describe()}"


@suite.test
def test_role_arn_with_osc52_is_escaped():
    arn = "arn:aws:iam::123456789012:role/" + OSC52
    r = connect(T, "--role-arn", arn, method="manual")
    assert r.code != 0, r.describe()
    no_raw_controls(r)
    assert OSC52_SHOWN in r.stderr, r.describe()


@suite.test
def test_role_arn_with_c1_and_invalid_utf8_is_escaped():
    arn = "arn:aws:iam::123456789012:role/X" + C1_CSI + TITLE
    r = connect(T, "--role-arn", arn, method="manual")
    assert r.code != 0, r.describe()
    no_raw_controls(r)
    assert "\\x9b2J" in r.stderr and TITLE_SHOWN in r.stderr, r.describe()


NAME = "team" + TITLE + CLEAR + "\u009b31m"
NAME_SHOWN = "team" + TITLE_SHOWN + "\\x1b[2J\\x9b31m"


def no_raw_in_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for bad in ("\x1b", "\x07", "\x9b"):
        assert bad not in text, f"raw {bad!r} in {path}: {text[-500:]!r}"
    return text


def strings(v):
    """Every string value in a parsed JSON document."""
    if isinstance(v, dict):
        return [s for x in v.values() for s in strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in strings(x)]
    return [v] if isinstance(v, str) else []


@suite.test
def test_account_name_with_escapes_is_escaped_everywhere():
    r = connect(T, "--spot-account-name", NAME, "--verbose")
    assert r.code == 0, r.describe()
    no_raw_controls(r)
    assert NAME_SHOWN in r.stderr, r.describe()
    # The name reached Spot as it is: only what is shown of it is escaped.
    assert [a["name"] for a in ce.spot().accounts.values()] == [NAME]
    # The state file is JSON with the name as JSON escapes it (C1 too), and
    # reads back as the same name.
    state = no_raw_in_file(ce.state_file(T))
    assert '"team\\u001B]0;pwned\\u0007\\u001B[2J\\u009B31m"' in state, state
    assert NAME in strings(json.loads(state)), state
    no_raw_in_file(json.loads(r.stdout)["logPath"])


@suite.test
def test_existing_account_name_with_escapes_in_output():
    """A name another tool gave the account, read back from Spot's list."""
    name = "evil" + TITLE + OSC52
    ce.spot().add_account(name)
    r = connect(T, "--spot-account-name", name, "--verbose")
    assert r.code == 0, r.describe()
    no_raw_controls(r)
    assert "evil" + TITLE_SHOWN + OSC52_SHOWN in r.stderr, r.describe()
    r = harness.run_binary(["status"], env=ce.env(), home=T["home"])
    no_raw_controls(r)


@suite.test
def test_spot_error_message_is_escaped():
    msg = "bad role " + OSC52 + TITLE + CLEAR + "\u009b" + " end"
    ce.spot().set_mode("error", times=None, status=400, code="BAD" + TITLE, message=msg)
    r = connect(T, "--verbose")
    ce.spot().clear()
    assert r.code != 0, r.describe()
    no_raw_controls(r)
    assert "bad role " + OSC52_SHOWN + TITLE_SHOWN + "\\x1b[2J\\x9b end" in r.stderr, r.describe()
    assert "BAD" + TITLE_SHOWN in r.stderr, r.describe()


@suite.test
def test_spot_hostile_body_is_escaped():
    body = '{"response":{"errors":[{"code":"X\\u001b[2J","message":"m\\u001b]0;pwned\\u0007' \
           '\\u009b"}]}}'
    ce.spot().set_mode("body", times=None, status=400, body=body)
    r = connect(T, "--verbose")
    ce.spot().clear()
    assert r.code != 0, r.describe()
    no_raw_controls(r)
    assert "X\\x1b[2J: m" + TITLE_SHOWN + "\\x9b" in r.stderr, r.describe()
    # Not JSON at all: an HTML page with raw escapes.
    ce.spot().set_mode("body", times=None, status=502, body="<html>\x1b]0;pwned\x07\x9b</html>")
    r = connect(T, "--verbose")
    ce.spot().clear()
    assert r.code != 0, r.describe()
    no_raw_controls(r)


# ---- the wizard on the virtual terminal ----

def assert_never_sent(w, *payloads):
    """The raw output stream (every byte the program wrote) never holds the
    injected sequences: only the program's own escape sequences reach the
    terminal."""
    w.settle()
    raw = w.s.raw()
    for p in payloads:
        assert p.encode() not in raw, f"{p!r} reached the terminal\n{w.s.dump()}"
    assert b"\xc2\x9b" not in raw, w.s.dump()


def to_arn_field(w):
    to_method(w)
    w.key("Down")
    w.wait(re.compile(r"> \(.\) Manually"))
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Spot account(s) in this organization")
    w.key("Enter", "Open https://console.aws.amazon.com/")
    w.key("Enter", "permission bundles")  # the manual path chooses them too
    w.key("Enter", "IAM > Policies > Create policy")
    w.wait("Spot's External ID is ready (item 3).")
    w.key("Enter", "IAM > Roles > Create role")
    w.key("Enter", "Paste the ARN of the role")
    w.wait("the role ARN is empty")


@suite.test
def test_wizard_pasted_arn_with_escapes_is_shown_escaped():
    env, home = world()
    w = Wizard(env, home, cols=120)
    to_arn_field(w)
    arn = "arn:aws:iam::123456789012:role/X" + OSC52 + TITLE
    w.type("\x1b[200~" + arn + "\x1b[201~")
    # Pasted ESC is text: the field keeps it, drawn as \xNN, and the panel
    # stays (an ESC used to be read as the Esc key: back a panel).
    w.wait("role/X" + OSC52_SHOWN + TITLE_SHOWN)
    assert "Paste the ARN of the role" in w.screen(), w.s.dump()
    assert_never_sent(w, OSC52, TITLE, "\x1b]52;c;SGk=", "\x1b]0;pwned")
    w.key("Enter")                            # refused: the ARN is checked first
    assert_never_sent(w, OSC52, TITLE, "\x1b]52;c;SGk=", "\x1b]0;pwned")
    assert ce.spot().count_endpoint("setCredentials") == 0, ce.spot().endpoints()


@suite.test
def test_wizard_typed_escape_never_reaches_the_terminal():
    env, home = world()
    w = Wizard(env, home, cols=120)
    to_arn_field(w)
    w.type("arn:aws:iam::123456789012:role/Y" + TITLE + CLEAR)
    assert_never_sent(w, TITLE, "\x1b]0;pwned")


@suite.test
def test_wizard_account_name_with_escapes_in_the_list():
    env, home = world()
    ce.spot().add_account("evil" + TITLE + OSC52 + "\u009b2J")
    w = Wizard(env, home, cols=120)
    to_spot(w)
    w.wait("evil" + TITLE_SHOWN + OSC52_SHOWN + "\\x9b2J")
    assert_never_sent(w, TITLE, OSC52, "\x1b]0;pwned", "\x1b]52;c;SGk=")


@suite.test
def test_wizard_spot_error_with_escapes_is_shown_escaped():
    env, home = world()
    ce.spot().set_mode("error", times=None, endpoint="listAccounts", status=400,
                       code="BAD", message="m" + TITLE + OSC52)
    try:
        w = Wizard(env, home, cols=120)
        to_method(w)
        w.key("Enter", "Is this an AWS GovCloud")
        w.key("Enter")
        w.wait("m" + TITLE_SHOWN + OSC52_SHOWN)
        assert_never_sent(w, TITLE, OSC52, "\x1b]0;pwned", "\x1b]52;c;SGk=")
    finally:
        ce.spot().clear()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
