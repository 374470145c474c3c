from django.utils import translation

from ayuda.core.i18n import translated


def test_the_readers_language_comes_first():
    # given
    names = {"es": "Impresoras", "it": "Stampanti"}

    # when / then
    assert translated(names, "Printers", language="it") == "Stampanti"
    with translation.override("es"):
        assert translated(names, "Printers") == "Impresoras"


def test_a_regional_language_reads_its_base_language():
    assert translated({"es": "Impresoras"}, "Printers", language="es-ar") == "Impresoras"


def test_without_a_translation_the_sites_language_then_the_name(settings):
    # given
    settings.LANGUAGE_CODE = "es"

    # when / then
    assert translated({"es": "Impresoras"}, "Printers", language="it") == "Impresoras"
    assert translated({}, "Printers", language="it") == "Printers"
    assert translated(None, "Printers", language="it") == "Printers"


def test_blank_or_odd_values_never_hide_the_name():
    assert translated({"it": "  ", "es": 3}, "Printers", language="it") == "Printers"
    assert translated({"it": "  "}, "Printers", language="it") == "Printers"
