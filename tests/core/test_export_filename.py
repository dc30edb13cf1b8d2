from datetime import date

from core.listing import export_filename

DAY = date(2026, 12, 5)


def test_the_name_tells_the_filters_in_ascii_then_the_day():
    filters = [
        {"label": "Langage", "value": "Python"},
        {"label": "Ministère", "value": "Éducation nationale"},
    ]
    assert (
        export_filename("depots", filters, "csv", day=DAY)
        == "depots-langage-python-ministere-education-nationale-2026-12-05.csv"
    )
    assert export_filename("sill", [], "json", day=DAY) == "sill-2026-12-05.json"


def test_the_filters_part_is_cut_at_a_word_and_never_unsafe():
    filters = [{"label": "recherche", "value": "../../etc/passwd " + "mot " * 50}]
    name = export_filename("depots", filters, "csv", day=DAY)
    assert name.startswith("depots-recherche-etcpasswd-mot-")
    assert name.endswith("-mot-2026-12-05.csv")
    assert "/" not in name and len(name) <= len("depots--2026-12-05.csv") + 80
