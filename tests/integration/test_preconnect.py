"""Preconnecting (src/net/preconnect.c): the TCP connection to the next
endpoint is opened in the background and handed to libcurl for the call.
Through tests/integration/preconnect_call, against loopback peers that count
the TCP connections they accept: a preconnected call makes no second
connection; a preconnect that fails, or is skipped because a proxy applies,
leaves the call as it was."""

import json
import os
import socket
import subprocess
import time

import harness
from common import build_path, moto_env
from peers.connect_proxy import ConnectProxy
from peers.fakespot import FakeSpot

suite = harness.Suite("preconnect")
TOKEN = "sc-preconnect-token-4d81b2"


def wait_until(pred, what, timeout=30.0):
    end = time.monotonic() + timeout * harness.timeout_factor()
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def dead_port():
    """A loopback port nobody listens on (bound, never listening)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


class Driver:
    """preconnect_call: settles its preconnect, waits for go(), calls."""

    def __init__(self, kind, env):
        home = harness.tempdir("home-")
        full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                "HOME": home}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
            if key in os.environ:
                full[key] = os.environ[key]
        full.update(env)
        self.proc = subprocess.Popen([build_path("tests", "integration", "preconnect_call"), kind],
                                     env=full, cwd=home, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line, f"no output: {self.proc.stderr.read()}"
        self.settled = json.loads(line)

    def go(self):
        out, err = self.proc.communicate("go\n", timeout=120 * harness.timeout_factor())
        harness.check_sanitizers(err, err)
        harness.assert_no_secrets({"stdout": out, "stderr": err}, {"token": TOKEN})
        self.result = json.loads(out.strip().splitlines()[-1])
        self.stderr = err
        return self.result


def spot_env(url, **extra):
    env = {"SPOTINST_TOKEN": TOKEN, "SPOT_CONNECT_SPOT_ENDPOINT": url,
           "SPOT_CONNECT_CA_BUNDLE": harness.ca().ca_cert}
    env.update(extra)
    return env


@suite.test
def test_spot_call_uses_the_preconnected_socket():
    with FakeSpot(token=TOKEN, tls=harness.ca()) as spot:
        d = Driver("spot", spot_env(spot.url))
        assert d.settled["pooled"] == 1, d.settled
        wait_until(lambda: spot.accepts == 1, "the peer to accept the preconnection")
        r = d.go()
        assert r["status"] == "ok", (r, d.stderr)
        assert r["used"] == 1 and r["pooled"] == 0, r
        assert spot.accepts == 1, f"{spot.accepts} TCP connections"
        assert spot.count_endpoint("listAccounts") == 1


@suite.test
def test_sts_call_uses_the_preconnected_socket():
    from peers.faultproxy import FaultProxy
    with FaultProxy(harness.moto().url, tls=harness.ca()) as proxy:
        d = Driver("sts", moto_env(AWS_ENDPOINT_URL_STS=proxy.url,
                                   AWS_CA_BUNDLE=harness.ca().ca_cert))
        assert d.settled["pooled"] == 1, d.settled
        wait_until(lambda: proxy.accepts == 1, "the peer to accept the preconnection")
        r = d.go()
        assert r["status"] == "ok", (r, d.stderr)
        assert r["used"] == 1, r
        assert proxy.accepts == 1, f"{proxy.accepts} TCP connections"


@suite.test
def test_refused_preconnect_leaves_the_call_as_it_was():
    holder, port = dead_port()
    with holder:
        d = Driver("spot", spot_env(f"https://127.0.0.1:{port}"))
        assert d.settled == {"phase": "settled", "pooled": 0, "connecting": 0}, d.settled
        r = d.go()
    assert r["status"] == "could not connect", (r, d.stderr)
    assert r["used"] == 0, r
    assert "cannot connect to 127.0.0.1:" in d.stderr, d.stderr


@suite.test
def test_closed_preconnection_is_not_handed_over():
    """The server drops the idle preconnection: libcurl opens its own. Plain
    HTTP, so that the peer holds the socket while it waits for a request."""
    from peers.faultproxy import FaultProxy
    with FaultProxy(harness.moto().url) as proxy:
        d = Driver("sts", moto_env(AWS_ENDPOINT_URL_STS=proxy.url))
        assert d.settled["pooled"] == 1, d.settled
        wait_until(lambda: proxy.accepts == 1, "the peer to accept the preconnection")
        wait_until(lambda: proxy.drop_connections() == 1, "the peer to hold the connection")
        r = d.go()
        assert r["status"] == "ok", (r, d.stderr)
        assert r["used"] == 0, r
        assert proxy.accepts == 2, f"{proxy.accepts} TCP connections"
        assert proxy.count == 1, proxy.actions()


@suite.test
def test_no_preconnect_when_a_proxy_applies():
    with FakeSpot(token=TOKEN, tls=harness.ca()) as spot, ConnectProxy() as proxy:
        d = Driver("spot", spot_env(spot.url, HTTPS_PROXY=proxy.url))
        assert d.settled == {"phase": "settled", "pooled": 0, "connecting": 0}, d.settled
        assert spot.accepts == 0
        r = d.go()
        assert r["status"] == "ok", (r, d.stderr)
        assert r["used"] == 0, r
        assert proxy.tunnel_count == 1 and spot.accepts == 1, (proxy.tunnels, spot.accepts)


if __name__ == "__main__":
    harness.main(suite)
