"""The saywho data model: one module, shared by the CLI, the spaCy component, storage and
(later) the web API and cluster runs.

Every span is a half-open ``(start, end)`` pair of Python ``str`` indices into the original
article text, so ``text[start:end]`` is exactly the characters it covers. A role that the
article interrupts (a quote broken by "he said") has several spans, in text order.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import Enum
from typing import Annotated, Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.2"

Span = Annotated[
    tuple[int, int],
    Field(description="Half-open [start, end) character offsets into the article text."),
]


class Kind(str, Enum):
    """How the content is reported."""

    DIRECT = "direct"  # the content is inside quotation marks
    INDIRECT = "indirect"  # reported speech, belief or stance, no quotation marks
    MIXED = "mixed"  # reported speech with a quoted fragment inside
    CONTINUATION = "continuation"  # a quote with no cue of its own, same speaker as before


class SourceType(str, Enum):
    """On whose authority the content stands."""

    NAMED_PERSON = "named_person"
    NAMED_ORGANIZATION = "named_organization"
    ANONYMOUS = "anonymous"  # an unnamed individual: "a senior official"
    VAGUE = "vague"  # an unspecified group: "analysts", "critics", "some say"
    DOCUMENT = "document"  # a report, statement, study, poll
    UNKNOWN = "unknown"


class ResolutionMethod(str, Enum):
    """What evidence tied a speaker mention to an entity."""

    NAME = "name"  # the mention is a name of the entity
    SURNAME = "surname"  # a part of a longer name used earlier or later
    TITLE = "title"  # "the president", matched to a name carrying that title
    DESCRIPTOR = "descriptor"  # "the head of state", a known synonym of a title
    HEAD_NOUN = "head_noun"  # "the ministry": the head noun of an organisation's name ("Defense Ministry")
    APPOSITION = "apposition"  # "X, the chancellor, ..." or "the chancellor, X, ..."
    PRONOUN = "pronoun"  # "he", "she", "they": the most recent fitting speaker or subject
    RELATIVE = "relative"  # "X, who said ...": the antecedent of the relative pronoun


def slice_spans(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> str:
    """The text of one or more spans; pieces of a broken span are joined with ' … '."""
    return " … ".join(text[start:end] for start, end in spans)


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif start < end:
            out.append((start, end))
    return out


def overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Number of characters two span lists share (each list's own overlapping pieces counted once)."""
    if len(a) == 1 and len(b) == 1:  # the common case, called often in assembly
        (s1, e1), (s2, e2) = a[0], b[0]
        return max(0, min(e1, e2) - max(s1, s2))
    shared = 0
    for s1, e1 in _merged(a):
        for s2, e2 in _merged(b):
            shared += max(0, min(e1, e2) - max(s1, s2))
    return shared


def holds(spans: Sequence[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether one piece of ``spans`` holds all of ``span``."""
    start, end = span
    return any(s <= start and end <= e for s, e in spans)


def outside(spans: Sequence[tuple[int, int]], others: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` that no span of ``others`` covers, in order."""
    out = []
    for start, end in _merged(spans):
        for s, e in _merged(others):
            if e <= start or end <= s:
                continue
            if start < s:
                out.append((start, s))
            start = max(start, e)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def trim_spans(
    text: str, spans: Sequence[tuple[int, int]], marks: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """``spans`` in order, each with whitespace (and ``marks``) trimmed from both ends; pieces
    that become empty are dropped."""
    out = []
    for start, end in sorted(spans):
        while start < end and (text[start].isspace() or text[start] in marks):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in marks):
            end -= 1
        if start < end:
            out.append((start, end))
    return out


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid", use_enum_values=False)


class Resolution(_Model):
    """Why ``speaker_entity`` was chosen."""

    method: ResolutionMethod
    evidence: list[Span] = Field(
        default_factory=list,
        description="Spans of the mentions that link the speaker to the entity "
        "(the full name, the title, the antecedent).",
    )
    note: str = Field("", description="The evidence in plain words.")


class Entity(_Model):
    """A named person or organisation of the article, with every mention found."""

    id: str = Field(description="Unique within the document: 'e1', 'e2', ...")
    name: str = Field(description="Canonical name: the fullest form the article gives.")
    type: Literal["person", "organization"]
    mentions: list[Span] = Field(default_factory=list)


class Attribution(_Model):
    """One attributed statement: who said what, through which cue."""

    id: str = Field(description="Stable id: '<document id>:<index>'.")
    index: int = Field(description="Position of the attribution in text order, from 0.")
    kind: Kind
    content: list[Span] = Field(description="What was said; quotation marks excluded.")
    cue: list[Span] = Field(
        default_factory=list, description="The words that signal attribution; empty for a continuation."
    )
    speaker: list[Span] = Field(
        default_factory=list,
        description="The source mention as written ('he', 'one defense expert'); empty for a "
        "continuation, which inherits the speaker of the attribution it continues.",
    )
    speaker_entity: Optional[str] = Field(
        None, description="Canonical name of the resolved entity; null when unnamed or unresolved."
    )
    entity_id: Optional[str] = Field(None, description="Id of the entity in Document.entities.")
    resolution: Optional[Resolution] = None
    source_type: SourceType
    anonymity_reason: Optional[str] = Field(
        None, description="The stated reason for anonymity, as written."
    )
    anonymity_span: Optional[Span] = None
    channel: Optional[str] = Field(
        None, description="How the statement reached the reporter: 'BelTA', 'a statement'."
    )
    channel_span: Optional[Span] = None
    continues: Optional[int] = Field(
        None, description="For a continuation: the index of the attribution it continues."
    )
    within: Optional[int] = Field(
        None,
        description="The index of the attribution whose content holds this one's cue: a "
        "statement reported inside another's ('the ministry said Lukashenko told reporters "
        "that ...': Lukashenko's statement is within the ministry's), known second-hand.",
    )
    sentence: int = Field(description="Index of the sentence holding the first content span.")
    paragraph: int = Field(description="Index of the paragraph (line) holding the first content span.")
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str = Field(description="Name of the rule that produced the attribution.")
    content_text: str = ""
    cue_text: Optional[str] = None
    speaker_text: Optional[str] = None

    def fill_texts(self, text: str) -> "Attribution":
        """Set the *_text convenience fields from the spans."""
        self.content_text = slice_spans(text, self.content)
        self.cue_text = slice_spans(text, self.cue) if self.cue else None
        self.speaker_text = slice_spans(text, self.speaker) if self.speaker else None
        return self

    def spans(self) -> list[tuple[int, int]]:
        """Every span this attribution outputs."""
        out = [*self.content, *self.cue, *self.speaker]
        out += [s for s in (self.anonymity_span, self.channel_span) if s is not None]
        if self.resolution is not None:
            out += self.resolution.evidence
        return out


def nesting(attributions: Sequence["Attribution"]) -> list[int | None]:
    """For each attribution, the position in ``attributions`` of the one whose content holds
    its cue (the innermost where contents nest), or None: the ``within`` of each."""
    out: list[int | None] = []
    for attribution in attributions:
        found, size = None, 0
        if attribution.cue:
            start, end = attribution.cue[0]
            for j, other in enumerate(attributions):
                if other is attribution:
                    continue
                # The holding piece's size, not holds(): the innermost holder wins.
                for s, e in other.content:
                    if s <= start and end <= e and (found is None or e - s < size):
                        found, size = j, e - s
        out.append(found)
    return out


def document_id(text: str) -> str:
    """Content key of an article: first 16 hex digits of the SHA-256 of its UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Document(_Model):
    """The analysis of one article."""

    schema_version: str = SCHEMA_VERSION
    saywho_version: str
    id: str = Field(description="Content hash of the text (see document_id).")
    source: Optional[str] = Field(None, description="Where the text came from (a path, '-').")
    text: Optional[str] = Field(
        None,
        description="The analysed text, given when it is not the input file itself (text "
        "extracted from HTML): the spans index into it.",
    )
    title: Optional[str] = None
    published: Optional[date] = None
    characters: int
    words: int
    paragraphs: int
    sentences: int
    attributions: list[Attribution] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)


def json_schema() -> dict:
    """JSON Schema of a Document, as published in schema/document.schema.json."""
    schema = Document.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "saywho Document"
    return schema


# -- The audit of one article -------------------------------------------------------------


class Granularity(str, Enum):
    """How precise a time expression is."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    VAGUE = "vague"  # "in the years to come", "soon"


class TimeExpression(_Model):
    """A time expression of the article, normalised against the publication date."""

    text: str
    span: Span
    value: Optional[str] = Field(
        None, description="ISO value at its granularity: '2023-12', '2025-06-01', '2024-Q3', '2026'."
    )
    start: Optional[date] = Field(None, description="First day the expression covers.")
    end: Optional[date] = Field(None, description="Last day the expression covers.")
    granularity: Granularity
    relative: bool = Field(False, description="Resolved against the publication date ('last week').")
    deadline: bool = Field(False, description="A deadline: 'by December 2023', 'by the end of the year'.")
    forward_looking: bool = Field(False, description="The sentence looks ahead: 'will', 'expected to', 'by ...'.")
    past_tense: bool = Field(False, description="The sentence reports a past event.")
    sentence: Span = Field(description="The sentence holding the expression.")


class TimeReport(_Model):
    """Time references of the article, checked against its publication date."""

    published: Optional[date] = None
    note: Optional[str] = Field(None, description="Why the checks could not be made, if so.")
    expressions: list[TimeExpression] = Field(default_factory=list)


class Source(_Model):
    """One distinct source of the article: a resolved entity, or an unnamed source kept
    apart by its description ("one defense expert" and "a European diplomat" are two)."""

    id: str = Field(description="'s1', 's2', ... in order of first appearance.")
    label: str = Field(description="Canonical name, or the description as written.")
    source_type: SourceType
    entity_id: Optional[str] = None
    attributions: int = Field(description="Number of attributions resting on this source.")
    attribution_ids: list[str] = Field(default_factory=list)
    words: int = Field(description="Words of content attributed to this source.")
    quoted_words: int = Field(description="Of those, words inside quotation marks.")
    channel: Optional[str] = Field(None, description="The channel most of its statements came through.")
    channels: list[str] = Field(default_factory=list)
    anonymity_reason: Optional[str] = None
    mentions: list[Span] = Field(default_factory=list, description="Speaker mentions of this source.")


class Flag(_Model):
    """Something an editor or fact-checker should look at, with the evidence."""

    kind: Literal[
        "anonymous_source",
        "anonymous_without_reason",
        "vague_attribution",
        "single_named_source",
        "single_channel",
        "second_hand",
        "repeated_statement",
        "earlier_statement",
        "time_past_deadline",
        "time_future_in_past_tense",
    ]
    message: str = Field(description="The finding in plain language.")
    evidence: list[Span] = Field(description="Spans of the text that show it; never empty.")
    source_ids: list[str] = Field(default_factory=list)


class Share(_Model):
    """How much of the attributed content rests on one source type: the type of the source
    the article has each statement from. A statement known only through another one
    (``within``) rests on the relaying source, and its words are counted once."""

    source_type: SourceType
    attributions: int = Field(description="Attributions resting on sources of this type.")
    relayed: int = Field(
        0, description="Of those, statements of other sources known only through one of this type."
    )
    words: int = Field(description="Words of content resting on sources of this type, each counted once.")
    share: float = Field(ge=0.0, le=1.0, description="Share of attributed words.")


class Audit(_Model):
    """The audit of one article: its ledger of sources, flags and time checks."""

    schema_version: str = SCHEMA_VERSION
    saywho_version: str
    document: Document
    text: str = Field(description="The article text all spans index into.")
    sources: list[Source] = Field(default_factory=list)
    shares: list[Share] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    time: TimeReport
