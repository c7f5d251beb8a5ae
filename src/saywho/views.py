"""Plain-text and Markdown views of an audit (the HTML report is in ``report``)."""

from __future__ import annotations

import re

from saywho.model import Audit, SourceType

TYPE_NAMES = {
    SourceType.NAMED_PERSON: "named person",
    SourceType.NAMED_ORGANIZATION: "named organisation",
    SourceType.ANONYMOUS: "anonymous",
    SourceType.VAGUE: "vague",
    SourceType.DOCUMENT: "document",
    SourceType.UNKNOWN: "unknown",
}


def _type(value) -> str:
    return TYPE_NAMES[SourceType(value)]


def _snippet(text: str, limit: int = 60) -> str:
    """Evidence on one line, shortened in the middle when long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half].rstrip()} … {text[-half:].lstrip()}"


def _ledger_rows(audit: Audit) -> list[list[str]]:
    return [
        [
            s.label,
            _type(s.source_type),
            str(s.attributions),
            str(s.words),
            str(s.quoted_words),
            s.channel or "",
            s.anonymity_reason or "",
        ]
        for s in audit.sources
    ]


LEDGER_HEADER = ["source", "type", "attributions", "words", "quoted", "channel", "anonymity reason"]


def _header_lines(audit: Audit) -> list[str]:
    document = audit.document
    name = document.title or {"-": "standard input", None: "article"}.get(document.source, document.source)
    published = document.published.isoformat() if document.published else "unknown"
    return [
        name,
        f"published {published}; {document.words} words; {len(document.attributions)} attributions "
        f"from {len(audit.sources)} sources",
    ]


def _time_lines(audit: Audit) -> list[str]:
    lines = []
    if audit.time.note:
        lines.append(audit.time.note)
    for t in audit.time.expressions:
        checks = [n for n, on in (("deadline", t.deadline), ("forward-looking", t.forward_looking),
                                  ("past tense", t.past_tense), ("relative", t.relative)) if on]
        value = t.value or "?"
        if re.fullmatch(r"\d{3}", value):
            value += f" (the {value}0s)"  # TIMEX3 writes a decade as its first three digits
        lines.append(f"{t.text!r} -> {value} ({t.granularity.value}{'; ' + ', '.join(checks) if checks else ''})")
    return lines


def render_text(audit: Audit) -> str:
    """The audit as a terminal report."""
    out = _header_lines(audit)
    out.append("")
    out.append("Sources")
    rows = [LEDGER_HEADER] + _ledger_rows(audit)
    if len(rows) == 1:
        out.append("  (no attributions found: the article quotes no one)")
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(len(LEDGER_HEADER))]
        for row in rows:
            out.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if audit.shares:
        out.append("")
        out.append("Attributed words by source type")
        for share in audit.shares:
            bar = "█" * round(share.share * 30)
            relayed = f"  ({_relayed(share.relayed)})" if share.relayed else ""
            out.append(f"  {_type(share.source_type):<19} {share.share * 100:5.1f}%  {bar}{relayed}".rstrip())
    out.append("")
    out.append("Flags")
    if not audit.flags:
        out.append("  (none)")
    for flag in audit.flags:
        where = ", ".join(f"“{_snippet(audit.text[s:e])}”" for s, e in flag.evidence[:4])
        out.append(f"  [{flag.kind}] {flag.message}")
        out.append(f"      evidence: {where}")
    out.append("")
    out.append("Time")
    time_lines = _time_lines(audit)
    out.extend(f"  {line}" for line in time_lines or ["(no time expressions)"])
    return "\n".join(out) + "\n"


def _relayed(count: int) -> str:
    """Statements of other sources that a source type relays (they rest on it)."""
    return f"{count} relayed from {'another source' if count == 1 else 'other sources'}"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(audit: Audit) -> str:
    """The audit as Markdown."""
    title, summary = _header_lines(audit)
    out = [f"# Audit: {_md_cell(title)}", "", summary, "", "## Sources", ""]
    rows = _ledger_rows(audit)
    if rows:
        out.append("| " + " | ".join(LEDGER_HEADER) + " |")
        out.append("|" + "---|" * len(LEDGER_HEADER))
        out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
    else:
        out.append("No attributions found: the article quotes no one.")
    if audit.shares:
        out += ["", "## Attributed words by source type", ""]
        out += [
            f"- {_type(s.source_type)}: {s.share * 100:.1f}% ({s.words} words, "
            f"{s.attributions} attribution{'' if s.attributions == 1 else 's'}"
            f"{', ' + _relayed(s.relayed) if s.relayed else ''})"
            for s in audit.shares
        ]
    out += ["", "## Flags", ""]
    if not audit.flags:
        out.append("None.")
    for flag in audit.flags:
        quotes = "; ".join(f"“{_md_cell(_snippet(audit.text[s:e]))}” [{s}–{e}]" for s, e in flag.evidence[:4])
        out.append(f"- **{flag.kind}**: {_md_cell(flag.message)}  \n  Evidence: {quotes}")
    out += ["", "## Time", ""]
    out += [f"- {_md_cell(line)}" for line in _time_lines(audit)] or ["No time expressions."]
    return "\n".join(out) + "\n"
