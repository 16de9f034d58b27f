"""Proxies (HTTPS_PROXY / NO_PROXY) and CA bundles from every source."""

import harness
from common import moto_env, whoami_json
from peers.connect_proxy import ConnectProxy
from peers.faultproxy import FaultProxy

suite = harness.Suite("transport")
_peers = {}


def peers():
    if not _peers:
        _peers["tls"] = FaultProxy(harness.moto().url, tls=harness.ca()).start()
        _peers["connect"] = ConnectProxy().start()
    return _peers["tls"], _peers["connect"]


def env(**extra):
    tls, _ = peers()
    e = moto_env(AWS_ENDPOINT_URL=tls.url_localhost, AWS_CA_BUNDLE=harness.ca().ca_cert)
    e.update(extra)
    return e


@suite.test
def test_https_proxy_tunnels_the_call():
    tls, connect = peers()
    before = connect.tunnel_count
    r = harness.run_binary(["whoami"], env=env(HTTPS_PROXY=connect.url))
    whoami_json(r)
    assert connect.tunnel_count == before + 1, connect.tunnels
    assert connect.tunnels[-1] == f"localhost:{tls.port}", connect.tunnels


@suite.test
def test_no_proxy_bypasses_the_proxy():
    _, connect = peers()
    before = connect.tunnel_count
    r = harness.run_binary(["whoami"], env=env(HTTPS_PROXY=connect.url, NO_PROXY="localhost"))
    whoami_json(r)
    assert connect.tunnel_count == before, connect.tunnels


@suite.test
def test_ca_bundle_from_profile():
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/.aws/config",
                       f"[default]\nca_bundle = {harness.ca().ca_cert}\n")
    e = env()
    e["AWS_CA_BUNDLE"] = None
    r = harness.run_binary(["whoami"], env=e, home=home)
    whoami_json(r)


@suite.test
def test_ca_bundle_flag_beats_environment():
    r = harness.run_binary(["whoami", "--ca-bundle", harness.ca().ca_cert],
                           env=env(AWS_CA_BUNDLE=harness.ca().wrong_ca))
    whoami_json(r)


@suite.test
def test_endpoint_url_from_profile():
    tls, _ = peers()
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/.aws/config", f"[default]\nendpoint_url = {tls.url}\n")
    e = env()
    e["AWS_ENDPOINT_URL"] = None
    before = tls.count
    r = harness.run_binary(["whoami"], env=e, home=home)
    whoami_json(r)
    assert tls.count == before + 1


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        for p in _peers.values():
            p.stop()
