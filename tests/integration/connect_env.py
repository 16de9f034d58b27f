"""The peers of the connect suites: moto (IAM/STS) with signature checking,
the fake Spot API over TLS (it checks roles in the same moto), and a TLS
fault proxy in front of moto to stall IAM calls. Shared helpers to run the
program against them."""

import json
import os
import signal
import subprocess
import time

import harness
from peers.fakespot import FakeSpot
from peers.faultproxy import FaultProxy

TOKEN = "spot-test-token-0123456789abcdef"
_peers = {}

# (service, action) of a first automatic connect, in order: the identity;
# IAM's limit per role, checked before any write (its NoSuchEntity also
# says the role is to be made); Spot's accounts, listed once; then writes
# only, and Spot's confirmation.
FIRST_RUN = [
    ("sts", "GetCallerIdentity"),
    ("iam", "ListAttachedRolePolicies"),
    ("spot", "listAccounts"),
    ("spot", "createAccount"),
    ("spot", "generateExternalId"),
    ("iam", "CreatePolicy"),
    ("iam", "CreateRole"),
    ("iam", "AttachRolePolicy"),
    ("iam", "AttachRolePolicy"),
    ("spot", "setCredentials"),
    ("spot", "readCredentials"),
]
_counter = [0]


def spot():
    if "spot" not in _peers:
        _peers["spot"] = FakeSpot(moto_url=harness.moto(), token=TOKEN, tls=harness.ca()).start()
    return _peers["spot"]


def iam_proxy():
    if "proxy" not in _peers:
        _peers["proxy"] = FaultProxy(harness.moto().url, tls=harness.ca(), stall_seconds=60).start()
    return _peers["proxy"]


def stop_peers():
    for p in _peers.values():
        p.stop()
    _peers.clear()


def fresh():
    """Before each test: a clean Spot, no faults, and unique IAM names."""
    spot().reset()
    spot().propagation_delay = 0
    iam_proxy().clear()
    iam_proxy().reset_log()
    _counter[0] += 1
    n = f"{os.getpid()}-{_counter[0]}"
    return {"role": f"Spot-Role-{n}", "policy": f"Spot-Policy-{n}", "name": f"acct-{n}",
            "home": harness.tempdir("home-")}


def env(with_token=True, via_proxy=False, **extra):
    m = harness.moto()
    e = {
        "AWS_ACCESS_KEY_ID": m.access_key_id,
        "AWS_SECRET_ACCESS_KEY": m.secret_access_key,
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": iam_proxy().url if via_proxy else m.url,
        "AWS_CA_BUNDLE": harness.ca().ca_cert,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SPOT_CONNECT_SPOT_ENDPOINT": spot().url,
        "SPOT_CONNECT_CA_BUNDLE": harness.ca().ca_cert,
    }
    if with_token:
        e["SPOTINST_TOKEN"] = TOKEN
    e.update(extra)
    return e


def names_args(t):
    return ["--role-name", t["role"], "--policy-name", t["policy"],
            "--spot-account-name", t["name"]]


def secrets():
    return {"spot token": TOKEN, "aws secret": harness.moto().secret_access_key}


def connect(t, *args, env_=None, method="automatic", timeout=180):
    argv = ["connect", "--method", method, "--yes", *names_args(t), *args]
    r = harness.run_binary(argv, env=env_ or env(), home=t["home"], timeout=timeout)
    harness.assert_no_secrets(r, secrets())
    return r


def result(r):
    assert r.stdout.strip(), r.describe()
    return json.loads(r.stdout)


def state_dir(t):
    return os.path.join(t["home"], ".local", "state", "spot-connect")


def state_file(t):
    return os.path.join(state_dir(t), harness.moto().account_id + ".json")


def read_state(t):
    with open(state_file(t)) as f:
        return json.load(f)


def iam():
    return harness.moto().boto3_client("iam")


def role_trust(name):
    doc = iam().get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    return doc if isinstance(doc, dict) else json.loads(doc)


def attached(name):
    return [p["PolicyArn"] for p in
            iam().list_attached_role_policies(RoleName=name)["AttachedPolicies"]]


def policy_arn(t):
    return f"arn:aws:iam::{harness.moto().account_id}:policy/{t['policy']}"


def policy_versions(t):
    return iam().list_policy_versions(PolicyArn=policy_arn(t))["Versions"]


def role_exists(name):
    client = iam()
    try:
        client.get_role(RoleName=name)
        return True
    except client.exceptions.NoSuchEntityException:
        return False


def spot_accounts():
    return spot().accounts


def start(t, *args, env_=None, method="automatic"):
    """The program in the background, for tests that kill it."""
    argv = harness.wrapper() + [harness.binary_path(), "connect", "--method", method, "--yes",
                                *names_args(t), *args]
    return subprocess.Popen(argv, env=harness.clean_env(env_ or env(), t["home"]),
                            cwd=t["home"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    harness.check_sanitizers(err, err)
    return out, err


def wait_until(pred, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False
