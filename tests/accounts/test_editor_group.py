"""The Éditeur group has every permission the README promises on a freshly installed
database, whatever order the migrations ran in (accounts.roles, synced after migrate)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from psycopg import sql

from accounts.roles import EDITOR_EXTRA_PERMISSIONS, EDITOR_GROUP, EDITOR_PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]
WANTED = {
    (app_label, f"{action}_{model}")
    for app_label, model, actions in EDITOR_PERMISSIONS
    for action in actions
} | set(EDITOR_EXTRA_PERMISSIONS)
EDITORIAL = {
    ("editorial", f"{action}_{model}")
    for action in ("add", "change", "delete", "view")
    for model in ("guidepage", "highlight")
}


def _server(dbname="postgres"):
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": dbname,
    }


@pytest.fixture
def fresh_database(django_db_blocker):
    """An empty database on the tests' server, dropped afterwards."""
    name = f"cg_fresh_{uuid.uuid4().hex[:12]}"
    create, drop = (
        sql.SQL(statement).format(sql.Identifier(name))
        for statement in ("CREATE DATABASE {}", "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    )
    with django_db_blocker.unblock():
        with psycopg.connect(**_server(), autocommit=True) as connection:
            connection.execute(create)
        try:
            yield name
        finally:
            with psycopg.connect(**_server(), autocommit=True) as connection:
                connection.execute(drop)


def test_a_fresh_install_gives_editors_guide_pages_and_highlights(fresh_database):
    server = _server(fresh_database)
    password = f":{server['password']}" if server["password"] else ""
    url = (
        f"postgres://{server['user'] or ''}{password}@{server['host']}:{server['port']}"
        f"/{fresh_database}"
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        timeout=600,
    )

    with psycopg.connect(**server) as connection:
        granted = set(
            connection.execute(
                """
                SELECT ct.app_label, p.codename
                FROM auth_group g
                JOIN auth_group_permissions gp ON gp.group_id = g.id
                JOIN auth_permission p ON p.id = gp.permission_id
                JOIN django_content_type ct ON ct.id = p.content_type_id
                WHERE g.name = %s
                """,
                [EDITOR_GROUP],
            ).fetchall()
        )
    assert granted >= EDITORIAL
    assert granted == WANTED


@pytest.mark.django_db
def test_migrate_adds_what_the_group_lacks_and_keeps_what_an_administrator_granted():
    group = Group.objects.get(name=EDITOR_GROUP)
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="editorial"))
    group.permissions.add(Permission.objects.get(codename="view_logentry"))

    call_command("migrate", "--noinput", verbosity=0)

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted >= EDITORIAL
    assert ("admin", "view_logentry") in granted
