"""docker-compose.yml, the Makefile and publiccode.yml describe the same project."""

from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[1]


def load(name):
    return yaml.safe_load((BASE_DIR / name).read_text(encoding="utf-8"))


def test_compose_runs_postgres_16_redis_7_web_worker_and_beat():
    services = load("docker-compose.yml")["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "migrate --noinput" in services["web"]["command"]


def test_compose_starts_processes_the_way_the_makefile_does():
    services = load("docker-compose.yml")["services"]
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")

    assert "gunicorn -c gunicorn.conf.py codegouv.wsgi" in services["web"]["command"]
    assert "gunicorn -c gunicorn.conf.py codegouv.wsgi" in makefile
    for process in ("worker", "beat"):
        command = " ".join(services[process]["command"][:4])
        assert command == f"celery -A codegouv {process}"
        assert f"celery -A codegouv {process}" in makefile


def test_publiccode_yml_describes_the_project_in_both_languages():
    publiccode = load("publiccode.yml")

    assert publiccode["publiccodeYmlVersion"] == "0.4"
    assert publiccode["legal"]["license"] == "MIT"
    assert set(publiccode["description"]) == {"fr", "en"}
    for description in publiccode["description"].values():
        assert len(description["longDescription"]) >= 150
        assert len(description["shortDescription"]) <= 150
    assert publiccode["localisation"]["availableLanguages"] == ["fr", "en"]
