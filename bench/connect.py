#!/usr/bin/env python3
"""Benchmark: a first-time `spot-connect connect --method automatic` against
local moto (signatures checked) and the fake Spot API, next to the same IAM
calls made with aws-cli in the same run; then the time to connect when Spot
sees the new role only after a propagation delay D.

    python3 bench/connect.py [--build DIR] [--rounds N] [--delays 5,15]

Prints medians, HTTP round trips (from the connection's call log), the
aws-cli ratio, and for each D the time past D."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from peers.fakespot import FakeSpot  # noqa: E402
from peers.moto import MotoServer  # noqa: E402
from peers.testca import make_test_ca  # noqa: E402

TOKEN = "bench-token-0123456789"


def base_env(moto, spot, ca):
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": moto.access_key_id,
            "AWS_SECRET_ACCESS_KEY": moto.secret_access_key,
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": moto.url,
            "SPOTINST_TOKEN": TOKEN, "SPOT_CONNECT_SPOT_ENDPOINT": spot.url,
            "SPOT_CONNECT_CA_BUNDLE": ca.ca_cert}


def connect_once(binary, env, n):
    home = tempfile.mkdtemp(prefix="bench-home-")
    argv = [binary, "connect", "--yes", "--role-name", f"Bench-Role-{n}",
            "--policy-name", f"Bench-Policy-{n}", "--spot-account-name", f"bench-{n}"]
    start = time.perf_counter()
    p = subprocess.run(argv, env=dict(env, HOME=home), capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"connect failed: {p.stderr.strip()}")
    doc = json.loads(p.stdout)
    with open(doc["logPath"]) as f:
        trips = sum(1 for line in f if " call " in line)
    shutil.rmtree(home, ignore_errors=True)
    return took, trips


def cli_calls(n, policy_file, trust_file):
    """The IAM/STS calls a script would make with aws-cli for what a first
    connect does on the AWS side ("ACCT" stands for the account ID, known
    after the first call); the peer spot-connect is compared with."""
    return [
        ["sts", "get-caller-identity"],
        ["iam", "get-policy", "--policy-arn", f"arn:aws:iam::ACCT:policy/Cli-Policy-{n}"],
        ["iam", "create-policy", "--policy-name", f"Cli-Policy-{n}",
         "--policy-document", f"file://{policy_file}"],
        ["iam", "get-role", "--role-name", f"Cli-Role-{n}"],
        ["iam", "create-role", "--role-name", f"Cli-Role-{n}",
         "--assume-role-policy-document", f"file://{trust_file}"],
        ["iam", "list-attached-role-policies", "--role-name", f"Cli-Role-{n}"],
        ["iam", "attach-role-policy", "--role-name", f"Cli-Role-{n}",
         "--policy-arn", f"arn:aws:iam::ACCT:policy/Cli-Policy-{n}"],
        ["iam", "attach-role-policy", "--role-name", f"Cli-Role-{n}",
         "--policy-arn", "arn:aws:iam::aws:policy/SecurityAudit"],
    ]


def aws_cli_once(aws, env, moto_url, n, policy_file, trust_file):
    acct = None
    calls = cli_calls(n, policy_file, trust_file)
    start = time.perf_counter()
    for call in calls:
        argv = [aws, "--endpoint-url", moto_url, "--output", "json"] + [
            a.replace("ACCT", acct or "") for a in call]
        p = subprocess.run(argv, env=env, capture_output=True, text=True)
        if call[1] == "get-caller-identity":
            acct = json.loads(p.stdout)["Account"]
    return time.perf_counter() - start, len(calls)


def write_docs(binary, env, tmp):
    policy = subprocess.run([binary, "policy", "--compact"], capture_output=True, text=True,
                            env=env).stdout
    trust = subprocess.run([binary, "trust-policy", "--external-id", "bench-external-id"],
                           capture_output=True, text=True, env=env).stdout
    pf, tf = os.path.join(tmp, "policy.json"), os.path.join(tmp, "trust.json")
    with open(pf, "w") as f:
        f.write(policy)
    with open(tf, "w") as f:
        f.write(trust)
    return pf, tf


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--delays", default="5,15")
    args = ap.parse_args()
    binary = os.path.join(args.build, "spot-connect")
    aws = shutil.which("aws")
    if not aws:
        sys.exit("aws (the AWS CLI) is not on PATH; it is the peer this benchmark compares with")
    tmp = tempfile.mkdtemp(prefix="bench-")
    ca = make_test_ca(tmp)
    with MotoServer() as moto, FakeSpot(moto_url=moto, token=TOKEN, tls=ca) as spot:
        env = base_env(moto, spot, ca)
        cli_env = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
        cli_env["HOME"] = tmp
        pf, tf = write_docs(binary, dict(env, HOME=tmp), tmp)
        ours, theirs, trips = [], [], []
        for n in range(args.rounds):
            spot.reset()
            took, t = connect_once(binary, env, n)
            ours.append(took)
            trips.append(t)
            theirs.append(aws_cli_once(aws, cli_env, moto.url, n, pf, tf)[0])
        delays = []
        for d in [float(x) for x in args.delays.split(",") if x]:
            spot.reset()
            spot.propagation_delay = d
            delays.append((d, connect_once(binary, env, f"d{int(d)}")[0]))
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(f"rounds: {args.rounds}")
    print(f"spot-connect connect (IAM + Spot): median {mo * 1000:7.1f} ms, "
          f"{statistics.median(trips):.0f} HTTP round trips")
    print(f"aws-cli, the same 8 IAM/STS calls: median {mt * 1000:7.1f} ms")
    print(f"ratio (aws-cli / spot-connect): {mt / mo:.1f}x")
    for d, took in delays:
        print(f"propagation delay {d:.0f} s: connected after {took:.2f} s (D + {took - d:.2f} s)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
