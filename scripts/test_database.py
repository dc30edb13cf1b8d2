"""Print the DATABASE_URL that `make test` should use, and say on stderr which one it is.

DATABASE_URL when set; else PostgreSQL on 127.0.0.1:5432 when it answers; else nothing,
which means the embedded SQLite default.
"""

import os
import sys

LOCAL_POSTGRES = "postgres://{user}@127.0.0.1:5432/codegouv"


def local_postgres_url() -> str:
    try:
        import psycopg
    except ImportError:
        return ""
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host="127.0.0.1", port=5432, user=user, dbname="postgres", connect_timeout=2
            ):
                return LOCAL_POSTGRES.format(user=user)
        except psycopg.Error:
            continue
    return ""


def main() -> None:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        source = "DATABASE_URL"
    else:
        url = local_postgres_url()
        source = "local PostgreSQL on 127.0.0.1:5432" if url else "embedded SQLite (no server)"
    sys.stderr.write(f"make test: database from {source}\n")
    print(url)


if __name__ == "__main__":
    main()
