"""Service settings, read once from the environment (prefix ``TOURNEE_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of the HTTP service and its workers.

    Every field can be set with an environment variable ``TOURNEE_<NAME>``,
    for example ``TOURNEE_DATABASE_URL=postgresql+psycopg://127.0.0.1/test``.
    """

    model_config = SettingsConfigDict(env_prefix="TOURNEE_", extra="ignore")

    database_url: str = "sqlite:///tournee.db"
    """SQLAlchemy URL; the embedded default is a SQLite file in the working folder."""
    workers: int = 1
    """Worker processes started by ``tournee serve`` (0: run ``tournee worker`` apart)."""
    http_workers: int = 1
    """HTTP server processes of ``tournee serve``; two serve a 2-core machine's load."""
    lease_s: float = 15.0
    """A running job whose worker sent no heartbeat for this long is taken over."""
    heartbeat_s: float = 2.0
    """Seconds between worker heartbeats."""
    poll_s: float = 0.5
    """Seconds an idle worker waits before looking for a job again."""
    max_body_bytes: int = 5_000_000
    """Largest accepted request body (413 above)."""
    default_time_limit_s: float = 20.0
    """Solve time limit when a job does not give one."""
    max_time_limit_s: float = 600.0
    """Largest solve time limit a job may ask for."""
    page_size: int = 50
    """Default page size of carrier route lists."""
    webhook_timeout_s: float = 5.0
    """Timeout of one webhook delivery attempt."""
    webhook_max_attempts: int = 8
    """Deliveries given up after this many failed attempts."""
    webhook_backoff_s: float = 2.0
    """First retry delay; doubles after each failure."""


@lru_cache
def get_settings() -> Settings:
    """The settings, read once (tests clear the cache or override the dependency)."""
    return Settings()
