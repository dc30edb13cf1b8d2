"""Deterministic bulk data for a FakeForge: ``populate(server, owners=200, repos_per_owner=100)``.

Owners: organizations/groups, every 7th a user; on GitLab every 5th is a subgroup of an
earlier group. Repositories: licences among MIT, AGPL-3.0, EUPL-1.2, Apache-2.0 or none;
about 10 % archived, 8 % forks, 2 % templates, 1 % empty; 0-4 topics; 1-3 languages.
Files: README.md always (except empty repositories), LICENSE when licensed, CONTRIBUTING.md
(~30 %), publiccode.yml (``publiccode_share``, valid YAML), codemeta.json (~5 %), one
source file ``src/main.<ext>``, and (drawn from a second random stream, so that the rest is
as before) a package manifest of the main language at the root for ~60 % of them
(requirements.txt, package.json, pom.xml, go.mod, composer.json, Gemfile, Cargo.toml: 2-8
dependencies among a few popular packages, most used first) and ``front/package.json`` for
~10 %.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import FakeRepo
    from .server import FakeForge

ORG_WORDS = [
    "dinum", "etalab", "betagouv", "insee", "ign", "ademe", "cnam", "drees", "anct", "ansm",
    "cerema", "inria", "cnes", "onf", "dgfip", "meteofrance", "ofb", "sncf", "ans", "cnil",
]  # fmt: skip
FIRST_NAMES = ["alice", "bruno", "chloe", "david", "emma", "farid", "gaelle", "hugo", "ines"]
PREFIXES = [
    "open", "data", "mon", "geo", "simple", "ma", "pix", "api", "tiny", "super", "demarches",
    "annuaire", "france", "carto", "quali", "eco", "edu", "sante", "agri", "code",
]  # fmt: skip
NOUNS = [
    "portail", "annuaire", "carto", "datavis", "formulaire", "gateway", "connect", "scraper",
    "dashboard", "moteur", "referentiel", "ui-kit", "bot", "pipeline", "geocodeur",
    "validateur", "explorer", "wiki", "agenda", "backend", "frontend", "cli", "sdk", "docs",
]  # fmt: skip
TOPICS = [
    "open-data", "python", "django", "react", "vue", "api", "geodata", "accessibility", "dsfr",
    "france", "government", "civic-tech", "gis", "machine-learning", "docker", "kubernetes",
    "etl", "education", "health", "transport",
]  # fmt: skip
LANGUAGES = {
    "Python": "py", "JavaScript": "js", "TypeScript": "ts", "Java": "java", "Go": "go",
    "PHP": "php", "Ruby": "rb", "Rust": "rs", "Vue": "vue", "Shell": "sh", "HTML": "html",
    "CSS": "css",
}  # fmt: skip
# Popular packages per ecosystem, the most used first (drawn with decreasing weights).
PACKAGES = {
    "pypi": ["django", "requests", "flask", "pandas", "numpy", "psycopg2", "celery", "pytest"],
    "npm": ["react", "vue", "axios", "lodash", "@gouvfr/dsfr", "express", "typescript", "vite"],
    "maven": ["org.springframework:spring-core", "junit:junit", "com.google.guava:guava"],
    "golang": ["github.com/gin-gonic/gin", "github.com/stretchr/testify", "golang.org/x/net"],
    "composer": ["symfony/console", "laravel/framework", "guzzlehttp/guzzle", "monolog/monolog"],
    "gem": ["rails", "puma", "rspec", "sidekiq", "devise"],
    "cargo": ["serde", "tokio", "clap", "anyhow", "reqwest"],
}


def manifest_for(language: str, rng: random.Random) -> tuple[str, str] | None:
    """(file name, content) of a manifest for `language`, or None for a language without."""
    ecosystem = {
        "Python": "pypi", "JavaScript": "npm", "TypeScript": "npm", "Vue": "npm",
        "Java": "maven", "Go": "golang", "PHP": "composer", "Ruby": "gem", "Rust": "cargo",
    }.get(language)  # fmt: skip
    if ecosystem is None:
        return None
    choices = PACKAGES[ecosystem]
    weights = [1 / (rank + 1) for rank in range(len(choices))]
    names = sorted({rng.choices(choices, weights)[0] for _ in range(rng.randint(2, 8))})
    version = f"{rng.randint(1, 5)}.{rng.randint(0, 9)}"
    if ecosystem == "pypi":
        return "requirements.txt", "".join(f"{name}>={version}\n" for name in names)
    if ecosystem == "npm":
        return "package.json", json.dumps({"dependencies": dict.fromkeys(names, f"^{version}")})
    if ecosystem == "composer":
        return "composer.json", json.dumps({"require": dict.fromkeys(names, f"^{version}")})
    if ecosystem == "maven":
        items = "".join(
            f"<dependency><groupId>{name.split(':')[0]}</groupId>"
            f"<artifactId>{name.split(':')[1]}</artifactId><version>{version}</version>"
            "</dependency>"
            for name in names
        )
        return "pom.xml", f"<project><dependencies>{items}</dependencies></project>"
    if ecosystem == "golang":
        lines = "".join(f"\t{name} v{version}.0\n" for name in names)
        return "go.mod", f"module example.org/app\n\ngo 1.22\n\nrequire (\n{lines})\n"
    if ecosystem == "gem":
        lines = "".join(f"gem '{name}', '~> {version}'\n" for name in names)
        return "Gemfile", "source 'https://rubygems.org'\n" + lines
    lines = "".join(f'{name} = "{version}"\n' for name in names)
    return "Cargo.toml", f'[package]\nname = "app"\n\n[dependencies]\n{lines}'


LICENCES = ["MIT", "AGPL-3.0", "EUPL-1.2", "Apache-2.0", None]
LICENCE_WEIGHTS = [30, 20, 15, 20, 15]
LICENCE_HEADERS = {
    "MIT": "MIT License\n\nCopyright (c) {year} {holder}\n\nPermission is hereby granted, "
    "free of charge, to any person obtaining a copy of this software...\n",
    "AGPL-3.0": "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n\n"
    "Copyright (C) {year} {holder}\n",
    "EUPL-1.2": "EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL (c) the European Union 2007, 2016\n\n"
    "Copyright (c) {year} {holder}\n",
    "Apache-2.0": "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n"
    "\nCopyright {year} {holder}\n",
}
CATEGORIES = ["data-collection", "geographic-information-systems", "it-development", "website"]
AUDIENCES = ["les collectivités", "les agents publics", "les citoyens", "les développeurs"]
BASE_DATE = datetime(2014, 1, 1, tzinfo=UTC)
END_DATE = datetime(2025, 6, 1, tzinfo=UTC)


def populate(
    server: FakeForge,
    *,
    owners: int,
    repos_per_owner: int,
    seed: int = 0,
    publiccode_share: float = 0.1,
) -> list[FakeRepo]:
    """Add ``owners`` owners with ``repos_per_owner`` repositories each; returns the repos.

    The same seed gives the same data (ids depend on what the server already holds).
    Call it after ``start()`` so that URLs in publiccode.yml/codemeta.json point at the server.
    """
    return _Generator(server, seed, publiccode_share).run(owners, repos_per_owner)


class _Generator:
    def __init__(self, server: FakeForge, seed: int, publiccode_share: float):
        self.server = server
        self.rng = random.Random(seed)  # noqa: S311 (test data, not cryptography)
        # The manifests' own stream: the other values stay as they were before manifests.
        self.manifest_rng = random.Random(seed + 1)  # noqa: S311
        self.publiccode_share = publiccode_share
        try:
            self.web = server.base_url
        except RuntimeError:
            self.web = f"https://{server.kind}.example.org"
        self.span = int((END_DATE - BASE_DATE).total_seconds())
        self.created: list[FakeRepo] = []

    def run(self, owners: int, repos_per_owner: int) -> list[FakeRepo]:
        rng = self.rng
        groups: list[str] = []
        for index in range(owners):
            word = ORG_WORDS[index % len(ORG_WORDS)]
            suffix = f"-{index // len(ORG_WORDS)}" if index >= len(ORG_WORDS) else ""
            if index % 7 == 3:
                kind, path = "user", f"{rng.choice(FIRST_NAMES)}-{word}{index}"
                name = path.split("-")[0].capitalize()
            else:
                kind, path, name = "organization", word + suffix, word.upper() + suffix
                if self.server.kind == "gitlab" and index % 5 == 4 and groups:
                    path = f"{rng.choice(groups)}/{word}-sub{index}"
                else:
                    groups.append(path)
            owner = self.server.add_owner(
                path,
                kind,
                name=name,
                description=f"Codes sources de {name}",
                website=f"https://{word}.example.gouv.fr",
                location="Paris, France",
                email=f"contact@{word}.example.gouv.fr",
                created_at=BASE_DATE + timedelta(seconds=rng.randrange(self.span // 4)),
            )
            used: set[str] = set()
            for number in range(repos_per_owner):
                repo_name = f"{rng.choice(PREFIXES)}-{rng.choice(NOUNS)}"
                if repo_name in used:
                    repo_name = f"{repo_name}-{number}"
                used.add(repo_name)
                self.created.append(self.repo(owner.path, repo_name))
        return self.created

    def repo(self, owner_path: str, name: str) -> FakeRepo:
        rng = self.rng
        url = f"{self.web}/{owner_path}/{name}"
        description = f"{name.replace('-', ' ').capitalize()} pour {rng.choice(AUDIENCES)}"
        licence = rng.choices(LICENCES, LICENCE_WEIGHTS)[0]
        languages = rng.sample(list(LANGUAGES), rng.randint(1, 3))
        sizes = {
            lang: rng.randint(500, 400_000) // (rank + 1) for rank, lang in enumerate(languages)
        }
        topics = rng.sample(TOPICS, rng.choice((0, 0, 1, 2, 3, 4)))
        created_at = BASE_DATE + timedelta(seconds=rng.randrange(self.span))
        left = max(1, int((END_DATE - created_at).total_seconds()))
        pushed_at = created_at + timedelta(seconds=rng.randrange(left))
        fork = rng.random() < 0.08
        empty = rng.random() < 0.01
        files: dict[str, str | bytes] = {}
        if not empty:
            main = languages[0]
            files["README.md"] = (
                f"# {name}\n\n{description}.\n\n## Installation\n\n```sh\nmake install\n```\n"
            )
            files[f"src/main.{LANGUAGES[main]}"] = f"// {name}: {main}\n"
            if licence:
                holder = owner_path.split("/")[0]
                files["LICENSE"] = LICENCE_HEADERS[licence].format(
                    year=created_at.year, holder=holder
                )
            if rng.random() < 0.3:
                files["CONTRIBUTING.md"] = f"# Contribuer à {name}\n\nBienvenue !\n"
            if rng.random() < self.publiccode_share:
                files["publiccode.yml"] = self.publiccode(name, url, description, licence, main)
            if rng.random() < 0.05:
                files["codemeta.json"] = codemeta(name, url, description, licence, main, topics)
            draw = self.manifest_rng
            if draw.random() < 0.6 and (found := manifest_for(main, draw)):
                files[found[0]] = found[1]
            if draw.random() < 0.1:
                files["front/package.json"] = manifest_for("Vue", draw)[1]
        return self.server.add_repo(
            owner_path,
            name,
            description=description,
            files=files,
            languages=sizes,
            license=licence,
            topics=topics,
            stars=int(rng.paretovariate(1.2)) - 1,
            forks=int(rng.paretovariate(1.5)) - 1,
            open_issues=rng.randrange(20),
            archived=rng.random() < 0.1,
            fork=fork,
            fork_of=rng.choice(self.created).full_name if fork and self.created else None,
            template=rng.random() < 0.02,
            created_at=created_at,
            updated_at=pushed_at + timedelta(seconds=rng.randrange(86_400)),
            pushed_at=pushed_at,
            homepage=f"https://{name}.example.gouv.fr" if rng.random() < 0.3 else "",
            empty=empty,
        )

    def publiccode(
        self, name: str, url: str, description: str, licence: str | None, language: str
    ) -> str:
        """A publiccode.yml (standard 0.4) document; strings are JSON-quoted, valid YAML."""
        rng = self.rng
        q = json.dumps
        version = f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        release = (BASE_DATE + timedelta(days=rng.randrange(4000))).date().isoformat()
        long_description = (
            f"{description}. {name} est un logiciel libre développé par l'administration "
            f"française, écrit en {language}. Il est publié afin d'être réutilisé, amélioré "
            "et mutualisé entre administrations, collectivités et partenaires."
        )
        return f"""publiccodeYmlVersion: "0.4"
name: {q(name)}
url: {q(url)}
softwareVersion: {q(version)}
releaseDate: {q(release)}
platforms:
  - web
categories:
  - {rng.choice(CATEGORIES)}
developmentStatus: {rng.choice(["development", "beta", "stable", "obsolete"])}
softwareType: "standalone/web"
description:
  fr:
    shortDescription: {q(description[:100])}
    longDescription: {q(long_description)}
    features:
      - {q("Interface web accessible (RGAA)")}
legal:
  license: {q(licence or "LicenseRef-proprietary")}
maintenance:
  type: internal
  contacts:
    - name: {q("Équipe " + name)}
      email: {q("contact@example.gouv.fr")}
localisation:
  localisationReady: true
  availableLanguages:
    - fr
"""


def codemeta(
    name: str, url: str, description: str, licence: str | None, language: str, topics: list[str]
) -> str:
    data = {
        "@context": "https://w3id.org/codemeta/3.0",
        "@type": "SoftwareSourceCode",
        "name": name,
        "description": description,
        "codeRepository": url,
        "programmingLanguage": language,
        "keywords": topics,
    }
    if licence:
        data["license"] = f"https://spdx.org/licenses/{licence}"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
