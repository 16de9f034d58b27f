"""MotoServer: moto 5 (IAM + STS) as a child process with SigV4 checking on.

moto is started with INITIAL_NO_AUTH_ACTION_COUNT=0, so no request is
accepted until we bootstrap an admin user through moto's unauthenticated
/moto-api/reset-auth window (aws.md 6.2):

    POST /moto-api/reset-auth "3"   -> three unchecked calls
    CreateUser admin, CreateAccessKey, PutUserPolicy allow-*
    POST /moto-api/reset-auth "0"   -> every request is verified again

MOTO_IAM_LOAD_MANAGED_POLICIES=true makes AWS managed policies such as
arn:aws:iam::aws:policy/SecurityAudit exist.
"""

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ADMIN_USER = "admin"
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Action": "*", "Resource": "*", "Effect": "Allow"}]})
TRUST_ANYONE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})

# Never route loopback control requests through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `python3 -m moto.server ARGS`, but first ask Linux (PR_SET_PDEATHSIG) to
# SIGTERM moto when the test process dies, so a killed test run never leaves
# an orphan server behind.  Done in the child itself rather than with
# Popen(preexec_fn=...), which is unsafe once the test process has threads.
_LAUNCHER = """
import ctypes, runpy, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
except Exception:
    pass
sys.argv[0] = "moto.server"
runpy.run_module("moto.server", run_name="__main__", alter_sys=True)
"""


def _moto_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(INITIAL_NO_AUTH_ACTION_COUNT="0",
               MOTO_IAM_LOAD_MANAGED_POLICIES="true",
               PYTHONUNBUFFERED="1")
    return env


class MotoServer:
    """A moto server on 127.0.0.1 with an admin user (signed requests only)."""

    def __init__(self, start_timeout=120.0):
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.url = None                 # http://127.0.0.1:PORT
        self.access_key_id = None       # admin keys, valid after start()
        self.secret_access_key = None
        self.account_id = None
        self.log_path = None            # moto's stdout+stderr
        self._tmp = None
        self._log = None

    # -- lifecycle -------------------------------------------------------------
    def start(self):
        if self.proc is not None:
            return self
        self._tmp = tempfile.mkdtemp(prefix="spot-moto-")
        self.log_path = os.path.join(self._tmp, "moto.log")
        self._log = open(self.log_path, "ab")
        atexit.register(self.stop)
        try:
            # The free port is picked before moto binds it; if someone else
            # grabs it in between, moto exits at once and we try another.
            for _ in range(3):
                self._spawn()
                if self._wait_ready():
                    break
            else:
                raise RuntimeError(f"moto did not start:\n{self.log_tail()}")
            self._bootstrap()
        except BaseException:
            self.stop(keep_log=True)
            raise
        return self

    def _spawn(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # cwd is the temp dir so `-m moto` can never pick up tests/peers/moto.py.
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=self._tmp, env=_moto_env(), stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT)

    def stop(self, keep_log=False):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None and not keep_log and not os.environ.get("SC_KEEP_LOGS"):
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        """Wipe all moto state and bootstrap a new admin (new keys!)."""
        self._post("/moto-api/reset", b"")
        self._bootstrap()

    def log_tail(self, lines=40):
        """Last lines of moto's log, for failure diagnostics."""
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    # -- startup -------------------------------------------------------------------
    def _post(self, path, data):
        # text/plain: with urllib's default form content type Flask would
        # swallow the body and moto's reset-auth would read an empty string.
        req = urllib.request.Request(self.url + path, data=data, method="POST",
                                     headers={"Content-Type": "text/plain"})
        with _OPENER.open(req, timeout=60) as resp:
            return resp.read()

    def _wait_ready(self):
        """True once moto answers; False if it exited early (e.g. port taken)."""
        deadline = time.monotonic() + self.start_timeout
        while self.proc.poll() is None:
            try:
                with _OPENER.open(self.url + "/moto-api/reset-auth", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True   # GET answers 400 "Need to POST": moto is up
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"moto did not answer within {self.start_timeout}s:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.05)
        self.proc = None
        return False

    def _bootstrap(self):
        self._post("/moto-api/reset-auth", b"3")
        try:
            iam = self._client("iam", "AKIABOOTSTRAPDUMMY00", "bootstrap-dummy-secret")
            iam.create_user(UserName=ADMIN_USER)
            key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
            iam.put_user_policy(UserName=ADMIN_USER, PolicyName="allow-all",
                                PolicyDocument=ALLOW_ALL)
        finally:
            self._post("/moto-api/reset-auth", b"0")
        self.access_key_id = key["AccessKeyId"]
        self.secret_access_key = key["SecretAccessKey"]
        self.account_id = self.boto3_client("sts").get_caller_identity()["Account"]

    # -- clients -------------------------------------------------------------------
    def _client(self, service, akid, secret, token=None, region="us-east-1"):
        import boto3
        from botocore.config import Config
        return boto3.session.Session().client(
            service, endpoint_url=self.url, region_name=region,
            aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30,
                          proxies={}))  # ignore HTTPS_PROXY etc. from the environment

    def boto3_client(self, service, region="us-east-1"):
        """A boto3 client for `service` signed with the admin keys."""
        return self._client(service, self.access_key_id, self.secret_access_key,
                            region=region)

    # -- helpers for tests -----------------------------------------------------------
    def remove_role_and_policy(self, role, policy):
        """Delete a role (its policies detached first) and a policy of this
        account (its other versions first), if a run left them; far faster
        than a reset."""
        iam = self.boto3_client("iam")
        missing = iam.exceptions.NoSuchEntityException
        try:
            for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=role, PolicyArn=p["PolicyArn"])
            iam.delete_role(RoleName=role)
        except missing:
            pass
        arn = f"arn:aws:iam::{self.account_id}:policy/{policy}"
        try:
            for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                if not v["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=arn, VersionId=v["VersionId"])
            iam.delete_policy(PolicyArn=arn)
        except missing:
            pass

    def allow_unsigned(self, count=1):
        """Let the next `count` calls through without a signature check.

        Real STS takes AssumeRoleWithWebIdentity unsigned, but moto with
        signature checking on answers any unsigned call with a 500 page; this
        opens moto's own unauthenticated window for exactly that call."""
        self._post("/moto-api/reset-auth", str(count).encode())

    def create_user_keys(self, user_name, policy_document=ALLOW_ALL):
        """A new IAM user with one inline policy; returns (akid, secret).

        policy_document=None gives a user with no permissions at all.
        """
        iam = self.boto3_client("iam")
        iam.create_user(UserName=user_name)
        if policy_document is not None:
            iam.put_user_policy(UserName=user_name, PolicyName="test-policy",
                                PolicyDocument=policy_document)
        key = iam.create_access_key(UserName=user_name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def temporary_credentials(self, role_name="spot-test-session-role",
                              policy_document=ALLOW_ALL, session_name="spot-test"):
        """STS AssumeRole credentials moto accepts (ASIA… key + session token).

        moto rejects an X-Amz-Security-Token sent with a long-term AKIA key,
        so IMDS/container tests that serve a Token need these.  Returns a dict
        with AccessKeyId, SecretAccessKey, SessionToken, Expiration (ISO 8601
        string) and RoleArn.
        """
        iam = self.boto3_client("iam")
        try:
            role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            role_arn = iam.create_role(RoleName=role_name,
                                       AssumeRolePolicyDocument=TRUST_ANYONE)["Role"]["Arn"]
            iam.put_role_policy(RoleName=role_name, PolicyName="test-policy",
                                PolicyDocument=policy_document)
        creds = self.boto3_client("sts").assume_role(
            RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        return {
            "AccessKeyId": creds["AccessKeyId"],
            "SecretAccessKey": creds["SecretAccessKey"],
            "SessionToken": creds["SessionToken"],
            "Expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RoleArn": role_arn,
        }
