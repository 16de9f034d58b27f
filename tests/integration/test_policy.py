"""spot-connect policy / trust-policy: the documents printed by the real
binary (no AWS or Spot peer involved)."""

import json
import os

import harness

suite = harness.Suite("policy")

BUNDLES = ["OpsWorks", "OverviewDashboard", "OceanEks", "OceanAndElastigroupBasicActions",
           "ElastigroupRoute53", "ElastigroupBatch", "ElastigroupStateful",
           "ElastigroupBeanstalk", "ElastigroupEmr", "SpotStorage", "AccountOperativeActions",
           "OceanEcs", "ElastigroupCodeDeploy", "AccesS3forElasticBeanstalk"]
ASSET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets",
                     "spot-policy.json")


def run(*args):
    return harness.run_binary(list(args))


def ok_json(*args):
    r = run(*args)
    assert r.code == 0, r.describe()
    assert r.stderr == "", r.describe()
    return json.loads(r.stdout), r


def refused(*args, reason):
    """Exit 2 with one line on stderr that contains reason, nothing on stdout."""
    r = run(*args)
    assert r.code == 2, r.describe()
    assert r.stdout == "", r.describe()
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.describe()
    assert reason in lines[0], r.describe()
    return lines[0]


def policy_file(name, text):
    return harness.write_file(os.path.join(harness.tempdir("policy-"), name), text)


def sids(doc):
    return [s["Sid"] for s in doc["Statement"]]


def sized_policy(size):
    """A compact policy of exactly `size` characters."""
    head = '{"Version":"2012-10-17","Statement":[{"Sid":"'
    tail = '","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    return head + "A" * (size - len(head) - len(tail)) + tail


@suite.test
def test_default_policy_has_14_statements():
    doc, r = ok_json("policy")
    assert sids(doc) == BUNDLES, sids(doc)
    with open(ASSET, encoding="utf-8") as f:
        assert doc == json.load(f)
    assert r.stdout.startswith('{\n  "Version": "2012-10-17",\n'), r.stdout[:80]


@suite.test
def test_compact_is_one_line_of_6097():
    r = run("policy", "--compact")
    assert r.code == 0, r.describe()
    assert r.stdout.endswith("\n") and r.stdout.count("\n") == 1, r.describe()
    line = r.stdout.rstrip("\n")
    assert sum(1 for c in line if not c.isspace()) == 6097
    assert len(line) == 6097
    assert json.loads(line)["Version"] == "2012-10-17"


@suite.test
def test_list_bundles():
    r = run("policy", "--list-bundles")
    assert r.code == 0, r.describe()
    assert r.stdout.splitlines() == BUNDLES, r.stdout


@suite.test
def test_bundles_subset():
    doc, _ = ok_json("policy", "--bundles", "SpotStorage, OpsWorks,OceanEcs")
    assert sids(doc) == ["OpsWorks", "SpotStorage", "OceanEcs"], sids(doc)


@suite.test
def test_unknown_bundle():
    line = refused("policy", "--bundles", "OpsWorks,Nope", reason="unknown bundle 'Nope'")
    assert "AccesS3forElasticBeanstalk" in line, line


@suite.test
def test_empty_bundle_name():
    refused("policy", "--bundles", "OpsWorks,,OceanEcs", reason="--bundles")


def partition_case(partition):
    doc, r = ok_json("policy", "--partition", partition)
    assert "arn:aws:" not in r.stdout, r.stdout
    assert f'"arn:{partition}:s3:::elasticbeanstalk*"' in r.stdout
    assert len(doc["Statement"]) == 14


suite.add("--partition aws-cn rewrites ARNs", partition_case, "aws-cn")
suite.add("--partition aws-us-gov rewrites ARNs", partition_case, "aws-us-gov")


def gov_cn_bundles(partition):
    refused("policy", "--partition", partition, "--bundles", "OpsWorks",
            reason="the policy cannot be customised in aws-us-gov/aws-cn (full policy only)")


suite.add("aws-us-gov refuses --bundles", gov_cn_bundles, "aws-us-gov")
suite.add("aws-cn refuses --bundles", gov_cn_bundles, "aws-cn")


@suite.test
def test_unknown_partition():
    refused("policy", "--partition", "aws-eu", reason="unknown partition (aws, aws-us-gov or aws-cn)")


@suite.test
def test_policy_file_good():
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]},
        indent=4)
    path = policy_file("good.json", text)
    doc, _ = ok_json("policy", "--policy-file", path)
    assert doc == json.loads(text)
    r = run("policy", "--policy-file", path, "--compact", "--partition", "aws-cn")
    assert r.code == 0, r.describe()
    assert r.stdout == ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                        '"Action":"s3:GetObject","Resource":"arn:aws-cn:s3:::b/*"}]}\n'), r.stdout


BAD_FILES = [
    ("not JSON", '{\n"Version": "2012-10-17",\n"Statement": [\n  {]\n}', "not JSON at line 4"),
    ("no Version", '{"Statement":[{"Effect":"Allow"}]}', 'no "Version"'),
    ("no Statement", '{"Version":"2012-10-17"}', 'no "Statement"'),
    ("empty Statement", '{"Version":"2012-10-17","Statement":[]}', '"Statement" is empty'),
    ("not an object", '["Version"]', "not a JSON object"),
    ("empty file", "", "empty"),
]


def bad_file(text, reason):
    path = policy_file("bad.json", text)
    line = refused("policy", "--policy-file", path, reason=reason)
    assert path in line, line


for label, text, reason in BAD_FILES:
    suite.add(f"--policy-file {label} refused", bad_file, text, reason)


@suite.test
def test_policy_file_oversize():
    path = policy_file("big.json", sized_policy(6145))
    refused("policy", "--policy-file", path, reason="6145 characters")
    path = policy_file("max.json", sized_policy(6144))
    r = run("policy", "--policy-file", path, "--compact")
    assert r.code == 0, r.describe()


@suite.test
def test_policy_file_missing():
    r = run("policy", "--policy-file", "/nonexistent/spot.json")
    assert r.code == 1, r.describe()
    assert "/nonexistent/spot.json" in r.stderr, r.describe()


@suite.test
def test_policy_help_lists_every_option():
    r = run("policy", "--help")
    assert r.code == 0, r.describe()
    for opt in ["--partition", "--bundles", "--compact", "--policy-file", "--list-bundles",
                "--help"]:
        assert opt in r.stdout, opt


@suite.test
def test_policy_usage_errors():
    refused("policy", "--nope", reason="unknown option '--nope'")
    refused("policy", "stray", reason="unexpected argument 'stray'")
    refused("policy", "--bundles", reason="needs a value")


TRUST_AWS = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::922761411349:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}},
    }],
}


@suite.test
def test_trust_policy_aws():
    doc, r = ok_json("trust-policy", "--external-id", "ext-123")
    assert doc == TRUST_AWS, doc
    assert list(doc["Statement"][0]) == ["Effect", "Principal", "Action", "Condition"]
    assert r.stdout.startswith('{\n  "Version": "2012-10-17",\n'), r.stdout


@suite.test
def test_trust_policy_gov_with_principal():
    doc, _ = ok_json("trust-policy", "--external-id", "ext-123", "--partition", "aws-us-gov",
                     "--spot-principal", "123456789012")
    assert doc["Statement"][0]["Principal"] == {"AWS": "arn:aws-us-gov:iam::123456789012:root"}


def trust_needs_principal(partition):
    refused("trust-policy", "--external-id", "ext-123", "--partition", partition,
            reason="--spot-principal")


suite.add("trust-policy aws-us-gov needs --spot-principal", trust_needs_principal, "aws-us-gov")
suite.add("trust-policy aws-cn needs --spot-principal", trust_needs_principal, "aws-cn")


@suite.test
def test_trust_policy_bad_values():
    refused("trust-policy", reason="--external-id is required")
    refused("trust-policy", "--external-id", "x", reason="2 to 1224 characters")
    refused("trust-policy", "--external-id", "a b", reason="does not allow")
    refused("trust-policy", "--external-id", "ab", "--spot-principal", "12345",
            reason="12-digit")
    r = run("trust-policy", "--help")
    assert r.code == 0 and "--spot-principal" in r.stdout and "--external-id" in r.stdout, \
        r.describe()


if __name__ == "__main__":
    harness.main(suite)
