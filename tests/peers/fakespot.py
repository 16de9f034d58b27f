"""FakeSpot: an in-process fake of the Spot (Spotinst) setup API.

Spot has no public emulator, so this follows
/work/shared/reference/spot-api.md (sections 1, 2, 3.2, 4.5, 6):

    POST   /setup/account                               createAccount
    GET    /setup/account[?cloudAccountId=<12 digits>]  listAccounts
    DELETE /setup/account/{act-id}                      deleteAccount
    POST   /setup/credentials/aws/externalId?accountId= generateExternalId
    POST   /setup/credentials/aws?accountId=            setCredentials
    GET    /setup/credentials/aws?accountId=            readCredentials

Everything else answers 404.  Every request needs `Authorization: Bearer
<token>`.  Set-credentials checks the role for real in moto (the IAM the
program under test writes to): the ARN parses, GetRole finds it, its trust
policy lets the Spot principal assume it with the LATEST external ID issued
for the Spot account, and an attached customer-managed policy grants
ec2:RunInstances.  For `propagation_delay` seconds after the role's
CreateDate it answers CANT_ASSUME_ROLE, like real Spot right after the role
was made (Spot's own module sleeps 10 s + 5 s for this, spot-api.md 4.3).

Faults, like FaultProxy:

    spot.set_mode("http500", times=2)                       # next 2 requests
    spot.set_mode("stall", endpoint="setCredentials", seconds=5)
    spot.set_plan(["http429", ("reset", {"after": True})])  # after: the
    # request is processed (state changes) and then the answer is lost
    spot.set_mode("http502_html", times=None)               # until clear()
    spot.set_plan([("http429", {"retry_after": None, "rate_limit_reset": 2})])

Faults: pass, http500, http429, http502_html, stall, reset, close, error,
body (close: read the request, close the connection without answering, as
a server closing an idle keep-alive connection just as a request arrives;
error: any Spot error envelope: status=, code=, message=, field=;
body: status= and any answer text, body=, e.g. a hostile one).
http429 sends Retry-After: retry_after (None: no header); http429, http500
and error send X-RateLimit-Reset: rate_limit_reset when it is given (real
Spot sends that header on every answer, spot-api.md "Rate limits").
"""

import copy
import datetime
import fnmatch
import json
import re
import secrets
import string
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

from ._server import Peer, PeerHandler

DEFAULT_TOKEN = "spot-test-token"
SPOT_PRINCIPAL = "arn:aws:iam::922761411349:root"   # spot-api.md 3.2
ORG_ID = "606079861123"                             # spot-api.md 1.2 fixture
EXTERNAL_ID_PREFIX = "spotinst:aws:extid:"          # spot-api.md 2.4

# Stable endpoint names (what set_mode(endpoint=...) and count_endpoint use).
LIST_ACCOUNTS = "listAccounts"
CREATE_ACCOUNT = "createAccount"
DELETE_ACCOUNT = "deleteAccount"
GENERATE_EXTERNAL_ID = "generateExternalId"
SET_CREDENTIALS = "setCredentials"
READ_CREDENTIALS = "readCredentials"
UNKNOWN = "unknown"          # any request no route matches (answered 404)
ENDPOINTS = (LIST_ACCOUNTS, CREATE_ACCOUNT, DELETE_ACCOUNT, GENERATE_EXTERNAL_ID,
             SET_CREDENTIALS, READ_CREDENTIALS)

# errors[0].code values.  Only Account_DOESNT_EXIST is a documented real
# code (spot-api.md 1.3); real codes for a bad role are unknown (section 7),
# so the role checks get one specific code each, for precise test asserts.
ERR_UNAUTHORIZED = "UNAUTHORIZED"                  # 401, bad/missing token
ERR_NOT_FOUND = "NOT_FOUND"                        # 404, unknown route
ERR_INVALID_JSON = "INVALID_JSON"                  # 400, body is not a JSON object
ERR_VALIDATION = "VALIDATION_ERROR"                # 400, field names the culprit
ERR_ACCOUNT_NOT_FOUND = "Account_DOESNT_EXIST"     # 400, unknown act-id
ERR_INVALID_ROLE_ARN = "INVALID_ROLE_ARN"          # 400, iamRole is no role ARN
ERR_NO_EXTERNAL_ID = "EXTERNAL_ID_NOT_GENERATED"   # 400, account never got one
ERR_ROLE_NOT_FOUND = "ROLE_NOT_FOUND"              # 400, GetRole fails / other ARN
ERR_CANT_ASSUME_ROLE = "CANT_ASSUME_ROLE"          # 400, within propagation_delay
ERR_INVALID_PRINCIPAL = "INVALID_TRUST_PRINCIPAL"  # 400, Spot may not assume it
ERR_INVALID_EXTERNAL_ID = "INVALID_EXTERNAL_ID"    # 400, missing/old/foreign ID
ERR_EXTERNAL_ID_EXPIRED = "EXTERNAL_ID_EXPIRED"    # 400, latest ID past maxValidUntil
ERR_MISSING_POLICY = "MISSING_SPOT_POLICY"         # 400, no policy with ec2:RunInstances
ERR_INTERNAL = "INTERNAL_SERVER_ERROR"             # 500 (fault, or IAM unreachable)
ERR_TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"        # 429 fault

ROLE_ERRORS = (ERR_INVALID_ROLE_ARN, ERR_NO_EXTERNAL_ID, ERR_ROLE_NOT_FOUND,
               ERR_CANT_ASSUME_ROLE, ERR_INVALID_PRINCIPAL, ERR_INVALID_EXTERNAL_ID,
               ERR_EXTERNAL_ID_EXPIRED, ERR_MISSING_POLICY)

FAULTS = ("pass", "http500", "http429", "http502_html", "stall", "reset", "close", "error",
          "body")

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}

_ROUTES = [
    ("GET", re.compile(r"/setup/account"), LIST_ACCOUNTS),
    ("POST", re.compile(r"/setup/account"), CREATE_ACCOUNT),
    ("DELETE", re.compile(r"/setup/account/([^/]+)"), DELETE_ACCOUNT),
    ("POST", re.compile(r"/setup/credentials/aws/externalId"), GENERATE_EXTERNAL_ID),
    ("POST", re.compile(r"/setup/credentials/aws"), SET_CREDENTIALS),
    ("GET", re.compile(r"/setup/credentials/aws"), READ_CREDENTIALS),
]

# Role ARN, any partition (GovCloud/China, spot-api.md 5); optional path.
_ROLE_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/"
                       r"((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})")
_AWS_MANAGED = re.compile(r"arn:[^:]+:iam::aws:")


def route(method, path):
    """(endpoint name, captured path args) for a request; UNKNOWN if none."""
    for m, pattern, name in _ROUTES:
        match = pattern.fullmatch(path)
        if match and m == method:
            return name, [urllib.parse.unquote(g) for g in match.groups()]
    return UNKNOWN, []


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_time(dt):
    """Spot's timestamp format: 2017-10-17T10:43:42.538Z (UTC, millis)."""
    dt = dt.astimezone(datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def new_external_id():
    alphabet = string.ascii_lowercase + string.digits
    return EXTERNAL_ID_PREFIX + "".join(secrets.choice(alphabet) for _ in range(16))


# ----------------------------------------------------------------------------
# Faults and request records
# ----------------------------------------------------------------------------

class Fault:
    """One planned reaction; kind is one of FAULTS.

    endpoint: only requests to that endpoint trigger it.  after: process the
    request first (state changes) and then fail the answer, like a response
    lost on the way back.  seconds: stall duration.  retry_after: 429 header.
    rate_limit_reset: X-RateLimit-Reset on http429/http500/error answers.
    status/code/message/field: the "error" fault's envelope.  body: the
    "body" fault's answer text, sent with status.
    """

    def __init__(self, kind, endpoint=None, seconds=None, after=False, retry_after=1,
                 status=400, code="INJECTED_ERROR", message="injected error", field=None,
                 rate_limit_reset=None, body=""):
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        if endpoint is not None and endpoint not in ENDPOINTS + (UNKNOWN,):
            raise ValueError(f"unknown endpoint {endpoint!r}; known: {', '.join(ENDPOINTS)}")
        self.kind = kind
        self.endpoint = endpoint
        self.seconds = seconds
        self.after = after
        self.retry_after = retry_after
        self.rate_limit_reset = rate_limit_reset
        self.status, self.code, self.message, self.field = status, code, message, field
        self.body = body

    def matches(self, endpoint):
        return self.endpoint is None or self.endpoint == endpoint

    def __repr__(self):
        extra = f", endpoint={self.endpoint!r}" if self.endpoint else ""
        return f"Fault({self.kind!r}{extra}{', after' if self.after else ''})"


PASS = Fault("pass")


def as_fault(item):
    """Accept 'kind', ('kind', {opts}), {'kind': ..., opts} or a Fault."""
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


class SpotRequest:
    """One request as received, and what was answered.

    endpoint, method, path (no query), query (dict, last value wins), body
    (bytes), json (parsed body or None), headers (dict, lower-case names),
    fault (kind applied, "pass" if none), status (HTTP status sent; None
    for stall/reset), error_code (errors[0].code sent, if any), app_status
    (what the fake's logic answered, also under an after-fault; None if the
    logic did not run), request_id (the envelope's request.id), time
    (time.monotonic() at arrival), client (the client's (address, port): one
    per TCP connection), tls_resumed (whether the connection's TLS session
    was resumed) and tls_version ("TLSv1.3"; both None over plain HTTP).
    """

    def __init__(self, endpoint, method, path, query, body, headers):
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.json = _parse_json(body)
        self.headers = headers
        self.fault = "pass"
        self.status = None
        self.error_code = None
        self.app_status = None
        self.request_id = str(uuid.uuid4())
        self.timestamp = _now()
        self.time = time.monotonic()
        self.client = None
        self.tls_resumed = None
        self.tls_version = None

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __repr__(self):
        return (f"<{self.method} {self.path} {self.endpoint} fault={self.fault} "
                f"status={self.status} code={self.error_code}>")


def _parse_json(body):
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _headers_dict(message):
    out = {}
    for name, value in message.items():
        low = name.lower()
        out[low] = f"{out[low]}, {value}" if low in out else value
    return out


# ----------------------------------------------------------------------------
# Envelopes (spot-api.md 1.2, 1.3)
# ----------------------------------------------------------------------------

class Reply:
    """An HTTP answer: status, JSON document, extra headers."""

    def __init__(self, status, doc, headers=None):
        self.status = status
        self.doc = doc
        self.headers = headers or []

    @property
    def error_code(self):
        errors = self.doc.get("response", {}).get("errors") or [{}]
        return errors[0].get("code")


def _request_part(rec):
    return {"id": rec.request_id, "url": rec.path, "method": rec.method,
            "timestamp": iso_time(rec.timestamp)}


def _status_part(status):
    return {"code": status, "message": _REASONS.get(status, "Error")}


def ok_reply(rec, kind=None, items=None):
    """200; status only when items is None (delete, set credentials)."""
    response = {"status": _status_part(200)}
    if kind is not None:
        response["kind"] = kind
    if items is not None:
        response["items"] = items
        response["count"] = len(items)
    return Reply(200, {"request": _request_part(rec), "response": response})


def error_reply(rec, status, code, message, field=None, headers=None):
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    doc = {"request": _request_part(rec),
           "response": {"status": _status_part(status), "errors": [error]}}
    return Reply(status, doc, headers)


class SpotError(Exception):
    """A request the fake refuses: becomes an error envelope (400 unless given)."""

    def __init__(self, code, message, status=400, field=None):
        super().__init__(message)
        self.code, self.message, self.status, self.field = code, message, status, field


# ----------------------------------------------------------------------------
# IAM checks (pure functions over the documents moto returns)
# ----------------------------------------------------------------------------

def policy_document(value):
    """A policy document as a dict.

    boto3 already decodes IAM's URL-encoded documents; a raw botocore answer
    or another moto version may hand us a JSON string, URL-encoded or not.
    """
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return json.loads(urllib.parse.unquote(value))


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(doc):
    return [s for s in _as_list(doc.get("Statement")) if isinstance(s, dict)]


def _action_allows(statement, action):
    """Does the statement's Action (string/list, IAM wildcards) cover action?"""
    return any(isinstance(a, str) and fnmatch.fnmatchcase(action.lower(), a.lower())
               for a in _as_list(statement.get("Action")))


def _trusts_principal(statement, principal):
    """Principal.AWS names `principal`.

    A bare account ID counts as that account's :root ARN: IAM stores it in
    that form, so it is what real Spot would see.  "*" does not count: a
    role anyone may assume is a bug the tests must catch.
    """
    p = statement.get("Principal")
    if not isinstance(p, dict):
        return False
    account = principal.split(":")[4] if principal.count(":") >= 5 else None
    for value in _as_list(p.get("AWS")):
        if value == principal or (account and value == account
                                  and principal.endswith(":root")):
            return True
    return False


def _external_ids(statement):
    """The sts:ExternalId values of its StringEquals condition (key case-insensitive)."""
    cond = statement.get("Condition")
    equals = cond.get("StringEquals") if isinstance(cond, dict) else None
    if not isinstance(equals, dict):
        return []
    out = []
    for key, value in equals.items():
        if key.lower() == "sts:externalid":
            out += [v for v in _as_list(value) if isinstance(v, str)]
    return out


def trust_problem(doc, principal, latest, issued):
    """None if the trust policy lets `principal` assume the role with ID `latest`.

    Otherwise a SpotError whose code says which part is wrong.  issued is
    every external ID generated for the Spot account (to name an old one).
    """
    candidates = [s for s in _statements(doc)
                  if s.get("Effect") == "Allow" and _trusts_principal(s, principal)
                  and _action_allows(s, "sts:AssumeRole")]
    if not candidates:
        trusted = [s.get("Principal") for s in _statements(doc)]
        return SpotError(ERR_INVALID_PRINCIPAL,
                         f"The role's trust policy does not allow {principal} to call "
                         f"sts:AssumeRole (principals in the policy: {json.dumps(trusted)})")
    seen = []
    for s in candidates:
        ids = _external_ids(s)
        if latest in ids:
            return None
        seen += ids
    if not seen:
        return SpotError(ERR_INVALID_EXTERNAL_ID,
                         "The role's trust policy has no Condition StringEquals "
                         "sts:ExternalId; Spot requires the external ID it generated")
    if any(i in issued for i in seen):
        return SpotError(ERR_INVALID_EXTERNAL_ID,
                         f"The role trusts an older external ID of this account; only the "
                         f"latest one ({len(issued)} generated so far) is valid")
    return SpotError(ERR_INVALID_EXTERNAL_ID,
                     "The role trusts an external ID that was not generated for this account")


def grants_run_instances(doc):
    """The marker that a policy is the Spot policy (spot-api.md 3.1)."""
    return any(s.get("Effect") == "Allow" and _action_allows(s, "ec2:RunInstances")
               for s in _statements(doc))


def _utc(dt):
    # moto writes naive UTC times; botocore then tags them with the local
    # zone.  Real AWS always sends "Z", so a local zone here means UTC.
    from dateutil import tz
    if dt.tzinfo is None or isinstance(dt.tzinfo, tz.tzlocal):
        return dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc)


# ----------------------------------------------------------------------------
# HTTP handler
# ----------------------------------------------------------------------------

class _SpotHandler(PeerHandler):
    server_version = "fake-spot"

    def _handle(self):
        # Read the body before anything else so keep-alive framing holds
        # whatever we answer.
        body = self.read_body()
        spot = self.peer
        rec = spot._arrive(self.command, self.path, body, _headers_dict(self.headers))
        rec.client = self.client_address
        rec.tls_resumed = getattr(self.connection, "session_reused", None)
        rec.tls_version = self.connection.version() if rec.tls_resumed is not None else None
        fault = spot._next_fault(rec.endpoint)
        rec.fault = fault.kind
        reply = None
        if fault.kind == "pass" or fault.after:
            reply = spot._dispatch(rec)
            rec.app_status = reply.status
        if fault.kind == "pass":
            self._send_reply(rec, reply)
        else:
            getattr(self, "_fault_" + fault.kind)(rec, fault)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    def _send_reply(self, rec, reply):
        rec.status, rec.error_code = reply.status, reply.error_code
        self.send(reply.status, json.dumps(reply.doc), "application/json", reply.headers)

    # -- faults ------------------------------------------------------------------
    @staticmethod
    def _reset_header(fault):
        if fault.rate_limit_reset is None:
            return []
        return [("X-RateLimit-Reset", str(fault.rate_limit_reset))]

    def _fault_http500(self, rec, fault):
        self._send_reply(rec, error_reply(rec, 500, ERR_INTERNAL,
                                          "Internal server error (injected by FakeSpot)",
                                          headers=self._reset_header(fault)))

    def _fault_http429(self, rec, fault):
        headers = self._reset_header(fault)
        if fault.retry_after is not None:
            headers.append(("Retry-After", str(fault.retry_after)))
        self._send_reply(rec, error_reply(rec, 429, ERR_TOO_MANY_REQUESTS, "Rate limit exceeded",
                                          headers=headers))

    def _fault_error(self, rec, fault):
        self._send_reply(rec, error_reply(rec, fault.status, fault.code, fault.message,
                                          fault.field, headers=self._reset_header(fault)))

    def _fault_http502_html(self, rec, fault):
        # What a load balancer in front of Spot says: HTML, not JSON.
        rec.status = 502
        self.send(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                       "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
                  "text/html")

    def _fault_body(self, rec, fault):
        rec.status = fault.status
        self.send(fault.status, fault.body, "application/json")

    def _fault_stall(self, rec, fault):
        seconds = fault.seconds if fault.seconds is not None else self.peer.stall_seconds
        self.wait_or_stop(seconds)   # returns early on stop()
        self.drop_connection()

    def _fault_reset(self, rec, fault):
        self.reset_connection()

    def _fault_close(self, rec, fault):
        self.drop_connection()


# ----------------------------------------------------------------------------
# The fake
# ----------------------------------------------------------------------------

class FakeSpot(Peer):
    """HTTP(S) fake of api.spotinst.io's /setup API on 127.0.0.1.

    IAM for the role checks, first one given wins:
      iam_client  a ready boto3 IAM client;
      moto_url    a MotoServer (its current admin keys are used, rebuilt
                  after MotoServer.reset()), or a URL string together with
                  aws_access_key_id/aws_secret_access_key.
    Without either, set-credentials answers 500 (the other endpoints work).
    """

    handler_class = _SpotHandler

    def __init__(self, moto_url=None, iam_client=None, token=DEFAULT_TOKEN, tls=None,
                 propagation_delay=0.0, spot_principal=SPOT_PRINCIPAL, org_id=ORG_ID,
                 aws_access_key_id=None, aws_secret_access_key=None,
                 external_id_ttl=3600.0, stall_seconds=30.0):
        super().__init__(tls)
        if isinstance(moto_url, str):
            host = urllib.parse.urlsplit(moto_url).hostname
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise ValueError("FakeSpot only talks to a loopback IAM")
            if not (aws_access_key_id and aws_secret_access_key):
                raise ValueError("moto_url as a string needs aws_access_key_id/"
                                 "aws_secret_access_key (or pass the MotoServer)")
        self.token = token
        self.propagation_delay = float(propagation_delay)   # settable at runtime
        self.spot_principal = spot_principal
        self.org_id = str(org_id)
        self.external_id_ttl = external_id_ttl     # seconds; maxValidUntil
        self.stall_seconds = stall_seconds         # default for "stall"
        self.requests = []        # SpotRequest, in arrival order
        self.token_leaks = []     # {"endpoint","method","where"}: token outside Authorization
        self._moto = moto_url
        self._keys = (aws_access_key_id, aws_secret_access_key)
        self._iam_client = iam_client
        self._iam_cache = (None, None)      # (admin key it was built for, client)
        self._iam_lock = threading.Lock()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._accounts = {}       # act-id -> account dict (see accounts)
        self._expiry = {}         # external ID -> datetime (maxValidUntil)
        self._plan = []
        self._default = PASS

    # -- faults --------------------------------------------------------------------
    def set_plan(self, faults):
        """Replace the plan: one entry per coming (matching) request."""
        plan = [as_fault(f) for f in faults]
        with self._lock:
            self._plan = plan

    def set_mode(self, fault, times=1, endpoint=None, **opts):
        """Apply `fault` to the next `times` requests (None: until clear()).

        With endpoint=..., only requests to that endpoint are affected; the
        others are answered normally.
        """
        f = Fault(fault, endpoint=endpoint, **opts)
        with self._lock:
            if times is None:
                self._plan, self._default = [], f
            else:
                self._plan = [f] * times

    def clear(self):
        """No more faults (state and request log are kept)."""
        with self._lock:
            self._plan, self._default = [], PASS

    @property
    def pending(self):
        """Planned faults that have not fired yet."""
        with self._lock:
            return len(self._plan)

    def _next_fault(self, endpoint):
        # Same rule as FaultProxy: the head of the plan fires only for its
        # endpoint; a request to another endpoint passes and leaves it.
        with self._lock:
            if self._plan:
                return self._plan.pop(0) if self._plan[0].matches(endpoint) else PASS
            return self._default if self._default.matches(endpoint) else PASS

    # -- observability ---------------------------------------------------------------
    def _arrive(self, method, raw_path, body, headers):
        split = urllib.parse.urlsplit(raw_path)
        endpoint, _ = route(method, split.path)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        rec = SpotRequest(endpoint, method, split.path, query, body, headers)
        leaks = self._find_token_leaks(rec, split)
        with self._cond:
            self.requests.append(rec)
            self.token_leaks += leaks
            self._cond.notify_all()
        return rec

    def _find_token_leaks(self, rec, split):
        """Where, other than the Authorization header, the token shows up."""
        if not self.token:
            return []
        forms = {self.token, urllib.parse.quote(self.token, safe=""),
                 urllib.parse.quote_plus(self.token)}
        places = {"path": split.path, "query": split.query,
                  "body": rec.body.decode("utf-8", "replace")}
        places.update({f"header:{n}": v for n, v in rec.headers.items() if n != "authorization"})
        return [{"endpoint": rec.endpoint, "method": rec.method, "where": where}
                for where, text in places.items() if any(f in text for f in forms)]

    def count_endpoint(self, name):
        with self._lock:
            return sum(1 for r in self.requests if r.endpoint == name)

    def endpoints(self):
        """Endpoint name of every request so far, in order."""
        with self._lock:
            return [r.endpoint for r in self.requests]

    def wait_for(self, endpoint, n=1, timeout=10.0):
        """Block until n requests to endpoint (None: any) have ARRIVED.

        Counts stalled and faulted requests too, so a test can kill the
        client while the fake sits on its request.  Returns True if they did.
        """
        def arrived():
            return sum(1 for r in self.requests
                       if endpoint is None or r.endpoint == endpoint) >= n
        with self._cond:
            return self._cond.wait_for(arrived, timeout)

    @property
    def accounts(self):
        """Snapshot: act-id -> {id, name, organizationId, createdAt, externalIds,
        credentials ({iamRole, accountId} or None), providerExternalId,
        cloudProvider}."""
        with self._lock:
            return copy.deepcopy(self._accounts)

    def external_ids(self, account_id):
        """Every external ID generated for account_id, oldest first."""
        with self._lock:
            acct = self._accounts.get(account_id)
            return list(acct["externalIds"]) if acct else []

    def reset(self):
        """Forget accounts, external IDs, credentials, requests, leaks and
        faults.  Configuration (token, propagation_delay, ...) is kept."""
        with self._lock:
            self._accounts.clear()
            self._expiry.clear()
            self.requests = []
            self.token_leaks = []
            self._plan, self._default = [], PASS

    # -- seeding for tests ---------------------------------------------------------------
    def add_account(self, name, aws_account_id=None, iam_role=None):
        """Make an account directly (no request); connected if aws_account_id."""
        with self._lock:
            acct = self._new_account(name)
            if aws_account_id:
                role = iam_role or f"arn:aws:iam::{aws_account_id}:role/seeded"
                self._connect(acct, str(aws_account_id), role)
            return acct["id"]

    def set_role(self, account_id, role_arn):
        """Point a connected account at another role (no request): what
        someone changing it in the console does."""
        with self._lock:
            acct = self._accounts[account_id]
            self._connect(acct, acct["providerExternalId"], role_arn)

    def _new_account(self, name):
        act = "act-" + secrets.token_hex(4)
        while act in self._accounts:
            act = "act-" + secrets.token_hex(4)
        acct = {"id": act, "name": name, "organizationId": self.org_id,
                "createdAt": iso_time(_now()), "externalIds": [], "credentials": None,
                "providerExternalId": None, "cloudProvider": None}
        self._accounts[act] = acct
        return acct

    @staticmethod
    def _connect(acct, aws_account_id, role_arn):
        acct["credentials"] = {"iamRole": role_arn, "accountId": acct["id"]}
        acct["providerExternalId"] = aws_account_id
        acct["cloudProvider"] = "AWS"

    # -- request logic -------------------------------------------------------------------
    def _authorized(self, rec):
        scheme, _, value = rec.header("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and value.strip() == self.token

    def _dispatch(self, rec):
        if not self._authorized(rec):
            return error_reply(rec, 401, ERR_UNAUTHORIZED, "Invalid token")
        if rec.endpoint == UNKNOWN:
            return error_reply(rec, 404, ERR_NOT_FOUND,
                               f"No such resource: {rec.method} {rec.path}")
        _, args = route(rec.method, rec.path)
        try:
            return getattr(self, "_ep_" + rec.endpoint)(rec, *args)
        except SpotError as p:
            return error_reply(rec, p.status, p.code, p.message, p.field)
        except Exception as e:
            # A bug in the fake must still answer, or the client would hang
            # until its timeout and the test would blame the program.
            traceback.print_exc(file=sys.stderr)
            return error_reply(rec, 500, ERR_INTERNAL, f"FakeSpot bug: {e!r}")

    def _account_of(self, rec):
        """The act-id from ?accountId= (required here) of an existing account."""
        act = rec.query.get("accountId")
        if not act:
            raise SpotError(ERR_VALIDATION, "accountId query parameter is required",
                            field="accountId")
        with self._lock:
            if act not in self._accounts:
                raise SpotError(ERR_ACCOUNT_NOT_FOUND, f"Account {act} doesn't exist")
        return act

    def _ep_createAccount(self, rec):
        if not isinstance(rec.json, dict):
            raise SpotError(ERR_INVALID_JSON, "Request body must be a JSON object")
        account = rec.json.get("account")
        if not isinstance(account, dict):
            raise SpotError(ERR_VALIDATION, "account is required", field="account")
        name = account.get("name")
        if not isinstance(name, str) or not re.search(r"[A-Za-z]", name):
            raise SpotError(ERR_VALIDATION, "Account name must contain at least one "
                            "character that is a-z or A-Z", field="name")
        with self._lock:
            acct = self._new_account(name)   # names are not unique (spot-api.md 2.1)
        item = {"id": acct["id"], "name": name, "organizationId": self.org_id}
        return ok_reply(rec, "spotinst:setup:account", [item])

    def _ep_listAccounts(self, rec):
        cloud = rec.query.get("cloudAccountId")
        if cloud is not None and not re.fullmatch(r"\d{12}", cloud):
            raise SpotError(ERR_VALIDATION, "cloudAccountId must be a 12-digit AWS account ID",
                            field="cloudAccountId")
        with self._lock:
            accts = [a for a in self._accounts.values()
                     if cloud is None or a["providerExternalId"] == cloud]
            items = [self._list_item(a) for a in accts]
        return ok_reply(rec, "spotinst:setup:account", items)

    def _list_item(self, acct):
        # List says accountId (create says id) and a numeric organizationId
        # (create: string): both real inconsistencies, spot-api.md 2.1/2.2.
        item = {"accountId": acct["id"], "name": acct["name"],
                "organizationId": int(self.org_id), "createdAt": acct["createdAt"]}
        if acct["providerExternalId"]:
            item["providerExternalId"] = acct["providerExternalId"]
            item["cloudProvider"] = acct["cloudProvider"]
        return item

    def _ep_deleteAccount(self, rec, act):
        with self._lock:
            acct = self._accounts.pop(act, None)
            if acct is None:
                raise SpotError(ERR_ACCOUNT_NOT_FOUND, f"Account {act} doesn't exist")
            for eid in acct["externalIds"]:
                self._expiry.pop(eid, None)
        return ok_reply(rec)

    def _ep_generateExternalId(self, rec):
        act = self._account_of(rec)
        eid = new_external_id()
        until = _now() + datetime.timedelta(seconds=self.external_id_ttl)
        with self._lock:
            acct = self._accounts.get(act)
            if acct is None:   # deleted meanwhile
                raise SpotError(ERR_ACCOUNT_NOT_FOUND, f"Account {act} doesn't exist")
            # Every call makes a new ID and only the latest one is accepted:
            # the pitfall of spot-api.md 2.4 / 6.
            acct["externalIds"].append(eid)
            self._expiry[eid] = until
        return ok_reply(rec, "spotinst:setup:aws:externalId",
                        [{"externalId": eid, "maxValidUntil": iso_time(until)}])

    def _ep_readCredentials(self, rec):
        act = self._account_of(rec)
        with self._lock:
            creds = self._accounts.get(act, {}).get("credentials")
        return ok_reply(rec, "spotinst:setup:credentials:aws", [dict(creds)] if creds else [])

    def _ep_setCredentials(self, rec):
        act = self._account_of(rec)
        creds = rec.json.get("credentials") if isinstance(rec.json, dict) else None
        if not isinstance(creds, dict) or "iamRole" not in creds:
            raise SpotError(ERR_VALIDATION, "credentials.iamRole is required", field="iamRole")
        arn = creds["iamRole"]
        with self._lock:
            issued = list(self._accounts[act]["externalIds"]) if act in self._accounts else []
            expiry = self._expiry.get(issued[-1]) if issued else None
        aws_account = self.verify_role(arn, issued, expiry)
        with self._lock:
            acct = self._accounts.get(act)
            if acct is None:
                raise SpotError(ERR_ACCOUNT_NOT_FOUND, f"Account {act} doesn't exist")
            self._connect(acct, aws_account, arn)
        return ok_reply(rec)

    # -- the role check, for real against IAM ----------------------------------------------
    def verify_role(self, arn, issued, expiry=None):
        """Check role `arn` like Spot's AssumeRole would; returns its AWS account.

        issued: external IDs generated for the Spot account, oldest first
        (the last one is the only valid one).  Raises SpotError.
        """
        match = _ROLE_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if not match:
            raise SpotError(ERR_INVALID_ROLE_ARN, f"iamRole {arn!r} is not an IAM role ARN "
                            "(arn:aws:iam::<12 digits>:role/<name>)", field="iamRole")
        if not issued:
            raise SpotError(ERR_NO_EXTERNAL_ID, "No external ID was generated for this "
                            "account; call POST /setup/credentials/aws/externalId first")
        role = self._get_role(arn, match.group(4))
        self._check_propagated(arn, role)
        problem = trust_problem(policy_document(role["AssumeRolePolicyDocument"]),
                                self.spot_principal, issued[-1], issued)
        if problem:
            raise problem
        if expiry is not None and _now() > expiry:
            raise SpotError(ERR_EXTERNAL_ID_EXPIRED, "The external ID expired "
                            f"(maxValidUntil {iso_time(expiry)}); generate a new one")
        self._check_spot_policy(arn, match.group(4))
        return match.group(2)

    def _get_role(self, arn, name):
        import botocore.exceptions
        try:
            role = self._iam_call("get_role", expect=("NoSuchEntity",), RoleName=name)["Role"]
        except botocore.exceptions.ClientError:
            raise SpotError(ERR_ROLE_NOT_FOUND, f"Role {arn} does not exist") from None
        if role["Arn"] != arn:
            # Same name in another path/account: not the role Spot was told.
            raise SpotError(ERR_ROLE_NOT_FOUND,
                            f"Role {arn} does not exist (found {role['Arn']} instead)")
        return role

    def _check_propagated(self, arn, role):
        age = (_now() - _utc(role["CreateDate"])).total_seconds()
        if age < self.propagation_delay:
            raise SpotError(ERR_CANT_ASSUME_ROLE,
                            f"Failed to assume role {arn} (IAM may still be propagating; "
                            f"role is {max(age, 0):.1f}s old)")

    def _check_spot_policy(self, arn, name):
        for pol_arn in self._attached_policies(name):
            if _AWS_MANAGED.match(pol_arn):
                continue   # SecurityAudit etc. are AWS-managed, not the Spot policy
            version = self._iam_call("get_policy", PolicyArn=pol_arn)["Policy"]["DefaultVersionId"]
            doc = self._iam_call("get_policy_version", PolicyArn=pol_arn,
                                 VersionId=version)["PolicyVersion"]["Document"]
            if grants_run_instances(policy_document(doc)):
                return
        raise SpotError(ERR_MISSING_POLICY, f"Role {arn} has no attached customer-managed "
                        "policy granting ec2:RunInstances (the Spot policy)")

    def _attached_policies(self, name):
        arns, marker = [], None
        while True:
            kw = {"RoleName": name, **({"Marker": marker} if marker else {})}
            page = self._iam_call("list_attached_role_policies", **kw)
            arns += [p["PolicyArn"] for p in page["AttachedPolicies"]]
            if not page.get("IsTruncated"):
                return arns
            marker = page["Marker"]

    # -- IAM client -------------------------------------------------------------------------
    def _iam_call(self, op, expect=(), **kw):
        """Call IAM; AWS error codes in `expect` propagate as ClientError,
        any other failure becomes a 500 (the fake could not do its job)."""
        import botocore.exceptions
        client = self._iam()
        try:
            return getattr(client, op)(**kw)
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in expect:
                raise
            raise self._iam_failure(e) from None
        except botocore.exceptions.BotoCoreError as e:
            raise self._iam_failure(e) from None

    @staticmethod
    def _iam_failure(exc):
        return SpotError(ERR_INTERNAL, f"FakeSpot could not check the role in IAM: {exc}",
                         status=500)

    def _iam(self):
        """The IAM client (see the class doc); rebuilt when moto's keys change."""
        if self._iam_client is not None:
            return self._iam_client
        if self._moto is None:
            raise SpotError(ERR_INTERNAL, "FakeSpot has no IAM to check roles against "
                            "(give moto_url or iam_client)", status=500)
        with self._iam_lock:
            key = getattr(self._moto, "access_key_id", None) or self._keys[0]
            if self._iam_cache[0] != key:
                self._iam_cache = (key, self._build_iam())
            return self._iam_cache[1]

    def _build_iam(self):
        if hasattr(self._moto, "boto3_client"):
            return self._moto.boto3_client("iam")
        import boto3
        from botocore.config import Config
        return boto3.session.Session().client(
            "iam", endpoint_url=self._moto, region_name="us-east-1",
            aws_access_key_id=self._keys[0], aws_secret_access_key=self._keys[1],
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                          read_timeout=30, proxies={}))
