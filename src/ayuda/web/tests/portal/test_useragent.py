import pytest

from ayuda.web.portal.useragent import ClientInfo, client_info


@pytest.mark.parametrize(
    ("header", "browser", "operating_system"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.6478.127 Safari/537.36",
            "Chrome 126",
            "Windows 10/11",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
            "Edge 126",
            "Windows 10/11",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox 128",
            "Linux",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
            "Safari 17.4",
            "macOS 10.15.7",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17.5",
            "iOS 17.5",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
            "Samsung Internet 25",
            "Android 14",
        ),
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/109.0.0.0 Safari/537.36 OPR/95.0.0.0",
            "Opera 95",
            "Windows 7",
        ),
        (
            "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko",
            "Internet Explorer 11",
            "Windows 7",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36",
            "Chrome 126",
            "ChromeOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/140.0.7339.16 Safari/537.36",
            "Chrome 140",
            "Linux",
        ),
    ],
)
def test_client_info_reads_browser_and_os(header, browser, operating_system):
    # when
    info = client_info(header)

    # then
    assert info == ClientInfo(browser=browser, operating_system=operating_system)


def test_client_info_names_non_browsers_too():
    # when
    info = client_info("curl/8.5.0")

    # then
    assert info == ClientInfo(browser="curl 8.5", operating_system="")


@pytest.mark.parametrize("header", [None, "", "   ", "x" * 10_000, "garbage/ (;;)"])
def test_client_info_unknown_or_missing_header_gives_empty_values(header):
    # when
    info = client_info(header)

    # then
    assert info.browser == ""
    assert info.operating_system == ""
