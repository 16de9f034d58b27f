"""Runs a command inside the private network namespace it is started in
(`unshare -n python3 netns_listen.py SPEC`), with ADDR (e.g. 10.1.2.3, a
non-loopback address that exists only in this namespace) on lo and a
listener on ADDR's ports 80 and 443 recording what arrives. Prints one JSON
line: {"code", "stdout", "stderr", "received"}. Never run outside unshare -n:
it changes the namespace's interfaces.

SPEC is JSON: {"addr": "10.1.2.3", "argv": [...], "env": {...}, "cwd": "...",
"timeout": 60}."""

import json
import socket
import subprocess
import sys
import threading


def listen(addr, port, received):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)

    def serve():
        while True:
            conn, _ = s.accept()
            conn.settimeout(5)
            data = b""
            try:
                while len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                    if b"\r\n\r\n" in data:
                        break
            except OSError:
                pass
            received.append(f"port {port}: " + data.decode("latin-1"))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()


def main():
    spec = json.loads(sys.argv[1])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", spec["addr"] + "/32", "dev", "lo"], check=True)
    received = []
    for port in (80, 443):
        listen(spec["addr"], port, received)
    p = subprocess.run(spec["argv"], env=spec["env"], cwd=spec.get("cwd"),
                       capture_output=True, text=True, timeout=spec.get("timeout", 60),
                       stdin=subprocess.DEVNULL)
    print(json.dumps({"code": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
                      "received": received}))


if __name__ == "__main__":
    main()
