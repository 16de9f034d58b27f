"""Signatures for the aws, aws-cn and aws-us-gov partitions, checked by a
server that verifies them with botocore's SigV4 signer."""

import harness
from common import aws_call, aws_env, whoami_json
from peers.sigv4_verifier import SigV4Verifier

suite = harness.Suite("partitions")
AKID, SECRET, TOKEN = "AKIDPARTITIONTEST01", "partition/secret+KEY/0123456789abcdefghij", None
_verifier = None


def verifier():
    global _verifier
    if _verifier is None:
        _verifier = SigV4Verifier({AKID: SECRET, "ASIATEMPORARY0001": (SECRET, "tok/en+1==")},
                                  tls=harness.ca()).start()
    return _verifier


def env(region, **extra):
    e = aws_env(verifier().url, AKID, SECRET, region=region, AWS_CA_BUNDLE=harness.ca().ca_cert)
    e.update(extra)
    return e


def sts_case(region, partition):
    verifier().reset_log()
    r = harness.run_binary(["whoami"], env=env(region))
    doc = whoami_json(r)
    seen = verifier().seen[-1]
    assert seen.verified, seen.error
    assert (seen.service, seen.region) == ("sts", region), (seen.service, seen.region)
    assert doc["partition"] == partition and doc["arn"].startswith(f"arn:{partition}:"), doc
    harness.assert_no_secrets(r, {"secret": SECRET})


def iam_case(region, signing_region):
    verifier().reset_log()
    doc, p = aws_call(["GetRole", "Spot-Role"], env(region))
    assert doc["status"] == "ok", (doc, p.stderr)
    seen = verifier().seen[-1]
    assert seen.verified, seen.error
    assert (seen.service, seen.region) == ("iam", signing_region), (seen.service, seen.region)


for region, partition in [("us-east-1", "aws"), ("eu-west-1", "aws"), ("cn-north-1", "aws-cn"),
                          ("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
                          ("us-gov-east-1", "aws-us-gov")]:
    suite.add(f"STS signed for {region} ({partition}) verifies", sts_case, region, partition)

for region, signing in [("eu-west-1", "us-east-1"), ("cn-northwest-1", "cn-north-1"),
                        ("us-gov-east-1", "us-gov-west-1")]:
    suite.add(f"IAM from {region} signs as {signing}", iam_case, region, signing)


@suite.test
def test_session_token_is_signed():
    verifier().reset_log()
    e = aws_env(verifier().url, "ASIATEMPORARY0001", SECRET, token="tok/en+1==",
                region="cn-north-1", AWS_CA_BUNDLE=harness.ca().ca_cert)
    r = harness.run_binary(["whoami"], env=e)
    doc = whoami_json(r)
    seen = verifier().seen[-1]
    assert seen.verified and "x-amz-security-token" in seen.signed_headers, seen.signed_headers
    assert ":assumed-role/" in doc["arn"], doc
    harness.assert_no_secrets(r, {"secret": SECRET, "token": "tok/en+1=="})


@suite.test
def test_wrong_secret_is_rejected_by_botocore():
    verifier().reset_log()
    r = harness.run_binary(["whoami"], env=env("us-gov-west-1", AWS_SECRET_ACCESS_KEY="w" * 40))
    assert r.code == 1 and "SignatureDoesNotMatch" in r.stderr, r.describe()
    assert not verifier().seen[-1].verified


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        if _verifier is not None:
            _verifier.stop()
