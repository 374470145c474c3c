from ayuda.core.timezones import zone_or_utc


def test_a_known_zone_is_itself_and_anything_else_is_utc():
    assert zone_or_utc("Europe/Madrid").key == "Europe/Madrid"
    for name in ("", None, "Mars/Olympus", "../etc/passwd", "Europe/Madrid\x00"):
        assert zone_or_utc(name).key == "UTC", name
