"""SigV4Verifier: a fake IAM/STS endpoint that checks every SigV4 signature.

Verification follows aws.md 2.3: rebuild a botocore AWSRequest from only the
headers named in SignedHeaders, take the timestamp from X-Amz-Date and the
region/service from the Credential scope, sign it again with SigV4Auth and
compare with hmac.compare_digest.  So a pass here means botocore (and hence
AWS) computes the same signature as the program under test.

Verified requests get canned XML: STS GetCallerIdentity, IAM GetRole, or an
empty `<{Action}Response>` for anything else (override per action with
set_response).  Failures get the real AWS error envelope with 403.
"""

import datetime
import hmac
import re
import threading
import urllib.parse
from xml.sax.saxutils import escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ._server import Peer, PeerHandler, request_id
from .faultproxy import IAM_NS, STS_NS, aws_error_xml

SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature "
                      "you provided. Check your AWS Secret Access Key and signing method. "
                      "Consult the service documentation for details.")

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-f]{64})\s*$")


def partition_for_region(region):
    """aws, aws-cn or aws-us-gov, as the ARN partition for a signing region."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def sign_headers(method, url, body, akid, secret, region, service, token=None,
                 amz_date=None, headers=None):
    """Headers (dict) for a botocore-SigV4-signed request, optionally at a fixed time.

    For tests that need a hand-made request, e.g. one signed 20 minutes ago:
    amz_date="20260101T000000Z".  `headers` are extra headers to sign.
    """
    headers = dict(headers or {})
    headers.setdefault("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    headers["Host"] = urllib.parse.urlsplit(url).netloc
    stamp = amz_date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers["X-Amz-Date"] = stamp
    if token:
        headers["X-Amz-Security-Token"] = token
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    request.context["timestamp"] = stamp
    sigv4 = SigV4Auth(Credentials(akid, secret, token), service, region)
    canonical = sigv4.canonical_request(request)
    signature = sigv4.signature(sigv4.string_to_sign(request, canonical), request)
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={akid}/{sigv4.credential_scope(request)}, "
        f"SignedHeaders={sigv4.signed_headers(sigv4.headers_to_sign(request))}, "
        f"Signature={signature}")
    return headers


class SeenRequest:
    """One request as the verifier judged it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers          # list of (name, value) as received
        self.body = body                # bytes
        self.action = None              # Action= from the form body / query
        self.params = {}                # all form parameters (last value wins)
        self.service = None             # from the Credential scope, e.g. "iam"
        self.region = None              # from the Credential scope
        self.partition = None           # derived from region
        self.access_key_id = None
        self.signed_headers = []        # lower-case names from SignedHeaders
        self.amz_date = None            # X-Amz-Date value
        self.session_token = None       # X-Amz-Security-Token value, if any
        self.signature_ok = False       # the signature math matched
        self.verified = False           # accepted: signature ok and clock in range
        self.error = None               # AWS error code sent back, or None
        self.status = None              # HTTP status sent back

    def header(self, name, default=None):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    def __repr__(self):
        return (f"<{self.service}/{self.region} {self.action} verified={self.verified} "
                f"error={self.error}>")


def _identity_xml(seen, account_id, user_name):
    p = seen.partition
    if seen.session_token:
        # Temporary credentials: answer like an assumed role would.
        arn = f"arn:{p}:sts::{account_id}:assumed-role/spot-test-role/spot-test-session"
        user_id = "AROAEXAMPLEROLEID0001:spot-test-session"
    else:
        arn = f"arn:{p}:iam::{account_id}:user/{escape(user_name)}"
        user_id = "AIDAEXAMPLEUSERID0001"
    return (f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
            f'  <GetCallerIdentityResult>\n    <Arn>{arn}</Arn>\n'
            f'    <UserId>{user_id}</UserId>\n    <Account>{account_id}</Account>\n'
            f'  </GetCallerIdentityResult>\n'
            f'  <ResponseMetadata><RequestId>{request_id()}</RequestId></ResponseMetadata>\n'
            f'</GetCallerIdentityResponse>\n')


def _get_role_xml(seen, account_id):
    name = escape(seen.params.get("RoleName", "unnamed"))
    trust = ("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22"
             "%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3A"
             f"{seen.partition}%3Aiam%3A%3A{account_id}%3Aroot%22%7D%2C%22Action%22%3A"
             "%22sts%3AAssumeRole%22%7D%5D%7D")
    return (f'<GetRoleResponse xmlns="{IAM_NS}"><GetRoleResult><Role><Path>/</Path>'
            f'<RoleName>{name}</RoleName><RoleId>AROAEXAMPLEROLEID0001</RoleId>'
            f'<Arn>arn:{seen.partition}:iam::{account_id}:role/{name}</Arn>'
            f'<CreateDate>2026-01-01T00:00:00Z</CreateDate>'
            f'<AssumeRolePolicyDocument>{trust}</AssumeRolePolicyDocument>'
            f'<MaxSessionDuration>3600</MaxSessionDuration><RoleLastUsed/></Role>'
            f'</GetRoleResult><ResponseMetadata><RequestId>{request_id()}</RequestId>'
            f'</ResponseMetadata></GetRoleResponse>\n')


def _generic_xml(action, ns):
    return (f'<{action}Response xmlns="{ns}"><ResponseMetadata><RequestId>{request_id()}'
            f'</RequestId></ResponseMetadata></{action}Response>\n')


class _VerifierHandler(PeerHandler):

    def _handle(self):
        body = self.read_body()
        seen = SeenRequest(self.command, self.path, list(self.headers.items()), body)
        status, xml = self.peer._judge(seen, self.headers)
        seen.status = status
        self.peer._record(seen)
        self.send_xml(status, xml)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class SigV4Verifier(Peer):
    """HTTP(S) fake IAM/STS server that verifies SigV4 with botocore."""

    handler_class = _VerifierHandler

    def __init__(self, keys, tls=None, account_id="123456789012", user_name="tester",
                 max_skew=900):
        super().__init__(tls)
        self.keys = {}                  # akid -> (secret, required token or None)
        for akid, value in keys.items():
            secret, token = value if isinstance(value, tuple) else (value, None)
            self.add_key(akid, secret, token)
        self.account_id = account_id
        self.user_name = user_name
        self.max_skew = max_skew        # seconds; None disables the clock check
        self.seen = []                  # SeenRequest, in arrival order
        self._responses = {}            # action -> (status, xml)
        self._lock = threading.Lock()

    def add_key(self, akid, secret, token=None):
        """Accept akid/secret; if token is given, require it as the session token."""
        self.keys[akid] = (secret, token)

    def set_response(self, action, status, xml):
        """Answer verified `action` requests with this status and XML body."""
        with self._lock:
            self._responses[action] = (status, xml)

    def clear_responses(self):
        with self._lock:
            self._responses.clear()

    @property
    def count(self):
        with self._lock:
            return len(self.seen)

    def verified_count(self):
        with self._lock:
            return sum(1 for s in self.seen if s.verified)

    def reset_log(self):
        with self._lock:
            self.seen = []

    def _record(self, seen):
        with self._lock:
            self.seen.append(seen)

    # -- judging ---------------------------------------------------------------
    def _judge(self, seen, headers):
        """Fill in `seen` and return (status, xml)."""
        pairs = urllib.parse.parse_qsl(seen.body.decode("utf-8", "replace"),
                                       keep_blank_values=True)
        pairs += urllib.parse.parse_qsl(urllib.parse.urlsplit(seen.path).query)
        seen.params = dict(pairs)
        seen.action = seen.params.get("Action")
        seen.amz_date = headers.get("X-Amz-Date")
        seen.session_token = headers.get("X-Amz-Security-Token")
        ns = STS_NS if seen.params.get("Version") == "2011-06-15" else IAM_NS

        error = self._check_signature(seen, headers)
        if error:
            code, message, status = error
            seen.error = code
            return status, aws_error_xml(code, message, ns)

        with self._lock:
            canned = self._responses.get(seen.action)
        if canned:
            return canned
        if seen.action == "GetCallerIdentity":
            return 200, _identity_xml(seen, self.account_id, self.user_name)
        if seen.action == "GetRole":
            return 200, _get_role_xml(seen, self.account_id)
        return 200, _generic_xml(seen.action or "Unknown", ns)

    def _check_signature(self, seen, headers):
        """None if the signature is good, else (code, message, http_status)."""
        auth = headers.get("Authorization")
        if not auth:
            return ("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        m = _AUTH_RE.match(auth)
        scope = m.group("cred").split("/") if m else []
        if len(scope) != 5 or scope[4] != "aws4_request" or not seen.amz_date:
            return ("IncompleteSignature", "Authorization header is malformed or incomplete", 400)
        akid, date, region, service, _ = scope
        seen.access_key_id, seen.region, seen.service = akid, region, service
        seen.partition = partition_for_region(region)
        seen.signed_headers = m.group("signed").split(";")

        if akid not in self.keys:
            return ("InvalidClientTokenId",
                    "The security token included in the request is invalid.", 403)
        secret, token = self.keys[akid]
        if token is not None and seen.session_token != token:
            return ("InvalidClientTokenId",
                    "The security token included in the request is invalid.", 403)
        if not seen.amz_date.startswith(date):
            return ("SignatureDoesNotMatch", "Date in Credential scope does not match "
                    "YYYYMMDD from ISO-8601 version of date from HTTP", 403)

        expected = self._expected_signature(seen, headers, secret, region, service)
        if not hmac.compare_digest(expected, m.group("sig")):
            return ("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)
        seen.signature_ok = True
        clock_error = self._check_clock(seen.amz_date)
        seen.verified = clock_error is None
        return clock_error

    def _expected_signature(self, seen, headers, secret, region, service):
        host = headers.get("Host", "")
        signed = {}
        for name in seen.signed_headers:
            values = headers.get_all(name) or []
            if values:
                signed[name] = ",".join(values)
        request = AWSRequest(method=seen.method, url=f"http://{host}{seen.path}",
                             data=seen.body, headers=signed)
        request.context["timestamp"] = seen.amz_date
        sigv4 = SigV4Auth(Credentials(seen.access_key_id, secret, seen.session_token),
                          service, region)
        canonical = sigv4.canonical_request(request)
        return sigv4.signature(sigv4.string_to_sign(request, canonical), request)

    def _check_clock(self, amz_date):
        # Like IAM/STS: signatures more than 15 minutes off are rejected.
        if self.max_skew is None:
            return None
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            return ("IncompleteSignature", f"Invalid X-Amz-Date: {amz_date}", 400)
        now = datetime.datetime.now(datetime.timezone.utc)
        if abs((now - when).total_seconds()) <= self.max_skew:
            return None
        fmt = "%Y%m%dT%H%M%SZ"
        skew = datetime.timedelta(seconds=self.max_skew)
        minutes = self.max_skew // 60
        if when < now:
            message = (f"Signature expired: {amz_date} is now earlier than "
                       f"{(now - skew).strftime(fmt)} ({now.strftime(fmt)} - {minutes} min.)")
        else:
            message = (f"Signature not yet current: {amz_date} is still later than "
                       f"{(now + skew).strftime(fmt)} ({now.strftime(fmt)} + {minutes} min.)")
        return ("SignatureDoesNotMatch", message, 403)
