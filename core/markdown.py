"""Markdown to safe HTML: the editors' guide pages and the text agents write.

Only formatting, links and images survive nh3's allow-lists; tables get the DSFR markup.
"""

import re

import markdown
import nh3
from django.utils.translation import gettext

# What Markdown (with tables, fenced code and the table of contents) produces and we keep.
ALLOWED_TAGS = {
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "b", "i", "u", "s", "del",
    "sub", "sup", "abbr", "mark", "small",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "div", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    # Column alignment of Markdown tables, turned into DSFR classes after sanitising: no
    # style attribute reaches the page (the Content-Security-Policy refuses inline styles).
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    # Anchors from the toc extension, so that headings can be linked to.
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
ALLOWED_CLASSES = {"div": {"toc"}}
URL_SCHEMES = {"http", "https", "mailto"}
# align="…" of a table cell (left is the default) as the DSFR class that does the same;
# only in a real <th>/<td> tag (after sanitising, a "<" in text is always escaped).
CELL_ALIGN = re.compile(r'(<t[hd](?: [^>]*)?) align="(left|center|right)"')
CELL_CLASSES = {
    "left": "",
    "center": ' class="fr-cell--center"',
    "right": ' class="fr-cell--right"',
}


# DSFR table markup around each table; applied after sanitising, where every "<table>"
# left is a real tag (text that looks like one is escaped by then).
# The container scrolls on narrow screens: keyboard users must be able to reach it (RGAA).
TABLE_OPEN = (
    '<div class="fr-table"><div class="fr-table__wrapper">'
    '<div class="fr-table__container" tabindex="0" role="region" aria-label="{label}">'
    '<div class="fr-table__content"><table>'
)
TABLE_CLOSE = "</table></div></div></div></div>"


def render_markdown(text, *, from_user=False):
    """Markdown to HTML, then sanitised: only formatting, links and images survive.

    ``from_user``: text an agent wrote, shown inside a page: its headings start at level 3
    (under the page's own), without anchors that could clash with the page's, and without
    images (no third-party requests from our pages).
    """
    html = markdown.markdown(
        text or "",
        extensions=["tables", "fenced_code", "toc"],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"baselevel": 3 if from_user else 1},
        },
    )
    attributes = ALLOWED_ATTRIBUTES
    tags = ALLOWED_TAGS
    if from_user:
        attributes = {tag: names for tag, names in ALLOWED_ATTRIBUTES.items() if tag[0] != "h"}
        tags = ALLOWED_TAGS - {"img"}
    html = nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_known_alignment,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )
    html = CELL_ALIGN.sub(lambda match: match[1] + CELL_CLASSES[match[2]], html)
    opening = TABLE_OPEN.format(label=gettext("Tableau"))
    return html.replace("<table>", opening).replace("</table>", TABLE_CLOSE)


def _known_alignment(tag, attribute, value):
    """nh3's attribute filter: an align="…" other than left, center or right is dropped."""
    if attribute == "align" and value not in CELL_CLASSES:
        return None
    return value
