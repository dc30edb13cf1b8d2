"""A forge's token never follows a redirect to another host, whatever its header's name; a
rate limit reset that is not a finite epoch is ignored."""

import pytest

from core.http import ForgeHTTP, reset_epoch
from tests.fakeswh import FakeSoftwareHeritage, visit

ORIGIN = "https://gitlab.example/dinum/app"


@pytest.mark.parametrize(
    ("header", "prefix"),
    [("PRIVATE-TOKEN", ""), ("Authorization", "token "), ("Authorization", "Bearer ")],
)
def test_the_token_stays_with_its_host_across_a_redirect(header, prefix):
    with FakeSoftwareHeritage() as first, FakeSoftwareHeritage() as elsewhere:
        elsewhere.add_origin(ORIGIN, visits=[visit()])
        path = f"origin/{ORIGIN}/visit/latest/"
        first.redirect_next(f"{elsewhere.url}{path}")
        http = ForgeHTTP(token="s3cret", token_header=header, token_prefix=prefix, max_retries=0)
        try:
            assert http.get(f"{first.url}{path}").json()["origin"] == ORIGIN
        finally:
            http.close()

        assert first.requests[0].headers[header.lower()] == f"{prefix}s3cret"
        assert elsewhere.requests
        assert all(header.lower() not in r.headers for r in elsewhere.requests)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "soon", "", None, "1e999"])
def test_a_rate_limit_reset_that_is_not_a_finite_epoch_is_ignored(value):
    assert reset_epoch(value) is None


def test_a_429_with_a_reset_of_nan_waits_a_bounded_time_then_answers():
    waits = []

    class Answer:
        status_code = 429
        headers = {"X-RateLimit-Reset": "nan"}

    http = ForgeHTTP(sleep=waits.append, clock=lambda: 1000.0)
    try:
        seconds, reset_at = http._rate_limit_wait(Answer())
    finally:
        http.close()
    assert reset_at == 1060.0 and seconds == 61.0
