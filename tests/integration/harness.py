"""Tiny test runner and helpers shared by all integration tests.

    import harness
    suite = harness.Suite("creds")

    @suite.test
    def test_env_keys_are_used():
        r = harness.run_binary(["whoami"], env={...})
        assert r.code == 0, r.describe()

    if __name__ == "__main__":
        harness.main(suite)        # or: sys.exit(suite.run())

Output is one line per test on stdout ("ok - SUITE: name",
"not ok - SUITE: name: reason", "ok - SUITE: name # skip reason"; tests/run
counts the last form as skipped, not passed).
tracebacks and details go to stderr.

Environment:
  SC_BINARY            path of the program under test (required by run_binary)
  SC_BINARY_WRAPPER    command prefix, e.g. "valgrind --error-exitcode=99 -q"
  SC_TIMEOUT_FACTOR    multiplies run_binary and vt timeouts (default 1; 3 for a
                       sanitizer build in SC_BUILD_DIR; 5 with a wrapper)
  SC_TEST_TIMEOUT      per-test time limit in seconds (default 300)
  SC_KEEP_LOGS         keep temp dirs and moto's log after the run
"""

import atexit
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

# Make `import peers` work from tests/integration (tests/ is the package root).
_TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)


# ----------------------------------------------------------------------------
# Suite
# ----------------------------------------------------------------------------

SLOW_TEST_SECONDS = 2.0  # tests slower than this are noted on stderr


class Skip(Exception):
    """Raise (or call skip()) inside a test to report it as skipped."""


class TestTimeout(Exception):
    """Raised inside a test that exceeded its time limit."""


def skip(reason):
    raise Skip(reason)


def _one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _failure_reason(exc):
    """A one-line reason; for a bare `assert`, the failing source line."""
    message = str(exc)
    if isinstance(exc, AssertionError):
        if message:
            return _one_line(message)
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return _one_line(f"assertion failed at {os.path.basename(frame.filename)}:"
                         f"{frame.lineno}: {frame.line}")
    return _one_line(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def _name_from_function(fn):
    name = fn.__name__
    if name.startswith("test_"):
        name = name[5:]
    return name.replace("_", " ")


class Suite:
    """An ordered list of named tests run one after the other."""

    def __init__(self, name, timeout=None):
        self.name = name
        self.timeout = timeout or float(os.environ.get("SC_TEST_TIMEOUT", "300"))
        self.tests = []                 # (name, fn, args, kwargs)
        self._before = []
        self._after = []

    def test(self, fn=None, *, name=None):
        """Decorator: @suite.test or @suite.test(name="…")."""
        def register(f):
            self.add(name or _name_from_function(f), f)
            return f
        return register(fn) if fn is not None else register

    def add(self, name, fn, *args, **kwargs):
        """Add a test that calls fn(*args, **kwargs) (for table-driven cases)."""
        self.tests.append((name, fn, args, kwargs))

    def before_each(self, fn):
        """Decorator: run fn() before every test; a failure fails that test."""
        self._before.append(fn)
        return fn

    def after_each(self, fn):
        """Decorator: run fn() after every test, even a failed one."""
        self._after.append(fn)
        return fn

    def run(self, only=None):
        """Run all tests (or those whose name contains a string in `only`).

        Returns the process exit code: 1 if any test failed, else 0.
        """
        out = sys.stdout
        failed = 0
        for name, fn, args, kwargs in self.tests:
            if only and not any(o in name for o in only):
                continue
            started = time.monotonic()
            # Anything a test prints goes to stderr, so stdout stays exactly
            # one result line per test.
            with contextlib.redirect_stdout(sys.stderr):
                status, reason = self._run_one(name, fn, args, kwargs)
            took = time.monotonic() - started
            if took > SLOW_TEST_SECONDS:
                sys.stderr.write(f"# {self.name}: {name} took {took:.1f}s\n")
            line = f"{self.name}: {name}"
            if status == "ok":
                print(f"ok - {line}", file=out, flush=True)
            elif status == "skip":
                print(f"ok - {line} # skip {reason}", file=out, flush=True)
            else:
                failed += 1
                print(f"not ok - {line}: {reason}", file=out, flush=True)
        return 1 if failed else 0

    def _run_one(self, name, fn, args, kwargs):
        try:
            with _time_limit(self.timeout):
                try:
                    for hook in self._before:
                        hook()
                    fn(*args, **kwargs)
                finally:
                    self._run_after_hooks()
            return "ok", None
        except Skip as e:
            return "skip", _one_line(str(e) or "skipped")
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # includes SystemExit and TestTimeout
            sys.stderr.write(f"--- {self.name}: {name} failed:\n")
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            return "fail", _failure_reason(e)

    def _run_after_hooks(self):
        for hook in self._after:
            try:
                hook()
            except Exception:
                # An after-hook failure must not hide the test's own result.
                sys.stderr.write(f"--- {self.name}: after_each hook failed:\n")
                traceback.print_exc(file=sys.stderr)


class _time_limit:
    """SIGALRM-based per-test limit (only possible in the main thread)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread() and seconds > 0

    def _fire(self, signum, frame):
        raise TestTimeout(f"test exceeded {self.seconds:g}s")

    def __enter__(self):
        if self.armed:
            self.old = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)


def main(*suites):
    """Run suites (test-name filters may be given as argv) and exit."""
    only = sys.argv[1:] or None
    code = 0
    for s in suites:
        code |= s.run(only)
    sys.exit(code)


# ----------------------------------------------------------------------------
# Running the program under test
# ----------------------------------------------------------------------------

class RunResult:
    """Outcome of run_binary: .code .stdout .stderr .seconds (+ .args .home)."""

    def __init__(self, args, code, stdout, stderr, seconds, home):
        self.args = args
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.home = home

    @property
    def output(self):
        return self.stdout + self.stderr

    def describe(self, limit=2000):
        """Multi-line summary for assertion messages / stderr."""
        def tail(text):
            return text if len(text) <= limit else "..." + text[-limit:]
        return (f"exit={self.code} after {self.seconds:.2f}s: {shlex.join(self.args)}\n"
                f"--- stdout:\n{tail(self.stdout)}\n--- stderr:\n{tail(self.stderr)}")

    def __repr__(self):
        return f"<RunResult code={self.code} {self.seconds:.2f}s>"


class BinaryTimeout(AssertionError):
    """run_binary's process did not finish in time (it was killed)."""


def binary_path():
    path = os.environ.get("SC_BINARY")
    if not path:
        raise RuntimeError("SC_BINARY is not set (path of the spot-connect binary)")
    return path


def wrapper():
    """The SC_BINARY_WRAPPER command prefix as a list ([] if unset)."""
    return shlex.split(os.environ.get("SC_BINARY_WRAPPER", ""))


_sanitized = None


def sanitizer_build():
    """True when SC_BUILD_DIR is a meson build with -Db_sanitize (ASan is
    several times slower to start and run, more so on a loaded machine)."""
    global _sanitized
    if _sanitized is None:
        _sanitized = False
        info = os.path.join(os.environ.get("SC_BUILD_DIR", ""), "meson-info",
                            "intro-buildoptions.json")
        try:
            with open(info) as f:
                options = json.load(f)
            _sanitized = any(o.get("name") == "b_sanitize" and o.get("value") not in ("none", "")
                             for o in options)
        except (OSError, ValueError):
            pass
    return _sanitized


def timeout_factor():
    """How much longer than on a quiet machine a deadline may be: deadlines
    are limits for a hung program, never a measure of speed (bench/ is)."""
    default = "5" if wrapper() else "3" if sanitizer_build() else "1"
    return float(os.environ.get("SC_TIMEOUT_FACTOR", default))


def clean_env(env=None, home=None):
    """PATH, LANG=C.UTF-8, HOME, TSAN_OPTIONS and `env` only; None values in env
    are dropped."""
    result = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
              "LANG": "C.UTF-8"}
    if "TSAN_OPTIONS" in os.environ:  # its suppressions and report file
        result["TSAN_OPTIONS"] = os.environ["TSAN_OPTIONS"]
    if home:
        result["HOME"] = home
    for key, value in (env or {}).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = str(value)
    return result


def run_binary(args, env=None, input=None, timeout=60, home=None, cwd=None):
    """Run the program under test with a clean environment; never inherits AWS_*.

    args: list of arguments (without the program).  input: text for stdin
    (stdin is /dev/null otherwise).  home: HOME (default: a fresh temp dir,
    also the default cwd).  Raises BinaryTimeout if it runs longer than
    timeout (times SC_TIMEOUT_FACTOR).
    """
    home = home or tempdir("home-")
    argv = wrapper() + [binary_path()] + [str(a) for a in args]
    limit = timeout * timeout_factor()
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=clean_env(env, home), cwd=cwd or home,
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", errors="replace",
                            start_new_session=True)  # so a timeout can kill the whole group
    try:
        out, err = proc.communicate(input, timeout=limit)
    except BaseException as e:
        _kill_group(proc)
        out, err = proc.communicate()
        if isinstance(e, subprocess.TimeoutExpired):
            partial = RunResult(argv, None, out, err, time.monotonic() - start, home)
            raise BinaryTimeout(f"program did not exit within {limit:g}s\n"
                                f"{partial.describe()}") from None
        raise
    result = RunResult(argv, proc.returncode, out, err, time.monotonic() - start, home)
    check_sanitizers(result.stderr, result.describe())
    return result


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "WARNING: ThreadSanitizer")


def check_sanitizers(stderr, context=""):
    """Fail when a sanitizer build reported a memory error, leak or UB."""
    for marker in SANITIZER_MARKERS:
        if marker in stderr:
            raise AssertionError(f"sanitizer report ({marker})\n{context}")


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


# ----------------------------------------------------------------------------
# Assertions and files
# ----------------------------------------------------------------------------

def _labelled(items, prefix):
    if isinstance(items, RunResult):
        return {"stdout": items.stdout, "stderr": items.stderr}
    if isinstance(items, dict):
        return items
    if isinstance(items, str):
        return {prefix: items}
    return {f"{prefix}[{i}]": v for i, v in enumerate(items)}


def assert_no_secrets(texts, secrets):
    """Fail if any secret value occurs in any text.

    texts: {label: text}, a RunResult (stdout/stderr), a str or a list of str.
    secrets: {label: value} or a list of values.  The failure message names the
    secret by its label (never its value) and the output it appeared in.  A
    percent-encoded form of the secret counts too.
    """
    texts = _labelled(texts, "output")
    secrets = _labelled(secrets, "secret")
    leaks = []
    for secret_label, value in secrets.items():
        if not value:
            continue
        forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
        for text_label, text in texts.items():
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            if text and any(f in text for f in forms):
                leaks.append(f"{secret_label} appeared in {text_label}")
    if leaks:
        raise AssertionError("secret leaked: " + "; ".join(leaks))


class TempDir(str):
    """A temp dir path (a str); removed at exit, or at the end of a `with`."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def remove(self):
        if not os.environ.get("SC_KEEP_LOGS"):
            shutil.rmtree(self, ignore_errors=True)


def tempdir(prefix="sc-test-"):
    """Make a fresh private temp dir; it is removed when the process exits."""
    path = TempDir(tempfile.mkdtemp(prefix=prefix))
    atexit.register(path.remove)
    return path


def write_file(path, text, mode=0o600):
    """Write text (or bytes) to path, creating parent dirs; chmod to mode."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)  # O_CREAT's mode is filtered by umask and ignored if it existed
    return path


# ----------------------------------------------------------------------------
# Shared peers
# ----------------------------------------------------------------------------

_moto = None
_moto_lock = threading.Lock()


def moto():
    """The process-wide MotoServer, started on first use and stopped at exit."""
    global _moto
    with _moto_lock:
        if _moto is None:
            if os.environ.get("SC_NO_MOTO"):
                raise Skip("moto is not installed: IAM/STS peer unavailable")
            from peers.moto import MotoServer
            _moto = MotoServer().start()  # registers its own atexit stop
        return _moto


_ca = None


def ca():
    """A process-wide TestCA (made on first use in a temp dir)."""
    global _ca
    if _ca is None:
        from peers.testca import make_test_ca
        _ca = make_test_ca(tempdir("ca-"))
    return _ca


def note(message):
    """A line for the reader of the test log (stderr), e.g. a measured time."""
    print(f"# {message}", file=sys.stderr, flush=True)
