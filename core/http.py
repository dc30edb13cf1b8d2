"""The outbound HTTP client of every harvest (forge APIs, Wikidata): timeouts, bounded
retries, rate limits and conditional requests.

Every request has connect and read timeouts. Transient failures (connection errors,
timeouts, 429, 5xx) are retried with bounded exponential backoff; other 4xx are not.
GitHub's primary rate limit (403/429 with X-RateLimit-Remaining: 0) waits for the reset
when it comes within `max_rate_limit_wait`, else raises RateLimited so the run stops
cleanly; the secondary one (Retry-After) waits as told, within the same bound.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import requests

USER_AGENT = "codegouv-harvester (+https://code.gouv.fr)"


class ForgeError(Exception):
    """A request to a forge failed; the message is safe to store and show to editors.
    `status` is the HTTP status of a 4xx answer, `reason` the API's own explanation when
    it gave one in a JSON body ({"reason": …} or {"message": …})."""

    def __init__(self, message: str, *, status: int | None = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.reason = reason


class NotFound(ForgeError):
    pass


class RateLimited(ForgeError):
    def __init__(self, message: str, *, reset_at: float | None = None):
        super().__init__(message, status=429)
        self.reset_at = reset_at


class MalformedResponse(ForgeError):
    pass


@dataclass
class RequestStats:
    requests: int = 0
    not_modified: int = 0
    rate_limit_waits: int = 0


@dataclass
class Response:
    status: int
    url: str
    headers: Any
    content: bytes = b""
    etag: str = ""
    links: dict = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def json(self):
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise MalformedResponse(
                f"{self.url}: the forge answered invalid JSON ({exc})"
            ) from None


def reset_epoch(value) -> float | None:
    """The epoch an `X-RateLimit-Reset` header gives, None when it is missing or not a
    finite number ("nan" or "inf" would make a wait raise, or last forever)."""
    try:
        epoch = float(value or "")
    except ValueError:
        return None
    return epoch if math.isfinite(epoch) else None


class TokenSession(requests.Session):
    """A session whose token stays with the host it was given for, whatever its header:
    requests drops `Authorization` on a redirect to another host (or port, or scheme), not
    GitLab's `PRIVATE-TOKEN`."""

    token_header = ""

    def rebuild_auth(self, prepared_request, response):
        super().rebuild_auth(prepared_request, response)
        if self.token_header and self.should_strip_auth(response.request.url, prepared_request.url):
            prepared_request.headers.pop(self.token_header, None)


class ForgeHTTP:
    def __init__(
        self,
        *,
        token: str = "",
        token_header: str = "Authorization",  # noqa: S107 - a header name
        token_prefix: str = "Bearer ",  # noqa: S107 - a scheme, not a secret
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30,
        max_rate_limit_wait: float = 900,
        sleep=time.sleep,
        clock=time.time,
        on_response=None,
    ):
        self.session = TokenSession()
        self.session.headers["User-Agent"] = USER_AGENT
        # Whether requests carry a token: GitHub's GraphQL API, for one, requires it.
        self.authenticated = bool(token)
        if token:
            self.session.headers[token_header] = f"{token_prefix}{token}"
            self.session.token_header = token_header
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_rate_limit_wait = max_rate_limit_wait
        self.sleep = sleep
        self.clock = clock
        self.stats = RequestStats()
        # Called with every answer's headers before it is handled (e.g. to follow a rate
        # budget that 404s and errors spend as well).
        self.on_response = on_response

    def close(self):
        self.session.close()

    def _wait(self, seconds: float, url: str, reason: str, reset_at: float | None = None):
        if seconds > self.max_rate_limit_wait:
            raise RateLimited(
                f"{url}: {reason}; the limit resets in {int(seconds)} s, more than the "
                f"{int(self.max_rate_limit_wait)} s we wait",
                reset_at=reset_at,
            )
        self.stats.rate_limit_waits += 1
        self.sleep(max(seconds, 0))

    def wait_until(self, reset_at: float, url: str, reason: str) -> None:
        """Wait for a rate limit that resets at epoch `reset_at` (an API that says so in its
        body, as GitHub's GraphQL does), or raise RateLimited when that is further away than
        `max_rate_limit_wait`; counted in `stats.rate_limit_waits`."""
        self._wait(max(reset_at - self.clock(), 0) + 1, url, reason, reset_at)

    def _rate_limit_wait(self, response: requests.Response) -> tuple[float, float | None] | None:
        """Seconds to wait (and reset epoch) when the response says a rate limit was hit."""
        if response.status_code not in (403, 429):
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after and retry_after.strip().isdigit():
            return float(retry_after), None
        # GitHub says Remaining: 0; Software Heritage's 429 may carry only the reset.
        if response.headers.get("X-RateLimit-Remaining") == "0" or (
            response.status_code == 429 and response.headers.get("X-RateLimit-Reset")
        ):
            reset_at = reset_epoch(response.headers.get("X-RateLimit-Reset"))
            if reset_at is None:
                reset_at = self.clock() + 60
            return max(reset_at - self.clock(), 0) + 1, reset_at
        if response.status_code == 429:
            return min(self.backoff * 4, self.max_backoff), None
        return None

    def get(
        self, url: str, *, params: dict | None = None, etag: str = "", accept: str = ""
    ) -> Response:
        return self.request("GET", url, params=params, etag=etag, accept=accept)

    def post(self, url: str, *, json_body=None) -> Response:
        return self.request("POST", url, json_body=json_body)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        etag: str = "",
        json_body=None,
        accept: str = "",
    ) -> Response:
        headers = {"Accept": accept or "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        attempt = 0
        while True:
            self.stats.requests += 1
            try:
                raw = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.max_retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "unreachable"
                    raise ForgeError(f"{url}: {kind} after {attempt + 1} attempts") from None
                self.sleep(min(self.backoff * 2**attempt, self.max_backoff))
                attempt += 1
                continue
            except requests.RequestException as exc:
                raise ForgeError(f"{url}: {type(exc).__name__}") from None

            if self.on_response is not None:
                self.on_response(raw.headers)
            limited = self._rate_limit_wait(raw)
            if limited is not None:
                seconds, reset_at = limited
                raw.close()
                if (
                    reset_at is None
                    and raw.status_code == 429
                    and not raw.headers.get("Retry-After")
                ):
                    # A bare 429 says nothing of when: retried like a 5xx, boundedly.
                    if attempt >= self.max_retries:
                        raise RateLimited(f"{url}: HTTP 429 after {attempt + 1} attempts")
                    attempt += 1
                self._wait(seconds, url, f"rate limited (HTTP {raw.status_code})", reset_at)
                continue
            if raw.status_code >= 500:
                raw.close()
                if attempt >= self.max_retries:
                    raise ForgeError(f"{url}: HTTP {raw.status_code} after {attempt + 1} attempts")
                self.sleep(min(self.backoff * 2**attempt, self.max_backoff))
                attempt += 1
                continue
            if raw.status_code == 304:
                self.stats.not_modified += 1
                return Response(304, raw.url, raw.headers, b"", etag, self._links(raw))
            if raw.status_code == 404:
                raise NotFound(f"{raw.url}: not found", status=404, reason=self._reason(raw))
            if raw.status_code >= 400:
                raise ForgeError(
                    f"{raw.url}: HTTP {raw.status_code}",
                    status=raw.status_code,
                    reason=self._reason(raw),
                )
            return Response(
                raw.status_code,
                raw.url,
                raw.headers,
                raw.content,
                raw.headers.get("ETag", ""),
                self._links(raw),
            )

    @staticmethod
    def _reason(raw: requests.Response) -> str:
        """The API's explanation of a 4xx, from a JSON body, on one bounded line."""
        try:
            data = raw.json()
        except ValueError:
            return ""
        if not isinstance(data, dict):
            return ""
        reason = data.get("reason") or data.get("message") or ""
        return " ".join(str(reason).split())[:500]

    @staticmethod
    def _links(raw: requests.Response) -> dict:
        return {rel: link["url"] for rel, link in raw.links.items() if "url" in link}
