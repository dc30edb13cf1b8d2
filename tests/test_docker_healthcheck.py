"""The Dockerfile's HEALTHCHECK, run the way Docker runs it, against a real gunicorn started
with the production settings of .env.example (no Docker engine is needed).

Only the database (the tests' own), Redis (unset: tasks in-process, local cache) and the
address gunicorn binds to (a free port on 127.0.0.1) differ from .env.example.
"""

import http.client
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

# django_db: the tests' database is set up, and gunicorn is pointed at it.
pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60


def dockerfile_healthcheck() -> tuple[list[str], float]:
    """The HEALTHCHECK's command (exec form) and its --timeout in seconds."""
    text = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("HEALTHCHECK "))
    options, _, command = line.partition(" CMD ")
    timeout = re.search(r"--timeout=(\d+)s", options)
    return json.loads(command), float(timeout[1])


def env_example() -> dict[str, str]:
    """.env.example's variables, as docker compose reads them."""
    values = {}
    for line in (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    user = f"{quote(db['USER'], safe='')}{password}"
    if db["HOST"].startswith("/"):  # a Unix socket folder (the embedded server of make test)
        return f"postgres://{user}@/{db['NAME']}?host={quote(db['HOST'], safe='/')}"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def container_environment(**overrides: str) -> dict[str, str]:
    """What the container's processes see: .env.example (env_file), this machine's PATH
    with the virtual environment first (the image's /opt/venv/bin), and `overrides`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CODEGOUV_", "GUNICORN_", "PROCONNECT_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(env_example())
    env.pop("REDIS_URL")
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **overrides)
    return env


def proxied_status(port: int, *, host: str, **headers: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": host, **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def start_gunicorn(database: str, log: Path):
    """gunicorn as the image starts it (its CMD), with .env.example's settings; returns
    (process, environment) once a request gets an answer."""
    port = free_port()
    env = container_environment(
        DATABASE_URL=database, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1"
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "codegouv.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            proxied_status(port, host="code.gouv.fr", **{"X-Forwarded-Proto": "https"})
            return process, env
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def healthy_server(django_db_setup, tmp_path_factory):
    process, env = start_gunicorn(database_url(), tmp_path_factory.mktemp("gunicorn") / "log")
    yield env
    stop(process)


@pytest.fixture(scope="module")
def server_without_database(django_db_setup, tmp_path_factory):
    # Nothing listens on port 1: the database is down, /healthz answers 503.
    dead = "postgres://codegouv@127.0.0.1:1/codegouv"
    process, env = start_gunicorn(dead, tmp_path_factory.mktemp("gunicorn") / "log")
    yield env
    stop(process)


def run_healthcheck(env) -> tuple[subprocess.CompletedProcess, float]:
    command, timeout = dockerfile_healthcheck()
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=BASE_DIR,  # the image's WORKDIR, /app
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout + 5,
        check=False,
    )
    return result, time.monotonic() - started


def test_the_healthcheck_passes_when_the_portal_is_healthy(healthy_server):
    result, elapsed = run_healthcheck(healthy_server)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("/healthz answered 200: ")
    assert elapsed < dockerfile_healthcheck()[1]


def test_a_plain_request_is_refused_or_redirected_in_production(healthy_server):
    """Why the check sends the proxy's headers: .env.example's settings answer 127.0.0.1
    with a 400 (not an allowed host) and plain HTTP with a redirect to https."""
    port = int(healthy_server["GUNICORN_BIND"].rpartition(":")[2])

    assert proxied_status(port, host=f"127.0.0.1:{port}") == 400
    assert proxied_status(port, host="code.gouv.fr") == 301
    assert proxied_status(port, host="code.gouv.fr", **{"X-Forwarded-Proto": "https"}) == 200


def test_the_healthcheck_fails_when_healthz_answers_503(server_without_database):
    result, elapsed = run_healthcheck(server_without_database)

    assert result.returncode == 1
    assert result.stdout.startswith("/healthz answered 503: ")
    assert '"database": {"status": "error"' in result.stdout
    assert elapsed < dockerfile_healthcheck()[1]


def test_the_healthcheck_fails_when_nothing_answers(healthy_server):
    env = {**healthy_server, "GUNICORN_BIND": f"0.0.0.0:{free_port()}"}

    result, elapsed = run_healthcheck(env)

    assert result.returncode == 1
    assert "no answer from 127.0.0.1:" in result.stdout
    assert "ConnectionRefusedError" in result.stdout
    assert elapsed < dockerfile_healthcheck()[1]


def test_the_healthcheck_gives_up_on_a_server_that_never_answers_within_the_timeout(
    healthy_server,
):
    with socket.socket() as silent:  # accepts connections (backlog), never reads or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        env = {**healthy_server, "GUNICORN_BIND": f"127.0.0.1:{silent.getsockname()[1]}"}

        result, elapsed = run_healthcheck(env)

    assert result.returncode == 1
    assert "TimeoutError" in result.stdout
    assert elapsed < dockerfile_healthcheck()[1]


# --- How the script reads the container's settings -------------------------------------------


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location(
        "healthcheck", BASE_DIR / "scripts/healthcheck.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("0.0.0.0:8000", ("127.0.0.1", 8000)),
        ("[::]:8080", ("127.0.0.1", 8080)),
        ("127.0.0.1:9000", ("127.0.0.1", 9000)),
        ("10.0.0.5:8000", ("10.0.0.5", 8000)),
        ("unix:/run/gunicorn.sock", ("127.0.0.1", 8000)),
    ],
)
def test_the_port_is_gunicorns(script, bind, expected):
    assert script.target(bind) == expected


@pytest.mark.parametrize(
    ("allowed_hosts", "expected"),
    [
        ("code.gouv.fr", "code.gouv.fr"),
        ("code.gouv.fr, www.code.gouv.fr", "code.gouv.fr"),
        (".code.gouv.fr", "code.gouv.fr"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_host_is_the_first_allowed_one(script, allowed_hosts, expected):
    assert script.host_header(allowed_hosts) == expected
