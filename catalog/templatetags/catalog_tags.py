"""What the catalogue's cards write in Python rather than in template tags: a listing shows
twenty cards, and two `blocktranslate` blocks made half of a card's rendering time."""

from datetime import date
from functools import lru_cache

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

register = template.Library()


@register.simple_tag
def card_detail(repository) -> str:
    """The card's last line: the reuse potential (over the checkable points when some could
    not be checked), the stars, the day of the last update. Same messages as before."""
    # Integers as {{ value }} writes them (no thousands separator is configured): str()
    # rather than formats.localize, which looks the formats up again for each one.
    values = {
        "score": str(repository.score),
        "checkable": str(repository.score_checkable),
        "stars": str(repository.stars),
    }
    if repository.score_is_partial:
        text = ngettext(
            "Potentiel de réutilisation %(score)s/100 (sur %(checkable)s points vérifiables) "
            "· %(stars)s étoile",
            "Potentiel de réutilisation %(score)s/100 (sur %(checkable)s points vérifiables) "
            "· %(stars)s étoiles",
            repository.stars,
        )
    else:
        text = ngettext(
            "Potentiel de réutilisation %(score)s/100 · %(stars)s étoile",
            "Potentiel de réutilisation %(score)s/100 · %(stars)s étoiles",
            repository.stars,
        )
    text %= values
    if repository.updated_at:
        day = short_date(timezone.localtime(repository.updated_at).date(), get_language())
        text += " · " + gettext("mis à jour le %(date)s") % {"date": day}
    return text


@lru_cache(maxsize=4096)
def short_date(day: date, language: str) -> str:
    """`day` in the short format of `language` (the active one, passed to key the cache):
    the twenty cards of a page share a handful of days."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")
