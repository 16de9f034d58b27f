"""DelayProxy: a loopback TCP proxy that makes a local peer look far away,
and counts what crosses it.

    with DelayProxy(upstream_port, one_way=0.050) as far:   # 100 ms RTT
        url = f"https://127.0.0.1:{far.port}"                # instead of the peer's
        ...
        conns = far.connections_since(mark)                  # what a run did

Every chunk read from one side is written to the other `one_way` seconds
later, in the order read (per direction), so each request/answer exchange
costs one round trip (2 * one_way).

The TCP handshake: the kernel completes the client's connect() locally, at
once, so the proxy charges that round trip itself: the first bytes the client
sends on a connection are forwarded one extra round trip late (as if connect()
had taken an RTT, the client would have sent them that much later).  A
connection therefore costs 1 RTT to connect, as on a real link.  Clients'
own connect timers (curl's CURLINFO_CONNECT_TIME) see 0 and count that RTT
in their TLS time instead; `tcp_rtt_in_tls` below is the correction.

Per connection (`Conn`) it records, without decrypting anything: bytes each
way, and, from the cleartext TLS records, the TLS version and whether the
handshake was full or resumed -- TLS 1.3: resumed when the ServerHello
carries the pre_shared_key extension; TLS 1.2: resumed when the server's
ChangeCipherSpec comes before any Certificate message (the abbreviated
handshake), which is also when its ServerHello echoes the client's non-empty
session id.  It also records, in the client's time (the proxy's read time of
the client's bytes and its write time of the server's):

  * handshake_end: when the client sent its first application-data record
    (TLS 1.3: its Finished; TLS 1.2: its first request, one flight after
    the server's Finished) -- the client's handshake is over then;
  * exchanges: [start, end] of each request/answer: from a client write
    after the handshake to the last server bytes before the next client write.

Plain (non-TLS) connections are counted too (tls is None).  Loopback only.
"""

import asyncio
import threading
import time

LOOPBACK = "127.0.0.1"

# TLS record content types and handshake message types.
_CCS, _ALERT, _HANDSHAKE, _APPDATA = 20, 21, 22, 23
_CLIENT_HELLO, _SERVER_HELLO, _CERTIFICATE = 1, 2, 11
_EXT_PRE_SHARED_KEY, _EXT_SUPPORTED_VERSIONS = 41, 43
# A ServerHello with this random is a HelloRetryRequest (RFC 8446 4.1.3).
_HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


class Conn:
    """What one TCP connection did; times are time.monotonic()."""

    def __init__(self, accepted, connected):
        self.accepted = accepted
        self.connected = connected  # when a real connect() would have returned
        self.closed = None
        self.bytes_up = 0           # client -> server
        self.bytes_down = 0         # server -> client
        self.tls = None             # "1.3", "1.2", or None (not TLS / not seen)
        self.resumed = None         # True/False once the ServerHello is seen
        self.handshake_end = None   # see the module doc
        self.exchanges = []         # [start, end] per request/answer

    def __repr__(self):
        kind = "plain" if self.tls is None else \
            f"TLS {self.tls} {'resumed' if self.resumed else 'full'}"
        return f"<Conn {kind} up={self.bytes_up} down={self.bytes_down} " \
               f"exchanges={len(self.exchanges)}>"


class _Records:
    """Splits one direction's byte stream into TLS records (cleartext part)."""

    def __init__(self):
        self.buf = bytearray()
        self.hs = bytearray()       # handshake messages, reassembled
        self.done = False

    def feed(self, data):
        """Yields (content type, payload) of every complete record."""
        self.buf += data
        while len(self.buf) >= 5:
            length = int.from_bytes(self.buf[3:5], "big")
            if len(self.buf) < 5 + length:
                return
            rtype, payload = self.buf[0], bytes(self.buf[5:5 + length])
            del self.buf[:5 + length]
            yield rtype, payload

    def messages(self, payload):
        """Yields (type, body) of every complete handshake message."""
        self.hs += payload
        while len(self.hs) >= 4:
            length = int.from_bytes(self.hs[1:4], "big")
            if len(self.hs) < 4 + length:
                return
            mtype, body = self.hs[0], bytes(self.hs[4:4 + length])
            del self.hs[:4 + length]
            yield mtype, body


def _hello_session_id(body):
    # legacy_version(2) random(32) session_id<0..32>
    n = body[34] if len(body) > 34 else 0
    return body[35:35 + n]


def _server_hello_extensions(body):
    """{extension type: data} of a ServerHello body."""
    sid_len = body[34]
    i = 35 + sid_len + 2 + 1   # session id, cipher suite, compression
    exts = {}
    if i + 2 > len(body):
        return exts
    end = i + 2 + int.from_bytes(body[i:i + 2], "big")
    i += 2
    while i + 4 <= end:
        etype = int.from_bytes(body[i:i + 2], "big")
        elen = int.from_bytes(body[i + 2:i + 4], "big")
        exts[etype] = body[i + 4:i + 4 + elen]
        i += 4 + elen
    return exts


class _Watcher:
    """Reads a connection's TLS handshake from both directions."""

    def __init__(self, conn):
        self.conn = conn
        self.up = _Records()
        self.down = _Records()
        self.client_sid = b""
        self.server_hello = False
        self.last_up = False        # was the last event a client write?
        self.client_eof = False

    def client_bytes(self, data, now):
        c = self.conn
        c.bytes_up += len(data)
        if not data:
            self.client_eof = True  # nothing the server sends now is an answer
            if self.last_up and c.exchanges:
                c.exchanges.pop()   # bytes with no answer: the client's close_notify
            return
        now = max(now, c.connected)    # the client could not have sent earlier
        request = self._client_records(data, now) if not self.up.done else True
        if request:
            if not self.last_up or not c.exchanges:
                c.exchanges.append([now, now])
            self.last_up = True

    def server_bytes_sent(self, data, now):
        c = self.conn
        if c.exchanges and data and not self.client_eof:
            c.exchanges[-1][1] = now
            self.last_up = False

    def server_bytes(self, data):
        self.conn.bytes_down += len(data)
        if not self.down.done:
            self._server_records(data)

    def _client_records(self, data, now):
        """Whether data carries application bytes (a request)."""
        c = self.conn
        if not self.server_hello and not self.up.buf and data and data[0] != _HANDSHAKE:
            c.handshake_end = now   # not TLS: no handshake to wait for
            self.up.done = self.down.done = True
            return True
        for rtype, payload in self.up.feed(data):
            if rtype == _HANDSHAKE and not self.server_hello:
                for mtype, body in self.up.messages(payload):
                    if mtype == _CLIENT_HELLO:
                        self.client_sid = _hello_session_id(body)
            elif rtype == _APPDATA and self.server_hello:
                if c.handshake_end is None:
                    c.handshake_end = now
                    if c.tls == "1.3":
                        continue    # that record was the client's Finished
                self.up.done = True
                return True
        return False

    def _server_records(self, data):
        c = self.conn
        for rtype, payload in self.down.feed(data):
            if rtype == _CCS and c.tls == "1.2" and c.resumed is None:
                c.resumed = True    # abbreviated handshake: no Certificate
            elif rtype == _HANDSHAKE and c.resumed is None:
                for mtype, body in self.down.messages(payload):
                    self._server_message(mtype, body)
            if c.resumed is not None:
                self.down.done = True
                return

    def _server_message(self, mtype, body):
        c = self.conn
        if mtype == _SERVER_HELLO and body[2:34] != _HRR_RANDOM:
            self.server_hello = True
            exts = _server_hello_extensions(body)
            if exts.get(_EXT_SUPPORTED_VERSIONS) == b"\x03\x04":
                c.tls = "1.3"
                c.resumed = _EXT_PRE_SHARED_KEY in exts
            else:
                c.tls = "1.2"
                sid = _hello_session_id(body)
                if sid and sid == self.client_sid:
                    c.resumed = True
        elif mtype == _CERTIFICATE and c.tls == "1.2" and c.resumed is None:
            c.resumed = False


class DelayProxy:
    """127.0.0.1:port -> 127.0.0.1:upstream_port, `one_way` seconds each way."""

    def __init__(self, upstream_port, one_way=0.050):
        self.upstream_port = upstream_port
        self.one_way = float(one_way)
        self.port = None
        self.conns = []             # Conn, in accept order
        self._open = 0
        self._cond = threading.Condition()
        self._loop = None
        self._thread = None
        self._server = None

    @property
    def rtt(self):
        return 2 * self.one_way

    @property
    def tcp_rtt_in_tls(self):
        """What a client's own timers count as TLS time but is the TCP
        handshake's round trip (see the module doc)."""
        return self.rtt

    # -- lifecycle ---------------------------------------------------------------
    def start(self):
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,),
                                        name="DelayProxy", daemon=True)
        self._thread.start()
        if not ready.wait(10) or self.port is None:
            raise RuntimeError("DelayProxy did not start")
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _run(self, ready):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, LOOPBACK, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    # -- results -------------------------------------------------------------------
    def mark(self):
        """A position in the connection list, for connections_since()."""
        with self._cond:
            return len(self.conns)

    def connections_since(self, mark):
        with self._cond:
            return list(self.conns[mark:])

    def wait_idle(self, timeout=10.0):
        """Block until no connection is open; returns whether none is."""
        with self._cond:
            return self._cond.wait_for(lambda: self._open == 0, timeout)

    # -- forwarding ----------------------------------------------------------------
    async def _serve(self, creader, cwriter):
        now = time.monotonic()
        # The client could not have sent before its connect() returned, one
        # round trip after it began.
        conn = Conn(now, now + self.rtt)
        watcher = _Watcher(conn)
        with self._cond:
            self.conns.append(conn)
            self._open += 1
        try:
            sreader, swriter = await asyncio.open_connection(LOOPBACK, self.upstream_port)
        except OSError:
            cwriter.close()
            self._closed(conn)
            return
        up = asyncio.ensure_future(self._pump(
            creader, swriter, conn.connected, watcher.client_bytes, lambda d, t: None))
        down = asyncio.ensure_future(self._pump(
            sreader, cwriter, 0.0, lambda d, t: watcher.server_bytes(d),
            watcher.server_bytes_sent))
        await asyncio.gather(up, down, return_exceptions=True)
        for w in (swriter, cwriter):
            w.close()
        self._closed(conn)

    def _closed(self, conn):
        with self._cond:
            conn.closed = time.monotonic()
            self._open -= 1
            self._cond.notify_all()

    async def _pump(self, reader, writer, not_before, on_read, on_sent):
        """reader -> writer, each chunk one_way after it was read (and not
        before not_before + one_way), in order."""
        queue = asyncio.Queue()

        async def read():
            while True:
                try:
                    data = await reader.read(65536)
                except OSError:
                    data = b""
                now = time.monotonic()
                on_read(data, now)
                queue.put_nowait((max(now, not_before) + self.one_way, data))
                if not data:
                    return

        async def write():
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    if not data:
                        if writer.can_write_eof():
                            writer.write_eof()
                        return
                    writer.write(data)
                    await writer.drain()
                except OSError:
                    return
                on_sent(data, time.monotonic())

        reading = asyncio.ensure_future(read())
        try:
            await write()
        finally:
            reading.cancel()

