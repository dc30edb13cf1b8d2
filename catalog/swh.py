"""The Software Heritage Web API client: latest visits, known SWHIDs, Save Code Now.

Only the calls with generous limits are used: `origin/{url}/visit/latest/` (700 a minute
anonymously), never `origin/{url}/get/` (120 an hour). The client spends the budget the
archive announces in its `X-RateLimit-*` headers, every answer counted (404s too): when it
is spent it waits for the reset if that comes within `max_wait`, else it raises
RateLimited before sending anything, so a run stops cleanly with the reset time to come
back at. The token goes to the API's host only (requests drops it on a redirect to
another host) and is never logged.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from django.conf import settings

from core.http import ForgeHTTP, MalformedResponse, NotFound, RateLimited, reset_epoch

KNOWN_BATCH = 1000
SWHID_RE = re.compile(r"^swh:1:(cnt|dir|rev|rel|snp):[0-9a-f]{40}$")
USER_AGENT = "codegouv-archive-check (+https://code.gouv.fr)"


def revision_swhid(commit: str) -> str:
    """The SWHID of a git commit, or "" when `commit` is not a full SHA-1."""
    commit = commit.strip().lower()
    return f"swh:1:rev:{commit}" if re.fullmatch(r"[0-9a-f]{40}", commit) else ""


def snapshot_swhid(snapshot: str | None) -> str:
    snapshot = (snapshot or "").strip().lower()
    return f"swh:1:snp:{snapshot}" if re.fullmatch(r"[0-9a-f]{40}", snapshot) else ""


def _path(origin: str) -> str:
    """An origin URL as the API takes it in a path: as is, reserved characters escaped."""
    return quote(origin, safe=":/@")


class SoftwareHeritage:
    def __init__(
        self,
        *,
        api_url: str,
        token: str = "",
        max_wait: float = 120,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_retries: int = 3,
        sleep=time.sleep,
        clock=time.time,
    ):
        self.options = {
            "api_url": api_url,
            "token": token,
            "max_wait": max_wait,
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "max_retries": max_retries,
            "sleep": sleep,
            "clock": clock,
        }
        self.api_url = api_url.rstrip("/") + "/"
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        # {group: (remaining, reset epoch)} from the last answer: the save endpoint has
        # its own, much smaller, budget.
        self.budgets: dict[str, tuple[int, float]] = {}
        self._group = "default"
        self.http = ForgeHTTP(
            token=token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_retries=max_retries,
            max_rate_limit_wait=max_wait,
            sleep=sleep,
            clock=clock,
            on_response=self._record_budget,
        )
        self.http.session.headers["User-Agent"] = USER_AGENT

    def clone(self) -> SoftwareHeritage:
        """Another client like this one, on its own connection (one per thread)."""
        return SoftwareHeritage(**self.options)

    def close(self):
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def requests(self) -> int:
        return self.http.stats.requests

    def _record_budget(self, headers) -> None:
        try:
            remaining = int(headers.get("X-RateLimit-Remaining", ""))
        except ValueError:
            return
        reset = reset_epoch(headers.get("X-RateLimit-Reset"))
        if reset is not None:
            self.budgets[self._group] = (remaining, reset)

    def _spend(self, group: str) -> None:
        """Before a request of `group`: wait for the reset or stop when the budget the
        archive announced is spent."""
        self._group = group
        remaining, reset = self.budgets.get(group, (1, 0.0))
        if remaining > 0:
            return
        wait = reset - self.clock()
        if wait <= 0:
            return
        if wait > self.max_wait:
            raise RateLimited(
                f"Software Heritage: the {group} budget is spent until "
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(reset))} UTC",
                reset_at=reset,
            )
        self.sleep(wait + 1)
        self.budgets.pop(group, None)

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _json(self, response, kind: type):
        data = response.json()
        if not isinstance(data, kind):
            raise MalformedResponse(f"{response.url}: unexpected answer from Software Heritage")
        return data

    def latest_visit(self, origin: str, *, require_snapshot: bool) -> dict | None:
        """The origin's latest visit (with a snapshot when `require_snapshot`), None when
        the archive has no such origin or no such visit."""
        self._spend("default")
        params = {"require_snapshot": "true"} if require_snapshot else None
        try:
            response = self.http.get(
                self._url(f"origin/{_path(origin)}/visit/latest/"), params=params
            )
        except NotFound:
            return None
        return self._json(response, dict)

    def known(self, swhids: list[str]) -> dict[str, bool]:
        """Whether the archive holds each SWHID, asked 1,000 at a time."""
        answer: dict[str, bool] = {}
        for start in range(0, len(swhids), KNOWN_BATCH):
            batch = swhids[start : start + KNOWN_BATCH]
            self._spend("default")
            data = self._json(self.http.post(self._url("known/"), json_body=batch), dict)
            for swhid in batch:
                item = data.get(swhid)
                answer[swhid] = bool(isinstance(item, dict) and item.get("known"))
        return answer

    def save(self, origin: str) -> dict:
        """Ask the archive to save a git origin now (a pending request is returned as is)."""
        self._spend("save")
        return self._json(self.http.post(self._url(f"origin/save/git/url/{_path(origin)}/")), dict)

    def save_status(self, request_id: int) -> dict:
        self._spend("default")
        return self._json(self.http.get(self._url(f"origin/save/{int(request_id)}/")), dict)


def client_from_settings(**overrides) -> SoftwareHeritage:
    options = {
        "api_url": settings.SWH_API_URL,
        "token": settings.SWH_API_TOKEN,
        "max_wait": settings.SWH_MAX_RATE_LIMIT_WAIT,
        "connect_timeout": settings.HARVEST_CONNECT_TIMEOUT,
        "read_timeout": settings.HARVEST_READ_TIMEOUT,
        "max_retries": settings.HARVEST_MAX_RETRIES,
    }
    return SoftwareHeritage(**(options | overrides))
