"""`--only throughput`: requests per second of `GET /api/v1/projects?limit=50` as the province, with 16
concurrent clients, against the real server (gunicorn through `serve`, its workers and threads) on a loopback
port, as a ratio to a trivial authenticated endpoint (`GET /api/v1/auth/me`) on the same server. A bounded number
of requests; the server is stopped at the end."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .build import log

CLIENTS = 16
TARGETS = [("GET /api/v1/auth/me (trivial, authenticated)", "/api/v1/auth/me"),
           ("GET /api/v1/projects?limit=50", "/api/v1/projects?limit=50")]


def run_throughput(args, rows: list) -> None:
    """Start the server, time each target with `CLIENTS` threads, stop the server; rows go to the summary."""
    from kaifaqu.accounts.models import User
    from kaifaqu.accounts.services import token_issue

    token = token_issue(user=User.objects.get(username="province"))
    port = _free_port()
    server = _start(port)
    try:
        _wait(port, server)
        rates = {}
        for name, path in TARGETS:
            _load(port, path, token, 2 * CLIENTS)  # warm every worker and thread
            rates[name] = _load(port, path, token, args.requests)
            log(f"{name:<48} {rates[name]:8.1f} req/s  ({args.requests:,} requests, {CLIENTS} clients)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    trivial, projects = (rates[name] for name, _ in TARGETS)
    log(f"throughput ratio: projects list ÷ trivial endpoint = {projects / trivial:.2f}")
    for name, rate in rates.items():
        rows.append((f"throughput {name}, {CLIENTS} clients", rate, trivial / rate))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    """`manage.py serve` on 127.0.0.1:`port`, in its own process group (stopped as a whole), its access log
    discarded; the environment (database, data directory) is the bench's."""
    root = Path(__file__).resolve().parent.parent
    log_file = open(root / "var" / "bench" / "serve.log", "wb")  # noqa: SIM115  (kept open for the server)
    return subprocess.Popen([sys.executable, str(root / "manage.py"), "serve", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=root, stdout=subprocess.DEVNULL, stderr=log_file,
                            start_new_session=True, env={**os.environ, "DEBUG": ""})


def _wait(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped: see var/bench/serve.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start within two minutes: see var/bench/serve.log")


def _load(port: int, path: str, token: str, total: int) -> float:
    """Requests per second for `total` requests of `path` shared among `CLIENTS` threads, each on its own
    connection (reopened when the server closes it)."""
    share = [total // CLIENTS + (1 if i < total % CLIENTS else 0) for i in range(CLIENTS)]
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(n):
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors.append(f"{path}: {resp.status}")
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    t = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return total / elapsed
