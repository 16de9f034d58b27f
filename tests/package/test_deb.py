"""The Debian package: packaging/build-deb builds it (from a copy of this
tree, so without git), lintian finds no error or warning, and `dpkg -x`
into a scratch root gives a program that runs from its installed path, with
the man page, the completions and the shared-library dependencies.

Run once by tests/run (its own block, "deb"), not per build: it builds its
own binary. SC_DEB=path skips the build and checks that .deb instead."""

import gzip
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import harness  # noqa: E402

suite = harness.Suite("deb")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 60

_built = {}


def run(cmd, timeout=TIMEOUT, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def project_version():
    with open(os.path.join(ROOT, "meson.build")) as f:
        return re.search(r"^\s*version\s*:\s*'([^']+)'", f.read(), re.M).group(1)


def package():
    """(path of the .deb, scratch root it is unpacked in), built once."""
    if "error" in _built:
        raise AssertionError(_built["error"])
    if "deb" not in _built:
        work = harness.tempdir("sc-deb-")
        deb = os.environ.get("SC_DEB")
        if not deb:
            r = run([os.path.join(ROOT, "packaging", "build-deb"), os.path.join(work, "out")],
                    timeout=1800)
            if r.returncode != 0 or not r.stdout.strip().endswith(".deb"):
                _built["error"] = "packaging/build-deb failed: " + (r.stderr or r.stdout)[-800:]
                raise AssertionError(_built["error"])
            deb = r.stdout.strip().splitlines()[-1]
            harness.note(f"built {os.path.basename(deb)}")
        root = os.path.join(work, "root")
        r = run(["dpkg", "-x", deb, root])
        assert r.returncode == 0, r.stderr
        _built.update(deb=deb, root=root)
    return _built["deb"], _built["root"]


@suite.test
def test_build_writes_nothing_beside_the_tree():
    parent = os.path.dirname(ROOT)
    before = set(os.listdir(parent))
    package()
    new = set(os.listdir(parent)) - before
    assert not {n for n in new if n.startswith("spot-connect")}, f"written beside the tree: {new}"


@suite.test
def test_lintian_reports_no_error_or_warning():
    deb, _ = package()
    changes = re.sub(r"\.deb$", ".changes", deb)
    target = changes if os.path.exists(changes) else deb
    r = run(["lintian", "--fail-on", "error,warning", target], timeout=600)
    bad = [line for line in r.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    assert r.returncode == 0 and not bad, "lintian: " + "; ".join(bad or [r.stderr[-500:]])


@suite.test
def test_lintian_overrides_give_their_reason():
    folder = os.path.join(ROOT, "debian")
    for name in sorted(os.listdir(folder)):
        if not name.endswith("lintian-overrides"):
            continue
        with open(os.path.join(folder, name)) as f:
            lines = [line.rstrip("\n") for line in f]
        for i, line in enumerate(lines):
            if line.strip() and not line.startswith("#"):
                assert i > 0 and lines[i - 1].startswith("#"), \
                    f"debian/{name}:{i + 1}: an override without a comment giving its reason"


@suite.test
def test_installed_program_runs_version_and_help():
    _, root = package()
    program = os.path.join(root, "usr", "bin", "spot-connect")
    r = run([program, "--version"])
    # Built without git: the version alone.
    assert r.returncode == 0 and r.stdout == f"spot-connect {project_version()}\n", \
        (r.stdout, r.stderr)
    r = run([program, "--help"])
    assert r.returncode == 0 and r.stdout.startswith("Usage: spot-connect"), (r.stdout, r.stderr)
    for name in ("connect", "status", "disconnect", "policy"):
        assert f"\n  {name} " in r.stdout, f"--help lacks {name}"


@suite.test
def test_man_page_and_completions_are_installed():
    deb, root = package()
    listing = run(["dpkg-deb", "-c", deb]).stdout
    for path in ("./usr/bin/spot-connect", "./usr/share/man/man1/spot-connect.1.gz",
                 "./usr/share/bash-completion/completions/spot-connect",
                 "./usr/share/zsh/vendor-completions/_spot-connect",
                 "./usr/share/doc/spot-connect/copyright"):
        assert re.search(r" " + re.escape(path) + r"$", listing, re.M), f"{path} not in the package"
    with gzip.open(os.path.join(root, "usr/share/man/man1/spot-connect.1.gz"), "rt") as f:
        man = f.read()
    for text in ("\\-\\-version", "bash-completion/completions/spot-connect"):
        assert text in man, f"the installed man page lacks {text!r}"


@suite.test
def test_installed_bash_completion_works_with_installed_program():
    _, root = package()
    script = ('source "$1" || exit 9; COMP_WORDS=("$2" connect --method ma); COMP_CWORD=3; '
              '_spot_connect; printf "%s\\n" "${COMPREPLY[@]}"; '
              'COMP_WORDS=("$2" disc); COMP_CWORD=1; _spot_connect; printf "%s\\n" "${COMPREPLY[@]}"')
    r = run(["bash", "--norc", "--noprofile", "-c", script, "bash",
             os.path.join(root, "usr/share/bash-completion/completions/spot-connect"),
             os.path.join(root, "usr/bin/spot-connect")])
    assert r.returncode == 0 and r.stdout.split() == ["manual", "disconnect"], (r.stdout, r.stderr)


@suite.test
def test_depends_on_the_shared_libraries():
    deb, _ = package()
    depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout
    for lib in ("libc6", "libcurl4", "libyajl2", "libssl3", "libexpat1", "libncursesw6"):
        assert re.search(r"(^|, )" + lib + r"\b", depends), f"Depends lacks {lib}: {depends}"


if __name__ == "__main__":
    harness.main(suite)
