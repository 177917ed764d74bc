"""Carriers fetching their routes at a fixed rate: latency of the HTTP service.

Starts the service on loopback over a fresh SQLite database (or the
PostgreSQL database given), seeds it through the HTTP API with the Lyon
sample (keys, batch, solve job, publication), then sends carrier requests at
a fixed rate from another process: route lists, routes as JSON, routes with
``If-None-Match`` (304), GeoJSON and GPX. The load is open-loop: request k is
due at ``k / rate`` seconds and its latency runs from that due time, not from
when it was sent, so a stalled server is charged for the requests waiting
behind it (no coordinated omission).

Prints one row per kind of request and a total: requests, errors (anything but
the expected 200 or 304), achieved rate, latency percentiles in ms.

Usage::

    python benchmarks/api_load.py                          # 500 req/s for 60 s, SQLite
    python benchmarks/api_load.py --rate 200 --duration 10
    python benchmarks/api_load.py --http-workers 2         # two HTTP processes
    python benchmarks/api_load.py --database-url postgresql+psycopg://root@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "lyon" / "batch.json"
MIX = {"list": 20, "json": 40, "not_modified": 20, "geojson": 10, "gpx": 10}
"""Share of each kind of request, in percent."""
TARGET_P99_MS = 25


@dataclass
class Target:
    """What the load generator needs: where, with which keys, for which routes."""

    base_url: str
    carriers: dict[str, str]
    """API key by carrier."""
    routes: dict[str, list[tuple[str, str]]]
    """(route id, JSON ETag) of each carrier."""
    rate: float
    duration: float
    warmup: float
    connections: int
    seed: int
    mix: dict[str, int] = field(default_factory=lambda: dict(MIX))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, http_workers: int, log: Path) -> list[subprocess.Popen]:
    """The service on loopback: ``tournee serve`` with one solve worker and
    ``http_workers`` HTTP processes."""
    env = {**os.environ, "TOURNEE_DATABASE_URL": url}
    out = open(log, "ab")  # noqa: SIM115 - closed with the process
    command = [
        sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--http-workers", str(http_workers), "--database-url", url,
    ]  # fmt: skip
    return [subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=REPO)]


def stop(processes: list[subprocess.Popen]) -> None:
    """Stop the service with Ctrl-C (SIGINT): ``tournee serve`` then stops its
    solve workers too, which SIGTERM leaves running."""
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def fresh_database(url: str | None, folder: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in ``folder``, or a new schema of the
    PostgreSQL database ``url`` (search_path), dropped afterwards."""
    if url is None:
        yield f"sqlite:///{folder / 'load.db'}"
        return
    if not url.startswith("postgresql"):
        yield url
        return
    from sqlalchemy import create_engine, text

    schema = f"load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def create_keys(url: str, carriers: list[str]) -> tuple[str, dict[str, str]]:
    """A planner key and one key per carrier, made with the service layer."""
    from api.services.keys import create_key
    from api.store.db import migrate, session_scope

    migrate(url)
    with session_scope(url) as session:
        planner, _ = create_key(session, "load planner", "planner")
        keys = {c: create_key(session, f"load {c}", "carrier", carrier=c)[0] for c in carriers}
    return planner, keys


def wait_ready(base_url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the service at {base_url} did not start; see its log")


def seed(base_url: str, planner: str, solve_s: float) -> dict[str, Any]:
    """Submit the sample batch, solve it, publish the plan; returns the publication."""
    auth = {"Authorization": f"Bearer {planner}"}
    with httpx.Client(base_url=base_url, headers=auth, timeout=30) as client:
        batch = client.post("/v1/batches", json=json.loads(SAMPLE.read_text()))
        batch.raise_for_status()
        job = client.post(f"/v1/batches/{batch.json()['id']}/jobs", json={"time_limit_s": solve_s})
        job.raise_for_status()
        deadline = time.monotonic() + solve_s * 10 + 120
        while True:
            state = client.get(job.headers["Location"]).json()
            if state["status"] == "done":
                break
            if state["status"] in ("failed", "cancelled") or time.monotonic() > deadline:
                raise RuntimeError(f"seeding job ended {state['status']}: {state['error']}")
            time.sleep(0.5)
        published = client.post(f"/v1/plans/{state['plan_id']}/publish")
        published.raise_for_status()
        return dict(published.json())


def route_etags(base_url: str, keys: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Each carrier's routes and the ETag of their JSON representation."""
    routes: dict[str, list[tuple[str, str]]] = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for carrier, key in keys.items():
            client.headers["X-API-Key"] = key
            for item in client.get("/v1/carrier/routes").json()["items"]:
                route = client.get(f"/v1/carrier/routes/{item['route_id']}")
                routes.setdefault(carrier, []).append((item["route_id"], route.headers["ETag"]))
    return routes


# --- the load generator (runs in its own process) -----------------------------------------------


def _request(kind: str, route: tuple[str, str]) -> tuple[str, dict[str, str], int]:
    route_id, tag = route
    if kind == "list":
        return "/v1/carrier/routes", {}, 200
    path = f"/v1/carrier/routes/{route_id}"
    if kind == "not_modified":
        return path, {"If-None-Match": tag}, 304
    if kind == "geojson":
        return f"{path}?format=geojson", {}, 200
    if kind == "gpx":
        return path, {"Accept": "application/gpx+xml"}, 200
    return path, {}, 200


class _Connections:
    """Keep-alive HTTP/1.1 connections for GET requests, sized bodies or chunked.

    A minimal client keeps the generator's own CPU time small (httpx costs
    several times more per request), so that it does not compete with the
    server for the machine's cores.
    """

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]
        self.idle = asyncio.Queue()
        for _ in range(size):
            self.idle.put_nowait(None)  # opened on first use

    async def get(self, path: str, headers: dict[str, str]) -> int:
        """Send one GET and read the whole answer; its status code."""
        connection = await self.idle.get()
        try:
            if connection is None:
                connection = await asyncio.open_connection(self.host, self.port)
            reader, writer = connection
            lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{lines}\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            status = int(head[9:12])
            fields = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
            if "content-length" in fields:
                await reader.readexactly(int(fields["content-length"]))
            elif fields.get("transfer-encoding") == "chunked":
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            if fields.get("connection") == "close":
                writer.close()
                connection = None
            return status
        except (OSError, asyncio.IncompleteReadError, ValueError):
            connection = None
            raise
        finally:
            self.idle.put_nowait(connection)


async def _drive(target: Target) -> dict[str, Any]:
    rng = random.Random(target.seed)
    carriers = sorted(target.routes)
    weights = [len(target.routes[c]) for c in carriers]
    kinds, shares = zip(*target.mix.items())
    total = int((target.warmup + target.duration) * target.rate)
    results: list[tuple[str, float, float, bool]] = []  # kind, due, latency, ok
    host, port = target.base_url.removeprefix("http://").split(":")
    pool = _Connections(host, int(port), target.connections)

    async def one(kind: str, carrier: str, route: tuple[str, str], due: float) -> None:
        path, headers, expected = _request(kind, route)
        headers["X-API-Key"] = target.carriers[carrier]
        try:
            ok = await pool.get(path, headers) == expected
        except (OSError, asyncio.IncompleteReadError, ValueError):
            ok = False
        results.append((kind, due, time.perf_counter() - due, ok))

    tasks = set()
    start = time.perf_counter() + 0.1
    measured_from = start + target.warmup
    machine: list[list[int] | None] = []

    async def sample_machine() -> None:
        await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
        machine.append(_cpu_ticks())
        await asyncio.sleep(target.duration)
        machine.append(_cpu_ticks())

    sampler = asyncio.create_task(sample_machine())
    cpu = time.process_time()
    for k in range(total):
        due = start + k / target.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        carrier = rng.choices(carriers, weights)[0]
        kind = rng.choices(kinds, shares)[0]
        task = asyncio.create_task(one(kind, carrier, rng.choice(target.routes[carrier]), due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks, sampler)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    kept = [r for r in results if r[1] >= measured_from]
    last = max(r[1] + r[2] for r in kept)
    return {
        "results": [(kind, latency, ok) for kind, _, latency, ok in kept],
        "span_s": last - measured_from,
        "client_cpu": cpu / elapsed,
        "machine": _shares(machine[0], machine[1]),
    }


def _cpu_ticks() -> list[int] | None:
    """The machine's CPU time counters (``/proc/stat``), or ``None`` off Linux."""
    try:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None


def _shares(before: list[int] | None, after: list[int] | None) -> dict[str, float] | None:
    """Shares of busy, stolen and idle time between two readings of ``/proc/stat``.

    Steal is time the hypervisor gave this virtual machine's cores to others:
    on a shared host it is the noise that latencies suffer from.
    """
    if before is None or after is None:
        return None
    d = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(d[:8]) or 1  # user nice system idle iowait irq softirq steal
    return {
        "busy": (d[0] + d[1] + d[2] + d[5] + d[6]) / total,
        "steal": d[7] / total,
        "idle": (d[3] + d[4]) / total,
    }


def drive(target: Target) -> dict[str, Any]:
    """Send the requests; the latencies of those due after the warm-up."""
    return asyncio.run(_drive(target))


# --- report ------------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], q: float) -> float:
    """The ``q``-quantile (nearest rank) of sorted values."""
    if not sorted_ms:
        return float("nan")
    rank = max(1, min(len(sorted_ms), round(q * len(sorted_ms) + 0.5)))
    return sorted_ms[rank - 1]


def table(results: list[tuple[str, float, bool]], span_s: float) -> list[str]:
    header = (
        f"{'request':<13} {'requests':>9} {'errors':>7} {'rate/s':>8} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for kind in [*MIX, "total"]:
        rows = [r for r in results if kind in ("total", r[0])]
        if not rows:
            continue
        ms = sorted(r[1] * 1000 for r in rows)
        errors = sum(1 for r in rows if not r[2])
        lines.append(
            f"{kind:<13} {len(rows):>9} {errors:>7} {len(rows) / span_s:>8.1f} "
            f"{percentile(ms, 0.5):>8.2f} {percentile(ms, 0.9):>8.2f} "
            f"{percentile(ms, 0.99):>8.2f} {ms[-1]:>8.2f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds at the rate, not measured"
    )
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    parser.add_argument(
        "--http-workers", type=int, default=1, help="HTTP server processes (tournee serve)"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database, used in a fresh schema (default: a fresh SQLite file)",
    )
    parser.add_argument(
        "--solve-s", type=float, default=4.0, help="time limit of the seeding solve"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory(prefix="tournee-load-") as tmp,
        fresh_database(args.database_url, Path(tmp)) as url,
    ):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        carriers = sorted({t["carrier"] for t in json.loads(SAMPLE.read_text())["vehicle_types"]})
        planner, keys = create_keys(url, carriers)
        log = Path(tmp) / "server.log"
        processes = start_server(url, port, args.http_workers, log)
        try:
            wait_ready(base_url)
            published = seed(base_url, planner, args.solve_s)
            routes = route_etags(base_url, keys)
            target = Target(
                base_url, keys, routes, args.rate, args.duration, args.warmup,
                args.connections, args.seed,
            )  # fmt: skip
            context = multiprocessing.get_context("spawn")
            with context.Pool(1) as pool:
                outcome = pool.apply(drive, (target,))
        finally:
            stop(processes)
        server_log = log.read_text(errors="replace")

    server = f"tournee serve --http-workers {args.http_workers}"
    print(
        f"{server} on {url.split(':')[0].split('+')[0]}, {len(published['routes'])} routes of "
        f"{len(routes)} carriers; {args.rate:g} req/s for {args.duration:g} s "
        f"(after {args.warmup:g} s warm-up), {args.connections} connections; "
        f"load generator CPU {outcome['client_cpu']:.0%} of a core"
    )
    machine = outcome["machine"]
    if machine is not None:
        cores = os.cpu_count() or 1
        per_request = machine["busy"] * cores * args.duration / len(outcome["results"]) * 1000
        print(
            f"machine while measured ({cores} cores): busy {machine['busy']:.0%}, "
            f"stolen by the hypervisor {machine['steal']:.0%}, idle {machine['idle']:.0%}; "
            f"{per_request:.2f} ms of CPU per request (server, database, load generator)"
        )
    for line in table(outcome["results"], outcome["span_s"]):
        print(line)
    p99 = percentile(sorted(r[1] * 1000 for r in outcome["results"]), 0.99)
    print(f"p99 {p99:.1f} ms: {'within' if p99 < TARGET_P99_MS else 'over'} {TARGET_P99_MS} ms")
    if "Traceback" in server_log:
        print(f"server log: {server_log.count('Traceback')} tracebacks; the last one:")
        print(server_log[server_log.rindex("Traceback") :].strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
