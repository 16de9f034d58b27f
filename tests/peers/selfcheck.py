"""Self-check of every test peer: python3 tests/peers/selfcheck.py

Starts each peer, drives it with boto3/botocore, urllib, http.client and (if
installed) curl, and prints one ok/not ok line per check via harness.Suite.
"""

import os
import sys

# Run as a script, sys.path[0] is tests/peers, where our moto.py would shadow
# the real moto package: put tests/ and tests/integration first instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
_TESTS = os.path.dirname(_HERE)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path[:0] = [_TESTS, os.path.join(_TESTS, "integration")]

import contextlib  # noqa: E402
import http.client  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from botocore.parsers import ResponseParserError  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher  # noqa: E402

import harness  # noqa: E402
from peers.connect_proxy import ConnectProxy  # noqa: E402
from peers.faultproxy import FaultProxy  # noqa: E402
from peers.metadata import ContainerCredsServer, ImdsServer  # noqa: E402
from peers.sigv4_verifier import SigV4Verifier, sign_headers  # noqa: E402

suite = harness.Suite("peers-selfcheck")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
AKID, SECRET = "AKIDSELFCHECK0000001", "selfcheck/secret+key=0000000000000000000"


class Peers:
    """The peers shared by the checks below (started by the first check)."""
    moto = ca = proxy = verifier = imds = container = connect = None


P = Peers()


def client(service, url, akid, secret, token=None, region="us-east-1", verify=None,
           attempts=1, proxies=None):
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=region, verify=verify,
        aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts},
                      connect_timeout=2, read_timeout=5, proxies=proxies or {}))


def sts_via_proxy(**kw):
    return client("sts", P.proxy.url, P.moto.access_key_id, P.moto.secret_access_key,
                  verify=P.ca.ca_cert, **kw)


def error_code(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("call unexpectedly succeeded")


def need_curl():
    if not shutil.which("curl"):
        harness.skip("curl not installed")


# -- startup ----------------------------------------------------------------------

@suite.test
def test_start_all_peers():
    t0 = time.monotonic()
    P.ca = harness.ca()
    P.moto = harness.moto()
    P.proxy = FaultProxy(P.moto.url, tls=P.ca).start()
    P.verifier = SigV4Verifier({AKID: SECRET}).start()
    P.imds = ImdsServer().start()
    P.container = ContainerCredsServer().start()
    P.connect = ConnectProxy().start()
    # Each start() returns once its peer answers (moto is polled until
    # ready); how long that takes depends on the machine's load.
    harness.note(f"peers started in {time.monotonic() - t0:.1f}s")
    for peer in (P.proxy, P.verifier, P.imds, P.container, P.connect):
        assert peer.url.startswith(("http://127.0.0.1:", "https://127.0.0.1:")), peer.url


# -- moto ---------------------------------------------------------------------------

@suite.test
def test_moto_admin_keys_work_and_wrong_secret_is_rejected():
    ident = P.moto.boto3_client("sts").get_caller_identity()
    assert ident["Arn"].endswith(":user/admin"), ident["Arn"]
    assert P.moto.account_id == ident["Account"]
    bad = client("sts", P.moto.url, P.moto.access_key_id, "not-the-secret")
    assert error_code(bad.get_caller_identity) == ("SignatureDoesNotMatch", 403)
    unknown = client("sts", P.moto.url, "AKIAUNKNOWN000000000", "x")
    assert error_code(unknown.get_caller_identity)[0] == "InvalidClientTokenId"


@suite.test
def test_moto_has_aws_managed_policies():
    iam = P.moto.boto3_client("iam")
    arn = "arn:aws:iam::aws:policy/SecurityAudit"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn


@suite.test
def test_moto_temporary_credentials_accepted():
    creds = P.moto.temporary_credentials()
    sts = client("sts", P.moto.url, creds["AccessKeyId"], creds["SecretAccessKey"],
                 creds["SessionToken"])
    assert ":assumed-role/" in sts.get_caller_identity()["Arn"]


@suite.test
def test_moto_reset_wipes_state_and_rebootstraps():
    P.moto.create_user_keys("selfcheck-user")
    old_key = P.moto.access_key_id
    P.moto.reset()
    assert P.moto.access_key_id != old_key
    iam = P.moto.boto3_client("iam")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["admin"]
    stale = client("sts", P.moto.url, old_key, "whatever")
    assert error_code(stale.get_caller_identity)[0] == "InvalidClientTokenId"
    bad = client("sts", P.moto.url, P.moto.access_key_id, "not-the-secret")
    assert error_code(bad.get_caller_identity) == ("SignatureDoesNotMatch", 403)


# -- FaultProxy ------------------------------------------------------------------------

@suite.test
def test_faultproxy_pass_through_over_tls_keeps_host_header():
    before = P.proxy.count
    ident = sts_via_proxy().get_caller_identity()
    assert ident["Account"] == P.moto.account_id
    assert P.proxy.count == before + 1
    last = P.proxy.requests[-1]
    assert last.action == "GetCallerIdentity" and last.fault == "pass", last
    assert last.header("Host") == f"127.0.0.1:{P.proxy.port}", last.header("Host")
    assert last.tls and last.header("Authorization", "").startswith("AWS4-HMAC-SHA256")


@suite.test
def test_faultproxy_503_then_success():
    P.proxy.reset_log()
    P.proxy.set_mode("http503", times=1)
    sts = sts_via_proxy()
    try:
        sts.get_caller_identity()
        raise AssertionError("no error despite http503")
    except (botocore.exceptions.ClientError, ResponseParserError) as e:
        assert "503" in str(e) or "Service Unavailable" in str(e), e
    assert sts.get_caller_identity()["Account"] == P.moto.account_id
    assert [r.fault for r in P.proxy.requests] == ["http503", "pass"], P.proxy.requests
    assert P.proxy.count == 2 and P.proxy.pending == 0


@suite.test
def test_faultproxy_error_faults_give_real_aws_errors():
    P.proxy.set_plan(["throttle", "expired",
                      ("error", {"code": "AccessDenied", "status": 403, "message": "no"})])
    sts = sts_via_proxy()
    assert error_code(sts.get_caller_identity) == ("Throttling", 400)
    assert error_code(sts.get_caller_identity) == ("ExpiredToken", 403)
    assert error_code(sts.get_caller_identity) == ("AccessDenied", 403)
    sts.get_caller_identity()  # plan used up: passes again


@suite.test
def test_faultproxy_keep_alive_connection_survives_faults():
    # One connection, four requests: the proxy must frame every answer so
    # the client can reuse the socket (libcurl does).  GET reset-auth is a
    # small, harmless moto answer (400 "Need to POST").
    P.proxy.set_plan(["http503", "throttle", "malformed", "pass"])
    conn = http.client.HTTPSConnection("127.0.0.1", P.proxy.port,
                                       context=P.ca.client_context(), timeout=5)
    statuses, bodies = [], []
    for _ in range(4):
        conn.request("GET", "/moto-api/reset-auth")
        resp = conn.getresponse()
        statuses.append(resp.status)
        bodies.append(resp.read())
    sock_before = conn.sock
    conn.close()
    assert statuses == [503, 400, 200, 400], statuses
    assert b"<Code>Throttling</Code>" in bodies[1]
    assert bodies[2].startswith(b"<?xml") and not bodies[2].rstrip().endswith(b">"), bodies[2]
    assert sock_before is not None
    assert json.loads(bodies[3]) is not None


@suite.test
def test_faultproxy_reset_sends_rst():
    P.proxy.set_mode("reset")
    conn = http.client.HTTPSConnection("127.0.0.1", P.proxy.port,
                                       context=P.ca.client_context(), timeout=5)
    try:
        conn.request("POST", "/", body="Action=GetCallerIdentity&Version=2011-06-15")
        conn.getresponse()
        raise AssertionError("got a response despite 'reset'")
    except (ConnectionResetError, ssl.SSLError) as e:
        assert "RESET" in str(e).upper() or isinstance(e, ConnectionResetError), e
    finally:
        conn.close()
    assert P.proxy.requests[-1].fault == "reset"


@suite.test
def test_faultproxy_stall_times_out_client_and_does_not_block_stop():
    # The stall outlasts the test: the client's read timeout ends the
    # request, and stop() ends the stalled handler (none is left alive).
    with FaultProxy(P.moto.url, tls=P.ca, stall_seconds=600) as proxy:
        proxy.set_mode("stall", times=None)
        try:
            sts = boto3.session.Session().client(
                "sts", endpoint_url=proxy.url, region_name="us-east-1", verify=P.ca.ca_cert,
                aws_access_key_id=P.moto.access_key_id,
                aws_secret_access_key=P.moto.secret_access_key,
                config=Config(read_timeout=0.5, connect_timeout=1, proxies={},
                              retries={"total_max_attempts": 1}))
            sts.get_caller_identity()
            raise AssertionError("stalled request got an answer")
        except botocore.exceptions.ReadTimeoutError:
            pass
        server = proxy._server
    with server._lock:
        workers = list(server._workers)
    left = [t.name for t in workers if t.is_alive()]
    assert not left, f"stop() left stalled handlers running: {left}"


@suite.test
def test_faultproxy_fault_restricted_to_one_action():
    P.proxy.clear()
    iam = client("iam", P.proxy.url, P.moto.access_key_id, P.moto.secret_access_key,
                 verify=P.ca.ca_cert)
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="selfcheck-policy", PolicyDocument=doc)["Policy"]["Arn"]
    P.proxy.set_mode("http500", times=1, action="CreatePolicyVersion")
    iam.get_policy(PolicyArn=arn)                     # other actions pass, plan untouched
    assert P.proxy.pending == 1
    try:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc)
        raise AssertionError("no error despite http500")
    except (botocore.exceptions.ClientError, ResponseParserError) as e:
        assert "Internal Server Error" in str(e) or "500" in str(e), e
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=True)
    assert P.proxy.count_action("CreatePolicyVersion") == 2


@suite.test
def test_faultproxy_tls_with_wrong_ca_fails():
    failures = P.proxy.tls_failures
    sts = client("sts", P.proxy.url, "x", "y", verify=P.ca.wrong_ca)
    try:
        sts.get_caller_identity()
        raise AssertionError("TLS with the wrong CA succeeded")
    except botocore.exceptions.SSLError:
        pass
    deadline = time.monotonic() + 30 * harness.timeout_factor()
    while P.proxy.tls_failures == failures and time.monotonic() < deadline:
        time.sleep(0.01)
    assert P.proxy.tls_failures > failures


@suite.test
def test_faultproxy_curl_reuses_one_connection():
    need_curl()
    P.proxy.set_plan(["http500"])
    url = P.proxy.url + "/moto-api/reset-auth"
    out = subprocess.run(["curl", "-sS", "--noproxy", "*", "--cacert", P.ca.ca_cert,
                          "-w", "%{http_code} %{num_connects}\\n",
                          "-o", "/dev/null", url, "-o", "/dev/null", url,
                          "-o", "/dev/null", url], capture_output=True, text=True, timeout=20)
    lines = out.stdout.split()
    assert lines == ["500", "1", "400", "0", "400", "0"], (lines, out.stderr)


# -- SigV4Verifier ---------------------------------------------------------------------

def _check_region(region, partition):
    sts = client("sts", P.verifier.url, AKID, SECRET, region=region)
    arn = sts.get_caller_identity()["Arn"]
    assert arn.startswith(f"arn:{partition}:iam::"), arn
    iam = client("iam", P.verifier.url, AKID, SECRET, region=region)
    role = iam.get_role(RoleName="demo-role")["Role"]
    assert role["Arn"] == f"arn:{partition}:iam::123456789012:role/demo-role", role["Arn"]
    seen = P.verifier.seen[-2:]
    assert [(s.service, s.region, s.action, s.verified) for s in seen] == [
        ("sts", region, "GetCallerIdentity", True), ("iam", region, "GetRole", True)], seen
    assert "host" in seen[0].signed_headers and "x-amz-date" in seen[0].signed_headers


for _region, _partition in (("us-east-1", "aws"), ("cn-north-1", "aws-cn"),
                            ("us-gov-west-1", "aws-us-gov")):
    suite.add(f"verifier accepts botocore signature for {_region}", _check_region,
              _region, _partition)


@suite.test
def test_verifier_rejects_wrong_secret_and_unknown_key():
    bad = client("sts", P.verifier.url, AKID, SECRET + "x")
    assert error_code(bad.get_caller_identity) == ("SignatureDoesNotMatch", 403)
    assert P.verifier.seen[-1].verified is False
    assert P.verifier.seen[-1].error == "SignatureDoesNotMatch"
    unknown = client("sts", P.verifier.url, "AKIDUNKNOWN", SECRET)
    assert error_code(unknown.get_caller_identity) == ("InvalidClientTokenId", 403)


@suite.test
def test_verifier_session_token_and_generic_action():
    P.verifier.add_key("ASIASELFCHECK0000001", "tmp-secret", "the-token")
    iam = client("iam", P.verifier.url, "ASIASELFCHECK0000001", "tmp-secret", "the-token")
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    seen = P.verifier.seen[-1]
    assert seen.verified and "x-amz-security-token" in seen.signed_headers, seen.signed_headers
    wrong = client("iam", P.verifier.url, "ASIASELFCHECK0000001", "tmp-secret", "other")
    assert error_code(lambda: wrong.get_role(RoleName="r"))[0] == "InvalidClientTokenId"


@suite.test
def test_verifier_rejects_skewed_clock():
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    headers = sign_headers("POST", P.verifier.url + "/", body, AKID, SECRET, "us-east-1", "sts",
                           amz_date="20200101T000000Z")
    conn = http.client.HTTPConnection("127.0.0.1", P.verifier.port, timeout=5)
    conn.request("POST", "/", body=body, headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode()
    conn.close()
    assert resp.status == 403 and "Signature expired: 20200101T000000Z" in text, text
    seen = P.verifier.seen[-1]
    assert seen.signature_ok and not seen.verified and seen.error == "SignatureDoesNotMatch"


@suite.test
def test_verifier_accepts_curl_aws_sigv4():
    need_curl()
    out = subprocess.run(
        ["curl", "-sS", "--noproxy", "*", "--aws-sigv4", "aws:amz:cn-north-1:sts",
         "--user", f"{AKID}:{SECRET}", "-H", "Content-Type: application/x-www-form-urlencoded",
         "-d", "Action=GetCallerIdentity&Version=2011-06-15", P.verifier.url + "/"],
        capture_output=True, text=True, timeout=20)
    assert "arn:aws-cn:iam::" in out.stdout, out.stdout + out.stderr
    assert P.verifier.seen[-1].verified


# -- IMDS / container ---------------------------------------------------------------------

def _http(method, url, headers=None, opener=NO_PROXY):
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@suite.test
def test_imds_v2_token_flow():
    imds = P.imds
    base = imds.url + "/latest/meta-data/iam/security-credentials/"
    assert _http("GET", base)[0] == 401
    assert _http("PUT", imds.url + "/latest/api/token")[0] == 400   # no TTL header
    status, token = _http("PUT", imds.url + "/latest/api/token",
                          {"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
    assert status == 200 and token
    hdr = {"X-aws-ec2-metadata-token": token}
    assert _http("GET", base, {"X-aws-ec2-metadata-token": "bogus"})[0] == 401
    assert _http("GET", base, hdr) == (200, "spot-test-role")
    status, body = _http("GET", base + "spot-test-role", hdr)
    creds = json.loads(body)
    assert creds["Code"] == "Success" and creds["AccessKeyId"] == imds.access_key_id
    assert {"SecretAccessKey", "Token", "Expiration"} <= creds.keys()
    assert imds.token_puts == 2 and imds.credential_gets == 1 and imds.ttl_seen == [None, "21600"]


@suite.test
def test_imds_serves_moto_credentials_to_botocore():
    P.imds.set_credentials_dict(P.moto.temporary_credentials())
    fetched = InstanceMetadataFetcher(timeout=2, num_attempts=1,
                                      base_url=P.imds.url).retrieve_iam_role_credentials()
    assert fetched["access_key"] == P.imds.access_key_id, fetched
    sts = client("sts", P.moto.url, fetched["access_key"], fetched["secret_key"], fetched["token"])
    assert ":assumed-role/" in sts.get_caller_identity()["Arn"]


@suite.test
def test_container_endpoint_requires_authorization():
    c = P.container
    assert _http("GET", c.full_uri)[0] == 401
    assert _http("GET", c.full_uri, {"Authorization": "wrong"})[0] == 401
    fetched = ContainerMetadataFetcher().retrieve_full_uri(
        c.full_uri, headers={"Authorization": c.auth_token})
    assert fetched["AccessKeyId"] == c.access_key_id and fetched["RoleArn"] == c.role_arn
    assert c.calls == 3 and c.authorized_calls == 1, (c.calls, c.authorized_calls)


# -- CONNECT proxy -----------------------------------------------------------------------

@suite.test
def test_connect_proxy_tunnels_https():
    sts = client("sts", P.proxy.url, P.moto.access_key_id, P.moto.secret_access_key,
                 verify=P.ca.ca_cert, proxies={"https": P.connect.url})
    assert sts.get_caller_identity()["Account"] == P.moto.account_id
    assert P.connect.tunnel_count == 1
    assert P.connect.tunnels == [f"127.0.0.1:{P.proxy.port}"], P.connect.tunnels


@suite.test
def test_connect_proxy_refuses_non_loopback_and_forwards_plain_http():
    with socket.create_connection(("127.0.0.1", P.connect.port), timeout=5) as s:
        s.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 403"), "non-loopback CONNECT not refused"
    via = urllib.request.build_opener(urllib.request.ProxyHandler({"http": P.connect.url}))
    status, _ = _http("GET", P.imds.url + "/latest/meta-data/", opener=via)
    assert status == 401 and P.connect.forwarded, P.connect.forwarded


@suite.test
def test_connect_proxy_curl_https_proxy():
    need_curl()
    out = subprocess.run(["curl", "-sS", "--cacert", P.ca.ca_cert, "-o", "/dev/null",
                          "-w", "%{http_code}", P.proxy.url + "/moto-api/reset-auth"],
                         env={"PATH": os.environ["PATH"], "HTTPS_PROXY": P.connect.url},
                         capture_output=True, text=True, timeout=20)
    assert out.stdout == "400", out.stdout + out.stderr
    assert P.connect.tunnel_count == 2


# -- harness itself -----------------------------------------------------------------------

@suite.test
def test_harness_suite_output_and_isolation():
    inner = harness.Suite("inner")
    inner.add("passes", lambda: None)
    inner.add("bare assert", lambda: exec("assert 1 == 2"))
    inner.add("raises", lambda: {}["missing"])
    inner.add("exits", lambda: sys.exit(3))
    inner.add("skipped", lambda: harness.skip("no reason"))
    inner.add("prints", lambda: print("chatter"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = inner.run()
    lines = out.getvalue().splitlines()
    assert code == 1
    assert lines[0] == "ok - inner: passes"
    assert lines[1].startswith("not ok - inner: bare assert: assertion failed"), lines[1]
    assert lines[2] == "not ok - inner: raises: KeyError: 'missing'", lines[2]
    assert lines[3] == "not ok - inner: exits: SystemExit: 3", lines[3]
    assert lines[4] == "ok - inner: skipped # skip no reason"
    assert lines[5] == "ok - inner: prints", lines[5]
    assert len(lines) == 6 and "Traceback" in err.getvalue() and "chatter" in err.getvalue()


@suite.test
def test_harness_assert_no_secrets_names_label_not_value():
    try:
        harness.assert_no_secrets({"stderr": "oops AKSECRETVALUE123 leaked"},
                                  {"secret access key": "AKSECRETVALUE123"})
    except AssertionError as e:
        assert "secret access key appeared in stderr" in str(e), str(e)
        assert "AKSECRETVALUE123" not in str(e)
    else:
        raise AssertionError("leak not detected")
    harness.assert_no_secrets(["clean"], ["AKSECRETVALUE123"])


@contextlib.contextmanager
def _env(**values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@suite.test
def test_harness_run_binary_clean_environment():
    with _env(SC_BINARY="/usr/bin/env", SC_BINARY_WRAPPER=None,
              AWS_SECRET_ACCESS_KEY="parent-secret", AWS_PROFILE="parent"):
        r = harness.run_binary([], env={"FOO": "bar"})
    names = {line.split("=", 1)[0] for line in r.stdout.splitlines()}
    assert r.code == 0 and names == {"PATH", "LANG", "HOME", "FOO"}, names
    assert "LANG=C.UTF-8" in r.stdout and f"HOME={r.home}" in r.stdout
    harness.assert_no_secrets(r, {"parent AWS secret": "parent-secret"})


@suite.test
def test_harness_run_binary_timeout_kills():
    with _env(SC_BINARY="/bin/sleep", SC_BINARY_WRAPPER=None, SC_TIMEOUT_FACTOR=None):
        t0 = time.monotonic()
        try:
            harness.run_binary(["300"], timeout=0.5)
            raise AssertionError("no timeout")
        except harness.BinaryTimeout:
            pass
    # Killed, not waited for: far sooner than sleep's own end.
    assert time.monotonic() - t0 < 100


@suite.test
def test_harness_write_file_mode():
    d = harness.tempdir()
    path = harness.write_file(os.path.join(d, "a", "b.txt"), "x")
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    harness.write_file(path, "y", mode=0o644)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644) and open(path).read() == "y"


# -- shutdown -------------------------------------------------------------------------------

@suite.test
def test_everything_stops_cleanly():
    t0 = time.monotonic()
    for peer in (P.proxy, P.verifier, P.imds, P.container, P.connect):
        peer.stop()
    moto_proc = P.moto.proc
    P.moto.stop()
    assert moto_proc.poll() is not None, "moto still running"
    harness.note(f"peers stopped in {time.monotonic() - t0:.1f}s")
    left = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert not left, f"threads left: {left}"


if __name__ == "__main__":
    harness.main(suite)
