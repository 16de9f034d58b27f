"""Helpers shared by the integration suites: the programs under test and the
AWS environment that points them at a peer."""

import json
import os
import subprocess

import harness


def build_path(*parts):
    return os.path.join(os.environ["SC_BUILD_DIR"], *parts)


def aws_env(url, akid, secret, token=None, region="us-east-1", **extra):
    """Environment keys for a program that should talk to `url` only."""
    env = {
        "AWS_ACCESS_KEY_ID": akid,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_REGION": region,
        "AWS_ENDPOINT_URL": url,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if token:
        env["AWS_SESSION_TOKEN"] = token
    env.update(extra)
    return env


def moto_env(**extra):
    m = harness.moto()
    return aws_env(m.url, m.access_key_id, m.secret_access_key, **extra)


def run_tool(name, args, env, timeout=120):
    """Runs a test program from the build (tests/integration/NAME) with a
    clean environment, as run_binary does for spot-connect."""
    home = harness.tempdir("home-")
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": home}
    for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if key in os.environ:
            full[key] = os.environ[key]
    full.update(env)
    p = subprocess.run([build_path("tests", "integration", name)] + args, env=full,
                       capture_output=True, text=True, timeout=timeout, cwd=home)
    harness.check_sanitizers(p.stderr, p.stderr)
    return p


def aws_call(args, env):
    """One client call through tests/integration/aws_call; returns (json, process)."""
    p = run_tool("aws_call", args, env)
    line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "{}"
    return json.loads(line), p


def whoami_json(result):
    assert result.code == 0, result.describe()
    return json.loads(result.stdout)
