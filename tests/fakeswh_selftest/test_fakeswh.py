"""Self-tests of tests.fakeswh, through real HTTP with ``requests``."""

import contextlib
import threading
import time
from urllib.parse import quote

import pytest
import requests

from tests.fakeswh import FakeSoftwareHeritage, LoggedRequest, visit

TIMEOUT = 5
REPO = "https://github.com/o/r"
SNP1, SNP2 = "1" * 40, "2" * 40
REV = "a" * 40


@pytest.fixture
def make_swh():
    started = []

    def make(**kwargs):
        server = FakeSoftwareHeritage(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def swh(make_swh):
    return make_swh()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def latest(http, swh, origin=REPO, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    return http.get(f"{swh.url}origin/{origin}/visit/latest/", **kwargs)


def save(http, swh, origin=REPO, visit_type="git", **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    return http.post(f"{swh.url}origin/save/{visit_type}/url/{origin}/", **kwargs)


def known(http, swh, payload, **kwargs):
    return http.post(f"{swh.url}known/", json=payload, timeout=TIMEOUT, **kwargs)


# --- lifecycle and log --------------------------------------------------------------------


def test_url_and_stop(http):
    with FakeSoftwareHeritage() as swh:
        url = swh.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/1/")
        assert http.get(f"{url}nowhere/", timeout=TIMEOUT).status_code == 404
    with pytest.raises(requests.ConnectionError):
        http.get(f"{url}known/", timeout=TIMEOUT)
    with pytest.raises(RuntimeError):
        swh.url  # noqa: B018


def test_request_log(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    latest(http, swh, params={"require_snapshot": "true"}, headers={"Authorization": "Bearer t"})
    known(http, swh, [f"swh:1:rev:{REV}"])
    first, second = swh.requests
    assert first == LoggedRequest(
        "GET",
        f"/api/1/origin/{REPO}/visit/latest/",
        REPO,
        {"require_snapshot": "true"},
        first.headers,
        b"",
        200,
        "visit_latest",
    )
    assert first.authorization == "Bearer t" and "user-agent" in first.headers
    assert second.authorization is None and second.origin_url is None
    assert second.body == f'["swh:1:rev:{REV}"]'.encode()
    assert (swh.count(), swh.count("known"), swh.count("save")) == (2, 1, 0)
    with pytest.raises(ValueError):
        swh.count("visit-latest")  # a typo would otherwise count 0
    swh.reset_log()
    assert swh.requests == []


# --- visit/latest -------------------------------------------------------------------------


def test_visit_latest(swh, http):
    swh.add_origin(
        REPO,
        visits=[
            visit(date="2024-05-02T10:11:12.345678+00:00", status="full", snapshot=SNP1),
            {"date": "2024-06-01T08:00:00Z", "status": "partial", "snapshot": SNP2},
            visit(date="2024-07-01T08:00:00+02:00", status="failed"),
        ],
    )
    response = latest(http, swh)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "origin": REPO,
        "visit": 3,
        "date": "2024-07-01T08:00:00+02:00",
        "type": "git",
        "status": "failed",
        "snapshot": None,
        "snapshot_url": None,
        "metadata": {},
    }
    with_snapshot = latest(http, swh, params={"require_snapshot": "true"}).json()
    assert with_snapshot["visit"] == 2 and with_snapshot["status"] == "partial"
    assert with_snapshot["date"] == "2024-06-01T08:00:00+00:00"
    assert with_snapshot["snapshot_url"] == f"{swh.url}snapshot/{SNP2}/"
    # The latest is by date, not by the order visits were added.
    swh.add_visit(REPO, date="2024-01-01T00:00:00+00:00", snapshot=SNP1)
    assert latest(http, swh).json()["visit"] == 3
    swh.add_visit(REPO, date="2025-01-01T00:00:00+00:00", status="ongoing", type="git")
    assert latest(http, swh).json()["visit"] == 5


def test_visit_latest_not_found(swh, http):
    missing = latest(http, swh, "https://github.com/o/missing")
    assert missing.status_code == 404
    assert missing.json() == {
        "exception": "NotFoundExc",
        "reason": "Origin with url https://github.com/o/missing not found!",
    }
    swh.add_origin(REPO)
    no_visit = latest(http, swh)
    assert no_visit.status_code == 404
    assert no_visit.json()["reason"] == f"No visit for origin with url {REPO} found!"
    swh.add_visit(REPO, status="not_found")
    assert latest(http, swh).status_code == 200
    snapshotless = latest(http, swh, params={"require_snapshot": "true"})
    assert snapshotless.status_code == 404
    assert snapshotless.json()["reason"] == f"No visit for origin with url {REPO} found!"


def test_visit_latest_origin_encodings(swh, http):
    origin = "https://gitlab.example.org/group/sub/project/"
    swh.add_origin(origin, visits=[visit(snapshot=SNP1)])
    for written in (origin, quote(origin, safe=""), origin.replace("https://", "https:/")):
        response = latest(http, swh, written)
        assert response.status_code == 200, written
        assert response.json()["origin"] == origin
    assert [r.origin_url for r in swh.requests] == [origin] * 3
    assert swh.requests[1].path == f"/api/1/origin/{quote(origin, safe='')}/visit/latest/"


def test_wrong_method(swh, http):
    response = http.post(f"{swh.url}origin/{REPO}/visit/latest/", timeout=TIMEOUT)
    assert response.status_code == 405 and response.json()["exception"] == "MethodNotAllowed"


# --- known --------------------------------------------------------------------------------


def test_known(swh, http):
    swh.add_known_revision(REV)
    swh.add_known(f"swh:1:snp:{SNP1}")
    asked = [f"swh:1:rev:{REV}", f"swh:1:rev:{'b' * 40}", f"swh:1:snp:{SNP1}"]
    response = known(http, swh, asked)
    assert response.status_code == 200
    assert response.json() == {
        asked[0]: {"known": True},
        asked[1]: {"known": False},
        asked[2]: {"known": True},
    }
    assert known(http, swh, []).json() == {}
    with pytest.raises(ValueError):
        swh.add_known("swh:1:rev:xyz")


@pytest.mark.parametrize("bad", [f"swh:1:rev:{'A' * 40}", f"swh:1:ori:{REV}", "nope", 42])
def test_known_invalid_swhid(swh, http, bad):
    response = known(http, swh, [f"swh:1:rev:{REV}", bad])
    assert response.status_code == 400
    assert response.json() == {"exception": "BadInputExc", "reason": f"Invalid SWHID: {bad}"}


def test_known_not_a_list(swh, http):
    assert known(http, swh, {"swhids": []}).status_code == 400
    garbage = http.post(f"{swh.url}known/", data=b"[not json", timeout=TIMEOUT)
    assert garbage.status_code == 400 and garbage.json()["exception"] == "BadInputExc"


def test_known_too_many(swh, http):
    swhids = [f"swh:1:rev:{i:040x}" for i in range(1001)]
    response = known(http, swh, swhids)
    assert response.status_code == 413
    assert response.json() == {
        "exception": "LargePayloadExc",
        "reason": "The maximum number of SWHIDs this endpoint can receive is 1000",
    }
    assert len(known(http, swh, swhids[:1000]).json()) == 1000


# --- Save Code Now ------------------------------------------------------------------------


def test_save_accepted_then_succeeds(swh, http):
    response = save(http, swh, headers={"Authorization": "Bearer t"})
    assert response.status_code == 200
    request = response.json()
    assert request == {
        "id": 1,
        "origin_url": REPO,
        "visit_type": "git",
        "save_request_date": request["save_request_date"],
        "save_request_status": "accepted",
        "save_task_status": "not yet scheduled",
        "visit_status": None,
        "visit_date": None,
        "snapshot_swhid": None,
        "note": None,
        "request_url": f"{swh.url}origin/save/1/",
    }
    assert request["save_request_date"].endswith("+00:00")
    assert swh.requests[0].kind == "save" and swh.requests[0].origin_url == REPO
    # Posting again while it is unfinished returns the same request.
    swh.advance_save(1, "running")
    again = save(http, swh).json()
    assert (again["id"], again["save_task_status"], len(swh.saves)) == (1, "running", 1)
    assert latest(http, swh).status_code == 404  # no visit yet
    swh.advance_save(
        1,
        "succeeded",
        snapshot=f"swh:1:snp:{SNP1}",
        visit_date="2024-05-02T10:11:12.345678+00:00",
        record_visit=True,
    )
    status = http.get(request["request_url"], timeout=TIMEOUT).json()
    assert status["save_task_status"] == "succeeded" and status["visit_status"] == "full"
    assert status["visit_date"] == "2024-05-02T10:11:12.345678+00:00"
    assert status["snapshot_swhid"] == f"swh:1:snp:{SNP1}"
    visit_json = latest(http, swh, params={"require_snapshot": "true"}).json()
    assert visit_json["snapshot"] == SNP1 and visit_json["status"] == "full"
    assert visit_json["date"] == "2024-05-02T10:11:12.345678+00:00"
    # Once finished, a new post makes a new request.
    assert save(http, swh).json()["id"] == 2
    assert [r.kind for r in swh.requests].count("save_status") == 1


def test_save_pending_then_accepted_or_failed(swh, http):
    swh.save_decision = "pending"
    request = save(http, swh).json()
    assert request["save_request_status"] == "pending"
    assert request["save_task_status"] == "not created"
    assert save(http, swh).json()["id"] == request["id"]
    swh.advance_save(request["id"], "scheduled")
    assert swh.saves[request["id"]].save_request_status == "accepted"
    swh.advance_save(request["id"], "failed", visit_status="failed", note="clone failed")
    status = http.get(request["request_url"], timeout=TIMEOUT).json()
    assert (status["save_task_status"], status["visit_status"]) == ("failed", "failed")
    assert status["note"] == "clone failed" and status["visit_date"] is not None
    assert save(http, swh).json()["id"] == request["id"] + 1


def test_save_rejected_by_review_is_not_returned_again(swh, http):
    swh.save_decision = "pending"
    first = save(http, swh).json()["id"]
    swh.advance_save(first, "not created", request_status="rejected", note="not code")
    assert save(http, swh).json()["id"] == first + 1


def test_save_refused_and_invalid(swh, http):
    swh.refuse_prefix("https://forbidden.example/")
    refused = save(http, swh, "https://forbidden.example/o/r")
    assert refused.status_code == 403 and refused.json()["exception"] == "ForbiddenExc"
    for bad in ("ftp://example.org/r", "not-a-url", "https://", "http://exa mple.org/r"):
        response = save(http, swh, bad)
        assert response.status_code == 400, bad
        assert response.json()["exception"] == "BadInputExc"
    assert save(http, swh, visit_type="tarball").status_code == 400
    assert swh.saves == {}
    swh.save_decision = "rejected"
    assert save(http, swh).status_code == 403


def test_save_status_unknown(swh, http):
    response = http.get(f"{swh.url}origin/save/99/", timeout=TIMEOUT)
    assert response.status_code == 404 and response.json()["exception"] == "NotFoundExc"


def test_save_with_encoded_origin(swh, http):
    assert save(http, swh, quote(REPO, safe="")).json()["origin_url"] == REPO
    assert save(http, swh, "https:/github.com/o/r").json()["id"] == 1


# --- rate limits --------------------------------------------------------------------------


def test_rate_limit_headers_decrement_per_group(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    first, second = latest(http, swh), known(http, swh, [])
    assert first.headers["X-RateLimit-Limit"] == "700"
    assert first.headers["X-RateLimit-Remaining"] == "699"
    assert second.headers["X-RateLimit-Remaining"] == "698"
    assert int(first.headers["X-RateLimit-Reset"]) > time.time() + 3500
    saved = save(http, swh)
    assert saved.headers["X-RateLimit-Limit"] == "10"
    assert saved.headers["X-RateLimit-Remaining"] == "9"
    not_found = latest(http, swh, "https://github.com/o/missing")
    assert not_found.headers["X-RateLimit-Remaining"] == "697"


def test_rate_limit_exhausted_then_reset(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    reset_at = int(time.time()) + 600
    swh.set_rate_limit("default", 5, remaining=1, reset_at=reset_at)
    assert latest(http, swh).headers["X-RateLimit-Remaining"] == "0"
    assert save(http, swh).status_code == 200  # the save group has its own budget
    swh.fail_next(503)  # a throttled request consumes no fault
    throttled = latest(http, swh)
    assert throttled.status_code == 429 and "Retry-After" not in throttled.headers
    assert throttled.json() == {"exception": "Throttled", "reason": "Request was throttled."}
    assert throttled.headers["X-RateLimit-Limit"] == "5"
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert throttled.headers["X-RateLimit-Reset"] == str(reset_at)
    swh.set_rate_limit("default", 5)
    assert latest(http, swh).status_code == 503
    after = latest(http, swh)
    assert after.status_code == 200 and after.headers["X-RateLimit-Remaining"] == "3"
    with pytest.raises(ValueError):
        swh.set_rate_limit("search", 1)


def test_rate_limit_refills_when_reset_passes(swh, http):
    swh.set_rate_limit("save", 2, remaining=0, reset_at=time.time() + 1)
    assert save(http, swh).status_code == 429
    time.sleep(max(0, swh.rate_limits["save"].reset_at - time.time()) + 0.05)
    refilled = save(http, swh)
    assert refilled.status_code == 200 and refilled.headers["X-RateLimit-Remaining"] == "1"


def test_rate_limit_next(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    reset_at = int(time.time()) + 30
    swh.rate_limit_next(reset_at, times=2)
    for _ in range(2):
        throttled = latest(http, swh)
        assert throttled.status_code == 429 and "Retry-After" not in throttled.headers
        assert throttled.headers["X-RateLimit-Remaining"] == "0"
        assert throttled.headers["X-RateLimit-Reset"] == str(reset_at)
        assert throttled.json()["exception"] == "Throttled"
    ok = latest(http, swh)
    assert ok.status_code == 200 and ok.headers["X-RateLimit-Remaining"] == "697"


# --- faults -------------------------------------------------------------------------------


def test_fail_next(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    swh.fail_next()
    failed = latest(http, swh)
    assert failed.status_code == 503 and failed.headers["Content-Type"] == "text/html"
    assert "X-RateLimit-Remaining" in failed.headers
    assert latest(http, swh).status_code == 200
    swh.fail_next(502, times=2, origin="https://github.com/o/other")
    assert latest(http, swh).status_code == 200
    assert known(http, swh, []).status_code == 200
    assert latest(http, swh, "https://github.com/o/other").status_code == 502
    assert save(http, swh, "https://github.com/o/other").status_code == 502
    assert latest(http, swh, "https://github.com/o/other").status_code == 404
    swh.fail_next(500, body='{"oops": 1}', headers={"Content-Type": "application/json"})
    custom = known(http, swh, [])
    assert custom.status_code == 500 and custom.json() == {"oops": 1}
    swh.fail_next(times=3)
    swh.clear_faults()
    assert latest(http, swh).status_code == 200


def test_malformed_next(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    swh.malformed_next(origin=REPO)
    assert known(http, swh, []).json() == {}
    response = latest(http, swh)
    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    assert latest(http, swh).json()["visit"] == 1


def test_delay_next(swh, http):
    swh.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    swh.delay_next(1.0)
    with pytest.raises(requests.ReadTimeout):
        latest(http, swh, timeout=0.2)
    assert latest(http, swh).status_code == 200


def test_stop_wakes_a_delayed_answer(make_swh):
    swh = make_swh()
    swh.delay_next(30)
    url = f"{swh.url}known/"
    caller = threading.Thread(target=_post_ignoring_errors, args=(url,))
    caller.start()
    while swh._faults:  # the delayed request has taken its fault
        time.sleep(0.01)
    started = time.monotonic()
    swh.stop()
    caller.join(timeout=5)
    assert not caller.is_alive() and time.monotonic() - started < 5


def _post_ignoring_errors(url):
    with contextlib.suppress(requests.RequestException):
        requests.post(url, json=[], timeout=TIMEOUT)


def test_redirect_to_another_host_drops_authorization(make_swh, http):
    swh, other = make_swh(), make_swh()
    other.add_origin(REPO, visits=[visit(snapshot=SNP1)])
    swh.redirect_next(f"{other.url}origin/{REPO}/visit/latest/")
    response = latest(http, swh, headers={"Authorization": "Bearer secret"})
    assert response.status_code == 200 and response.history[0].status_code == 302
    assert swh.requests[0].authorization == "Bearer secret" and swh.requests[0].status == 302
    assert other.requests[0].authorization is None
    # A redirect within the same host keeps it.
    swh.add_origin(REPO, visits=[visit()])
    swh.redirect_next(f"{swh.url}origin/{REPO}/visit/latest/", status=301)
    latest(http, swh, headers={"Authorization": "Bearer secret"})
    assert swh.requests[-1].authorization == "Bearer secret" and swh.requests[-1].status == 200
