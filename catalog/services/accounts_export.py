"""Write the forges and owners back in the official comptes-organismes-publics.yml format,
so the portal can be the source of the list rather than a file edited by hand."""

import yaml

from catalog.models import Forge


def _attributes(obj) -> dict:
    values = {}
    for name in ("pso_id", "ignored_since", "floss_policy", "ospo_url"):
        value = getattr(obj, name)
        if value:
            values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def export_accounts(forges=None) -> str:
    """YAML text of the given forges (all by default) and their listed owners."""
    forges = forges if forges is not None else Forge.objects.all()
    document = {}
    for forge in forges.order_by("host").prefetch_related("owners"):
        entry = {"forge": forge.kind, **_attributes(forge)}
        if forge.api_url != Forge.default_api_url(forge.host, forge.kind):
            entry["api_url"] = forge.api_url
        owners = {
            owner.path: _attributes(owner) or None
            for owner in sorted(forge.owners.all(), key=lambda o: o.path.lower())
            if owner.listed
        }
        if owners:
            entry["owners"] = owners
        document[forge.host] = entry
    header = (
        "# Comptes des organismes publics sur les forges, exportés de code.gouv.fr.\n"
        "# Format : voir comptes-organismes-publics.yml (clés forge, owners, pso_id,\n"
        "# ignored_since, floss_policy, ospo_url ; api_url en extension).\n\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
