"""The one retry policy (src/util/retry.c) seen from outside: a server's
requested pause (Retry-After, Spot's X-RateLimit-Reset) is waited for, a
pause longer than the cap is reported instead of waited, a cancel during a
wait stops the program at once, and calls that must not arrive twice are
still never repeated blindly. Peers: FakeSpot through spot_call, moto behind
the fault proxy for AWS, and both for the `connect` command.

Time bounds: a gap the policy must keep is checked from below only (the
server records arrival times, so it cannot be shorter on a slow machine);
"quickly" is checked against a bound far under the pause it replaces."""

import json
import os
import signal
import time

import harness
from common import aws_call, moto_env, run_tool
from connect_env import env as connect_env
from connect_env import fresh, iam_proxy
from connect_env import spot as connect_spot
from connect_env import start, stop_peers, wait_until
from peers import fakespot
from peers.fakespot import FakeSpot

suite = harness.Suite("retry")
TOKEN = "sc-retry-token-5d1e0b"
_own = {}


def spot():
    if "spot" not in _own:
        _own["spot"] = FakeSpot(token=TOKEN, tls=harness.ca()).start()
    return _own["spot"]


@suite.before_each
def _fresh():
    if "spot" in _own:
        _own["spot"].reset()


class Call:
    """spot_call's JSON line and the process (as in test_spot_client)."""

    def __init__(self, proc):
        self.proc = proc
        lines = proc.stdout.strip().splitlines()
        assert lines, f"no output\n{proc.stderr}"
        self.out = json.loads(lines[-1])

    def __getitem__(self, key):
        return self.out[key]

    def describe(self):
        return f"{self.out}\n--- stderr:\n{self.proc.stderr}"


def call(*args, **env):
    e = {"SPOTINST_TOKEN": TOKEN, "SPOT_CONNECT_SPOT_ENDPOINT": spot().url,
         "SPOT_CONNECT_CA_BUNDLE": harness.ca().ca_cert}
    e.update(env)
    c = Call(run_tool("spot_call", list(args), e))
    harness.assert_no_secrets({"stdout": c.proc.stdout, "stderr": c.proc.stderr},
                              {"token": TOKEN})
    return c


def gap(s, endpoint, first=0):
    times = [r.time for r in s.requests if r.endpoint == endpoint]
    return times[first + 1] - times[first]


# -- Spot: the server's pause ----------------------------------------------------------

@suite.test
def test_spot_429_retry_after_1_then_success():
    s = spot()
    s.set_plan([("http429", {"retry_after": 1})])
    c = call("listAccounts")
    assert c["status"] == "ok" and c["attempts"] == 2, c.describe()
    assert gap(s, fakespot.LIST_ACCOUNTS) >= 1.0, gap(s, fakespot.LIST_ACCOUNTS)


@suite.test
def test_spot_rate_limit_reset_is_honoured():
    # Spot's limiter: no Retry-After, X-RateLimit-Reset = seconds until allowed.
    s = spot()
    s.set_plan([("http429", {"retry_after": None, "rate_limit_reset": 2})])
    c = call("listAccounts")
    assert c["status"] == "ok" and c["attempts"] == 2, c.describe()
    assert gap(s, fakespot.LIST_ACCOUNTS) >= 2.0, gap(s, fakespot.LIST_ACCOUNTS)


@suite.test
def test_spot_rate_limit_reset_as_a_unix_time():
    s = spot()
    s.set_plan([("http429", {"retry_after": None, "rate_limit_reset": int(time.time()) + 3})])
    c = call("listAccounts")
    assert c["status"] == "ok" and c["attempts"] == 2, c.describe()
    # Whole seconds on both sides: at least 2 s remain when the client reads it.
    assert gap(s, fakespot.LIST_ACCOUNTS) >= 1.9, gap(s, fakespot.LIST_ACCOUNTS)


@suite.test
def test_spot_longer_of_retry_after_and_reset_wins():
    s = spot()
    s.set_plan([("http429", {"retry_after": 1, "rate_limit_reset": 2})])
    c = call("listAccounts")
    assert c["status"] == "ok" and c["attempts"] == 2, c.describe()
    assert gap(s, fakespot.LIST_ACCOUNTS) >= 2.0, gap(s, fakespot.LIST_ACCOUNTS)


@suite.test
def test_spot_rate_limit_reset_on_a_500_is_no_pause():
    # Real Spot sends X-RateLimit-Reset on every answer: only a 429 means "wait".
    s = spot()
    s.set_mode("http500", times=1, rate_limit_reset=50)
    c = call("listAccounts")
    assert c["status"] == "ok" and c["attempts"] == 2, c.describe()
    assert gap(s, fakespot.LIST_ACCOUNTS) < 25, gap(s, fakespot.LIST_ACCOUNTS)


def over_the_cap(opts):
    s = spot()
    s.set_mode("http429", times=None, **opts)
    started = time.monotonic()
    c = call("listAccounts")
    took = time.monotonic() - started
    assert c["status"] == "Spot API error" and c["attempts"] == 1, c.describe()
    assert c["http"] == 429 and "3600 s" in c["message"], c.describe()
    assert s.count_endpoint(fakespot.LIST_ACCOUNTS) == 1
    assert took < 30, f"took {took:.1f}s"


suite.add("spot: Retry-After 3600 is reported, not waited or cut short", over_the_cap,
          {"retry_after": 3600})
suite.add("spot: X-RateLimit-Reset 3600 is reported, not waited or cut short", over_the_cap,
          {"retry_after": None, "rate_limit_reset": 3600})


# -- Spot: what is never repeated -----------------------------------------------------

@suite.test
def test_create_after_a_429_pause_then_a_lost_answer_is_not_repeated():
    s = spot()
    s.set_plan([("http429", {"retry_after": 1}), ("reset", {"after": True})])
    c = call("createAccount", "paused then lost")
    assert c["status"] == "connection failed" and c["attempts"] == 2, c.describe()
    assert "not repeated" in c["message"], c.describe()
    assert len(s.accounts) == 1 and s.count_endpoint(fakespot.CREATE_ACCOUNT) == 2


@suite.test
def test_external_id_after_a_429_pause_then_a_500_is_not_repeated():
    s = spot()
    act = s.add_account("ext")
    s.set_plan([("http429", {"retry_after": 1, "endpoint": fakespot.GENERATE_EXTERNAL_ID}),
                ("http500", {"after": True, "endpoint": fakespot.GENERATE_EXTERNAL_ID})])
    c = call("generateExternalId", act)
    assert c["status"] == "Spot API error" and c["attempts"] == 2, c.describe()
    assert "new external ID" in c["message"], c.describe()
    assert len(s.external_ids(act)) == 1


# -- AWS: the server's pause ----------------------------------------------------------

_aws = {}


def proxy():
    if "proxy" not in _aws:
        from peers.faultproxy import FaultProxy
        _aws["proxy"] = FaultProxy(harness.moto().url, tls=harness.ca()).start()
    _aws["proxy"].clear()
    _aws["proxy"].reset_log()
    return _aws["proxy"]


def aws_env(**extra):
    return moto_env(AWS_ENDPOINT_URL=_aws["proxy"].url, AWS_CA_BUNDLE=harness.ca().ca_cert,
                    **extra)


@suite.test
def test_aws_429_retry_after_then_success():
    p = proxy()
    p.set_plan([("error", {"status": 429, "code": "TooManyRequestsException",
                           "retry_after": 2})])
    doc, proc = aws_call(["GetCallerIdentity"], aws_env())
    assert doc["status"] == "ok", (doc, proc.stderr)
    assert p.count == 2, p.count
    # botocore's throttle backoff alone would be under 1 s here.
    assert p.requests[1].time - p.requests[0].time >= 2.0


@suite.test
def test_aws_503_retry_after_3600_is_reported():
    p = proxy()
    p.set_mode("http503", times=None, retry_after=3600)
    started = time.monotonic()
    r = harness.run_binary(["whoami"], env=aws_env())
    took = time.monotonic() - started
    assert r.code == 1 and "3600 s" in r.stderr, r.describe()
    assert p.count == 1, p.count
    assert took < 30, f"took {took:.1f}s"


# -- cancel during a wait -----------------------------------------------------------------

def interrupted_while_waiting(peer, setup, arrived):
    t = fresh()
    setup()
    proc = start(t, env_=connect_env(via_proxy=True))
    try:
        assert wait_until(arrived), "the first call never arrived"
        # Let the client read the refusal and start its pause; a signal
        # that comes earlier must stop it just the same.
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    took = time.monotonic() - started
    harness.check_sanitizers(err, err)
    assert proc.returncode == 130, (proc.returncode, err)
    # The pause asked for is 50 s; stopping must not wait for it.
    assert took < 8, f"took {took:.1f}s to stop"
    assert (connect_spot().count_endpoint(fakespot.LIST_ACCOUNTS) if peer == "spot"
            else iam_proxy().count_action("GetCallerIdentity")) == 1


def spot_throttles():
    connect_spot().set_mode("http429", times=None, endpoint=fakespot.LIST_ACCOUNTS,
                            retry_after=50)


def aws_throttles():
    iam_proxy().set_mode("http503", times=None, action="GetCallerIdentity", retry_after=15)


suite.add("SIGINT during a Spot 429 pause: exit 130 at once", interrupted_while_waiting,
          "spot", spot_throttles,
          lambda: connect_spot().count_endpoint(fakespot.LIST_ACCOUNTS) >= 1)
suite.add("SIGINT during an AWS 503 pause: exit 130 at once", interrupted_while_waiting,
          "aws", aws_throttles, lambda: iam_proxy().count_action("GetCallerIdentity") >= 1)


def _stop():
    for p in list(_own.values()) + list(_aws.values()):
        p.stop()
    stop_peers()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        _stop()
