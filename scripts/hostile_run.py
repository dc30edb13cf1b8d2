"""Hostile input against the portal served like production: no request may end in a 5xx.

    .venv/bin/python scripts/hostile_run.py [--workers 3] [--clients 8] [--reload-demo]

Prepares the database named by DATABASE_URL (default: the local PostgreSQL database
`codegouv_hostile`, created on first use): migrate, `load_demo` (unless the demo data is
already there, or with --reload-demo), collectstatic when the manifest is missing; then stores
a few rows whose text holds the worst strings data from outside can carry (control
characters, U+0085, U+FFFE, 300-character values, `<script>`, `javascript:` links).

Serves the portal with gunicorn (DEBUG off, plain HTTP, GUNICORN_WORKERS workers) and sends
thousands of requests from a pool of threads, each written byte for byte on its own socket
(nothing re-encodes them): every GET parameter of every listing and feed, plus format, sort,
page and per_page, with NUL, control characters, invalid UTF-8 (percent-encoded and raw),
300-character values, SQL / tsquery / LIKE / regex metacharacters and repeated parameters;
and every detail route with the same in its path.

Prints the requests sent, the count per status, every 5xx with its URL, the first traceback
of each distinct cause from the gunicorn log (kept, its path printed), and the 200 answers
whose body is broken: an Atom feed that is not well-formed XML, a JSON export that does not
parse, a page that shows our `<script>` or links to `javascript:`. Exits 1 if anything of
the kind was seen, 0 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/codegouv_hostile"
REQUEST_TIMEOUT = 60  # seconds, each request (a full export included)
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
MAX_5XX_LISTED = 200

# --- What the stored rows hold ---------------------------------------------------------------

SCRIPT = "<script>alert('hostile')</script>"
JAVASCRIPT_URL = "javascript:alert(1)"
NASTY = (
    f"bs\x08 esc\x1b[31m del\x7f nel\u0085 nonchar\ufffe rlo\u202e {SCRIPT} "
    "& \"quotes\" 'apos' ]]> --> \t tab"
)
LONG = "Ʃ" * 150 + "x" * 150  # 300 characters, half of them two bytes in UTF-8
MARKER = "hostile"

# --- What the requests carry (already percent-encoded, sent as they are) ---------------------

VALUES = [
    "%00",
    "a%00b",
    "%08",
    "%1b%5B31m",
    "%7f",
    "%C2%85",
    "%EF%BF%BE",
    "%E2%80%AE",
    "%FF%FE",
    "%ED%A0%80",
    "%C0%AF",
    "%F0%9F%92%A9",
    "x" * 300,
    "%C3%A9" * 300,
    "%00" * 100,
    "'%20OR%201=1%20--",
    "a%20%26%20%7C%20!%20:%20*%20(%20)",
    "!!!",
    "%26%26%7C%7C",
    "%25",
    "_",
    "%5C%5C",
    "%5C",
    ".*",
    "%5B",
    "%3C-%3E",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "%22",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "+",
    "",
]
# Raw bytes in the request line, not percent-encoded: gunicorn decodes them as Latin-1.
RAW_VALUES = [b"\xff\xfe", b"\xc3\x28", b"\xe9t\xe9"]
# Values of the parameters whose answer is a download, sent with each listing's own values.
EXPORT_FORMATS = ["csv", "json"]

REPOSITORY_PARAMS = [
    "q",
    "forge",
    "owner",
    "public_body",
    "language",
    "license",
    "topic",
    "publiccode",
    "contributing",
    "fork",
    "archived",
    "active",
    "awesome",
    "min_stars",
    "swh",
    "dependency",
    "dependency_scope",
]
LISTING_PARAMS = ["sort", "page", "per_page", "format"]
OWNER_PARAMS = ["q", "forge", "kind"]
SOFTWARE_PARAMS = [
    "q",
    "category",
    "status",
    "license",
    "support_market",
    "has_referent",
    "platform",
    "public_body",
]
CONTRIBUTION_PARAMS = ["q", "kind", "public_body", "project", "year"]
# The public API's own parameters (api.paging), on top of each list's filters.
API_PARAMS = ["cursor", "page_size", "ordering", "updated_since"]
EVENT_PARAMS = ["q", "kind", "organiser", "period"]
CONTRIBUTOR_PARAMS = ["ministry", "public_body", "page"]
DEPENDENCY_PARAMS = ["q", "ecosystem", "ministry", "public_body", "scope", "sort", "page"]
LIBRARY_PARAMS = ["q", "ecosystem", "ministry", "public_body", "sort", "page"]
PATH_SEGMENTS = [
    "%00",
    "a%00b",
    "%08",
    "%1b",
    "%7f",
    "%C2%85",
    "%EF%BF%BE",
    "%FF%FE",
    "%ED%A0%80",
    "x" * 300,
    "%3Cscript%3E",
    "'%20OR%201=1--",
    "%25",
    "%2e%2e",
    "%2F",
    "-1",
    "99999999999999999999999999",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="requests at once")
    parser.add_argument("--reload-demo", action="store_true", help="run load_demo again")
    args = parser.parse_args()

    os.environ.pop("REDIS_URL", None)  # the cache in memory: this run is about input
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "codegouv.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        }
    )
    started = time.perf_counter()
    targets = prepare(reload_demo=args.reload_demo)
    print(f"database ready in {time.perf_counter() - started:.1f} s")

    requests = build_requests(targets)
    port = free_port()
    log_fd, log_path = tempfile.mkstemp(prefix="hostile-gunicorn-", suffix=".log")
    with os.fdopen(log_fd, "wb") as log:
        server = start_server(
            {
                **os.environ,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": str(args.workers),
                "GUNICORN_TIMEOUT": "120",
                # One client address sends every request: past the API's rate limit.
                "API_RATE_LIMIT": "1000000/second",
                "API_SEARCH_RATE_LIMIT": "1000000/second",
            },
            log,
        )
        try:
            if not wait_healthy(server, port):
                print("gunicorn did not become healthy; see", log_path, file=sys.stderr)
                return 2
            print(
                f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; sending "
                f"{len(requests)} requests, {args.clients} at once"
            )
            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(lambda target: send(port, target), requests))
            elapsed = time.perf_counter() - started
        finally:
            stop_server(server)
    return report(results, elapsed, log_path)


# --- Preparation (this process, Django set up) ---------------------------------------------


def prepare(*, reload_demo: bool) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from catalog.models import Repository

    _ensure_database(connection)
    call_command("migrate", verbosity=0)
    if reload_demo or not Repository.objects.filter(remote_id__startswith="demo:").exists():
        print("loading the demo data…", flush=True)
        call_command("load_demo", verbosity=0)
    if not (BASE_DIR / "staticfiles" / "staticfiles.json").exists():
        print("collectstatic…")
        call_command("collectstatic", interactive=False, verbosity=0)
    targets = store_hostile_rows()
    connections.close_all()
    return targets


def _ensure_database(connection):
    import psycopg

    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def store_hostile_rows() -> dict:
    """Rows with the worst strings in every text field, written straight to the database
    (as a past import or a bug could have left them): replaced on each run. Returns the
    paths of their pages and of one demo row of each kind."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Forge, Library, Owner, PublicBody, Repository
    from catalog.search import update_search_vectors
    from catalog.services.counts import refresh_owner_counts
    from contributions.models import Contribution
    from moderation.models import ModerationStatus
    from sill.models import Software

    now = timezone.now()
    with transaction.atomic():
        Contribution.objects.filter(project_name__startswith=MARKER).delete()
        Software.objects.filter(slug__startswith=MARKER).delete()
        Repository.objects.filter(remote_id__startswith=f"{MARKER}:").delete()
        Library.objects.filter(purl__startswith=f"pkg:npm/{MARKER}").delete()
        Owner.objects.filter(path__startswith=MARKER).delete()
        PublicBody.objects.filter(pso_id__startswith=MARKER).delete()

        body = PublicBody.objects.create(pso_id=f"{MARKER}-body", name=NASTY)
        forge = Forge.objects.filter(host="github.com").first() or Forge.objects.create(
            host="github.com", kind="github", api_url="https://api.github.com"
        )
        owners = [
            Owner.objects.create(
                forge=forge,
                path=path,
                kind="organization",
                name=NASTY,
                description=NASTY + "\n" + LONG,
                website=JAVASCRIPT_URL,
                location=NASTY[:255],
                public_body=body,
                floss_policy=JAVASCRIPT_URL,
                ospo_url=JAVASCRIPT_URL,
            )
            for path in (MARKER, f"{MARKER}-<script>", f"{MARKER}-{'y' * 150}")
        ]
        repositories = [
            ("nasty", NASTY[:255]),
            ("<script>alert(1)</script>", "<script>"),
            ("x" * 300, "x" * 255),
            ("sp ace\u0085é", "ré\x1bpo"),
        ]
        for owner in owners:
            for index, (name, label) in enumerate(repositories):
                full_path = f"{owner.path}/{name}"
                repository = Repository.objects.create(
                    forge=forge,
                    owner=owner,
                    remote_id=f"{MARKER}:{owner.path}:{index}",
                    full_path=full_path,
                    name=label,
                    web_url=f"https://github.com/{quote(full_path)}",
                    description=NASTY + "\n" + LONG,
                    homepage=JAVASCRIPT_URL,
                    default_branch="main\x7f",
                    license_reported=NASTY[:255],
                    license_spdx="NOASSERTION",
                    language="C\x1b[31m",
                    topics=[NASTY, SCRIPT, "\ufffe", LONG],
                    root_files=["README", "CONTRIBUTING"],
                    publiccode={"name": NASTY, "url": JAVASCRIPT_URL},
                    publiccode_errors=[NASTY],
                    languages={"C\x1b": 100, SCRIPT: 1},
                    score=100,
                    # A check whose code this version does not know (renamed since).
                    score_checks=[{"code": NASTY, "passed": True, "weight": 5}],
                    stars=500_000_000,  # the owner's sum stays within an integer
                    created_at=now,
                    updated_at=now,
                    pushed_at=now,
                    first_seen_at=now,
                    last_seen_at=now,
                )
                # A package a registry said it publishes, with the worst strings stored.
                Library.objects.create(
                    ecosystem="npm",
                    name=f"{MARKER}-{owner.path}-{index}-{NASTY}"[:255],
                    purl=f"pkg:npm/{MARKER}-{owner.path}-{index}"[:500],
                    registry_url=JAVASCRIPT_URL,
                    latest_version="\x7f1.0" + SCRIPT[:90],
                    status="matched",
                    repository=repository,
                    source_url=JAVASCRIPT_URL,
                    checked_at=now,
                    last_error=NASTY,
                )
        software = Software.objects.create(
            name=NASTY[:200],
            slug=f"{MARKER}-software",
            function=NASTY,
            description_fr=NASTY + "\n" + LONG,
            description_en=NASTY,
            category=NASTY[:200],
            keywords=[NASTY, SCRIPT],
            license="MIT\x1b",
            website=JAVASCRIPT_URL,
            source_url=JAVASCRIPT_URL,
            documentation_url=JAVASCRIPT_URL,
            logo_url=JAVASCRIPT_URL,
            platforms=[NASTY],
            min_version="\x7f1.0",
            usage_context=NASTY,
            alternatives=NASTY,
            moderation_status=ModerationStatus.PUBLISHED,
        )
        contribution = Contribution.objects.create(
            public_body=body,
            project_name=f"{MARKER} {NASTY}"[:200],
            project_url=JAVASCRIPT_URL,
            kind="code",
            evidence_urls=[JAVASCRIPT_URL, f"https://example.org/{SCRIPT}"],
            started_on=now.date(),
            description=NASTY + "\n" + LONG,
            moderation_status=ModerationStatus.PUBLISHED,
        )
    update_search_vectors()
    refresh_owner_counts()
    contribution.refresh_from_db()

    demo_repository = (
        Repository.objects.visible()
        .filter(remote_id__startswith="demo:")
        .select_related("forge", "owner")
        .order_by("-stars", "pk")
        .first()
    )
    demo_software = Software.objects.published().exclude(slug__startswith=MARKER).first()
    demo_contribution = (
        Contribution.objects.published().exclude(project_name__startswith=MARKER).first()
    )
    print(
        f"stored hostile rows: 1 public body, {len(owners)} organisations, "
        f"{len(owners) * len(repositories)} repositories, 1 software, 1 contribution"
    )

    def path(*segments):
        return "/" + "/".join(quote(segment, safe="") for segment in segments) + "/"

    repository_pages = [
        path("depots", "github.com", *f"{owner.path}/{name}".split("/"))
        for owner in owners
        for name, _label in repositories
    ]
    owner_pages = [path("organisations", "github.com", owner.path) for owner in owners]
    if demo_repository:
        repository_pages.append(
            path("depots", demo_repository.forge.host, *demo_repository.full_path.split("/"))
        )
        owner_pages.append(
            path("organisations", demo_repository.forge.host, demo_repository.owner.path)
        )
    return {
        "repository_pages": repository_pages,
        "owner_pages": owner_pages,
        "software_pages": [path("sill", software.slug)]
        + ([path("sill", demo_software.slug)] if demo_software else []),
        "contribution_pages": [path("contributions", str(contribution.pk))]
        + ([path("contributions", str(demo_contribution.pk))] if demo_contribution else []),
        "project_pages": [path("contributions", "projets") + quote(contribution.project_key) + "/"],
        "public_body_pages": [path("contributions", "organismes", str(body.pk))],
        "public_body_id": str(body.pk),
    }


# --- The requests -----------------------------------------------------------------------------


def build_requests(targets: dict) -> list[bytes]:
    """Request targets (path and query string) as bytes, in a fixed order."""
    requests: list[str | bytes] = []
    owner_page = targets["owner_pages"][0]
    listings = [
        ("/depots/", REPOSITORY_PARAMS + LISTING_PARAMS),
        (owner_page, REPOSITORY_PARAMS + LISTING_PARAMS),
        ("/organisations/", OWNER_PARAMS + LISTING_PARAMS),
        ("/sill/", SOFTWARE_PARAMS + LISTING_PARAMS),
        ("/contributions/", CONTRIBUTION_PARAMS + LISTING_PARAMS),
        ("/api/v1/repositories/", REPOSITORY_PARAMS + API_PARAMS),
        ("/api/v1/repositories/facets/", REPOSITORY_PARAMS),
        ("/api/v1/owners/", OWNER_PARAMS + API_PARAMS),
        ("/api/v1/software/", SOFTWARE_PARAMS + API_PARAMS),
        ("/api/v1/contributions/", CONTRIBUTION_PARAMS + API_PARAMS),
        ("/api/v1/public-bodies/", API_PARAMS),
        ("/bluehats/evenements/", EVENT_PARAMS + LISTING_PARAMS),
        ("/contributeurs/", CONTRIBUTOR_PARAMS),
        ("/dependances/", [*DEPENDENCY_PARAMS, "format"]),
        ("/bibliotheques/", [*LIBRARY_PARAMS, "format"]),
        ("/api/v1/events/", EVENT_PARAMS + API_PARAMS),
        ("/api/v1/gazette/", API_PARAMS),
        ("/api/v1/contributors/", API_PARAMS),
    ]
    feeds = [
        ("/depots/flux.atom", [*REPOSITORY_PARAMS, "sort", "page"]),
        (owner_page + "flux.atom", REPOSITORY_PARAMS),
        ("/sill/flux.atom", SOFTWARE_PARAMS),
        ("/contributions/flux.atom", CONTRIBUTION_PARAMS),
        ("/bluehats/evenements.ics", EVENT_PARAMS),
    ]
    body = targets["public_body_id"]
    for base, params in listings + feeds:
        for param in params:
            for value in VALUES:
                requests.append(f"{base}?{param}={value}")
            for value in RAW_VALUES:
                requests.append(f"{base}?{param}=".encode() + value)
        # Repeated and hostile parameter names, filters that match the hostile rows.
        requests += [
            f"{base}?q=a&q=%00&q=b",
            f"{base}?page=1&page=%00&page=2",
            f"{base}?sort=stars&sort=%00&sort=name",
            f"{base}?per_page=20&per_page=100&per_page=%00",
            f"{base}?format=csv&format=json",
            f"{base}?%00=1",
            f"{base}?%FF%FE=1&q%00=2",
            f"{base}?q={MARKER}",
            f"{base}?q=%3Cscript%3E",
            f"{base}?public_body={body}",
            f"{base}?public_body={body}&q={MARKER}&page=2",
            f"{base}?" + "&".join(f"q{i}=x" for i in range(200)),
        ]
    # The downloads, with each listing's search and filters.
    for base, params in listings:
        for fmt in EXPORT_FORMATS:
            requests += [f"{base}?format={fmt}&q={value}" for value in VALUES]
            requests += [f"{base}?format={fmt}&{param}=%00" for param in params]
            requests += [f"{base}?format={fmt}&public_body={body}", f"{base}?format={fmt}"]
    # Detail pages: the hostile rows' own pages, then hostile segments in every route.
    for key in (
        "repository_pages",
        "owner_pages",
        "software_pages",
        "contribution_pages",
        "project_pages",
        "public_body_pages",
    ):
        for page in targets[key]:
            requests += [page, "/en" + page, page + "?page=%00", page + "?q=%FF"]
    requests += [page + "flux.atom" for page in targets["owner_pages"]]
    for segment in PATH_SEGMENTS:
        requests += [
            f"/depots/github.com/coq/coq{segment}/",
            f"/depots/github.com/{segment}/{segment}/",
            f"/depots/{segment}/x/",
            f"/depots/github.com/{MARKER}/{segment}/",
            f"/organisations/github.com/{segment}/",
            f"/organisations/{segment}/x/",
            f"/organisations/github.com/{segment}/flux.atom",
            f"/organisations/github.com/{MARKER}{segment}/flux.atom",
            f"/sill/{segment}/",
            f"/sill/{segment}/declarer/utilisateur/",
            f"/sill/{segment}/instances/ajouter/",
            f"/contributions/{segment}/",
            f"/contributions/projets/{segment}/",
            f"/contributions/projets/github.com/{segment}/",
            f"/contributions/organismes/{segment}/",
            f"/donnees/{segment}",
            f"/donnees/{segment}.csv.gz",
            f"/guides/{segment}/",
            f"/en/depots/github.com/{segment}/x/",
            f"/{segment}/",
        ]
    for raw in RAW_VALUES:
        requests += [
            b"/depots/github.com/" + raw + b"/x/",
            b"/organisations/github.com/" + raw + b"/",
            b"/organisations/github.com/" + raw + b"/flux.atom",
            b"/sill/" + raw + b"/",
            b"/contributions/projets/" + raw + b"/",
        ]
    requests += ["/", "/depots/awesome/", "/statistiques/", "/donnees/", "/donnees/dictionnaire/"]
    requests += ["/bibliotheques/?page=9999", "/en/bibliotheques/", "/bibliotheques/?format=csv"]
    return [r if isinstance(r, bytes) else r.encode("ascii") for r in requests]


def send(port: int, target: bytes) -> dict:
    """One GET of `target`, written byte for byte; the status, type and body."""
    request = (
        b"GET " + target + b" HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"Accept: text/html,application/xhtml+xml,*/*\r\n"
        b"Accept-Language: fr\r\n"
        b"User-Agent: codegouv-hostile-run\r\n"
        b"Connection: close\r\n\r\n"
    )
    url = target.decode("latin-1")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT) as sock:
            sock.sendall(request)
            response = http.client.HTTPResponse(sock, method="GET")
            response.begin()
            body = response.read()
            return {
                "url": url,
                "status": response.status,
                "type": response.getheader("Content-Type", ""),
                "body": body if response.status == 200 else b"",
            }
    except (OSError, http.client.HTTPException) as exc:
        return {"url": url, "status": None, "error": f"{type(exc).__name__}: {exc}"}


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, log) -> subprocess.Popen:
    gunicorn = BASE_DIR / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "-c", "gunicorn.conf.py", "codegouv.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(server: subprocess.Popen, port: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        if send(port, b"/healthz").get("status") == 200:
            return True
        time.sleep(0.2)
    return False


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- Checking the answers --------------------------------------------------------------------


def broken_body(result: dict) -> str | None:
    """Why a 200 answer is unusable or unsafe, or None."""
    body, kind = result["body"], result["type"]
    try:
        if "atom" in kind or "xml" in kind:
            ElementTree.fromstring(body)  # noqa: S314 - our own server's feed, on 127.0.0.1
        elif "json" in kind:
            json.loads(body)
        elif "csv" in kind:
            body.decode("utf-8")
        elif "html" in kind:
            html = body.decode("utf-8")
            if "<script>alert(" in html:
                return "HTML: our <script> is in the page unescaped"
            if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I):
                return "HTML: a javascript: link"
    except ElementTree.ParseError as exc:
        return f"feed: not well-formed XML ({exc})"
    except ValueError as exc:  # JSON and UTF-8 errors
        return f"{kind.split(';')[0]}: {type(exc).__name__} ({str(exc)[:80]})"
    return None


TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\[\d{4}-\d\d-\d\d |\S+ - - \[)")


def server_errors(log_path: str) -> list[dict]:
    """Each error the log recorded: its first line, traceback and exception line."""
    lines = Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines()
    errors, current = [], None
    for line in lines:
        if TIMESTAMP.match(line):
            if current:
                errors.append(current)
                current = None
            if " ERROR " in line or "[ERROR]" in line or " CRITICAL " in line:
                current = {"first": line, "lines": [line]}
        elif current is not None:
            current["lines"].append(line)
    if current:
        errors.append(current)
    for error in errors:
        tail = [line for line in error["lines"][1:] if line and not line.startswith(" ")]
        error["exception"] = tail[-1] if tail else error["first"]
        frames = [
            line.strip()
            for line in error["lines"]
            if line.strip().startswith('File "') and "/.venv/" not in line
        ]
        error["where"] = frames[-1] if frames else ""
    return errors


def cause_of(error: dict) -> str:
    exception = error["exception"]
    name = exception.split(":", 1)[0]
    # The class and where in our code: one line per distinct cause, whatever the values.
    where = re.sub(r', in .*$|^File "', "", error["where"]).replace(str(BASE_DIR) + "/", "")
    return f"{name} at {where}" if where else name


def report(results: list[dict], elapsed: float, log_path: str) -> int:
    statuses = Counter(result["status"] or "no answer" for result in results)
    print()
    print(f"{len(results)} requests in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s)")
    print(
        "per status: "
        + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
    )
    for status in sorted(s for s in statuses if isinstance(s, int) and 400 <= s < 500):
        examples = [r["url"][:80] for r in results if r["status"] == status][:3]
        print(f"  {status}, e.g. " + "  ".join(examples))
    failures = [r for r in results if r["status"] is None or r["status"] >= 500]
    if failures:
        print(f"\n{len(failures)} answers 5xx or none:")
        for result in failures[:MAX_5XX_LISTED]:
            status = result["status"] or result.get("error")
            print(f"  {status}  {result['url'][:200]}")
        if len(failures) > MAX_5XX_LISTED:
            print(f"  … and {len(failures) - MAX_5XX_LISTED} more")

    broken = defaultdict(list)
    for result in results:
        if result["status"] == 200 and (why := broken_body(result)):
            broken[why].append(result["url"])
    if broken:
        print(f"\n{sum(len(urls) for urls in broken.values())} answers 200 with a broken body:")
        for why, urls in broken.items():
            print(f"  {len(urls)} x {why}; e.g. {urls[0][:200]}")

    errors = server_errors(log_path)
    causes = defaultdict(list)
    for error in errors:
        causes[cause_of(error)].append(error)
    print(f"\nserver log {log_path}: {len(errors)} errors, {len(causes)} distinct causes")
    for cause, group in sorted(causes.items(), key=lambda item: -len(item[1])):
        print(f"\n--- {len(group)} x {cause}")
        print("\n".join(group[0]["lines"][:60]))
    return 1 if failures or broken or errors else 0


if __name__ == "__main__":
    sys.exit(main())
