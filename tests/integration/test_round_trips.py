"""The calls a connect makes (issue 10, section 2): a first run creates
first and reads only when IAM says the entity exists; a re-run on a
connected account writes nothing; the Spot accounts are listed once. Each
shortcut keeps its way back when the answer it relies on turns out wrong:
a policy or role that exists already, a role made after it was read, a
token that may not list the organization's accounts."""

import harness
from connect_env import (FIRST_RUN, attached, connect, env, fresh, iam, iam_proxy, kill,
                         policy_arn, policy_versions, read_state, result, role_exists, spot, start,
                         stop_peers, wait_until)

suite = harness.Suite("round_trips")
T = {}

WRITES = ("CreatePolicy", "CreatePolicyVersion", "CreateRole", "UpdateAssumeRolePolicy",
          "AttachRolePolicy", "DetachRolePolicy", "setCredentials", "generateExternalId",
          "createAccount")



@suite.before_each
def before():
    T.clear()
    T.update(fresh())


def calls(doc, skip=0):
    """(service, action) of every call in the run's log, after the first skip."""
    with open(doc["logPath"]) as f:
        lines = [line.split() for line in f if " call " in line]
    return [(w[2], w[3]) for w in lines][skip:]


def writes(pairs):
    return [a for _, a in pairs if a in WRITES]


@suite.test
def test_first_run_makes_the_calls_it_needs_and_no_other():
    doc = result(connect(T))
    assert doc["connected"], doc
    assert calls(doc) == FIRST_RUN, calls(doc)


@suite.test
def test_rerun_on_a_connected_account_writes_nothing():
    first = result(connect(T))
    before = len(calls(first))
    r = connect(T)
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    again = calls(doc, before)
    assert writes(again) == [], again
    # Identity, the role's policies (limit and attachments), the policy and
    # its default version, the role's trust, and whether Spot uses the role.
    assert [a for _, a in again] == ["GetCallerIdentity", "ListAttachedRolePolicies", "GetPolicy",
                                     "GetPolicyVersion", "GetRole", "readCredentials"], again
    assert spot().count_endpoint("setCredentials") == 1
    assert "nothing to change on the Spot side" in r.stderr, r.stderr


@suite.test
def test_rerun_hands_the_role_again_when_spot_no_longer_uses_it():
    first = result(connect(T))
    acct = first["spotAccountId"]
    spot().set_role(acct, first["roleArn"].replace(T["role"], "someone-elses"))
    doc = result(connect(T))
    assert doc["connected"] and spot().count_endpoint("setCredentials") == 2, doc
    assert spot().accounts[acct]["credentials"]["iamRole"] == first["roleArn"]


@suite.test
def test_a_policy_that_exists_is_found_by_its_create_and_not_claimed():
    arn = iam().create_policy(PolicyName=T["policy"], PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket",'
        '"Resource":"*"}]}'))["Policy"]["Arn"]
    doc = result(connect(T))
    assert doc["connected"] and doc["policyArn"] == arn == policy_arn(T), doc
    seq = [a for _, a in calls(doc)]
    i = seq.index("CreatePolicy")
    assert seq[i + 1:i + 5] == ["GetPolicy", "GetPolicyVersion", "ListPolicyVersions",
                                "CreatePolicyVersion"], seq
    assert len(policy_versions(T)) == 2                   # brought to Spot's policy
    assert read_state(T)["policy"].get("created") is not True, read_state(T)
    assert not read_state(T)["policy"].get("pending"), read_state(T)


@suite.test
def test_a_role_made_after_the_limit_check_is_found_by_its_create():
    # IAM says there is no role when the limit is checked; someone makes it
    # before the create: EntityAlreadyExists sends the run to read it.
    iam().create_role(RoleName=T["role"], AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
        '{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))
    iam_proxy().set_mode("error", times=1, action="ListAttachedRolePolicies", status=404,
                         code="NoSuchEntity", message=f"The role with name {T['role']} cannot "
                         "be found.")
    r = connect(T, env_=env(via_proxy=True))
    doc = result(r)
    assert r.code == 0 and doc["connected"], r.describe()
    seq = [a for _, a in calls(doc)]
    i = seq.index("CreateRole")
    assert seq[i + 1:i + 3] == ["GetRole", "UpdateAssumeRolePolicy"], seq
    # The policies are read again: the ones read before the role existed
    # are not the role's.
    assert "ListAttachedRolePolicies" in seq[i + 3:], seq
    assert policy_arn(T) in attached(T["role"])
    assert read_state(T)["role"].get("created") is not True, read_state(T)


@suite.test
def test_a_deleted_role_of_a_saved_run_is_made_again():
    result(connect(T))
    client = iam()
    for arn in attached(T["role"]):
        client.detach_role_policy(RoleName=T["role"], PolicyArn=arn)
    client.delete_role(RoleName=T["role"])
    doc = result(connect(T))
    assert doc["connected"] and role_exists(T["role"]), doc
    assert policy_arn(T) in attached(T["role"])


@suite.test
def test_spot_accounts_are_listed_once():
    result(connect(T))
    assert spot().count_endpoint("listAccounts") == 1


@suite.test
def test_a_token_that_cannot_list_every_account_still_finds_the_link():
    first = result(connect(T))
    T["home"] = harness.tempdir("home-")
    spot().set_mode("error", times=1, endpoint="listAccounts", status=403, code="FORBIDDEN",
                    message="Organization Admin permissions are needed")
    doc = result(connect(T))
    assert doc["alreadyConnected"] and doc["spotAccountId"] == first["spotAccountId"], doc
    assert spot().count_endpoint("listAccounts") == 3    # 1 first run, 2 here


@suite.test
def test_a_token_that_cannot_list_and_no_link_is_a_clear_failure():
    spot().set_mode("error", times=1, endpoint="listAccounts", status=403, code="FORBIDDEN",
                    message="Organization Admin permissions are needed")
    r = connect(T)
    assert r.code != 0 and "FORBIDDEN" in r.stderr, r.describe()
    assert spot().count_endpoint("createAccount") == 0


@suite.test
def test_spot_is_connected_to_while_the_identity_call_runs():
    # The plan is known from the start: the TCP connection to Spot is opened
    # while STS answers, so the first Spot call does not wait for it.
    before = spot().accepts
    iam_proxy().set_mode("stall", times=1, action="GetCallerIdentity", seconds=60)
    proc = start(T, env_=env(via_proxy=True))
    try:
        deadline = 60 * harness.timeout_factor()
        assert wait_until(lambda: iam_proxy().count_action("GetCallerIdentity") >= 1, deadline)
        assert wait_until(lambda: spot().accepts > before, deadline), "no connection to Spot"
        assert spot().requests == [], spot().requests   # connected, nothing asked yet
    finally:
        kill(proc)


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        stop_peers()
