"""The virtual-terminal harness itself (vt.py), with small programs that
exist on every test machine, so a failing wizard test can be trusted to be
the wizard's fault.  Needs libvterm (skips otherwise) and tmux for the
Tmux cases; runs in a few seconds and every wait has a deadline.  No case
asserts how fast something happened: what a deadline bounds is shown by
the reason a wait ended (the program still running, the terminal closed),
so a loaded machine makes the suite slower, never red."""

import base64
import os
import re
import signal
import sys
import time

import harness
import vt

suite = harness.Suite("vt")
suite.after_each(vt.close_all)

PY = sys.executable


def sh(script, rows=24, cols=80, **env):
    """A Session running `sh -c script` with TERM=xterm-256color."""
    return vt.Session(["sh", "-c", script], vt.tui_env(env), rows=rows, cols=cols)


def py(code, rows=24, cols=80):
    """A Session running a python3 one-off (for raw mode and exact bytes)."""
    return vt.Session([PY, "-c", code], vt.tui_env(), rows=rows, cols=cols)


def gone(pid):
    """True when pid no longer exists or is a zombie (an orphan is reaped
    by init, which may be slow to do it in a container)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# ----------------------------------------------------------------------------
# VTerm alone
# ----------------------------------------------------------------------------

@suite.test
def test_vterm_cursor_addressing_places_text():
    v = vt.VTerm(5, 20)
    v.feed(b"\x1b[2;5Hhi\x1b[4;1Hthere\x1b[1;20HZ")
    assert v.lines() == ["                   Z", "    hi", "", "there", ""], v.lines()
    assert v.text().split("\n")[1] == "    hi"
    assert v.cursor() == (0, 19), v.cursor()


@suite.test
def test_vterm_utf8_and_cjk_width_even_split_byte_by_byte():
    v = vt.VTerm(3, 20)
    for byte in "ü测试x".encode():
        v.feed(bytes([byte]))
    assert v.lines()[0] == "ü测试x", v.lines()
    assert v.cursor() == (0, 6), v.cursor()                  # 1 + 2 + 2 + 1 cells
    assert v.attrs(0, 1)["char"] == "测" and v.attrs(0, 1)["width"] == 2
    assert v.attrs(0, 2)["char"] == ""                        # its right half
    assert v.find("x") == (0, 5) and v.find("试") == (0, 3)


@suite.test
def test_vterm_attributes_and_attr_grid():
    v = vt.VTerm(2, 10)
    v.feed(b"\x1b[1mB\x1b[0m\x1b[7mR\x1b[0m\x1b[4mU\x1b[0m\x1b[31;42mC"
           b"\x1b[0;38;5;200mX\x1b[38;2;1;2;3mY\x1b[0mn")
    b, r, u, c, x, y, n = (v.attrs(0, i) for i in range(7))
    assert b["bold"] and not b["reverse"] and b["fg"] is None, b
    assert r["reverse"] and not r["bold"], r
    assert u["underline"] and not u["reverse"], u
    assert c["fg"] == 1 and c["bg"] == 2, c
    assert x["fg"] == 200 and x["bg"] is None, x
    assert y["fg"] == (1, 2, 3), y
    assert not any(n[k] for k in ("bold", "reverse", "underline")) and n["fg"] is None, n
    assert v.attr_lines()[0] == "142888", v.attr_lines()   # n is plain


@suite.test
def test_vterm_resize_keeps_text_and_changes_size():
    v = vt.VTerm(5, 20)
    v.feed(b"hello")
    v.resize(8, 30)
    assert len(v.lines()) == 8 and v.lines()[0] == "hello" and (v.rows, v.cols) == (8, 30)
    v.feed(b"\x1b[8;30HE")
    assert v.lines()[7] == " " * 29 + "E", v.lines()


@suite.test
def test_vterm_alt_screen_cursor_visibility_title_bell():
    v = vt.VTerm(3, 20)
    v.feed(b"primary\x1b[?1049h\x1b[2J\x1b[HALT\x1b[?25l\x1b]2;My title\x07\x07")
    assert v.lines()[0] == "ALT" and v.altscreen and not v.cursor_visible, v.lines()
    assert v.title == "My title" and v.bells == 1, (v.title, v.bells)
    v.feed(b"\x1b[?1049l\x1b[?25h")
    assert v.lines()[0] == "primary" and not v.altscreen and v.cursor_visible, v.lines()


@suite.test
def test_key_names_follow_cursor_key_mode():
    v = vt.VTerm(3, 10)
    expect = {"Enter": b"\r", "Esc": b"\x1b", "Tab": b"\t", "BTab": b"\x1b[Z",
              "Up": b"\x1b[A", "Down": b"\x1b[B", "Right": b"\x1b[C", "Left": b"\x1b[D",
              "PgUp": b"\x1b[5~", "PgDn": b"\x1b[6~", "Home": b"\x1b[H", "End": b"\x1b[F",
              "F1": b"\x1bOP", "F2": b"\x1bOQ", "F5": b"\x1b[15~", "Backspace": b"\x7f",
              "Space": b" ", "Delete": b"\x1b[3~", "C-c": b"\x03", "C-l": b"\x0c",
              "C-[": b"\x1b", "M-x": b"\x1bx", "C-Up": b"\x1b[1;5A", "y": b"y", "é": "é".encode()}
    for name, want in expect.items():
        assert v.key_bytes(name) == want, (name, v.key_bytes(name), want)
    v.feed(b"\x1b[?1h\x1b=")                        # smkx, as ncurses keypad() sends
    for name, want in {"Up": b"\x1bOA", "Down": b"\x1bOB", "Home": b"\x1bOH",
                       "End": b"\x1bOF", "PgDn": b"\x1b[6~"}.items():
        assert v.key_bytes(name) == want, (name, v.key_bytes(name), want)
    try:
        v.key_bytes("Hyper-Q")
    except ValueError:
        pass
    else:
        raise AssertionError("unknown key name accepted")


# ----------------------------------------------------------------------------
# Session: a program in a pty
# ----------------------------------------------------------------------------

@suite.test
def test_tput_cursor_addressing_in_a_pty():
    s = sh("tput clear; tput cup 5 10; printf X; tput cup 0 0; printf top; sleep 600")
    s.wait_for("top")
    assert s.lines()[5] == " " * 10 + "X" and s.lines()[0] == "top", s.dump()
    assert s.cursor() == (0, 3), s.cursor()


@suite.test
def test_pty_size_and_resize_reach_the_child():
    s = sh("trap 'echo winch; stty size' WINCH; stty size; "
           "while :; do sleep 0.02; done", rows=24, cols=80)
    s.wait_for("24 80")
    s.resize(30, 100)
    s.wait_for("30 100")
    assert len(s.lines()) == 30 and s.vt.cols == 100 and "winch" in s.screen(), s.dump()
    s.resize(10, 40)                                    # below 80x24 as well
    s.wait_for("10 40")
    s.winch()                                           # an explicit SIGWINCH too
    s.wait_for(lambda text: text.count("10 40") == 2)


@suite.test
def test_keys_arrive_as_bytes_through_the_pty():
    s = py("import os, sys, tty\n"
           "tty.setraw(0)\n"
           "os.write(1, b'\\x1b[?1h' if 'app' in sys.argv else b'')\n"
           "os.write(1, b'ready\\r\\n')\n"
           "while True:\n"
           "    b = os.read(0, 64)\n"
           "    os.write(1, b'<' + b.hex().encode() + b'>\\r\\n')\n"
           "    if b == b'q': break\n")
    s.wait_for("ready")
    for name in ("Enter", "Esc", "Tab", "BTab", "Up", "PgUp", "Home", "F1",
                 "Backspace", "Space", "C-c", "C-l", "M-x"):
        mark = s.mark()
        s.key(name)
        want = "<" + s.vt.key_bytes(name).hex() + ">"
        s.wait_raw(want.encode(), since=mark)
    mark = s.mark()
    s.send("é")
    s.wait_raw(b"<c3a9>", since=mark)
    s.key("q")
    assert s.exit_code() == 0


CURSES_APP = """
import curses, sys
def main(w):
    curses.curs_set(0)
    w.keypad(True)
    # ncurses loses a SIGWINCH that lands between refresh() and the read
    # in getch() until the next key; a getch timeout lets it see the
    # resize at the next call instead (a resize right after a redraw).
    w.timeout(100)
    w.addstr(0, 0, "ready %dx%d" % w.getmaxyx()[::-1], curses.A_REVERSE)
    w.refresh()
    while True:
        k = w.getch()
        if k == -1:
            continue
        if k == ord("q"):
            return
        w.erase()
        name = "RESIZE" if k == curses.KEY_RESIZE else curses.keyname(k).decode()
        w.addstr(1, 0, "key %s size %dx%d" % ((name,) + w.getmaxyx()[::-1]))
        w.refresh()
curses.wrapper(main)
print("bye")
"""


@suite.test
def test_ncurses_program_keys_resize_and_alt_screen():
    try:
        import curses  # noqa: F401  (the child needs it, not this process)
    except ImportError:
        harness.skip("python3 has no curses module")
    s = py(CURSES_APP)
    s.wait_for("ready 80x24")
    assert s.attrs(0, 0)["reverse"] and s.vt.altscreen and not s.vt.cursor_visible, s.dump()
    for key, name in (("Up", "KEY_UP"), ("Home", "KEY_HOME"), ("PgDn", "KEY_NPAGE"),
                      ("F1", "KEY_F(1)"), ("BTab", "KEY_BTAB"), ("Down", "KEY_DOWN")):
        s.key(key)
        s.wait_for(f"key {name} size 80x24")
    s.resize(30, 100)
    s.wait_for("key RESIZE size 100x30")
    s.key("q")
    assert s.exit_code() == 0
    assert s.lines()[0] == "bye" and not s.vt.altscreen, s.dump()


@suite.test
def test_ctrl_c_is_sigint_from_the_controlling_terminal():
    s = sh("trap 'echo got INT; exit 3' INT; echo ready; while :; do sleep 0.02; done")
    s.wait_for("ready")
    s.key("C-c")
    s.wait_for("got INT")
    assert s.exit_code() == 3


@suite.test
def test_send_time_and_wait_for_elapsed_time():
    s = vt.Session(["cat"], vt.tui_env())
    time.sleep(0.05)
    sent = s.send("abc")
    assert abs(sent - s.last_send) < 1e-9
    took = s.wait_for("abc")                     # the tty echoes typed input
    # Measured from the send, so within what this test saw pass since it.
    assert 0 <= took <= time.monotonic() - sent, (took, time.monotonic() - sent)
    harness.note(f"echo seen {took * 1000:.0f} ms after the send")
    s.key("Enter")
    s.wait_for(re.compile(r"^abc\nabc$", re.M))        # echo, then cat's copy
    mark = s.mark()
    s.send("zz")
    s.wait_raw(b"zz", since=mark)
    assert s.raw_since(mark).count(b"zz") >= 1 and len(s.raw_since(mark)) < 20


@suite.test
def test_terminal_answers_cursor_position_query():
    s = py("import os, tty\n"
           "tty.setraw(0)\n"
           "os.write(1, b'\\x1b[3;7H\\x1b[6n')\n"
           "reply = os.read(0, 32)\n"
           "os.write(1, b'\\x1b[1;1Hreply ' + reply.hex().encode())\n"
           "os.read(0, 1)\n")
    s.wait_for("reply " + b"\x1b[3;7R".hex())


@suite.test
def test_wait_for_timeout_shows_screen_and_is_bounded():
    s = sh("echo something else; sleep 600")
    s.wait_for("something")
    try:
        s.wait_for("never shown", timeout=0.3)
    except AssertionError as e:
        # The deadline ended the wait: the program is still running.
        assert "never shown" in str(e) and "|something else" in str(e), str(e)
        assert "s passed" in str(e) and s.running(), str(e)
    else:
        raise AssertionError("wait_for did not time out")
    s.wait_for_not("never shown", timeout=0.3)


@suite.test
def test_wait_for_fails_fast_when_the_program_exits():
    s = sh("echo bye; exit 4")
    try:
        s.wait_for("never shown", timeout=600)
    except AssertionError as e:
        # The exit ended the wait, not the deadline (which the suite's own
        # time limit would have hit first).
        assert "closed" in str(e) and "bye" in str(e), str(e)
        assert "passed" not in str(e), str(e)
    else:
        raise AssertionError("wait_for did not fail")
    assert s.exit_code() == 4


@suite.test
def test_pump_returns_for_quiet_and_for_endless_output():
    s = sh("echo one; sleep 600")
    s.wait_for("one")
    # Quiet ends it: the timeout is far beyond the suite's time limit.
    assert s.pump(quiet=0.05, timeout=3600) == 0 and s.running()
    s.close()
    s = sh("exec yes tick")                  # output without a pause
    got = s.pump(quiet=3600, timeout=0.4)      # the timeout ends it
    assert got > 0 and s.running(), got


@suite.test
def test_settle_waits_for_a_busy_program_to_finish_its_frame():
    # Half a frame, a CPU-bound pause with no output (what a loaded
    # machine does to any program between two writes), the other half.
    s = py("import os, time\n"
           "os.write(1, b'first half\\r\\n')\n"
           "end = time.process_time() + 0.5\n"
           "while time.process_time() < end: pass\n"
           "os.write(1, b'second half\\r\\n')\n"
           "time.sleep(600)\n")
    s.wait_for("first half")
    s.settle(quiet=0.05)
    assert "second half" in s.screen(), s.dump()


@suite.test
def test_osc52_both_terminators_and_wrapped_forms():
    def b64(text):
        return base64.b64encode(text.encode()).decode()
    out = ("\x1b]52;c;" + b64("hello") + "\x07"
           + "text\x1b]52;c;" + b64("wörld {json}") + "\x1b\\"
           + "\x1bPtmux;\x1b\x1b]52;c;" + b64("via tmux") + "\x07\x1b\\"
           + "\x1bP\x1b]52;c;" + b64("via screen")[:8] + "\x1b\\\x1bP"
           + b64("via screen")[8:] + "\x07\x1b\\"
           + "\x1b]52;c;?\x07")
    s = py(f"import sys; sys.stdout.write({out!r}); sys.stdout.flush()")
    assert s.exit_code() == 0
    assert s.osc52() == ["hello", "wörld {json}", "via tmux", "via screen"], s.osc52()
    entries = vt.parse_osc52(s.raw())
    assert [e["terminator"] for e in entries] == ["BEL", "ST", "BEL", "BEL", "BEL"], entries
    assert [e["wrap"] for e in entries] == ["none", "none", "tmux", "screen", "none"], entries
    assert entries[-1]["base64"] == "?" and entries[-1]["data"] is None
    assert all(e["target"] == "c" for e in entries)
    assert "text" in s.screen() and "52" not in s.screen(), s.dump()


@suite.test
def test_hangup_sends_sighup_to_the_program():
    s = sh("trap 'exit 7' HUP; echo ready; while :; do sleep 0.02; done")
    s.wait_for("ready")
    s.hangup()
    assert s.exit_code() == 7


@suite.test
def test_close_leaves_no_process_behind_even_if_sighup_is_ignored():
    s = sh("trap '' HUP; sleep 30 & echo bg=$!; sleep 30")
    s.wait_for(re.compile(r"bg=\d+"))
    bg = int(re.search(r"bg=(\d+)", s.screen()).group(1))
    pid = s.pid
    status = s.close(grace=0.3)
    assert status == -signal.SIGKILL, status      # not the sleep's own end
    deadline = vt._deadline(30)
    while not (gone(pid) and gone(bg)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gone(pid) and gone(bg), (pid, bg)
    assert s.close() == status                         # idempotent


@suite.test
def test_close_after_exit_and_cwd():
    d = harness.tempdir("vt-cwd-")
    s = vt.Session(["sh", "-c", "pwd; exit 5"], vt.tui_env(), cwd=d)
    assert s.exit_code() == 5
    assert s.close() == 5
    assert os.path.realpath(d) in s.screen(), s.dump()


@suite.test
def test_binary_session_uses_sc_binary_and_wrapper():
    old = {k: os.environ.get(k) for k in ("SC_BINARY", "SC_BINARY_WRAPPER")}
    os.environ["SC_BINARY"] = "/bin/sh"
    os.environ["SC_BINARY_WRAPPER"] = "env"
    try:
        with vt.binary_session(["-c", "echo TERM=$TERM HOME=$HOME TZ=$TZ; pwd"]) as s:
            assert s.exit_code() == 0
            home = s.screen().split("HOME=")[1].split()[0]
            assert "TERM=xterm-256color" in s.screen() and "TZ=UTC" in s.screen(), s.dump()
            assert s.lines()[1] == home, s.dump()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ----------------------------------------------------------------------------
# golden()
# ----------------------------------------------------------------------------

@suite.test
def test_golden_update_match_and_diff():
    d = harness.tempdir("vt-golden-")
    screen = "Title\n  item one\n  item two   \n\n\n"
    old = os.environ.pop("UPDATE_GOLDEN", None)
    try:
        try:
            vt.golden("case", screen, directory=d)
        except AssertionError as e:
            assert "UPDATE_GOLDEN=1" in str(e), str(e)
        else:
            raise AssertionError("missing golden file accepted")
        os.environ["UPDATE_GOLDEN"] = "1"
        path = vt.golden("case", screen, directory=d)
        with open(path) as f:
            assert f.read() == "Title\n  item one\n  item two\n"
        os.environ.pop("UPDATE_GOLDEN")
        vt.golden("case", "Title\n  item one\n  item two", directory=d)
        try:
            vt.golden("case", "Title\n  item one\n  item 2", directory=d)
        except AssertionError as e:
            message = str(e)
        else:
            raise AssertionError("a different screen matched")
        assert "-  item two" in message and "+  item 2" in message, message
        assert "@@" in message and "UPDATE_GOLDEN=1" in message, message
    finally:
        os.environ.pop("UPDATE_GOLDEN", None)
        if old is not None:
            os.environ["UPDATE_GOLDEN"] = old


@suite.test
def test_golden_takes_a_session():
    d = harness.tempdir("vt-golden-")
    s = sh("printf 'a\\n  b'; sleep 600", rows=4, cols=10)
    s.wait_for("b")
    os.environ["UPDATE_GOLDEN"] = "1"
    try:
        vt.golden("session", s, directory=d)
    finally:
        os.environ.pop("UPDATE_GOLDEN", None)
    vt.golden("session", "a\n  b", directory=d)


# ----------------------------------------------------------------------------
# Tmux
# ----------------------------------------------------------------------------

@suite.test
def test_tmux_run_capture_keys_buffers_resize_kill():
    with vt.Tmux(10, 40) as t:
        t.run(["sh", "-c", "trap 'stty size' WINCH; stty size; echo TMUX=${TMUX:+set};"
               " while read line; do echo \"got $line\"; done"],
              env=harness.clean_env({"MARK": "1"}))
        t.wait_for("10 40")
        assert "TMUX=set" in t.capture(), t.capture()
        assert t.cmd("show", "-s", "escape-time").strip() == "escape-time 0"
        t.send_keys("hi there", literal=True)
        t.send_keys("Enter")
        t.wait_for("got hi there")
        assert t.show_buffer() is None
        t.cmd("set-buffer", "from set-buffer")
        assert t.show_buffer() == "from set-buffer"
        t.resize(12, 50)
        t.wait_for("12 50")
        t.run(["sh", "-c", "printf %s 'app copy' | tmux load-buffer -w -; exit 6"])
        assert t.exit_code(target="main:1") in (6, None)   # None: tmux 3.3a race
        assert t.show_buffer() == "app copy"
        pid = int(t.pane("#{pane_pid}"))
        t.kill()
        assert not t.alive()
        deadline = vt._deadline(30)
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gone(pid), pid


if __name__ == "__main__":
    harness.main(suite)
