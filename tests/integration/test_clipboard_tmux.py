"""The copy chain inside a real tmux: a private server (its own socket in a
temp dir, no config) runs tests/ui/clipcopy in a pane, whose terminal is the
pane's tty; the text must arrive exactly in tmux's paste buffer, and the
passthrough OSC 52 must reach an attached client's terminal."""

import base64
import os
import pty
import select
import shlex
import shutil
import subprocess
import sys
import time

import harness

suite = harness.Suite("clipboard-tmux")

POLICY = ('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow",'
          ' "Action": ["ec2:Describe*"], "Resource": "*"}]\n}\n'
          '\ttab, UTF-8: caf\u00e9 \u2713, quote \' and $HOME stay literal\n')


def clipcopy():
    build = os.environ.get("SC_BUILD_DIR")
    if not build:
        raise AssertionError("SC_BUILD_DIR is not set")
    path = os.path.join(build, "tests", "ui", "clipcopy")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing: is subdir('ui') in tests/meson.build?")
    return path


class Tmux:
    """A private tmux server; every command goes to its socket only."""

    def __init__(self):
        if not shutil.which("tmux"):
            harness.skip("tmux is not installed")
        self.dir = harness.tempdir("clip-tmux-")
        self.socket = f"sc-clip-{os.getpid()}"
        # No SSH or display variables: the pane must look local and bare.
        self.env = harness.clean_env({"TMUX_TMPDIR": self.dir, "TERM": "xterm-256color",
                                      "HOME": self.dir})

    def run(self, *args, input=None, check=True):
        p = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                           env=self.env, input=input, capture_output=True,
                           timeout=30 * harness.timeout_factor())
        if check and p.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: exit {p.returncode}: "
                                 f"{p.stderr.decode(errors='replace')}")
        return p

    def start(self):
        # A pane that idles, so the server outlives each clipcopy run.
        self.run("new-session", "-d", "-x", "100", "-y", "30", "sleep 600")
        return self

    def copy_in_pane(self, text, label="policy", name="spot-policy.json"):
        """Runs clipcopy in a new window; returns its stderr report."""
        infile = harness.write_file(os.path.join(self.dir, "in.txt"), text)
        report = os.path.join(self.dir, "report.txt")
        done = os.path.join(self.dir, "done")
        for f in (report, done):
            if os.path.exists(f):
                os.unlink(f)
        state = os.path.join(self.dir, "state")
        cmd = (f"{shlex.quote(clipcopy())} {shlex.quote(label)} {shlex.quote(name)} "
               f"{shlex.quote(state)} <{shlex.quote(infile)} 2>{shlex.quote(report)}; "
               f"touch {shlex.quote(done)}; sleep 600")
        # The window becomes the current one: passthrough is for visible panes.
        self.run("new-window", cmd)
        deadline = time.monotonic() + 60 * harness.timeout_factor()
        while not os.path.exists(done):
            assert time.monotonic() < deadline, "clipcopy did not finish in the pane"
            time.sleep(0.05)
        with open(report) as f:
            out = f.read()
        harness.check_sanitizers(out, out)
        return out

    def kill(self):
        self.run("kill-server", check=False)


@suite.test
def test_text_reaches_the_paste_buffer():
    tmux = Tmux().start()
    try:
        report = tmux.copy_in_pane(POLICY)
        assert "rc=0" in report and "tmux_buffer=1" in report, report
        buf = tmux.run("show-buffer").stdout
        assert buf == POLICY.encode(), f"buffer differs: {buf[:200]!r}"
        message = report.split("message=", 1)[1].strip()
        saved = os.path.join(tmux.dir, "state", "spot-policy.json")
        assert message == ("policy sent to the terminal clipboard (OSC 52) and tmux's "
                           f"paste buffer; also saved to {saved}"), message
        with open(saved, encoding="utf-8") as f:
            assert f.read() == POLICY
        assert os.stat(saved).st_mode & 0o777 == 0o600
        # Exactly one new buffer: no duplicate from a plain OSC 52 as well.
        names = tmux.run("list-buffers", "-F", "#{buffer_name}").stdout.split()
        assert len(names) == 1, names
    finally:
        tmux.kill()


@suite.test
def test_large_text_reaches_the_paste_buffer():
    tmux = Tmux().start()
    try:
        text = "".join(f"line {i:05d} " + "x" * 60 + "\n" for i in range(1050))  # ~74 KB
        assert len(text) <= 74 * 1024
        report = tmux.copy_in_pane(text)
        assert "tmux_buffer=1" in report and "too_big=0" in report, report
        assert tmux.run("show-buffer").stdout == text.encode()
    finally:
        tmux.kill()


@suite.test
def test_too_big_skips_tmux():
    tmux = Tmux().start()
    try:
        text = "y" * (74 * 1024 + 1)
        report = tmux.copy_in_pane(text)
        assert "tmux_buffer=0" in report and "too_big=1" in report, report
        assert tmux.run("list-buffers").stdout == b""
    finally:
        tmux.kill()


def read_client(fd, until, seconds):
    """Reads an attached client's output until `until` shows up."""
    data = b""
    deadline = time.monotonic() + seconds
    while until not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


@suite.test
def test_passthrough_reaches_the_outer_terminal():
    """With allow-passthrough on, our DCS-wrapped OSC 52 comes out of tmux
    byte for byte, i.e. tmux undid the ESC doubling as we expect."""
    tmux = Tmux().start()
    try:
        if tmux.run("set", "-g", "allow-passthrough", "on", check=False).returncode != 0:
            harness.skip("this tmux has no allow-passthrough (needs 3.3)")
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe("tmux", ["tmux", "-L", tmux.socket, "attach"], tmux.env)
        try:
            # Passthrough goes to attached clients only: wait for this one.
            attached = read_client(fd, b"\x1b[?1049h", 30 * harness.timeout_factor())
            assert b"\x1b[?1049h" in attached, f"tmux client not attached: {attached[-300:]!r}"
            text = "external-id-7f3a9c"
            report = tmux.copy_in_pane(text, "external ID", "external-id.txt")
            assert "osc52=1" in report, report
            want = b"\x1b]52;c;" + base64.b64encode(text.encode()) + b"\x1b\\"
            seen = read_client(fd, want, 30 * harness.timeout_factor())
            assert want in seen, f"no passthrough OSC 52 in {len(seen)} bytes of client output"
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(fd)
    finally:
        tmux.kill()


if __name__ == "__main__":
    harness.main(suite)
