"""Child processes: a credential_process helper is bounded (deadline, output
cap, Ctrl-C, Esc), inherits no blocked or ignored signal, no descriptor
above 2 and no Spot token, on the command line and from the wizard's worker
thread; the wizard quits (q, SIGTERM) with the terminal restored while a
helper hangs, and a crash restores the terminal too.

No peer is needed: every helper here hangs, floods, or reports what it
inherited and fails, so no AWS call is ever made.  Helpers write their pid
to a file, and the tests wait for conditions (the file, the pid gone, the
screen), never for a fixed time."""

import os
import re
import signal
import subprocess
import time

import harness
import vt

suite = harness.Suite("children")
suite.after_each(vt.close_all)

TOKEN = "spot-children-test-token-0123456789"
_helpers = []   # pids to kill if a test failed before they were stopped


@suite.after_each
def _kill_leftover_helpers():
    while _helpers:
        pid = _helpers.pop()
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def until(cond, what, timeout=30):
    """Waits (polling) until cond() is true; fails with `what` after timeout."""
    deadline = time.monotonic() + timeout * harness.timeout_factor()
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.02)


def alive(pid):
    """True while pid runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def helper_pid(path):
    def read():
        try:
            text = open(path).read().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None
    pid = until(read, f"the helper never wrote its pid to {path}")
    _helpers.append(pid)
    return pid


def setup(command_for):
    """A HOME whose ~/.aws/config has profile "p" with credential_process =
    command_for(dir) (dir holds the helper scripts and their reports)."""
    home = harness.tempdir("home-")
    d = os.path.join(home, "h")
    os.makedirs(d)
    # Hangs: writes its pid, then becomes a sleep that never ends.
    harness.write_file(os.path.join(d, "hang.sh"),
                       f"#!/bin/sh\necho $$ > '{d}/pid'\nexec sleep 100000\n", 0o755)
    # Reports what it inherited, then hangs (wizard) or fails (command line).
    # Perl, not sh: dash clears the signal mask it was given at startup.
    harness.write_file(os.path.join(d, "probe.pl"), r"""
my ($how, $d) = @ARGV;
sub put { my ($name, $text) = @_; open(my $f, '>', "$d/$name.tmp") or die;
          print $f $text; close($f); rename("$d/$name.tmp", "$d/$name"); }
open(my $st, '<', '/proc/self/status') or die;
put('sig', join('', grep { /^Sig(Blk|Ign)/ } <$st>));
close($st);
opendir(my $dh, '/proc/self/fd') or die;
put('fds', join(' ', grep { !/^\./ } readdir($dh)));
closedir($dh);
put('stdin', readlink('/proc/self/fd/0') // '');
put('env', join('', map { "$_=$ENV{$_}\n" } sort keys %ENV));
put('pid', "$$\n");
exec('sleep', '100000') if $how eq 'hang';
exit 1;
""")
    harness.write_file(os.path.join(home, ".aws", "config"),
                       f"[profile p]\nregion = us-east-1\ncredential_process = {command_for(d)}\n")
    return home, d


def base_env(**extra):
    env = {"AWS_EC2_METADATA_DISABLED": "true", "SPOTINST_TOKEN": TOKEN,
           # Never reached (every helper fails), but never a real AWS either.
           "AWS_ENDPOINT_URL": "https://127.0.0.1:9"}
    env.update(extra)
    return env


def one_line_error(r, needle):
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.code not in (0, None) and len(lines) == 1 and needle in lines[0], r.describe()
    harness.assert_no_secrets(r, {"spot token": TOKEN})


def read_report(d):
    until(lambda: os.path.exists(os.path.join(d, "pid")), "the probe never reported")
    get = lambda name: open(os.path.join(d, name)).read()  # noqa: E731
    return get("sig"), get("fds").split(), get("stdin").strip(), get("env")


# glibc's posix_spawn leaves its own two internal signals (32 and 33, which
# no program may use) ignored, and perl ignores SIGFPE as it starts; every
# other one must be at its default.
NOT_OURS = (1 << 31) | (1 << 32) | (1 << (signal.SIGFPE - 1))


def check_clean(sig, fds, env):
    masks = dict(re.findall(r"^(SigBlk|SigIgn):\s*([0-9a-f]+)$", sig, re.M))
    assert int(masks["SigBlk"], 16) == 0, f"blocked signals reach the helper: {sig}"
    assert int(masks["SigIgn"], 16) & ~NOT_OURS == 0, f"ignored signals reach it: {sig}"
    # Listing /proc/self/fd takes one descriptor above 2 of the probe's own.
    assert len([fd for fd in fds if int(fd) > 2]) <= 1, fds
    assert TOKEN not in env and "SPOTINST_TOKEN=" not in env, "the Spot token reached the helper"
    assert "SC_PROBE_KEEP=kept" in env, "the rest of the environment is passed on"


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------

@suite.test
def test_hanging_helper_ends_with_one_line_at_the_deadline():
    home, d = setup(lambda d: f"{d}/hang.sh")
    r = harness.run_binary(["whoami", "--profile", "p"], home=home, timeout=60,
                           env=base_env(SPOT_CONNECT_PROCESS_TIMEOUT="1"))
    one_line_error(r, 'credential_process of profile "p" did not finish within 1 s')
    pid = helper_pid(os.path.join(d, "pid"))
    until(lambda: not alive(pid), "the hanging helper still runs")


@suite.test
def test_flooding_helper_is_killed_at_the_cap():
    home, _ = setup(lambda d: "/usr/bin/yes")
    r = harness.run_binary(["whoami", "--profile", "p"], home=home, timeout=60, env=base_env())
    one_line_error(r, "printed more than 64 KiB and was stopped")


@suite.test
def test_bad_deadline_setting_is_refused():
    home, _ = setup(lambda d: f"/usr/bin/perl {d}/probe.pl fail {d}")
    for value in ("0", "abc", "99999999"):
        r = harness.run_binary(["whoami", "--profile", "p"], home=home, timeout=60,
                               env=base_env(SPOT_CONNECT_PROCESS_TIMEOUT=value))
        one_line_error(r, "SPOT_CONNECT_PROCESS_TIMEOUT must be a whole number of seconds")


@suite.test
def test_cli_helper_inherits_no_mask_fd_or_token():
    """spot-connect itself is started with every signal blocked, SIGINT and
    SIGQUIT ignored and a stray descriptor 7 (as a careless parent would):
    the helper gets none of it."""
    home, d = setup(lambda d: f"/usr/bin/perl {d}/probe.pl fail {d}")
    env = harness.clean_env(base_env(SC_PROBE_KEEP="kept"), home)
    out = os.path.join(home, "stderr")
    argv = ["/bin/sh", "-c", "trap '' INT QUIT; exec 7</dev/null; exec \"$0\" \"$@\"",
            harness.binary_path(), "whoami", "--profile", "p"]
    pid = os.posix_spawn("/bin/sh", argv, env,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                                       (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                                       (os.POSIX_SPAWN_OPEN, 2, out,
                                        os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)],
                         setsigmask=signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP})
    status = None
    deadline = time.monotonic() + 60 * harness.timeout_factor()
    while status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        elif time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("spot-connect did not exit")
        else:
            time.sleep(0.02)
    err = open(out).read()
    harness.check_sanitizers(err, err)
    assert os.waitstatus_to_exitcode(status) == 1 and "failed with exit status 1" in err, err
    sig, fds, _, penv = read_report(d)
    check_clean(sig, fds, penv)


@suite.test
def test_ctrl_c_stops_the_helper():
    """SIGINT to spot-connect alone (not its group): the handler's flag
    stops the helper, and the command ends."""
    home, d = setup(lambda d: f"{d}/hang.sh")
    env = harness.clean_env(base_env(), home)
    proc = subprocess.Popen(harness.wrapper() + [harness.binary_path(), "status", "--profile", "p"],
                            env=env, cwd=home, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        pid = helper_pid(os.path.join(d, "pid"))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30 * harness.timeout_factor())
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    harness.check_sanitizers(err, err)
    assert proc.returncode not in (0, None), (proc.returncode, err)
    assert "cancelled" in err or "interrupted" in err, err
    until(lambda: not alive(pid), "the helper outlived Ctrl-C")


# ----------------------------------------------------------------------------
# Wizard
# ----------------------------------------------------------------------------

def wizard(home, **extra):
    env = base_env(SC_PROBE_KEEP="kept", **extra)
    return vt.binary_session(["--profile", "p"], env=env, home=home)


def restored(s, mark):
    tail = s.raw_since(mark)
    assert b"\x1b[?1049l" in tail, f"alternate screen not left: {tail[-300:]!r}"
    assert b"\x1b[?2004l" in tail, f"bracketed paste left on: {tail[-300:]!r}"


@suite.test
def test_wizard_helper_is_clean_and_esc_stops_it():
    home, d = setup(lambda d: f"/usr/bin/perl {d}/probe.pl hang {d}")
    s = wizard(home)
    sig, fds, stdin, env = read_report(d)
    check_clean(sig, fds, env)
    assert stdin == "/dev/null", f"the helper reads {stdin}, the wizard's terminal"
    pid = helper_pid(os.path.join(d, "pid"))
    s.wait_for("Esc cancels")
    s.key("Escape")
    until(lambda: not alive(pid), "Esc did not stop the helper")
    s.wait_for_not("Esc cancels")
    s.wait_for("AWS credentials: none found")
    mark = s.mark()
    s.key("q")
    s.wait_for("Quit?")
    s.key("y")
    assert s.exit_code(timeout=30) == 130
    restored(s, mark)
    harness.assert_no_secrets({"terminal": s.raw()}, {"spot token": TOKEN})
    s.check_sanitizers()


@suite.test
def test_wizard_quits_with_q_while_a_helper_hangs():
    home, d = setup(lambda d: f"{d}/hang.sh")
    s = wizard(home)
    pid = helper_pid(os.path.join(d, "pid"))
    s.wait_for("Esc cancels")
    mark = s.mark()
    s.key("q")
    s.wait_for("Quit?")
    s.key("y")
    assert s.exit_code(timeout=30) == 130
    restored(s, mark)
    until(lambda: not alive(pid), "the helper outlived the wizard")
    s.check_sanitizers()


@suite.test
def test_wizard_sigterm_while_a_helper_hangs():
    home, d = setup(lambda d: f"{d}/hang.sh")
    s = wizard(home)
    pid = helper_pid(os.path.join(d, "pid"))
    s.wait_for("Esc cancels")
    mark = s.mark()
    os.kill(s.pid, signal.SIGTERM)
    assert s.exit_code(timeout=30) == 130
    restored(s, mark)
    until(lambda: not alive(pid), "the helper outlived the wizard")
    s.check_sanitizers()


@suite.test
def test_wizard_deadline_applies():
    home, d = setup(lambda d: f"{d}/hang.sh")
    s = wizard(home, SPOT_CONNECT_PROCESS_TIMEOUT="1")
    pid = helper_pid(os.path.join(d, "pid"))
    s.wait_for(re.compile(r"did\s+not\s+finish\s+within\s+1\s+s"), timeout=30)
    until(lambda: not alive(pid), "the helper outlived its deadline")
    s.check_sanitizers()


@suite.test
def test_crash_restores_the_terminal():
    """A fatal signal: the handler writes the reset sequences itself, then
    the process dies of that signal."""
    with open(harness.binary_path(), "rb") as f:
        if b"__tsan_init" in f.read():
            harness.skip("ThreadSanitizer's runtime handles SIGSEGV itself")
    home, _ = setup(lambda d: f"{d}/hang.sh")
    s = wizard(home)
    s.wait_for("Esc cancels")
    mark = s.mark()
    os.kill(s.pid, signal.SIGSEGV)
    assert s.exit_code(timeout=30) == -signal.SIGSEGV
    restored(s, mark)


if __name__ == "__main__":
    harness.main(suite)
