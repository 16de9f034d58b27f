"""The Spot API client over HTTPS against FakeSpot, through spot_call:
headers and where the token goes, the envelope, which failures are
repeated (and which calls are never repeated blindly), and the call log."""

import itertools
import json
import os

import harness
from common import run_tool
from peers import fakespot
from peers.fakespot import FakeSpot

suite = harness.Suite("spot_client")
TOKEN = "sc-spot-client-token-7f3a9c"

_peers = {}


def spot():
    if "spot" not in _peers:
        _peers["spot"] = FakeSpot(token=TOKEN, tls=harness.ca()).start()
    return _peers["spot"]


@suite.before_each
def _fresh():
    if "spot" in _peers:
        _peers["spot"].reset()
        _peers["spot"].token = TOKEN


class Call:
    """spot_call's JSON line (.out: the last call's; .outs: one a call), its
    log lines (.log) and the process."""

    def __init__(self, proc):
        self.proc = proc
        lines = proc.stdout.strip().splitlines()
        assert lines, f"no output\n{proc.stderr}"
        self.outs = [json.loads(line) for line in lines]
        self.out = self.outs[-1]
        self.log = [json.loads(line[len("spot-log "):]) for line in proc.stderr.splitlines()
                    if line.startswith("spot-log ")]

    def __getitem__(self, key):
        return self.out[key]

    def describe(self):
        return f"{self.out}\n--- stderr:\n{self.proc.stderr}"


def call(*args, token=TOKEN, endpoint=None, **env):
    e = {"SPOTINST_TOKEN": token,
         "SPOT_CONNECT_SPOT_ENDPOINT": endpoint or spot().url,
         "SPOT_CONNECT_CA_BUNDLE": harness.ca().ca_cert}
    e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    c = Call(run_tool("spot_call", list(args), e))
    harness.assert_no_secrets({"stdout": c.proc.stdout, "stderr": c.proc.stderr},
                              {"token": token})
    return c


def ok(c):
    assert c["status"] == "ok", c.describe()
    return c["result"]


def failed(c, status, attempts=None):
    assert c["status"] == status, c.describe()
    if attempts is not None:
        assert c["attempts"] == attempts, c.describe()
    return c


# -- requests as sent ----------------------------------------------------------------

@suite.test
def test_headers_and_token_only_in_authorization():
    s = spot()
    s.add_account("seeded")
    ok(call("listAccounts"))
    r = s.requests[-1]
    assert r.header("authorization") == f"Bearer {TOKEN}", r.headers
    assert r.header("content-type") == "application/json", r.headers
    assert r.header("accept") == "application/json", r.headers
    assert r.header("user-agent", "").startswith("spot-connect/"), r.headers
    assert r.path == "/setup/account" and r.query == {}, r
    assert s.token_leaks == [], s.token_leaks


@suite.test
def test_list_accounts_parses_items():
    s = spot()
    plain = s.add_account("plain")
    linked = s.add_account("linked", aws_account_id="012345678901")
    c = call("listAccounts")
    by_id = {a["id"]: a for a in ok(c)}
    assert set(by_id) == {plain, linked}, c.describe()
    # FakeSpot sends organizationId as a number on list: kept as text.
    assert by_id[plain]["organizationId"] == fakespot.ORG_ID, c.describe()
    assert by_id[plain]["providerExternalId"] is None, c.describe()
    assert by_id[linked]["providerExternalId"] == "012345678901", c.describe()
    assert by_id[linked]["cloudProvider"] == "AWS", c.describe()
    assert c["http"] == 200 and c["attempts"] == 1 and c["request_id"], c.describe()
    assert c["request_id"] == s.requests[-1].request_id, c.describe()


@suite.test
def test_list_filtered_by_cloud_account():
    s = spot()
    s.add_account("a")
    linked = s.add_account("b", aws_account_id="210987654321")
    c = call("listAccounts", "210987654321")
    assert [a["id"] for a in ok(c)] == [linked], c.describe()
    assert s.requests[-1].query == {"cloudAccountId": "210987654321"}


@suite.test
def test_create_generate_read_delete():
    s = spot()
    created = ok(call("createAccount", "my aws prod"))
    act = created["id"]
    assert act.startswith("act-") and created["name"] == "my aws prod", created
    assert created["organizationId"] == fakespot.ORG_ID, created
    assert s.requests[-1].json == {"account": {"name": "my aws prod"}}, s.requests[-1].body
    ext = ok(call("generateExternalId", act))
    assert ext == s.external_ids(act)[-1], (ext, s.external_ids(act))
    assert s.requests[-1].query == {"accountId": act} and s.requests[-1].body == b""
    assert ok(call("readCredentials", act)) is None
    assert ok(call("deleteAccount", act)) is None
    assert s.requests[-1].method == "DELETE" and s.requests[-1].path == f"/setup/account/{act}"
    assert act not in s.accounts
    assert s.token_leaks == [], s.token_leaks


@suite.test
def test_trailing_slash_and_encoded_account_id():
    s = spot()
    c = call("generateExternalId", "act-x y&z=1", endpoint=spot().url + "/")
    failed(c, "Spot API error", attempts=1)
    r = s.requests[-1]
    assert r.path == "/setup/credentials/aws/externalId", r
    assert r.query == {"accountId": "act-x y&z=1"}, r.query
    assert c["code"] == "Account_DOESNT_EXIST" and c["http"] == 400, c.describe()
    assert c["request_id"] == r.request_id, c.describe()


@suite.test
def test_token_from_credentials_file():
    home = harness.tempdir("spot-home-")
    path = harness.write_file(f"{home}/creds", f"[work]\ntoken = {TOKEN}\naccount = act-1\n")
    c = call("listAccounts", token=None, SPOTINST_SHARED_CREDENTIALS_FILE=path,
             SPOTINST_PROFILE="work")
    ok(c)
    assert c["token_source"] == f"{path} [work]", c.describe()
    assert spot().requests[-1].header("authorization") == f"Bearer {TOKEN}"


@suite.test
def test_deep_json_credentials_file_is_refused():
    # 600 KB of nested brackets overflowed the stack in yajl's free.
    home = harness.tempdir("spot-home-")
    path = harness.write_file(f"{home}/creds", '{"token": "x", "a": ' + "[" * 600_000)
    c = call("listAccounts", token=None, SPOTINST_SHARED_CREDENTIALS_FILE=path)
    assert c.proc.returncode >= 0, c.describe()
    assert c["status"] == "configuration error", c.describe()
    assert "nested more than 64 levels" in c["message"], c.describe()


# -- errors -----------------------------------------------------------------------------

@suite.test
def test_deeply_nested_answer_is_refused():
    # Any Spot call crashed on 600 KB of `[` (yajl recursion).
    spot().set_mode("body", times=None, status=200, body="[" * 600_000)
    c = call("listAccounts")
    assert c.proc.returncode >= 0, c.describe()
    failed(c, "unreadable answer")
    assert "nested more than 64 levels" in c["message"], c.describe()


@suite.test
def test_rejected_token_names_the_fix():
    c = failed(call("listAccounts", token="not-the-right-token"), "Spot API error", attempts=1)
    assert c["http"] == 401 and c["code"] == "UNAUTHORIZED", c.describe()
    assert "organization-admin" in c["message"] and "token" in c["message"], c.describe()
    assert spot().count_endpoint(fakespot.LIST_ACCOUNTS) == 1


@suite.test
def test_error_with_field_is_not_repeated():
    s = spot()
    s.set_mode("error", status=400, code="VALIDATION_ERROR", message="name is bad", field="name")
    c = failed(call("listAccounts"), "Spot API error", attempts=1)
    assert c["code"] == "VALIDATION_ERROR", c.describe()
    assert c["message"] == "name is bad (field name)", c.describe()
    assert c["request_id"] == s.requests[-1].request_id, c.describe()


@suite.test
def test_set_credentials_error_envelope():
    act = spot().add_account("no-external-id")
    c = failed(call("setCredentials", act, "arn:aws:iam::123456789012:role/x"),
               "Spot API error", attempts=1)
    assert c["code"] == fakespot.ERR_NO_EXTERNAL_ID and c["http"] == 400, c.describe()


@suite.test
def test_wrong_ca_is_a_tls_error():
    c = failed(call("listAccounts", SPOT_CONNECT_CA_BUNDLE=harness.ca().wrong_ca), "TLS error",
               attempts=1)
    assert c["http"] == 0, c.describe()


@suite.test
def test_html_502_on_a_read_is_repeated():
    s = spot()
    s.set_mode("http502_html")
    c = call("listAccounts")
    ok(c)
    assert c["attempts"] == 2, c.describe()
    assert c.log[0]["http"] == 502 and c.log[0]["error"] == "HTTP 502", c.log


# -- what is repeated -----------------------------------------------------------------------

@suite.test
def test_reads_repeat_on_5xx_and_log_every_attempt():
    s = spot()
    s.set_mode("http500", times=2)
    c = call("listAccounts")
    ok(c)
    assert c["attempts"] == 3 and s.count_endpoint(fakespot.LIST_ACCOUNTS) == 3, c.describe()
    assert [e["attempt"] for e in c.log] == [1, 2, 3], c.log
    for e in c.log:
        assert e["service"] == "spot" and e["action"] == "listAccounts", e
        assert e["method"] == "GET" and e["url"] == s.url + "/setup/account", e
    assert [e["http"] for e in c.log] == [500, 500, 200], c.log
    assert [e["error"] for e in c.log] == [fakespot.ERR_INTERNAL] * 2 + [None], c.log
    assert c.log[2]["request_id"] == s.requests[-1].request_id, c.log


@suite.test
def test_attempts_are_bounded():
    s = spot()
    s.set_mode("http500", times=None)
    c = failed(call("readCredentials", "act-1"), "Spot API error", attempts=3)
    assert c["code"] == fakespot.ERR_INTERNAL and c["http"] == 500, c.describe()
    assert s.count_endpoint(fakespot.READ_CREDENTIALS) == 3
    s.reset()
    s.set_mode("http500", times=None)
    failed(call("listAccounts", SPOT_CALL_MAX_ATTEMPTS="5"), "Spot API error", attempts=5)


@suite.test
def test_create_not_repeated_after_a_lost_answer():
    s = spot()
    s.set_plan([("reset", {"after": True})])
    c = failed(call("createAccount", "lost"), "connection failed", attempts=1)
    assert "not repeated" in c["message"], c.describe()
    # The account exists: a blind repeat would have made a second one.
    assert len(s.accounts) == 1 and s.count_endpoint(fakespot.CREATE_ACCOUNT) == 1


@suite.test
def test_create_not_repeated_on_500():
    s = spot()
    s.set_mode("http500", endpoint=fakespot.CREATE_ACCOUNT, times=None)
    c = failed(call("createAccount", "five hundred"), "Spot API error", attempts=1)
    assert "not repeated" in c["message"], c.describe()
    assert s.count_endpoint(fakespot.CREATE_ACCOUNT) == 1


@suite.test
def test_create_not_repeated_after_a_timeout():
    s = spot()
    s.set_mode("stall", endpoint=fakespot.CREATE_ACCOUNT, seconds=5)
    c = failed(call("createAccount", "slow", SPOT_CALL_TIMEOUT_MS="1000"), "timed out",
               attempts=1)
    assert s.count_endpoint(fakespot.CREATE_ACCOUNT) == 1, c.describe()


@suite.test
def test_create_repeated_on_429_and_503():
    s = spot()
    s.set_plan(["http429", ("error", {"status": 503, "code": "SERVICE_UNAVAILABLE"})])
    c = call("createAccount", "throttled")
    ok(c)
    assert c["attempts"] == 3, c.describe()
    assert [e["http"] for e in c.log] == [429, 503, 200], c.log
    assert len(s.accounts) == 1, s.accounts


@suite.test
def test_create_repeated_when_it_never_arrived():
    # A port nobody listens on: connect fails, so repeating is safe.
    closed = FakeSpot(token=TOKEN, tls=harness.ca()).start()
    url = closed.url
    closed.stop()
    c = failed(call("createAccount", "nowhere", endpoint=url), "could not connect", attempts=3)
    assert [e["attempt"] for e in c.log] == [1, 2, 3] and c.log[0]["http"] == 0, c.log
    assert {e["transport"] for e in c.log} == {"conn=none"}, c.log


@suite.test
def test_external_id_not_repeated_after_a_lost_answer():
    s = spot()
    act = s.add_account("ext")
    s.set_plan([("reset", {"after": True, "endpoint": fakespot.GENERATE_EXTERNAL_ID})])
    c = failed(call("generateExternalId", act), "connection failed", attempts=1)
    assert "new external ID" in c["message"], c.describe()
    assert len(s.external_ids(act)) == 1
    s.set_mode("http502_html", endpoint=fakespot.GENERATE_EXTERNAL_ID)
    failed(call("generateExternalId", act), "Spot API error", attempts=1)
    assert len(s.external_ids(act)) == 1


@suite.test
def test_reads_and_delete_repeat_after_a_reset():
    s = spot()
    act = s.add_account("gone soon")
    s.set_plan([("reset", {"endpoint": fakespot.READ_CREDENTIALS})])
    c = call("readCredentials", act)
    assert ok(c) is None and c["attempts"] == 2, c.describe()
    # The first delete worked but its answer was lost; the repeat finds
    # the account gone, which is the outcome asked for.
    s.set_plan([("reset", {"after": True, "endpoint": fakespot.DELETE_ACCOUNT})])
    c = call("deleteAccount", act)
    ok(c)
    assert c["attempts"] == 2 and act not in s.accounts, c.describe()
    assert c.log[1]["error"] == fakespot.ERR_ACCOUNT_NOT_FOUND, c.log


@suite.test
def test_delete_of_an_unknown_account_fails():
    c = failed(call("deleteAccount", "act-unknown"), "Spot API error", attempts=1)
    assert c["code"] == fakespot.ERR_ACCOUNT_NOT_FOUND, c.describe()


@suite.test
def test_retry_after_is_honoured():
    s = spot()
    s.set_plan([("http429", {"retry_after": 2})])
    c = call("listAccounts")
    ok(c)
    assert c["attempts"] == 2, c.describe()
    gap = s.requests[1].time - s.requests[0].time
    assert gap >= 1.9, f"second attempt {gap:.2f}s after the 429 with Retry-After: 2"


# -- setCredentials against IAM (moto) ---------------------------------------------------

def _make_role(moto, ext_id, name):
    iam = moto.boto3_client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": fakespot.SPOT_PRINCIPAL},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": ext_id}}}]}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:RunInstances"], "Resource": "*"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    pol = iam.create_policy(PolicyName=name + "-policy",
                            PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=pol)
    return arn


_roles = itertools.count(1)


@suite.test
def test_set_credentials_connects_and_is_repeated_after_a_reset():
    moto = harness.moto()
    with FakeSpot(moto_url=moto, token=TOKEN, tls=harness.ca()) as s:
        act = s.add_account("to connect")
        ext = ok(call("generateExternalId", act, endpoint=s.url))
        arn = _make_role(moto, ext, f"SpotRole-client-{os.getpid()}-{next(_roles)}")
        s.set_plan([("reset", {"after": True, "endpoint": fakespot.SET_CREDENTIALS})])
        c = call("setCredentials", act, arn, endpoint=s.url)
        assert ok(c) is None and c["attempts"] == 2, c.describe()
        assert s.requests[-1].json == {"credentials": {"iamRole": arn}}, s.requests[-1].body
        assert [e["action"] for e in c.log] == ["setCredentials"] * 2, c.log
        assert ok(call("readCredentials", act, endpoint=s.url)) == arn
        aws_account = arn.split(":")[4]
        found = ok(call("listAccounts", aws_account, endpoint=s.url))
        assert [a["id"] for a in found] == [act], found
        assert found[0]["providerExternalId"] == aws_account, found
        assert s.token_leaks == [], s.token_leaks


@suite.test
def test_every_action_is_logged_by_name():
    s = spot()
    act = s.add_account("log")
    names = []
    for args in (["listAccounts"], ["createAccount", "n"], ["generateExternalId", act],
                 ["setCredentials", act, "not-an-arn"], ["readCredentials", act],
                 ["deleteAccount", act]):
        c = call(*args)
        assert len(c.log) == 1, c.describe()
        names.append(c.log[0]["action"])
        assert TOKEN not in json.dumps(c.log), c.log
    assert names == ["listAccounts", "createAccount", "generateExternalId", "setCredentials",
                     "readCredentials", "deleteAccount"], names


@suite.test
def test_usage_and_missing_token():
    c = Call(run_tool("spot_call", ["bogus"], {"SPOTINST_TOKEN": TOKEN}))
    assert c.proc.returncode == 2 and c["status"] == "usage error", c.describe()
    c = call("listAccounts", token=None)
    failed(c, "invalid input", attempts=0)
    assert "token" in c["message"] and spot().requests == [], c.describe()


# -- connections: kept alive, also for calls that must not repeat ---------------------

def connections(s):
    """The requests as (endpoint, client port): one port per TCP connection."""
    return [(r.endpoint, r.client[1]) for r in s.requests]


@suite.test
def test_once_only_call_reuses_the_kept_alive_connection():
    s = spot()
    c = call("listAccounts", "--", "createAccount", "reused")
    assert [o["status"] for o in c.outs] == ["ok", "ok"], c.describe()
    assert len(s.requests) == 2 and len({p for _, p in connections(s)}) == 1, connections(s)
    assert c.log[0]["transport"].startswith("conn=new tls=full connect="), c.log
    assert c.log[1]["transport"] == "conn=reused", c.log


@suite.test
def test_once_only_call_is_not_resent_when_its_kept_alive_connection_closes():
    # Spot reads createAccount on the connection listAccounts left open, makes
    # the account and closes without answering, as a server closing an idle
    # connection. libcurl by itself resends such a request on a new
    # connection; for a call that must not arrive twice that is refused.
    s = spot()
    s.set_plan([("close", {"endpoint": fakespot.CREATE_ACCOUNT, "after": True})])
    c = call("listAccounts", "--", "createAccount", "closed")
    assert c.outs[0]["status"] == "ok", c.describe()
    failed(c, "connection failed", attempts=1)
    assert "closed before an answer" in c["message"], c.describe()
    assert "not repeated" in c["message"], c.describe()
    assert s.count_endpoint(fakespot.CREATE_ACCOUNT) == 1, connections(s)
    assert len(s.accounts) == 1, s.accounts
    assert len({p for _, p in connections(s)}) == 1, connections(s)
    assert c.log[-1]["transport"] == "conn=reused", c.log


@suite.test
def test_read_is_resent_when_its_kept_alive_connection_closes_and_resumes_tls():
    # The same close under a read: libcurl's own resend on a new connection
    # is safe, and that second connection resumes the first one's TLS session.
    s = spot()
    s.set_plan(["pass", "close"])
    c = call("listAccounts", "--", "listAccounts")
    assert [o["status"] for o in c.outs] == ["ok", "ok"], c.describe()
    assert c["attempts"] == 1, c.describe()
    ports = [p for _, p in connections(s)]
    assert len(ports) == 3 and ports[0] == ports[1] != ports[2], connections(s)
    assert [r.tls_resumed for r in s.requests] == [False, False, True], connections(s)
    assert {r.tls_version for r in s.requests} == {"TLSv1.3"}, [r.tls_version for r in s.requests]
    assert c.log[0]["transport"].startswith("conn=new tls=full "), c.log
    assert c.log[1]["transport"].startswith("conn=new tls=resumed connect="), c.log


def _stop_peers():
    for p in _peers.values():
        p.stop()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        _stop_peers()
