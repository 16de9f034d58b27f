"""Self-check of FakeSpot: python3 tests/peers/selfcheck_spot.py

Drives the fake Spot API over HTTPS (test CA) with http.client, making the
IAM roles it must accept or refuse in moto with boto3, and prints one
ok/not ok line per check via harness.Suite.
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
import itertools  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

import harness  # noqa: E402
from peers import fakespot  # noqa: E402
from peers.fakespot import FakeSpot  # noqa: E402

suite = harness.Suite("fakespot-selfcheck")
TOKEN = "selfcheck-spot-token"
SPOT = fakespot.SPOT_PRINCIPAL

# A cut-down Spot policy: ec2:RunInstances is the marker FakeSpot looks for.
SPOT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OceanAndElastigroupBasicActions", "Effect": "Allow",
     "Action": ["ec2:RunInstances", "ec2:Describe*", "ec2:TerminateInstances"],
     "Resource": "*"}]}
NOT_SPOT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}


class Peers:
    moto = ca = spot = client = None


P = Peers()
_names = itertools.count(1)


# -- HTTP client ------------------------------------------------------------------------

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None

    @property
    def response(self):
        return self.json["response"]

    @property
    def items(self):
        return self.response.get("items")

    @property
    def error(self):
        return self.response["errors"][0]

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """One keep-alive HTTPS connection, like libcurl would use."""

    def __init__(self, spot, token=TOKEN, timeout=5):
        self.token = token
        self.conn = http.client.HTTPSConnection("127.0.0.1", spot.port, timeout=timeout,
                                                context=P.ca.client_context())

    def call(self, method, path, body=None, query=None, token=None, headers=None):
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        hdrs = {"Accept": "application/json", **(headers or {})}
        token = self.token if token is None else token
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            self.conn.request(method, url, body=data, headers=hdrs)
            resp = self.conn.getresponse()
            return Resp(resp.status, resp.headers, resp.read())
        except Exception:
            self.conn.close()   # the next call reconnects
            raise

    def close(self):
        self.conn.close()


def call(*args, **kw):
    return P.client.call(*args, **kw)


def create_account(name="selfcheck"):
    r = call("POST", "/setup/account", {"account": {"name": name}})
    assert r.status == 200, r
    return r.items[0]["id"]


def external_id(act):
    r = call("POST", "/setup/credentials/aws/externalId", query={"accountId": act})
    assert r.status == 200, r
    return r.items[0]["externalId"]


def set_credentials(act, arn):
    return call("POST", "/setup/credentials/aws", {"credentials": {"iamRole": arn}},
                query={"accountId": act})


def list_accounts(**query):
    r = call("GET", "/setup/account", query=query or None)
    assert r.status == 200, r
    return r.items


def assert_error(r, status, code, field=None):
    assert r.status == status, r
    assert r.json["request"]["id"], r
    assert r.response["status"]["code"] == status, r
    assert r.error["code"] == code, r
    assert r.error["message"], r
    if field:
        assert r.error.get("field") == field, r


# -- IAM roles in moto ------------------------------------------------------------------------

def trust(ext_id, principal=SPOT):
    stmt = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if ext_id is not None:
        stmt["Condition"] = {"StringEquals": {"sts:ExternalId": ext_id}}
    return {"Version": "2012-10-17", "Statement": [stmt]}


def make_role(ext_id, principal=SPOT, policy=SPOT_POLICY, security_audit=True):
    """A role like the program makes; returns its ARN."""
    iam = P.moto.boto3_client("iam")
    n = next(_names)
    name = f"SpotRole-selfcheck-{n}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        trust(ext_id, principal)))["Role"]["Arn"]
    if policy is not None:
        pol = iam.create_policy(PolicyName=f"Spot-Policy-selfcheck-{n}",
                                PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=pol)
    if security_audit:
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    return arn


# -- startup ------------------------------------------------------------------------------------

@suite.test
def test_start():
    P.ca = harness.ca()
    P.moto = harness.moto()
    P.spot = FakeSpot(moto_url=P.moto, token=TOKEN, tls=P.ca).start()
    P.client = Client(P.spot)
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+", P.spot.url), P.spot.url


@suite.after_each
def _no_faults_left():
    if P.spot is not None:
        P.spot.clear()
        P.spot.propagation_delay = 0.0


# -- auth -----------------------------------------------------------------------------------------

@suite.test
def test_401_without_or_with_wrong_token():
    for token in ("", "wrong-token"):
        r = call("GET", "/setup/account", token=token)
        assert_error(r, 401, fakespot.ERR_UNAUTHORIZED)
        assert r.error["message"] == "Invalid token", r
    r = call("GET", "/setup/account", headers={"Authorization": TOKEN}, token="")
    assert r.status == 401, "token without Bearer must not pass"
    assert P.spot.requests[-1].status == 401 and P.spot.requests[-1].error_code == "UNAUTHORIZED"
    assert P.spot.token_leaks == []


@suite.test
def test_token_outside_authorization_is_recorded_as_leak():
    call("GET", "/setup/account", query={"token": TOKEN})
    call("POST", "/setup/account", {"account": {"name": "x", "token": TOKEN}})
    call("GET", "/setup/account", headers={"X-Spot-Token": TOKEN})
    where = [leak["where"] for leak in P.spot.token_leaks]
    assert where == ["query", "body", "header:x-spot-token"], P.spot.token_leaks
    assert all(TOKEN not in json.dumps(leak) for leak in P.spot.token_leaks)
    P.spot.token_leaks.clear()


# -- accounts ---------------------------------------------------------------------------------------

@suite.test
def test_create_list_delete_account_shapes():
    P.spot.reset()
    r = call("POST", "/setup/account", {"account": {"name": "prod"}})
    assert r.status == 200, r
    req, resp = r.json["request"], r.response
    assert req["url"] == "/setup/account" and req["method"] == "POST", req
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", req["timestamp"]), req
    assert resp["status"] == {"code": 200, "message": "OK"}, resp
    assert resp["kind"] == "spotinst:setup:account" and resp["count"] == 1, resp
    item = resp["items"][0]
    assert set(item) == {"id", "name", "organizationId"}, item   # create: "id"
    assert re.fullmatch(r"act-[0-9a-f]{8}", item["id"]) and item["name"] == "prod", item
    assert item["organizationId"] == "606079861123", item        # create: string

    listed = list_accounts()
    assert len(listed) == 1, listed
    assert listed[0]["accountId"] == item["id"] and "id" not in listed[0], listed  # list: accountId
    assert listed[0]["organizationId"] == 606079861123, listed                   # list: number
    assert listed[0]["createdAt"].endswith("Z"), listed
    assert "providerExternalId" not in listed[0] and "cloudProvider" not in listed[0], listed

    r = call("DELETE", f"/setup/account/{item['id']}")
    assert r.status == 200 and "items" not in r.response, r
    assert r.json["request"]["url"] == f"/setup/account/{item['id']}", r
    assert list_accounts() == []
    assert_error(call("DELETE", f"/setup/account/{item['id']}"), 400, "Account_DOESNT_EXIST")


@suite.test
def test_account_names_are_not_unique_and_need_a_letter():
    P.spot.reset()
    a, b = create_account("same"), create_account("same")
    assert a != b and len(list_accounts()) == 2
    for bad in ("1234", "", None):
        assert_error(call("POST", "/setup/account", {"account": {"name": bad}}),
                     400, fakespot.ERR_VALIDATION, field="name")
    assert_error(call("POST", "/setup/account", b"not json"), 400, fakespot.ERR_INVALID_JSON)
    assert len(P.spot.accounts) == 2


@suite.test
def test_unknown_routes_are_404_envelopes():
    for method, path in (("GET", "/setup/nothing"), ("GET", "/setup/account/act-12345678"),
                         ("PUT", "/setup/account"), ("GET", "/setup/credentials/aws/externalId")):
        r = call(method, path)
        assert_error(r, 404, fakespot.ERR_NOT_FOUND)
    assert P.spot.requests[-1].endpoint == fakespot.UNKNOWN


# -- external IDs ---------------------------------------------------------------------------------------

@suite.test
def test_external_id_is_new_on_every_call():
    act = create_account()
    r = call("POST", "/setup/credentials/aws/externalId", query={"accountId": act})
    assert r.status == 200 and r.response["kind"] == "spotinst:setup:aws:externalId", r
    first = r.items[0]
    assert re.fullmatch(r"spotinst:aws:extid:[a-z0-9]{16}", first["externalId"]), first
    assert first["maxValidUntil"].endswith("Z"), first
    second = external_id(act)
    assert second != first["externalId"]
    assert P.spot.external_ids(act) == [first["externalId"], second]
    assert P.spot.accounts[act]["externalIds"] == [first["externalId"], second]
    assert_error(call("POST", "/setup/credentials/aws/externalId",
                      query={"accountId": "act-00000000"}), 400, "Account_DOESNT_EXIST")
    assert_error(call("POST", "/setup/credentials/aws/externalId"), 400,
                 fakespot.ERR_VALIDATION, field="accountId")


# -- set credentials ---------------------------------------------------------------------------------------

@suite.test
def test_set_credentials_success_connects_the_account():
    act = create_account("connected")
    arn = make_role(external_id(act))
    assert call("GET", "/setup/credentials/aws", query={"accountId": act}).items == []
    r = set_credentials(act, arn)
    assert r.status == 200, r
    assert r.response["status"]["code"] == 200 and "items" not in r.response, r
    creds = call("GET", "/setup/credentials/aws", query={"accountId": act})
    assert creds.items == [{"iamRole": arn, "accountId": act}], creds
    mine = [a for a in list_accounts(cloudAccountId=P.moto.account_id) if a["accountId"] == act]
    assert mine and mine[0]["providerExternalId"] == P.moto.account_id, mine   # a string
    assert mine[0]["cloudProvider"] == "AWS", mine
    assert all(a["providerExternalId"] == P.moto.account_id
               for a in list_accounts(cloudAccountId=P.moto.account_id))
    assert list_accounts(cloudAccountId="999999999999") == []
    assert_error(call("GET", "/setup/account", query={"cloudAccountId": "12"}),
                 400, fakespot.ERR_VALIDATION, field="cloudAccountId")
    assert P.spot.accounts[act]["credentials"] == {"iamRole": arn, "accountId": act}


def _check_refused(code, make):
    act = create_account()
    arn = make(act)
    r = set_credentials(act, arn)
    assert_error(r, 400, code)
    assert P.spot.accounts[act]["credentials"] is None
    assert "providerExternalId" not in [a for a in list_accounts()
                                        if a["accountId"] == act][0]


def _old_external_id(act):
    arn = make_role(external_id(act))
    external_id(act)    # the pitfall: asking again invalidates the first
    return arn


def _no_external_id(act):
    external_id(act)
    return make_role(None)


def _account_never_got_id(act):
    return make_role("spotinst:aws:extid:0000000000000000")


def _foreign_account_in_arn(act):
    arn = make_role(external_id(act))
    return arn.replace(f"::{P.moto.account_id}:", "::210987654321:")


REFUSALS = [
    ("wrong principal", fakespot.ERR_INVALID_PRINCIPAL,
     lambda act: make_role(external_id(act), principal="arn:aws:iam::111122223333:root")),
    ("anyone principal", fakespot.ERR_INVALID_PRINCIPAL,
     lambda act: make_role(external_id(act), principal="*")),
    ("old external id", fakespot.ERR_INVALID_EXTERNAL_ID, _old_external_id),
    ("no external id condition", fakespot.ERR_INVALID_EXTERNAL_ID, _no_external_id),
    ("external id never generated", fakespot.ERR_NO_EXTERNAL_ID, _account_never_got_id),
    ("missing spot policy", fakespot.ERR_MISSING_POLICY,
     lambda act: make_role(external_id(act), policy=None)),
    ("policy without RunInstances", fakespot.ERR_MISSING_POLICY,
     lambda act: make_role(external_id(act), policy=NOT_SPOT_POLICY)),
    ("no such role", fakespot.ERR_ROLE_NOT_FOUND,
     lambda act: (external_id(act), f"arn:aws:iam::{P.moto.account_id}:role/nope")[1]),
    ("role of another account", fakespot.ERR_ROLE_NOT_FOUND, _foreign_account_in_arn),
    ("bad arn", fakespot.ERR_INVALID_ROLE_ARN,
     lambda act: (external_id(act), "arn:aws:iam::123:user/someone")[1]),
]
for _label, _code, _make in REFUSALS:
    suite.add(f"set credentials refused: {_label} -> {_code}", _check_refused, _code, _make)


@suite.test
def test_set_credentials_validation_and_unknown_account():
    act = create_account()
    external_id(act)
    r = call("POST", "/setup/credentials/aws", {"credentials": {}}, query={"accountId": act})
    assert_error(r, 400, fakespot.ERR_VALIDATION, field="iamRole")
    assert_error(set_credentials(act, "nonsense"), 400, fakespot.ERR_INVALID_ROLE_ARN,
                 field="iamRole")
    assert_error(set_credentials("act-00000000", "arn:aws:iam::123456789012:role/x"),
                 400, "Account_DOESNT_EXIST")
    assert_error(call("GET", "/setup/credentials/aws", query={"accountId": "act-00000000"}),
                 400, "Account_DOESNT_EXIST")


@suite.test
def test_expired_external_id_is_refused():
    P.spot.external_id_ttl = -1.0
    try:
        act = create_account()
        arn = make_role(external_id(act))
    finally:
        P.spot.external_id_ttl = 3600.0
    assert_error(set_credentials(act, arn), 400, fakespot.ERR_EXTERNAL_ID_EXPIRED)


@suite.test
def test_bare_account_id_principal_and_list_forms_are_accepted():
    act = create_account()
    eid = external_id(act)
    assert set_credentials(act, make_role(eid, principal="922761411349")).status == 200
    iam = P.moto.boto3_client("iam")
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", SPOT]},
        "Action": ["sts:AssumeRole"],
        "Condition": {"StringEquals": {"sts:ExternalId": [eid]}}}]}
    iam.create_role(RoleName="SpotRole-selfcheck-lists", AssumeRolePolicyDocument=json.dumps(doc))
    pol = iam.create_policy(PolicyName="Spot-Policy-selfcheck-lists",
                            PolicyDocument=json.dumps(SPOT_POLICY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="SpotRole-selfcheck-lists", PolicyArn=pol)
    arn = f"arn:aws:iam::{P.moto.account_id}:role/SpotRole-selfcheck-lists"
    assert set_credentials(act, arn).status == 200


@suite.test
def test_policy_documents_raw_or_url_encoded():
    doc = json.dumps(SPOT_POLICY)
    for form in (SPOT_POLICY, doc, urllib.parse.quote(doc)):
        assert fakespot.grants_run_instances(fakespot.policy_document(form)), form
    wildcard = {"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}
    assert fakespot.grants_run_instances(wildcard)
    assert not fakespot.grants_run_instances(NOT_SPOT_POLICY)


@suite.test
def test_propagation_delay_then_success():
    act = create_account()
    arn = make_role(external_id(act))
    P.spot.propagation_delay = 2.0
    t0 = time.monotonic()
    r = set_credentials(act, arn)
    assert_error(r, 400, fakespot.ERR_CANT_ASSUME_ROLE)
    assert "propagat" in r.error["message"] and arn in r.error["message"], r
    while True:
        r = set_credentials(act, arn)
        if r.status == 200:
            break
        assert_error(r, 400, fakespot.ERR_CANT_ASSUME_ROLE)
        assert time.monotonic() - t0 < 60, "still refused long after the delay"
        time.sleep(0.2)
    took = time.monotonic() - t0
    # Never before the delay (a lower bound a loaded machine cannot break).
    assert took > 1.5, f"accepted after {took:.2f}s, delay was 2s"
    harness.note(f"accepted {took:.2f}s after the first try, delay was 2s")
    assert P.spot.count_endpoint("setCredentials") >= 2


# -- faults ------------------------------------------------------------------------------------------------

@suite.test
def test_fault_http500_and_429_keep_the_connection():
    P.spot.set_plan(["http500", "http429"])
    sock = None
    r = call("GET", "/setup/account")
    sock = P.client.conn.sock
    assert_error(r, 500, fakespot.ERR_INTERNAL)
    r = call("GET", "/setup/account")
    assert_error(r, 429, fakespot.ERR_TOO_MANY_REQUESTS)
    assert r.headers["Retry-After"] == "1", r.headers
    assert call("GET", "/setup/account").status == 200
    assert P.client.conn.sock is sock, "keep-alive connection was not reused"
    assert [q.fault for q in P.spot.requests[-3:]] == ["http500", "http429", "pass"]


@suite.test
def test_fault_http502_html_is_not_json():
    P.spot.set_mode("http502_html")
    r = call("GET", "/setup/account")
    assert r.status == 502 and r.json is None, r
    assert r.headers["Content-Type"].startswith("text/html") and b"<html>" in r.body, r


@suite.test
def test_fault_reset_aborts_the_connection():
    P.spot.set_mode("reset")
    try:
        call("GET", "/setup/account")
        raise AssertionError("reset fault answered")
    except (OSError, http.client.HTTPException):
        pass
    assert P.spot.requests[-1].fault == "reset" and P.spot.requests[-1].status is None
    assert call("GET", "/setup/account").status == 200   # reconnects


@suite.test
def test_fault_scoped_to_endpoint_and_until_clear():
    act = create_account()
    P.spot.set_mode("http500", times=None, endpoint="generateExternalId")
    for _ in range(2):
        r = call("POST", "/setup/credentials/aws/externalId", query={"accountId": act})
        assert r.status == 500, r
    assert call("GET", "/setup/account").status == 200      # other endpoints pass
    assert P.spot.external_ids(act) == []                   # faulted calls did nothing
    P.spot.clear()
    external_id(act)
    assert len(P.spot.external_ids(act)) == 1
    try:
        P.spot.set_mode("http500", endpoint="createAcount")
        raise AssertionError("misspelt endpoint accepted")
    except ValueError:
        pass


@suite.test
def test_fault_after_processing_loses_the_answer():
    before = len(P.spot.accounts)
    P.spot.set_mode("reset", endpoint="createAccount", after=True)
    try:
        call("POST", "/setup/account", {"account": {"name": "lost-answer"}})
        raise AssertionError("reset fault answered")
    except (OSError, http.client.HTTPException):
        pass
    assert len(P.spot.accounts) == before + 1        # it was created anyway
    rec = P.spot.requests[-1]
    assert rec.fault == "reset" and rec.app_status == 200 and rec.status is None, rec


@suite.test
def test_fault_error_envelope():
    P.spot.set_mode("error", status=403, code="FORBIDDEN", message="org admin only",
                    field="token")
    assert_error(call("POST", "/setup/account", {"account": {"name": "x"}}),
                 403, "FORBIDDEN", field="token")


@suite.test
def test_stall_then_wait_for_sees_the_request():
    P.spot.set_mode("stall", endpoint="setCredentials", seconds=1.0)
    n = P.spot.count_endpoint("setCredentials")
    stalled = Client(P.spot, timeout=600)   # only the stall's end can end the call
    result = {}

    def run():
        t0 = time.monotonic()
        try:
            stalled.call("POST", "/setup/credentials/aws", {"credentials": {"iamRole": "x"}},
                         query={"accountId": "act-00000000"})
        except (OSError, http.client.HTTPException) as e:
            result["error"] = e
        result["took"] = time.monotonic() - t0

    t = threading.Thread(target=run)
    t.start()
    assert P.spot.wait_for("setCredentials", n + 1, timeout=30)
    assert P.spot.requests[-1].status is None        # arrived, not answered
    t.join(60)
    stalled.close()
    assert not t.is_alive(), "the stalled call never ended"
    # Dropped by the peer once the 1 s stall ended, not timed out here.
    assert "error" in result and not isinstance(result["error"], TimeoutError), result
    assert result["took"] > 0.8, result
    assert not P.spot.wait_for("deleteAccount", 10**6, timeout=0.1)


@suite.test
def test_parallel_clients():
    P.spot.reset()
    ids, errors = [], []

    def worker():
        c = Client(P.spot)
        try:
            for _ in range(5):
                r = c.call("POST", "/setup/account", {"account": {"name": "par"}})
                ids.append(r.items[0]["id"])
        except Exception as e:   # collected, asserted below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors, errors
    assert len(set(ids)) == 40 and len(P.spot.accounts) == 40
    assert P.spot.count_endpoint("createAccount") == 40


@suite.test
def test_reset_and_seeded_accounts():
    P.spot.set_mode("http500", times=None)
    P.spot.reset()
    assert P.spot.requests == [] and P.spot.accounts == {} and P.spot.pending == 0
    act = P.spot.add_account("seeded", aws_account_id="123456789012")
    items = list_accounts(cloudAccountId="123456789012")
    assert [i["accountId"] for i in items] == [act], items


# -- shutdown -----------------------------------------------------------------------------------------------

@suite.test
def test_stop_does_not_hang_on_a_stalled_request():
    # The stall and the client's timeout outlast the test: only stop()
    # can end the call.
    P.spot.set_mode("stall", seconds=600)
    stalled = Client(P.spot, timeout=600)
    t = threading.Thread(target=lambda: _swallow(stalled.call, "GET", "/setup/account"))
    t.start()
    assert P.spot.wait_for("listAccounts", P.spot.count_endpoint("listAccounts") + 1, 30)
    P.client.close()
    P.spot.stop()
    t.join(60)
    stalled.close()
    assert not t.is_alive(), "stop() did not end the stalled call"
    moto_proc = P.moto.proc
    P.moto.stop()
    assert moto_proc.poll() is not None
    left = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert not left, f"threads left: {left}"


def _swallow(fn, *args):
    try:
        fn(*args)
    except (OSError, http.client.HTTPException):
        pass


if __name__ == "__main__":
    harness.main(suite)
