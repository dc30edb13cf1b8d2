"""Each repository keeps its owner's public body, else its forge's (Owner.body), so that the
listing's ministry and public body facets and filters read the repository table alone
(ADR 13). Triggers keep it whatever writes the rows (bulk upserts, .update(), the admin,
raw SQL): a repository's is computed when it is written with an owner, and a change of an
owner's body or forge, or of a forge's body, moves the repositories concerned."""

import django.db.models.deletion
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION catalog_repository_public_body() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- FOR SHARE: an owner's or forge's change of body committing meanwhile waits for this
    -- transaction, whose row its own trigger then sees (read unlocked, a repository
    -- inserted while the owner's body changed kept the old body).
    SELECT COALESCE(o.public_body_id, f.public_body_id) INTO NEW.public_body_id
    FROM catalog_owner o JOIN catalog_forge f ON f.id = o.forge_id
    WHERE o.id = NEW.owner_id
    FOR SHARE OF o, f;
    RETURN NEW;
END $$;
-- Only when the statement names the owner (an insert, Django's save(), the harvest's
-- upserts, the triggers below): the search vectors' and counts' updates do not pay for it.
CREATE TRIGGER catalog_repository_public_body
    BEFORE INSERT OR UPDATE OF owner_id, public_body_id ON catalog_repository
    FOR EACH ROW EXECUTE FUNCTION catalog_repository_public_body();

CREATE FUNCTION catalog_owner_public_body() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.public_body_id IS DISTINCT FROM OLD.public_body_id
            OR NEW.forge_id IS DISTINCT FROM OLD.forge_id THEN
        UPDATE catalog_repository SET owner_id = owner_id WHERE owner_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER catalog_owner_public_body
    AFTER UPDATE OF public_body_id, forge_id ON catalog_owner
    FOR EACH ROW EXECUTE FUNCTION catalog_owner_public_body();

CREATE FUNCTION catalog_forge_public_body() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.public_body_id IS DISTINCT FROM OLD.public_body_id THEN
        UPDATE catalog_repository SET owner_id = owner_id
        WHERE owner_id IN (
            SELECT id FROM catalog_owner WHERE forge_id = NEW.id AND public_body_id IS NULL
        );
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER catalog_forge_public_body
    AFTER UPDATE OF public_body_id ON catalog_forge
    FOR EACH ROW EXECUTE FUNCTION catalog_forge_public_body();
"""

DROP_TRIGGERS = """
DROP TRIGGER catalog_forge_public_body ON catalog_forge;
DROP FUNCTION catalog_forge_public_body();
DROP TRIGGER catalog_owner_public_body ON catalog_owner;
DROP FUNCTION catalog_owner_public_body();
DROP TRIGGER catalog_repository_public_body ON catalog_repository;
DROP FUNCTION catalog_repository_public_body();
"""

# The existing rows, without touching their API stamp (the API's own trigger, when its app
# is migrated, would take the new column for a change: api 0004 then ignores it).
BACKFILL = """
DO $$
DECLARE
    stamped boolean := EXISTS (
        SELECT 1 FROM pg_trigger
        WHERE tgname = 'api_touch_modified_at' AND tgrelid = 'catalog_repository'::regclass
    );
BEGIN
    IF stamped THEN
        ALTER TABLE catalog_repository DISABLE TRIGGER api_touch_modified_at;
    END IF;
    UPDATE catalog_repository r SET public_body_id = COALESCE(o.public_body_id, f.public_body_id)
    FROM catalog_owner o JOIN catalog_forge f ON f.id = o.forge_id
    WHERE o.id = r.owner_id AND COALESCE(o.public_body_id, f.public_body_id) IS NOT NULL;
    IF stamped THEN
        ALTER TABLE catalog_repository ENABLE TRIGGER api_touch_modified_at;
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0020_package_usage_purl"),
    ]

    operations = [
        migrations.AddField(
            model_name="repository",
            name="public_body",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="catalog.publicbody",
                verbose_name="organisme public (du propriétaire ou de la forge)",
            ),
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
