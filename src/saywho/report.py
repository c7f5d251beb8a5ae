"""The audit of one article as a single, self-contained HTML page.

``render_html(audit)`` returns one HTML5 document with its CSS and JavaScript inline and no
reference to anything outside it (no network, fonts, images or external scripts). A
Content-Security-Policy meta tag allows exactly the page's own inline ``<style>`` and
``<script>`` (by their SHA-256 hashes), so even a string that escaped escaping could not run.

Every string that comes from the article (its text, speakers, cues, flag messages, labels)
is HTML-escaped. Data for the script travels in a ``<script type="application/json">``
block with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e`` and ``\\u0026``, and is
read with ``JSON.parse``; the script builds the details panel with ``textContent`` only.

The article text is marked up by splitting it at every span boundary (attribution content,
cue and speaker, flag evidence, time expressions, line breaks) into segments; each segment is
wrapped in one ``<span>`` carrying the classes of every span covering it, so overlapping and
nested spans never produce overlapping tags. Each line of the article is one paragraph, and
stripping the tags of the article section and unescaping gives back the text exactly.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any, Iterable

from saywho.model import Attribution, Audit, Flag, SourceType, TimeExpression

__all__ = ["render_html"]

# One colour per source, in order of first appearance; distinct on screen and in print.
PALETTE = [
    "#1f6fd1",  # blue
    "#d1495b",  # red
    "#2a9d8f",  # teal
    "#d98a0b",  # amber
    "#7b4fc9",  # purple
    "#3d8b37",  # green
    "#c2408f",  # magenta
    "#8c6d31",  # brown
    "#0f8fb3",  # cyan
    "#b35c1e",  # rust
]
UNASSIGNED = "#8a8f98"  # attributions that no source claims

TYPE_LABELS = {
    SourceType.NAMED_PERSON.value: "named person",
    SourceType.NAMED_ORGANIZATION.value: "named organisation",
    SourceType.ANONYMOUS.value: "anonymous",
    SourceType.VAGUE.value: "vague",
    SourceType.DOCUMENT.value: "document",
    SourceType.UNKNOWN.value: "unknown",
}
TYPE_COLOURS = {
    SourceType.NAMED_PERSON.value: "#1f6fd1",
    SourceType.NAMED_ORGANIZATION.value: "#2a9d8f",
    SourceType.DOCUMENT.value: "#7b4fc9",
    SourceType.ANONYMOUS.value: "#d98a0b",
    SourceType.VAGUE.value: "#d1495b",
    SourceType.UNKNOWN.value: "#8a8f98",
}

FLAG_LABELS = {
    "anonymous_source": "Anonymous source",
    "anonymous_without_reason": "Anonymous, no reason given",
    "vague_attribution": "Vague attribution",
    "single_named_source": "Single named source",
    "single_channel": "Single channel",
    "second_hand": "Second-hand statement",
    "repeated_statement": "Repeated statement",
    "earlier_statement": "Earlier statement",
    "time_past_deadline": "Deadline already past",
    "time_future_in_past_tense": "Future told in past tense",
    "no_attribution": "No attribution",
}

SNIPPET = 90  # characters of evidence shown in a flag link
DASH = '<span class="muted">—</span>'  # an empty cell


def render_html(audit: Audit) -> str:
    """The audit as one self-contained HTML5 page (a ``str``; write it as UTF-8)."""
    view = _View.of(audit)
    style = _css(view)
    data = _json_for_script(view.script_data())
    body = "\n".join(
        [
            _header(view),
            _flags_section(view),
            _article_section(view),
            _ledger_section(view),
            _time_section(view),
            _footer(view),
        ]
    )
    csp = (
        "default-src 'none'; "
        f"style-src '{_sha256(style)}'; "
        f"script-src '{_sha256(SCRIPT)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    title = escape(f"saywho audit: {view.title}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta name="generator" content="saywho {escape(audit.saywho_version)}">\n'
        f"<title>{title}</title>\n"
        f"<style>{style}</style>\n"
        "</head>\n<body>\n"
        f"{body}\n"
        f'<script type="application/json" id="saywho-data">{data}</script>\n'
        f"<script>{SCRIPT}</script>\n"
        "</body>\n</html>\n"
    )


# -- The facts the page shows, gathered once ------------------------------------------------


@dataclass
class _View:
    audit: Audit
    text: str
    attributions: list[Attribution]
    colour_of_attribution: list[int]  # colour slot per attribution; 0 is unassigned grey
    source_of_attribution: list[int | None]  # index into audit.sources
    colours: list[str] = field(default_factory=list)  # slot -> hex colour; slot 0 grey

    @classmethod
    def of(cls, audit: Audit) -> "_View":
        attributions = list(audit.document.attributions)
        position = {a.id: i for i, a in enumerate(attributions)}
        source_of: list[int | None] = [None] * len(attributions)
        for s_index, source in enumerate(audit.sources):
            for attribution_id in source.attribution_ids:
                i = position.get(attribution_id)
                if i is not None and source_of[i] is None:
                    source_of[i] = s_index
        colours = [UNASSIGNED] + [_colour(i) for i in range(len(audit.sources))]
        colour_of = [0 if s is None else s + 1 for s in source_of]
        return cls(audit, audit.text, attributions, colour_of, source_of, colours)

    @property
    def title(self) -> str:
        doc = self.audit.document
        return doc.title or doc.source or "Untitled article"

    @property
    def published(self) -> date | None:
        return self.audit.document.published or self.audit.time.published

    def source_label(self, i: int) -> str:
        s = self.source_of_attribution[i]
        return self.audit.sources[s].label if s is not None else "Unassigned"

    def unassigned(self) -> list[int]:
        return [i for i, s in enumerate(self.source_of_attribution) if s is None]

    def script_data(self) -> dict[str, Any]:
        text = self.text
        items = []
        for i, a in enumerate(self.attributions):
            speaker = a.speaker_text if a.speaker_text is not None else _join(text, a.speaker)
            cue = a.cue_text if a.cue_text is not None else _join(text, a.cue)
            continued = None
            if a.continues is not None and 0 <= a.continues < len(self.attributions):
                earlier = self.attributions[a.continues]
                continued = {
                    "number": a.continues + 1,
                    "speaker": earlier.speaker_text or _join(text, earlier.speaker) or None,
                }
            within = None
            if a.within is not None and 0 <= a.within < len(self.attributions):
                within = {"number": a.within + 1, "source": self.source_label(a.within)}
            items.append(
                {
                    "number": i + 1,
                    "kind": _value(a.kind),
                    "speaker": speaker or None,
                    "entity": a.speaker_entity,
                    "resolution": _resolution(a),
                    "sourceType": TYPE_LABELS.get(_value(a.source_type), _value(a.source_type)),
                    "source": self.source_label(i),
                    "colour": self.colour_of_attribution[i],
                    "cue": cue or None,
                    "channel": a.channel,
                    "anonymity": a.anonymity_reason,
                    "confidence": round(float(a.confidence), 2),
                    "rule": a.rule,
                    "content": _shorten(a.content_text or _join(text, a.content), 600),
                    "continues": continued,
                    "within": within,
                }
            )
        times = []
        for t in self.audit.time.expressions:
            times.append(
                {
                    "text": t.text,
                    "value": t.value,
                    "granularity": _value(t.granularity),
                    "range": _range(t),
                    "checks": _checks(t, self.published),
                }
            )
        return {"attributions": items, "times": times}


def _colour(i: int) -> str:
    if i < len(PALETTE):
        return PALETTE[i]
    hue = (i * 137.508) % 360  # golden angle: far from the colours before it
    return _hsl_to_hex(hue, 0.55, 0.42)


def _hsl_to_hex(h: float, s: float, light: float) -> str:
    c = (1 - abs(2 * light - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = light - c / 2
    sector = int(h // 60) % 6
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][sector]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return " ".join(str(int(h[k : k + 2], 16)) for k in (0, 2, 4))


def _value(x: Any) -> str:
    return x.value if hasattr(x, "value") else str(x)


def _join(text: str, spans: Iterable[tuple[int, int]]) -> str:
    return " … ".join(text[s:e] for s, e in spans)


def _shorten(s: str, limit: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _resolution(a: Attribution) -> str | None:
    if a.resolution is None:
        return None
    note = a.resolution.note
    method = _value(a.resolution.method)
    return f"{method}: {note}" if note else method


def _range(t: TimeExpression) -> str:
    if t.start is None and t.end is None:
        return ""
    if t.start == t.end:
        return str(t.start)
    return f"{t.start or '…'} – {t.end or '…'}"


def _checks(t: TimeExpression, published: date | None) -> list[str]:
    out = []
    if t.relative:
        out.append("relative to publication")
    if t.deadline:
        out.append("deadline")
    if t.forward_looking:
        out.append("forward-looking")
    if t.past_tense:
        out.append("past tense")
    if published is not None:
        if t.end is not None and t.end < published:
            out.append("before publication")
        elif t.start is not None and t.start > published:
            out.append("after publication")
        elif t.start is not None and t.end is not None:
            out.append("spans publication")
    return out


def _sha256(s: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")


def _json_for_script(data: Any) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' characters."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        raw.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x >= 0.01 or x == 0 else "<1%"


# -- The article, split at every span boundary -----------------------------------------------


@dataclass
class _Mark:
    start: int
    end: int
    role: str  # "ct" content, "cu" cue, "sp" speaker, "ev" flag evidence, "tx" time expression
    ref: int | str  # attribution index, evidence key "f-e" or time expression index


def _article_markup(view: _View) -> str:
    text = view.text
    n = len(text)

    def clamp(i: int) -> int:
        return max(0, min(n, int(i)))

    marks: list[_Mark] = []
    anchors: dict[int, list[str]] = {}
    first_at: set[int] = set()  # the first character of each attribution: one tab stop each

    for i, a in enumerate(view.attributions):
        starts = []
        for role, spans in (("ct", a.content), ("cu", a.cue), ("sp", a.speaker)):
            for s, e in spans:
                s, e = clamp(s), clamp(e)
                if s < e:
                    marks.append(_Mark(s, e, role, i))
                    starts.append(s)
        if starts:
            anchors.setdefault(min(starts), []).append(f"attr-{i + 1}")
            first_at.add(min(starts))
    for f, flag in enumerate(view.audit.flags):
        for k, (s, e) in enumerate(flag.evidence):
            s, e = clamp(s), clamp(e)
            anchors.setdefault(s, []).append(f"ev-{f}-{k}")
            if s < e:
                marks.append(_Mark(s, e, "ev", f"{f}-{k}"))
    for t, expression in enumerate(view.audit.time.expressions):
        s, e = clamp(expression.span[0]), clamp(expression.span[1])
        anchors.setdefault(s, []).append(f"time-{t}")
        if s < e:
            marks.append(_Mark(s, e, "tx", t))

    cuts = {0, n, *anchors}
    for m in marks:
        cuts.add(m.start)
        cuts.add(m.end)
    at = text.find("\n")
    while at != -1:
        cuts.add(at)
        cuts.add(at + 1)
        at = text.find("\n", at + 1)
    bounds = sorted(cuts)

    starting: dict[int, list[int]] = {}
    for k, m in enumerate(marks):
        starting.setdefault(m.start, []).append(k)
    active: set[int] = set()
    out = ["<p>"]

    def put_anchors(pos: int) -> None:
        for anchor in anchors.pop(pos, []):
            out.append(f'<span class="anchor" id="{anchor}"></span>')

    for b0, b1 in zip(bounds, bounds[1:]):
        active = {k for k in active if marks[k].end > b0}
        active.update(starting.get(b0, ()))
        piece = text[b0:b1]
        if piece == "\n":
            put_anchors(b0)
            out.append("</p>\n<p>")
            continue
        put_anchors(b0)
        if not active:
            out.append(escape(piece))
            continue
        out.append(_segment(view, [marks[k] for k in active], piece, b0 in first_at))
    for pos in sorted(anchors):  # anchors at the very end of the text
        put_anchors(pos)
    out.append("</p>")
    return "".join(out)


def _segment(view: _View, covering: list[_Mark], piece: str, tab_stop: bool) -> str:
    classes: list[str] = []
    attributions: set[int] = set()
    evidence: list[str] = []
    times: list[int] = []
    contents = 0
    for m in sorted(covering, key=lambda m: (m.role, str(m.ref))):
        if m.role in ("ct", "cu", "sp"):
            assert isinstance(m.ref, int)
            attributions.add(m.ref)
            cls = f"{m.role}-{view.colour_of_attribution[m.ref]}"
            if cls not in classes:
                classes.append(cls)
            contents += m.role == "ct"
        elif m.role == "ev":
            evidence.append(str(m.ref))
        else:
            assert isinstance(m.ref, int)
            times.append(m.ref)
    attrs = []
    if attributions:
        classes.insert(0, "seg")
        if contents > 1:
            classes.append("multi")
        attrs.append(f'data-a="{" ".join(str(i) for i in sorted(attributions))}"')
        if tab_stop:
            attrs.append('tabindex="0"')
    if evidence:
        classes.append("ev")
        attrs.append(f'data-ev="{" ".join(evidence)}"')
    if times:
        classes.append("tx")
        attrs.append(f'data-t="{" ".join(str(t) for t in sorted(times))}"')
    attrs.insert(0, f'class="{" ".join(classes)}"')
    return f"<span {' '.join(attrs)}>{escape(piece)}</span>"


# -- Sections ---------------------------------------------------------------------------------


def _header(view: _View) -> str:
    a = view.audit
    doc = a.document
    published = view.published
    meta = []
    if doc.title and doc.source:
        meta.append(f'<span>Source: <span class="mono">{escape(doc.source)}</span></span>')
    meta.append(
        f"<span>Published: <strong>{escape(published.isoformat()) if published else 'unknown'}</strong></span>"
    )
    meta.append(f'<span>Document <span class="mono">{escape(doc.id)}</span></span>')
    attributed = sum(s.words for s in a.sources)
    quoted = sum(s.quoted_words for s in a.sources)
    stats = [
        ("attributions", len(view.attributions)),
        ("sources", len(a.sources)),
        ("flags", len(a.flags)),
        ("words", doc.words),
        ("attributed words", attributed),
        ("quoted words", quoted),
        ("paragraphs", doc.paragraphs),
        ("time expressions", len(a.time.expressions)),
    ]
    stat_html = "".join(
        f'<div class="stat"><span class="num">{value}</span><span class="lbl">{label}</span></div>'
        for label, value in stats
    )
    return (
        '<header class="top">\n'
        '<p class="kicker">saywho · source audit</p>\n'
        f"<h1>{escape(view.title)}</h1>\n"
        f'<p class="meta">{" ".join(meta)}</p>\n'
        f'<div class="stats" aria-label="Counts">{stat_html}</div>\n'
        "</header>"
    )


def _flags_section(view: _View) -> str:
    flags = view.audit.flags
    parts = ['<section id="flags" aria-labelledby="flags-h">', '<h2 id="flags-h">Flags</h2>']
    if not flags:
        parts.append('<p class="empty">No flags: nothing in this audit calls for a second look.</p>')
    else:
        parts.append(
            '<p class="hint">Things an editor or fact-checker should look at. '
            "Click the evidence to jump to it in the article.</p>"
        )
        parts.append('<ol class="flags">')
        for f, flag in enumerate(flags):
            parts.append(_flag_item(view, f, flag))
        parts.append("</ol>")
    parts.append("</section>")
    return "\n".join(parts)


def _flag_item(view: _View, f: int, flag: Flag) -> str:
    text = view.text
    label = FLAG_LABELS.get(flag.kind, flag.kind.replace("_", " ").capitalize())
    links = []
    for k, (s, e) in enumerate(flag.evidence):
        snippet = _shorten(text[max(0, s) : max(0, e)], SNIPPET) or f"position {s}"
        links.append(
            f'<a class="evlink" href="#ev-{f}-{k}" data-ev="{f}-{k}">“{escape(snippet)}”</a>'
        )
    sources = []
    by_id = {s.id: (i, s) for i, s in enumerate(view.audit.sources)}
    for source_id in flag.source_ids:
        if source_id in by_id:
            i, source = by_id[source_id]
            sources.append(f'<span class="chip"><span class="sw sw-{i + 1}"></span>{escape(source.label)}</span>')
    return (
        f'<li class="flag flag-{escape(flag.kind)}" id="flag-{f}">'
        f'<span class="badge">{escape(label)}</span> '
        f'<span class="msg">{escape(flag.message)}</span>'
        + (f'<div class="chips">{"".join(sources)}</div>' if sources else "")
        + f'<div class="evidence">Evidence: {" · ".join(links)}</div>'
        "</li>"
    )


def _article_section(view: _View) -> str:
    legend = []
    for i, source in enumerate(view.audit.sources):
        legend.append(
            f'<li><span class="sw sw-{i + 1}"></span>{escape(source.label)}'
            f' <span class="muted">· {escape(TYPE_LABELS.get(_value(source.source_type), ""))}</span></li>'
        )
    if view.unassigned():
        legend.append('<li><span class="sw sw-0"></span>No source assigned</li>')
    if not legend:
        legend.append('<li class="muted">No attributed statements.</li>')
    return (
        '<section id="article" aria-labelledby="article-h">\n'
        '<h2 id="article-h">Article</h2>\n'
        '<div class="reader">\n'
        f'<div class="article-text" id="article-text">{_article_markup(view)}</div>\n'
        '<aside class="side" aria-label="Details">\n'
        '<div class="legend"><h3>Colour key</h3>'
        f'<ul class="legend-list">{"".join(legend)}</ul>'
        '<p class="roles"><span class="ex ex-ct">content</span> '
        '<span class="ex ex-cu">cue</span> <span class="ex ex-sp">speaker</span> '
        '<span class="ex ex-tx">time</span></p></div>\n'
        '<div class="details" id="details" aria-live="polite">'
        '<h3>Details</h3>'
        '<div id="details-body"><p class="muted">Hover, click or tab to a highlighted passage '
        "to see who said it and how saywho knows.</p></div></div>\n"
        "</aside>\n</div>\n</section>"
    )


def _ledger_section(view: _View) -> str:
    a = view.audit
    rows = []
    position = {att.id: j for j, att in enumerate(view.attributions)}
    for i, source in enumerate(a.sources):
        numbers = [
            f'<a href="#attr-{j + 1}" data-attr="{j}">#{j + 1}</a>'
            for j in (position.get(attribution_id) for attribution_id in source.attribution_ids)
            if j is not None
        ]
        channel = source.channel or (", ".join(source.channels) if source.channels else "")
        rows.append(
            "<tr>"
            f'<th scope="row"><span class="sw sw-{i + 1}"></span>{escape(source.label)}</th>'
            f"<td>{escape(TYPE_LABELS.get(_value(source.source_type), _value(source.source_type)))}</td>"
            f'<td class="n">{source.attributions}'
            + (f' <span class="refs">{" ".join(numbers)}</span>' if numbers else "")
            + "</td>"
            f'<td class="n">{source.words}</td>'
            f'<td class="n">{source.quoted_words}</td>'
            f"<td>{escape(channel) if channel else DASH}</td>"
            f"<td>{escape(source.anonymity_reason) if source.anonymity_reason else DASH}</td>"
            "</tr>"
        )
    if not rows:
        rows.append(
            '<tr><td colspan="7" class="empty">No sources: saywho found no attributed statement '
            "in this article.</td></tr>"
        )
    unassigned = view.unassigned()
    note = ""
    if unassigned:
        refs = " ".join(f'<a href="#attr-{j + 1}" data-attr="{j}">#{j + 1}</a>' for j in unassigned)
        note = f'<p class="hint">{len(unassigned)} attribution(s) not assigned to any source (grey): {refs}</p>'
    table = (
        '<div class="table-wrap"><table class="ledger">'
        "<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Type</th>"
        '<th scope="col" class="n">Attributions</th><th scope="col" class="n">Words</th>'
        '<th scope="col" class="n">Quoted words</th><th scope="col">Channel</th>'
        '<th scope="col">Anonymity reason</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return (
        '<section id="ledger" aria-labelledby="ledger-h">\n'
        '<h2 id="ledger-h">Sources</h2>\n'
        f"{table}\n{note}\n"
        '<h3 id="shares-h">Share of attributed words by source type</h3>\n'
        f"{_shares_chart(view)}\n"
        "</section>"
    )


def _shares_chart(view: _View) -> str:
    shares = view.audit.shares
    if not shares:
        return '<p class="empty">No attributed words, so no shares.</p>'
    row_h, label_w, bar_w = 30, 170, 330
    width = label_w + bar_w + 210
    height = row_h * len(shares) + 6
    rows = []
    for k, share in enumerate(shares):
        t = _value(share.source_type)
        y = k * row_h + 4
        fraction = max(0.0, min(1.0, float(share.share)))
        w = round(bar_w * fraction, 1)
        rows.append(
            f'<text x="{label_w - 10}" y="{y + 16}" text-anchor="end" class="c-lbl">'
            f"{escape(TYPE_LABELS.get(t, t))}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="18" rx="3" class="c-track"></rect>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="18" rx="3" fill="{TYPE_COLOURS.get(t, UNASSIGNED)}"></rect>'
            f'<text x="{label_w + bar_w + 10}" y="{y + 16}" class="c-val">'
            f"{_pct(fraction)} · {share.words} words · {share.attributions} attr."
            f"{f' · {share.relayed} relayed' if share.relayed else ''}</text>"
        )
    summary = "; ".join(
        f"{TYPE_LABELS.get(_value(s.source_type), _value(s.source_type))} {_pct(float(s.share))}" for s in shares
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(summary)}">'
        f"<title>{escape(summary)}</title>{''.join(rows)}</svg>"
    )


def _time_section(view: _View) -> str:
    time = view.audit.time
    parts = ['<section id="time" aria-labelledby="time-h">', '<h2 id="time-h">Time references</h2>']
    published = view.published
    parts.append(
        f'<p class="hint">Checked against the publication date: '
        f"<strong>{escape(published.isoformat()) if published else 'unknown'}</strong>.</p>"
    )
    if time.note:
        parts.append(f'<p class="note" role="note">{escape(time.note)}</p>')
    if not time.expressions:
        parts.append('<p class="empty">No time expressions found.</p>')
    else:
        flagged: dict[int, list[int]] = {}
        for f, flag in enumerate(view.audit.flags):
            for s, e in flag.evidence:
                for t, expression in enumerate(time.expressions):
                    ts, te = expression.span
                    if s < te and ts < e and f not in flagged.setdefault(t, []):
                        flagged[t].append(f)
        rows = []
        for t, expression in enumerate(time.expressions):
            checks = "".join(f'<span class="tag">{escape(c)}</span>' for c in _checks(expression, published))
            for f in flagged.get(t, []):
                kind = view.audit.flags[f].kind
                checks += (
                    f'<a class="tag warn" href="#flag-{f}">'
                    f"{escape(FLAG_LABELS.get(kind, kind.replace('_', ' ')))}</a>"
                )
            rows.append(
                "<tr>"
                f'<td><a href="#time-{t}" data-time="{t}">{escape(expression.text)}</a></td>'
                f'<td class="mono">{escape(expression.value) if expression.value else DASH}</td>'
                f"<td>{escape(_value(expression.granularity))}</td>"
                f'<td class="mono">{escape(_range(expression)) or DASH}</td>'
                f"<td>{checks or DASH}</td>"
                "</tr>"
            )
        parts.append(
            '<div class="table-wrap"><table class="times"><thead><tr>'
            '<th scope="col">Expression</th><th scope="col">Value</th><th scope="col">Granularity</th>'
            '<th scope="col">Covers</th><th scope="col">Checks</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _footer(view: _View) -> str:
    return (
        '<footer class="foot">'
        f"Made by saywho {escape(view.audit.saywho_version)} (schema {escape(view.audit.schema_version)}). "
        "Highlights are exact character spans found by rules over a spaCy parse; "
        "check them against the article before you rely on them."
        "</footer>"
    )


# -- Style and behaviour ----------------------------------------------------------------------


def _css(view: _View) -> str:
    rules = []
    for slot, colour in enumerate(view.colours):
        rgb = _rgb(colour)
        rules.append(
            f".ct-{slot}{{background-color:rgb({rgb}/.16)}}"
            f".ct-{slot}.active{{background-color:rgb({rgb}/.36)}}"
            f".cu-{slot}{{font-weight:650;text-decoration:underline 2px {colour};text-underline-offset:3px}}"
            f".sp-{slot}{{outline:2px solid {colour};outline-offset:0;border-radius:3px}}"
            f".sp-{slot}.active{{background-color:rgb({rgb}/.28)}}"
            f".sw-{slot}{{background:{colour}}}"
        )
    return BASE_CSS + "\n" + "\n".join(rules) + "\n"


BASE_CSS = """
:root{--ink:#1d2330;--muted:#667085;--line:#e3e6ec;--bg:#fff;--panel:#f7f8fa;--accent:#1f6fd1;--hl:#ffe066}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
body>header,body>section,body>footer{max-width:1240px;margin:0 auto;padding:0 28px}
h1{font-size:1.75rem;line-height:1.25;margin:.2rem 0 .4rem}
h2{font-size:1.2rem;margin:2.2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:.95rem;margin:.2rem 0 .5rem;color:#344054}
a{color:var(--accent)}
.top{padding-top:26px!important}
.kicker{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:.75rem;color:var(--muted);font-weight:600}
.meta{margin:0 0 .9rem;color:var(--muted);display:flex;flex-wrap:wrap;gap:.4rem 1.4rem}
.meta strong{color:var(--ink)}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
.stats{display:flex;flex-wrap:wrap;gap:10px}
.stat{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:104px}
.stat .num{display:block;font-size:1.35rem;font-weight:700;font-variant-numeric:tabular-nums}
.stat .lbl{font-size:.78rem;color:var(--muted)}
.hint{color:var(--muted);font-size:.9rem;margin:.2rem 0 .8rem}
.empty{color:var(--muted);font-style:italic}
.muted{color:var(--muted)}
.note{background:#fff8e1;border-left:4px solid #d98a0b;padding:.5rem .8rem;margin:.5rem 0 1rem}
.flags{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.flag{border:1px solid var(--line);border-left:4px solid #d98a0b;border-radius:6px;padding:10px 14px;background:#fff}
.flag-vague_attribution,.flag-anonymous_without_reason,.flag-time_past_deadline,.flag-time_future_in_past_tense,.flag-no_attribution{border-left-color:#d1495b}
.badge{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;background:#f2f4f7;border-radius:4px;padding:1px 7px;margin-right:6px;color:#344054}
.evidence{margin-top:4px;font-size:.9rem;color:var(--muted)}
.evlink{text-decoration:none;border-bottom:1px dashed currentColor}
.evlink:hover,.evlink:focus{background:#fff3bf}
.chips{margin-top:4px;display:flex;gap:6px;flex-wrap:wrap}
.chip{font-size:.82rem;background:var(--panel);border:1px solid var(--line);border-radius:999px;padding:0 9px}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:3px;margin-right:.4em;vertical-align:-.05em}
.reader{display:grid;grid-template-columns:minmax(0,1fr) 350px;gap:28px;align-items:start}
.article-text{font-family:Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,serif;font-size:1.08rem;line-height:1.75;max-width:46rem}
.article-text p{margin:0 0 1em;white-space:pre-wrap;overflow-wrap:anywhere}
.seg{cursor:pointer;border-radius:2px}
.seg:focus{outline:3px solid #101828;outline-offset:1px}
.seg.multi{box-shadow:inset 0 -2px 0 rgba(0,0,0,.35)}
.tx{border-bottom:2px dotted #475467;cursor:help}
.ev.hl,.hl{background-color:var(--hl)!important;box-shadow:0 0 0 2px #f2b705;animation:flash 1.4s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 6px #f2b705}100%{box-shadow:0 0 0 2px #f2b705}}
.anchor{scroll-margin-top:40vh}
.side{position:sticky;top:14px;max-height:calc(100vh - 28px);overflow:auto;display:grid;gap:14px}
.legend,.details{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.legend-list{list-style:none;margin:0 0 .5rem;padding:0;font-size:.9rem}
.legend-list li{margin:2px 0}
.roles{margin:0;font-size:.82rem;display:flex;gap:10px;flex-wrap:wrap}
.ex{padding:0 3px}
.ex-ct{background:rgb(102 112 133/.2)}
.ex-cu{font-weight:650;text-decoration:underline 2px #667085;text-underline-offset:3px}
.ex-sp{outline:2px solid #667085;border-radius:3px}
.ex-tx{border-bottom:2px dotted #475467}
.details{font-size:.9rem}
.details.pinned{border-color:#101828}
.card{border-top:1px solid var(--line);padding-top:8px;margin-top:8px}
.card:first-child{border-top:0;margin-top:0;padding-top:0}
.card h4{margin:0 0 4px;font-size:.95rem}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0}
.card dt{color:var(--muted)}
.card dd{margin:0;overflow-wrap:anywhere}
.card blockquote{margin:6px 0 0;padding-left:8px;border-left:3px solid var(--line);font-family:Georgia,serif;color:#344054}
.pin{font-size:.75rem;color:var(--muted);margin:0 0 6px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border-bottom:2px solid var(--line)}
tbody th{font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}
.refs{font-size:.8rem;margin-left:4px}
.refs a{margin-left:3px}
.tag{display:inline-block;font-size:.78rem;background:#f2f4f7;border-radius:4px;padding:0 6px;margin:1px 4px 1px 0}
.tag.warn{background:#fde2e1;color:#912018;text-decoration:none}
.chart{max-width:100%;height:auto;font:13px system-ui,sans-serif}
.c-lbl{fill:#344054}
.c-val{fill:#667085}
.c-track{fill:#f2f4f7}
.foot{color:var(--muted);font-size:.82rem;margin:2.5rem auto 2rem!important;border-top:1px solid var(--line);padding-top:.8rem!important}
@media (max-width:900px){.reader{grid-template-columns:1fr}.side{position:static;max-height:none}}
@media print{
 body{font-size:11pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 body>header,body>section,body>footer{max-width:none;padding:0}
 .reader{grid-template-columns:1fr}
 .side{position:static;max-height:none;overflow:visible;order:-1;margin-bottom:12px}
 .details{display:none}
 a{color:inherit;text-decoration:none}
 h2{break-after:avoid}
 tr,.flag{break-inside:avoid}
 .seg:focus{outline:none}
}
@media (prefers-reduced-motion:reduce){.hl{animation:none}}
"""

# The page's behaviour. It reads data only through JSON.parse and writes text only through
# textContent: nothing from the article is ever parsed as HTML or run as code.
SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("saywho-data").textContent);
  var article = document.getElementById("article-text");
  var box = document.getElementById("details");
  var body = document.getElementById("details-body");
  var pinned = null, shown = null, lit = [];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function dash(v) { return (v === null || v === undefined || v === "") ? "\\u2014" : String(v); }
  function ids(node, name) {
    var v = node.getAttribute(name);
    return v ? v.split(" ") : [];
  }
  function card(i) {
    var a = data.attributions[i], c = el("div", "card"), h = el("h4");
    var sw = el("span", "sw sw-" + a.colour);
    h.appendChild(sw);
    h.appendChild(document.createTextNode("#" + a.number + " " + a.source));
    c.appendChild(h);
    var dl = el("dl"), speaker = a.speaker;
    if (!speaker && a.continues) {
      speaker = "(continues #" + a.continues.number + (a.continues.speaker ? ": " + a.continues.speaker : "") + ")";
    }
    [["Kind", a.kind], ["Speaker as written", speaker], ["Resolved to", a.entity],
     ["Resolution", a.resolution], ["Source type", a.sourceType], ["Cue", a.cue],
     ["Channel", a.channel], ["Anonymity reason", a.anonymity],
     ["Reported within", a.within ? "#" + a.within.number + " (" + a.within.source + ")" : null],
     ["Confidence", typeof a.confidence === "number" ? a.confidence.toFixed(2) : a.confidence],
     ["Rule", a.rule]].forEach(function (row) {
      if ((row[0] === "Resolution" || row[0] === "Reported within") && !row[1]) return;
      dl.appendChild(el("dt", null, row[0]));
      dl.appendChild(el("dd", null, dash(row[1])));
    });
    c.appendChild(dl);
    c.appendChild(el("blockquote", null, a.content));
    return c;
  }
  function timeCard(t) {
    var x = data.times[t], c = el("div", "card");
    c.appendChild(el("h4", null, "Time: " + x.text));
    var dl = el("dl");
    [["Value", x.value], ["Granularity", x.granularity], ["Covers", x.range],
     ["Checks", x.checks.join(", ")]].forEach(function (row) {
      dl.appendChild(el("dt", null, row[0]));
      dl.appendChild(el("dd", null, dash(row[1])));
    });
    c.appendChild(dl);
    return c;
  }
  function light(list) {
    lit.forEach(function (n) { n.classList.remove("active"); });
    lit = [];
    list.forEach(function (i) {
      var nodes = article.querySelectorAll('[data-a~="' + i + '"]');
      for (var k = 0; k < nodes.length; k++) { nodes[k].classList.add("active"); lit.push(nodes[k]); }
    });
  }
  function show(seg) {
    if (!seg || seg === shown) return;
    shown = seg;
    var list = ids(seg, "data-a"), times = ids(seg, "data-t");
    body.textContent = "";
    if (pinned) body.appendChild(el("p", "pin", "Pinned \\u2014 click the passage again or press Esc to release."));
    list.forEach(function (i) { body.appendChild(card(+i)); });
    times.forEach(function (t) { body.appendChild(timeCard(+t)); });
    light(list);
  }
  function pin(seg) {
    if (pinned === seg) { pinned = null; box.classList.remove("pinned"); shown = null; show(seg); return; }
    pinned = seg; box.classList.add("pinned"); shown = null; show(seg);
  }
  function target(e) {
    var t = e.target;
    return (t && t.closest) ? t.closest("[data-a],[data-t]") : null;
  }
  article.addEventListener("mouseover", function (e) { var s = target(e); if (s && !pinned) show(s); });
  article.addEventListener("focusin", function (e) { var s = target(e); if (s && !pinned) show(s); });
  article.addEventListener("click", function (e) { var s = target(e); if (s) pin(s); });
  article.addEventListener("keydown", function (e) {
    var s = target(e);
    if (s && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); pin(s); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && pinned) { var s = pinned; pinned = null; box.classList.remove("pinned"); shown = null; show(s); }
  });

  var hl = [];
  function jump(node, hash) {
    if (!node) return;
    node.scrollIntoView({block: "center"});
    try { history.replaceState(null, "", hash); } catch (err) { /* file: pages may refuse */ }
  }
  function evidence(key) {
    hl.forEach(function (n) { n.classList.remove("hl"); });
    hl = [];
    var nodes = article.querySelectorAll('[data-ev~="' + key + '"]');
    for (var k = 0; k < nodes.length; k++) {
      nodes[k].classList.remove("hl"); void nodes[k].offsetWidth; nodes[k].classList.add("hl"); hl.push(nodes[k]);
    }
    jump(nodes[0] || document.getElementById("ev-" + key), "#ev-" + key);
  }
  function open(i) {
    var node = article.querySelector('[data-a~="' + i + '"]');
    if (!node) return;
    jump(node, "#attr-" + (i + 1));
    pinned = null; shown = null; pin(node);
    if (node.hasAttribute("tabindex")) node.focus({preventScroll: true});
  }
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[data-ev],a[data-attr],a[data-time]") : null;
    if (!a) return;
    e.preventDefault();
    if (a.hasAttribute("data-ev")) evidence(a.getAttribute("data-ev"));
    else if (a.hasAttribute("data-attr")) open(+a.getAttribute("data-attr"));
    else {
      var t = a.getAttribute("data-time"), node = article.querySelector('[data-t~="' + t + '"]');
      if (node) { jump(node, "#time-" + t); pinned = null; shown = null; pin(node); }
    }
  });
  var m = /^#ev-(\\d+-\\d+)$/.exec(location.hash);
  if (m) evidence(m[1]);
})();
"""
