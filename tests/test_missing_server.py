"""The "missing server" mechanism of the root conftest.py: a skip on a laptop, a failure on CI."""

from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

TESTS = """
import pytest

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.mark.needs_server("nothing", path="/nonexistent/ayuda-server")
def test_marker():
    pass


@pytest.mark.needs_server("label-only")
def test_passes_with_a_label_only_marker():
    pass


def test_fixture(require_server):
    require_server("nothing", "not here")


def test_plain_skip():
    pytest.skip("missing server: nothing (plain skip)")


@pytest.mark.skip(reason="some other reason")
def test_other_skip():
    pass


def test_passes():
    pass
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    pytester.makeconftest(ROOT_CONFTEST.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    needs_server(name): test\n")
    pytester.makepyfile(
        test_servers=TESTS,
        test_module_skip=(
            "import pytest\n"
            "pytest.skip('missing server: nothing (module)', allow_module_level=True)\n"
        ),
    )

    def _run(ci: str | None, *args: str) -> pytest.RunResult:
        if ci is None:
            monkeypatch.delenv("CI", raising=False)
        else:
            monkeypatch.setenv("CI", ci)
        return pytester.runpytest_subprocess(
            "-p", "no:django", "-p", "no:cacheprovider", "-rs", *args
        )

    return _run


def test_missing_servers_skip_with_the_reason_prefix_off_ci(run):
    # when
    result = run(None)
    # then
    result.assert_outcomes(passed=2, skipped=5)
    result.stdout.fnmatch_lines_random(
        [
            "*missing server: nothing (/nonexistent/ayuda-server not found)",
            "*missing server: nothing (not here)",
            "*missing server: nothing (plain skip)",
            "*missing server: nothing (module)",
        ]
    )


def test_missing_servers_fail_on_ci_but_other_skips_stay_skips(run):
    # when
    result = run("true", "test_servers.py")
    # then
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # the marker fails in setup (an error), the fixture and the plain skip in the call
    result.assert_outcomes(passed=2, skipped=1, failed=2, errors=1)
    result.stdout.fnmatch_lines(["*CI=true: a missing server is a failure on CI, not a skip."])
    result.stdout.fnmatch_lines(["*some other reason*"])


def test_a_module_level_missing_server_skip_is_a_collection_error_on_ci(run):
    # when
    result = run("true", "test_module_skip.py")
    # then
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["missing server: nothing (module)", "CI=true: *"])


def test_only_ci_equal_true_turns_skips_into_failures(run):
    # when
    result = run("false")
    # then
    result.assert_outcomes(passed=2, skipped=5)
