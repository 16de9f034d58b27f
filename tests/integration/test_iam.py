"""Every IAM and STS call of the client against moto with signature checking
on. The cases live in iam_calls.c; this suite provides the peer and relays
their ok/not ok lines."""

import sys

import harness
from common import moto_env, run_tool


def main():
    try:
        moto = harness.moto()
    except harness.Skip as why:
        print(f"ok - iam-calls: all # skip {why}")
        return 0
    akid, secret = moto.create_user_keys("no-permissions", policy_document=None)
    env = moto_env(SC_LIMITED_KEY_ID=akid, SC_LIMITED_SECRET=secret)
    p = run_tool("iam_calls", [], env)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    harness.assert_no_secrets({"stdout": p.stdout, "stderr": p.stderr},
                              {"admin secret": moto.secret_access_key, "limited secret": secret})
    if p.returncode != 0 and "not ok" not in p.stdout:
        print(f"not ok - iam-calls: exited with status {p.returncode}")
    return 1 if p.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
