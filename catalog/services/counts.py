"""Keep the owners' denormalised counts (repositories, stars, last activity) in step."""

from django.db.models import Count, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.listing_cache import bump_catalog_version
from catalog.models import LAST_ACTIVITY, Owner, Repository


def refresh_owner_counts(*, owner_ids=None, forge_id=None) -> int:
    """One UPDATE over the given owners (all when neither argument is given).

    The counts are over the counted repositories (visible, not archived), as every number
    of "dépôts" on the site. Called after every write to repositories, it also marks cached
    listings stale."""
    counted = Repository.objects.counted().filter(owner=OuterRef("pk"))
    per_owner = counted.order_by().values("owner")
    owners = Owner.objects.all()
    if owner_ids is not None:
        owners = owners.filter(pk__in=list(owner_ids))
    if forge_id is not None:
        owners = owners.filter(forge_id=forge_id)
    bump_catalog_version()
    return owners.update(
        repository_count=Coalesce(
            Subquery(per_owner.annotate(n=Count("pk")).values("n")), Value(0)
        ),
        star_count=Coalesce(Subquery(per_owner.annotate(n=Sum("stars")).values("n")), Value(0)),
        last_activity_at=Subquery(per_owner.annotate(last=Max(LAST_ACTIVITY)).values("last")),
    )
