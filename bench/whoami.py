#!/usr/bin/env python3
"""Benchmark: `spot-connect whoami` next to `aws sts get-caller-identity`,
both against the same local moto (signature checking on), interleaved in the
same run so that both see the same machine load.

    python3 bench/whoami.py [--build DIR] [--rounds N]

Prints the median wall time of each and their ratio."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from peers.moto import MotoServer  # noqa: E402


def timed(argv, env):
    start = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed: {p.stderr.strip()}")
    return took


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    binary = os.path.join(args.build, "spot-connect")
    aws = shutil.which("aws")
    if not aws:
        sys.exit("aws (the AWS CLI) is not on PATH; it is the peer this benchmark compares with")
    with MotoServer() as moto:
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
               "AWS_ACCESS_KEY_ID": moto.access_key_id,
               "AWS_SECRET_ACCESS_KEY": moto.secret_access_key,
               "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true"}
        ours_argv = [binary, "whoami"]
        theirs_argv = [aws, "sts", "get-caller-identity", "--endpoint-url", moto.url]
        ours_env = dict(env, AWS_ENDPOINT_URL=moto.url)
        timed(ours_argv, ours_env)  # warm the page cache for both
        timed(theirs_argv, env)
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(timed(ours_argv, ours_env))
            theirs.append(timed(theirs_argv, env))
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(f"rounds: {args.rounds}")
    print(f"spot-connect whoami:          median {mo * 1000:8.1f} ms  "
          f"(min {min(ours) * 1000:.1f}, max {max(ours) * 1000:.1f})")
    print(f"aws sts get-caller-identity:  median {mt * 1000:8.1f} ms  "
          f"(min {min(theirs) * 1000:.1f}, max {max(theirs) * 1000:.1f})")
    print(f"ratio (aws-cli / spot-connect): {mt / mo:.1f}x")


if __name__ == "__main__":
    main()
