"""``{% frame name value… %}…{% endframe %}``: a part of every page's frame (header, footer,
DSFR assets) rendered once per process, language and `value`s, then reused.

The frame is the same on every page of a language but rendering it with Django's templates
cost ~4 ms of every uncached page (ADR 13). It holds no data of the database, so it lives in
the process's memory, not in Redis: no round trip, nothing to invalidate but a change of
settings (tests) and a new deployment (a new process). What differs from page to page (the
current section, the language links, the logged-in visitor's links) stays outside a frame
or among its `value`s.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.autoreload import file_changed
from django.utils.translation import get_language

register = template.Library()

# Rendered frames: {(name, language, *values): html}. A few per section and language.
_RENDERED: dict[tuple, str] = {}
# More entries than the frame can have means a value that should not vary it: start again.
MAX_ENTRIES = 500


class FrameNode(template.Node):
    def __init__(self, name: str, values: list, nodelist):
        self.name = name
        self.values = values
        self.nodelist = nodelist

    def render(self, context):
        key = (
            self.name,
            get_language(),
            *(str(value.resolve(context)) for value in self.values),
        )
        html = _RENDERED.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_RENDERED) >= MAX_ENTRIES:
                _RENDERED.clear()
            _RENDERED[key] = html
        return html


@register.tag("frame")
def do_frame(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% frame %} needs a name")
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


@receiver(setting_changed)
@receiver(file_changed)
def forget_frames(**kwargs) -> None:
    """A test's new SITE_NAME, STATIC_URL or LANGUAGES shows on its next page, and so does
    a template or a translation edited under the development server (which reloads them
    without starting a new process). Returns None: a true answer would stop the reload."""
    _RENDERED.clear()
