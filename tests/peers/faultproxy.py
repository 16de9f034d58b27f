"""FaultProxy: a reverse proxy in front of moto that injects failures.

By default every request is forwarded verbatim (method, path, all headers
including Host, body) so moto's SigV4 check still passes, and the answer is
relayed back.  A plan decides what happens to the next requests instead:

    proxy.set_mode("http503", times=2)                  # next 2 requests
    proxy.set_mode("throttle", times=1, action="CreatePolicyVersion")
    proxy.set_plan(["reset", "pass", ("stall", {"seconds": 3})])
    proxy.set_mode("http500", times=None)               # until clear()

Faults: pass, http500, http503, throttle, reset, stall, malformed, expired,
lost (forwarded, so moto acts on it, then the connection is closed without
an answer) and error (any AWS XML error: code=, status=, message=, type=).
http503, throttle and error send Retry-After: retry_after when it is given.

The plan is consumed in order.  A planned fault restricted to an action only
fires for a request with that Action; other requests pass through and leave
the plan untouched.
"""

import http.client
import threading
import time
import urllib.parse

from ._server import Peer, PeerHandler, request_id

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

FAULTS = ("pass", "http500", "http503", "throttle", "reset", "stall",
          "malformed", "expired", "lost", "error")

# Headers that describe one hop, not the message; never relayed back.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
               "proxy-connection", "te", "trailer", "upgrade"}


class Fault:
    """One planned reaction.  kind is one of FAULTS."""

    def __init__(self, kind, action=None, seconds=None, status=None, code=None,
                 message=None, type="Sender", retry_after=None):
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        self.kind = kind
        self.action = action      # only requests with this Action trigger it
        self.seconds = seconds    # stall: how long to sit on the request
        self.status = status      # error: HTTP status (default 400)
        self.code = code          # error: <Code>
        self.message = message    # error: <Message>
        self.type = type          # error: <Type> (Sender/Receiver)
        self.retry_after = retry_after  # http503/throttle/error: Retry-After value

    def matches(self, action):
        return self.action is None or self.action == action

    def __repr__(self):
        extra = f", action={self.action!r}" if self.action else ""
        return f"Fault({self.kind!r}{extra})"


def as_fault(item):
    """Accept 'kind', ('kind', {opts}), {'kind':…, opts} or a Fault."""
    if isinstance(item, Fault):
        return item
    if isinstance(item, str):
        return Fault(item)
    if isinstance(item, tuple):
        kind, opts = item
        return Fault(kind, **opts)
    if isinstance(item, dict):
        opts = dict(item)
        return Fault(opts.pop("kind"), **opts)
    raise TypeError(f"cannot make a Fault from {item!r}")


class RecordedRequest:
    """What the proxy received: .method .path .headers .body .action .fault."""

    def __init__(self, method, path, headers, body, action, fault, tls):
        self.method = method
        self.path = path
        self.headers = headers    # list of (name, value) in received order
        self.body = body          # bytes
        self.action = action      # Action from the form body or query, or None
        self.fault = fault        # the fault kind applied ('pass' if none)
        self.tls = tls            # True if it came in over TLS
        self.time = time.monotonic()

    def header(self, name, default=None):
        """Case-insensitive header lookup (first occurrence)."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    @property
    def form(self):
        """The body parsed as application/x-www-form-urlencoded (last value wins)."""
        pairs = urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"),
                                       keep_blank_values=True)
        return dict(pairs)

    def __repr__(self):
        return f"<{self.method} {self.path} action={self.action} fault={self.fault}>"


def parse_action(path, body):
    """Action= from a Query API form body, else from the query string."""
    for source in (body.decode("utf-8", "replace"), urllib.parse.urlsplit(path).query):
        values = urllib.parse.parse_qs(source).get("Action")
        if values:
            return values[0]
    return None


def _namespace(req_body):
    # STS requests carry Version=2011-06-15; everything else here is IAM.
    return STS_NS if b"Version=2011-06-15" in req_body else IAM_NS


def aws_error_xml(code, message, ns=IAM_NS, type="Sender", rid=None):
    """The real AWS Query-API error envelope (aws.md 1.4)."""
    return (f'<ErrorResponse xmlns="{ns}">\n  <Error>\n    <Type>{type}</Type>\n'
            f'    <Code>{code}</Code>\n    <Message>{message}</Message>\n  </Error>\n'
            f'  <RequestId>{rid or request_id()}</RequestId>\n</ErrorResponse>\n')


class _ProxyHandler(PeerHandler):

    def _handle(self):
        body = self.read_body()
        proxy = self.peer
        action = parse_action(self.path, body)
        fault = proxy._next_fault(action)
        proxy._record(RecordedRequest(self.command, self.path, list(self.headers.items()),
                                      body, action, fault.kind, proxy.tls is not None))
        getattr(self, "_fault_" + fault.kind)(fault, body, action)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

    # -- faults ----------------------------------------------------------------
    def _fault_pass(self, fault, body, action):
        self._forward(body)

    def _fault_http500(self, fault, body, action):
        self.send(500, "Internal Server Error\n")

    @staticmethod
    def _retry_after(fault):
        return [] if fault.retry_after is None else [("Retry-After", str(fault.retry_after))]

    def _fault_http503(self, fault, body, action):
        self.send(503, "Service Unavailable\n", headers=self._retry_after(fault))

    def _fault_throttle(self, fault, body, action):
        rid = request_id()
        self.send_xml(400, aws_error_xml("Throttling", "Rate exceeded", _namespace(body),
                                         rid=rid), rid, self._retry_after(fault))

    def _fault_expired(self, fault, body, action):
        rid = request_id()
        self.send_xml(403, aws_error_xml("ExpiredToken",
                                         "The security token included in the request is expired",
                                         _namespace(body), rid=rid), rid)

    def _fault_error(self, fault, body, action):
        rid = request_id()
        xml = aws_error_xml(fault.code or "ServiceFailure", fault.message or "injected error",
                            _namespace(body), fault.type, rid)
        self.send_xml(fault.status or 400, xml, rid, self._retry_after(fault))

    def _fault_malformed(self, fault, body, action):
        op = action or "GetCallerIdentity"
        # A complete HTTP response whose XML stops mid-element.
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{op}Response xmlns="{_namespace(body)}">'
               f'<{op}Result><Arn>arn:aws:iam::1234567')
        self.send_xml(200, xml)

    def _fault_reset(self, fault, body, action):
        self.reset_connection()

    def _fault_stall(self, fault, body, action):
        seconds = fault.seconds if fault.seconds is not None else self.peer.stall_seconds
        self.wait_or_stop(seconds)
        self.drop_connection()

    def _fault_lost(self, fault, body, action):
        try:
            self._upstream(body)
        except OSError:
            pass
        self.drop_connection()

    # -- forwarding --------------------------------------------------------------
    def _forward_headers(self, body):
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        out = []
        for name, value in self.headers.items():
            low = name.lower()
            if low == "expect":
                continue  # we already answered 100-continue ourselves
            if chunked and low == "transfer-encoding":
                continue  # the body was de-chunked; send it with a length
            out.append((name, value))
        if chunked:
            out.append(("Content-Length", str(len(body))))
        return out

    def _upstream(self, body):
        """The request sent to moto: its (status, reason, headers, payload)."""
        conn = self.peer._upstream_connection()
        try:
            conn.putrequest(self.command, self.path, skip_host=True,
                            skip_accept_encoding=True)
            for name, value in self._forward_headers(body):
                conn.putheader(name, value)
            conn.endheaders(body if body or self.command in ("POST", "PUT") else None)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, resp.reason, resp.getheaders(), payload
        finally:
            conn.close()

    def _forward(self, body):
        try:
            status, reason, headers, payload = self._upstream(body)
        except OSError as e:
            self.send(502, f"FaultProxy: upstream error: {e}\n")
            return
        self.send_response_only(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()


class FaultProxy(Peer):
    """HTTP(S) reverse proxy to `upstream_url` with scripted faults."""

    handler_class = _ProxyHandler

    def __init__(self, upstream_url, tls=None, stall_seconds=30.0, upstream_timeout=30.0):
        super().__init__(tls)
        parts = urllib.parse.urlsplit(upstream_url)
        if parts.hostname not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("FaultProxy only forwards to loopback upstreams")
        self.upstream_url = upstream_url
        self.stall_seconds = stall_seconds
        self.upstream_timeout = upstream_timeout
        self.requests = []          # RecordedRequest, in arrival order
        self._upstream = parts
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._plan = []             # Faults still to apply, in order
        self._default = Fault("pass")

    # -- plan ------------------------------------------------------------------
    def set_plan(self, faults):
        """Replace the plan: one entry per coming (matching) request."""
        plan = [as_fault(f) for f in faults]
        with self._lock:
            self._plan = plan

    def set_mode(self, fault, times=1, action=None, seconds=None, **opts):
        """Apply `fault` to the next `times` requests (times=None: until clear()).

        With action=..., only requests for that Action are affected.
        """
        f = Fault(fault, action=action, seconds=seconds, **opts)
        with self._lock:
            if times is None:
                self._plan = []
                self._default = f
            else:
                self._plan = [f] * times

    def clear(self):
        """Back to pure pass-through (the request log is kept)."""
        with self._lock:
            self._plan = []
            self._default = Fault("pass")

    @property
    def pending(self):
        """How many planned faults have not fired yet."""
        with self._lock:
            return len(self._plan)

    def _next_fault(self, action):
        with self._lock:
            if self._plan:
                if self._plan[0].matches(action):
                    return self._plan.pop(0)
                return Fault("pass")
            return self._default if self._default.matches(action) else Fault("pass")

    # -- request log -------------------------------------------------------------
    def _record(self, req):
        with self._cond:
            self.requests.append(req)
            self._cond.notify_all()

    @property
    def count(self):
        """Number of requests received (faulted ones included)."""
        with self._lock:
            return len(self.requests)

    def count_action(self, action):
        with self._lock:
            return sum(1 for r in self.requests if r.action == action)

    def actions(self):
        """The Action of every request so far, in order."""
        with self._lock:
            return [r.action for r in self.requests]

    def reset_log(self):
        with self._lock:
            self.requests = []

    def wait_for_requests(self, n, timeout=10.0):
        """Block until at least n requests arrived; returns whether they did."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.requests) >= n, timeout)

    # -- upstream ----------------------------------------------------------------
    def _upstream_connection(self):
        host, port = self._upstream.hostname, self._upstream.port
        if self._upstream.scheme == "https":
            return http.client.HTTPSConnection(host, port or 443, timeout=self.upstream_timeout)
        return http.client.HTTPConnection(host, port or 80, timeout=self.upstream_timeout)
