"""Shell completion (completions/): the bash script is sourced in
`bash --norc` and its function called with COMP_WORDS/COMP_CWORD set, as
bash does on Tab; the zsh script is loaded by compinit and driven on a
pseudo-terminal. Commands and options come from the program under test, so
these also check that every option a command's --help names is offered."""

import os
import pty
import re
import select
import shutil
import subprocess
import time

import harness

suite = harness.Suite("completion")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASH_SCRIPT = os.path.join(ROOT, "completions", "spot-connect.bash")
ZSH_DIR = os.path.join(ROOT, "completions")
DEADLINE = 30 * harness.timeout_factor()

CONFIG = """[default]
region = us-east-1
[profile dev]
region = eu-west-1
[ profile  ops ]
[sso-session corp]
sso_region = us-east-1
[services local]
"""
CREDENTIALS = """[ci-user]
aws_access_key_id = AKIDEXAMPLE
[default]
"""


def aws_env(tmp):
    """A temp HOME, and AWS files at non-default paths given by env."""
    config = os.path.join(tmp, "conf", "aws-config")
    creds = os.path.join(tmp, "conf", "aws-creds")
    harness.write_file(config, CONFIG)
    harness.write_file(creds, CREDENTIALS)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LC_ALL": "C",
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds}


def bash_complete(words, env, cwd=None):
    """COMPREPLY for the command line `words` (the last is the word under
    the cursor), as bash would compute it on Tab."""
    script = ('source "$1" || exit 9; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _spot_connect || exit 8; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", BASH_SCRIPT,
                        harness.binary_path()] + words,
                       env=env, cwd=cwd, capture_output=True, text=True, timeout=DEADLINE)
    assert r.returncode == 0, f"bash exited {r.returncode}: {r.stderr[-500:]}"
    return [w for w in r.stdout.split("\n") if w]


def run_lines(args):
    r = harness.run_binary(args)
    assert r.code == 0, r.describe()
    return [w for w in r.stdout.split("\n") if w]


def help_options(command):
    """Every --option on an option line (two spaces, then a dash) of the
    command's --help."""
    r = harness.run_binary(([command] if command else []) + ["--help"])
    assert r.code == 0, r.describe()
    found = set()
    for line in r.stdout.split("\n"):
        if re.match(r"^  -", line):
            found.update(re.findall(r"--[a-z][a-z0-9-]*", line))
    return found


@suite.test
def test_bash_registers_the_function():
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                        'source "$1" && complete -p spot-connect', "bash", BASH_SCRIPT],
                       capture_output=True, text=True, timeout=DEADLINE)
    assert r.returncode == 0 and "-F _spot_connect" in r.stdout, r.stdout + r.stderr


@suite.test
def test_bash_commands():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        got = bash_complete([""], env)
        for name in ("connect", "plan", "status", "disconnect", "whoami", "policy",
                     "trust-policy"):
            assert name in got, f"{name} not offered: {got}"
        assert got == run_lines(["--list-commands"]), got
        assert bash_complete(["tr"], env) == ["trust-policy"]
        assert bash_complete(["--vers"], env) == ["--version"]


@suite.test
def test_bash_offers_every_option_help_names():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        for command in ("", "connect", "plan", "status", "disconnect", "whoami", "policy",
                        "trust-policy"):
            words = ([command] if command else []) + ["--"]
            offered = {w.rstrip("=") for w in bash_complete(words, env)}
            missing = help_options(command) - offered
            assert not missing, f"{command or 'wizard'}: --help names {sorted(missing)}, " \
                                f"completion offers {sorted(offered)}"
        got = bash_complete(["connect", "--me"], env)
        assert got == ["--method="], got
        # An option without a value is followed by more options, not a value.
        assert bash_complete(["connect", "--yes", ""], env) == []
        assert "--profile=" in bash_complete(["connect", "--yes", "--pro"], env)


@suite.test
def test_bash_method_and_partition_values():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        assert bash_complete(["connect", "--method", ""], env) == \
            ["automatic", "manual", "console"]
        assert bash_complete(["connect", "--method", "ma"], env) == ["manual"]
        # "--method=ma": bash splits the word at "=".
        assert bash_complete(["plan", "--method", "=", "con"], env) == ["console"]
        assert bash_complete(["connect", "--method", "="], env) == \
            ["automatic", "manual", "console"]
        assert bash_complete(["trust-policy", "--partition", "aws-"], env) == \
            ["aws-us-gov", "aws-cn"]


@suite.test
def test_bash_bundle_values():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        bundles = run_lines(["policy", "--list-bundles"])
        assert len(bundles) > 3, bundles
        first = bundles[0]
        got = bash_complete(["connect", "--bundles", first[:4]], env)
        assert got == [b for b in bundles if b.startswith(first[:4])], got
        # After a comma, the next name, with what was typed before it kept.
        got = bash_complete(["policy", "--bundles", first + "," + bundles[1][:4]], env)
        want = [first + "," + b for b in bundles if b.startswith(bundles[1][:4])]
        assert got == want, got


@suite.test
def test_bash_profiles_from_the_aws_files():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        got = bash_complete(["whoami", "--profile", ""], env)
        assert got == ["ci-user", "default", "dev", "ops"], got
        assert bash_complete(["connect", "--profile", "=", "d"], env) == ["default", "dev"]
        # Without the variables: ~/.aws/config and ~/.aws/credentials.
        del env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"]
        assert bash_complete(["status", "--profile", ""], env) == []
        harness.write_file(os.path.join(tmp, ".aws", "config"), "[profile home-dev]\n")
        harness.write_file(os.path.join(tmp, ".aws", "credentials"), "[home-keys]\n")
        got = bash_complete(["status", "--profile", ""], env)
        assert got == ["home-dev", "home-keys"], got


@suite.test
def test_bash_file_values():
    with harness.tempdir() as tmp:
        env = aws_env(tmp)
        harness.write_file(os.path.join(tmp, "my-state.json"), "{}")
        got = bash_complete(["connect", "--state", "my-"], env, cwd=tmp)
        assert got == ["my-state.json"], got
        got = bash_complete(["policy", "--policy-file", "my-"], env, cwd=tmp)
        assert got == ["my-state.json"], got


def zsh_or_skip():
    path = shutil.which("zsh")
    if not path:
        harness.skip("zsh is not installed (tests/install-deps --test installs it)")
    return path


@suite.test
def test_zsh_script_parses():
    zsh = zsh_or_skip()
    r = subprocess.run([zsh, "-n", os.path.join(ZSH_DIR, "_spot-connect")],
                       capture_output=True, text=True, timeout=DEADLINE)
    assert r.returncode == 0, r.stderr


class ZshSession:
    """An interactive zsh on a pseudo-terminal whose .zshrc loads the
    completion with compinit. complete(text) types text and Tab, then reads the edit buffer
    back through a widget bound to Ctrl-X, which writes it to a file."""

    def __init__(self, zsh, tmp, env):
        self.tmp = tmp
        self.dump = os.path.join(tmp, "buffer")
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        os.symlink(harness.binary_path(), os.path.join(bindir, "spot-connect"))
        env = dict(env, PATH=bindir + ":" + env["PATH"], ZDOTDIR=tmp, TERM="dumb")
        rc = (f'fpath=({ZSH_DIR!r} $fpath)\nautoload -U compinit\ncompinit -u -d {tmp!r}/dump\n'
              f'dump-buffer() {{ print -rn -- "$BUFFER" > {self.dump!r}.tmp && '
              f'mv {self.dump!r}.tmp {self.dump!r}; BUFFER= }}\n'
              'zle -N dump-buffer\nbindkey "^X" dump-buffer\nPS1="> "\n'
              'zstyle ":completion:*" list-prompt ""\nLISTMAX=1000\n')
        harness.write_file(os.path.join(tmp, ".zshrc"), rc)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(zsh, [zsh, "-i"], env)

    def _drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    return

    def complete(self, text):
        if os.path.exists(self.dump):
            os.unlink(self.dump)
        os.write(self.fd, text.encode() + b"\t\x18")
        end = time.monotonic() + DEADLINE
        while not os.path.exists(self.dump):
            assert time.monotonic() < end, f"zsh never finished completing {text!r}"
            self._drain(0.05)
        with open(self.dump) as f:
            return f.read()

    def close(self):
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@suite.test
def test_zsh_completes_commands_options_and_values():
    zsh = zsh_or_skip()
    with harness.tempdir() as tmp:
        session = ZshSession(zsh, tmp, aws_env(tmp))
        try:
            assert session.complete("spot-connect trust-p") == "spot-connect trust-policy "
            assert session.complete("spot-connect --vers") == "spot-connect --version "
            assert session.complete("spot-connect connect --meth") == \
                "spot-connect connect --method="
            assert session.complete("spot-connect connect --method man") == \
                "spot-connect connect --method manual "
            assert session.complete("spot-connect plan --method=con") == \
                "spot-connect plan --method=console "
            assert session.complete("spot-connect whoami --profile ci") == \
                "spot-connect whoami --profile ci-user "
            bundles = run_lines(["policy", "--list-bundles"])
            unique = next(b for b in bundles
                          if sum(o.startswith(b[:6]) for o in bundles) == 1)
            got = session.complete(f"spot-connect policy --bundles {unique[:6]}")
            assert got == f"spot-connect policy --bundles {unique},", got
        finally:
            session.close()


if __name__ == "__main__":
    harness.main(suite)
