"""A fake code forge over real HTTP on 127.0.0.1, to test forge API clients offline.

Dialects: ``"github"`` (REST v3), ``"gitlab"`` (API v4), ``"gitea"`` (Gitea/Forgejo/Gogs API
v1). Standard library only; each server runs in a daemon thread.

Usage::

    from tests.fakeforge import FakeForge, populate

    @pytest.fixture
    def forge():
        with FakeForge("gitlab") as server:  # start() ... stop()
            yield server

    def test_harvest(forge):
        forge.add_owner("dinum/sub", "group")  # parent group "dinum" created implicitly
        repo = forge.add_repo("dinum/sub", "app", license="EUPL-1.2", topics=["api"],
                              files={"README.md": "# App", "publiccode.yml": "name: app"})
        harvest(forge.api_url)  # "http://127.0.0.1:PORT/api/v4"
        repo.stars = 3  # mutable: pages listing it now have another ETag
        forge.fail_next(502)  # the next request gets a 502, then all is normal again
        ...
        assert ("GET", "/api/v4/groups/1", 200) in forge.requests

Always stop a started server (``with``, or ``stop()`` in a fixture's teardown): it closes
the listening socket and open connections, which the test suite's warnings-as-errors needs.

``api_url``: ``http://127.0.0.1:PORT`` (github), ``.../api/v4`` (gitlab), ``.../api/v1``
(gitea); web URLs (``html_url``, ``web_url``) use ``base_url`` (same host and port).

Data:
    ``add_owner(path, kind=None, *, id=None, **profile)``: kind "organization", "group" or
    "user" (organization and group are synonyms; default per dialect). Profile fields: name,
    description (users' bio), email, location, website (GitHub blog), avatar_url, created_at.
    Only GitLab groups may be nested ("a/b/c"); missing parents are created.
    ``add_repo(owner_path, name, **fields)`` -> FakeRepo (owner created when missing; fields
    documented on ``FakeForge.add_repo`` and ``FakeRepo``), ``remove_repo``, ``rename_repo``,
    ``move_repo``, ``get_owner``, ``get_repo``, ``owners``, ``repos``. Assigning a FakeRepo
    field takes effect at once (``name``/``owner``/``id`` re-index it; ``files``/``empty``
    simulate a push: ``pushed_at``/``updated_at`` move forward). Naive datetimes are UTC.
    Head commit: ``repo.head_commit`` is the default branch's commit id, a stable fake
    SHA-1 of the id and ``repo.pushes`` (counted by ``touch()``, by ``files``/``empty``
    assignments and by a new ``pushed_at``; a rename keeps it), "" for an empty repository;
    ``repo.head_sha = "..."`` serves that exact string instead (a malformed id).
    ``populate(server, owners=..., repos_per_owner=..., seed=0, publiccode_share=0.1)`` fills
    a server with varied deterministic data (20,000 repos in about a second).

HTTP behaviour:
    Every 200 response has an ETag (hash of the body); a matching If-None-Match gets a 304
    with an empty body. GitHub responses carry X-RateLimit-* headers; each non-304 request
    spends one unit of ``server.rate_limit_budget`` (default 5000, window of one hour).
    ``server.latency`` seconds are slept before each request. ``server.requests`` logs
    ``LoggedRequest(method, path, status)`` (path on the server with query, e.g.
    ``/api/v4/projects?page=2``); ``reset_log()`` empties it.

Faults (``path``: a regex searched in that logged path; None: any request). Queued faults
are consumed in order, one per request, the first whose path matches:
    ``fail_next(status=502, times=1, path=None, *, body=None)``: error with the dialect's JSON
    error body (or ``body``, sent as text/html).
    ``delay_next(seconds, times=1, path=None)``: answer late (client read timeouts).
    ``malformed_next(times=1, path=None)``: 200 with truncated JSON.
    ``secondary_rate_limit(retry_after=1, times=1, *, status=None, path=None)``: GitHub 403
    (or ``status=429``) with Retry-After; GitLab/Gitea 429.
Persistent:
    ``rate_limit(remaining=0, reset_in=2)``: ``remaining`` requests then GitHub 403 with
    X-RateLimit-Remaining: 0 and X-RateLimit-Reset (GitLab/Gitea: 429 with Retry-After) until
    the reset, after which the full budget is back.
    ``interrupt_listing_after(pages, status=500, path=None)``: pages of paginated listings
    after page ``pages`` fail.
    ``clear_faults()`` drops all of them and resets the rate-limit window.

GitHub GraphQL (``POST /graphql``, github dialect only; see the ``graphql`` module): a small
strict parser of the queries the harvest sends (aliased ``repository(owner:, name:)`` blocks
with ``defaultBranchRef``, ``languages(first:)``, ``object(expression: "<rev>:<path>")``
and their trees and blobs, plus ``rateLimit``), answered from the data. An unknown field or
argument is a whole-query error (200, ``errors``, no ``data``); an unknown repository is
null with a NOT_FOUND error naming its alias. It requires an Authorization header (401
without), spends one point per query of ``server.graphql_budget`` (5,000 an hour, apart
from the REST budget; its X-RateLimit-Resource is ``graphql``) and, once spent
(``graphql_rate_limit(remaining=0, reset_in=2)``), answers 200 with a RATE_LIMITED error.
``graphql_repo_error(full_name, type="SERVICE_UNAVAILABLE", times=1)`` makes one
repository's alias fail. The queued faults apply (``fail_next(502, path="^/graphql$")``,
``malformed_next``, ``delay_next``); ETags and 304s do not. A blob's ``text`` is null when
its bytes are not UTF-8 or hold a NUL (``isBinary``).

Endpoints: see the docstrings of the ``github``, ``gitlab`` and ``gitea`` modules and their
``ROUTES``. Branches: only the default branch exists, with the head commit (404 for any
other name and for an empty repository): GitHub ``/repos/{owner}/{repo}/branches/{branch}``
(``commit.sha``), Gitea ``/api/v1/repos/{owner}/{repo}/branches/{branch}`` (``commit.id``),
GitLab ``/api/v4/projects/{id}/repository/branches/{branch}`` (URL-encoded, ``commit.id``).
Trees (the manifests' harvest): GitHub and Gitea ``/repos/{owner}/{repo}/git/trees/{ref}``
(``ref`` the head commit or the default branch, else 404; ``?recursive=1`` for every level;
``tree[]`` of ``path``, ``type`` blob/tree, ``size`` on blobs, ``truncated``; Gitea pages it
with ``per_page``, default 1000, and ``page``), GitLab ``/projects/{id}/repository/tree``
(``path=`` a directory, ``ref=`` the branch, ``recursive=``, paginated, no sizes). Files at
any depth: ``contents/{path}`` (GitHub, Gitea), ``repository/files/{URL-encoded path}/raw``.
"""

from .core import FakeOwner, FakeRepo
from .generate import populate
from .server import FakeForge, LoggedRequest

__all__ = ["FakeForge", "FakeOwner", "FakeRepo", "LoggedRequest", "populate"]
