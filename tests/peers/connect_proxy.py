"""ConnectProxy: a plain-HTTP forward proxy for HTTPS_PROXY/HTTP_PROXY tests.

CONNECT host:port opens a TCP tunnel (what libcurl does for https:// URLs);
absolute-form requests (GET http://host/…, used for http:// URLs) are
forwarded.  Only loopback targets are allowed, so a misdirected test can
never reach the network; anything else gets 403 and is still recorded.
"""

import base64
import http.client
import select
import socket
import threading
import urllib.parse

from ._server import Peer, PeerHandler

_LOOPBACK_NAMES = {"127.0.0.1", "::1", "localhost"}
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization",
               "transfer-encoding", "content-length", "te", "trailer", "upgrade"}


def _split_host_port(target, default_port):
    # "[::1]:443" / "127.0.0.1:443" / "localhost"
    parts = urllib.parse.urlsplit("//" + target)
    return parts.hostname, parts.port or default_port


class _ProxyHandler(PeerHandler):

    def _authorized(self):
        proxy = self.peer
        if proxy.auth is None:
            return True
        expected = "Basic " + base64.b64encode(":".join(proxy.auth).encode()).decode()
        if self.headers.get("Proxy-Authorization") == expected:
            return True
        with proxy._lock:
            proxy.auth_failures += 1
        self.send(407, "Proxy Authentication Required\n",
                  headers=[("Proxy-Authenticate", 'Basic realm="spot-test"')])
        return False

    def do_CONNECT(self):
        proxy = self.peer
        host, port = _split_host_port(self.path, 443)
        with proxy._lock:
            proxy.tunnels.append(f"{host}:{port}" if ":" not in (host or "") else f"[{host}]:{port}")
        if not self._authorized():
            return
        if host not in _LOOPBACK_NAMES:
            return self.send(403, "ConnectProxy: only loopback targets allowed\n", close=True)
        try:
            upstream = socket.create_connection((host, port), timeout=5)
        except OSError as e:
            return self.send(502, f"ConnectProxy: cannot connect: {e}\n", close=True)
        with proxy._lock:
            proxy.tunnel_count += 1
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self._relay(self.connection, upstream)
        self.close_connection = True

    def _relay(self, client, upstream):
        """Copy bytes both ways until either side closes or the proxy stops."""
        upstream.settimeout(None)
        socks = [client, upstream]
        try:
            while not self.server.stopping.is_set():
                readable, _, _ = select.select(socks, [], [], 0.1)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is client else client).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()

    def _forward(self):
        # Absolute-form request: "GET http://127.0.0.1:1234/path HTTP/1.1".
        proxy = self.peer
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        with proxy._lock:
            proxy.forwarded.append(f"{self.command} {self.path}")
        if not self._authorized():
            return
        if url.scheme != "http" or url.hostname not in _LOOPBACK_NAMES:
            return self.send(403, "ConnectProxy: only http://loopback targets allowed\n")
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
        try:
            target = urllib.parse.urlunsplit(("", "", url.path or "/", url.query, ""))
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            payload = resp.read()
        except OSError as e:
            return self.send(502, f"ConnectProxy: upstream error: {e}\n")
        finally:
            conn.close()
        headers = [(n, v) for n, v in resp.getheaders() if n.lower() not in _HOP_BY_HOP]
        self.send(resp.status, payload, content_type=None, headers=headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class ConnectProxy(Peer):
    """HTTP proxy on http://127.0.0.1:PORT; use .url as HTTPS_PROXY."""

    handler_class = _ProxyHandler

    def __init__(self, auth=None):
        super().__init__()
        self.auth = auth            # (user, password) to require Basic proxy auth
        self.tunnels = []           # "host:port" of every CONNECT request received
        self.tunnel_count = 0       # CONNECTs that were actually tunnelled
        self.forwarded = []         # "METHOD absolute-url" of plain proxied requests
        self.auth_failures = 0      # requests answered 407
        self._lock = threading.Lock()
