"""--version: the version in meson.build (also in debian/changelog and the
man page) and, for a build from a git checkout, a commit of this checkout.
A build without git (the Debian package's) is checked by
tests/package/test_deb.py."""

import os
import re
import shutil
import subprocess

import harness

suite = harness.Suite("version")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINE = re.compile(r"^spot-connect (\S+)(?: \(git ([0-9a-f]{7,})\))?\n$")


def project_version():
    with open(os.path.join(ROOT, "meson.build")) as f:
        m = re.search(r"^\s*version\s*:\s*'([^']+)'", f.read(), re.M)
    assert m, "no version in meson.build"
    return m.group(1)


def version_line(args):
    r = harness.run_binary(args)
    assert r.code == 0 and not r.stderr, r.describe()
    m = LINE.match(r.stdout)
    assert m, f"{args}: {r.stdout!r}"
    return m


@suite.test
def test_version_is_meson_project_version():
    m = version_line(["--version"])
    assert m.group(1) == project_version(), m.group(0)
    for args in (["-V"], ["version"]):
        assert version_line(args).group(0) == m.group(0), args


@suite.test
def test_commit_is_one_of_this_checkout():
    m = version_line(["--version"])
    if not os.path.exists(os.path.join(ROOT, ".git")) or not shutil.which("git"):
        assert m.group(2) is None, f"no git checkout, yet: {m.group(0)}"
        harness.skip("not a git checkout")
    assert m.group(2), f"built from a git checkout, but no commit: {m.group(0)!r}"
    # HEAD when it was built: HEAD now, or an ancestor if commits came since.
    r = subprocess.run(["git", "-C", ROOT, "merge-base", "--is-ancestor", m.group(2), "HEAD"],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"{m.group(2)} is not HEAD or before it: {r.stderr}"


@suite.test
def test_changelog_and_man_page_carry_the_version():
    version = project_version()
    with open(os.path.join(ROOT, "debian", "changelog")) as f:
        first = f.readline()
    m = re.match(r"^spot-connect \(([^)]+)\) ", first)
    assert m and re.sub(r"-[^-]*$", "", m.group(1)) == version, \
        f"debian/changelog says {first.strip()!r}, meson.build {version}"
    with open(os.path.join(ROOT, "man", "spot-connect.1")) as f:
        th = next(line for line in f if line.startswith(".TH"))
    assert f'"spot-connect {version}"' in th, th


@suite.test
def test_help_and_man_page_document_version():
    r = harness.run_binary(["--help"])
    assert "--version" in r.stdout, r.describe()
    with open(os.path.join(ROOT, "man", "spot-connect.1")) as f:
        man = f.read()
    assert "\\-\\-version" in man, "the man page does not describe --version"


if __name__ == "__main__":
    harness.main(suite)
