"""Retries, timeouts and clear messages, with a TLS fault proxy (test CA made
at test time) between the program and moto."""

import time

import harness
from common import aws_call, moto_env
from peers.faultproxy import FaultProxy

suite = harness.Suite("faults")
_proxy = None
POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
          '"Action":"ec2:Describe*","Resource":"*"}]}')


def proxy():
    global _proxy
    if _proxy is None:
        _proxy = FaultProxy(harness.moto().url, tls=harness.ca(), stall_seconds=30).start()
    return _proxy


@suite.before_each
def fresh_proxy():
    if _proxy is not None:
        _proxy.clear()
        _proxy.reset_log()


def env(**extra):
    return moto_env(AWS_ENDPOINT_URL=proxy().url, AWS_CA_BUNDLE=harness.ca().ca_cert, **extra)


def whoami(**extra):
    r = harness.run_binary(["whoami"], env=env(**extra))
    harness.assert_no_secrets(r, {"secret key": harness.moto().secret_access_key})
    return r


@suite.test
def test_passes_through_tls_proxy():
    r = whoami()
    assert r.code == 0, r.describe()
    assert proxy().count == 1


def recovers_after(fault):
    proxy().set_mode(fault, times=1)
    r = whoami()
    assert r.code == 0, r.describe()
    assert proxy().count == 2, f"{proxy().count} requests"


for fault in ("http500", "http503", "throttle", "reset", "malformed", "expired"):
    suite.add(f"one {fault} then success", recovers_after, fault)


def gives_up_after_attempts(fault, attempts, expect):
    proxy().set_mode(fault, times=None)
    extra = {"AWS_MAX_ATTEMPTS": str(attempts)} if attempts != 3 else {}
    r = whoami(**extra)
    assert r.code == 1, r.describe()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], r.describe()
    assert f"{attempts} attempts" in lines[0], r.describe()
    assert proxy().count == attempts, f"{proxy().count} requests, wanted {attempts}"
    harness.note(f"{fault}: gave up after {attempts} attempts in {r.seconds:.1f}s")


for fault, attempts, expect in [
    ("http503", 3, "HTTP 503"),
    ("http500", 3, "HTTP 500"),
    ("throttle", 3, "Throttling"),
    ("throttle", 5, "Throttling"),
    ("reset", 3, "connection"),
    ("malformed", 3, "malformed XML"),
]:
    suite.add(f"{fault} always: {attempts} attempts and a clear line", gives_up_after_attempts,
              fault, attempts, expect)


@suite.test
def test_stall_past_timeout_is_bounded():
    # The stall outlasts the test; each attempt is ended by --timeout 1 (the
    # message names it), and the run ends before the program's default
    # 30 s timeout could have ended even one attempt: an ordering, so a
    # loaded machine cannot fail it.  (run_binary's limit is not scaled.)
    proxy().set_mode("stall", times=None, seconds=600)
    r = harness.run_binary(["whoami", "--timeout", "1"], env=env(AWS_MAX_ATTEMPTS="2"),
                           timeout=25 / harness.timeout_factor())
    assert r.code == 1 and "no answer" in r.stderr and "1.0 s" in r.stderr, r.describe()
    assert proxy().count == 2, proxy().count
    harness.note(f"two stalled attempts with --timeout 1 took {r.seconds:.1f}s")


@suite.test
def test_wrong_ca_is_a_tls_error():
    r = harness.run_binary(["whoami", "--ca-bundle", harness.ca().wrong_ca], env=env())
    assert r.code == 1 and "TLS" in r.stderr and "--ca-bundle" in r.stderr, r.describe()


@suite.test
def test_system_store_does_not_trust_the_test_ca():
    e = env()
    e["AWS_CA_BUNDLE"] = None
    r = harness.run_binary(["whoami"], env=e)
    assert r.code == 1 and "TLS" in r.stderr, r.describe()


def policy_arn():
    iam = harness.moto().boto3_client("iam")
    name = f"fault-policy-{time.monotonic_ns()}"
    return iam.create_policy(PolicyName=name, PolicyDocument=POLICY)["Policy"]["Arn"]


def versions(arn):
    iam = harness.moto().boto3_client("iam")
    return len(iam.list_policy_versions(PolicyArn=arn)["Versions"])


@suite.test
def test_create_policy_version_not_repeated_after_reset():
    arn = policy_arn()
    proxy().set_mode("reset", times=None, action="CreatePolicyVersion")
    doc, p = aws_call(["CreatePolicyVersion", arn, POLICY], env())
    assert doc["status"] == "connection failed", (doc, p.stderr)
    assert proxy().count_action("CreatePolicyVersion") == 1
    assert versions(arn) == 1


@suite.test
def test_create_policy_version_not_resent_when_its_kept_alive_connection_closes():
    # CreatePolicyVersion goes over the connection GetCallerIdentity left
    # open, reaches IAM, and the connection closes before the answer. libcurl
    # by itself resends such a request on a new connection: refused here.
    arn = policy_arn()
    proxy().set_mode("lost", times=1, action="CreatePolicyVersion")
    doc, p = aws_call(["GetCallerIdentity", "--", "CreatePolicyVersion", arn, POLICY], env())
    assert doc["status"] == "connection failed", (doc, p.stderr)
    assert "closed before an answer; the request may have arrived" in p.stderr, p.stderr
    assert proxy().count_action("CreatePolicyVersion") == 1
    assert versions(arn) == 2


@suite.test
def test_create_policy_version_not_repeated_after_500():
    arn = policy_arn()
    proxy().set_mode("http500", times=None, action="CreatePolicyVersion")
    doc, p = aws_call(["CreatePolicyVersion", arn, POLICY], env())
    assert doc["http"] == 500, (doc, p.stderr)
    assert proxy().count_action("CreatePolicyVersion") == 1


@suite.test
def test_create_policy_version_repeated_after_throttle():
    arn = policy_arn()
    proxy().set_mode("throttle", times=1, action="CreatePolicyVersion")
    doc, p = aws_call(["CreatePolicyVersion", arn, POLICY], env())
    assert doc["status"] == "ok", (doc, p.stderr)
    assert proxy().count_action("CreatePolicyVersion") == 2
    assert versions(arn) == 2


@suite.test
def test_create_policy_by_name_repeated_after_reset():
    name = f"fault-unique-{time.monotonic_ns()}"
    proxy().set_mode("reset", times=1, action="CreatePolicy")
    doc, p = aws_call(["CreatePolicy", name, POLICY], env())
    assert doc["status"] == "ok", (doc, p.stderr)
    assert proxy().count_action("CreatePolicy") == 2


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        if _proxy is not None:
            _proxy.stop()
