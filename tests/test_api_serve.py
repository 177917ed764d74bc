"""``tournee serve --http-workers 2``: two HTTP processes on one port, stopped together.

The service runs as a subprocess leading its own process group; a carrier
reads its (empty) route list through it, both HTTP processes are seen as
children of ``tournee serve``, and Ctrl-C (SIGINT) leaves no process behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.services.keys import create_key
from api.store.db import migrate, session_scope

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_two_http_processes_serve_one_port_and_stop_together(
    database_url: str, tmp_path: Path
) -> None:
    migrate(database_url)
    with session_scope(database_url) as session:
        token, _ = create_key(session, "app", "carrier", carrier="alpha")
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "0",
               "--http-workers", "2", "--database-url", database_url]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.2)
        routes = httpx.get(f"{base}/v1/carrier/routes", headers={"X-API-Key": token}, timeout=5)
        assert routes.status_code == 200
        assert routes.json() == {"items": [], "next_cursor": None}
        assert httpx.get(f"{base}/v1/carrier/routes", timeout=5).status_code == 401

        # uvicorn's supervisor is tournee serve itself; its HTTP processes are its children
        # (beside multiprocessing's resource tracker).
        deadline = time.monotonic() + 30
        while True:
            servers = [
                pid
                for pid in _children(server.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            if len(servers) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(servers) == 2

        server.send_signal(signal.SIGINT)
        assert server.wait(30) == 0
        deadline = time.monotonic() + 15
        while _group_alive(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(server.pid), "processes of tournee serve outlived it"
    finally:
        if _group_alive(server.pid):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
