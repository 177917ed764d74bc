"""Background solves: worker processes that claim jobs from the database.

Job state lives in the ``jobs`` table. A worker *claims* a job with a
conditional update (queued, or running with an expired lease), runs
:func:`optimizer.pipeline.plan_day` and renews its lease with a heartbeat
thread that also records progress and the best cost so far. The result is
written with another conditional update that names the worker and the
attempt: if the lease was lost meanwhile (the worker hung and another took
the job over), the late result is dropped. So a job whose worker is killed
(``kill -9``) is taken over once its lease expires, and no job completes
twice. A cancel request stops the worker's process; its supervisor starts a
new one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy import and_, or_, select, update

from api.settings import Settings
from api.store.db import migrate, session_scope
from api.store.models import Batch as BatchRow
from api.store.models import Job, Plan, WorkerBeat, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""A job whose workers died this many times is failed instead of retried."""


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimable(now: dt.datetime) -> Any:
    return or_(
        Job.status == "queued",
        and_(Job.status == "running", Job.lease_until < now),
    )


def claim(settings: Settings, worker: str) -> tuple[str, int] | None:
    """Claim the oldest claimable job; returns ``(job id, attempt)`` or ``None``."""
    url = settings.database_url
    for _ in range(5):
        now = utcnow()
        with session_scope(url) as session:
            row = session.execute(
                select(Job.id, Job.attempts, Job.status)
                .where(_claimable(now))
                .order_by(Job.created_at)
                .limit(1)
            ).first()
            if row is None:
                return None
            job_id, attempts, status = row
            if status == "running" and attempts >= MAX_ATTEMPTS:
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, _claimable(now))
                    .values(
                        status="failed",
                        error=f"its worker stopped {attempts} times; not retried",
                        finished_at=now,
                    )
                )
                continue
            done = session.execute(
                update(Job)
                .where(Job.id == job_id, _claimable(now))
                .values(
                    status="running",
                    worker=worker,
                    attempts=attempts + 1,
                    lease_until=now + dt.timedelta(seconds=settings.lease_s),
                    started_at=now,
                )
            )
            if done.rowcount == 1:  # type: ignore[attr-defined]
                logger.info("worker %s claimed job %s (attempt %d)", worker, job_id, attempts + 1)
                return job_id, attempts + 1
    return None


def _mine(job_id: str, worker: str, attempt: int) -> Any:
    return and_(
        Job.id == job_id, Job.worker == worker, Job.attempts == attempt, Job.status == "running"
    )


class _Heartbeat(threading.Thread):
    """Renews the lease, records progress and stops the process on cancel."""

    def __init__(
        self, settings: Settings, job_id: str, worker: str, attempt: int, time_limit: float
    ) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.key = (job_id, worker, attempt)
        self.time_limit = time_limit
        self.began = time.monotonic()
        self.best: int | None = None
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.settings.heartbeat_s):
            self.beat()

    def beat(self) -> None:
        job_id, worker, attempt = self.key
        progress = min((time.monotonic() - self.began) / max(self.time_limit, 1e-9), 0.99)
        values: dict[str, Any] = {
            "lease_until": utcnow() + dt.timedelta(seconds=self.settings.lease_s),
            "progress": progress,
        }
        if self.best is not None:
            values["best_cost_cents"] = self.best
        try:
            with session_scope(self.settings.database_url) as session:
                session.execute(update(Job).where(_mine(job_id, worker, attempt)).values(**values))
                cancel = session.scalar(select(Job.cancel_requested).where(Job.id == job_id))
                if cancel:
                    session.execute(
                        update(Job)
                        .where(_mine(job_id, worker, attempt))
                        .values(status="cancelled", finished_at=utcnow())
                    )
        except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
            logger.exception("heartbeat of job %s failed", job_id)
            return
        if cancel:
            logger.info("job %s cancelled; stopping worker %s", job_id, worker)
            os._exit(0)  # the solver cannot be interrupted; the supervisor restarts us


def run_job(settings: Settings, job_id: str, worker: str, attempt: int) -> None:
    """Solve one claimed job and store its plan, unless the lease was lost."""
    from api.services.batches import load_batch
    from optimizer.compiled import COST_PER_CENT
    from optimizer.formats.delivery_json import delivery_to_dict
    from optimizer.formats.plan_json import plan_to_dict
    from optimizer.pipeline import plan_day
    from optimizer.routing import SolveParams

    url = settings.database_url
    with session_scope(url) as session:
        job = session.get(Job, job_id)
        assert job is not None
        stored = session.get(BatchRow, job.batch_id)
        assert stored is not None
        document, kind = stored.document, stored.kind
        time_limit, seed, batch_id = job.time_limit_s, job.seed, job.batch_id
    beat = _Heartbeat(settings, job_id, worker, attempt, time_limit)

    def on_progress(objective: int) -> None:
        cents = objective // COST_PER_CENT
        if beat.best is None or cents < beat.best:
            beat.best = cents

    beat.start()
    try:
        batch = load_batch(document, kind)
        params = SolveParams(time_limit=time_limit, seed=seed, engine="hybrid")
        day = plan_day(batch, dataclasses.replace(params, on_progress=on_progress))
        plan_doc = plan_to_dict(
            day.plan, day.problem, day.report, day.kpis, date=batch.date, timezone=batch.timezone
        )
        plan_doc["delivery"] = delivery_to_dict(day)
        summary = _summary(plan_doc)
        error = None
    except Exception as exc:  # noqa: BLE001 - recorded on the job, never lost
        logger.exception("job %s failed", job_id)
        plan_doc, summary, error = None, None, f"{type(exc).__name__}: {exc}"
    finally:
        beat.stopped.set()
    with session_scope(url) as session:
        mine = session.scalar(select(Job).where(_mine(job_id, worker, attempt)).with_for_update())
        if mine is None:
            logger.warning("job %s: lease lost; result of attempt %d dropped", job_id, attempt)
            return
        now = utcnow()
        if plan_doc is None or summary is None:
            mine.status, mine.error, mine.finished_at = "failed", error, now
            return
        plan = Plan(batch_id=batch_id, job_id=job_id, document=plan_doc)
        session.add(plan)
        session.flush()
        mine.status, mine.plan_id, mine.summary = "done", plan.id, summary
        mine.progress, mine.finished_at = 1.0, now
        mine.best_cost_cents = round(summary["cost_eur"] * 100)


def _summary(plan_doc: dict[str, Any]) -> dict[str, Any]:
    kpis = plan_doc["delivery"]["kpis"]
    return {
        "cost_eur": kpis["cost_eur"],
        "distance_km": kpis["distance_km"],
        "co2_kg": kpis["co2_kg"],
        "routes": len(plan_doc["routes"]),
        "stops": kpis["stops"],
        "orders": kpis["orders"],
        "orders_unassigned": len(plan_doc["delivery"]["unassigned_orders"]),
        "unassigned": plan_doc["delivery"]["unassigned_orders"],
        "checker_feasible": plan_doc["check"]["feasible"]
        and plan_doc["delivery"]["checker"]["feasible"],
    }


def _alive(settings: Settings, worker: str) -> None:
    """Record that this worker is alive (read by ``/readyz``)."""
    with session_scope(settings.database_url) as session:
        row = session.get(WorkerBeat, worker)
        if row is None:
            session.add(WorkerBeat(name=worker, last_seen=utcnow()))
        else:
            row.last_seen = utcnow()


def workers_alive(settings: Settings) -> int:
    """Workers seen within one lease."""
    since = utcnow() - dt.timedelta(seconds=settings.lease_s)
    with session_scope(settings.database_url) as session:
        return len(session.scalars(select(WorkerBeat).where(WorkerBeat.last_seen >= since)).all())


def work(settings: Settings, *, once: bool = False) -> None:
    """A worker's loop: claim and run jobs, deliver due webhooks, until killed."""
    from api.services.webhooks import deliver_due

    worker = worker_name()
    logger.info("worker %s started", worker)
    last_beat = 0.0
    while True:
        if time.monotonic() - last_beat > settings.heartbeat_s:
            _alive(settings, worker)
            last_beat = time.monotonic()
        claimed = claim(settings, worker)
        if claimed is not None:
            run_job(settings, claimed[0], worker, claimed[1])
        delivered = deliver_due(settings)
        if once and claimed is None:
            return
        if claimed is None and not delivered:
            time.sleep(settings.poll_s)


def _die_with_parent() -> None:
    """Ask Linux to stop this process when its parent dies (``PR_SET_PDEATHSIG``).

    So a ``tournee serve`` killed by a signal takes its workers along; their
    jobs' leases expire and the next start takes them over.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the pool's own stop() still applies
        logger.debug("PR_SET_PDEATHSIG unavailable")


def _child(settings_data: dict[str, Any]) -> None:
    _die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    work(Settings(**settings_data))


class WorkerPool:
    """Worker processes, restarted when one exits (cancel) or dies."""

    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self.size = size
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.stopping = threading.Event()
        self.monitor = threading.Thread(target=self._watch, daemon=True)

    def _spawn(self) -> multiprocessing.process.BaseProcess:
        process = self.context.Process(
            target=_child, args=(self.settings.model_dump(),), daemon=True
        )
        process.start()
        return process

    def start(self) -> None:
        """Migrate the database and start the workers."""
        migrate(self.settings.database_url)
        self.processes = [self._spawn() for _ in range(self.size)]
        self.monitor.start()

    def _watch(self) -> None:
        while not self.stopping.wait(0.5):
            for k, process in enumerate(self.processes):
                if not process.is_alive() and not self.stopping.is_set():
                    logger.info(
                        "worker pid %s exited (%s); restarting", process.pid, process.exitcode
                    )
                    self.processes[k] = self._spawn()

    def alive(self) -> int:
        """Number of live workers."""
        return sum(p.is_alive() for p in self.processes)

    def stop(self) -> None:
        """Stop every worker (their running jobs are taken over after a restart)."""
        self.stopping.set()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(5)
