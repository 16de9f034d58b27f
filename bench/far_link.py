#!/usr/bin/env python3
"""Benchmark: the automatic connect on a far link, next to the AWS CLI making
its IAM/STS calls through the same link, in the same run.

    python3 bench/far_link.py [--build DIR] [--rounds N] [--rtt 100,300] [--close]
                              [--no-wizard] [--read SECONDS]

Three endpoints, as in production, each over TLS (a CA made at run time):
IAM and STS are moto (signatures checked) behind one keep-alive HTTPS front
each (tests/peers/faultproxy.py passing everything: moto's werkzeug server
answers every request with "Connection: close", real AWS endpoints keep
connections alive; --close makes the fronts close too, as a proxy straight
in front of moto sees it), Spot is the fake Spot API (no propagation delay).  In
front of each endpoint a loopback delay proxy (tests/peers/delayproxy.py)
adds half the RTT each way and one RTT for each TCP handshake, and counts
the TCP connections, full and resumed TLS handshakes and bytes.

Each round, for each RTT: a fresh `spot-connect connect --yes` (new HOME,
role, policy and Spot account names), a re-run of it on the connected
account (nothing to change), and the AWS CLI's eight IAM/STS calls of
bench/connect.py (one `aws` process each, as a script makes them).  Then
the wizard (unless --no-wizard): the real binary in an 80x24 virtual
terminal (tests/integration/vt.py, libvterm), automatic method and
defaults, walked to connected; on its policy, role and Connect panels the
link is let go quiet first (the read-ahead has no screen sign: nothing
crossed the proxies for 2 RTT + 1 s), then Enter is timed to the panel's
done text, with the phase's calls (the run's log: a phase starts at the
line naming the AWS account) and the requests, new connections and TLS
handshakes the proxies saw meanwhile.  For Connect, the goal: Enter to
"connected" less setCredentials' own time in the fake Spot, in RTTs.
--read S waits S seconds more on each of those panels, as an operator
reading them (libcurl drops a connection idle for more than 118 s).

HTTP round trips per endpoint come from the run's log (its " call " lines)
for spot-connect, and from the HTTPS fronts for the AWS CLI.  The wall time
is split into connect, TLS and request time (waiting on the network for the
answers), the peers' own time (moto's and the fake Spot's, measured in the
peers: real AWS takes its own) and "other" (start-up, local work): for
spot-connect from the transport fields of the log lines
(" conn=new tls=full connect=0.012s tls=0.020s") when it writes them --
with the TCP handshake's RTT moved from TLS to connect, see delayproxy's
doc -- otherwise, and always for the AWS CLI, from the delay proxies'
timestamps (calls made in parallel would make the parts add up to more than
the wall time, and "other" negative).  Prints medians over the rounds, in
one table, then the issue-10 goals, met or missed by how much."""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import connect as connect_bench  # noqa: E402  (bench/connect.py: the aws-cli calls)
from peers.delayproxy import DelayProxy  # noqa: E402
from peers.fakespot import FakeSpot, route  # noqa: E402
from peers import faultproxy  # noqa: E402
from peers.faultproxy import FaultProxy  # noqa: E402
from peers.moto import MotoServer  # noqa: E402
from peers.testca import make_test_ca  # noqa: E402

TOKEN = "bench-token-0123456789"
ENDPOINTS = ("iam", "sts", "spot")
# Nothing listens there: a call to any other AWS service fails here, locally.
NOWHERE = "https://127.0.0.1:9"


class _ClosingHandler(faultproxy._ProxyHandler):
    def end_headers(self):
        self.send_header("Connection", "close")
        self.close_connection = True
        super().end_headers()


class ClosingFront(FaultProxy):
    """An HTTPS front that closes the connection after each answer, as moto does."""

    handler_class = _ClosingHandler


def timed(peer_class):
    """peer_class whose instances add the time each request takes them
    (from its headers read to its answer sent) to their list .busy, and
    (method, path, seconds) to .busy_calls."""
    base = peer_class.handler_class

    def handle(self):
        start = time.monotonic()
        try:
            base._handle(self)
        finally:
            took = time.monotonic() - start
            self.peer.busy.append(took)
            self.peer.busy_calls.append((self.command, self.path, took))

    methods = {f"do_{m}": handle for m in ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH")}
    handler = type("Timed" + base.__name__, (base,), methods)
    return type("Timed" + peer_class.__name__, (peer_class,), {"handler_class": handler})


class Sample:
    """One run: wall time and what the link and the peers saw."""

    def __init__(self, wall, conns, trips, split, split_from):
        self.wall = wall
        self.conns = conns              # endpoint -> [Conn]
        self.trips = trips              # endpoint -> HTTP round trips
        self.split = split              # (connect, tls, request, peers, other) seconds
        self.split_from = split_from    # "log" or "proxy"

    def tcp(self, ep):
        return len(self.conns[ep])

    def tls(self, ep, resumed):
        return sum(1 for c in self.conns[ep] if c.tls and bool(c.resumed) == resumed)


class Link:
    """The three endpoints behind delay proxies of one RTT."""

    def __init__(self, fronts, rtt):
        self.rtt = rtt
        self.fronts = fronts
        self.proxies = {ep: DelayProxy(front.port, rtt / 2).start()
                        for ep, front in fronts.items()}

    def url(self, ep):
        return f"https://127.0.0.1:{self.proxies[ep].port}"

    def stop(self):
        for p in self.proxies.values():
            p.stop()

    def measure(self, fn):
        """Runs fn() (returns an optional log text) and what the link saw."""
        marks = {ep: p.mark() for ep, p in self.proxies.items()}
        seen = {ep: len(f.requests) for ep, f in self.fronts.items()}
        busy = {ep: len(f.busy) for ep, f in self.fronts.items()}
        start = time.monotonic()
        log = fn()
        end = time.monotonic()
        for p in self.proxies.values():
            p.wait_idle()
        conns = {ep: p.connections_since(marks[ep]) for ep, p in self.proxies.items()}
        peer_trips = {ep: len(f.requests) - seen[ep] for ep, f in self.fronts.items()}
        peers = sum(sum(f.busy[busy[ep]:]) for ep, f in self.fronts.items())
        wall = end - start
        trips, split, split_from = peer_trips, None, "proxy"
        if log is not None:
            trips = log_trips(log)
            if trips != peer_trips:
                print(f"note: the log counts {trips}, the peers saw {peer_trips}",
                      file=sys.stderr)
            split = log_split(log, wall, self.rtt, peers)
            split_from = "log" if split else "proxy"
        if split is None:
            split = proxy_split(conns, wall, self.rtt, start, end, peers)
        return Sample(wall, conns, trips, split, split_from)


# -- the log ------------------------------------------------------------------------
_CALL = re.compile(r" call (\S+) \S+ \S+ \S+ -> \S+ in ([0-9.]+)s(.*)$")
_SECONDS = re.compile(r"^([0-9.]+)(m?)s$")


def log_calls(log):
    """(service, seconds, {field: value}) of each call line."""
    for line in log.splitlines():
        m = _CALL.search(line)
        if not m:
            continue
        fields = {}
        for tok in m.group(3).split():
            k, _, v = tok.partition("=")
            s = _SECONDS.match(v)
            # tls= is both the kind (full/resumed) and the time (0.020s).
            fields[k + ("_s" if s else "")] = \
                float(s.group(1)) / (1000 if s.group(2) else 1) if s else v
        yield m.group(1), float(m.group(2)), fields


def log_trips(log):
    trips = dict.fromkeys(ENDPOINTS, 0)
    for service, _, _ in log_calls(log):
        trips[service] = trips.get(service, 0) + 1
    return trips


def log_split(log, wall, rtt, peers):
    """(connect, tls, request, peers, other) from the transport fields, or None.

    The client's connect timer sees the loopback handshake (0 s); the proxy
    charges that RTT before the first client bytes, so the client counts it
    as TLS time: it moves back to connect here."""
    connect = tls = in_calls = 0.0
    fields_seen = False
    for _, seconds, f in log_calls(log):
        in_calls += seconds
        if "conn" not in f:
            continue
        fields_seen = True
        if f["conn"] == "new":
            c, t = f.get("connect_s", 0.0), f.get("tls_s", 0.0)
            moved = min(rtt, t)
            connect += c + moved
            tls += t - moved
    if not fields_seen:
        return None
    request = in_calls - connect - tls - peers
    return connect, tls, request, peers, wall - in_calls


def proxy_split(conns, wall, rtt, start, end, peers):
    """(connect, tls, request, peers, other) from the delay proxies' timestamps."""
    connect = tls = request = 0.0
    for cs in conns.values():
        for c in cs:
            connect += rtt
            if c.tls and c.handshake_end is not None:
                tls += max(0.0, c.handshake_end - c.accepted - rtt)
            for a, b in c.exchanges:
                a, b = max(a, start), min(b, end)
                request += max(0.0, b - a)
    return connect, tls, request - peers, peers, wall - connect - tls - request


# -- the runs -------------------------------------------------------------------------
def base_env(moto, link, ca):
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": moto.access_key_id,
            "AWS_SECRET_ACCESS_KEY": moto.secret_access_key,
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": NOWHERE,
            "AWS_ENDPOINT_URL_IAM": link.url("iam"), "AWS_ENDPOINT_URL_STS": link.url("sts"),
            "AWS_CA_BUNDLE": ca.ca_cert,
            "SPOTINST_TOKEN": TOKEN, "SPOT_CONNECT_SPOT_ENDPOINT": link.url("spot"),
            "SPOT_CONNECT_CA_BUNDLE": ca.ca_cert}


def connect_run(binary, env, home, name, log_state):
    """One `connect --yes`; returns the log lines it wrote."""
    argv = [binary, "connect", "--yes", "--role-name", f"Bench-Role-{name}",
            "--policy-name", f"Bench-Policy-{name}", "--spot-account-name", f"bench-{name}"]
    path = log_state.get("path")
    offset = os.path.getsize(path) if path and os.path.exists(path) else 0
    p = subprocess.run(argv, env=dict(env, HOME=home), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"connect failed: {p.stderr.strip()}")
    path = json.loads(p.stdout)["logPath"]
    if path != log_state.get("path"):
        offset = 0
    log_state["path"] = path
    with open(path) as f:
        f.seek(offset)
        return f.read()


def aws_cli_run(aws, env, name, policy_file, trust_file):
    """The eight IAM/STS calls of bench/connect.py, one `aws` process each."""
    acct = ""
    calls = connect_bench.cli_calls(name, policy_file, trust_file)
    for call in calls:
        argv = [aws, "--output", "json"] + [a.replace("ACCT", acct) for a in call]
        p = subprocess.run(argv, env=env, capture_output=True, text=True)
        if call[1] == "get-caller-identity":
            if p.returncode != 0:
                sys.exit(f"aws sts get-caller-identity failed: {p.stderr.strip()}")
            acct = json.loads(p.stdout)["Account"]
        elif p.returncode != 0 and "NoSuchEntity" not in p.stderr:
            sys.exit(f"aws {' '.join(call[:2])} failed: {p.stderr.strip()}")
    return None


def run_rtt(rtt, rounds, binary, aws, moto, spot, fronts, ca, tmp, docs, vt=None, read=0.0):
    link = Link(fronts, rtt)
    try:
        env = base_env(moto, link, ca)
        cli_env = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
        cli_env["HOME"] = tmp
        rows = {"fresh": [], "re-run": [], "aws-cli": [], "wizard": [], "wizard-walk": []}
        for n in range(rounds):
            name = f"{int(rtt * 1000)}-{n}"
            spot.reset()
            home = tempfile.mkdtemp(prefix="bench-home-", dir=tmp)
            log_state = {}
            rows["fresh"].append(link.measure(
                lambda: connect_run(binary, env, home, name, log_state)))
            rows["re-run"].append(link.measure(
                lambda: connect_run(binary, env, home, name, log_state)))
            rows["aws-cli"].append(link.measure(
                lambda: aws_cli_run(aws, cli_env, name, *docs)))
            shutil.rmtree(home, ignore_errors=True)
            if vt is not None:
                home = tempfile.mkdtemp(prefix="bench-wizard-", dir=tmp)
                panels, walk = wizard_run(vt, link, env, moto, spot, home, read)
                rows["wizard"].append(panels)
                rows["wizard-walk"].append(walk)
                shutil.rmtree(home, ignore_errors=True)
        return rows
    finally:
        link.stop()


# -- the wizard -------------------------------------------------------------------
# Its work panels: the done text Enter leads to.
WIZARD_PANELS = (("policy", "Done. Press Enter to go on."),
                 ("role", "Done. Press Enter to go on."),
                 ("connect", "Connected: Spot accepted the role."))
WIZARD_WAIT = 180           # a deadline for one screen (a hung program), never a speed
WIZARD_ROLE, WIZARD_POLICY = "Spot-Role", "Spot-Policy"   # the wizard's default names


class Panel:
    """Enter on one work panel: its wall time and what the link saw meanwhile."""

    def __init__(self, name, wall, calls, conns, http, http_old, dropped, on_link, quiet):
        self.name = name
        self.wall = wall            # Enter -> the done text, seconds
        self.calls = calls          # [(service, action, seconds, fields)] from the log
        self.conns = conns          # endpoint -> [Conn] opened during it
        self.http = http            # endpoint -> requests sent during it
        self.http_old = http_old    # endpoint -> of those, on connections opened before
        self.dropped = dropped      # endpoint -> connections opened before, closed during it
        self.local = wall - on_link  # seconds not waiting on the link (local work, screen)
        self.quiet = quiet          # whether the read-ahead was over before Enter
        self.server = []            # (Spot endpoint, Spot's own seconds) during it

    def tcp(self, ep):
        return len(self.conns[ep])

    def tls(self, ep, resumed):
        return sum(1 for c in self.conns[ep] if c.tls and bool(c.resumed) == resumed)

    def call(self, action):
        return next((c for c in self.calls if c[1] == action), None)

    def spot_time(self, endpoint=None):
        """Spot's own time answering during it (one endpoint's, or all)."""
        return sum(t for e, t in self.server if endpoint in (None, e))


def wizard_setup(build):
    """vt.py (libvterm) and the binary for it; imported here so that
    --no-wizard runs without libvterm."""
    os.environ["SC_BUILD_DIR"] = os.path.abspath(build)
    os.environ["SC_BINARY"] = os.path.join(os.path.abspath(build), "spot-connect")
    os.environ.setdefault("SC_TEST_DATA", os.path.join(HERE, "..", "tests", "data"))
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
    import vt  # noqa: E402
    return vt


def link_quiet(link, timeout=120.0):
    """Wait until nothing crossed the link for 2 RTT + 1 s (the wizard keeps
    its connections open, so wait_idle would wait for ever): a read-ahead
    in progress sends or receives at least once per RTT plus the peer's and
    the client's own time.  Returns whether the link went quiet in time."""
    quiet = 2 * link.rtt + 1.0
    deadline = time.monotonic() + timeout

    def activity():
        return [(len(cs), sum(c.bytes_up + c.bytes_down for c in cs))
                for cs in (p.connections_since(0) for p in link.proxies.values())]

    last, since = activity(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = activity()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
    return False


def log_phases(log):
    """The calls of each wizard phase, from its log: a phase starts at the
    line naming the AWS account.  [(service, action, seconds, fields)]"""
    phases = []
    for line in log.splitlines():
        if " AWS account " in line:
            phases.append([])
        elif " call " in line and phases:
            action = line.split()[3]
            for service, seconds, fields in log_calls(line):
                phases[-1].append((service, action, seconds, fields))
    return phases


def link_window(link, start, end):
    """What the link saw between start and end (monotonic), and for how long
    of it the client was waiting on the link (connecting, a TLS handshake,
    a request out or its answer back)."""
    conns, http, http_old, dropped = {}, {}, {}, {}
    waits = []
    for ep, p in link.proxies.items():
        all_conns = p.connections_since(0)
        conns[ep] = [c for c in all_conns if start <= c.accepted <= end]
        http[ep] = http_old[ep] = dropped[ep] = 0
        for c in all_conns:
            exchanges = [(a, b) for a, b in list(c.exchanges) if start <= a <= end]
            http[ep] += len(exchanges)
            waits += exchanges
            if c.accepted < start:
                http_old[ep] += len(exchanges)
                dropped[ep] += c.closed is not None and start <= c.closed <= end
            elif c.accepted <= end:
                waits.append((c.accepted, c.handshake_end or c.accepted))
    return conns, http, http_old, dropped, union_length(waits, start, end)


def union_length(intervals, start, end):
    """The time within [start, end] that the intervals cover."""
    total, reach = 0.0, start
    for a, b in sorted((max(a, start), min(b, end)) for a, b in intervals):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def wizard_run(vt, link, env, moto, spot, home, read=0.0):
    """The wizard, automatic method and defaults, from its first panel to
    connected: ([Panel] for the policy, role and connect panels, the walk's
    connections per endpoint).  `read`: seconds the operator reads each of
    those panels after the read-ahead is over."""
    spot.reset()
    moto.remove_role_and_policy(WIZARD_ROLE, WIZARD_POLICY)
    marks = {ep: p.mark() for ep, p in link.proxies.items()}
    s = vt.binary_session([], env=env, home=home)
    try:
        def key(name, then):
            s.settle()
            s.key(name)
            s.wait_for(then, timeout=WIZARD_WAIT)

        s.wait_for("Press Enter to begin.", timeout=WIZARD_WAIT)
        key("Enter", "Which cloud account")
        key("Enter", "How should the IAM policy")
        key("Enter", "Is this an AWS GovCloud")
        key("Enter", "Spot account(s) in this organization")
        key("Enter", "Detected credentials")
        key("Enter", "Verified:")
        key("Enter", "permission bundles")
        key("Enter", "Press Enter to start.")
        panels = []
        for name, done in WIZARD_PANELS:
            if name == "role":
                key("Enter", "create the role Spot-Role")
                s.wait_for("Press Enter to start.", timeout=WIZARD_WAIT)
            elif name == "connect":
                key("Enter", "hands the role to Spot")
            quiet = link_quiet(link)       # the read-ahead is over: Enter's own cost
            time.sleep(read)               # the operator reading (a bench, not a test)
            s.settle()
            busy = len(spot.busy_calls)
            start = s.key("Enter")
            end = start + s.wait_for(done, timeout=WIZARD_WAIT)
            panel = Panel(name, end - start, [], *link_window(link, start, end), quiet)
            for method, path, took in spot.busy_calls[busy:]:
                panel.server.append((route(method, path.split("?", 1)[0])[0], took))
            panels.append(panel)
        key("Enter", "Step 11 of 11: Done")
        s.key("q")
        if s.exit_code(timeout=WIZARD_WAIT) != 0:
            sys.exit(f"the wizard failed:\n{s.dump()}")
    finally:
        s.close()
    path = os.path.join(home, ".local", "state", "spot-connect", f"{moto.account_id}.log")
    with open(path) as f:
        phases = log_phases(f.read())
    if len(phases) < len(panels):
        sys.exit(f"{path}: {len(phases)} phases, expected {len(panels)}")
    for panel, calls in zip(panels, phases[-len(panels):]):
        panel.calls = calls
    walk = {ep: p.connections_since(marks[ep]) for ep, p in link.proxies.items()}
    return panels, walk


# -- the table ------------------------------------------------------------------------
def med(values):
    return statistics.median(values)


def per_endpoint(samples, fn):
    return "/".join(f"{med([fn(s, ep) for s in samples]):g}" for ep in ENDPOINTS)


def tls_cell(samples):
    return " ".join(f"{med([s.tls(ep, False) for s in samples]):g}+"
                    f"{med([s.tls(ep, True) for s in samples]):g}" for ep in ENDPOINTS)


def kbytes(samples):
    up = med([sum(c.bytes_up for cs in s.conns.values() for c in cs) for s in samples])
    down = med([sum(c.bytes_down for cs in s.conns.values() for c in cs) for s in samples])
    return f"{up / 1000:.0f}/{down / 1000:.0f}"


def table(results, rounds, close):
    head = (f"{'RTT':>6}  {'run':<21}{'wall s':>7}{'RTTs':>6}  {'HTTP':<9}{'TCP':<9}"
            f"{'TLS full+res':<14}{'kB up/down':<11}{'connect':>8}{'TLS':>6}{'request':>8}{'peers':>6}"
            f"{'other':>7}"
            f"  {'aws-cli/this':>12}")
    out = [f"far link: {rounds} round(s), medians; per endpoint as iam/sts/spot; "
           "kB: all endpoints; split in seconds" + ("; IAM/STS close after each answer" if close else ""),
           head, "-" * len(head)]
    for rtt, rows in results:
        cli = med([s.wall for s in rows["aws-cli"]])
        for run in ("fresh", "re-run", "aws-cli"):
            ss = rows[run]
            wall = med([s.wall for s in ss])
            split = [med([s.split[i] for s in ss]) for i in range(5)]
            src = ss[0].split_from
            label = "aws-cli (8 calls)" if run == "aws-cli" else f"spot-connect {run}"
            ratio = "" if run == "aws-cli" else f"{cli / wall:.1f}x"
            out.append(
                f"{rtt * 1000:>4.0f}ms  {label:<21}{wall:>7.2f}{wall / rtt:>6.1f}  "
                f"{per_endpoint(ss, lambda s, ep: s.trips.get(ep, 0)):<9}"
                f"{per_endpoint(ss, lambda s, ep: s.tcp(ep)):<9}{tls_cell(ss):<14}{kbytes(ss):<11}"
                f"{split[0]:>8.2f}{split[1]:>6.2f}{split[2]:>8.2f}{split[3]:>6.2f}{split[4]:>7.2f}"
                f"  {ratio:>12}" + ("" if src == "log" or run == "aws-cli" else "  (split: proxy)"))
    out.append("")
    out.append("goals (issue 10): a fresh connect in 18 RTT or less; at 300 ms, 20x the AWS CLI")
    for rtt, rows in results:
        wall = med([s.wall for s in rows["fresh"]])
        multiple = wall / rtt
        net = med([(s.wall - s.split[3]) / rtt for s in rows["fresh"]])
        line = f"{rtt * 1000:>4.0f}ms  fresh {multiple:.1f} RTT: " + (
            "met" if multiple <= 18 else f"missed by {multiple - 18:.1f} RTT") + \
            f" ({net:.1f} RTT without the peers' own time)"
        if abs(rtt - 0.3) < 1e-9:
            ratio = med([s.wall for s in rows["aws-cli"]]) / wall
            line += f"; aws-cli/fresh {ratio:.1f}x: " + (
                "met" if ratio >= 20 else f"missed by {20 / ratio:.1f}x")
        out.append(line)
    return "\n".join(out)


WIZARD_READS = ("GetCallerIdentity", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
                "ListPolicyVersions", "GetRole", "listAccounts", "readCredentials")


def spot_connection(panels):
    """Whether setCredentials went over a new or a kept Spot connection: the
    log's conn= field when it has one, else what the Spot proxy saw."""
    kinds = {p.call("setCredentials")[3].get("conn") for p in panels if p.call("setCredentials")}
    kinds.discard(None)
    if kinds:
        return "/".join(sorted(kinds)) + " (the log's conn=)"
    new = med([p.tcp("spot") for p in panels])
    old = med([p.http_old["spot"] for p in panels])
    http = med([p.http["spot"] for p in panels])
    if new and not old:
        resumed = med([p.tls("spot", True) for p in panels])
        return f"new ({new:g} connection(s), {resumed:g} TLS resumed, for {http:g} request(s))"
    if old and not new:
        return f"reused ({old:g} request(s) on a kept connection)"
    return f"{old:g} request(s) on a kept connection, {new:g} new connection(s)"


def wizard_notes(rtt, panels):
    """What a panel did that Enter should not cost: reads (the read-ahead's
    job), requests the log does not show, a read-ahead still running."""
    out = []
    for p in panels:
        reads = [c[1] for c in p.calls if c[1] in WIZARD_READS]
        if p.name == "connect":
            reads = [r for r in reads if r != "readCredentials"]  # the check after the write
        if reads:
            out.append(f"{p.name} reads at Enter: {' '.join(reads)}")
        sent = sum(p.http.values())
        if sent != len(p.calls):
            out.append(f"{p.name}: the link carried {sent} request(s), the log shows "
                       f"{len(p.calls)}")
        dropped = sum(p.dropped.values())
        if dropped and sum(p.conns[ep] != [] for ep in ENDPOINTS):
            out.append(f"{p.name}: Enter closed {dropped} kept connection(s) "
                       f"({'/'.join(str(p.dropped[ep]) for ep in ENDPOINTS)}) and opened "
                       f"{sum(p.tcp(ep) for ep in ENDPOINTS)}")
        if not p.quiet:
            out.append(f"{p.name}: the link was still busy at Enter (read-ahead not over)")
    return [f"{rtt * 1000:>4.0f}ms  note: {n}" for n in dict.fromkeys(out)]


def wizard_table(results, read=0.0):
    head = (f"{'RTT':>6}  {'panel':<9}{'Enter->done s':>14}{'RTTs':>6}{'local s':>8}  "
            f"{'HTTP':<9}{'on kept':<9}"
            f"{'TCP new':<9}{'TLS full+res':<14}{'closed':<8}calls (the run's log)")
    out = ["wizard (automatic method, default names): Enter on a work panel to its done text, "
           "the read-ahead over before Enter; medians; per endpoint as iam/sts/spot; "
           "local: not waiting on the link; on kept: requests on connections opened before "
           "Enter; closed: such connections closed after Enter" +
           (f"; {read:g} s on each panel after the read-ahead" if read else ""),
           head, "-" * len(head)]
    notes, goals = [], []
    for rtt, rows in results:
        runs = rows["wizard"]
        if not runs:
            continue
        for i, (name, _) in enumerate(WIZARD_PANELS):
            ps = [run[i] for run in runs]
            wall = med([p.wall for p in ps])
            calls = [" ".join(c[1] for c in p.calls) for p in ps]
            shown = max(set(calls), key=calls.count) + ("" if len(set(calls)) == 1 else " (varies)")
            out.append(
                f"{rtt * 1000:>4.0f}ms  {name:<9}{wall:>14.2f}{wall / rtt:>6.1f}"
                f"{med([p.local for p in ps]):>8.3f}  "
                f"{per_endpoint(ps, lambda p, ep: p.http[ep]):<9}"
                f"{per_endpoint(ps, lambda p, ep: p.http_old[ep]):<9}"
                f"{per_endpoint(ps, lambda p, ep: p.tcp(ep)):<9}{tls_cell(ps):<14}"
                f"{per_endpoint(ps, lambda p, ep: p.dropped[ep]):<8}{shown}")
            for run in runs:
                notes += wizard_notes(rtt, [run[i]])
        walks = rows["wizard-walk"]
        unused = per_endpoint(walks, lambda w, ep: sum(1 for c in w[ep] if not c.bytes_up))
        out.append(f"{rtt * 1000:>4.0f}ms  whole walk (first panel to connected): TCP "
                   f"{per_endpoint(walks, lambda w, ep: len(w[ep]))}, of which never used "
                   f"(no byte sent) {unused}")
        ps = [run[-1] for run in runs]
        wall = med([p.wall for p in ps])
        server = med([p.spot_time("setCredentials") for p in ps])
        all_spot = med([(p.wall - p.spot_time()) / rtt for p in ps])
        client = [p.call("setCredentials")[2] for p in ps if p.call("setCredentials")]
        client = f"{med(client):.2f} s at the client" if client else "not in the log"
        net = med([(p.wall - p.spot_time("setCredentials")) / rtt for p in ps])
        local = med([p.local for p in ps])
        goals.append(
            f"{rtt * 1000:>4.0f}ms  Enter->connected {wall:.2f} s ({wall / rtt:.1f} RTT); "
            f"setCredentials {client}, Spot's own {server:.2f} s; without Spot's time "
            f"{net:.1f} RTT: " + ("met" if net <= 2 else f"missed by {net - 2:.1f} RTT") +
            f" ({all_spot:.1f} RTT without all of Spot's own time, "
            f"{(wall - local) / rtt:.1f} RTT on the link, {local * 1000:.0f} ms local)" +
            f"; Spot connection at Connect: {spot_connection(ps)}")
    if not goals:
        return ""
    out.append("")
    out.append("goal (issue 10): Enter on Connect to connected in 2 RTT plus the setCredentials "
               "answer (no propagation delay)")
    out += goals
    out += list(dict.fromkeys(notes))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rtt", default="100,300", help="round-trip times in ms, comma-separated")
    ap.add_argument("--close", action="store_true",
                    help="IAM and STS close the connection after each answer, as moto does")
    ap.add_argument("--no-wizard", action="store_true",
                    help="skip the wizard rows (they need libvterm)")
    ap.add_argument("--read", type=float, default=0.0, metavar="SECONDS",
                    help="wizard: wait this long on each work panel after its read-ahead, as "
                         "an operator reading (libcurl drops connections idle for 118 s)")
    args = ap.parse_args()
    binary = os.path.join(args.build, "spot-connect")
    rtts = [float(x) / 1000 for x in args.rtt.split(",") if x]
    if not rtts or min(rtts) <= 0:
        sys.exit("--rtt: positive milliseconds, e.g. 100,300")
    aws = shutil.which("aws")
    if not aws:
        sys.exit("aws (the AWS CLI) is not on PATH; it is the peer this benchmark compares with")
    tmp = tempfile.mkdtemp(prefix="bench-far-")
    ca = make_test_ca(os.path.join(tmp, "ca"))
    vt = None if args.no_wizard else wizard_setup(args.build)
    results = []
    front = timed(ClosingFront if args.close else FaultProxy)
    with MotoServer() as moto, front(moto.url, tls=ca) as iam, front(moto.url, tls=ca) as sts, \
            timed(FakeSpot)(moto_url=moto, token=TOKEN, tls=ca) as spot:
        fronts = {"iam": iam, "sts": sts, "spot": spot}
        for f in fronts.values():
            f.busy, f.busy_calls = [], []
        docs = connect_bench.write_docs(binary, {"PATH": os.environ["PATH"], "HOME": tmp}, tmp)
        subprocess.run([aws, "--version"], capture_output=True)  # warm the page cache
        for rtt in rtts:
            results.append((rtt, run_rtt(rtt, args.rounds, binary, aws, moto, spot, fronts,
                                         ca, tmp, docs, vt, args.read)))
    print(table(results, args.rounds, args.close))
    wizard = wizard_table(results, args.read)
    if wizard:
        print()
        print(wizard)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
