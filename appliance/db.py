"""Engine and session factory: SQLite (embedded default, WAL) or MySQL/MariaDB via PyMySQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Execution option naming the SQLite BEGIN mode of a transaction (see _sqlite_begin).
SQLITE_BEGIN = "cirrus_sqlite_begin"


class Database:
    """One engine plus the two session kinds the appliance uses: read and write."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
        else:
            kwargs.update(pool_pre_ping=True, pool_recycle=3600, isolation_level="READ COMMITTED")
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite a writing transaction takes the write lock when it begins, so two writers
        # never both read and then fail to upgrade (SQLITE_BUSY_SNAPSHOT under WAL).
        writer_bind = self.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        self._writer = sessionmaker(writer_bind, expire_on_commit=False)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise.

        Code inside may `commit()` at checkpoints; the next statement starts a new
        transaction (on SQLite a writer's lock is held only while a transaction is open).
        """
        factory = self._writer if write else self._reader
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN so the mode can be chosen per transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())
