"""Interrupted connections: the process killed between every pair of steps
(while the peer sits on the step's first call), then run again: it must end
connected, with the same External ID, and nothing duplicated."""

import json
import os
import signal
import time

import harness
from connect_env import (FIRST_RUN, attached, connect, env, fresh, iam_proxy, kill, policy_arn,
                         policy_versions, result, role_trust, spot, start, state_file, stop_peers,
                         wait_until)

suite = harness.Suite("resume")
T = {}

# (peer, call) in the order a first run makes them: STS and IAM are both
# behind the IAM fault proxy here; each call once.
KILL_POINTS = list(dict.fromkeys(("spot" if svc == "spot" else "iam", call)
                                 for svc, call in FIRST_RUN))


@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def saved_external_id():
    try:
        with open(state_file(T)) as f:
            return json.load(f).get("externalId")
    except FileNotFoundError:
        return None


def stall(peer, call):
    if peer == "spot":
        spot().set_mode("stall", times=1, endpoint=call, seconds=60)
        return lambda: spot().count_endpoint(call) >= 1
    iam_proxy().set_mode("stall", times=1, action=call, seconds=60)
    return lambda: iam_proxy().count_action(call) >= 1


def assert_converged(doc, ext_before):
    assert doc["connected"], doc
    acct = doc["spotAccountId"]
    assert list(spot().accounts) == [acct], spot().accounts
    if ext_before:
        assert doc["externalId"] == ext_before, (doc["externalId"], ext_before)
    assert spot().external_ids(acct)[-1] == doc["externalId"]
    cond = role_trust(T["role"])["Statement"][0]["Condition"]["StringEquals"]
    assert cond["sts:ExternalId"] == doc["externalId"]
    assert len(policy_versions(T)) == 1
    assert policy_arn(T) in attached(T["role"])


def killed_at(peer, call):
    arrived = stall(peer, call)
    proc = start(T, env_=env(via_proxy=True))
    assert wait_until(arrived, timeout=60 * harness.timeout_factor()), f"{call} never arrived"
    kill(proc)
    spot().clear()
    iam_proxy().clear()
    ext_before = saved_external_id()
    r = connect(T, env_=env(via_proxy=True))
    assert r.code == 0, r.describe()
    assert_converged(result(r), ext_before)
    st = json.load(open(state_file(T)))
    assert st["spotAccount"]["created"] and st["role"]["created"] and st["policy"]["created"], st


for peer, call in KILL_POINTS:
    suite.add(f"killed during {peer} {call}, then resumed", killed_at, peer, call)


@suite.test
def test_lost_create_account_answer_is_claimed():
    spot().set_mode("reset", times=1, endpoint="createAccount", after=True)
    r = connect(T)
    assert r.code == 1, r.describe()
    assert len(spot().accounts) == 1
    r = connect(T)
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    assert list(spot().accounts) == [doc["spotAccountId"]]
    assert json.load(open(state_file(T)))["spotAccount"]["created"] is True


@suite.test
def test_interrupt_saves_state_and_exits_130():
    # The stall outlasts the test.  The program must stop on SIGINT while
    # the call is stalled: before its own 30 s HTTP timeout could end the
    # call (the limit below is not scaled: it is that ordering), with no
    # repeat of the call.
    spot().set_mode("stall", times=1, endpoint="setCredentials", seconds=600)
    proc = start(T)
    assert wait_until(lambda: spot().count_endpoint("setCredentials") >= 1,
                      timeout=60 * harness.timeout_factor())
    start_t = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=25)
    harness.note(f"stopped {time.monotonic() - start_t:.2f}s after SIGINT")
    assert proc.returncode == 130, (proc.returncode, err)
    assert spot().count_endpoint("setCredentials") == 1, spot().endpoints()
    assert "interrupted" in err, err
    ext = json.load(open(state_file(T)))["externalId"]
    spot().clear()
    doc = result(connect(T))
    assert doc["connected"] and doc["externalId"] == ext, doc


@suite.test
def test_fresh_starts_over():
    first = result(connect(T))
    # Issue 8: a fresh start on a linked account keeps the link (adopted) ...
    doc = result(connect(T, "--fresh", "--spot-account-name", T["name"] + "-new"))
    assert doc["externalId"] == first["externalId"] and doc["alreadyConnected"], doc
    # ... and a new External ID is asked for explicitly.
    doc = result(connect(T, "--fresh", "--rotate-external-id"))
    assert doc["externalId"] != first["externalId"] and doc["connected"], doc


@suite.test
def test_corrupt_state_is_not_overwritten():
    connect(T)
    with open(state_file(T), "w") as f:
        f.write("{not json")
    r = connect(T)
    assert r.code == 2 or r.code == 1, r.describe()
    assert "--fresh" in r.stderr, r.describe()
    with open(state_file(T)) as f:
        assert f.read() == "{not json"


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
