"""The wizard and the Spot token: the Welcome panel says why a configured
token is not used, and a token Spot rejects (401) keeps the operator on the
Spot account panel, on the masked token field. Same peers and helpers as
test_wizard.py (the real binary in a pty, libvterm, moto, the fake Spot)."""

import re

import harness
import connect_env as ce
from connect_env import TOKEN
from test_wizard import Wizard, begin, secrets, to_method, world

suite = harness.Suite("wizard-tokens")


def flat(text):
    """The screen as one line: frame glyphs and wrapping do not matter."""
    return re.sub(r"[\s│|]+", " ", text)


@suite.test
def test_welcome_says_why_a_token_is_not_used():
    env, home = world(with_token=False)
    harness.write_file(f"{home}/.spotinst/credentials", "[default]\ntoken = two words\n")
    w = Wizard(env, home)
    begin(w)
    w.wait("Spot token: not used")
    assert "contains spaces or control characters" in flat(w.screen()), w.screen()
    assert "two words" not in w.screen(), w.screen()
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_welcome_names_a_missing_profile():
    env, home = world(with_token=False)
    env["SPOTINST_PROFILE"] = "nosuch"
    harness.write_file(f"{home}/.spotinst/credentials", f"[default]\ntoken = {TOKEN}\n")
    w = Wizard(env, home)
    begin(w)
    w.wait("Spot token: not used")
    assert "profile `nosuch` (SPOTINST_PROFILE) is not in" in flat(w.screen()), w.screen()
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


def rejected_detected_token():
    """A wrong SPOTINST_TOKEN, up to Spot's 401 on the Spot account panel."""
    env, home = world()
    env["SPOTINST_TOKEN"] = "not-the-right-token-0000"
    w = Wizard(env, home)
    to_method(w)
    w.key("Enter", "Is this an AWS GovCloud")
    w.key("Enter", "Step 5 of")
    w.wait("Spot rejected the token")
    return w


@suite.test
def test_rejected_token_keeps_the_spot_panel_on_the_token_field():
    w = rejected_detected_token()
    w.wait("Spot token:")
    w.key("Enter", "type the token")          # still here: nothing typed yet
    assert "Step 5 of" in w.screen(), w.screen()
    w.type(TOKEN)
    w.wait("*" * len(TOKEN))                   # the field has the focus, masked
    w.key("Enter", "Spot account(s) in this organization")
    assert "Step 5 of" in w.screen(), w.screen()
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130


@suite.test
def test_welcome_says_spot_rejected_the_detected_token():
    w = rejected_detected_token()
    for _ in range(6):                          # Esc back, panel by panel
        if "Press Enter to begin" in w.screen():
            break
        w.key("Esc")
        w.settle()
    w.wait("Press Enter to begin")
    text = flat(w.screen())
    assert "Spot token: not used: Spot rejected the token from SPOTINST_TOKEN (HTTP 401)" in text, text
    assert "not-the-right-token" not in w.screen(), w.screen()
    w.key("q", "Quit?")
    w.key("y")
    assert w.exit_code() == 130

if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        ce.stop_peers()
