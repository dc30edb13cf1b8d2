"""Package registry clients: what a registry says of one package, its source repository
and its latest version (ADR 0021).

One class per registry API, each at a base URL from the settings (an empty one leaves
that ecosystem out). Every request has a timeout (core.http.ForgeHTTP), waits at least
`min_interval` seconds after the previous one to the same registry, and sends the stored
ETag as If-None-Match. A name is sent as one percent-encoded path segment (npm's scoped
names as `@scope%2Fname`); a name or version made of dots only, which a URL library would
resolve as `..`, is refused before any request.

Answers: `Answer(status="found" | "not_modified" | "not_found", …)`. `RegistryUnavailable`
(429, 5xx, timeout, connection refused) means: stop asking this registry for this run;
`BadAnswer` (malformed document, another 4xx): this package's answer is unusable.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from packaging.version import InvalidVersion, Version

from catalog.enums import Ecosystem
from catalog.libraries import npm_repository_urls
from catalog.manifests.maven import UnreadablePom, child, read_pom
from core.http import ForgeError, ForgeHTTP, MalformedResponse, NotFound, RateLimited
from core.text import clean_line

USER_AGENT = "codegouv-registry-check (+https://code.gouv.fr)"
MAX_VERSION_LENGTH = 100
_MAVEN_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


class RegistryUnavailable(Exception):
    """The registry throttles, fails or does not answer: its run stops here."""


class BadAnswer(Exception):
    """The registry's answer about one package cannot be used (the others may be)."""


class InvalidName(BadAnswer):
    """A name that cannot be sent to the registry as it is: nothing was asked."""


@dataclass
class Answer:
    status: str  # "found" | "not_modified" | "not_found"
    source_urls: list[str] = field(default_factory=list)
    latest_version: str = ""
    etag: str = ""


def segment(text: str) -> str:
    """`text` as one path segment: every reserved character percent-encoded; a segment
    of dots only (`.`, `..`) is refused, as clients resolve it before sending."""
    if not isinstance(text, str) or not text or not text.strip("."):
        raise InvalidName(f"{text!r} cannot be a path segment")
    return quote(text, safe="")


def _text(value) -> str:
    return clean_line(value, max_length=MAX_VERSION_LENGTH) if isinstance(value, str) else ""


def _strings(*values) -> list[str]:
    return [value for value in values if isinstance(value, str) and value.strip()]


class Registry:
    ecosystem = ""

    def __init__(
        self,
        *,
        base_url: str,
        http: ForgeHTTP,
        min_interval: float = 1.0,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.min_interval = min_interval
        self.sleep = sleep
        self.clock = clock
        self._last: float | None = None

    def _get(self, url: str, *, etag: str = "", params=None, accept: str = ""):
        """One paced GET: not found → NotFound; throttled, failing, silent → unavailable."""
        if self._last is not None:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        try:
            return self.http.get(url, etag=etag, params=params, accept=accept)
        except (NotFound, MalformedResponse):
            raise
        except RateLimited as exc:
            raise RegistryUnavailable(str(exc)) from None
        except ForgeError as exc:
            if exc.status in (404, 410):
                raise NotFound(str(exc), status=exc.status) from None
            if exc.status is None or exc.status >= 500:
                raise RegistryUnavailable(str(exc)) from None
            raise BadAnswer(str(exc)) from None
        finally:
            self._last = self.clock()

    def _json(self, url: str, *, etag: str = "", params=None):
        """(document as a dict, response) or None for a 304; NotFound for a 404."""
        response = self._get(url, etag=etag, params=params)
        if response.not_modified:
            return None, response
        try:
            data = response.json()
        except MalformedResponse as exc:
            raise BadAnswer(str(exc)) from None
        if not isinstance(data, dict):
            raise BadAnswer(f"{url}: not a JSON object")
        return data, response

    def lookup(self, name: str, *, etag: str = "") -> Answer:
        try:
            data, response = self._json(self.package_url(name), etag=etag)
        except NotFound:
            return Answer("not_found")
        if data is None:
            return Answer("not_modified", etag=etag)
        urls, version = self.read(data)
        return Answer("found", urls, _text(version), response.etag[:255])

    def package_url(self, name: str) -> str:
        raise NotImplementedError

    def read(self, data: dict) -> tuple[list[str], str]:
        """(source URLs, the likeliest first; latest version) of the registry's document."""
        raise NotImplementedError


class Npm(Registry):
    """`GET <base>/<name>`: `repository` (a string or {url}), `dist-tags.latest`."""

    ecosystem = Ecosystem.NPM

    def package_url(self, name: str) -> str:
        if name.startswith("@"):
            for part in name[1:].partition("/")[::2]:
                segment(part)  # neither the scope nor the name may be dots only
            return f"{self.base_url}/@{segment(name[1:])}"
        return f"{self.base_url}/{segment(name)}"

    def read(self, data):
        tags = data.get("dist-tags")
        latest = tags.get("latest") if isinstance(tags, dict) else ""
        return npm_repository_urls(data.get("repository")), latest


# PyPI project URL labels that name the source repository, the likeliest first.
_SOURCE_LABELS = re.compile(r"source|repo|code|git|github|gitlab", re.I)


class PyPI(Registry):
    """`GET <base>/pypi/<name>/json`: `info.project_urls`, `info.home_page`,
    `info.version`."""

    ecosystem = Ecosystem.PYPI

    def package_url(self, name: str) -> str:
        return f"{self.base_url}/pypi/{segment(name)}/json"

    def read(self, data):
        info = data.get("info")
        if not isinstance(info, dict):
            raise BadAnswer("no info object")
        labelled = info.get("project_urls")
        labelled = labelled if isinstance(labelled, dict) else {}
        sources = [url for label, url in labelled.items() if _SOURCE_LABELS.search(str(label))]
        others = [url for label, url in labelled.items() if url not in sources]
        return _strings(*sources, *others, info.get("home_page")), info.get("version")


def latest_stable(versions) -> str:
    """The highest stable version among `versions` (Composer's keys: `1.2.0`, `v2.0.1`,
    `dev-main`, `2.x-dev`), else the highest of any kind, else ""."""
    parsed = []
    for text in versions:
        if not isinstance(text, str) or text.startswith("dev-") or text.endswith("-dev"):
            continue
        try:
            parsed.append((Version(text.removeprefix("v")), text))
        except InvalidVersion:
            continue
    stable = [item for item in parsed if not item[0].is_prerelease]
    return max(stable or parsed, default=(None, ""))[1]


class Packagist(Registry):
    """`GET <base>/packages/<vendor>/<name>.json`: `package.repository`, the versions."""

    ecosystem = Ecosystem.COMPOSER

    def package_url(self, name: str) -> str:
        vendor, _, bare = name.partition("/")
        return f"{self.base_url}/packages/{segment(vendor)}/{segment(bare + '.json')}"

    def read(self, data):
        package = data.get("package")
        if not isinstance(package, dict):
            raise BadAnswer("no package object")
        versions = package.get("versions")
        return _strings(package.get("repository")), latest_stable(
            versions if isinstance(versions, dict) else ()
        )


class Crates(Registry):
    """`GET <base>/api/v1/crates/<name>`: `crate.repository`, `crate.max_stable_version`
    (else `max_version`). The registry wants a User-Agent that says who asks."""

    ecosystem = Ecosystem.CARGO

    def package_url(self, name: str) -> str:
        return f"{self.base_url}/api/v1/crates/{segment(name)}"

    def read(self, data):
        crate = data.get("crate")
        if not isinstance(crate, dict):
            raise BadAnswer("no crate object")
        version = crate.get("max_stable_version") or crate.get("max_version")
        return _strings(crate.get("repository"), crate.get("homepage")), version


class RubyGems(Registry):
    """`GET <base>/api/v1/gems/<name>.json`: `source_code_uri`, `homepage_uri`,
    `version`."""

    ecosystem = Ecosystem.GEM

    def package_url(self, name: str) -> str:
        return f"{self.base_url}/api/v1/gems/{segment(name + '.json')}"

    def read(self, data):
        return _strings(data.get("source_code_uri"), data.get("homepage_uri")), data.get("version")


def pom_source_urls(content: bytes) -> list[str]:
    """The source URLs a POM gives: `scm/url`, then `scm/connection` and
    `scm/developerConnection` (`scm:git:` dropped later), then the project's `url`."""
    try:
        project = read_pom(content)
    except UnreadablePom as exc:
        raise BadAnswer(f"POM not readable: {exc}") from None
    scm = child(project, "scm")
    found = [child(scm, name) for name in ("url", "connection", "developerConnection")]
    found.append(child(project, "url"))
    return _strings(*(element.text for element in found if element is not None))


class Maven(Registry):
    """The search API, `GET <base>/solrsearch/select?q=g:"group" AND a:"artifact"&wt=json`
    (the latest version; its ETag), then the POM of that version from the repository,
    `GET <repository>/<group path>/<artifact>/<version>/<artifact>-<version>.pom`
    (`scm/url`)."""

    ecosystem = Ecosystem.MAVEN

    def __init__(self, *, repository_url: str, **options):
        super().__init__(**options)
        self.repository_url = repository_url.rstrip("/")

    @staticmethod
    def coordinates(name: str) -> tuple[str, str]:
        group, _, artifact = name.partition(":")
        if not (_MAVEN_PART.match(group) and _MAVEN_PART.match(artifact)):
            raise InvalidName(f"{name!r} is not group:artifact")
        if any(not part for part in group.split(".")) or not artifact.strip("."):
            raise InvalidName(f"{name!r} has an empty part")
        return group, artifact

    def search_params(self, name: str) -> dict:
        group, artifact = self.coordinates(name)
        return {"q": f'g:"{group}" AND a:"{artifact}"', "rows": "1", "wt": "json"}

    def pom_url(self, name: str, version: str) -> str:
        group, artifact = self.coordinates(name)
        path = "/".join(segment(part) for part in group.split("."))
        return (
            f"{self.repository_url}/{path}/{segment(artifact)}/{segment(version)}/"
            f"{segment(f'{artifact}-{version}.pom')}"
        )

    def lookup(self, name: str, *, etag: str = "") -> Answer:
        params = self.search_params(name)
        data, response = self._json(f"{self.base_url}/solrsearch/select", etag=etag, params=params)
        if data is None:
            return Answer("not_modified", etag=etag)
        found = data.get("response")
        docs = found.get("docs") if isinstance(found, dict) else None
        if not isinstance(docs, list):
            raise BadAnswer("no response.docs list")
        if not docs or not isinstance(docs[0], dict):
            return Answer("not_found")
        version = _text(docs[0].get("latestVersion") or docs[0].get("v"))
        urls: list[str] = []
        if version:
            try:
                pom = self._get(self.pom_url(name, version), accept="application/xml, text/xml")
                urls = pom_source_urls(pom.content)
            except NotFound:
                urls = []  # the search knows a version the repository does not serve
        return Answer("found", urls, version, response.etag[:255])


REGISTRY_CLASSES = {
    Ecosystem.NPM: Npm,
    Ecosystem.PYPI: PyPI,
    Ecosystem.COMPOSER: Packagist,
    Ecosystem.CARGO: Crates,
    Ecosystem.GEM: RubyGems,
    Ecosystem.MAVEN: Maven,
}


def http_from_settings(**overrides) -> ForgeHTTP:
    """A client that never retries nor waits: a throttled or failing registry is left for
    the next run (ADR 0021)."""
    options = {
        "connect_timeout": settings.HARVEST_CONNECT_TIMEOUT,
        "read_timeout": settings.HARVEST_READ_TIMEOUT,
        "max_retries": 0,
        # Below zero: a Retry-After, even of 0 s, stops the registry's run at once.
        "max_rate_limit_wait": -1,
    }
    http = ForgeHTTP(**(options | overrides))
    http.session.headers["User-Agent"] = USER_AGENT
    return http


def registries_from_settings(*, sleep=time.sleep, clock=time.monotonic, **http_options):
    """{ecosystem: Registry} of the registries whose base URL is set (REGISTRY_URLS);
    Maven needs REGISTRY_MAVEN_REPOSITORY_URL too. Each has its own connection."""
    found = {}
    interval = settings.REGISTRY_MIN_INTERVAL_MS / 1000
    for ecosystem, base_url in settings.REGISTRY_URLS.items():
        cls = REGISTRY_CLASSES.get(ecosystem)
        if not base_url or cls is None:
            continue
        options = {
            "base_url": base_url,
            "http": http_from_settings(**http_options),
            "min_interval": interval,
            "sleep": sleep,
            "clock": clock,
        }
        if cls is Maven:
            if not settings.REGISTRY_MAVEN_REPOSITORY_URL:
                continue
            options["repository_url"] = settings.REGISTRY_MAVEN_REPOSITORY_URL
        found[ecosystem] = cls(**options)
    return found
