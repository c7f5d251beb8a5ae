"""The HTML report (saywho.report.render_html), without a browser: escaping, the article
text round trip, well-formed markup for nested and overlapping spans, flag anchors,
self-containment and the empty case. Audits are built by hand, so these tests do not
depend on the audit rules."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import saywho
from saywho.model import (
    Attribution,
    Audit,
    Document,
    Flag,
    Granularity,
    Kind,
    Share,
    Source,
    SourceType,
    TimeExpression,
    TimeReport,
    document_id,
)
from saywho.report import render_html

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "belarus-own-weapons.txt"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# -- Building audits by hand ----------------------------------------------------------------


def span(text: str, part: str, after: int = 0) -> tuple[int, int]:
    """The span of the first ``part`` in ``text`` at or after ``after``."""
    start = text.index(part, after)
    return (start, start + len(part))


def attribution(
    text: str,
    index: int,
    content: list[tuple[int, int]],
    cue: list[tuple[int, int]] = (),
    speaker: list[tuple[int, int]] = (),
    *,
    entity: str | None = None,
    source_type: SourceType = SourceType.NAMED_PERSON,
    kind: Kind = Kind.INDIRECT,
    channel: str | None = None,
    anonymity_reason: str | None = None,
) -> Attribution:
    return Attribution(
        id=f"{document_id(text)}:{index}",
        index=index,
        kind=kind,
        content=list(content),
        cue=list(cue),
        speaker=list(speaker),
        speaker_entity=entity,
        source_type=source_type,
        channel=channel,
        anonymity_reason=anonymity_reason,
        sentence=0,
        paragraph=0,
        confidence=0.8,
        rule="hand-made",
    ).fill_texts(text)


def document(text: str, attributions: list[Attribution], **extra) -> Document:
    return Document(
        saywho_version=saywho.__version__,
        id=document_id(text),
        characters=len(text),
        words=len(text.split()),
        paragraphs=text.count("\n") + 1,
        sentences=max(1, text.count(".")),
        attributions=attributions,
        **extra,
    )


def build_audit(
    text: str,
    doc: Document,
    *,
    flags: list[Flag] = (),
    expressions: list[TimeExpression] = (),
    note: str | None = None,
) -> Audit:
    """A minimal ledger: one source per resolved entity, or per speaker as written; a
    continuation goes with the attribution it continues."""
    sources: list[Source] = []
    owner: dict[int, Source] = {}
    by_key: dict[str, Source] = {}
    for i, a in enumerate(doc.attributions):
        if a.continues is not None and a.continues in owner:
            source = owner[a.continues]
        else:
            key = a.speaker_entity or a.speaker_text or "unknown"
            source = by_key.get(key)
            if source is None:
                source = Source(
                    id=f"s{len(sources) + 1}",
                    label=key,
                    source_type=a.source_type,
                    attributions=0,
                    words=0,
                    quoted_words=0,
                    anonymity_reason=a.anonymity_reason,
                    channel=a.channel,
                )
                by_key[key] = source
                sources.append(source)
        owner[i] = source
        words = len(a.content_text.split())
        source.attributions += 1
        source.attribution_ids.append(a.id)
        source.words += words
        if Kind(a.kind) in (Kind.DIRECT, Kind.CONTINUATION):
            source.quoted_words += words
        if a.channel and source.channel is None:
            source.channel = a.channel
    total = sum(s.words for s in sources)
    shares = []
    for source_type in SourceType:
        picked = [s for s in sources if s.source_type == source_type]
        if picked:
            words = sum(s.words for s in picked)
            shares.append(
                Share(
                    source_type=source_type,
                    attributions=sum(s.attributions for s in picked),
                    words=words,
                    share=words / total if total else 0.0,
                )
            )
    return Audit(
        saywho_version=saywho.__version__,
        document=doc,
        text=text,
        sources=sources,
        shares=shares,
        flags=list(flags),
        time=TimeReport(published=doc.published, note=note, expressions=list(expressions)),
    )


# -- Reading the page back ------------------------------------------------------------------


class Page(HTMLParser):
    """Checks that tags balance and collects the text of the element with id article-text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.article_depth: int | None = None
        self.article: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.styles: list[str] = []
        self._script: dict | None = None
        self._style = False
        self.seen_article = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "script":
            self._script = attrs
        if tag == "style":
            self._style = True
        if tag in VOID:
            return
        self.stack.append(tag)
        if attrs.get("id") == "article-text":
            self.article_depth = len(self.stack)
            self.seen_article = True

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.errors.append(f"self-closing <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        if self.article_depth is not None and len(self.stack) == self.article_depth:
            self.article_depth = None
        self.stack.pop()
        if tag == "script":
            self._script = None
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
        elif self._style:
            self.styles.append(data)
        elif self.article_depth is not None:
            self.article.append(data)

    @property
    def article_text(self) -> str:
        return "".join(self.article)


def read(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == [], f"unclosed: {parser.stack}"
    assert parser.seen_article
    return parser


def article_markup(page: str) -> str:
    start = page.index('id="article-text">') + len('id="article-text">')
    end = page.index("</div>", start)  # the article holds only <p> and <span>
    return page[start:end]


# -- Fixtures --------------------------------------------------------------------------------

NESTED = (
    "Officials said the minister, who called the plan “reckless”, would resign.\n"
    "\n"
    "“We will not   back down,” she said.  Indentation   stays.\n"
    "Last line without attribution."
)


def nested_audit() -> Audit:
    """Overlaps and nesting: the content of one attribution holds another's speaker and cue,
    a flag's evidence cuts across spans and line breaks, a time expression sits inside."""
    text = NESTED
    outer = attribution(
        text,
        0,
        [span(text, "the minister, who called the plan “reckless”, would resign")],
        [span(text, "said")],
        [span(text, "Officials")],
        source_type=SourceType.VAGUE,
    )
    inner = attribution(
        text,
        1,
        [span(text, "reckless")],
        [span(text, "called")],
        [span(text, "the minister"), span(text, "who")],
        entity="The Minister",
        kind=Kind.MIXED,
    )
    second = attribution(
        text,
        2,
        [span(text, "We will not   back down,")],
        [span(text, "said", 60)],
        [span(text, "she")],
        entity="The Minister",
        kind=Kind.DIRECT,
    )
    inner.within = 0  # its cue lies in outer's content
    unassigned = attribution(text, 3, [span(text, "Indentation")], source_type=SourceType.UNKNOWN)
    doc = document(text, [outer, inner, second, unassigned], published=date(2025, 6, 1))
    report = build_audit(
        text,
        doc,
        flags=[
            Flag(kind="vague_attribution", message="“Officials” is vague.", evidence=[span(text, "Officials")]),
            Flag(
                kind="repeated_statement",
                message="Evidence across spans and a paragraph break.",
                evidence=[(span(text, "plan")[0], span(text, "We will")[1]), span(text, "Last line")],
            ),
        ],
        expressions=[
            TimeExpression(
                text="Last",
                span=span(text, "Last"),
                granularity=Granularity.VAGUE,
                sentence=span(text, "Last line without attribution."),
            )
        ],
    )
    # The fourth attribution belongs to no source: it must show grey.
    report.sources = [s for s in report.sources if unassigned.id not in s.attribution_ids]
    return report


@pytest.fixture(scope="module")
def seed_audit() -> Audit:
    text = SEED.read_text(encoding="utf-8")
    doc = saywho.analyze(text, source="examples/belarus-own-weapons.txt")
    first = doc.attributions[0]
    return build_audit(
        text,
        doc,
        flags=[
            Flag(
                kind="single_named_source",
                message="Alexander Lukashenko is the only named source.",
                evidence=first.speaker + first.content,
            )
        ],
        note="No publication date: relative dates and deadlines were not checked.",
    )


# -- Tests ----------------------------------------------------------------------------------

ATTACK = "<script>alert(1)</script>"


def test_everything_from_the_article_is_escaped():
    text = f"The mayor said {ATTACK} was fine & <b>bold</b>.\nA second line."
    content = span(text, f"{ATTACK} was fine & <b>bold</b>")
    a = attribution(
        text,
        0,
        [content],
        [span(text, "said")],
        [span(text, "The mayor")],
        entity=f"Mayor {ATTACK}",
        channel="<img src=x onerror=alert(2)>",
        anonymity_reason=ATTACK,
    )
    doc = document(text, [a], title=f"Title {ATTACK}", source=f"file-{ATTACK}.txt")
    report = build_audit(
        text,
        doc,
        flags=[Flag(kind="single_named_source", message=f"Flag says {ATTACK}", evidence=[content])],
        expressions=[
            TimeExpression(
                text=ATTACK, span=content, granularity=Granularity.VAGUE, value=ATTACK, sentence=(0, len(text))
            )
        ],
        note=f"Note {ATTACK}",
    )
    assert report.sources[0].label == f"Mayor {ATTACK}"
    page = render_html(report)

    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>bold</b>" not in page
    escaped = html.escape(ATTACK)
    assert f"Title {escaped}" in page  # the title
    assert f"Mayor {escaped}" in page  # the speaker's entity, in the ledger
    assert f"Flag says {escaped}" in page  # the flag message
    assert f"Note {escaped}" in page  # the time note
    assert escaped in article_markup(page)  # the article text itself
    # Exactly two script elements: the JSON data and the page's own code.
    assert page.count("<script") == 2
    parsed = read(page)
    assert parsed.article_text == text
    # The data block parses back to the same strings; its raw text has no < > &.
    (data_attrs, raw), (code_attrs, _code) = parsed.scripts
    assert data_attrs == {"type": "application/json", "id": "saywho-data"}
    assert code_attrs == {}
    assert not set(raw) & set("<>&")
    data = json.loads(raw)
    assert data["attributions"][0]["entity"] == f"Mayor {ATTACK}"
    assert data["attributions"][0]["channel"] == "<img src=x onerror=alert(2)>"
    assert data["times"][0]["text"] == ATTACK


def test_seed_article_round_trips_and_content_spans_appear_in_order(seed_audit):
    text = seed_audit.text
    page = render_html(seed_audit)
    parsed = read(page)
    assert parsed.article_text == text
    # Every content span's text lies in the article markup, in text order.
    plain = html.unescape(re.sub(r"<[^>]+>", "", article_markup(page)))
    assert plain == text
    at = 0
    for a in seed_audit.document.attributions:
        for start, end in a.content:
            found = plain.find(text[start:end], at)
            assert found == start, (a.id, text[start:end])
            at = found
    # Paragraphs: one <p> per line.
    assert article_markup(page).count("<p>") == text.count("\n") + 1


def test_seed_article_highlights_roles_and_colours(seed_audit):
    page = render_html(seed_audit)
    markup = article_markup(page)
    # Alexander Lukashenko is the first source (colour slot 1), all his roles marked.
    assert re.search(r'<span class="seg[^"]*\bsp-1\b[^"]*"[^>]*>the head of state</span>', markup)
    assert re.search(r'<span class="seg[^"]*\bcu-1\b[^"]*"[^>]*>underscored</span>', markup)
    assert 'class="seg ct-1' in markup
    assert "Alexander Lukashenko" in page
    assert "unknown" in page  # no publication date
    assert "No publication date" in page  # the time note
    # One tab stop per attribution.
    assert markup.count('tabindex="0"') == len({min(s for s, _ in a.content + a.cue + a.speaker)
                                                for a in seed_audit.document.attributions})


def test_nested_and_overlapping_spans_make_well_formed_markup():
    report = nested_audit()
    page = render_html(report)
    parsed = read(page)
    assert parsed.article_text == NESTED
    markup = article_markup(page)
    # No span inside a span: each segment is one flat element.
    assert not re.search(r"<span[^>]*>[^<]*<span", markup.replace('<span class="anchor"', "<i"))
    # "reckless" is content of the outer and the inner attribution at once.
    assert re.search(r'<span class="seg[^"]*\bct-\d[^"]*\bmulti\b[^"]*" data-a="0 1"[^>]*>reckless</span>', markup)
    # "the minister" is inside the outer content and is the inner speaker.
    assert re.search(r'<span class="seg ct-\d+ sp-\d+[^"]*" data-a="0 1"[^>]*>the minister</span>', markup)
    # Runs of spaces survive; the article keeps its empty line as an empty paragraph.
    assert "not   back down," in markup and "   stays." in markup
    assert "<p></p>" in markup
    # The unassigned attribution is grey (slot 0) and the ledger says so.
    assert re.search(r'class="seg ct-0"[^>]*>Indentation<', markup)
    assert "not assigned to any source" in page


def test_every_flag_evidence_has_an_anchor_and_a_link():
    report = nested_audit()
    page = render_html(report)
    parsed = read(page)
    for f, flag in enumerate(report.flags):
        for k, _ in enumerate(flag.evidence):
            assert parsed.ids.count(f"ev-{f}-{k}") == 1
            assert f"#ev-{f}-{k}" in parsed.hrefs
            assert f'data-ev="{f}-{k}"' in page or re.search(rf'data-ev="[^"]*\b{f}-{k}\b', page)
    # The evidence across a paragraph break marks segments on both sides of it.
    markup = article_markup(page)
    paragraphs = markup.split("</p>")
    assert "1-0" in paragraphs[0] and "1-0" in paragraphs[2]
    # Ids are unique, and every internal link has its target.
    assert len(parsed.ids) == len(set(parsed.ids))
    for href in parsed.hrefs:
        assert href.startswith("#") and href[1:] in parsed.ids, href


def test_zero_length_and_out_of_range_spans_do_not_break_the_page():
    text = "Short text, said nobody."
    a = attribution(text, 0, [(0, 10), (500, 600)], [span(text, "said")], [(20, 20)])
    report = build_audit(
        text,
        document(text, [a]),
        flags=[Flag(kind="repeated_statement", message="m", evidence=[(5, 5), (len(text), len(text) + 40)])],
    )
    page = render_html(report)
    parsed = read(page)
    assert parsed.article_text == text
    assert "ev-0-0" in parsed.ids and "ev-0-1" in parsed.ids


def test_the_page_is_self_contained(seed_audit):
    for report in (seed_audit, nested_audit()):
        page = render_html(report)
        lowered = page.lower()
        assert "http://" not in lowered and "https://" not in lowered
        assert "//" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S).replace("://", "")
        for needle in ("<link", "<img", "<iframe", "@import", "url(", " src=", "@font-face"):
            assert needle not in lowered, needle
        parsed = read(page)
        assert all(href.startswith("#") for href in parsed.hrefs)


def test_content_security_policy_allows_exactly_the_inline_style_and_script(seed_audit):
    page = render_html(seed_audit)
    parsed = read(page)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp

    def digest(s: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    (style,) = parsed.styles
    code = parsed.scripts[1][1]
    assert f"style-src {digest(style)}" in csp
    assert f"script-src {digest(code)}" in csp
    assert "unsafe" not in csp


def test_ledger_chart_flags_and_time_of_a_hand_made_audit():
    report = nested_audit()
    report.time.expressions[0].value = "2025-06"
    report.time.expressions[0].deadline = True
    page = render_html(report)
    assert "Published: <strong>2025-06-01</strong>" in page
    ledger = page[page.index('<section id="ledger"') : page.index('<section id="time"')]
    assert "Officials" in ledger and "The Minister" in ledger
    assert ledger.count("<tr>") == 1 + len(report.sources)
    assert "<svg" in ledger and "named person" in ledger and "vague" in ledger
    flags = page[page.index('<section id="flags"') : page.index('<section id="article"')]
    assert "Vague attribution" in flags and "“Officials” is vague." in html.unescape(flags)
    time = page[page.index('<section id="time"') :]
    assert "2025-06" in time and "deadline" in time and 'href="#time-0"' in time
    assert 'href="#flag-1"' in time  # the flag whose evidence covers the expression


def test_a_statement_reported_within_another_names_it_on_its_card():
    report = nested_audit()
    parsed = read(render_html(report))
    data = json.loads(parsed.scripts[0][1])
    outer, inner = data["attributions"][:2]
    assert outer["within"] is None
    assert inner["within"] == {"number": 1, "source": "Officials"}
    assert '"Reported within"' in parsed.scripts[1][1]  # the card shows it


def test_an_article_without_attributions_renders_an_honest_empty_ledger():
    text = "The sun rose over the city.\nNobody said anything."
    report = build_audit(text, document(text, []))
    assert report.sources == [] and report.shares == []
    page = render_html(report)
    parsed = read(page)
    assert parsed.article_text == text
    assert "No sources: saywho found no attributed statement" in page
    assert "No attributed words, so no shares." in page
    assert "No flags" in page
    assert "No time expressions found." in page
    assert "Published: <strong>unknown</strong>" in page
    assert '<span class="num">0</span><span class="lbl">attributions</span>' in page
    assert "data-a=" not in article_markup(page)


def test_an_empty_text_renders():
    report = build_audit("", document("", []))
    parsed = read(render_html(report))
    assert parsed.article_text == ""


@st.composite
def spanned_texts(draw):
    text = draw(st.text(alphabet="ab <&>\n\"'“", min_size=0, max_size=40))
    n = len(text)
    spans = st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted).map(tuple)
    count = draw(st.integers(0, 4))
    attributions = [
        attribution(
            text,
            i,
            draw(st.lists(spans, min_size=1, max_size=2)),
            draw(st.lists(spans, max_size=2)),
            draw(st.lists(spans, max_size=2)),
            entity=draw(st.sampled_from([None, "A", "B"])),
        )
        for i in range(count)
    ]
    evidence = draw(st.lists(spans, min_size=1, max_size=3))
    return text, attributions, evidence


@settings(max_examples=150, deadline=None)
@given(spanned_texts())
def test_any_spans_round_trip_as_balanced_markup(case):
    text, attributions, evidence = case
    report = build_audit(
        text, document(text, attributions), flags=[Flag(kind="repeated_statement", message="m", evidence=evidence)]
    )
    page = render_html(report)
    parsed = read(page)
    assert parsed.article_text == text
    assert all(f"ev-0-{k}" in parsed.ids for k in range(len(evidence)))
    assert len(parsed.ids) == len(set(parsed.ids))
