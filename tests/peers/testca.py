"""A throw-away certificate authority made at test time.

Nothing is committed: every run makes a fresh CA, a server certificate for
localhost/127.0.0.1/::1 signed by it, and a second, unrelated CA that tests
can hand to the program to provoke a TLS verification failure.
"""

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class TestCA:
    """Paths of the PEM files written by make_test_ca()."""

    __test__ = False  # not a test case, whatever a runner may think

    def __init__(self, dirpath, ca_cert, server_cert, server_key, wrong_ca):
        self.dir = dirpath
        self.ca_cert = ca_cert          # PEM of the CA that signed server_cert
        self.server_cert = server_cert  # PEM: CN/SAN localhost, 127.0.0.1, ::1
        self.server_key = server_key    # PEM: unencrypted private key (0600)
        self.wrong_ca = wrong_ca        # PEM of a CA that signed nothing here

    def server_context(self):
        """An ssl.SSLContext for a server presenting server_cert."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.server_cert, self.server_key)
        return ctx

    def client_context(self):
        """An ssl.SSLContext for a client that trusts only this CA."""
        return ssl.create_default_context(cafile=self.ca_cert)


def _key():
    # P-256 keys are instant to generate, unlike RSA; OpenSSL 3 and libcurl
    # handle ECDSA certificates fine.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "spot-connect tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _validity(builder):
    # Back-date a little so small clock differences never matter.
    now = datetime.datetime.now(datetime.timezone.utc)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)) \
                  .not_valid_after(now + datetime.timedelta(days=2))


def _make_ca(common_name):
    key = _key()
    name = _name(common_name)
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name) \
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
    builder = _validity(builder)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(
        x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                      content_commitment=False, key_encipherment=False,
                      data_encipherment=False, key_agreement=False,
                      encipher_only=False, decipher_only=False), critical=True)
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return key, builder.sign(key, hashes.SHA256())


def _make_server_cert(ca_key, ca_cert):
    key = _key()
    builder = x509.CertificateBuilder().subject_name(_name("localhost")) \
        .issuer_name(ca_cert.subject).public_key(key.public_key()) \
        .serial_number(x509.random_serial_number())
    builder = _validity(builder)
    builder = builder.add_extension(x509.SubjectAlternativeName([
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def make_test_ca(dirpath):
    """Create the CA, server cert/key and a wrong CA as PEM files in dirpath."""
    os.makedirs(dirpath, exist_ok=True)
    ca_key, ca_cert = _make_ca("spot-connect test CA")
    server_key, server_cert = _make_server_cert(ca_key, ca_cert)
    _, wrong_cert = _make_ca("spot-connect WRONG test CA")
    key_pem = server_key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    return TestCA(
        dirpath,
        ca_cert=_write(os.path.join(dirpath, "ca.pem"), _cert_pem(ca_cert)),
        server_cert=_write(os.path.join(dirpath, "server.pem"), _cert_pem(server_cert)),
        server_key=_write(os.path.join(dirpath, "server-key.pem"), key_pem, 0o600),
        wrong_ca=_write(os.path.join(dirpath, "wrong-ca.pem"), _cert_pem(wrong_cert)),
    )
