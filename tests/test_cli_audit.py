"""`saywho audit` on the command line: formats, output files, HTML pages, bad input."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "belarus-own-weapons.txt"

PAGE = """<!doctype html>
<html><head><title>Ministry under pressure</title>
<meta property="article:published_time" content="2025-06-01T09:00:00Z"></head>
<body><nav>Home | World | Contact</nav>
<article><h1>Ministry under pressure</h1>
<p>"The deal is dead," said a senior official, who requested anonymity, on Monday evening.</p>
<p>Critics say the plan was rushed through parliament without any debate at all this spring.</p>
<p>The new plant is expected to open by December 2024, according to the ministry of industry.</p>
</article><footer>Copyright</footer></body></html>
"""


def test_audit_text_report(cli):
    result = cli("audit", SEED)
    assert result.code == 0, result.err
    assert "Alexander Lukashenko" in result.out
    assert "publication date" in result.out.lower()


def test_audit_json_with_date(cli):
    result = cli("audit", SEED, "--format", "json", "--published", "2025-06-01")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"sources", "flags", "time"} <= set(data)
    kinds = [f["kind"] for f in data["flags"]]
    assert "time_past_deadline" in kinds
    text = data["text"]
    for flag in data["flags"]:
        for start, end in flag["evidence"]:
            assert text[start:end]


def test_audit_markdown_to_a_file(cli, tmp_path):
    target = tmp_path / "audit.md"
    result = cli("audit", SEED, "--format", "markdown", "--output", target)
    assert result.code == 0 and result.out == ""
    assert target.read_text(encoding="utf-8").startswith("# Audit:")
    assert not list(tmp_path.glob(".*saywho-tmp"))


def test_audit_html_to_a_file(cli, tmp_path):
    target = tmp_path / "audit.html"
    result = cli("audit", SEED, "--format", "html", "-o", target)
    assert result.code == 0, result.err
    page = target.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>") and "Alexander Lukashenko" in page


def test_audit_html_page_takes_date_and_title_from_metadata(cli, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = cli("audit", page, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["document"]["published"] == "2025-06-01"
    assert data["document"]["title"] == "Ministry under pressure"
    assert "Home | World" not in data["text"]
    labels = {s["label"]: s for s in data["sources"]}
    assert labels["a senior official"]["anonymity_reason"] == "requested anonymity"
    # "expected to open by December 2024", published in June 2025: already past.
    assert "time_past_deadline" in [f["kind"] for f in data["flags"]]


def test_analyze_html_page_gives_the_extracted_text(cli, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = cli("analyze", page, "--format", "json")
    data = json.loads(result.out)
    text = data["text"]
    assert data["published"] == "2025-06-01"
    for a in data["attributions"]:
        assert a["content_text"] == " … ".join(text[s:e] for s, e in a["content"])


def test_audit_output_into_missing_folder_is_a_usage_error(cli, tmp_path):
    result = cli("audit", SEED, "-o", tmp_path / "nowhere" / "x.txt")
    assert result.code == 2
    assert result.err.startswith("saywho: error:") and result.err.count("\n") == 1


def test_audit_bad_inputs(cli, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert cli("audit", empty).code == 4
    assert cli("audit", tmp_path / "missing.txt").code == 3
    assert cli("audit", SEED, "--published", "June 2025").code == 2
    blank_page = tmp_path / "blank.html"
    blank_page.write_text("<html><head><title>x</title></head><body></body></html>")
    result = cli("audit", blank_page)
    assert result.code == 4 and "no article text" in result.err
