"""Secrets and files (issue 7 section 4): no token on the command line and no
option abbreviations, no core dumps, private state and log files, the
External ID kept when its save fails, https for Spot, and MFA codes never
sent twice."""

import json
import os
import shutil
import subprocess
import sys

import harness

suite = harness.Suite("secrets")

TOKEN = "tok-Secret-0123456789abcdef"
TOKEN_REFUSED = "a token is never accepted on the command line; use --token-file or SPOTINST_TOKEN"

# ---- the command line ----


def token_refused(args):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert TOKEN_REFUSED in r.stderr, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()
    assert len(r.stderr.strip().splitlines()) == 1, r.describe()


for cmd in (["status"], ["connect"], ["disconnect"], ["plan"], []):
    for form in (["--token", TOKEN], ["--token=" + TOKEN], ["--spot-token=" + TOKEN],
                 ["--spot-token", TOKEN]):
        suite.add(f"token refused: {' '.join(cmd + form[:1])}", token_refused, cmd + form)


def abbreviation_refused(args, name):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert f"unknown option '{name}'" in r.stderr, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()


for args, name in [
    (["status", "--token-f=" + TOKEN], "--token-f"),
    (["status", "--tok", TOKEN], "--tok"),
    (["connect", "--external=" + TOKEN], "--external"),
    (["whoami", "--prof", TOKEN], "--prof"),
    (["trust-policy", "--ext=" + TOKEN], "--ext"),
    (["policy", "--parti=" + TOKEN], "--parti"),  # --part is an option of its own
    (["--token-f=" + TOKEN], "--token-f"),
]:
    suite.add(f"abbreviation refused: {args[0]} {name}", abbreviation_refused, args, name)


def value_not_echoed(args):
    r = harness.run_binary(args)
    assert r.code == 2, r.describe()
    assert TOKEN not in r.stderr + r.stdout, r.describe()


for args in (["whoami", "--timeout=" + TOKEN], ["connect", "--method=" + TOKEN],
             ["connect", "--wait=" + TOKEN], ["policy", "--partition=" + TOKEN],
             ["connect", "--yes=" + TOKEN], ["status", "--bogus=" + TOKEN],
             ["--bogus=" + TOKEN], ["--no-color=" + TOKEN]):
    suite.add(f"usage error quotes no value: {' '.join(args)[:40]}", value_not_echoed, args)


@suite.test
def test_full_option_names_still_work():
    r = harness.run_binary(["policy", "--partition=aws", "--compact"])
    assert r.code == 0 and r.stdout.startswith("{"), r.describe()
    r = harness.run_binary(["trust-policy", "--external-id", "abc-123"])
    assert r.code == 0 and "abc-123" in r.stdout, r.describe()


# ---- endpoints: no secret in clear over the network ----

FAR = "10.1.2.3"  # exists only inside the test's private network namespace
NETNS_HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netns_listen.py")


def run_in_netns(args, env):
    """Runs spot-connect inside `unshare -n` where FAR is a local address
    with listeners on ports 80 and 443; returns the helper's report."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        harness.skip("unshare or ip is missing")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        harness.skip("unshare -n is not permitted here")
    home = harness.tempdir("home-")
    spec = {"addr": FAR, "argv": harness.wrapper() + [harness.binary_path()] + args,
            "env": harness.clean_env(env, home), "cwd": home,
            "timeout": 60 * harness.timeout_factor()}
    p = subprocess.run(["unshare", "-n", sys.executable, NETNS_HELPER, json.dumps(spec)],
                       capture_output=True, text=True, timeout=120 * harness.timeout_factor())
    assert p.returncode == 0 and p.stdout.strip(), p.stderr
    report = json.loads(p.stdout.strip().splitlines()[-1])
    harness.check_sanitizers(report["stderr"], report["stderr"])
    return report


def spot_state(tmp):
    path = os.path.join(tmp, "state.json")
    harness.write_file(path, json.dumps({"version": 1, "awsAccountId": "123456789012",
                                         "spotAccount": {"id": "act-12345678"},
                                         "step": "spot-account"}))
    return path


@suite.test
def test_spot_http_endpoint_is_refused_before_any_connection():
    state = spot_state(harness.tempdir())
    for how, args, env in [
        ("environment", ["status", "--state", state],
         {"SPOT_CONNECT_SPOT_ENDPOINT": f"http://{FAR}", "SPOTINST_TOKEN": TOKEN}),
        ("option", ["status", "--state", state, "--spot-endpoint", f"http://{FAR}/"],
         {"SPOTINST_TOKEN": TOKEN}),
        ("loopback too", ["status", "--state", state, "--spot-endpoint", "http://127.0.0.1:80"],
         {"SPOTINST_TOKEN": TOKEN}),
    ]:
        env.update({"AWS_EC2_METADATA_DISABLED": "true"})
        r = run_in_netns(args, env)
        assert r["received"] == [], f"{how}: a request reached {FAR}"
        assert r["code"] == 2, f"{how}: {r}"
        assert "https://" in r["stderr"] and "in clear" in r["stderr"], f"{how}: {r}"
        assert TOKEN not in r["stderr"] + r["stdout"], how


@suite.test
def test_aws_http_endpoint_is_refused_unless_loopback():
    env = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": TOKEN,
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"):
        r = run_in_netns(["whoami"], dict(env, **{var: f"http://{FAR}"}))
        assert r["received"] == [], f"{var}: a request reached {FAR}"
        assert r["code"] == 2, f"{var}: {r}"
        assert "https://" in r["stderr"], r
        assert TOKEN not in r["stderr"] + r["stdout"]
    # Loopback stays allowed (local test servers): the call is made, and fails.
    r = run_in_netns(["whoami"], dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9"))
    assert r["code"] == 1 and "cannot connect" in r["stderr"], r


# ---- the state file, its temporary file and the log ----

ROLE = "arn:aws:iam::123456789012:role/Spot-Role"
VICTIM_TEXT = "someone else's file\n"


def manual_connect(state, extra_env=None, prefix=None):
    """A connect that saves the state and opens the log, then fails to reach
    Spot (nothing listens on 127.0.0.1:9): no peer needed."""
    env = {"SPOTINST_TOKEN": TOKEN, "SPOT_CONNECT_SPOT_ENDPOINT": "https://127.0.0.1:9",
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.update(extra_env or {})
    args = ["connect", "--method", "manual", "--role-arn", ROLE, "--yes", "--state", state,
            "--spot-account", "act-12345678"]
    if prefix:
        return run_via_shell(prefix, args, env)
    return harness.run_binary(args, env=env)


def run_via_shell(prefix, args, env):
    """Runs `prefix` in sh, then execs spot-connect in the same process (so
    $$ in prefix is the tool's pid)."""
    home = harness.tempdir("home-")
    argv = ["sh", "-c", prefix + '; exec "$@"', "sh"] + harness.wrapper() + \
        [harness.binary_path()] + args
    p = subprocess.run(argv, env=harness.clean_env(env, home), cwd=home, capture_output=True,
                       text=True, timeout=60 * harness.timeout_factor(), stdin=subprocess.DEVNULL)
    harness.check_sanitizers(p.stderr, p.stderr)
    return p


def victim(tmp):
    path = os.path.join(tmp, "victim")
    harness.write_file(path, VICTIM_TEXT, mode=0o644)
    return path


def assert_victim_untouched(path):
    with open(path) as f:
        assert f.read() == VICTIM_TEXT, "the planted link's target was written"


@suite.test
def test_planted_link_at_the_temporary_name_is_not_followed():
    tmp = harness.tempdir()
    state, target = os.path.join(tmp, "state.json"), victim(tmp)
    # Before the fix the temporary file was STATE.tmp.PID, opened through links.
    p = manual_connect(state, prefix=f'ln -s {target} {state}.tmp.$$')
    assert p.returncode == 1, p.stderr
    assert_victim_untouched(target)
    assert os.path.isfile(state) and not os.path.islink(state), "the state became a link"
    assert os.stat(state).st_mode & 0o777 == 0o600
    with open(state) as f:
        saved = json.load(f)
    # Written before Spot is asked anything (the given account is checked
    # against Spot first, and 127.0.0.1:9 does not answer).
    assert saved["awsAccountId"] == "123456789012" and saved["method"] == "manual", saved
    leftovers = [n for n in os.listdir(tmp) if n.startswith("state.json.") and
                 not os.path.islink(os.path.join(tmp, n))]
    assert leftovers == [], leftovers


@suite.test
def test_planted_link_at_the_log_is_refused():
    tmp = harness.tempdir()
    state, target = os.path.join(tmp, "state.json"), victim(tmp)
    os.symlink(target, os.path.join(tmp, "state.log"))
    r = manual_connect(state)
    assert r.code == 1 and "symbolic link" in r.stderr and "state.log" in r.stderr, r.describe()
    assert_victim_untouched(target)


@suite.test
def test_log_readable_by_others_is_refused():
    tmp = harness.tempdir()
    state, log = os.path.join(tmp, "state.json"), os.path.join(tmp, "state.log")
    harness.write_file(log, "old line\n", mode=0o644)
    r = manual_connect(state)
    assert r.code == 1 and "refusing log file" in r.stderr and "chmod 600" in r.stderr, \
        r.describe()
    with open(log) as f:
        assert f.read() == "old line\n"


@suite.test
def test_log_of_another_user_is_refused():
    tmp = harness.tempdir()
    state, log = os.path.join(tmp, "state.json"), os.path.join(tmp, "state.log")
    harness.write_file(log, "old line\n", mode=0o600)
    os.chown(log, 65534, 65534)
    r = manual_connect(state)
    assert r.code == 1 and "not yours" in r.stderr, r.describe()


@suite.test
def test_log_is_created_private():
    tmp = harness.tempdir()
    state = os.path.join(tmp, "state.json")
    r = manual_connect(state)
    assert r.code == 1, r.describe()
    log = os.path.join(tmp, "state.log")
    assert os.stat(log).st_mode & 0o777 == 0o600 and os.path.isfile(log)


@suite.test
def test_state_directory_writable_by_others_is_refused():
    tmp = harness.tempdir()
    shared = os.path.join(tmp, "shared")
    os.mkdir(shared)
    for mode in (0o777, 0o1777, 0o770):
        os.chmod(shared, mode)
        r = manual_connect(os.path.join(shared, "state.json"))
        assert r.code == 1 and "writable by others" in r.stderr, (oct(mode), r.describe())
        assert os.listdir(shared) == [], (oct(mode), os.listdir(shared))


@suite.test
def test_state_directory_of_another_user_is_refused():
    tmp = harness.tempdir()
    theirs = os.path.join(tmp, "theirs")
    os.mkdir(theirs, 0o755)
    os.chown(theirs, 65534, 65534)
    if os.geteuid() == 65534:
        harness.skip("running as nobody")
    r = manual_connect(os.path.join(theirs, "state.json"))
    assert r.code == 1 and "not yours" in r.stderr, r.describe()
    assert os.listdir(theirs) == []


@suite.test
def test_state_file_that_is_a_link_is_refused():
    tmp = harness.tempdir()
    state, target = os.path.join(tmp, "state.json"), os.path.join(tmp, "elsewhere.json")
    harness.write_file(target, "{}\n")
    os.symlink(target, state)
    r = manual_connect(state)
    assert r.code == 1 and "symbolic link" in r.stderr, r.describe()
    assert os.path.islink(state)
    with open(target) as f:
        assert f.read() == "{}\n"


# ---- the External ID when its save fails ----


def run_with_file_limit(args, env, home, limit):
    """spot-connect with RLIMIT_FSIZE = limit bytes: a write past it fails
    with EFBIG ("File too large"), as on a full disk; SIGXFSZ is ignored."""
    import resource
    import signal

    def limit_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    argv = harness.wrapper() + [harness.binary_path()] + args
    p = subprocess.run(argv, env=harness.clean_env(env, home), cwd=home, capture_output=True,
                       text=True, timeout=120 * harness.timeout_factor(),
                       stdin=subprocess.DEVNULL, preexec_fn=limit_files)
    harness.check_sanitizers(p.stderr, p.stderr)
    return p


@suite.test
def test_external_id_that_cannot_be_saved_is_shown_with_how_to_resume():
    import connect_env as ce
    t = ce.fresh()
    state = os.path.join(t["home"], "state", "conn.json")
    os.makedirs(os.path.dirname(state), mode=0o700)
    # Run 1 stops before the External ID: the state holds the Spot account.
    ce.spot().set_mode("error", times=1, endpoint="generateExternalId", status=400)
    r = ce.connect(t, "--state", state, "--log", os.path.join(t["home"], "log"))
    assert r.code == 1 and "injected error" in r.stderr, r.describe()
    with open(state) as f:
        before = json.load(f)
    assert before["step"] == "spot-account" and before["externalId"] is None, before
    acct = before["spotAccount"]["id"]
    # Run 2: saving with the External ID needs more bytes than the limit.
    size = os.path.getsize(state)
    args = ["connect", "--method", "automatic", "--yes", *ce.names_args(t), "--state", state,
            "--log", os.path.join(t["home"], "log2")]
    p = run_with_file_limit(args, ce.env(), t["home"], size + 4)
    assert p.returncode == 1, p.stderr
    ids = ce.spot().external_ids(acct)
    assert len(ids) == 1, ids
    last = p.stderr.strip().splitlines()[-1]
    assert ids[0] in last and "File too large" in last, p.stderr
    assert f"--spot-account {acct} --external-id {ids[0]}" in last, p.stderr
    assert "saved before" not in p.stderr, p.stderr
    harness.assert_no_secrets(p.stderr + p.stdout, ce.secrets())
    with open(state) as f:
        assert json.load(f)["externalId"] is None
    # Run 3 follows the advice: connected with that External ID, none generated.
    r = ce.connect(t, "--state", state, "--spot-account", acct, "--external-id", ids[0])
    doc = ce.result(r)
    assert r.code == 0 and doc["connected"] and doc["externalId"] == ids[0], r.describe()
    assert ce.spot().external_ids(acct) == ids
    cond = ce.role_trust(t["role"])["Statement"][0]["Condition"]["StringEquals"]
    assert cond["sts:ExternalId"] == ids[0]


# ---- no core dumps, no reading of the process's memory ----

NOBODY = 65534
PEEK_SCRIPT = """#!/bin/sh
# Runs as the tool's child: what can the same user see of the tool?
stat -c %u /proc/$PPID/environ > "$HOME/owner"
grep 'Max core file size' /proc/$PPID/limits > "$HOME/core"
echo '{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x"}'
"""


@suite.test
def test_process_is_not_dumpable_and_has_no_core_limit():
    """Run as an unprivileged user (root may always read): a non-dumpable
    process's /proc files belong to root, and RLIMIT_CORE is 0."""
    import resource
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        harness.skip("needs root and setpriv to run the tool as another user")
    home = harness.tempdir("home-")
    os.chmod(home, 0o755)
    script = os.path.join(home, "peek.sh")
    harness.write_file(script, PEEK_SCRIPT, mode=0o755)
    harness.write_file(os.path.join(home, ".aws", "config"),
                       f"[profile peek]\ncredential_process = {script}\n")
    for root, dirs, files in os.walk(home):
        for name in dirs + files + ["."]:
            os.chown(os.path.join(root, name), NOBODY, NOBODY)
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20

    def raise_core_limit():
        resource.setrlimit(resource.RLIMIT_CORE, (want, hard))

    env = harness.clean_env({"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
                             "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, home)
    argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + \
        harness.wrapper() + [harness.binary_path(), "whoami", "--profile", "peek"]
    p = subprocess.run(argv, env=env, cwd=home, capture_output=True, text=True,
                       timeout=60 * harness.timeout_factor(), stdin=subprocess.DEVNULL,
                       preexec_fn=raise_core_limit)
    harness.check_sanitizers(p.stderr, p.stderr)
    assert os.path.exists(os.path.join(home, "owner")), p.stderr
    with open(os.path.join(home, "owner")) as f:
        owner = int(f.read().strip())
    with open(os.path.join(home, "core")) as f:
        core = f.read().split()
    assert owner == 0, f"/proc/PID/environ belongs to {owner}: the process is dumpable"
    assert core[4:6] == ["0", "0"], core


if __name__ == "__main__":
    harness.main(suite)
