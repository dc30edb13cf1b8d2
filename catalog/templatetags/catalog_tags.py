"""What the catalogue's cards write in Python rather than in template tags: a listing shows
twenty cards, and two `blocktranslate` blocks made half of a card's rendering time."""

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def card_detail(repository) -> str:
    """The card's last line: the reuse potential (over the checkable points when some could
    not be checked), the stars, the day of the last update. Same messages as before."""
    values = {
        "score": formats.localize(repository.score),
        "checkable": formats.localize(repository.score_checkable),
        "stars": formats.localize(repository.stars),
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
        day = formats.date_format(timezone.localtime(repository.updated_at), "SHORT_DATE_FORMAT")
        text += " · " + gettext("mis à jour le %(date)s") % {"date": day}
    return text
