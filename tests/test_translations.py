"""The English catalogue is complete and its compiled .mo matches the .po that is committed."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) -> msgstr of a .po file (enough of the format for makemessages')."""
    entries, current, key = {}, {"msgid": "", "msgstr": ""}, None
    fuzzy = False

    def flush():
        if current["msgid"]:
            forms = [v for k, v in current.items() if k.startswith("msgstr[")]
            msgstr = current["msgstr"] if not forms else ("" if "" in forms else forms[0])
            entries[(current.get("msgctxt"), current["msgid"])] = "" if fuzzy else msgstr

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            flush()
            current, key = {"msgid": "", "msgstr": ""}, "msgctxt"
            current[key] = ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            if "msgctxt" not in current or current["msgid"]:
                flush()
                current = {"msgid": "", "msgstr": ""}
            key = "msgid"
            current[key] = ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
            current[key] = ast.literal_eval(line[13:])
        elif line.startswith("msgstr "):
            key = "msgstr"
            current[key] = ast.literal_eval(line[7:])
        elif line.startswith("msgstr["):
            # Plural forms: the entry counts as translated only when every form is.
            index, _, literal = line[7:].partition("] ")
            key = f"msgstr[{index}]"
            current[key] = ast.literal_eval(literal)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip():
            flush()
            current, key, fuzzy = {"msgid": "", "msgstr": ""}, None, False
    flush()
    return entries


def test_every_interface_string_has_an_english_translation():
    entries = po_entries(LOCALE / "django.po")

    untranslated = [msgid for (_ctx, msgid), msgstr in entries.items() if not msgstr]
    assert len(entries) > 50
    assert untranslated == []


def test_the_compiled_catalogue_is_up_to_date():
    entries = po_entries(LOCALE / "django.po")
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(context, msgid):
        if context:
            return compiled.pgettext(context, msgid)
        return compiled.gettext(msgid)

    stale = [
        msgid
        for (context, msgid), msgstr in entries.items()
        if compiled_text(context, msgid) != msgstr and compiled.ngettext(msgid, "", 1) != msgstr
    ]
    assert stale == [], "run `make messages` to recompile locale/en/LC_MESSAGES/django.mo"


def test_placeholders_survive_translation():
    for (_context, msgid), msgstr in po_entries(LOCALE / "django.po").items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr))
