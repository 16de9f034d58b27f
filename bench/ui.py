#!/usr/bin/env python3
"""Benchmark of the full-screen wizard, next to `dialog --textbox` on the
same policy file, measured in the same run on an 80x24 virtual terminal:

  * time to the first full frame (program start -> footer on screen);
  * CPU used while idle on a slow call (the fake Spot sits on a call), and
    how soon `q` brings up the quit prompt meanwhile (the wizard-ui test
    checks that it does, while the call is stalled; this is how fast);
  * bytes written to the terminal when the policy pane scrolls one line;
  * peak memory (VmHWM).

    python3 bench/ui.py [--build DIR] [--rounds N]

Needs `dialog` (apt-get install dialog) for the comparison."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))


def setup(build):
    os.environ.setdefault("SC_BUILD_DIR", os.path.abspath(build))
    os.environ.setdefault("SC_BINARY", os.path.join(os.path.abspath(build), "spot-connect"))
    os.environ.setdefault("SC_TEST_DATA", os.path.join(HERE, "..", "tests", "data"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def first_frame(session_factory, marker):
    start = time.perf_counter()
    s = session_factory()
    s.wait_for(marker, timeout=10, since=start)
    took = time.perf_counter() - start
    return s, took


def bench_dialog(vt, policy_file, rounds):
    times, mems = [], []
    for _ in range(rounds):
        s, took = first_frame(lambda: vt.Session(["dialog", "--textbox", policy_file, "24", "80"],
                                                 env=vt.tui_env()), "Version")
        time.sleep(0.2)
        mems.append(peak_kib(s.pid))
        times.append(took)
        s.close()
    return statistics.median(times), max(mems)


def bench_ours(vt, env, home, rounds):
    times, mems = [], []
    for _ in range(rounds):
        s, took = first_frame(lambda: vt.binary_session([], env=env, home=home), "Enter begin")
        times.append(took)
        s.close()
    return statistics.median(times)


def walk_to_spot_panel(s):
    s.wait_for("Press Enter to begin", timeout=15)
    for _ in range(4):
        s.key("Enter")
        s.pump(quiet=0.1, timeout=2)


def idle_cpu(vt, ce, env, home):
    ce.spot().set_mode("stall", times=1, endpoint="listAccounts", seconds=15)
    s = vt.binary_session([], env=env, home=home)
    walk_to_spot_panel(s)
    s.wait_for("Working", timeout=5)
    before, t0 = cpu_seconds(s.pid), time.monotonic()
    time.sleep(5)
    used = cpu_seconds(s.pid) - before
    span = time.monotonic() - t0
    s.pump(quiet=0.1, timeout=2)
    s.key("q")
    quit_prompt = s.wait_for("Quit?", timeout=10)      # seconds since the key
    s.close()
    ce.spot().clear()
    return used, span, quit_prompt


def scroll_bytes(vt, env, home):
    s = vt.binary_session([], env=env, home=home)
    s.wait_for("Press Enter to begin", timeout=15)
    s.key("Enter")
    s.wait_for("Which cloud account")
    s.key("Enter")
    s.wait_for("How should the IAM policy")
    s.key("Down")
    s.key("Enter")
    s.wait_for("Is this an AWS GovCloud")
    s.key("Enter")
    s.wait_for("Spot account(s) in this organization")
    s.pump(quiet=0.3, timeout=5)
    s.key("Enter")
    s.wait_for("Open https://console.aws.amazon.com/")
    s.key("Enter")
    s.wait_for("permission bundles")
    s.key("Enter")
    s.wait_for("IAM > Policies > Create policy")
    s.pump(quiet=0.5, timeout=5)
    mark = s.mark()
    s.key("Down")
    s.pump(quiet=0.3, timeout=3)
    n = len(s.raw_since(mark))
    mem = peak_kib(s.pid)
    s.close()
    return n, mem


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    setup(args.build)
    import vt  # noqa: E402
    import connect_env as ce  # noqa: E402
    if not shutil.which("dialog"):
        sys.exit("dialog is not installed (apt-get install dialog): it is the peer of this benchmark")
    t = ce.fresh()
    env = vt.tui_env(ce.env(), home=t["home"])
    tmp = tempfile.mkdtemp(prefix="bench-ui-")
    policy = os.path.join(tmp, "policy.json")
    with open(policy, "w") as f:
        f.write(subprocess.run([os.environ["SC_BINARY"], "policy"], capture_output=True,
                               text=True).stdout)
    d_first, d_mem = bench_dialog(vt, policy, args.rounds)
    o_first = bench_ours(vt, env, t["home"], args.rounds)
    cpu, span, quit_prompt = idle_cpu(vt, ce, env, t["home"])
    nbytes, o_mem = scroll_bytes(vt, env, t["home"])
    vt.close_all()
    ce.stop_peers()
    print(f"rounds: {args.rounds}, terminal 80x24")
    print(f"first full frame: spot-connect {o_first * 1000:.1f} ms, dialog --textbox "
          f"{d_first * 1000:.1f} ms (ratio {d_first / o_first:.2f})")
    print(f"CPU while idle on a slow call: {cpu * 1000:.0f} ms over {span:.1f} s")
    print(f"quit prompt while a call is stalled: {quit_prompt * 1000:.0f} ms after q "
          "(goal: under 100 ms)")
    print(f"bytes written for a one-line scroll of the policy pane: {nbytes}")
    print(f"peak memory: spot-connect {o_mem} KiB, dialog --textbox {d_mem} KiB "
          f"(ratio {o_mem / d_mem:.2f})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
