"""Fake IAM Identity Center: the SSO portal (GetRoleCredentials) and SSO OIDC
(CreateToken with a refresh token), in the shapes of reference/sso.md.

Serve real moto credentials (moto.temporary_credentials()) from the portal so
that the program can go on to call moto with them. Both peers record every
request; tokens are opaque random strings the tests put in the cache files.
"""

import json
import secrets
import threading
import time
import urllib.parse

from ._server import PeerHandler, Peer, request_id


def new_token(prefix):
    return prefix + secrets.token_urlsafe(24)


class _PortalHandler(PeerHandler):

    def do_GET(self):
        portal = self.peer
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        token = self.headers.get("x-amz-sso_bearer_token")
        portal._note(self, token)
        if url.path != "/federation/credentials":
            return self.send(404, "Not Found\n")
        if portal.status:
            return self._error(portal.status, portal.status_type, "injected failure")
        if token not in portal.tokens:
            return self._error(401, "UnauthorizedException", "Session token not found or invalid")
        account = (query.get("account_id") or [""])[0]
        role = (query.get("role_name") or [""])[0]
        creds = portal.grants.get((account, role))
        if creds is None:
            return self._error(403, "ForbiddenException", "No access")
        body = {"roleCredentials": {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int((time.time() + portal.lifetime) * 1000)}}
        self.send(200, json.dumps(body), "application/json", [("x-amzn-RequestId", request_id())])

    def _error(self, status, kind, message):
        self.send(status, json.dumps({"message": message}), "application/json",
                  [("x-amzn-ErrorType", kind), ("x-amzn-RequestId", request_id())])


class SsoPortal(Peer):
    """portal.sso.REGION.amazonaws.com; point AWS_ENDPOINT_URL_SSO at .url."""

    handler_class = _PortalHandler

    def __init__(self, tls):
        Peer.__init__(self, tls)
        self._lock = threading.Lock()
        self.tokens = set()     # access tokens the portal accepts
        self.grants = {}        # (account, role) -> credentials dict (moto's shape)
        self.lifetime = 3600    # seconds the role credentials live
        self.status = 0         # non-zero: answer every request with it
        self.status_type = "InternalServerException"
        self.requests = []      # (path, query dict, token presented, headers)

    def _note(self, handler, token):
        url = urllib.parse.urlsplit(handler.path)
        with self._lock:
            self.requests.append((url.path, urllib.parse.parse_qs(url.query), token,
                                  list(handler.headers.items())))

    def issue(self):
        """A new access token the portal accepts."""
        token = new_token("aoa-")
        with self._lock:
            self.tokens.add(token)
        return token

    def grant(self, account, role, creds):
        with self._lock:
            self.grants[(account, role)] = creds


class _OidcHandler(PeerHandler):

    def do_POST(self):
        oidc = self.peer
        body = self.read_body()
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            doc = None
        oidc._note(self, doc)
        if self.path != "/token":
            return self.send(404, "Not Found\n")
        if not isinstance(doc, dict) or doc.get("grantType") != "refresh_token":
            return self._error(400, "unsupported_grant_type")
        client = oidc.clients.get(doc.get("clientId"))
        if client is None or client != doc.get("clientSecret"):
            return self._error(401, "invalid_client")
        if doc.get("refreshToken") not in oidc.refresh_tokens:
            return self._error(400, "invalid_grant")
        with oidc._lock:
            oidc.refresh_tokens.discard(doc["refreshToken"])  # refresh tokens rotate
        access = oidc.portal.issue()
        answer = {"accessToken": access, "expiresIn": oidc.expires_in, "tokenType": "Bearer"}
        if oidc.rotate:
            answer["refreshToken"] = new_token("aor-")
            with oidc._lock:
                oidc.refresh_tokens.add(answer["refreshToken"])
        with oidc._lock:
            oidc.issued.append(answer)
        self.send(200, json.dumps(answer), "application/json")

    def _error(self, status, code):
        self.send(status, json.dumps({"error": code, "error_description": "refused"}),
                  "application/json", [("x-amzn-ErrorType", code)])


class SsoOidc(Peer):
    """oidc.REGION.amazonaws.com; point AWS_ENDPOINT_URL_SSO_OIDC at .url.
    Access tokens it issues are accepted by `portal`."""

    handler_class = _OidcHandler

    def __init__(self, tls, portal):
        Peer.__init__(self, tls)
        self._lock = threading.Lock()
        self.portal = portal
        self.clients = {}           # clientId -> clientSecret
        self.refresh_tokens = set()
        self.expires_in = 8 * 3600
        self.rotate = True          # answer with a new refresh token
        self.issued = []            # answers given
        self.requests = []          # (path, JSON body or None)

    def _note(self, handler, doc):
        with self._lock:
            self.requests.append((handler.path, doc))

    def register(self):
        """A client registration and a refresh token for it: (id, secret, refresh)."""
        cid, secret, refresh = new_token("cid-"), new_token("csec-"), new_token("aor-")
        with self._lock:
            self.clients[cid] = secret
            self.refresh_tokens.add(refresh)
        return cid, secret, refresh
