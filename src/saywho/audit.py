"""The audit of one article: on whose authority it stands.

From the attributions of ``core`` it builds the source ledger (every distinct source with its
type, attributions, words, channel and reason for anonymity), the share of attributed words
per source type, the flags an editor should look at (each with evidence spans) and the time
checks of ``timex``. Pure: text in, ``Audit`` out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from spacy.language import Language
from spacy.tokens import Doc

from saywho import __version__
from saywho.core import analyze_parsed
from saywho.model import Attribution, Audit, Document, Flag, Kind, Share, Source, SourceType, TimeReport, outside
from saywho.timex import time_report

UNNAMED = (SourceType.ANONYMOUS, SourceType.VAGUE, SourceType.UNKNOWN, SourceType.DOCUMENT)
NAMED = (SourceType.NAMED_PERSON, SourceType.NAMED_ORGANIZATION)
REPEAT_CUES = frozenset({"reiterate", "reiterated", "reiterates", "reiterating", "repeat", "repeated",
                         "repeats", "repeating", "restate", "restated", "reaffirm", "reaffirmed"})
# A repeated statement: two contents this similar (rapidfuzz partial ratio, 0-100) and long.
REPEAT_SIMILARITY = 90
REPEAT_MIN_CHARS = 20

EARLIER_STATEMENT = re.compile(
    r"\b(?:earlier|previous|prior|past|former)\s+(?:statements?|remarks?|comments?|claims?|"
    r"pledges?|promises?|assurances?|positions?)\b"
    r"|\b(?:had|has)\s+(?:previously|earlier|once|long|repeatedly|already)\s+"
    r"(?:said|insisted|claimed|stated|argued|maintained|promised|denied|pledged|vowed|declared|suggested)\b"
    r"|\b(?:previously|earlier|once)\s+(?:said|insisted|claimed|stated|argued|maintained|promised|"
    r"denied|pledged|vowed|declared)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"\w+(?:['’]\w+)*")

if TYPE_CHECKING:
    from saywho.learn import Learned


@dataclass
class _Ledger:
    """Sources being gathered, keyed so that one source is counted once."""

    sources: list[Source] = field(default_factory=list)
    by_key: dict[str, Source] = field(default_factory=dict)
    heads: dict[str, Source] = field(default_factory=dict)  # head noun -> unnamed source


def _words(text: str, spans: list[tuple[int, int]]) -> int:
    return sum(len(WORD.findall(text[s:e])) for s, e in spans)


def _head_noun(mention: str) -> str:
    words = mention.split(",")[0].split()
    return words[-1].lower() if words else ""


def _source_for(ledger: _Ledger, origin: Attribution) -> Source:
    """The ledger entry of an attribution (a continuation counts for the source it continues)."""
    source_type = SourceType(origin.source_type)
    written = origin.speaker_text or "unknown source"
    if origin.entity_id is not None:
        key = f"entity:{origin.entity_id}"
    else:
        words = written.lower().split()
        head = _head_noun(written)
        definite = words and words[0] in ("the", "this", "that")
        if definite and head in ledger.heads:
            # "the diplomat" after "a European diplomat": the same person.
            return ledger.heads[head]
        # Unnamed sources are told apart by their description: "one defense expert" and
        # "a European diplomat" are two sources, the same words twice are one.
        key = f"unnamed:{source_type.value}:{written.lower()}"
    if key not in ledger.by_key:
        source = Source(
            id=f"s{len(ledger.sources) + 1}",
            label=origin.speaker_entity or written,
            source_type=source_type,
            entity_id=origin.entity_id,
            attributions=0,
            words=0,
            quoted_words=0,
        )
        ledger.sources.append(source)
        ledger.by_key[key] = source
        if origin.entity_id is None and source_type in UNNAMED:
            ledger.heads.setdefault(_head_noun(written), source)
    return ledger.by_key[key]


def build_ledger(text: str, document: Document) -> list[Source]:
    """Every distinct source of the document, in order of first appearance."""
    ledger = _Ledger()
    by_index = {a.index: a for a in document.attributions}
    channels: dict[str, Counter] = {}
    for attribution in document.attributions:
        origin = attribution
        while origin.continues is not None and origin.continues in by_index and origin.kind == Kind.CONTINUATION:
            origin = by_index[origin.continues]
        source = _source_for(ledger, origin)
        source.attributions += 1
        source.attribution_ids.append(attribution.id)
        words = _words(text, attribution.content)
        source.words += words
        if attribution.kind in (Kind.DIRECT, Kind.CONTINUATION):
            source.quoted_words += words
        source.mentions.extend(s for s in attribution.speaker if s not in source.mentions)
        if attribution.channel:
            channels.setdefault(source.id, Counter())[attribution.channel] += 1
        if source.anonymity_reason is None and origin.anonymity_reason:
            source.anonymity_reason = origin.anonymity_reason
    for source in ledger.sources:
        counted = channels.get(source.id)
        if counted:
            source.channels = sorted(counted)
            source.channel = counted.most_common(1)[0][0]
    return ledger.sources


def relays(attributions: list[Attribution], attribution: Attribution) -> list[Attribution]:
    """The statements ``attribution`` is known through, innermost first: the one whose content
    holds it (``within``), the one holding that, and so on out; a continuation is known
    through the quote it continues. The last is what the article has it from first-hand."""
    chain: list[Attribution] = []
    current = attribution
    while True:
        if current.kind == Kind.CONTINUATION and current.continues is not None:
            link = current.continues
        elif current.within is not None:
            link = current.within
        else:
            return chain
        # Documents may come from JSON of other versions: a bad index or a loop ends the walk.
        if not 0 <= link < len(attributions) or attributions[link] is attribution or attributions[link] in chain:
            return chain
        current = attributions[link]
        chain.append(current)


def shares_of(text: str, document: Document, sources: list[Source]) -> list[Share]:
    """Attributions and words per source type, with the share of attributed words. Each
    statement counts for the source the article has it from: one known only through another
    (the ministry said that Lukashenko had told reporters ...) rests on the relay, and its
    words, already inside the relay's content, are not counted twice."""
    attributions = document.attributions
    source_of = _source_of_each(sources)
    counts: dict[SourceType, Counter] = {}
    for attribution in attributions:
        chain = relays(attributions, attribution)
        root = chain[-1] if chain else attribution
        relay = source_of.get(root.id)
        source_type = SourceType(relay.source_type if relay is not None else root.source_type)
        held = [span for holder in chain for span in holder.content]
        counted = counts.setdefault(source_type, Counter())
        counted["attributions"] += 1
        # A continuation is part of its quote's statement, not a relayed one.
        counted["relayed"] += attribution.within is not None and bool(chain)
        counted["words"] += _words(text, outside(attribution.content, held))
    total = sum(c["words"] for c in counts.values())
    return [
        Share(
            source_type=source_type,
            attributions=counts[source_type]["attributions"],
            relayed=counts[source_type]["relayed"],
            words=counts[source_type]["words"],
            share=round(counts[source_type]["words"] / total, 4) if total else 0.0,
        )
        for source_type in SourceType
        if source_type in counts
    ]


def _source_of_each(sources: list[Source]) -> dict[str, Source]:
    """The ledger source of each attribution id."""
    return {a_id: source for source in sources for a_id in source.attribution_ids}


def _attributions_of(document: Document, source: Source) -> list[Attribution]:
    ids = set(source.attribution_ids)
    return [a for a in document.attributions if a.id in ids]


def _short(text: str, limit: int = 80) -> str:
    """One line, at most ``limit`` characters, for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def source_flags(text: str, document: Document, sources: list[Source]) -> list[Flag]:
    """Flags about who the article relies on."""
    flags: list[Flag] = []
    for source in sources:
        attributions = _attributions_of(document, source)
        source_type = SourceType(source.source_type)
        if source_type == SourceType.ANONYMOUS:
            reason_spans = [a.anonymity_span for a in attributions if a.anonymity_span]
            evidence = sorted(set(source.mentions + reason_spans))
            if source.anonymity_reason:
                flags.append(Flag(
                    kind="anonymous_source",
                    message=f"Unnamed source '{source.label}' ({_plural(source.attributions, 'attribution')}, "
                    f"{source.words} words); reason given: {source.anonymity_reason}.",
                    evidence=evidence, source_ids=[source.id],
                ))
            else:
                flags.append(Flag(
                    kind="anonymous_without_reason",
                    message=f"Unnamed source '{source.label}' ({_plural(source.attributions, 'attribution')}, "
                    f"{source.words} words), with no reason given for the anonymity.",
                    evidence=evidence, source_ids=[source.id],
                ))
        elif source_type == SourceType.VAGUE:
            evidence = sorted(set(source.mentions + [c for a in attributions for c in a.cue]))
            flags.append(Flag(
                kind="vague_attribution",
                message=f"Vague attribution to '{source.label}': an unspecified group "
                f"({_plural(source.attributions, 'attribution')}, {source.words} words).",
                evidence=evidence, source_ids=[source.id],
            ))

    named = [s for s in sources if SourceType(s.source_type) in NAMED]
    total = len(document.attributions)
    if len(named) == 1 and total >= 3 and named[0].mentions:
        only = named[0]
        subject = ""
        first_sentence = text.split("\n", 1)[0][:400]
        if only.label.split()[-1] in first_sentence:
            subject = ", who is also the article's own subject"
        flags.append(Flag(
            kind="single_named_source",
            message=f"All named sourcing comes from one source, {only.label}{subject}: "
            f"{only.attributions} of {total} attributions; the rest are unnamed.",
            evidence=sorted(only.mentions), source_ids=[only.id],
        ))
    channel_spans: dict[str, list[tuple[int, int]]] = {}
    for attribution in document.attributions:
        if attribution.channel and attribution.channel_span:
            channel_spans.setdefault(attribution.channel, []).append(attribution.channel_span)
    if len(channel_spans) == 1:
        (channel, spans), = channel_spans.items()
        owners = sorted({s.label for s in sources if channel in s.channels})
        flags.append(Flag(
            kind="single_channel",
            message=f"The only channel the article names is {channel} ({', '.join(owners)}); "
            "no other outlet or statement is cited.",
            evidence=sorted(set(spans)), source_ids=[s.id for s in sources if channel in s.channels],
        ))
    return flags


def _normalised(text: str, spans: list[tuple[int, int]]) -> str:
    return " ".join(WORD.findall(" ".join(text[s:e] for s, e in spans).lower()))


def _overlapping(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def repeat_flags(text: str, document: Document) -> list[Flag]:
    """A statement repeated within the article: a cue that says so ("he reiterated") or a
    content that says nearly the same as an earlier one."""
    flags = []
    seen: list[tuple[Attribution, str]] = []
    for attribution in document.attributions:
        content = _normalised(text, attribution.content)
        cue = (attribution.cue_text or "").lower()
        earlier = None
        if len(content) >= REPEAT_MIN_CHARS:
            for previous, previous_content in seen:
                if _overlapping(attribution.content, previous.content):
                    continue  # one statement nested in another's content is not a repeat
                if len(previous_content) >= REPEAT_MIN_CHARS and fuzz.partial_ratio(content, previous_content) >= REPEAT_SIMILARITY:
                    earlier = previous
                    break
        says_so = cue in REPEAT_CUES
        if earlier is not None or says_so:
            evidence = list(attribution.content) + list(attribution.cue)
            message = f"Statement repeated in the article: '{_short(attribution.content_text)}'"
            if earlier is not None:
                evidence += earlier.content
                message += f" repeats '{_short(earlier.content_text)}'"
            if says_so:
                message += f" (cue: '{attribution.cue_text}')"
            flags.append(Flag(kind="repeated_statement", message=message + ".", evidence=sorted(set(evidence))))
        seen.append((attribution, content))
    return flags


def earlier_statement_flags(text: str) -> list[Flag]:
    """References to statements made before ("contrasts with earlier statements", "had
    previously insisted"), one flag per line of the article."""
    by_line: dict[int, list[tuple[int, int]]] = {}
    for match in EARLIER_STATEMENT.finditer(text):
        by_line.setdefault(text.count("\n", 0, match.start()), []).append(match.span())
    flags = []
    for spans in by_line.values():
        phrases = ", ".join(f"'{text[s:e]}'" for s, e in spans)
        flags.append(Flag(
            kind="earlier_statement",
            message=f"Refers to earlier statements ({phrases}); check what was said then and whether "
            "the article quotes it.",
            evidence=spans,
        ))
    return flags


def _sentence_reports_the_past(text: str, chunks: list[tuple[Doc, int]], position: int) -> bool:
    """The main verb of the sentence at ``position`` is in the past tense ("the United States
    pledged that in 2000 it would ..."): the article reports history, not a forecast."""
    for doc, base in chunks:
        if not len(doc) or not base <= position < base + doc[-1].idx + len(doc[-1].text_with_ws):
            continue
        span = doc.char_span(position - base, position - base + 1, alignment_mode="expand")
        if span is None or not len(span):
            return False
        root = span[0].sent.root
        return root.tag_ == "VBD" or any(
            c.dep_ == "aux" and c.tag_ == "VBD" and c.lower_ != "would" for c in root.children
        )
    return False


def time_flags(report: TimeReport, text: str, chunks: list[tuple[Doc, int]]) -> list[Flag]:
    """Forward-looking statements about a date already past at publication, and past-tense
    statements about a date after it. Only absolute dates count: a relative one ("last
    December", "this weekend") is resolved from the publication date and cannot contradict it;
    a date after "since" is an anchor in the past; a deadline told in the past tense ("was
    designed to cut emissions by 2030") is a past plan, not a past event."""
    published = report.published
    if published is None:
        return []
    flags = []
    for expression in report.expressions:
        if expression.relative:
            continue
        start = expression.span[0]
        if expression.forward_looking and expression.end is not None and expression.end < published:
            if text[max(0, start - 6) : start].lower().strip().endswith("since"):
                continue
            if _sentence_reports_the_past(text, chunks, start):
                continue
            flags.append(Flag(
                kind="time_past_deadline",
                message=f"Forward-looking statement about '{expression.text}' ({expression.value}), "
                f"which had already passed at publication ({published.isoformat()}).",
                evidence=[expression.span],
            ))
        elif expression.past_tense and not expression.deadline and expression.start is not None and expression.start > published:
            flags.append(Flag(
                kind="time_future_in_past_tense",
                message=f"Past-tense statement about '{expression.text}' ({expression.value}), "
                f"after the publication date ({published.isoformat()}).",
                evidence=[expression.span],
            ))
    return flags


def second_hand_flags(document: Document, sources: list[Source]) -> list[Flag]:
    """A statement the article knows only through another one ("the ministry said that
    Lukashenko had told reporters ..."): it stands on the relaying source as much as on its
    speaker, above all where that source is unnamed."""
    attributions = document.attributions
    source_of = _source_of_each(sources)
    flags = []
    for inner in attributions:
        if inner.within is None or not 0 <= inner.within < len(attributions):
            continue
        outer = attributions[inner.within]
        speaker, relay = source_of.get(inner.id), source_of.get(outer.id)
        relay_type = SourceType(outer.source_type).value.replace("_", " ")
        flags.append(Flag(
            kind="second_hand",
            message=f"Second-hand: {_label(speaker, inner)}'s statement '{_short(inner.content_text)}' "
            f"is known only through {_label(relay, outer)} ({relay_type}).",
            evidence=sorted(set(inner.speaker + inner.cue + outer.speaker + outer.cue)),
            source_ids=[s.id for s in (speaker, relay) if s is not None],
        ))
    return flags


def _label(source: Source | None, attribution: Attribution) -> str:
    return source.label if source is not None else attribution.speaker_text or "an unknown source"


def audit_parsed(text: str, document: Document, chunks: list[tuple[Doc, int]]) -> Audit:
    """The audit of an analysed article, given its parse."""
    sources = build_ledger(text, document)
    time = time_report(text, chunks, document.published)
    flags = (
        source_flags(text, document, sources)
        + second_hand_flags(document, sources)
        + repeat_flags(text, document)
        + earlier_statement_flags(text)
        + time_flags(time, text, chunks)
    )
    flags.sort(key=lambda f: (f.evidence[0][0] if f.evidence else 0))
    return Audit(
        saywho_version=__version__,
        document=document,
        text=text,
        sources=sources,
        shares=shares_of(text, document, sources),
        flags=[f for f in flags if f.evidence],
        time=time,
    )


def audit(
    text: str,
    published: date | None = None,
    *,
    title: str | None = None,
    source: str | None = None,
    nlp: Language | None = None,
    learned: Learned | None = None,
) -> Audit:
    """Audit one article: its source ledger, flags and time checks (``learned``: as in
    :func:`saywho.analyze`)."""
    document, chunks = analyze_parsed(text, published, title=title, source=source, nlp=nlp, learned=learned)
    return audit_parsed(text, document, chunks)
