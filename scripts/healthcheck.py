"""The Docker HEALTHCHECK: exit 0 when the portal's /healthz answers 200, else 1.

It runs in the container every 30 seconds, so it uses the standard library only (no Django
import). It asks gunicorn on this machine the way the reverse proxy does:
- Host: the first name of DJANGO_ALLOWED_HOSTS (Django answers 400 to any other name, and
  the list is never opened to 127.0.0.1 for this check);
- X-Forwarded-Proto: https, which Django trusts only with DJANGO_BEHIND_TLS_PROXY=true: it
  then serves the request instead of redirecting it to https. Without the proxy setting the
  header is ignored.
A redirect is never followed: it counts as unhealthy. The port is that of GUNICORN_BIND
(default 0.0.0.0:8000, so 8000). Each network step waits at most TIMEOUT seconds (on the
loopback, connecting is immediate, so the answer comes within about 4 s); the HEALTHCHECK's
own --timeout of 5 s bounds the whole run anyway.
"""

import http.client
import os
import sys

TIMEOUT = 4.0
DEFAULT_BIND = "0.0.0.0:8000"
WILDCARDS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - addresses to connect to, not to bind


def target(bind: str) -> tuple[str, int]:
    """(address, port) to reach the server bound to `bind` ("HOST:PORT"), from this machine."""
    host, _, port = bind.strip().rpartition(":")
    if not port.isdigit() or host.startswith("unix"):
        host, port = "", "8000"
    return ("127.0.0.1" if host in WILDCARDS else host.strip("[]")), int(port)


def host_header(allowed_hosts: str) -> str:
    """The first name Django answers to; ".gouv.fr" (a domain and its subdomains) as "gouv.fr"."""
    names = [name.strip() for name in allowed_hosts.split(",") if name.strip()]
    if not names or names[0] == "*":
        return "localhost"
    return names[0].lstrip(".")


def check(environ) -> tuple[bool, str]:
    address, port = target(environ.get("GUNICORN_BIND") or DEFAULT_BIND)
    connection = http.client.HTTPConnection(address, port, timeout=TIMEOUT)
    try:
        connection.request(
            "GET",
            "/healthz",
            headers={
                "Host": host_header(environ.get("DJANGO_ALLOWED_HOSTS", "")),
                "X-Forwarded-Proto": "https",
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        body = response.read(300).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        return False, f"no answer from {address}:{port}: {type(exc).__name__}: {exc}"
    finally:
        connection.close()
    summary = f"/healthz answered {response.status}: {body}"
    if 300 <= response.status < 400:
        summary += f" (redirect to {response.getheader('Location')}; not followed)"
    return response.status == 200, summary


def main() -> int:
    healthy, summary = check(os.environ)
    print(summary)  # Docker keeps the last lines in `docker inspect`'s health log
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
