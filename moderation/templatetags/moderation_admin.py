from django import template

from moderation.admin import pending_total

register = template.Library()


@register.inclusion_tag("admin/includes/moderation_block.html")
def moderation_block():
    return {"pending": pending_total()}
