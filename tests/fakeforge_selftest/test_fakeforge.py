"""Self-tests of tests.fakeforge, through real HTTP with ``requests``."""

import base64
import time
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import requests
import yaml

from tests.fakeforge import FakeForge, LoggedRequest, populate

TIMEOUT = 5


@pytest.fixture
def make_forge():
    started = []

    def make(kind="github", **kwargs):
        forge = FakeForge(kind, **kwargs).start()
        started.append(forge)
        return forge

    yield make
    for forge in started:
        forge.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture
def github(make_forge):
    return make_forge("github")


@pytest.fixture
def gitlab(make_forge):
    return make_forge("gitlab")


@pytest.fixture
def gitea(make_forge):
    return make_forge("gitea")


def get(http, url, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    return http.get(url, **kwargs)


def collect(http, url, *, key=None):
    """Follow rel="next" links; returns (items, number of requests)."""
    items, calls = [], 0
    while url:
        response = get(http, url)
        response.raise_for_status()
        calls += 1
        data = response.json()
        items += data[key] if key else data
        url = response.links.get("next", {}).get("url")
    return items, calls


# --- lifecycle ----------------------------------------------------------------------------


def test_api_urls_and_stop(make_forge, http):
    urls = {kind: make_forge(kind).api_url for kind in ("github", "gitlab", "gitea")}
    assert urls["github"].startswith("http://127.0.0.1:")
    assert urls["gitlab"].endswith("/api/v4")
    assert urls["gitea"].endswith("/api/v1")
    with FakeForge("github") as forge:
        url = forge.api_url
        assert get(http, f"{url}/orgs/nobody").status_code == 404
    with pytest.raises(requests.ConnectionError):
        get(http, f"{url}/orgs/nobody")
    with pytest.raises(RuntimeError):
        forge.api_url  # noqa: B018


def test_request_log_and_latency(make_forge, http):
    forge = make_forge("github", latency=0.05)
    forge.add_owner("dinum")
    started = time.monotonic()
    get(http, f"{forge.api_url}/orgs/dinum?x=1")
    assert time.monotonic() - started >= 0.05
    assert forge.requests == [LoggedRequest("GET", "/orgs/dinum?x=1", 200)]
    assert forge.requests[0].status == 200
    forge.reset_log()
    assert forge.requests == []


def test_keep_alive_connection_closed_on_stop(make_forge, http):
    forge = make_forge("gitea")
    forge.add_owner("dinum")
    url = f"{forge.api_url}/orgs/dinum"
    assert get(http, url).ok  # the session keeps the connection open
    forge.stop()
    with pytest.raises(requests.ConnectionError):
        get(http, url)


# --- GitHub -------------------------------------------------------------------------------


def test_github_owners(github, http):
    github.add_owner("dinum", name="DINUM", description="Direction", website="https://x.fr")
    github.add_owner("alice", "user", name="Alice", description="Dev")
    org = get(http, f"{github.api_url}/orgs/dinum").json()
    assert org["login"] == "dinum" and org["name"] == "DINUM"
    assert org["type"] == "Organization" and org["blog"] == "https://x.fr"
    assert org["html_url"] == f"{github.base_url}/dinum"
    user = get(http, f"{github.api_url}/users/alice").json()
    assert (user["type"], user["bio"], user["name"]) == ("User", "Dev", "Alice")
    assert get(http, f"{github.api_url}/users/dinum").json()["type"] == "Organization"
    missing = get(http, f"{github.api_url}/orgs/alice")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"


def test_github_pagination(github, http):
    for i in range(75):
        github.add_repo("dinum", f"repo-{i:02d}")
    github.add_repo("other", "elsewhere")
    url = f"{github.api_url}/orgs/dinum/repos?type=all&per_page=30"
    first = get(http, url)
    assert [r["name"] for r in first.json()][:2] == ["repo-00", "repo-01"]
    assert set(first.links) == {"next", "last"}
    assert first.links["next"]["url"] == f"{url}&page=2"
    assert first.links["last"]["url"] == f"{url}&page=3"
    second = get(http, first.links["next"]["url"])
    assert set(second.links) == {"prev", "next", "last", "first"}
    assert second.links["first"]["url"] == f"{url}&page=1"
    third = get(http, second.links["next"]["url"])
    assert set(third.links) == {"prev", "first"} and len(third.json()) == 15
    items, calls = collect(http, url)
    names = [r["full_name"] for r in items]
    assert calls == 3 and names == sorted(names) and len(set(names)) == 75
    # per_page is capped at 100, defaults to 30; user listing too.
    assert len(get(http, f"{url.split('?')[0]}?per_page=500").json()) == 75
    assert len(get(http, f"{github.api_url}/users/dinum/repos?type=owner").json()) == 30
    small = get(http, f"{github.api_url}/users/other/repos")
    assert "Link" not in small.headers and len(small.json()) == 1


def test_github_repository_object(github, http):
    created = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)
    github.add_repo(
        "dinum",
        "app",
        description="An app",
        languages={"Python": 1000, "HTML": 5000},
        license="AGPL-3.0",
        topics=["api", "gov"],
        stars=4,
        forks=2,
        archived=True,
        template=True,
        created_at=created,
        homepage="https://app.fr",
    )
    github.add_repo("dinum", "fork", fork_of="dinum/app")
    repos = get(http, f"{github.api_url}/orgs/dinum/repos").json()
    app, fork = repos
    assert app["full_name"] == "dinum/app" and app["owner"]["login"] == "dinum"
    assert app["owner"]["type"] == "Organization"
    assert app["created_at"] == "2024-01-31T12:00:00Z"
    assert app["language"] == "HTML" and app["topics"] == ["api", "gov"]
    assert app["license"]["key"] == "agpl-3.0"
    assert app["license"]["spdx_id"] == "AGPL-3.0"
    assert app["license"]["name"] == "GNU Affero General Public License v3.0"
    assert (app["stargazers_count"], app["watchers_count"], app["forks_count"]) == (4, 4, 2)
    assert app["archived"] and app["is_template"] and app["visibility"] == "public"
    assert app["homepage"] == "https://app.fr" and app["default_branch"] == "main"
    assert base64.b64decode(app["node_id"]) == f"010:Repository{app['id']}".encode()
    assert fork["fork"] and fork["license"] is None
    assert get(http, f"{github.api_url}/repos/dinum/app").json() == app


def test_github_contents(github, http):
    binary = bytes(range(256)) * 3
    github.add_repo(
        "dinum",
        "app",
        files={"README.md": "# App\n" * 40, "docs/guide.md": "guide", "logo.bin": binary},
    )
    github.add_repo("dinum", "void", empty=True)
    base = f"{github.api_url}/repos/dinum/app/contents"
    root = get(http, f"{base}/").json()
    assert get(http, base).json() == root
    assert [(e["name"], e["type"]) for e in root] == [
        ("README.md", "file"),
        ("docs", "dir"),
        ("logo.bin", "file"),
    ]
    assert root[0]["size"] == 240
    readme = get(http, f"{base}/README.md").json()
    assert readme["encoding"] == "base64" and readme["type"] == "file"
    assert readme["sha"] == root[0]["sha"]
    lines = readme["content"].split("\n")
    assert all(len(line) == 60 for line in lines[:-2]) and lines[-1] == ""
    assert base64.b64decode(readme["content"]) == b"# App\n" * 40
    logo = get(http, f"{base}/logo.bin").json()
    assert base64.b64decode(logo["content"]) == binary
    assert get(http, f"{base}/docs").json()[0]["path"] == "docs/guide.md"
    assert get(http, f"{base}/missing.md").status_code == 404
    empty = get(http, f"{github.api_url}/repos/dinum/void/contents/")
    assert empty.status_code == 404
    assert empty.json()["message"] == "This repository is empty."


def test_github_languages(github, http):
    github.add_repo("dinum", "a", languages={"Python": 10, "Go": 300})
    github.add_repo("dinum", "b", files={"x.py": "print(1)\n", "y.js": "1;"})
    assert get(http, f"{github.api_url}/repos/dinum/a/languages").json() == {
        "Go": 300,
        "Python": 10,
    }
    assert get(http, f"{github.api_url}/repos/dinum/b/languages").json() == {
        "Python": 9,
        "JavaScript": 2,
    }


def test_github_etag_and_rate_limit_headers(github, http):
    repo = github.add_repo("dinum", "app")
    url = f"{github.api_url}/orgs/dinum/repos?per_page=10"
    first = get(http, url)
    etag = first.headers["ETag"]
    assert first.headers["X-RateLimit-Limit"] == "5000"
    assert first.headers["X-RateLimit-Remaining"] == "4999"
    assert int(first.headers["X-RateLimit-Reset"]) > time.time() + 3500
    cached = get(http, url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["X-RateLimit-Remaining"] == "4999"  # 304s are free
    repo.stars += 1
    changed = get(http, url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.headers["X-RateLimit-Remaining"] == "4998"
    # Assigning files simulates a push (pushed_at moves), so listings change too.
    etag = changed.headers["ETag"]
    repo.files = {**repo.files, "publiccode.yml": "name: app\n"}
    assert get(http, url, headers={"If-None-Match": etag}).status_code == 200


def test_rate_limit_budget(make_forge, http):
    forge = make_forge("github")
    forge.rate_limit_budget = 2
    forge.add_owner("dinum")
    url = f"{forge.api_url}/orgs/dinum"
    assert [get(http, url).status_code for _ in range(3)] == [200, 200, 403]


# --- faults -------------------------------------------------------------------------------


def test_fail_next(github, http):
    github.add_owner("dinum")
    url = f"{github.api_url}/orgs/dinum"
    github.fail_next(502)
    assert get(http, url).status_code == 502
    assert get(http, url).status_code == 200
    github.fail_next(503, times=2, path=r"/repos$")
    assert get(http, url).status_code == 200
    assert get(http, f"{url}/repos").status_code == 503
    assert get(http, f"{url}/repos").status_code == 503
    assert get(http, f"{url}/repos").status_code == 200
    github.fail_next(500, body="<html>oops</html>")
    failed = get(http, url)
    assert failed.status_code == 500 and failed.text == "<html>oops</html>"
    assert [r.status for r in github.requests] == [502, 200, 200, 503, 503, 200, 500]


def test_delay_next(gitlab, http):
    gitlab.add_owner("dinum")
    url = f"{gitlab.api_url}/groups/dinum"
    gitlab.delay_next(1.0)
    with pytest.raises(requests.ReadTimeout):
        get(http, url, timeout=0.2)
    assert get(http, url).status_code == 200


def test_malformed_next(gitea, http):
    gitea.add_owner("dinum")
    gitea.malformed_next()
    response = get(http, f"{gitea.api_url}/orgs/dinum")
    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    assert get(http, f"{gitea.api_url}/orgs/dinum").json()["username"] == "dinum"


def test_primary_rate_limit_then_reset(github, http):
    github.add_owner("dinum")
    url = f"{github.api_url}/orgs/dinum"
    github.rate_limit(remaining=1, reset_in=1)
    assert get(http, url).status_code == 200
    limited = get(http, url)
    assert limited.status_code == 403
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    reset = int(limited.headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 2
    assert "rate limit exceeded" in limited.json()["message"]
    time.sleep(max(0, reset - time.time()) + 0.05)
    after = get(http, url)
    assert after.status_code == 200 and after.headers["X-RateLimit-Remaining"] == "4999"


def test_rate_limit_gitlab(gitlab, http):
    gitlab.add_owner("dinum")
    gitlab.rate_limit(remaining=0, reset_in=0.5)
    limited = get(http, f"{gitlab.api_url}/groups/dinum")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    time.sleep(0.6)
    assert get(http, f"{gitlab.api_url}/groups/dinum").status_code == 200


def test_secondary_rate_limit(github, http):
    github.add_owner("dinum")
    github.secondary_rate_limit(retry_after=3)
    limited = get(http, f"{github.api_url}/orgs/dinum")
    assert limited.status_code == 403 and limited.headers["Retry-After"] == "3"
    assert int(limited.headers["X-RateLimit-Remaining"]) > 0
    assert "secondary rate limit" in limited.json()["message"]
    github.secondary_rate_limit(status=429)
    assert get(http, f"{github.api_url}/orgs/dinum").status_code == 429
    assert get(http, f"{github.api_url}/orgs/dinum").status_code == 200


def test_interrupt_listing(github, http):
    for i in range(5):
        github.add_repo("dinum", f"r{i}")
    url = f"{github.api_url}/orgs/dinum/repos?per_page=2"
    github.interrupt_listing_after(pages=1, status=500)
    assert get(http, url).status_code == 200
    assert get(http, f"{url}&page=2").status_code == 500
    assert get(http, f"{url}&page=3").status_code == 500
    assert get(http, f"{github.api_url}/orgs/dinum").status_code == 200
    github.clear_faults()
    assert len(collect(http, url)[0]) == 5


# --- GitLab -------------------------------------------------------------------------------


def test_gitlab_groups_and_users(gitlab, http):
    gitlab.add_owner("dinum/sub/subsub", "group", description="Deep")
    gitlab.add_owner("alice", "user", name="Alice A", website="https://a.fr")
    top, sub, deep = (gitlab.get_owner(p) for p in ("dinum", "dinum/sub", "dinum/sub/subsub"))
    assert top.kind == sub.kind == "group"
    data = get(http, f"{gitlab.api_url}/groups/{quote(deep.path, safe='')}").json()
    assert data["id"] == deep.id and data["parent_id"] == sub.id
    assert (data["path"], data["full_path"]) == ("subsub", "dinum/sub/subsub")
    assert data["web_url"] == f"{gitlab.base_url}/groups/dinum/sub/subsub"
    assert get(http, f"{gitlab.api_url}/groups/{top.id}").json()["parent_id"] is None
    missing = get(http, f"{gitlab.api_url}/groups/nope")
    assert missing.status_code == 404 and missing.json() == {"message": "404 Group Not Found"}
    users = get(http, f"{gitlab.api_url}/users?username=alice").json()
    assert [(u["username"], u["name"], u["website_url"]) for u in users] == [
        ("alice", "Alice A", "https://a.fr")
    ]
    assert get(http, f"{gitlab.api_url}/users?username=dinum").json() == []


def test_gitlab_subgroups(gitlab, http):
    gitlab.add_repo("dinum", "top")
    gitlab.add_repo("dinum/sub", "middle")
    gitlab.add_repo("dinum/sub/subsub", "deep", archived=True)
    gitlab.add_repo("other", "elsewhere")
    group_id = gitlab.get_owner("dinum").id
    url = f"{gitlab.api_url}/groups/{group_id}/projects?order_by=id&sort=asc&with_shared=false"
    direct = get(http, f"{url}&include_subgroups=false").json()
    assert [p["path_with_namespace"] for p in direct] == ["dinum/top"]
    nested = get(http, f"{url}&include_subgroups=true").json()
    assert [p["path_with_namespace"] for p in nested] == [
        "dinum/top",
        "dinum/sub/middle",
        "dinum/sub/subsub/deep",
    ]
    assert nested[2]["namespace"]["full_path"] == "dinum/sub/subsub"
    assert nested[2]["namespace"]["kind"] == "group"
    assert nested[2]["name_with_namespace"] == "dinum / sub / subsub / deep"
    archived = get(http, f"{url}&include_subgroups=true&archived=false").json()
    assert len(archived) == 2
    by_path = get(http, f"{gitlab.api_url}/groups/dinum%2Fsub/projects?include_subgroups=true")
    assert {p["name"] for p in by_path.json()} == {"middle", "deep"}


def test_gitlab_offset_pagination(gitlab, http):
    for i in range(45):
        gitlab.add_repo("dinum", f"p{i}")
    group_id = gitlab.get_owner("dinum").id
    url = f"{gitlab.api_url}/groups/{group_id}/projects?per_page=20&order_by=id&sort=asc"
    first = get(http, url)
    headers = first.headers
    assert (headers["X-Page"], headers["X-Per-Page"], headers["X-Next-Page"]) == ("1", "20", "2")
    assert (headers["X-Total"], headers["X-Total-Pages"]) == ("45", "3")
    assert first.links["next"]["url"] == f"{url}&page=2"
    assert set(first.links) == {"next", "first", "last"}
    last = get(http, f"{url}&page=3")
    assert last.headers["X-Next-Page"] == "" and "next" not in last.links
    assert len(last.json()) == 5
    items, calls = collect(http, url)
    assert calls == 3 and [p["id"] for p in items] == sorted(p["id"] for p in items)
    user = gitlab.add_owner("alice", "user")
    gitlab.add_repo("alice", "mine")
    mine = get(http, f"{gitlab.api_url}/users/{user.id}/projects?per_page=10")
    assert [p["path_with_namespace"] for p in mine.json()] == ["alice/mine"]
    assert mine.json()[0]["namespace"]["kind"] == "user" and mine.headers["X-Total"] == "1"
    assert get(http, f"{gitlab.api_url}/projects?page=3&per_page=20").headers["X-Total"] == "46"


def test_gitlab_keyset_pagination(gitlab, http):
    for i in range(25):
        gitlab.add_repo(f"group{i % 3}", f"p{i}", id=1000 - i * 7)
    url = f"{gitlab.api_url}/projects?pagination=keyset&order_by=id&sort=asc&per_page=10"
    first = get(http, url)
    ids = [p["id"] for p in first.json()]
    assert ids == sorted(ids) and len(ids) == 10
    assert first.links["next"]["url"] == f"{url}&id_after={ids[-1]}"
    items, calls = collect(http, url)
    assert calls == 3 and len(items) == 25
    assert [p["id"] for p in items] == sorted(r.id for r in gitlab.repos)
    last = get(http, f"{url}&id_after={items[19]['id']}")
    assert len(last.json()) == 5 and "Link" not in last.headers
    gitlab.interrupt_listing_after(pages=2)
    assert get(http, f"{url}&id_after={items[9]['id']}").status_code == 200
    assert get(http, f"{url}&id_after={items[19]['id']}").status_code == 500


def test_gitlab_project(gitlab, http):
    gitlab.add_repo("dinum", "upstream")
    app = gitlab.add_repo(
        "dinum/sub",
        "app",
        license="EUPL-1.2",
        topics=["api"],
        files={"README.md": "# App", "docs/a b.md": "x", "LICENSE": "EUPL"},
        languages={"Python": 300, "Vue": 600, "CSS": 100},
        fork_of="dinum/upstream",
    )
    void = gitlab.add_repo("dinum", "void", empty=True)
    api = gitlab.api_url
    by_id = get(http, f"{api}/projects/{app.id}?license=true").json()
    assert get(http, f"{api}/projects/dinum%2Fsub%2Fapp?license=true").json() == by_id
    assert by_id["license"]["key"] == "eupl-1.2"
    assert by_id["license"]["name"] == "European Union Public License 1.2"
    assert set(by_id["license"]) == {"key", "name", "nickname", "html_url", "source_url"}
    assert "license" not in get(http, f"{api}/projects/{app.id}").json()
    assert by_id["topics"] == by_id["tag_list"] == ["api"]
    assert by_id["forked_from_project"]["path_with_namespace"] == "dinum/upstream"
    assert by_id["forked_from_project"]["id"] == gitlab.get_repo("dinum", "upstream").id
    assert by_id["readme_url"].endswith("/dinum/sub/app/-/blob/main/README.md")
    assert by_id["default_branch"] == "main" and not by_id["empty_repo"]
    assert by_id["created_at"].endswith(".000Z")
    empty = get(http, f"{api}/projects/{void.id}").json()
    assert empty["empty_repo"] and empty["default_branch"] is None
    assert "forked_from_project" not in empty
    assert get(http, f"{api}/projects/999999").json() == {"message": "404 Project Not Found"}

    tree = get(http, f"{api}/projects/{app.id}/repository/tree?per_page=100").json()
    assert [(e["name"], e["type"], e["mode"]) for e in tree] == [
        ("docs", "tree", "040000"),
        ("LICENSE", "blob", "100644"),
        ("README.md", "blob", "100644"),
    ]
    empty_tree = get(http, f"{api}/projects/{void.id}/repository/tree")
    assert empty_tree.status_code == 404
    assert empty_tree.json() == {"message": "404 Tree Not Found"}

    raw = get(http, f"{api}/projects/{app.id}/repository/files/docs%2Fa%20b.md/raw?ref=main")
    assert raw.status_code == 200 and raw.text == "x"
    assert raw.headers["Content-Type"].startswith("text/plain")
    assert get(http, f"{api}/projects/{app.id}/repository/files/nope/raw?ref=main").status_code
    assert (
        get(http, f"{api}/projects/{app.id}/repository/files/README.md/raw?ref=nope").status_code
        == 404
    )
    languages = get(http, f"{api}/projects/{app.id}/languages").json()
    assert list(languages) == ["Vue", "Python", "CSS"]
    assert sum(languages.values()) == pytest.approx(100)
    assert languages["Python"] == 30.0


def test_gitlab_etag(gitlab, http):
    repo = gitlab.add_repo("dinum", "app")
    url = f"{gitlab.api_url}/projects?pagination=keyset&order_by=id&sort=asc"
    etag = get(http, url).headers["ETag"]
    assert get(http, url, headers={"If-None-Match": etag}).status_code == 304
    repo.topics = ["new"]
    assert get(http, url, headers={"If-None-Match": etag}).status_code == 200
    assert "X-RateLimit-Remaining" not in get(http, url).headers


# --- Gitea --------------------------------------------------------------------------------


def test_gitea_owners(gitea, http):
    gitea.add_owner("dinum", name="DINUM", website="https://d.fr")
    gitea.add_owner("alice", "user", name="Alice")
    org = get(http, f"{gitea.api_url}/orgs/dinum").json()
    assert (org["username"], org["full_name"], org["website"]) == ("dinum", "DINUM", "https://d.fr")
    user = get(http, f"{gitea.api_url}/users/alice").json()
    assert (user["login"], user["username"], user["full_name"]) == ("alice", "alice", "Alice")
    assert user["created"].endswith("Z")
    assert get(http, f"{gitea.api_url}/orgs/alice").status_code == 404
    assert "message" in get(http, f"{gitea.api_url}/orgs/nobody").json()


def test_gitea_pagination_and_search(gitea, http):
    for i in range(60):
        gitea.add_repo("dinum", f"repo-{i:02d}", archived=i == 0)
    gitea.add_repo("alice", "solo", license="MIT")
    url = f"{gitea.api_url}/orgs/dinum/repos?limit=100"
    first = get(http, url)
    assert len(first.json()) == 50 and first.headers["X-Total-Count"] == "60"
    assert first.links["next"]["url"] == f"{url}&page=2"
    assert first.links["last"]["url"] == f"{url}&page=2"
    assert len(get(http, f"{gitea.api_url}/orgs/dinum/repos").json()) == 30
    items, calls = collect(http, url)
    assert calls == 2 and len(items) == 60
    search = f"{gitea.api_url}/repos/search?limit=25"
    body = get(http, search).json()
    assert body["ok"] is True and len(body["data"]) == 25
    everything, calls = collect(http, search, key="data")
    assert calls == 3 and len(everything) == 61
    assert get(http, search).headers["X-Total-Count"] == "61"
    solo = get(http, f"{gitea.api_url}/users/alice/repos").json()[0]
    assert solo["licenses"] == ["MIT"] and solo["owner"]["login"] == "alice"
    assert solo["full_name"] == "alice/solo" and solo["empty"] is False
    found = get(http, f"{gitea.api_url}/repos/search?q=SOLO").json()["data"]
    assert [r["name"] for r in found] == ["solo"]


def test_gitea_contents_and_languages(gitea, http):
    gitea.add_repo("dinum", "app", files={"README.md": "é" * 100, "src/main.go": "package x"})
    gitea.add_repo("dinum", "void", empty=True)
    base = f"{gitea.api_url}/repos/dinum/app"
    root = get(http, f"{base}/contents").json()
    assert [(e["name"], e["type"]) for e in root] == [("README.md", "file"), ("src", "dir")]
    readme = get(http, f"{base}/contents/README.md").json()
    assert readme["encoding"] == "base64" and "\n" not in readme["content"]
    assert base64.b64decode(readme["content"]).decode() == "é" * 100
    assert readme["size"] == 200
    assert get(http, f"{base}/contents/src").json()[0]["path"] == "src/main.go"
    assert get(http, f"{base}/contents/nope").status_code == 404
    assert get(http, f"{gitea.api_url}/repos/dinum/void/contents").status_code == 404
    assert get(http, f"{base}/languages").json() == {"Go": 9}


# --- data changes -------------------------------------------------------------------------


def test_rename_move_remove(github, http):
    repo = github.add_repo("dinum", "old")
    github.rename_repo("dinum", "old", "new")
    api = github.api_url
    assert get(http, f"{api}/repos/dinum/old").status_code == 404
    assert get(http, f"{api}/repos/dinum/new").json()["id"] == repo.id
    repo.name = "newer"  # plain assignment re-indexes as well
    assert get(http, f"{api}/repos/dinum/newer").json()["id"] == repo.id
    github.move_repo("dinum", "newer", "etalab")
    assert get(http, f"{api}/repos/etalab/newer").json()["owner"]["login"] == "etalab"
    assert get(http, f"{api}/orgs/dinum/repos").json() == []
    github.add_repo("etalab", "taken")
    with pytest.raises(ValueError, match="already exists"):
        repo.name = "taken"
    assert repo.name == "newer"
    github.remove_repo("etalab", "newer")
    assert get(http, f"{api}/repos/etalab/newer").status_code == 404
    with pytest.raises(KeyError):
        github.get_repo("etalab", "newer")


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_default_branch_and_its_head_commit(make_forge, http, kind):
    forge = make_forge(kind)
    repo = forge.add_repo("dinum", "app", default_branch="release/1.0")
    forge.add_repo("dinum", "empty", empty=True)
    api, key = forge.api_url, "sha" if kind == "github" else "id"

    def branch(name, branch_name):
        if kind == "gitlab":
            project = quote(f"dinum/{name}", safe="")
            url = f"{api}/projects/{project}/repository/branches/{quote(branch_name, safe='')}"
        else:
            url = f"{api}/repos/dinum/{name}/branches/{quote(branch_name)}"
        return get(http, url)

    response = branch("app", "release/1.0")
    assert response.status_code == 200
    first = response.json()["commit"][key]
    assert first == repo.head_commit and len(first) == 40 and int(first, 16) >= 0
    assert response.json()["name"] == "release/1.0"
    assert branch("app", "main").status_code == 404  # only the default branch exists
    assert branch("empty", "main").status_code == 404
    assert forge.get_repo("dinum", "empty").head_commit == ""
    repo.name = "renamed"  # a rename keeps the commit
    assert branch("renamed", "release/1.0").json()["commit"][key] == first
    repo.files = {**repo.files, "NEWS": "1.1"}  # a push moves the branch on
    second = branch("renamed", "release/1.0").json()["commit"][key]
    assert second == repo.head_commit != first and repo.pushes == 1
    repo.pushed_at = datetime(2030, 1, 1)  # so does a new push date
    assert repo.pushes == 2 and repo.head_commit not in (first, second)
    repo.head_sha = "not-a-sha"  # served as it is
    assert branch("renamed", "release/1.0").json()["commit"][key] == "not-a-sha"


def test_owner_validation(github, gitlab):
    with pytest.raises(ValueError, match="nested"):
        github.add_owner("a/b")
    with pytest.raises(ValueError, match="already"):
        gitlab.add_owner("x/y")
        gitlab.add_owner("x")
    with pytest.raises(ValueError, match="kind"):
        github.add_owner("z", "team")
    with pytest.raises(ValueError, match="id 7"):
        github.add_repo("dinum", "a", id=7)
        github.add_repo("dinum", "b", id=7)


# --- generated data -----------------------------------------------------------------------


def test_populate_is_deterministic_and_varied():
    # Not started: URLs in generated files use https://gitlab.example.org, not a random port.
    first = populate(FakeForge("gitlab"), owners=20, repos_per_owner=30, seed=4)
    second = populate(FakeForge("gitlab"), owners=20, repos_per_owner=30, seed=4)
    assert [(r.full_name, r.license, r.files) for r in first] == [
        (r.full_name, r.license, r.files) for r in second
    ]
    assert len(first) == 600
    assert {r.license for r in first} == {"MIT", "AGPL-3.0", "EUPL-1.2", "Apache-2.0", None}
    assert any(r.archived for r in first) and any(r.fork for r in first)
    assert any("/" in r.owner.path for r in first)  # GitLab subgroups
    assert any(not r.owner.is_org for r in first)
    for repo in first:
        if not repo.empty:
            assert "README.md" in repo.files
            assert ("LICENSE" in repo.files) == bool(repo.license)
        if "publiccode.yml" in repo.files:
            document = yaml.safe_load(repo.files["publiccode.yml"])
            assert document["name"] == repo.name
            assert document["publiccodeYmlVersion"] == "0.4"
            assert document["url"].endswith(repo.full_name)
    assert 20 < sum("publiccode.yml" in r.files for r in first) < 120


def test_populate_at_scale(make_forge, http):
    forge = make_forge("github")
    repos = populate(forge, owners=200, repos_per_owner=100, seed=1, publiccode_share=0.2)
    assert len(repos) == len(forge.repos) == 20_000
    owner = repos[-1].owner
    url = f"{forge.api_url}/users/{owner.login}/repos?per_page=100"
    response = get(http, url)
    assert response.status_code == 200 and len(response.json()) == 100


def test_gitea_search_at_scale(make_forge, http):
    forge = make_forge("gitea")
    populate(forge, owners=100, repos_per_owner=100)
    items, calls = collect(http, f"{forge.api_url}/repos/search?limit=50", key="data")
    assert calls == 200 and len({r["id"] for r in items}) == 10_000


def test_naive_datetimes_are_utc(gitlab, http):
    repo = gitlab.add_repo("dinum", "app", created_at=datetime(2020, 5, 1, 8, 30))
    repo.pushed_at = datetime(2021, 1, 1)
    data = get(http, f"{gitlab.api_url}/projects/{repo.id}").json()
    assert data["created_at"] == "2020-05-01T08:30:00.000Z"
    assert data["last_activity_at"] == data["updated_at"]


def graphql(http, forge, query, *, authorized=True):
    headers = {"Authorization": "bearer ghp_test"} if authorized else {}
    return http.post(f"{forge.api_url}/graphql", json={"query": query}, headers=headers, timeout=5)


def test_github_graphql_answers_the_harvest_fields(github, http):
    app = github.add_repo("dinum", "app", files={"README.md": "# a", "src/a.py": "x = 1\n"})
    query = """query {
      rateLimit { cost remaining }
      a: repository(owner: "dinum", name: "app") {
        defaultBranchRef { name target { ... on Commit { oid } } }
        languages(first: 100) { totalCount edges { size node { name } } }
        readme: object(expression: "HEAD:README.md") { ... on Blob { text byteSize } }
        src: object(expression: "main:src") { ... on Tree { entries { name type path } } }
      }
      b: repository(owner: "dinum", name: "nope") { name }
    }"""

    answer = graphql(http, github, query)

    assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Resource"] == "graphql"
    body = answer.json()
    assert body["data"]["rateLimit"] == {"cost": 1, "remaining": 4999}
    repo = body["data"]["a"]
    assert repo["defaultBranchRef"] == {"name": "main", "target": {"oid": app.head_commit}}
    assert repo["languages"] == {
        "totalCount": 1,
        "edges": [{"size": 6, "node": {"name": "Python"}}],
    }
    assert repo["readme"] == {"text": "# a", "byteSize": 3}
    assert repo["src"] == {"entries": [{"name": "a.py", "type": "blob", "path": "src/a.py"}]}
    assert body["data"]["b"] is None
    assert [(e["type"], e["path"]) for e in body["errors"]] == [("NOT_FOUND", ["b"])]
    assert github.requests[-1] == LoggedRequest("POST", "/graphql", 200)


@pytest.mark.parametrize(
    "query",
    [
        '{ repository(owner: "dinum", name: "app") { stars } }',  # unknown field
        '{ repository(owner: "dinum") { name } }',  # missing argument
        '{ repository(owner: $owner, name: "app") { name } }',  # variables: not supported
        '{ repository(owner: "di\nnum", name: "app") { name } }',  # raw newline in a string
        "mutation { x }",
    ],
)
def test_github_graphql_refuses_what_it_does_not_know_as_a_whole(github, http, query):
    github.add_repo("dinum", "app")
    body = graphql(http, github, query).json()
    assert "data" not in body and body["errors"]


def test_github_graphql_needs_a_token_and_has_its_own_budget(github, http):
    github.add_repo("dinum", "app")
    query = '{ repository(owner: "dinum", name: "app") { name } }'
    assert graphql(http, github, query, authorized=False).status_code == 401

    github.graphql_rate_limit(remaining=1, reset_in=60)
    assert graphql(http, github, query).json() == {"data": {"repository": {"name": "app"}}}
    answer = graphql(http, github, query)
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Remaining"] == "0"
    assert answer.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert get(http, f"{github.api_url}/repos/dinum/app").status_code == 200  # REST's apart
