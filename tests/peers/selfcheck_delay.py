"""Self-check of DelayProxy: python3 tests/peers/selfcheck_delay.py

Puts the proxy in front of the fake Spot API (HTTPS, test CA) and of a TCP
echo server, and checks what it counts (connections, full and resumed TLS
1.3 and 1.2 handshakes, exchanges, bytes), that it keeps the byte order and
half-closes, and that it never delivers early.  One ok/not ok line per
check via harness.Suite.
"""

import os
import sys

# Run as a script, sys.path[0] is tests/peers, where our moto.py would shadow
# the real moto package: put tests/ and tests/integration first instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
_TESTS = os.path.dirname(_HERE)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path[:0] = [_TESTS, os.path.join(_TESTS, "integration")]

import http.client  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import harness  # noqa: E402
from peers.delayproxy import DelayProxy  # noqa: E402
from peers.fakespot import FakeSpot  # noqa: E402

suite = harness.Suite("delayproxy-selfcheck")
TOKEN = "selfcheck-delay-token"
ONE_WAY = 0.02


class Peers:
    ca = spot = far = echo = far_echo = None


P = Peers()


class Echo:
    """A TCP echo server on loopback; half-closes when the client does."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    conn.shutdown(socket.SHUT_WR)
                    return
                conn.sendall(data)

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept()
        except OSError:
            pass
        self.sock.close()
        self.thread.join(10)


def client_context(version):
    ctx = P.ca.client_context()
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


def https_requests(ctx, session=None, n=2):
    """n GETs on one new connection; returns the TLS session."""
    raw = socket.create_connection(("127.0.0.1", P.far.port), timeout=30)
    tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session)
    conn = http.client.HTTPSConnection("127.0.0.1", P.far.port, context=ctx, timeout=30)
    conn.sock = tls
    for _ in range(n):
        conn.request("GET", "/setup/account", headers={"Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200, resp.status
    sess = tls.session
    conn.close()
    return sess


def connections_of(fn):
    mark = P.far.mark()
    fn()
    assert P.far.wait_idle(30), "a connection stayed open"
    return P.far.connections_since(mark)


@suite.test
def test_start():
    P.ca = harness.ca()
    P.spot = FakeSpot(token=TOKEN, tls=P.ca).start()
    P.far = DelayProxy(P.spot.port, one_way=ONE_WAY).start()
    P.echo = Echo()
    P.far_echo = DelayProxy(P.echo.port, one_way=ONE_WAY).start()
    assert P.far.rtt == 2 * ONE_WAY


def _full_then_resumed(version, name):
    ctx = client_context(version)
    sessions = []
    first = connections_of(lambda: sessions.append(https_requests(ctx)))
    again = connections_of(lambda: https_requests(ctx, session=sessions[0], n=3))
    assert len(first) == 1 and len(again) == 1, (first, again)
    c = first[0]
    assert (c.tls, c.resumed) == (name, False), c
    assert len(c.exchanges) == 2, c.exchanges
    c = again[0]
    assert (c.tls, c.resumed) == (name, True), c
    assert len(c.exchanges) == 3, c.exchanges
    assert c.bytes_up > 0 and c.bytes_down > 0
    # Never early: the TCP handshake's RTT, then each exchange's.
    assert c.handshake_end - c.accepted >= 2 * P.far.rtt - 0.002, c.handshake_end - c.accepted
    for a, b in c.exchanges:
        assert b - a >= P.far.rtt - 0.002, (a, b)


@suite.test
def test_tls13_full_then_resumed():
    _full_then_resumed(ssl.TLSVersion.TLSv1_3, "1.3")


@suite.test
def test_tls12_full_then_resumed():
    _full_then_resumed(ssl.TLSVersion.TLSv1_2, "1.2")


@suite.test
def test_plain_tcp_keeps_order_half_closes_and_waits_a_round_trip():
    chunks = [bytes([i]) * (1 + i * 997 % 5000) for i in range(200)]
    got = bytearray()

    def run():
        with socket.create_connection(("127.0.0.1", P.far_echo.port), timeout=30) as s:
            start = time.monotonic()
            for c in chunks:
                s.sendall(c)
            s.shutdown(socket.SHUT_WR)
            first = None
            while True:
                data = s.recv(65536)
                if not data:
                    break
                if first is None:
                    first = time.monotonic()
                got.extend(data)
            # connect (1 RTT) + there and back (1 RTT)
            assert first - start >= 2 * P.far_echo.rtt - 0.002, first - start

    mark = P.far_echo.mark()
    run()
    assert P.far_echo.wait_idle(30)
    conns = P.far_echo.connections_since(mark)
    assert bytes(got) == b"".join(chunks)
    assert len(conns) == 1 and conns[0].tls is None, conns
    assert conns[0].bytes_up == conns[0].bytes_down == len(got)


@suite.test
def test_stop_leaves_no_threads():
    for peer in (P.far, P.far_echo, P.spot, P.echo):
        peer.stop()
    left = [t.name for t in threading.enumerate()
            if t is not threading.current_thread() and t.name.startswith("DelayProxy")]
    assert not left, f"threads left: {left}"


if __name__ == "__main__":
    harness.main(suite)
