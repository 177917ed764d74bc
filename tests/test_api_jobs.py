"""Solve jobs survive a worker killed with SIGKILL (``tournee worker`` as subprocesses).

The worker runs with a 3 s lease renewed every 0.5 s. It is killed while
solving a 6 s job; the job stays ``running`` with an expired lease, and a
second worker takes it over as attempt 2 and stores exactly one plan.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import BATCH
from sqlalchemy import func, select

from api.services import batches
from api.store.db import migrate, session_scope
from api.store.models import Plan

REPO = Path(__file__).resolve().parents[1]
ENV = {"TOURNEE_LEASE_S": "3", "TOURNEE_HEARTBEAT_S": "0.5", "TOURNEE_POLL_S": "0.2"}


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Starts ``python -m api worker`` processes, each leading its own process group.

    The group holds the worker pool's spawned children too; every group
    still alive at the end is killed.
    """
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "worker", "--database-url", database_url],
            cwd=REPO,
            env={**os.environ, **ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a worker and every process of its group; wait for the worker."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)


def _job(url: str, job_id: str) -> dict[str, Any]:
    with session_scope(url) as session:
        return batches.get_job(session, job_id)


def wait_for(url: str, job_id: str, status: str, timeout: float) -> dict[str, Any]:
    """The job once it has ``status``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(url, job_id)
        if job["status"] == status:
            return job
        assert job["status"] in ("queued", "running"), job
        time.sleep(0.1)
    pytest.fail(f"job not {status} after {timeout} s: {_job(url, job_id)}")


@pytest.mark.slow
def test_a_killed_workers_job_is_taken_over_once(
    database_url: str, workers: Callable[[], subprocess.Popen], tmp_path: Path
) -> None:
    migrate(database_url)
    with session_scope(database_url) as session:
        batch_id = batches.submit_batch(session, BATCH, None).body["id"]
        job_id = batches.start_job(session, batch_id, time_limit_s=6, seed=0).body["id"]

    first = workers()
    running = wait_for(database_url, job_id, "running", timeout=60)
    assert running["attempts"] == 1
    kill_group(first)
    time.sleep(0.5)
    assert _job(database_url, job_id)["status"] == "running"  # nobody finished it

    workers()
    done = wait_for(database_url, job_id, "done", timeout=60)
    logs = "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("*.log")))
    assert done["attempts"] == 2, logs
    assert done["summary"]["checker_feasible"] is True
    assert done["summary"]["orders_unassigned"] == 0
    with session_scope(database_url) as session:
        plans = session.scalar(select(func.count()).where(Plan.job_id == job_id))
        plan = batches.get_plan(session, done["plan_id"])
    assert plans == 1
    assert plan["job_id"] == job_id and plan["check"]["feasible"] is True
