"""Untrusted text the tool reads before any answer: crafted state files,
endpoint URLs with a password in them, container-credential paths that
name another host. Each is refused with one line, never a crash."""

import socket

import harness

suite = harness.Suite("parsers")
KEYS = {"AWS_ACCESS_KEY_ID": "AKIDPARSERS", "AWS_SECRET_ACCESS_KEY": "SECRETPARSERS",
        "AWS_EC2_METADATA_DISABLED": "true"}


def one_line(r):
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.describe()
    return lines[0]


@suite.test
def test_deeply_nested_state_file():
    # 600 KB of `[` crashed `status` (stack overflow in yajl's free).
    home = harness.tempdir("parsers-")
    path = harness.write_file(f"{home}/state.json", "[" * 600_000)
    r = harness.run_binary(["status", "--state", path], env=KEYS, home=home)
    assert r.code is not None and r.code > 0, r.describe()
    line = one_line(r)
    assert "not valid JSON" in line and "nested more than 64 levels" in line, r.describe()


class Listener:
    """A loopback port that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connected(self):
        try:
            conn, _ = self.sock.accept()
            conn.close()
            return True
        except BlockingIOError:
            return False

    def close(self):
        self.sock.close()


@suite.test
def test_container_relative_uri_must_be_a_path():
    # Appended to http://169.254.170.2, "@host/x" sent the container token to host.
    peer = Listener()
    try:
        env = {"AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": f"@127.0.0.1:{peer.port}/x",
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "CTRTOKEN"}
        r = harness.run_binary(["whoami"], env=env)
        assert r.code == 1, r.describe()
        assert "must be a path starting with '/'" in one_line(r), r.describe()
        assert not peer.connected(), "the container token went to another host"
        assert "CTRTOKEN" not in r.stdout + r.stderr
    finally:
        peer.close()


@suite.test
def test_aws_endpoint_with_password_is_refused():
    peer = Listener()
    try:
        for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"):
            env = dict(KEYS, **{var: f"http://admin:SECRETPW@127.0.0.1:{peer.port}/"})
            r = harness.run_binary(["whoami", "-v"], env=env)
            assert r.code == 2, r.describe()
            assert f"{var}" in one_line(r) and "has a user name or password" in r.stderr, r.describe()
            assert "SECRETPW" not in r.stdout + r.stderr, r.describe()
        assert not peer.connected()
    finally:
        peer.close()


@suite.test
def test_spot_endpoint_with_password_is_refused():
    home = harness.tempdir("parsers-")
    state = harness.write_file(f"{home}/state.json",
                               '{"awsAccountId": "123456789012", "step": "verified",'
                               ' "spotAccount": {"id": "act-1"}}')
    env = dict(KEYS, SPOTINST_TOKEN="SPOTTOKEN",
               SPOT_CONNECT_SPOT_ENDPOINT="https://u:SECRETPW@127.0.0.1:9")
    r = harness.run_binary(["status", "--state", state], env=env, home=home)
    assert r.code == 2, r.describe()
    assert "SPOT_CONNECT_SPOT_ENDPOINT has a user name or password" in one_line(r), r.describe()
    assert "SECRETPW" not in r.stdout + r.stderr and "SPOTTOKEN" not in r.stdout + r.stderr


if __name__ == "__main__":
    harness.main(suite)
