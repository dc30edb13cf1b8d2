"""Fill the database with synthetic repositories shaped like the real 2021 catalogue dump.

For benchmarks only. Every value is drawn from the empirical distributions of the dump
(catalog/data/repositories-2021.csv.gz): forge hosts and owner sizes, languages, licences,
topics, stars and forks, fork and archived shares, dates, descriptions (words of the real
French or English descriptions) and names (real name tokens). Dates keep their age relative
to the dump's newest date, moved to today, so that "active in the last 12 months" keeps the
share it had in 2021. The same seed gives the same rows (dates move with the day).

Bench rows are marked `remote_id = "bench:<n>"` (repositories and owners) and their owners
are not `listed`, so no harvest ever touches them; `--clear` deletes them. Forges are reused
by host, created when missing, and never deleted.

Written for a million repositories, and to leave the repositories' table as a steady
catalogue's: each repository row is written once, complete, and never updated (no dead
tuples). The rows go by COPY into a temporary staging table, then into catalog_repository
by one INSERT … SELECT per batch that adds the search vector (catalog.search's expression);
the table's indexes are dropped for the load and built again once. The owners get their
counts by one UPDATE, as after a harvest. Then, outside the transaction, VACUUM FULL
rewrites the owners' table (and the repositories' after `--clear` deleted rows) and VACUUM
ANALYZE sets the visibility map and the statistics; inside a transaction (a test's) only
ANALYZE runs. VACUUM FULL keeps the old row versions another transaction of the database
may still see (an autovacuum's ANALYZE, say): the owners' table may then keep some free
space, as after a harvest.

Run by `python manage.py seed_bench` (codegouv/management/commands/seed_bench.py) and by
scripts/bench_site.py through it; a benchmark tool, so it lives here rather than in an app.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.postgres.functions import TransactionNow
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from api.models import Deletion
from catalog import demo, licenses
from catalog.enums import ForgeKind, OwnerKind
from catalog.models import Forge, Owner, PublicBody, Repository
from catalog.scoring import score_fields
from catalog.search import VECTOR_EXPRESSION
from catalog.services.counts import refresh_owner_counts
from catalog.services.public_bodies import TOP_ORGANIZATIONS, sync_ministries

PREFIX = "bench:"
BATCH = 5000
COPY_BATCH = 50_000  # repositories per COPY into the staging table
STAGING = "bench_repository_staging"
# Memory for building the repositories' indexes after the load (for that step only).
INDEX_MEMORY = "512MB"
REPOS_PER_OWNER = 9
DESCRIPTION_WORDS = (5, 25)
MAX_NAME_TOKENS = 5
# Root files other than LICENSE (present exactly when a licence is reported).
README_SHARE = 0.90
CONTRIBUTING_SHARE = 0.15
PUBLICCODE_SHARE = 0.03


class BenchDataError(Exception):
    """The bench rows cannot be seeded as asked (the message says why, for the command)."""


BENCH_BODIES = 300
OWNERS_WITH_BODY = 0.8
BODIES_WITH_MINISTRY = 0.85
OWNER_KINDS = {ForgeKind.GITHUB: OwnerKind.ORGANIZATION, ForgeKind.GITLAB: OwnerKind.GROUP}
# A description counts as French when it has more of these words than English ones.
FRENCH_WORDS = frozenset(
    {
        "le",
        "la",
        "les",
        "l",
        "de",
        "des",
        "du",
        "d",
        "et",
        "pour",
        "un",
        "une",
        "dans",
        "sur",
        "est",
        "par",
        "avec",
        "au",
        "aux",
        "à",
        "ce",
        "ces",
        "qui",
        "que",
        "en",
    }
)
ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "for",
        "to",
        "a",
        "an",
        "in",
        "on",
        "with",
        "is",
        "from",
        "by",
        "this",
        "that",
        "using",
    }
)
EDGE_PUNCTUATION = "\"'()[]{}<>,.;:!?«»“”‘’*#`|/\\"  # noqa: RUF001 (typographic on purpose)
NAME_SEPARATORS = re.compile(r"[-_.\s]+")


class Empirical:
    """Values with their observed counts, sampled with `random.choices`."""

    def __init__(self, counts: Counter):
        # Most frequent first, ties by repr: the order (hence the draws) never depends on
        # hash seeds or on insertion order.
        items = sorted(counts.items(), key=lambda item: (-item[1], repr(item[0])))
        self.values = [value for value, _ in items]
        self.cum_weights = list(itertools.accumulate(count for _, count in items))

    def __len__(self):
        return len(self.values)

    def one(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]

    def many(self, rng: random.Random, k: int) -> list:
        return rng.choices(self.values, cum_weights=self.cum_weights, k=k)


@dataclass(frozen=True)
class OwnerTemplate:
    host: str
    path: str
    name: str
    size: int  # repositories in the dump


@dataclass(frozen=True)
class Distributions:
    rows: int
    forge_kinds: dict  # host -> ForgeKind
    owners: list  # [OwnerTemplate], dump order
    languages: Empirical
    licenses: Empirical  # reported names ("" when none)
    topic_counts: Empirical
    topics: Empirical
    stats: list  # [(stars, forks, open_issues, is_fork)]
    activity: list  # [(created_at, updated_at, pushed_at, is_archived)] as in the dump
    newest: datetime  # the dump's newest activity date
    description_share: float
    description_languages: Empirical  # "fr" / "en"
    description_vocabulary: dict  # language -> Empirical of words
    description_lengths: Empirical  # word counts within DESCRIPTION_WORDS
    name_lengths: Empirical  # tokens per name
    name_tokens: Empirical


def _description_words(text: str) -> list[str]:
    words = []
    for raw in text.split():
        word = raw.strip(EDGE_PUNCTUATION)
        if not word or len(word) > 30 or "://" in word or word.startswith("www."):
            continue
        if not any(char.isalpha() for char in word):
            continue
        # Keep acronyms (API, GRU) as written, lowercase the rest.
        words.append(word if word.isupper() and len(word) > 1 else word.lower())
    return words


def _description_language(words: list[str]) -> str:
    stems = [part for word in words for part in re.split(r"['’]", word.lower()) if part]
    french = sum(stem in FRENCH_WORDS for stem in stems)
    english = sum(stem in ENGLISH_WORDS for stem in stems)
    if french != english:
        return "fr" if french > english else "en"
    return "fr" if any(char in "àâçéèêëîïôûùüÿœ" for char in "".join(stems)) else "en"


@functools.lru_cache(maxsize=1)
def distributions() -> Distributions:
    """The empirical distributions of the 2021 dump (read once per process)."""
    forge_kinds: dict[str, str] = {}
    owner_sizes: Counter = Counter()
    owner_names: dict = {}
    languages, reported, topic_counts, topics = Counter(), Counter(), Counter(), Counter()
    stats, activity = [], []
    described, description_languages = 0, Counter()
    vocabulary = {"fr": Counter(), "en": Counter()}
    description_lengths, name_lengths, name_tokens = Counter(), Counter(), Counter()

    rows = demo.read_dump()
    for row in rows:
        parts = urlsplit((row.get("repository_url") or "").strip())
        path = parts.path.strip("/")
        kind = demo.PLATFORMS.get((row.get("platform") or "").strip().lower())
        if not kind or not parts.netloc or "/" not in path:
            continue
        host = parts.netloc.lower()
        forge_kinds.setdefault(host, kind)
        owner_path, name = path.rsplit("/", 1)
        owner_sizes[(host, owner_path)] += 1
        owner_names.setdefault((host, owner_path), (row.get("organization_name") or "").strip())

        languages[(row.get("language") or "").strip()] += 1
        reported[(row.get("license") or "").strip()] += 1
        repo_topics = [t.strip().lower() for t in (row.get("topics") or "").split(",")]
        repo_topics = [t for t in repo_topics if t]
        topic_counts[len(repo_topics)] += 1
        topics.update(repo_topics)

        stats.append(
            (
                demo._int(row.get("stars_count")),
                demo._int(row.get("forks_count")),
                demo._int(row.get("open_issues_count")),
                bool(demo._bool(row.get("is_fork"))),
            )
        )
        activity.append(
            (
                demo._date(row.get("creation_date")),
                demo._date(row.get("last_update")),
                demo._date(row.get("last_modification")),
                bool(demo._bool(row.get("is_archived"))),
            )
        )

        words = _description_words(row.get("description") or "")
        if words:
            described += 1
            language = _description_language(words)
            description_languages[language] += 1
            vocabulary[language].update(words)
            low, high = DESCRIPTION_WORDS
            if low <= len(words) <= high:
                description_lengths[len(words)] += 1

        tokens = [t for t in NAME_SEPARATORS.split(name.lower()) if t]
        if tokens:
            name_lengths[min(len(tokens), MAX_NAME_TOKENS)] += 1
            name_tokens.update(tokens)

    if not stats:
        raise BenchDataError(f"{demo.DUMP}: no usable rows")
    dates = [d for created, updated, pushed, _ in activity for d in (updated, pushed) if d]
    return Distributions(
        rows=len(stats),
        forge_kinds=forge_kinds,
        owners=[
            OwnerTemplate(host=host, path=path, name=owner_names[(host, path)], size=size)
            for (host, path), size in owner_sizes.items()
        ],
        languages=Empirical(languages),
        licenses=Empirical(reported),
        topic_counts=Empirical(topic_counts),
        topics=Empirical(topics),
        stats=stats,
        activity=activity,
        newest=max(dates),
        description_share=described / len(stats),
        description_languages=Empirical(description_languages),
        description_vocabulary={lang: Empirical(words) for lang, words in vocabulary.items()},
        description_lengths=Empirical(description_lengths),
        name_lengths=Empirical(name_lengths),
        name_tokens=Empirical(name_tokens),
    )


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` into len(weights) parts ≥ 1 proportional to `weights` (largest remainder)."""
    rest = total - len(weights)
    weight_sum = sum(weights)
    shares = [rest * w / weight_sum for w in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: rest - sum(parts)]:
        parts[i] += 1
    return [1 + part for part in parts]


class Generator:
    """Draws owners and repositories from the distributions, one seeded stream."""

    def __init__(self, dist: Distributions, *, seed: int, now: datetime):
        self.dist = dist
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.now = now
        # Move the dump's dates so that its newest one falls on today (whole days).
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.shift = timedelta(days=(today - dist.newest).days)

    def owner_plan(self, *, repos: int, owners: int) -> list[tuple[OwnerTemplate, int]]:
        templates = [self.rng.choice(self.dist.owners) for _ in range(owners)]
        return list(zip(templates, allocate(repos, [t.size for t in templates]), strict=True))

    def name(self) -> str:
        count = self.dist.name_lengths.one(self.rng)
        return "-".join(self.dist.name_tokens.many(self.rng, count))

    def description(self) -> str:
        if self.rng.random() >= self.dist.description_share:
            return ""
        language = self.dist.description_languages.one(self.rng)
        count = self.dist.description_lengths.one(self.rng)
        words = self.dist.description_vocabulary[language].many(self.rng, count)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def topics(self) -> list[str]:
        count = self.dist.topic_counts.one(self.rng)
        if not count:
            return []
        chosen: dict[str, None] = {}
        while len(chosen) < count:
            chosen.update(dict.fromkeys(self.dist.topics.many(self.rng, count - len(chosen))))
        return list(chosen)

    def repository(self, *, n: int, forge: Forge, owner: Owner) -> dict:
        """The values of repository `n`, by attribute name (`forge_id`, `owner_id`); the
        other columns take their model defaults."""
        rng = self.rng
        name = f"{self.name()}-{n}"
        full_path = f"{owner.path}/{name}"
        web_url = f"https://{forge.host}/{full_path}"
        reported = self.dist.licenses.one(rng)
        stars, forks, open_issues, is_fork = rng.choice(self.dist.stats)
        created_at, updated_at, pushed_at, is_archived = rng.choice(self.dist.activity)
        created_at, updated_at, pushed_at = (
            date + self.shift if date else None for date in (created_at, updated_at, pushed_at)
        )
        root_files = []
        if rng.random() < README_SHARE:
            root_files.append("README")
        if reported:
            root_files.append("LICENSE")
        if rng.random() < CONTRIBUTING_SHARE:
            root_files.append("CONTRIBUTING")
        publiccode_valid = rng.random() < PUBLICCODE_SHARE
        if publiccode_valid:
            root_files.append("publiccode.yml")
        values = {
            "description": self.description(),
            "created_at": created_at,
            "updated_at": updated_at,
            "pushed_at": pushed_at,
            "stars": stars,
            "forks": forks,
            "is_fork": is_fork,
            "is_archived": is_archived,
            "license_spdx": licenses.normalize_license(reported),
            "root_files": sorted(root_files),
            "publiccode_valid": publiccode_valid,
        }
        # The root files are listed.
        values.update(score_fields(values, self.now, license_listed=True))
        values.update(
            forge_id=forge.pk,
            owner_id=owner.pk,
            remote_id=f"{PREFIX}{n}",
            full_path=full_path,
            name=name,
            web_url=web_url,
            open_issues=open_issues,
            license_reported=reported,
            language=self.dist.languages.one(rng),
            topics=self.topics(),
            publiccode=(
                {"publiccodeYmlVersion": "0.4", "name": name, "url": web_url}
                if publiccode_valid
                else None
            ),
            inspected_activity_at=max(filter(None, [pushed_at, updated_at]), default=None),
            first_seen_at=self.now,
            last_seen_at=self.now,
        )
        return values


def seed(
    *, repos: int, owners: int | None = None, seed: int = 1, clear: bool = False, say=print
) -> str:
    """Seed `repos` bench repositories (and `owners` owners); `say` reports each step.
    Returns the closing summary line."""
    if repos < 1:
        raise BenchDataError("--repos must be at least 1")
    owners = owners or max(1, round(repos / REPOS_PER_OWNER))
    if not 1 <= owners <= repos:
        raise BenchDataError("--owners must be between 1 and --repos")
    started = time.perf_counter()

    dist = distributions()
    say(
        f"2021 dump: {dist.rows} repositories, {len(dist.owners)} owners on "
        f"{len(dist.forge_kinds)} forges, {len(dist.languages)} languages, "
        f"{len(dist.licenses)} licence names, {len(dist.topics)} topics "
        f"({time.perf_counter() - started:.1f} s)"
    )
    now = timezone.now()
    generator = Generator(dist, seed=seed, now=now)
    plan = generator.owner_plan(repos=repos, owners=owners)

    with transaction.atomic():
        existing = Repository.objects.filter(remote_id__startswith=PREFIX).count()
        if existing and not clear:
            raise BenchDataError(
                f"{existing} bench repositories already seeded: use --clear to replace them"
            )
        cleared = clear_bench_rows(say) if clear else 0
        forges = get_forges({template.host for template, _ in plan}, dist.forge_kinds)
        owner_rows = create_owners(generator.rng, plan, forges, say)
        with indexes_rebuilt("catalog_repository", say):
            created = create_repositories(generator, plan, owner_rows, forges, started, say)
        step = time.perf_counter()
        # The owners' counts, as after a harvest.
        refresh_owner_counts()
        say(f"owner counts: {time.perf_counter() - step:.1f} s")

    step = time.perf_counter()
    tidy_tables(full=cleared > 0)
    say(f"vacuum and statistics: {time.perf_counter() - step:.1f} s")
    elapsed = time.perf_counter() - started
    return (
        f"seeded {created} repositories, {len(owner_rows)} owners on {len(forges)} "
        f"forges in {elapsed:.1f} s ({created / elapsed:.0f} repositories/s)"
    )


def clear_bench_rows(say) -> int:
    """Delete the bench repositories and owners; returns how many repositories went."""
    step = time.perf_counter()
    # Only the ids: the rows themselves are not needed to delete them and what points at them.
    repos, _ = Repository.objects.filter(remote_id__startswith=PREFIX).only("pk").delete()
    _, deleted = Owner.objects.filter(remote_id__startswith=PREFIX).only("pk").delete()
    owners = deleted.get(Owner._meta.label, 0)
    # The API's trigger logged each deleted row for mirrors (api.models.Deletion): synthetic
    # rows were never published, and a million tombstones would weigh on every sync: those
    # written since the seed's transaction began.
    tables = [Repository._meta.db_table, Owner._meta.db_table]
    Deletion.objects.filter(deleted_at__gte=TransactionNow(), source_table__in=tables).delete()
    elapsed = time.perf_counter() - step
    say(f"cleared {repos} bench repositories and {owners} owners ({elapsed:.1f} s)")
    return repos


def get_forges(hosts: set[str], kinds: dict[str, str]) -> dict[str, Forge]:
    """The forges of these hosts, reused or created."""
    forges = {forge.host: forge for forge in Forge.objects.filter(host__in=hosts)}
    for host in sorted(hosts - forges.keys()):
        kind = kinds[host]
        forges[host] = Forge.objects.create(
            host=host, kind=kind, api_url=Forge.default_api_url(host, kind)
        )
    return forges


def create_owners(rng, plan, forges, say) -> list[Owner]:
    """One owner per plan entry, attached to its public body before it is written (each
    row written once)."""
    taken = set(
        Owner.objects.filter(forge__in=forges.values()).values_list("forge_id", Lower("path"))
    )
    owners = []
    for index, (template, _size) in enumerate(plan, start=1):
        forge = forges[template.host]
        path = f"{template.path}-{index}"
        if (forge.pk, path.lower()) in taken:
            path = f"{template.path}-bench-{index}"
        owners.append(
            Owner(
                forge=forge,
                path=path,
                kind=OWNER_KINDS.get(forge.kind, OwnerKind.UNKNOWN),
                listed=False,
                remote_id=f"{PREFIX}{index}",
                name=template.name,
            )
        )
    attach_public_bodies(rng, owners, say)
    step = time.perf_counter()
    owners = Owner.objects.bulk_create(owners, batch_size=BATCH)
    say(f"owners: {len(owners)} created ({time.perf_counter() - step:.1f} s)")
    return owners


def attach_public_bodies(rng, owners, say) -> None:
    """Most owners belong to a public body, most bodies to a ministry, as in the real
    catalogue: the ministry and body facets and filters then cost what they will."""
    step = time.perf_counter()
    sync_ministries(TOP_ORGANIZATIONS.read_text(encoding="utf-8"))
    ministries = list(PublicBody.objects.ministries())
    PublicBody.objects.bulk_create(
        [
            PublicBody(
                pso_id=f"{PREFIX}body-{n}",
                name=f"Organisme public de test {n}",
                slug=f"organisme-public-de-test-{n}",
                ministry=rng.choice(ministries) if rng.random() < BODIES_WITH_MINISTRY else None,
            )
            for n in range(1, BENCH_BODIES + 1)
        ],
        ignore_conflicts=True,
    )
    bodies = list(PublicBody.objects.filter(pso_id__startswith=PREFIX)) + ministries
    for owner in owners:
        if rng.random() < OWNERS_WITH_BODY:
            owner.public_body = rng.choice(bodies)
    say(f"public bodies: {len(bodies)} attached to owners ({time.perf_counter() - step:.1f} s)")


def copy_columns() -> list[tuple[str, str, object]]:
    """The repository columns the COPY writes (all but the id, the search vector and the
    columns the database fills itself, `db_default`), as (column, attribute name, model
    default ready for COPY)."""
    skipped = {Repository._meta.pk.attname, "search_vector"}
    return [
        (field.column, field.attname, copy_value(field, field.get_default()))
        for field in Repository._meta.concrete_fields
        if field.attname not in skipped and field.db_default is models.NOT_PROVIDED
    ]


def copy_value(field: models.Field, value):
    """`value` as COPY takes it: JSON as its text (None stays NULL, as Django stores it)."""
    if isinstance(field, models.JSONField) and value is not None:
        return json.dumps(value)
    return value


@contextlib.contextmanager
def indexes_rebuilt(table: str, say):
    """Drop the indexes of `table` that back no constraint, and create them again on exit:
    building an index once over the loaded rows is several times faster than updating it
    row by row (PostgreSQL's "Populating a Database"), and leaves it compact. The table is
    locked until the transaction ends; a failure rolls the drop back.

    Django's foreign keys are deferred, and CREATE INDEX refuses a table with checks
    pending: they run before the drop (those of deleted rows look the indexes up) and before
    the rebuild (those of the loaded rows), as loaddata runs them."""
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index AS x "
            "JOIN pg_class AS i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    step = time.perf_counter()
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
    elapsed = time.perf_counter() - step
    say(f"{table}: foreign keys checked, {len(indexes)} indexes rebuilt ({elapsed:.1f} s)")


def repository_rows(generator, plan, owner_rows, forges, columns):
    """The COPY row of each repository of the plan, in order."""
    json_fields = [
        field for field in Repository._meta.concrete_fields if isinstance(field, models.JSONField)
    ]
    n = 0
    for (template, size), owner in zip(plan, owner_rows, strict=True):
        forge = forges[template.host]
        for _ in range(size):
            n += 1
            values = generator.repository(n=n, forge=forge, owner=owner)
            for field in json_fields:
                if field.attname in values:
                    values[field.attname] = copy_value(field, values[field.attname])
            yield [values.get(attname, default) for _, attname, default in columns]


def create_repositories(generator, plan, owner_rows, forges, started, say) -> int:
    """COPY the repositories into a staging table, COPY_BATCH at a time, and move each batch
    into catalog_repository with one INSERT … SELECT that computes the search vector: every
    row is written once, complete, and never updated (no dead tuples)."""
    columns = copy_columns()
    names = ", ".join(column for column, _, _ in columns)
    selected = ", ".join(f"r.{column}" for column, _, _ in columns)
    # SQL from constants and the model's column names only.
    create_sql = f"CREATE TEMP TABLE {STAGING} AS SELECT {names} FROM catalog_repository"  # noqa: S608
    # The owner's path and name go into the vector: a lookup per row (rather than a join)
    # keeps the staging order, hence the ids' order.
    insert_sql = (
        f"INSERT INTO catalog_repository ({names}, search_vector) SELECT {selected}, "  # noqa: S608
        f"(SELECT {VECTOR_EXPRESSION} FROM catalog_owner AS o WHERE o.id = r.owner_id) "
        f"FROM {STAGING} AS r"
    )
    total = sum(size for _, size in plan)
    rows = repository_rows(generator, plan, owner_rows, forges, columns)
    created = 0
    with connection.cursor() as cursor:
        cursor.execute(f"{create_sql} WITH NO DATA")
        while batch := list(itertools.islice(rows, COPY_BATCH)):
            with cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            cursor.execute(insert_sql)
            cursor.execute(f"TRUNCATE {STAGING}")
            created += len(batch)
            say(f"repositories: {created}/{total} ({time.perf_counter() - started:.1f} s)")
        cursor.execute(f"DROP TABLE {STAGING}")
    return created


def tidy_tables(*, full: bool) -> None:
    """Leave the tables as a steady catalogue would be: statistics, and when the seed ran
    in its own transaction (not in a test's), no dead tuples and the visibility map set.

    The repositories were only inserted; the owners were updated once (their counts), so
    their table is rewritten (VACUUM FULL), and so is the repositories' after --clear
    deleted some. VACUUM cannot run inside a transaction: in one, only ANALYZE runs."""
    tables = "catalog_repository, catalog_owner"
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {tables}")
            return
        cursor.execute(f"VACUUM (FULL) {tables if full else 'catalog_owner'}")
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
