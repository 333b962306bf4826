"""Shared by the benchmarks: a scratch PostgreSQL database, the ``caseledger`` command, a real server,
timers around live methods, percentiles and verdicts, the machine's and the code's description, and the
results folder."""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The maintenance database the scratch databases are created from (trust auth on 127.0.0.1 by default)."""
    return os.environ.get("BENCH_POSTGRES") or os.environ.get("CASELEDGER_TEST_POSTGRES") or DEFAULT_ADMIN_URL


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create a fresh database, yield its URL, and drop it (forcing out stray connections) at the end."""
    admin = admin_url()
    dbname = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield with_database(admin, dbname)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def caseledger_executable() -> str:
    beside = Path(sys.executable).parent / "caseledger"
    if beside.exists():
        return str(beside)
    found = shutil.which("caseledger")
    if found is None:
        raise SystemExit("the caseledger command is not installed (run `make` or `pip install -e .`)")
    return found


def caseledger(env: dict[str, str], *args: str) -> str:
    """Run ``caseledger ARGS`` and return its standard output; fail loudly with its error output."""
    done = subprocess.run(
        [caseledger_executable(), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"caseledger {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_ACCESS_STATUS = re.compile(r'" (\d{3}) ')


@dataclass
class ServerLog:
    """What the server's own output says: statuses in the access log, tracebacks, worker timeouts."""

    statuses: dict[str, int] = field(default_factory=dict)
    tracebacks: int = 0
    worker_timeouts: int = 0
    error_lines: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> ServerLog:
        log = cls()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _ACCESS_STATUS.search(line)
            if match and '"' in line and ("POST " in line or "GET " in line):
                log.statuses[match.group(1)] = log.statuses.get(match.group(1), 0) + 1
            if line.startswith("Traceback"):
                log.tracebacks += 1
            if "WORKER TIMEOUT" in line:
                log.worker_timeouts += 1
            if ("[ERROR]" in line or "[CRITICAL]" in line) and len(log.error_lines) < 20:
                log.error_lines.append(line.strip())
        return log


class Server:
    """``caseledger serve`` as a subprocess (its own session, its own gunicorn control socket), logging to a file."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self._runtime_dir = tempfile.mkdtemp(prefix="caseledger-bench-")
        self._env = env | {"XDG_RUNTIME_DIR": self._runtime_dir}
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        log_path = self.log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    caseledger_executable(),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_healthy(30.0)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def session(self) -> int | None:
        """The session id of the server's processes (its master's pid)."""
        return self._process.pid if self._process is not None else None

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /api/health within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate gunicorn (graceful), then kill its whole session if it lingers."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # the master and its workers share the session (and process group) it leads
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        shutil.rmtree(self._runtime_dir, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Timers:
    """Adds up the time spent in wrapped methods of live objects or modules, by name (a name, or a function
    of the call's arguments that gives one). Not for methods called from several threads at once."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self._installed: list[tuple[Any, str, Any]] = []

    def wrap(self, obj: Any, attribute: str, name: str | Callable[..., str]) -> None:
        original = getattr(obj, attribute)
        seconds, calls = self.seconds, self.calls
        if isinstance(name, str):
            seconds.setdefault(name, 0.0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = name if isinstance(name, str) else name(*args, **kwargs)
                seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - started
                calls[key] += 1

        setattr(obj, attribute, timed)
        self._installed.append((obj, attribute, original))

    def remove(self) -> None:
        """Put every wrapped method back: a module's own function, an object's method of its class."""
        for obj, attribute, original in reversed(self._installed):
            if isinstance(obj, type(sys)):
                setattr(obj, attribute, original)
            else:
                vars(obj).pop(attribute, None)
        self._installed.clear()


def in_threads(total: int, threads: int, one: Callable[[int, int], object]) -> tuple[float, list[float], list[str]]:
    """Call ``one(i, thread)`` for i in range(total) from ``threads`` threads; the wall time and each latency."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def run(thread: int) -> None:
        mine: list[float] = []
        barrier.wait()
        while True:
            with lock:
                i = next(counter)
            if i >= total:
                break
            started = time.perf_counter()
            try:
                one(i, thread)
            except Exception as error:
                errors.append(repr(error))
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, latencies, errors


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "max_ms": (max(seconds) * 1000) if seconds else math.nan,
        "mean_ms": (sum(seconds) / len(seconds) * 1000) if seconds else math.nan,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def step(what: str) -> None:
    """Say on standard error which phase of a benchmark starts."""
    print(f"· {what}", file=sys.stderr, flush=True)


def postgres_version(url: str) -> str:
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute("SELECT version()").fetchone()
    return str(row[0]) if row else "?"


def postgres_settings(url: str, names: Sequence[str]) -> dict[str, str]:
    with psycopg.connect(url, connect_timeout=5) as conn:
        rows = conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(names),)).fetchall()
    return {str(name): str(setting) for name, setting in rows}


def machine(url: str) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "python": sys.version.split()[0],
        "psycopg": psycopg.__version__,
        "psycopg_impl": psycopg.pq.__impl__,
        "postgres": postgres_version(url),
        "postgres_settings": postgres_settings(
            url, ["fsync", "synchronous_commit", "shared_buffers", "max_connections", "wal_level"]
        ),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it (others edit concurrently)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=Path(__file__).parent)
        return done.stdout.rstrip("\n")

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if not line[3:].startswith("bench/")]
    commit = git("rev-parse", "--short", "HEAD") or os.environ.get(
        "BENCH_CODE_VERSION", "unknown (not a git work tree)"
    )
    return {"commit": commit, "changed_outside_bench": changed}


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

CpuReading = dict[int, tuple[str, float]]


def cpu_seconds(session: int | None = None) -> CpuReading:
    """CPU time (user + system) used so far by each process of ``session`` ("server"), of PostgreSQL
    ("postgres") and this one ("bench"), read from /proc (Linux only; empty elsewhere)."""
    reading: CpuReading = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return reading
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
        pid = int(entry.name)
        if pid == me:
            reading[pid] = ("bench", used)
        elif session is not None and int(fields[3]) == session:
            reading[pid] = ("server", used)
        elif comm.startswith("postgres"):
            reading[pid] = ("postgres", used)
    return reading


def cpu_used(before: CpuReading, after: CpuReading, seconds: float) -> dict[str, float]:
    """Cores used on average by each group between two :func:`cpu_seconds` readings ``seconds`` apart
    (processes that ended in between are not counted)."""
    cores = {"server": 0.0, "postgres": 0.0, "bench": 0.0}
    for pid, (group, used) in after.items():
        earlier = before.get(pid)
        cores[group] += used - (earlier[1] if earlier and earlier[0] == group else 0.0)
    return {group: round(total / seconds, 3) for group, total in cores.items()}
