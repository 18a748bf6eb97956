"""The database engines behind ``veille.store.Store``: a DuckDB file or a PostgreSQL server.

The Store's SQL is portable and written with ``?`` placeholders. A backend opens
connections and owns what differs between the engines:

- placeholders (PostgreSQL's driver wants ``%s``), and accent folding (DuckDB's built-in
  ``strip_accents``, PostgreSQL's ``unaccent`` extension created by a migration);
- the migration files written for one engine only (``0003_x.postgresql.sql``);
- concurrency. PostgreSQL lets readers and writers overlap. A DuckDB file is open either
  read-write by one process or read-only by any number, so the processes take turns (see
  ``DuckDBBackend``).
- the ingest lock, held for a whole ``veille ingest`` run so that two ingests never
  write the same database at once: a ``flock`` on ``<file>.lock`` holding the PID for
  DuckDB, an advisory lock for PostgreSQL.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:  # duckdb and psycopg are imported only when a database is opened
    import duckdb
    import psycopg

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
#: Seconds a PostgreSQL connection attempt may take before the user is told why it failed.
CONNECT_TIMEOUT = 10


#: ``veille serve --memory-limit``: what DuckDB's buffer pool may use in the server, and in
#: any process while it counts the summaries from scratch (``Backend.bounded_memory``).
DEFAULT_MEMORY_LIMIT = "1GB"
MEMORY_LIMIT_VARIABLE = "VEILLE_MEMORY_LIMIT"
_MEMORY_LIMIT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT])(I?)B", re.IGNORECASE)


def check_memory_limit(value: str) -> str:
    """``value`` if DuckDB reads it as an amount of memory ("1GB", "512MiB"); ValueError
    otherwise."""
    if not _MEMORY_LIMIT.fullmatch(value.strip()):
        raise ValueError(f"not an amount of memory such as 1GB or 512MiB: {value!r}")
    return value.strip()


class StoreError(Exception):
    """The database cannot be opened or written; ``str()`` is one line for the user."""


def memory_limit() -> str:
    """``VEILLE_MEMORY_LIMIT`` if set, else ``DEFAULT_MEMORY_LIMIT``."""
    value = os.environ.get(MEMORY_LIMIT_VARIABLE) or DEFAULT_MEMORY_LIMIT
    try:
        return check_memory_limit(value)
    except ValueError as error:
        raise StoreError(f"{MEMORY_LIMIT_VARIABLE}: {error}") from None


def memory_bytes(limit: str) -> int:
    """The bytes of a memory limit as DuckDB reads it (GB = 10^9 bytes, GiB = 2^30)."""
    match = _MEMORY_LIMIT.fullmatch(check_memory_limit(limit))
    assert match is not None  # checked
    power = "KMGT".index(match[2].upper()) + 1
    return int(float(match[1]) * (1024 if match[3] else 1000) ** power)


class Rows(Protocol):
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...
    def fetchmany(self, size: int) -> list[tuple[Any, ...]]: ...


class Connection(ABC):
    """An open connection in autocommit mode; transactions are explicit BEGIN/COMMIT."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Run one statement written with ``?`` placeholders."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def execute_script(self, sql: str) -> None:
        """Run several statements without parameters (a migration file)."""

    @abstractmethod
    def close(self) -> None: ...


class Backend(ABC):
    """One database (a DuckDB file or a PostgreSQL URL) and how to reach it."""

    dialect: ClassVar[str]
    #: How the database is named to the user (a URL without its password).
    name: str
    #: The driver's exceptions, which the Store turns into ``StoreError``.
    errors: tuple[type[Exception], ...]

    @abstractmethod
    def connect(self, read_only: bool, wait: float) -> Connection:
        """Open a connection, waiting up to ``wait`` seconds for a busy database."""

    @abstractmethod
    def fold(self, expression: str) -> str:
        """SQL for ``expression`` with its accents removed."""

    def binary(self, expression: str) -> str:
        """SQL for ``expression`` compared and sorted by code point, as Python sorts."""
        return expression

    @abstractmethod
    def bucket(self, expression: str, buckets: int) -> str:
        """SQL for a number in ``[0, buckets)`` drawn from the text ``expression`` by a hash
        (equal texts, equal numbers: within one run, not necessarily across versions)."""

    def bounded_memory(self, connection: Connection) -> AbstractContextManager[None]:
        """Around statements that read the whole database at once (``summaries.rebuild``):
        their memory kept within ``memory_limit()`` where the engine runs in this process."""
        return nullcontext()  # a PostgreSQL server spills past its work_mem by itself

    @abstractmethod
    def ingest_lock(self) -> AbstractContextManager[None]:
        """Held for a whole ingest; raises ``StoreError`` naming the holder if taken."""

    def schema_lock(self, connection: Connection) -> AbstractContextManager[None]:
        """Held while migrating, so that two writers never apply the same migration."""
        return nullcontext()  # a DuckDB writer has the file to itself

    def writer_waiting(self) -> bool:
        """Whether a writer waits for readers to close the database (DuckDB only)."""
        return False


def backend_for(db: str) -> Backend:
    """The backend of ``--db``: a PostgreSQL URL, else a DuckDB file (or ``:memory:``)."""
    if db.startswith(POSTGRES_SCHEMES):
        return PostgresBackend(db)
    return DuckDBBackend(db)


def locked_by_ingest(name: str, holder: str | None) -> StoreError:
    who = f"ingest process {holder}" if holder else "another ingest process"
    return StoreError(
        f"{name}: database is locked by {who}; wait for it to finish or use another --db"
    )


# -- DuckDB --------------------------------------------------------------------------


class DuckDBBackend(Backend):
    """A DuckDB file shared by one writer and many readers, taking turns.

    DuckDB lets one process open a file read-write or many open it read-only, never both.
    So nobody holds the file for long: ``veille serve`` opens it read-only for each
    request, and ``veille ingest`` buffers coded documents and opens it read-write only to
    write a batch. Whoever finds the file taken retries until ``wait`` runs out.

    Retrying alone could starve the writer, since overlapping requests may always hold a
    read-only connection. A gate file (``<file>.gate``) gives the writer its turn: a writer
    holds an exclusive ``flock`` on it for as long as it has the file open; a reader takes
    a shared one only while it opens the file. Once a writer holds the gate no new reader
    gets in, and the readers already in finish their requests and let it through.
    """

    dialect = "duckdb"

    def __init__(self, db: str) -> None:
        import duckdb  # here: `veille extract` opens no database and spares its import

        self.path = db
        self.name = db
        self.errors = (duckdb.Error,)
        self.in_memory = db == ":memory:"

    def connect(self, read_only: bool, wait: float) -> Connection:
        if read_only and not self.in_memory and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such database; run `veille ingest` first")
        deadline = time.monotonic() + wait
        gate = None if self.in_memory else self._take_gate(read_only, deadline)
        try:
            connection = self._open(read_only, deadline)
        except BaseException:
            _release(gate)
            raise
        if read_only:  # a reader holds the gate only to get in
            _release(gate)
            gate = None
        return DuckDBConnection(connection, gate)

    def fold(self, expression: str) -> str:
        return f"strip_accents({expression})"

    def bucket(self, expression: str, buckets: int) -> str:
        return f"hash({expression}) % {buckets}"

    @contextmanager
    def bounded_memory(self, connection: Connection) -> Iterator[None]:
        # Past the limit DuckDB spills to its temp_directory (<file>.tmp); an insert that
        # need not keep its rows' order buffers less.
        bounded = {"memory_limit": memory_limit(), "preserve_insertion_order": "false"}
        before = {name: _setting(connection, name) for name in bounded}
        for name, value in bounded.items():
            connection.execute(f"SET {name} = '{value}'")
        yield  # not restored after an error: an aborted transaction refuses SET
        for name, value in before.items():
            # The default back exactly (a limit reads back rounded, "2.7 GiB"), else the value.
            connection.execute(f"RESET {name}")
            if _setting(connection, name) != value:
                connection.execute(f"SET {name} = '{value}'")

    def writer_waiting(self) -> bool:
        # A writer holds the gate exclusively from the moment it asks for the file.
        try:
            fd = os.open(f"{self.path}.gate", os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # drops the shared lock if it was taken

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        if self.in_memory:
            yield
            return
        try:
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"{self.path}.lock: cannot create ({error.strerror})") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                raise locked_by_ingest(self.path, holder) from None
            # The PID is only a message for the next user: the kernel drops the flock when
            # this process ends, however it ends, so a stale file never blocks anyone.
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)

    def _take_gate(self, read_only: bool, deadline: float) -> int | None:
        gate_path = f"{self.path}.gate"
        try:
            # A reader may lack write access to the folder: it then goes without the gate.
            fd = os.open(gate_path, os.O_RDONLY if read_only else os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            if read_only:
                return None
            raise StoreError(f"{gate_path}: cannot create ({error.strerror})") from None
        mode = fcntl.LOCK_SH if read_only else fcntl.LOCK_EX
        for delay in _backoff(deadline):
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if delay is None:
                    os.close(fd)
                    raise StoreError(
                        f"{self.path}: database is busy: another process is writing it; "
                        "try again in a moment"
                    ) from None
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _open(self, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
        import duckdb

        for delay in _backoff(deadline):
            try:
                return duckdb.connect(self.path, read_only=read_only)
            except (duckdb.IOException, duckdb.ConnectionException) as error:
                if delay is None or not _is_lock_conflict(error):
                    raise StoreError(_explain_open_error(self.path, error)) from None
                time.sleep(delay)
        raise AssertionError("unreachable")


class DuckDBConnection(Connection):
    def __init__(self, connection: duckdb.DuckDBPyConnection, gate: int | None) -> None:
        self.connection = connection
        self.gate = gate

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self.connection.execute(sql, list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, [list(row) for row in rows])

    def execute_script(self, sql: str) -> None:
        self.connection.execute(sql)

    def cursor(self) -> DuckDBConnection:
        """Another connection to the same open database, for another thread: it shares
        the database's memory (buffer pool, loaded indexes) and holds no gate."""
        return DuckDBConnection(self.connection.cursor(), None)

    def close(self) -> None:
        try:
            self.connection.close()
        finally:
            _release(self.gate)
            self.gate = None


def _setting(connection: Connection, name: str) -> str:
    row = connection.execute(f"SELECT current_setting('{name}')").fetchone()
    return str(row[0]) if row else ""


def _backoff(deadline: float) -> Iterator[float | None]:
    """Sleep times between attempts (5 ms doubling to 100 ms); None once time is up."""
    delay = 0.005
    while True:
        if time.monotonic() + delay > deadline:
            yield None
            return
        yield delay
        delay = min(delay * 2, 0.1)


def _release(gate: int | None) -> None:
    if gate is not None:
        os.close(gate)  # closing the descriptor drops its flock


def _is_lock_conflict(error: Exception) -> bool:
    message = str(error)
    # Another process holds the file, or this one has it open in the other mode.
    return "lock" in message.lower() or "different configuration" in message


def _explain_open_error(path: str, error: Exception) -> str:
    message = str(error)
    if "different configuration" in message:
        return f"{path}: database is open in another mode by this process; try again"
    if "lock" in message.lower():
        holder = re.search(r"\(PID (\d+)\)", message)
        who = f"process {holder[1]}" if holder else "another process"
        return f"{path}: database is locked by {who}; wait for it to finish or use another --db"
    return f"{path}: cannot open database ({message.splitlines()[0]})"


# -- PostgreSQL ------------------------------------------------------------------------


def _advisory_key(purpose: str) -> int:
    """A fixed positive 64-bit advisory lock key, unlikely to be another application's."""
    return int.from_bytes(hashlib.sha256(purpose.encode()).digest()[:8], "big") >> 1


INGEST_LOCK_KEY = _advisory_key("veille ingest")
SCHEMA_LOCK_KEY = _advisory_key("veille schema")
_LOCK_HOLDER = re.compile(r"^veille ingest (\d+)@(.*)$")


class PostgresBackend(Backend):
    """A PostgreSQL database given as ``postgresql://user[:password]@host:port/dbname``.

    Readers and writers overlap freely (each transaction sees a snapshot), so ``wait``
    is not needed. A read-only Store's session is read-only on the server too.
    """

    dialect = "postgresql"

    def __init__(self, db: str) -> None:
        import psycopg

        self.url = db
        self.name = _redacted(db)
        self.errors = (psycopg.Error,)

    def connect(self, read_only: bool, wait: float) -> Connection:
        connection = self._connect()
        if read_only:
            connection.execute("SET default_transaction_read_only = on")
        return PostgresConnection(connection)

    def fold(self, expression: str) -> str:
        return f"unaccent({expression})"

    def binary(self, expression: str) -> str:
        return f'({expression}) COLLATE "C"'  # not the database's language collation

    def bucket(self, expression: str, buckets: int) -> str:
        # The first 28 bits of an MD5: a non-negative integer.
        return (
            f"CAST(CAST('x' || substr(md5({expression}), 1, 7) AS bit(28)) AS integer) % {buckets}"
        )

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        # A session lock on its own connection: the server drops it when the connection
        # ends, so an ingest that was killed never leaves the database locked.
        holder_name = f"veille ingest {os.getpid()}@{socket.gethostname()}"[:63]
        connection = self._connect(application_name=holder_name)
        try:
            row = connection.execute(
                "SELECT pg_try_advisory_lock(%s)", [INGEST_LOCK_KEY]
            ).fetchone()
            if not row or not row[0]:
                raise locked_by_ingest(self.name, self._lock_holder(connection))
            yield
        finally:
            connection.close()

    @contextmanager
    def schema_lock(self, connection: Connection) -> Iterator[None]:
        connection.execute("SELECT pg_advisory_lock(?)", [SCHEMA_LOCK_KEY])
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(?)", [SCHEMA_LOCK_KEY])

    def _lock_holder(self, connection: psycopg.Connection[Any]) -> str | None:
        row = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND (l.classid::bigint << 32) | l.objid::bigint = %s",
            [INGEST_LOCK_KEY],
        ).fetchone()
        match = _LOCK_HOLDER.match(row[0]) if row and row[0] else None
        return f"{match[1]} on {match[2]}" if match else None

    def _connect(self, **options: Any) -> psycopg.Connection[Any]:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        try:
            if "connect_timeout" not in conninfo_to_dict(self.url):
                options["connect_timeout"] = CONNECT_TIMEOUT
            return psycopg.connect(make_conninfo(self.url, **options), autocommit=True)
        except psycopg.Error as error:
            # libpq's first line says what failed ("connection to server at ... failed:
            # Connection refused"); the next ones are hints.
            lines = str(error).strip().splitlines()
            reason = lines[0].removeprefix("connection failed: ") if lines else "unknown error"
            reason = _hide_password(reason, self.url)
            raise StoreError(f"{self.name}: cannot connect ({reason})") from None


class PostgresConnection(Connection):
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self.connection.execute(_pyformat(sql), list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(_pyformat(sql), rows)

    def execute_script(self, sql: str) -> None:
        self.connection.execute(sql)  # no parameters: several statements are allowed

    def close(self) -> None:
        self.connection.close()


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (the Store's SQL has no ``?`` in literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


_PASSWORD_IN_URL = re.compile(r"^([a-z]+://[^/:@]*):([^/]*)@")  # the last @ ends it
_PASSWORD_PARAMETER = re.compile(r"([?&])password=([^&]*)&?")


def _redacted(url: str) -> str:
    """The URL without its password, fit to print and to show in the API."""
    without_password = _PASSWORD_IN_URL.sub(r"\1@", url)
    return _PASSWORD_PARAMETER.sub(r"\1", without_password).rstrip("?&")


def _hide_password(message: str, url: str) -> str:
    """``message`` with any password of ``url`` masked (libpq may quote the URL)."""
    for pattern in (_PASSWORD_IN_URL, _PASSWORD_PARAMETER):
        match = pattern.search(url)
        if match and match[2]:
            message = message.replace(match[2], "***")
    return message
