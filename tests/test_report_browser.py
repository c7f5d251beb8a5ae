"""The HTML report in a real browser: Playwright (pinned in requirements/dev.txt) driving
Debian's Chromium at /usr/bin/chromium. No browser is ever downloaded.

Without /usr/bin/chromium these tests skip, except under CI (the CI variable set), where they
fail: .ci/run installs Chromium before the tests.

Set SAYWHO_SCREENSHOT_DIR to keep the seed report's screenshot and HTML there
(saywho-report.png, saywho-report.html)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from saywho.model import Audit, Flag, TimeExpression
from saywho.report import render_html

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "belarus-own-weapons.txt"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI must provide it (.ci/run installs Debian's chromium package)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (requirements/dev.txt)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page with everything it logged, threw or requested."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        assert [text for kind, text in self.console if kind == "error"] == []
        assert self.errors == []
        assert all(url.startswith("file:") or url.startswith("data:") for url in self.requests), self.requests

    def close(self) -> None:
        self.page.close()


def seed_audit() -> Audit:
    from saywho.audit import audit

    return audit(SEED.read_text(encoding="utf-8"), source="examples/belarus-own-weapons.txt")


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "n => { const r = n.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight && r.width > 0; }",
    )


def test_seed_report_in_chromium(browser, tmp_path):
    report = seed_audit()
    assert report.flags, "the seed article should raise at least one flag"
    path = tmp_path / "saywho-report.html"
    path.write_text(render_html(report), encoding="utf-8")
    watched = Watched(browser, path)
    page = watched.page
    try:
        # Readable at 1280 px: nothing wider than the window.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert "Alexander Lukashenko" in page.inner_text("#ledger")

        # Hovering the first highlighted passage shows who said it.
        first = page.locator("#article-text .seg").first
        first.hover()
        details = page.locator("#details")
        assert "Alexander Lukashenko" in details.inner_text()
        assert "underscored" in details.inner_text()  # the cue
        assert "BelTA" in details.inner_text()  # the channel
        # The whole attribution lights up, not only the hovered piece.
        assert page.locator("#article-text .seg.active").count() >= 3
        # Clicking pins it: hovering elsewhere no longer changes the panel.
        first.click()
        assert "pinned" in (details.get_attribute("class") or "")
        page.locator("#article-text .seg").nth(8).hover()
        assert "the head of state" in details.inner_text()
        page.keyboard.press("Escape")
        assert "pinned" not in (details.get_attribute("class") or "")

        # Keyboard: a focusable passage shows its details on focus (the mouse parked in the
        # margin, so that no hover interferes).
        page.mouse.move(4, 4)
        page.locator('#article-text [tabindex="0"]').nth(1).focus()
        assert "Alexander Lukashenko" in details.inner_text()

        # A flag's evidence link scrolls to the passage and highlights it; take the one
        # furthest down the article, after scrolling to the very end of the page.
        keys = page.eval_on_selector_all("a.evlink", "links => links.map(a => a.dataset.ev)")
        assert keys
        positions = {
            key: page.evaluate(
                "k => { const n = document.getElementById('ev-' + k);"
                " return n.getBoundingClientRect().top + window.scrollY; }",
                key,
            )
            for key in keys
        }
        key = max(keys, key=positions.get)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.locator(f'a.evlink[data-ev="{key}"]').click()
        target = f'#article-text [data-ev~="{key}"]'
        assert page.locator(target).count() >= 1
        page.wait_for_function(
            "k => [...document.querySelectorAll('#article-text [data-ev~=\"' + k + '\"]')]"
            ".every(n => n.classList.contains('hl'))",
            arg=key,
        )
        assert in_viewport(page, target)
        assert page.evaluate("getComputedStyle(document.querySelector('.hl')).backgroundColor") == "rgb(255, 224, 102)"

        # The screenshot: the whole page.
        shot = tmp_path / "saywho-report.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        keep = os.environ.get("SAYWHO_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, Path(keep) / shot.name)
            shutil.copyfile(path, Path(keep) / path.name)

        watched.assert_clean()
    finally:
        watched.close()


def test_script_in_the_article_never_runs(browser, tmp_path):
    # The hand-made audit helpers of tests/test_report.py (tests/ is on sys.path under
    # pytest's default import mode, the test files having no package).
    from test_report import attribution, build_audit, document, span

    attack = "<script>window.__pwned=1</script>"
    text = f"The mayor said {attack} twice.\n<img src=x onerror=\"window.__pwned=2\"> ends it."
    content = span(text, f"{attack} twice")
    a = attribution(text, 0, [content], [span(text, "said")], [span(text, "The mayor")], entity=attack)
    report = build_audit(
        text,
        document(text, [a], title=attack),
        flags=[Flag(kind="single_named_source", message=attack, evidence=[content])],
        expressions=[
            TimeExpression(
                text="ends", span=span(text, "ends"), value=attack, granularity="vague", sentence=(0, len(text))
            )
        ],
    )
    path = tmp_path / "attack.html"
    path.write_text(render_html(report), encoding="utf-8")
    watched = Watched(browser, path)
    page = watched.page
    try:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert attack in page.inner_text("#article-text")
        page.locator("#article-text .seg").first.hover()
        assert attack in page.locator("#details").inner_text()
        page.locator("a.evlink").first.click()
        page.locator("#article-text .tx").hover()  # a time expression, outside any attribution
        assert attack in page.locator("#details").inner_text()
        page.locator('#time a[data-time="0"]').click()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('script').length") == 2
        watched.assert_clean()
    finally:
        watched.close()


def test_a_second_hand_statement_names_its_relay_in_chromium(browser, tmp_path):
    from saywho.audit import audit

    report = audit("A senior official said that Anna Berg had told him the plan was dead.\n")
    path = tmp_path / "second-hand.html"
    path.write_text(render_html(report), encoding="utf-8")
    watched = Watched(browser, path)
    page = watched.page
    try:
        details = page.locator("#details")
        # The innermost passage, "the plan was dead", is Anna Berg's, within the official's.
        page.locator("#article-text .seg", has_text="dead").last.hover()
        shown = details.inner_text()
        assert "Anna Berg" in shown and "Reported within" in shown
        assert "#1 (A senior official)" in shown
        # The official's own words, outside Anna Berg's statement, show no such line.
        page.locator("#article-text .seg", has_text="official").first.hover()
        assert "A senior official" in details.inner_text()
        assert "Reported within" not in details.inner_text()
        assert "Second-hand" in page.inner_text("#flags")
        watched.assert_clean()
    finally:
        watched.close()
