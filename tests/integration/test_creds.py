"""The credential chain, source by source, with a temporary HOME and files,
moto's STS for assume-role and web identity, loopback metadata and container
endpoints, and credential_process scripts."""

import json
import os
import time
import urllib.parse

import harness
from common import whoami_json
from peers.faultproxy import FaultProxy
from peers.metadata import ContainerCredsServer, ImdsServer, iso_in
from peers.moto import ALLOW_ALL

suite = harness.Suite("creds-chain")
_peers = {}
NO_IMDS = {"AWS_EC2_METADATA_DISABLED": "true"}


def moto():
    return harness.moto()


def recorder():
    """A TLS proxy in front of moto that records request bodies."""
    if "rec" not in _peers:
        _peers["rec"] = FaultProxy(moto().url, tls=harness.ca()).start()
    return _peers["rec"]


def base_env(**extra):
    env = {"AWS_ENDPOINT_URL": recorder().url, "AWS_CA_BUNDLE": harness.ca().ca_cert,
           "AWS_REGION": "us-east-1", **NO_IMDS}
    env.update(extra)
    return env


def secrets():
    return {"admin secret": moto().secret_access_key}


def whoami(args=(), env=None, home=None, input=None, more_secrets=None):
    r = harness.run_binary(["whoami", *args], env=env or base_env(), home=home, input=input)
    harness.assert_no_secrets(r, {**secrets(), **(more_secrets or {})})
    return r


def home_with(config="", credentials=""):
    home = harness.tempdir("home-")
    if config:
        harness.write_file(f"{home}/.aws/config", config)
    if credentials:
        harness.write_file(f"{home}/.aws/credentials", credentials)
    return home


def admin_keys_ini(name):
    return (f"[{name}]\naws_access_key_id = {moto().access_key_id}\n"
            f"aws_secret_access_key = {moto().secret_access_key}\n")


def last_form(action):
    for req in reversed(recorder().requests):
        if req.action == action:
            return {k: v[0] for k, v in urllib.parse.parse_qs(req.body.decode()).items()}
    raise AssertionError(f"no {action} request recorded")


def role_arn(name):
    iam = moto().boto3_client("iam")
    # moto does not match an account's :root principal against its users, so
    # these test roles trust any principal (moto still checks the signature).
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*", "Federated": "*"},
        "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]}
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    # Sessions of the role may assume roles again (chained profiles).
    iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
    return arn


# ---- environment and shared files ----

@suite.test
def test_environment_keys():
    e = base_env(AWS_ACCESS_KEY_ID=moto().access_key_id,
                 AWS_SECRET_ACCESS_KEY=moto().secret_access_key)
    doc = whoami_json(whoami(env=e))
    assert doc["source"] == "env" and doc["account"] == moto().account_id, doc


@suite.test
def test_default_profile_from_credentials_file():
    home = home_with(credentials=admin_keys_ini("default"))
    doc = whoami_json(whoami(home=home))
    assert doc["source"] == "shared-credentials-file" and doc["profile"] == "default", doc


@suite.test
def test_environment_beats_aws_profile():
    home = home_with(credentials="[dev]\naws_access_key_id = AKIANOTUSED\n"
                                 "aws_secret_access_key = notused\n")
    e = base_env(AWS_PROFILE="dev", AWS_ACCESS_KEY_ID=moto().access_key_id,
                 AWS_SECRET_ACCESS_KEY=moto().secret_access_key)
    doc = whoami_json(whoami(env=e, home=home))
    assert doc["source"] == "env", doc


@suite.test
def test_profile_flag_skips_environment():
    home = home_with(credentials=admin_keys_ini("dev"))
    e = base_env(AWS_ACCESS_KEY_ID="AKIANOTUSED", AWS_SECRET_ACCESS_KEY="wrong")
    doc = whoami_json(whoami(["--profile", "dev"], env=e, home=home))
    assert doc["source"] == "shared-credentials-file" and doc["profile"] == "dev", doc


@suite.test
def test_config_file_static_keys():
    keys = admin_keys_ini("profile cfg")
    home = home_with(config=keys + "region = eu-west-1\n")
    doc = whoami_json(whoami(["--profile", "cfg"], home=home))
    assert doc["source"] == "config-file", doc


@suite.test
def test_files_from_environment_paths():
    d = harness.tempdir("awsfiles-")
    harness.write_file(f"{d}/creds", admin_keys_ini("ops"))
    harness.write_file(f"{d}/conf", "[profile ops]\nregion = eu-west-1\n")
    e = base_env(AWS_SHARED_CREDENTIALS_FILE=f"{d}/creds", AWS_CONFIG_FILE=f"{d}/conf",
                 AWS_PROFILE="ops")
    doc = whoami_json(whoami(env=e))
    assert doc["profile"] == "ops", doc


@suite.test
def test_missing_profile_is_named():
    r = whoami(["--profile", "nope"], home=home_with(credentials=admin_keys_ini("default")))
    assert r.code == 1 and "nope" in r.stderr and "not found" in r.stderr, r.describe()
    assert len(r.stderr.strip().splitlines()) == 1, r.describe()


@suite.test
def test_no_credentials_at_all():
    r = whoami(home=home_with())
    assert r.code == 1 and "aws configure" in r.stderr, r.describe()


# ---- assume-role ----

def assume_home(extra_profile_lines="", name="deploy"):
    arn = role_arn("spot-connect-deploy")
    config = (f"[profile {name}]\nrole_arn = {arn}\nsource_profile = base\n"
              f"{extra_profile_lines}")
    return home_with(config=config, credentials=admin_keys_ini("base")), arn


@suite.test
def test_assume_role_profile_with_external_id_and_duration():
    home, arn = assume_home("external_id = ext-42\nrole_session_name = ops-session\n"
                            "duration_seconds = 1800\n")
    doc = whoami_json(whoami(["--profile", "deploy"], home=home))
    assert doc["source"] == "assume-role" and doc["profile"] == "deploy", doc
    assert ":assumed-role/spot-connect-deploy/ops-session" in doc["arn"], doc
    form = last_form("AssumeRole")
    assert form["RoleArn"] == arn and form["ExternalId"] == "ext-42", form
    assert form["DurationSeconds"] == "1800" and form["RoleSessionName"] == "ops-session", form


@suite.test
def test_assume_role_default_session_name():
    home, _ = assume_home()
    whoami_json(whoami(["--profile", "deploy"], home=home))
    assert last_form("AssumeRole")["RoleSessionName"].startswith("spot-connect-")


@suite.test
def test_assume_role_chain_of_profiles():
    arn = role_arn("spot-connect-deploy")
    config = (f"[profile first]\nrole_arn = {arn}\nsource_profile = base\n"
              f"[profile second]\nrole_arn = {arn}\nsource_profile = first\n"
              "role_session_name = second-hop\n")
    home = home_with(config=config, credentials=admin_keys_ini("base"))
    doc = whoami_json(whoami(["--profile", "second"], home=home))
    assert doc["arn"].endswith("/second-hop"), doc


@suite.test
def test_source_profile_loop_is_refused():
    arn = role_arn("spot-connect-deploy")
    config = (f"[profile a]\nrole_arn = {arn}\nsource_profile = b\n"
              f"[profile b]\nrole_arn = {arn}\nsource_profile = a\n")
    r = whoami(["--profile", "a"], home=home_with(config=config))
    assert r.code in (1, 2) and "loop" in r.stderr.lower(), r.describe()


@suite.test
def test_credential_source_environment():
    arn = role_arn("spot-connect-deploy")
    home = home_with(config=f"[profile envrole]\nrole_arn = {arn}\n"
                            "credential_source = Environment\n")
    e = base_env(AWS_ACCESS_KEY_ID=moto().access_key_id,
                 AWS_SECRET_ACCESS_KEY=moto().secret_access_key)
    doc = whoami_json(whoami(["--profile", "envrole"], env=e, home=home))
    assert doc["source"] == "assume-role" and ":assumed-role/" in doc["arn"], doc


@suite.test
def test_mfa_code_is_asked_and_sent():
    serial = f"arn:aws:iam::{moto().account_id}:mfa/ops"
    home, _ = assume_home(f"mfa_serial = {serial}\n")
    doc = whoami_json(whoami(["--profile", "deploy"], home=home, input="123456\n"))
    assert doc["source"] == "assume-role", doc
    form = last_form("AssumeRole")
    assert form["SerialNumber"] == serial and form["TokenCode"] == "123456", form


@suite.test
def test_mfa_without_an_answer_exits_3():
    home, _ = assume_home(f"mfa_serial = arn:aws:iam::{moto().account_id}:mfa/ops\n")
    r = whoami(["--profile", "deploy"], home=home)
    assert r.code == 3 and "MFA" in r.stderr, r.describe()


def token_codes_sent():
    return [urllib.parse.parse_qs(req.body.decode()).get("TokenCode", [None])[0]
            for req in recorder().requests if req.action == "AssumeRole"]


def mfa_code_not_resent(fault):
    """An AssumeRole whose answer is lost may have used its MFA code: the
    call is not repeated with it; a new code is asked for and sent."""
    home, _ = assume_home(f"mfa_serial = arn:aws:iam::{moto().account_id}:mfa/ops\n")
    recorder().reset_log()
    recorder().set_mode(fault, times=1, action="AssumeRole")
    try:
        r = whoami(["--profile", "deploy"], home=home, input="111111\n222222\n")
    finally:
        recorder().clear()
    doc = whoami_json(r)
    assert doc["source"] == "assume-role", doc
    assert token_codes_sent() == ["111111", "222222"], token_codes_sent()


def mfa_code_not_resent_without_a_new_one(fault):
    home, _ = assume_home(f"mfa_serial = arn:aws:iam::{moto().account_id}:mfa/ops\n")
    recorder().reset_log()
    recorder().set_mode(fault, times=1, action="AssumeRole")
    try:
        r = whoami(["--profile", "deploy"], home=home, input="111111\n")
    finally:
        recorder().clear()
    assert r.code == 3, r.describe()
    assert "MFA code may have been used" in r.stderr and "new code" in r.stderr, r.describe()
    assert len(r.stderr.strip().splitlines()) == 1, r.describe()
    assert token_codes_sent() == ["111111"], token_codes_sent()


for fault in ("reset", "http500"):
    suite.add(f"MFA code not sent twice after {fault}: a new one is asked",
              mfa_code_not_resent, fault)
    suite.add(f"MFA code not sent twice after {fault}: no new one, clear error",
              mfa_code_not_resent_without_a_new_one, fault)


# ---- credential_process ----

def process_home(script_body, name="proc"):
    home = harness.tempdir("home-")
    script = f"{home}/get creds.sh"
    harness.write_file(script, "#!/bin/sh\n" + script_body, mode=0o700)
    harness.write_file(f"{home}/.aws/config",
                       f"[profile {name}]\ncredential_process = \"{script}\" --user 'Jane Doe'\n")
    return home


def process_json(expiration=None, version=1):
    doc = {"Version": version, "AccessKeyId": moto().access_key_id,
           "SecretAccessKey": moto().secret_access_key}
    if expiration:
        doc["Expiration"] = expiration
    return json.dumps(doc)


@suite.test
def test_credential_process_gets_arguments_and_keys():
    home = process_home(f"[ \"$2\" = 'Jane Doe' ] || exit 9\necho '{process_json()}'\n")
    doc = whoami_json(whoami(["--profile", "proc"], home=home))
    assert doc["source"] == "custom-process" and doc["profile"] == "proc", doc


def process_failure(body, expect):
    home = process_home(body)
    r = whoami(["--profile", "proc"], home=home)
    assert r.code == 1 and expect in r.stderr, r.describe()
    assert "proc" in r.stderr and len(r.stderr.strip().splitlines()) <= 2, r.describe()


suite.add("credential_process exiting 1 is reported", process_failure, "exit 1\n", "status 1")
suite.add("credential_process with Version 2 is refused", process_failure,
          "echo '" + json.dumps({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"})
          + "'\n", "Version")
suite.add("credential_process printing garbage is refused", process_failure,
          "echo 'SECRETISH not json'\n", "JSON")


@suite.test
def test_credential_process_output_never_echoed():
    home = process_home("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIALEAK\", "
                        "\"SecretAccessKey\": \"do-not-print-me\"'\n")
    r = whoami(["--profile", "proc"], home=home, more_secrets={"process secret": "do-not-print-me"})
    assert r.code == 1, r.describe()


def process_runs(expires_in):
    home = harness.tempdir("home-")
    count = f"{home}/count"
    home = process_home(f"echo x >> '{count}'\necho '{process_json(iso_in(expires_in))}'\n")
    whoami_json(whoami(["--profile", "proc"], home=home))
    with open(count) as f:
        return len(f.read().split())


@suite.test
def test_credentials_near_expiry_are_refreshed():
    assert process_runs(7200) == 1
    assert process_runs(300) >= 2


# ---- web identity ----

@suite.test
def test_web_identity_from_environment():
    arn = role_arn("spot-connect-web")
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/token", "eyJhbGciOi.web-token-value.sig")
    e = base_env(AWS_WEB_IDENTITY_TOKEN_FILE=f"{home}/token", AWS_ROLE_ARN=arn,
                 AWS_ROLE_SESSION_NAME="web-session")
    moto().allow_unsigned(1)
    doc = whoami_json(whoami(env=e, home=home, more_secrets={"token": "web-token-value"}))
    assert doc["source"] == "assume-role-with-web-identity", doc
    form = last_form("AssumeRoleWithWebIdentity")
    assert form["RoleArn"] == arn and form["RoleSessionName"] == "web-session", form
    req = [q for q in recorder().requests if q.action == "AssumeRoleWithWebIdentity"][-1]
    assert req.header("Authorization") is None, "web identity call must be unsigned"


@suite.test
def test_web_identity_from_profile():
    arn = role_arn("spot-connect-web")
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/token", "eyJhbGciOi.profile-token.sig")
    harness.write_file(f"{home}/.aws/config", f"[profile web]\nrole_arn = {arn}\n"
                       f"web_identity_token_file = {home}/token\n")
    moto().allow_unsigned(1)
    doc = whoami_json(whoami(["--profile", "web"], home=home))
    assert doc["source"] == "assume-role-with-web-identity", doc


# ---- container and instance metadata ----

def temp_creds():
    return moto().temporary_credentials(session_name="metadata-test")


@suite.test
def test_container_full_uri_with_token():
    creds = temp_creds()
    with ContainerCredsServer(auth_token="container-auth-token") as srv:
        srv.set_credentials_dict(creds)
        e = base_env(AWS_CONTAINER_CREDENTIALS_FULL_URI=srv.full_uri,
                     AWS_CONTAINER_AUTHORIZATION_TOKEN="container-auth-token")
        doc = whoami_json(whoami(env=e, more_secrets={"session token": creds["SessionToken"],
                                                      "auth": "container-auth-token"}))
        assert doc["source"] == "container-role", doc
        assert srv.authorized_calls >= 1


@suite.test
def test_container_token_file_and_wrong_token():
    creds = temp_creds()
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/tok", "wrong-token")
    with ContainerCredsServer(auth_token="right-token") as srv:
        srv.set_credentials_dict(creds)
        e = base_env(AWS_CONTAINER_CREDENTIALS_FULL_URI=srv.full_uri,
                     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=f"{home}/tok")
        r = whoami(env=e, home=home)
        assert r.code == 1 and "401" in r.stderr, r.describe()
        harness.write_file(f"{home}/tok", "right-token")
        whoami_json(whoami(env=e, home=home))


@suite.test
def test_instance_metadata_v2():
    creds = temp_creds()
    with ImdsServer() as imds:
        imds.set_credentials_dict(creds)
        e = base_env(AWS_EC2_METADATA_DISABLED=None,
                     AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        doc = whoami_json(whoami(env=e, more_secrets={"session token": creds["SessionToken"]}))
        assert doc["source"] == "iam-role", doc
        assert imds.token_puts >= 1 and "21600" in imds.ttl_seen, imds.ttl_seen
        assert imds.unauthorized == 0


@suite.test
def test_instance_metadata_disabled():
    with ImdsServer() as imds:
        e = base_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        r = whoami(env=e)
        assert r.code == 1 and imds.token_puts == 0, r.describe()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        for p in _peers.values():
            p.stop()
