"""An incident's figures read as labelled rows, in the user's language."""

from datetime import datetime

from django.utils import translation

from ayuda.devices.figures import figure_rows


def test_known_figures_get_translated_labels_and_dates_become_dates():
    figures = {"days_silent": 4, "last_heartbeat": "2026-11-27T08:00:00+00:00", "in": 10}
    with translation.override("es"):
        rows = [(str(label), value) for label, value in figure_rows(figures)]
    assert rows[0] == ("Días sin señal de vida", 4)
    assert rows[1][0] == "Última señal de vida" and isinstance(rows[1][1], datetime)
    assert rows[2] == ("ENTRADA", 10)


def test_an_unknown_figure_is_shown_tidied_and_odd_values_do_not_break():
    rows = figure_rows({"hours_idle": 5, "zones": ["a", "b"], "by_door": {"n": 1}, "x": None})
    assert [(str(label), value) for label, value in rows] == [
        ("Hours idle", 5),
        ("Zones", "a, b"),
        ("By door", "n: 1"),
        ("X", None),
    ]
    assert figure_rows(["not", "a", "dict"]) == []
    assert figure_rows(None) == []
