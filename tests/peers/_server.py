"""Shared plumbing for the in-process test peers.

Each peer is a ThreadingHTTPServer bound to 127.0.0.1:0 and served from a
background thread.  Two things the standard library does not do for us:

* TLS: the handshake is done in the per-connection worker thread, not in the
  accept loop, so a client that aborts the handshake (e.g. because it does not
  trust our CA) cannot block other connections.
* Clean shutdown: keep-alive connections (libcurl reuses them) and stalled
  handlers would otherwise keep worker threads alive forever.  We track every
  connection and worker, shut the sockets down on stop() and join the threads.
"""

import http.server
import io
import socket
import ssl
import sys
import threading
import traceback
import uuid

LOOPBACK = "127.0.0.1"

# Errors a client can cause by hanging up, timing out or failing TLS; they
# are expected in fault tests and not worth a traceback.
_QUIET_ERRORS = (ConnectionError, ssl.SSLError, TimeoutError, socket.timeout,
                 BrokenPipeError)


def request_id():
    """A fresh AWS-looking request id."""
    return str(uuid.uuid4())


def _hard_shutdown(sock):
    # socket.socket.shutdown, not SSLSocket.shutdown: we only want to wake up
    # a thread blocked in recv(), not to touch the TLS state from here.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class PeerHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64   # parallel clients must not see refused connects

    def __init__(self, handler_class, owner, ssl_context=None):
        self.owner = owner
        self.ssl_context = ssl_context
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._conns = set()
        self._workers = set()
        super().__init__((LOOPBACK, 0), handler_class)

    # -- connection/worker tracking ---------------------------------------
    def _track(self, sock):
        with self._lock:
            self._conns.add(sock)

    def _untrack(self, sock):
        with self._lock:
            self._conns.discard(sock)

    def process_request(self, request, client_address):
        self.owner.accepts += 1   # only the accept thread writes it
        if self.stopping.is_set():
            self.shutdown_request(request)
            return
        t = threading.Thread(target=self._worker, args=(request, client_address),
                             name=f"{type(self.owner).__name__}-conn", daemon=True)
        with self._lock:
            self._workers.add(t)
        t.start()

    def _worker(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._lock:
                self._workers.discard(threading.current_thread())

    def finish_request(self, request, client_address):
        conn = request
        self._track(request)
        try:
            if self.ssl_context is not None:
                conn = self._tls_handshake(request)
                if conn is None:
                    return
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            self._untrack(request)
            if conn is not None:
                self._untrack(conn)
                self._close(conn)

    def _tls_handshake(self, raw):
        raw.settimeout(10)
        try:
            conn = self.ssl_context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            # Client rejected our certificate or went away: expected in the
            # wrong-CA tests.
            self.owner._note_tls_failure()
            return None
        conn.settimeout(None)
        self._untrack(raw)
        self._track(conn)
        return conn

    @staticmethod
    def _close(conn):
        try:
            if conn.fileno() != -1:
                socket.socket.shutdown(conn, socket.SHUT_WR)
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass

    def shutdown_request(self, request):
        # finish_request closes the connection itself (it may be a TLS
        # wrapper of `request`); nothing more to do here.
        pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if self.stopping.is_set() or isinstance(exc, _QUIET_ERRORS):
            return
        if isinstance(exc, ValueError) and "closed file" in str(exc):
            return  # the connection was torn down under a handler
        print(f"[{type(self.owner).__name__}] error handling request from "
              f"{client_address}:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)

    # -- shutdown ----------------------------------------------------------
    def stop(self, join_timeout=5.0):
        self.stopping.set()
        self.shutdown()          # stop accepting (serve_forever returns)
        self.server_close()
        with self._lock:
            conns = list(self._conns)
            workers = list(self._workers)
        for c in conns:
            _hard_shutdown(c)
        for t in workers:
            t.join(join_timeout)
        return [t for t in workers if t.is_alive()]


class PeerHandler(http.server.BaseHTTPRequestHandler):
    """Request handler base: HTTP/1.1 keep-alive, quiet, body helpers."""

    protocol_version = "HTTP/1.1"
    server_version = "spot-connect-test-peer"
    # Headers and body leave in separate writes; with Nagle on, the body
    # waits for the client's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    @property
    def peer(self):
        return self.server.owner

    def log_message(self, format, *args):
        pass  # keep test output clean; peers record what matters themselves

    def read_body(self):
        """The request body as bytes (Content-Length or chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self):
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Trailers end with an empty line.
                while self.rfile.readline().strip():
                    pass
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()  # CRLF after each chunk

    def send(self, status, body=b"", content_type="text/plain", headers=None,
             close=False):
        """Send a complete response with Content-Length (keep-alive safe)."""
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or []):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_xml(self, status, xml, rid=None, headers=None):
        rid = rid or request_id()
        self.send(status, xml, "text/xml",
                  [("x-amzn-RequestId", rid)] + list(headers or []))

    def send_json(self, status, text):
        self.send(status, text, "application/json")

    def wait_or_stop(self, seconds):
        """Sleep up to `seconds`, returning early if the server is stopping."""
        return self.server.stopping.wait(seconds)

    def reset_connection(self):
        """Abort the connection with a TCP RST (SO_LINGER 0), no response."""
        conn = self.connection
        try:
            self.wfile.flush()
        except OSError:
            pass
        # Drop the makefile() references first, otherwise close() below
        # would only decrement a refcount and not really close the fd.
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass
        # The handler machinery still flushes/closes wfile afterwards.
        self.wfile = io.BytesIO()
        self.close_connection = True

    def drop_connection(self):
        """Close the connection without answering (plain FIN)."""
        self.close_connection = True


class Peer:
    """Base for a peer server: start()/stop(), context manager, .port/.url."""

    handler_class = PeerHandler

    def __init__(self, tls=None):
        self.tls = tls                # testca.TestCA or None for plain HTTP
        self.tls_failures = 0         # handshakes that failed (e.g. wrong CA)
        self.accepts = 0              # TCP connections accepted
        self._server = None
        self._thread = None

    # -- lifecycle -----------------------------------------------------------
    def start(self):
        if self._server is not None:
            return self
        ctx = self.tls.server_context() if self.tls is not None else None
        self._server = PeerHTTPServer(self.handler_class, self, ctx)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"{type(self).__name__}-accept",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        server, self._server = self._server, None
        leftovers = server.stop()
        self._thread.join(5)
        if leftovers:
            print(f"[{type(self).__name__}] {len(leftovers)} worker thread(s) "
                  "did not stop", file=sys.stderr)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def drop_connections(self):
        """Closes every open connection, as a server's idle timeout does;
        returns how many it closed. Not one in its TLS handshake: the TLS
        wrapper holds that one's socket."""
        server = self._server
        with server._lock:
            conns = [c for c in server._conns if c.fileno() != -1]
        for c in conns:
            _hard_shutdown(c)
        return len(conns)

    def _note_tls_failure(self):
        self.tls_failures += 1

    # -- addresses -------------------------------------------------------------
    @property
    def running(self):
        return self._server is not None

    @property
    def host(self):
        return LOOPBACK

    @property
    def port(self):
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._server.server_address[1]

    @property
    def scheme(self):
        return "https" if self.tls is not None else "http"

    @property
    def url(self):
        """Base URL without trailing slash, e.g. https://127.0.0.1:40123."""
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    @property
    def url_localhost(self):
        """Same server addressed by name (the test cert covers localhost)."""
        return f"{self.scheme}://localhost:{self.port}"
