"""IAM Identity Center (SSO) profiles (issue 9 section 1): the token cache
`aws sso login` leaves under ~/.aws/sso/cache/, its refresh through SSO OIDC,
and the portal's GetRoleCredentials, against our own portal and OIDC peers
over TLS; the credentials handed out are moto's, so `whoami` goes on to
moto's STS through a recording proxy. botocore's own SSO provider, reading
the same files and pointed at the same portal, must end up signing with the
same credentials."""

import datetime
import hashlib
import json
import os
import stat
import subprocess
import sys

import harness
from common import whoami_json
from peers.faultproxy import FaultProxy
from peers.metadata import iso_in
from peers.sso import SsoOidc, SsoPortal

suite = harness.Suite("sso")
_peers = {}

PROFILE = "sso-dev"
SESSION = "corp"
START_URL = "https://corp-sso.awsapps.com/start"
SSO_REGION = "eu-west-1"
ROLE = "AdminRole"
LOGIN_HINT = f"aws sso login --profile {PROFILE}"


def moto():
    return harness.moto()


def peers():
    """Portal, OIDC and a recording proxy in front of moto (started once)."""
    if not _peers:
        _peers["portal"] = SsoPortal(harness.ca()).start()
        _peers["oidc"] = SsoOidc(harness.ca(), _peers["portal"]).start()
        _peers["rec"] = FaultProxy(moto().url, tls=harness.ca()).start()
        creds = moto().temporary_credentials(role_name="spot-sso-admin")
        _peers["creds"] = creds
        _peers["portal"].grant(moto().account_id, ROLE, creds)
    return _peers


def portal():
    return peers()["portal"]


def oidc():
    return peers()["oidc"]


def role_creds():
    return peers()["creds"]


def env(**extra):
    e = {"AWS_ENDPOINT_URL": peers()["rec"].url, "AWS_ENDPOINT_URL_SSO": portal().url,
         "AWS_ENDPOINT_URL_SSO_OIDC": oidc().url, "AWS_CA_BUNDLE": harness.ca().ca_cert,
         "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    e.update(extra)
    return {k: v for k, v in e.items() if v is not None}


def cache_path(home, key):
    name = hashlib.sha1(key.encode()).hexdigest() + ".json"
    return os.path.join(home, ".aws", "sso", "cache", name)


def session_config(account=None, role=ROLE):
    return (f"[profile {PROFILE}]\nsso_session = {SESSION}\n"
            f"sso_account_id = {account or moto().account_id}\nsso_role_name = {role}\n"
            f"region = us-east-1\n\n"
            f"[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {SSO_REGION}\n"
            f"sso_registration_scopes = sso:account:access\n")


def legacy_config():
    return (f"[profile {PROFILE}]\nsso_start_url = {START_URL}\nsso_region = {SSO_REGION}\n"
            f"sso_account_id = {moto().account_id}\nsso_role_name = {ROLE}\n")


def token_doc(access, expires_in=8 * 3600, refresh=None, registration_in=90 * 86400):
    """A cache file as `aws sso login` writes it (with a client registration
    when refresh is a (clientId, clientSecret, refreshToken) triple)."""
    doc = {"startUrl": START_URL, "region": SSO_REGION, "accessToken": access,
           "expiresAt": iso_in(expires_in)}
    if refresh:
        cid, secret, rtok = refresh
        doc.update({"clientId": cid, "clientSecret": secret, "refreshToken": rtok,
                    "registrationExpiresAt": iso_in(registration_in)})
    return doc


def home_with(config, cache_key=None, doc=None):
    home = harness.tempdir("home-")
    harness.write_file(f"{home}/.aws/config", config)
    os.makedirs(f"{home}/.aws/sso/cache", mode=0o700, exist_ok=True)
    if cache_key and doc:
        harness.write_file(cache_path(home, cache_key), json.dumps(doc))
    return home


def secrets_of(doc=None):
    found = {"role secret key": role_creds()["SecretAccessKey"],
             "role session token": role_creds()["SessionToken"],
             "moto admin secret": moto().secret_access_key}
    for key in ("accessToken", "refreshToken", "clientSecret"):
        if doc and doc.get(key):
            found[f"cached {key}"] = doc[key]
    for i, answer in enumerate(oidc().issued):
        found[f"issued access token {i}"] = answer["accessToken"]
        if answer.get("refreshToken"):
            found[f"issued refresh token {i}"] = answer["refreshToken"]
    return found


def whoami(home, doc=None, args=("--profile", PROFILE), **extra):
    r = harness.run_binary(["whoami", "-v", *args], env=env(**extra), home=home)
    harness.assert_no_secrets(r, secrets_of(doc))
    return r


def one_line_error(r):
    assert r.code != 0, r.describe()
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, r.describe()
    return lines[0]


def signed_by(akid):
    """The recorder's last GetCallerIdentity: (access key, security token)."""
    for req in reversed(peers()["rec"].requests):
        if req.action == "GetCallerIdentity":
            hdr = dict((k.lower(), v) for k, v in req.headers)
            cred = hdr["authorization"].split("Credential=")[1].split("/")[0]
            if cred == akid:
                return cred, hdr.get("x-amz-security-token")
    raise AssertionError(f"no GetCallerIdentity signed with {akid} recorded")


def portal_calls():
    return len(portal().requests)


# ---- the two profile forms ----

@suite.test
def test_sso_session_profile():
    access = portal().issue()
    home = home_with(session_config(), SESSION, token_doc(access))
    before = portal_calls()
    doc = whoami_json(whoami(home, token_doc(access)))
    assert doc["source"] == "sso" and doc["profile"] == PROFILE, doc
    assert doc["account"] == moto().account_id and "spot-sso-admin" in doc["arn"], doc
    path, query, token, headers = portal().requests[before]
    assert path == "/federation/credentials", path
    assert query == {"role_name": [ROLE], "account_id": [moto().account_id]}, query
    assert token == access
    akid, session_token = signed_by(role_creds()["AccessKeyId"])
    assert session_token == role_creds()["SessionToken"]


@suite.test
def test_legacy_profile_reads_the_start_url_cache():
    access = portal().issue()
    home = home_with(legacy_config(), START_URL, token_doc(access))
    doc = whoami_json(whoami(home, token_doc(access)))
    assert doc["source"] == "sso", doc
    assert portal().requests[-1][2] == access


@suite.test
def test_aws_profile_selects_the_sso_profile():
    access = portal().issue()
    home = home_with(session_config(), SESSION, token_doc(access))
    doc = whoami_json(whoami(home, token_doc(access), args=(), AWS_PROFILE=PROFILE))
    assert doc["source"] == "sso", doc


@suite.test
def test_portal_endpoint_falls_back_to_aws_endpoint_url():
    # No AWS_ENDPOINT_URL_SSO: the portal call goes to AWS_ENDPOINT_URL, as
    # botocore's client does (STS then goes there too and finds no STS).
    access = portal().issue()
    home = home_with(session_config(), SESSION, token_doc(access))
    before = portal_calls()
    r = whoami(home, token_doc(access), AWS_ENDPOINT_URL=portal().url, AWS_ENDPOINT_URL_SSO=None)
    assert portal_calls() > before, r.describe()
    assert portal().requests[before][0] == "/federation/credentials"
    assert portal().requests[before][2] == access


@suite.test
def test_sso_endpoint_in_clear_to_another_host_is_refused():
    access = portal().issue()
    home = home_with(session_config(), SESSION, token_doc(access))
    before = portal_calls()
    r = whoami(home, token_doc(access), AWS_ENDPOINT_URL_SSO="http://portal.example.com")
    line = one_line_error(r)
    assert "AWS_ENDPOINT_URL_SSO" in line and "https://" in line, r.describe()
    assert portal_calls() == before


# ---- expiry and refresh ----

def refreshable_home(expires_in=-60):
    cid, secret, rtok = oidc().register()
    doc = token_doc("expired-" + portal().issue(), expires_in=expires_in, refresh=(cid, secret, rtok))
    home = home_with(session_config(), SESSION, doc)
    return home, doc


@suite.test
def test_expired_token_is_refreshed_and_the_cache_rewritten():
    home, doc = refreshable_home()
    path = cache_path(home, SESSION)
    inode = os.stat(path).st_ino
    issued = len(oidc().issued)
    out = whoami_json(whoami(home, doc))
    assert out["source"] == "sso", out
    assert len(oidc().issued) == issued + 1
    body = oidc().requests[-1][1]
    assert body == {"clientId": doc["clientId"], "clientSecret": doc["clientSecret"],
                    "grantType": "refresh_token", "refreshToken": doc["refreshToken"]}, body
    answer = oidc().issued[-1]
    assert portal().requests[-1][2] == answer["accessToken"]
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert st.st_ino != inode, "the cache file was rewritten in place, not replaced"
    assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)], \
        os.listdir(os.path.dirname(path))
    with open(path) as f:
        cached = json.load(f)
    assert cached["accessToken"] == answer["accessToken"]
    assert cached["refreshToken"] == answer["refreshToken"]
    assert cached["clientId"] == doc["clientId"] and cached["clientSecret"] == doc["clientSecret"]
    assert cached["registrationExpiresAt"] == doc["registrationExpiresAt"]
    assert cached["startUrl"] == START_URL and cached["region"] == SSO_REGION
    expires = datetime.datetime.strptime(cached["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
    left = expires.replace(tzinfo=datetime.timezone.utc) - datetime.datetime.now(
        datetime.timezone.utc)
    assert 7 * 3600 < left.total_seconds() <= 8 * 3600, cached["expiresAt"]
    # The rewritten file is one botocore reads (and needs no refresh).
    ref = botocore_credentials(home)
    assert ref["access_key"] == role_creds()["AccessKeyId"], ref


@suite.test
def test_token_about_to_expire_is_refreshed():
    home, doc = refreshable_home(expires_in=5 * 60)
    issued = len(oidc().issued)
    whoami_json(whoami(home, doc))
    assert len(oidc().issued) == issued + 1


@suite.test
def test_refresh_refused_still_uses_a_token_not_yet_expired():
    cid, secret, _ = oidc().register()
    access = portal().issue()
    doc = token_doc(access, expires_in=5 * 60, refresh=(cid, secret, "aor-revoked"))
    home = home_with(session_config(), SESSION, doc)
    whoami_json(whoami(home, doc))
    assert portal().requests[-1][2] == access


def expect_login_hint(r, portal_before):
    line = one_line_error(r)
    assert LOGIN_HINT in line and "--use-device-code" in line, r.describe()
    assert portal_calls() == portal_before, "the portal was asked with an unusable token"
    return line


@suite.test
def test_expired_legacy_token_says_to_log_in():
    access = portal().issue()
    doc = token_doc(access, expires_in=-60)
    home = home_with(legacy_config(), START_URL, doc)
    before = portal_calls()
    line = expect_login_hint(whoami(home, doc), before)
    assert "expired" in line, line


@suite.test
def test_expired_token_without_refresh_token_says_to_log_in():
    doc = token_doc(portal().issue(), expires_in=-60)
    home = home_with(session_config(), SESSION, doc)
    before = portal_calls()
    line = expect_login_hint(whoami(home, doc), before)
    assert "expired" in line and "no refresh token" in line, line


@suite.test
def test_expired_registration_is_not_used_to_refresh():
    cid, secret, rtok = oidc().register()
    doc = token_doc(portal().issue(), expires_in=-60, refresh=(cid, secret, rtok),
                    registration_in=-60)
    home = home_with(session_config(), SESSION, doc)
    before, asked = portal_calls(), len(oidc().requests)
    line = expect_login_hint(whoami(home, doc), before)
    assert "registration has expired" in line, line
    assert len(oidc().requests) == asked


@suite.test
def test_refused_refresh_of_an_expired_token_says_to_log_in():
    cid, secret, _ = oidc().register()
    doc = token_doc(portal().issue(), expires_in=-60, refresh=(cid, secret, "aor-revoked"))
    home = home_with(session_config(), SESSION, doc)
    before = portal_calls()
    line = expect_login_hint(whoami(home, doc), before)
    assert "invalid_grant" in line, line
    with open(cache_path(home, SESSION)) as f:
        assert json.load(f) == doc, "a failed refresh changed the cache"


@suite.test
def test_no_cached_login_says_to_log_in():
    home = home_with(session_config())
    before = portal_calls()
    line = expect_login_hint(whoami(home), before)
    assert "no SSO login" in line, line


# ---- the portal's refusals ----

@suite.test
def test_portal_401_says_to_log_in_again():
    doc = token_doc("revoked-token-0123456789")
    home = home_with(session_config(), SESSION, doc)
    r = whoami(home, doc)
    line = one_line_error(r)
    assert LOGIN_HINT in line and "did not accept" in line, r.describe()


@suite.test
def test_portal_403_names_the_account_and_role():
    access = portal().issue()
    home = home_with(session_config(account="999988887777", role="ReadOnly"), SESSION,
                     token_doc(access))
    r = whoami(home, token_doc(access))
    line = one_line_error(r)
    assert "ReadOnly" in line and "999988887777" in line and "sso_role_name" in line, line


@suite.test
def test_portal_server_error_is_retried():
    access = portal().issue()
    home = home_with(session_config(), SESSION, token_doc(access))
    portal().status = 500
    before = portal_calls()
    try:
        r = whoami(home, token_doc(access), AWS_MAX_ATTEMPTS="2")
    finally:
        portal().status = 0
    one_line_error(r)
    assert portal_calls() - before == 2, portal_calls() - before


# ---- configuration errors ----

@suite.test
def test_missing_sso_session_section():
    home = home_with(f"[profile {PROFILE}]\nsso_session = nowhere\nsso_account_id = 1\n"
                     f"sso_role_name = R\n")
    line = one_line_error(whoami(home))
    assert "[sso-session nowhere]" in line, line


@suite.test
def test_incomplete_legacy_profile():
    home = home_with(f"[profile {PROFILE}]\nsso_account_id = 123456789012\nsso_role_name = R\n")
    line = one_line_error(whoami(home))
    assert "missing sso_start_url, sso_region" in line, line


# ---- botocore, reading the same files, gets the same credentials ----

BOTOCORE_SCRIPT = r"""
import json, sys, boto3
s = boto3.Session(profile_name=sys.argv[1])
c = s.get_credentials().get_frozen_credentials()
out = {"access_key": c.access_key, "secret_key": c.secret_key, "token": c.token,
       "method": s.get_credentials().method}
if len(sys.argv) > 2:
    sts = s.client("sts", endpoint_url=sys.argv[2], region_name="us-east-1")
    out["arn"] = sts.get_caller_identity()["Arn"]
print(json.dumps(out))
"""


def botocore_credentials(home, sts_url=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
         "AWS_ENDPOINT_URL_SSO": portal().url, "AWS_ENDPOINT_URL_SSO_OIDC": oidc().url,
         "AWS_CA_BUNDLE": harness.ca().ca_cert, "AWS_EC2_METADATA_DISABLED": "true"}
    args = [sys.executable, "-c", BOTOCORE_SCRIPT, PROFILE] + ([sts_url] if sts_url else [])
    p = subprocess.run(args, env=e, capture_output=True, text=True, timeout=120, cwd=home)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def cross_check(config, key):
    access = portal().issue()
    home = home_with(config, key, token_doc(access))
    ours = whoami_json(whoami(home, token_doc(access)))
    ref = botocore_credentials(home, peers()["rec"].url)
    assert ref["method"] == "sso", ref
    assert ref["access_key"] == role_creds()["AccessKeyId"], "botocore got other credentials"
    assert ref["secret_key"] == role_creds()["SecretAccessKey"]
    # What each signed GetCallerIdentity with.
    akid, token = signed_by(ref["access_key"])
    assert (akid, token) == (ref["access_key"], ref["token"])
    assert ours["arn"] == ref["arn"], (ours, ref)
    # Both asked the portal with the cached token, for the same role.
    asks = [(q, t) for p, q, t, _ in portal().requests[-2:]]
    assert asks[0] == asks[1] and asks[0][1] == access, asks


@suite.test
def test_botocore_cross_check_sso_session():
    cross_check(session_config(), SESSION)


@suite.test
def test_botocore_cross_check_legacy():
    cross_check(legacy_config(), START_URL)


@suite.test
def test_botocore_refreshes_the_same_way():
    # botocore refreshes our fixture just as we do: same OIDC body.
    home, doc = refreshable_home()
    ref = botocore_credentials(home)
    assert ref["access_key"] == role_creds()["AccessKeyId"], ref
    theirs = oidc().requests[-1][1]
    home2, doc2 = refreshable_home()
    whoami_json(whoami(home2, doc2))
    ours = oidc().requests[-1][1]
    assert set(ours) == set(theirs) and ours["grantType"] == theirs["grantType"], (ours, theirs)
    with open(cache_path(home, SESSION)) as f:
        theirs_cached = json.load(f)
    with open(cache_path(home2, SESSION)) as f:
        ours_cached = json.load(f)
    assert set(ours_cached) == set(theirs_cached), (set(ours_cached), set(theirs_cached))


# ---- a whole connect through an SSO profile: no secret anywhere ----

@suite.test
def test_connect_with_sso_profile_keeps_every_token_secret():
    import connect_env as ce
    t = ce.fresh()
    cid, secret, rtok = oidc().register()
    doc = token_doc("expired-" + portal().issue(), expires_in=-60, refresh=(cid, secret, rtok))
    harness.write_file(f"{t['home']}/.aws/config", session_config())
    harness.write_file(cache_path(t["home"], SESSION), json.dumps(doc))
    e = ce.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
               AWS_ENDPOINT_URL_SSO=portal().url, AWS_ENDPOINT_URL_SSO_OIDC=oidc().url)
    r = ce.connect(t, "--profile", PROFILE, "-v", env_=e)
    assert r.code == 0, r.describe()
    out = ce.result(r)
    assert out["connected"] is True, out
    texts = {"stdout": r.stdout, "stderr": r.stderr}
    for path in (out["statePath"], out["logPath"]):
        with open(path) as f:
            texts[path] = f.read()
    with open(cache_path(t["home"], SESSION)) as f:
        cached = json.load(f)
    assert cached["accessToken"] == oidc().issued[-1]["accessToken"]
    harness.assert_no_secrets(texts, {**secrets_of(doc), "spot token": ce.TOKEN})


# ---- the wizard's AWS login panel ----

@suite.test
def test_wizard_lists_sso_profiles_with_account_role_and_expiry():
    import re
    import test_wizard as tw
    import vt
    access = portal().issue()
    config = session_config() + (
        f"\n[profile sso-old]\nsso_start_url = {START_URL}\nsso_region = {SSO_REGION}\n"
        f"sso_account_id = {moto().account_id}\nsso_role_name = {ROLE}\n")
    env, _ = tw.world()
    home = tw.home_dir()
    harness.write_file(f"{home}/.aws/config", config)
    harness.write_file(cache_path(home, SESSION), json.dumps(token_doc(access)))
    harness.write_file(cache_path(home, START_URL), json.dumps(token_doc("old", expires_in=-60)))
    env = dict(env, AWS_ENDPOINT_URL_SSO=portal().url)
    try:
        w = tw.Wizard(env, home, rows=40, cols=120)
        tw.to_spot(w)
        w.key("Enter", "Which AWS credentials")
        w.wait(f"{PROFILE}  SSO: {moto().account_id} / {ROLE}")
        w.wait("sso-old  SSO login expired: run aws sso login --profile sso-old")
        w.key("Down", re.compile(r"> \(.\) " + PROFILE))
        w.key("Enter", "Verified: arn:aws:sts::")
        w.wait(":assumed-role/spot-sso-admin/")
        assert portal().requests[-1][2] == access
        w.key("Down", re.compile(r"> \(.\) sso-old"))
        w.key("Enter", re.compile(r'SSO login of profile "sso-old" expired'))
        harness.assert_no_secrets({"screen": w.screen()}, secrets_of(token_doc(access)))
    finally:
        vt.close_all()


if __name__ == "__main__":
    try:
        harness.main(suite)
    finally:
        for p in ("portal", "oidc", "rec"):
            if p in _peers:
                _peers[p].stop()
