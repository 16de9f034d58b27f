"""Fake credential endpoints: EC2 IMDSv2 and the ECS/EKS container endpoint.

Both serve the JSON shapes of aws.md 4.4.  Serve real moto credentials to let
the program go on to call moto: moto.temporary_credentials() gives an ASIA key
+ session token that moto accepts (moto rejects a session token sent with a
long-term AKIA key, and IMDS always supplies a Token).
"""

import datetime
import json
import secrets
import threading

from ._server import Peer, PeerHandler

TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
CREDS_PREFIX = "/latest/meta-data/iam/security-credentials"


def iso_in(seconds):
    """An ISO 8601 UTC timestamp `seconds` from now (negative: in the past)."""
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class _CredentialSource:
    """Credentials plus the setters both servers share."""

    def _init_credentials(self, access_key_id, secret_access_key, token, expiration):
        self._lock = threading.Lock()
        self.set_credentials(access_key_id, secret_access_key, token, expiration)

    def set_credentials(self, access_key_id, secret_access_key, token=None, expiration=None):
        """Serve these from now on; expiration defaults to 6 hours ahead."""
        with self._lock:
            self.access_key_id = access_key_id
            self.secret_access_key = secret_access_key
            self.token = token
            self.expiration = expiration or iso_in(6 * 3600)

    def set_credentials_dict(self, creds):
        """Same, from a dict like moto.temporary_credentials() returns."""
        self.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"],
                             creds.get("SessionToken", creds.get("Token")),
                             creds.get("Expiration"))

    def _fields(self):
        with self._lock:
            fields = {"AccessKeyId": self.access_key_id,
                      "SecretAccessKey": self.secret_access_key,
                      "Token": self.token,
                      "Expiration": self.expiration}
        return {k: v for k, v in fields.items() if v is not None}


# ----------------------------------------------------------------------------
# EC2 instance metadata service (IMDSv2)
# ----------------------------------------------------------------------------

class _ImdsHandler(PeerHandler):

    def do_PUT(self):
        self.read_body()
        imds = self.peer
        imds._note(self)
        if self.path != "/latest/api/token":
            return self.send(404, "Not Found\n")
        imds._count("token_puts")
        ttl = self.headers.get(TTL_HEADER)
        with imds._lock:
            imds.ttl_seen.append(ttl)
        if imds.delay_seconds:
            self.wait_or_stop(imds.delay_seconds)
        if imds.token_status != 200:
            # e.g. 404/403/405: an IMDSv1-only host, so clients fall back to v1
            return self.send(imds.token_status, "")
        if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.send(400, "Missing or invalid parameters\n")
        self.send(200, imds._issue_token(), "text/plain", [(TTL_HEADER, ttl)])

    def do_GET(self):
        imds = self.peer
        imds._note(self)
        if imds.delay_seconds:
            self.wait_or_stop(imds.delay_seconds)
        if not imds._token_ok(self.headers.get(TOKEN_HEADER)):
            imds._count("unauthorized")
            return self.send(401, "Unauthorized\n")
        path = self.path.split("?")[0]
        if path in (CREDS_PREFIX, CREDS_PREFIX + "/"):
            imds._count("role_gets")
            return self.send(200, imds.role_name, "text/plain")
        if path == f"{CREDS_PREFIX}/{imds.role_name}":
            imds._count("credential_gets")
            return self.send(200, imds._credentials_body(), "text/plain")
        self.send(404, "Not Found\n")


class ImdsServer(Peer, _CredentialSource):
    """Fake EC2 IMDS on http://127.0.0.1:PORT (point AWS_EC2_METADATA_SERVICE_ENDPOINT at .url)."""

    handler_class = _ImdsHandler

    def __init__(self, role_name="spot-test-role", access_key_id="ASIAIMDSEXAMPLE00001",
                 secret_access_key="imds-secret-example-0000000000000000000",
                 token="imds-session-token-example", expiration=None, require_token=True):
        Peer.__init__(self)
        self._init_credentials(access_key_id, secret_access_key, token, expiration)
        self.role_name = role_name
        self.require_token = require_token  # False: IMDSv1 GETs without a token work
        self.token_status = 200             # set 404/403/405 to refuse tokens (v1-only host)
        self.delay_seconds = 0              # sleep before every answer (timeout tests)
        self.credentials_body = None        # str: served verbatim instead of the JSON
        self.tokens = set()                 # tokens handed out
        self.ttl_seen = []                  # TTL header of each token PUT (None if absent)
        self.requests = []                  # (method, path, headers) of every request
        self.token_puts = 0
        self.role_gets = 0
        self.credential_gets = 0
        self.unauthorized = 0               # GETs answered 401

    def _note(self, handler):
        with self._lock:
            self.requests.append((handler.command, handler.path, list(handler.headers.items())))

    def _count(self, name):
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def _issue_token(self):
        token = "AQAEA" + secrets.token_urlsafe(32)
        with self._lock:
            self.tokens.add(token)
        return token

    def _token_ok(self, token):
        with self._lock:
            if token is not None:
                return token in self.tokens   # a wrong token is refused even in v1 mode
            return not self.require_token

    def _credentials_body(self):
        if self.credentials_body is not None:
            return self.credentials_body
        body = {"Code": "Success", "LastUpdated": iso_in(-60), "Type": "AWS-HMAC"}
        body.update(self._fields())
        return json.dumps(body, indent=2)


# ----------------------------------------------------------------------------
# Container credentials endpoint (ECS / EKS Pod Identity)
# ----------------------------------------------------------------------------

class _ContainerHandler(PeerHandler):

    def do_GET(self):
        srv = self.peer
        auth = self.headers.get("Authorization")
        with srv._lock:
            srv.calls += 1
            srv.auth_seen.append(auth)
        if self.path.split("?")[0] != srv.path:
            return self.send(404, "Not Found\n")
        if srv.auth_token is not None and auth != srv.auth_token:
            return self.send_json(401, json.dumps({"code": "Unauthorized",
                                                   "message": "Invalid authorization token"}))
        if srv.status != 200:
            return self.send_json(srv.status, json.dumps({"code": "Error",
                                                          "message": "injected failure"}))
        with srv._lock:
            srv.authorized_calls += 1
        body = srv._fields()
        if srv.role_arn:
            body["RoleArn"] = srv.role_arn
        self.send_json(200, json.dumps(body))


class ContainerCredsServer(Peer, _CredentialSource):
    """Fake container credential endpoint; use .full_uri as AWS_CONTAINER_CREDENTIALS_FULL_URI."""

    handler_class = _ContainerHandler

    def __init__(self, path="/v2/credentials/spot-test", auth_token="spot-test-container-token",
                 access_key_id="ASIACONTAINEREXAMPLE", secret_access_key="container-secret-example-000000000000000",
                 token="container-session-token-example", expiration=None,
                 role_arn="arn:aws:iam::123456789012:role/spot-test-task-role"):
        Peer.__init__(self)
        self._init_credentials(access_key_id, secret_access_key, token, expiration)
        self.path = path
        self.auth_token = auth_token    # required Authorization value; None: no check
        self.role_arn = role_arn
        self.status = 200               # set e.g. 500 to fail authorized calls
        self.calls = 0                  # every request
        self.authorized_calls = 0       # requests answered with credentials
        self.auth_seen = []             # Authorization header of each request (None if absent)

    @property
    def full_uri(self):
        return self.url + self.path
