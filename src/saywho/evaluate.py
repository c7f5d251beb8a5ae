"""Evaluation of saywho against gold attributions: loaders for the gold data and the
project's published metric.

Gold data
=========

* **PolNeAR** (:func:`load_polnear`): a split directory holding ``text/<article>.txt`` and
  ``attributions/<article>_<annotator>.ann`` (brat standoff). Only the first ``.ann`` file of
  an article in sorted file-name order is used. Every event line whose trigger type is
  ``Attribution`` or ``Attribution-no-source`` is one gold attribution; its ``Content``
  arguments (``Content``, ``Content2``, ...) give the content spans, ``Cue`` the cue spans and
  ``Source`` the source spans (a role the event lacks is an empty list). Text-bound
  annotations with other labels (``Discard``, ``Discuss``, ...) are not attributions.
  Discontinuous spans (``start end;start end``) become several ``(start, end)`` pieces, in
  text order. Texts are read as UTF-8 without newline translation, so offsets are exact
  Python ``str`` indices; the text an annotation repeats must equal the text at its offsets.
  When ``metadata.tsv`` lies in the parent folder of the split directory, its
  ``publication_date`` and ``title`` fill ``published`` and ``title``. PolNeAR has no kind,
  entity or source-type annotation: those gold fields are ``None``.
* **saywho gold files** (:func:`load_gold_file`): JSON with ``document`` (the text file,
  relative to the gold file), ``published`` (ISO date or null), optional ``title`` and
  ``quotes``, each with ``kind``, ``content`` ``[s, e]``, ``cue`` and ``speaker`` (``[s, e]``
  or null; a list of ``[s, e]`` pairs is accepted for a broken span), ``speaker_entity`` and
  ``source_type``. An optional ``*_text`` field must equal the text at the offsets.

Metric
======

All spans are half-open character offsets into the gold text. A *role instance* is the list
of spans of one role of one attribution; an empty list means the role is absent.

Roles (content, cue, source)
    For each role and each document, the gold instances (one per gold attribution that has
    the role) are compared with the predicted ones (``Attribution.content``, ``.cue``,
    ``.speaker``; one per predicted attribution with a non-empty list).

    * *Overlap match*: the two instances share at least one character. Matching is
      one-to-one: all (gold, predicted) pairs that overlap are taken greedily by decreasing
      number of shared characters (ties: earlier gold, then earlier prediction first), and
      each gold and each predicted instance is used at most once.
    * *Exact match*: the two span lists are equal after normalising every piece by trimming,
      from both ends, whitespace, quotation marks (``" “ ” ‘ ’ ' « » „ ‚ ‹ ›``) and the edge
      punctuation ``, . ; :`` and dashes ``- – —`` (PolNeAR train: a source that a dash
      follows takes it in 48 times and leaves it out 34, "Kall -- co-editor of ... --");
      pieces that become empty are dropped, and pieces with nothing
      but such characters between them are joined (``"We won." + "We will."`` and ``"We won.
      We will."`` are one content, as are two pieces that touch). An instance made only of
      such marks (a colon or a quotation mark annotated as the cue) would become empty: it is
      compared with only whitespace trimmed instead; an instance of whitespace only matches
      nothing. One-to-one: each gold instance, in text order, takes the
      first unused predicted instance with an equal normalised list.

    P = matched / predicted, R = matched / gold, F1 = 2PR / (P + R), each micro-averaged
    over the corpus (counts are summed over documents before dividing). A ratio whose
    denominator is 0 is reported as 0.0.

Attribution (content overlap)
    Gold and predicted attributions with a non-empty content are matched one-to-one by
    content overlap, as above (attributions without content are left out on both sides).
    P = matched / predicted, R = matched / gold, F1. Among the matched pairs, the *source
    exact rate* is the share of pairs whose gold source and predicted speaker are an exact
    match as defined above, and the *cue exact rate* the same for the cues; a role absent on
    both sides counts as agreement.

Direct quotes
    A gold attribution is *direct* when it has a gold kind of ``direct`` or
    ``continuation`` (saywho gold files) or, when no gold kind is known (PolNeAR), when its
    content, from the start of its first piece to the end of its last piece with whitespace
    trimmed, either starts with an opening quotation mark and ends with a closing one
    (closing punctuation ``, . ; : ! ? …`` after the closing mark is allowed), or is
    immediately preceded by an opening quotation mark and immediately followed by a closing
    one (again allowing closing punctuation before the mark). A predicted attribution is
    direct when its kind is ``direct`` or ``continuation`` (``mixed`` is not).

    Direct P = predicted direct attributions matched one-to-one by content overlap to any
    gold attribution (a matching of the predicted direct ones against all gold ones) /
    predicted direct. Direct R = gold direct attributions matched one-to-one to any
    prediction (a matching of the gold direct ones against all predictions) / gold direct.
    Direct F1 = 2PR / (P + R).

Fields (gold files with kind, speaker_entity and source_type)
    Over the content-matched pairs whose gold attribution has a gold kind: the accuracy of
    ``kind``, of ``speaker_entity`` (compared case-insensitively with whitespace collapsed;
    null = null is correct) and of ``source_type`` (pairs with a null gold source type left
    out). For the documents with at least one gold kind (with ``list_errors``: for every
    document, PolNeAR's included) the report also lists, for a human to read and in text
    order, every miss (gold attribution not matched), every false positive (prediction not
    matched) and every matched pair that differs in a field or in the exact content, cue or
    source, with the texts and the error kinds below.

Error kinds
    Counted for reading, not scored. Attributions: gold ones left unmatched (*missed*) and
    predictions left unmatched (*false positive*). In each content-matched pair, a source or
    cue that is not an exact match is *missing* (gold only), *extra* (prediction only),
    *boundary* (the two overlap) or *wrong* (they do not: another word or phrase). A content
    that is not an exact match gets one kind per end that differs (normalised first piece
    start, last piece end): ``start|end early|late by a word or two|by a clause``, where a
    clause is more than two words between the two positions; *pieces* when both ends
    agree and the pieces between them differ. One pair can count under both ends.

A predicted span outside the gold text raises :class:`EvaluationDataError`: the prediction
was made on another text.

Report
======

:func:`score` returns a JSON-serialisable dict; rates are percentages rounded to 1 decimal::

    {"documents": n,
     "roles": {"content": {"exact": {"p", "r", "f1", "tp", "pred", "gold"},
                           "overlap": {...}},
               "cue": {...}, "source": {...}},
     "attribution": {"p", "r", "f1", "tp", "pred", "gold",
                     "source_exact", "source_exact_n", "cue_exact", "cue_exact_n"},
     "direct": {"p", "r", "f1", "pred", "pred_matched", "gold", "gold_matched"},
     "error_kinds": {"attribution": {"missed": n, "false positive": n},
                     "source": {"missing" | "extra" | "boundary" | "wrong": n},
                     "cue": {...},
                     "content": {"start early by a word or two" | "end late by a clause"
                                 | ... | "pieces": n}},
     "fields": {"pairs", "kind": {"accuracy", "correct", "total"},
                "speaker_entity": {...}, "source_type": {...}},      # only with gold fields
     "errors": [{"document", "type": "miss" | "false_positive" | "mismatch", "gold",
                 "predicted", "differences": {role or field: {"gold", "predicted",
                 "kinds" (roles only)}}}]}     # with gold kinds, or list_errors

:func:`render_table` turns the report into a plain-text table.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from saywho.cues import CUE_PREFIX_WORDS
from saywho.errors import EvaluationDataError
from saywho.model import Attribution, Document, Kind, SourceType, nesting, overlap, trim_spans

SpanList = list[tuple[int, int]]

ROLES = ("content", "cue", "source")

#: Every quotation mark the metric knows, in all common styles.
QUOTE_MARKS = "\"“”‘’'«»„‚‹›"
#: Marks that can open a quotation (English, German, French and Scandinavian styles).
OPENING_QUOTES = "\"'“‘«»„‚‹›"
#: Marks that can close a quotation.
CLOSING_QUOTES = "\"'”’»«“‘›‹"
#: Punctuation trimmed from both ends of a piece before an exact comparison (the dashes
#: around an apposition: "Kall -- co-editor of Debating The Donald --").
EDGE_PUNCTUATION = ",.;:-–—"
#: Punctuation allowed after a closing quotation mark in the direct-quote test.
CLOSING_PUNCTUATION = ",.;:!?…"

DIRECT_KINDS = frozenset({Kind.DIRECT.value, Kind.CONTINUATION.value})

_TRIM = frozenset(QUOTE_MARKS + EDGE_PUNCTUATION)


@dataclass
class GoldAttribution:
    """One gold attribution; every role is a list of half-open spans, empty when absent."""

    content: SpanList
    cue: SpanList
    source: SpanList
    kind: str | None = None  # the gold kind when the gold data has one (PolNeAR: None)
    speaker_entity: str | None = None
    source_type: str | None = None
    direct: bool = False


@dataclass
class GoldDocument:
    """One gold article: its exact text and gold attributions."""

    name: str
    text: str
    published: date | None = None
    title: str | None = None
    attributions: list[GoldAttribution] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def _read_text(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError as error:
        raise EvaluationDataError(f"{path}: file not found") from error
    except UnicodeDecodeError as error:
        raise EvaluationDataError(f"{path}: not valid UTF-8 ({error.reason})") from error
    except OSError as error:
        raise EvaluationDataError(f"{path}: cannot be read ({error.strerror})") from error


def _check_spans(spans: SpanList, text: str, where: str) -> SpanList:
    for start, end in spans:
        if not 0 <= start < end <= len(text):
            raise EvaluationDataError(
                f"{where}: span ({start}, {end}) is empty or outside the text "
                f"({len(text)} characters)"
            )
    return list(spans)


def is_direct(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether content spans look like a direct quotation (see the module docstring)."""
    if not spans:
        return False
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return False
    # The quotation marks are inside the content.
    inner_end = end
    while inner_end > start and text[inner_end - 1] in CLOSING_PUNCTUATION:
        inner_end -= 1
    if (
        inner_end - start >= 2
        and text[start] in OPENING_QUOTES
        and text[inner_end - 1] in CLOSING_QUOTES
    ):
        return True
    # The quotation marks are just outside the content.
    after = end
    while after < len(text) and text[after] in CLOSING_PUNCTUATION:
        after += 1
    return (
        start > 0
        and text[start - 1] in OPENING_QUOTES
        and after < len(text)
        and text[after] in CLOSING_QUOTES
    )


# --------------------------------------------------------------------------- PolNeAR

_ID_LINE = re.compile(r"^(?:[TERAMN]\d+|#\d*|\*)\t")
_TEXT_BOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$", re.DOTALL)
_EVENT = re.compile(r"^(E\d+)\t(\S+)((?: \S+)*)\s*$")
_ROLE_OF_ARGUMENT = {"content": "content", "cue": "cue", "source": "source"}
_ATTRIBUTION_TRIGGERS = frozenset({"Attribution", "Attribution-no-source"})


def parse_ann(ann: str, text: str, where: str = "<ann>") -> list[GoldAttribution]:
    """Gold attributions of a brat standoff annotation ``ann`` of ``text``.

    ``where`` names the file in error messages. Lines with other annotation types (notes,
    relations, attributes) are ignored; a line that is none of them is an error, except the
    lines that continue the text of a text-bound annotation whose spans cover a newline.
    """
    lines = ann.split("\n")
    spans_of: dict[str, SpanList] = {}
    events: list[tuple[int, str, str, list[tuple[str, str]]]] = []
    number = 0
    while number < len(lines):
        line = lines[number].rstrip("\r")
        number += 1
        if not line.strip():
            continue
        where_line = f"{where}, line {number}"
        if not _ID_LINE.match(line):
            raise EvaluationDataError(f"{where_line}: not a brat standoff line: {line[:60]!r}")
        if line.startswith("T"):
            match = _TEXT_BOUND.match(line)
            if match is None:
                raise EvaluationDataError(f"{where_line}: malformed text-bound annotation")
            ident, _label, offsets, repeated = match.groups()
            spans = [
                (int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))
            ]
            spans = _check_spans(spans, text, where_line)
            covered = " ".join(text[s:e] for s, e in spans)
            # Spans across a newline make brat continue the repeated text on the next lines.
            extra = covered.count("\n")
            if extra:
                repeated = "\n".join([repeated, *lines[number : number + extra]])
                number += extra
            if repeated.replace("\r", "") != covered.replace("\r", ""):
                raise EvaluationDataError(
                    f"{where_line}: {ident} text {repeated[:40]!r} does not match the text "
                    f"at its offsets {covered[:40]!r}"
                )
            if ident in spans_of:
                raise EvaluationDataError(f"{where_line}: duplicate id {ident}")
            spans_of[ident] = sorted(spans)
        elif line.startswith("E"):
            match = _EVENT.match(line)
            if match is None:
                raise EvaluationDataError(f"{where_line}: malformed event line")
            ident, trigger, rest = match.groups()
            arguments = []
            for argument in [trigger, *rest.split()]:
                role, sep, target = argument.partition(":")
                if not sep or not role or not target:
                    raise EvaluationDataError(
                        f"{where_line}: malformed event argument {argument!r} in {ident}"
                    )
                arguments.append((role, target))
            events.append((number, ident, arguments[0][0], arguments[1:]))
        # Notes (#), relations (R), attributes (A, M), normalisations (N), equivalences (*).
    attributions = []
    for number, ident, trigger_type, arguments in events:
        if trigger_type not in _ATTRIBUTION_TRIGGERS:
            continue
        roles: dict[str, SpanList] = {role: [] for role in ROLES}
        for role, target in arguments:
            if target not in spans_of:
                raise EvaluationDataError(
                    f"{where}, line {number}: event {ident} refers to unknown annotation "
                    f"{target}"
                )
            key = _ROLE_OF_ARGUMENT.get(role.rstrip("0123456789").lower())
            if key is not None:
                roles[key].extend(spans_of[target])
        content = sorted(set(roles["content"]))
        attributions.append(
            GoldAttribution(
                content=content,
                cue=sorted(set(roles["cue"])),
                source=sorted(set(roles["source"])),
                direct=is_direct(text, content),
            )
        )
    return attributions


def _read_metadata(path: Path, names: set[str]) -> dict[str, tuple[date | None, str | None]]:
    """publication_date and title of the articles ``names`` from a PolNeAR metadata.tsv."""
    content = _read_text(path)
    rows = list(csv.reader(content.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise EvaluationDataError(f"{path}: empty metadata file")
    header = rows[0]
    missing = [c for c in ("filename", "publication_date", "title") if c not in header]
    if missing:
        raise EvaluationDataError(f"{path}: missing column(s) {', '.join(missing)}")
    col_name = header.index("filename")
    col_date = header.index("publication_date")
    col_title = header.index("title")
    found: dict[str, tuple[date | None, str | None]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or len(row) <= col_name or row[col_name] not in names:
            continue
        if len(row) <= max(col_date, col_title):
            raise EvaluationDataError(f"{path}, line {number}: too few columns")
        raw_date, raw_title = row[col_date].strip(), row[col_title].strip()
        published = None
        if raw_date and raw_date != "None":
            try:
                published = date.fromisoformat(raw_date)
            except ValueError as error:
                raise EvaluationDataError(
                    f"{path}, line {number}: publication_date {raw_date!r} is not YYYY-MM-DD"
                ) from error
        title = raw_title if raw_title and raw_title != "None" else None
        found[row[col_name]] = (published, title)
    return found


def load_polnear(split_dir: str | Path) -> list[GoldDocument]:
    """Gold documents of a PolNeAR split directory, sorted by article name."""
    split = Path(split_dir)
    text_dir, ann_dir = split / "text", split / "attributions"
    for folder in (split, text_dir, ann_dir):
        if not folder.is_dir():
            raise EvaluationDataError(f"{folder}: PolNeAR directory not found")
    texts = {path.stem: path for path in text_dir.glob("*.txt") if path.is_file()}
    if not texts:
        raise EvaluationDataError(f"{text_dir}: no article .txt files")
    first_ann: dict[str, Path] = {}
    for path in sorted(ann_dir.glob("*.ann"), key=lambda p: p.name):
        article, sep, annotator = path.stem.rpartition("_")
        if not sep or not article or not annotator:
            raise EvaluationDataError(f"{path}: name is not <article>_<annotator>.ann")
        first_ann.setdefault(article, path)
    orphans = sorted(set(first_ann) - set(texts))
    if orphans:
        raise EvaluationDataError(
            f"{ann_dir / (orphans[0] + '_*.ann')}: no text file {text_dir / (orphans[0] + '.txt')}"
        )
    unannotated = sorted(set(texts) - set(first_ann))
    if unannotated:
        raise EvaluationDataError(f"{texts[unannotated[0]]}: no .ann file in {ann_dir}")
    metadata: dict[str, tuple[date | None, str | None]] = {}
    metadata_path = split.resolve().parent / "metadata.tsv"
    if metadata_path.is_file():
        metadata = _read_metadata(metadata_path, set(texts))
    documents = []
    for name in sorted(texts):
        text = _read_text(texts[name])
        ann_path = first_ann[name]
        attributions = parse_ann(_read_text(ann_path), text, str(ann_path))
        published, title = metadata.get(name, (None, None))
        documents.append(GoldDocument(name, text, published, title, attributions))
    return documents


# --------------------------------------------------------------------------- gold files


def _gold_spans(value: object, text: str, where: str) -> SpanList:
    if value is None:
        return []
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pieces = [value]
    elif isinstance(value, list) and all(
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in p)
        for p in value
    ):
        pieces = value
    else:
        raise EvaluationDataError(f"{where}: expected [start, end] or null, got {value!r}")
    return sorted(_check_spans([(p[0], p[1]) for p in pieces], text, where))


def _optional_str(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise EvaluationDataError(f"{where}: expected a string or null, got {value!r}")
    return value


def load_gold_file(path: str | Path) -> GoldDocument:
    """A saywho gold JSON file and the text file it names."""
    gold_path = Path(path)
    try:
        data = json.loads(_read_text(gold_path))
    except json.JSONDecodeError as error:
        raise EvaluationDataError(f"{gold_path}: not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise EvaluationDataError(f"{gold_path}: expected a JSON object")
    document = data.get("document")
    if not isinstance(document, str) or not document:
        raise EvaluationDataError(f"{gold_path}: 'document' (the text file) is missing")
    text = _read_text(gold_path.parent / document)
    published = None
    if data.get("published") is not None:
        try:
            published = date.fromisoformat(str(data["published"]))
        except ValueError as error:
            raise EvaluationDataError(
                f"{gold_path}: 'published' {data['published']!r} is not an ISO date"
            ) from error
    title = _optional_str(data.get("title"), f"{gold_path}: 'title'")
    quotes = data.get("quotes")
    if not isinstance(quotes, list):
        raise EvaluationDataError(f"{gold_path}: 'quotes' is missing or not a list")
    kinds = {k.value for k in Kind}
    source_types = {t.value for t in SourceType}
    attributions = []
    for number, quote in enumerate(quotes):
        where = f"{gold_path}: quotes[{number}]"
        if not isinstance(quote, dict):
            raise EvaluationDataError(f"{where}: expected an object")
        if quote.get("content") is None:
            raise EvaluationDataError(f"{where}: 'content' is missing")
        roles = {}
        for key in ("content", "cue", "speaker"):
            spans = _gold_spans(quote.get(key), text, f"{where}.{key}")
            written = quote.get(f"{key}_text")
            single = len(spans) == 1
            if written is not None and single and text[spans[0][0] : spans[0][1]] != written:
                raise EvaluationDataError(
                    f"{where}.{key}_text {written[:40]!r} does not match the text at "
                    f"{list(spans[0])}"
                )
            roles[key] = spans
        kind = _optional_str(quote.get("kind"), f"{where}.kind")
        if kind is not None and kind not in kinds:
            raise EvaluationDataError(f"{where}: unknown kind {kind!r}")
        source_type = _optional_str(quote.get("source_type"), f"{where}.source_type")
        if source_type is not None and source_type not in source_types:
            raise EvaluationDataError(f"{where}: unknown source_type {source_type!r}")
        entity = _optional_str(quote.get("speaker_entity"), f"{where}.speaker_entity")
        direct = kind in DIRECT_KINDS if kind is not None else is_direct(text, roles["content"])
        attributions.append(
            GoldAttribution(
                content=roles["content"],
                cue=roles["cue"],
                source=roles["speaker"],
                kind=kind,
                speaker_entity=entity,
                source_type=source_type,
                direct=direct,
            )
        )
    attributions.sort(key=lambda a: a.content)
    return GoldDocument(Path(document).stem, text, published, title, attributions)


# --------------------------------------------------------------------------- matching


def normalise(text: str, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Spans with whitespace, quotation marks, , . ; : and dashes trimmed from both ends of each piece;
    pieces that become empty are dropped, pieces with only those characters between them
    joined. When every piece becomes empty, the pieces with only whitespace trimmed are
    returned instead."""
    out: list[tuple[int, int]] = []
    for start, end in trim_spans(text, spans, _TRIM):
        if out and all(c.isspace() or c in _TRIM for c in text[out[-1][1] : start]):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    # A role made only of marks (a colon or a quotation mark as the cue) keeps its marks.
    return tuple(out or trim_spans(text, spans))


def exact(text: str, gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]]) -> bool:
    """Exact match of two span lists of one role; both absent counts as equal."""
    if not gold and not predicted:
        return True
    if not gold or not predicted:
        return False
    key = normalise(text, gold)
    return bool(key) and key == normalise(text, predicted)


def match_overlap(
    gold: Sequence[Sequence[tuple[int, int]]], predicted: Sequence[Sequence[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, greedy by most shared characters."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            shared = overlap(g, p)
            if shared > 0:
                candidates.append((-shared, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def match_exact(
    text: str,
    gold: Sequence[Sequence[tuple[int, int]]],
    predicted: Sequence[Sequence[tuple[int, int]]],
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs with equal normalised span lists."""
    keys = [normalise(text, p) for p in predicted]
    used: set[int] = set()
    pairs = []
    for gi, g in enumerate(gold):
        key = normalise(text, g)
        if not key:
            continue
        for pi, other in enumerate(keys):
            if pi not in used and other == key:
                used.add(pi)
                pairs.append((gi, pi))
                break
    return pairs


# --------------------------------------------------------------------------- scoring


def _pct(numerator: float, denominator: float) -> float:
    return round(100.0 * numerator / denominator, 1) if denominator else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _percentages(p_matched: int, predicted: int, r_matched: int, gold: int) -> dict:
    """Precision, recall and F1 in percent, rounded to one decimal (0.0 for an empty side)."""
    p = p_matched / predicted if predicted else 0.0
    r = r_matched / gold if gold else 0.0
    return {"p": round(100 * p, 1), "r": round(100 * r, 1), "f1": round(100 * _f1(p, r), 1)}


def _prf(tp: int, pred: int, gold: int) -> dict:
    return {**_percentages(tp, pred, tp, gold), "tp": tp, "pred": pred, "gold": gold}


def _predicted_role(attribution: Attribution, role: str) -> SpanList:
    if role == "content":
        spans = attribution.content
    elif role == "cue":
        spans = attribution.cue
    else:
        spans = attribution.speaker
    return [(s[0], s[1]) for s in spans]


def _gold_role(attribution: GoldAttribution, role: str) -> SpanList:
    return getattr(attribution, role)


def _value(value: object) -> str | None:
    """The plain string of an enum member or string."""
    if value is None:
        return None
    return getattr(value, "value", value)  # type: ignore[return-value]


def _same_entity(a: str | None, b: str | None) -> bool:
    def key(s: str | None) -> str | None:
        return " ".join(s.split()).casefold() if s is not None else None

    return key(a) == key(b)


def _texts(text: str, spans: Sequence[tuple[int, int]]) -> str | None:
    return " … ".join(text[s:e] for s, e in spans) if spans else None


def _describe_gold(text: str, g: GoldAttribution) -> dict:
    return {
        "kind": g.kind,
        "content": _texts(text, g.content),
        "cue": _texts(text, g.cue),
        "source": _texts(text, g.source),
        "speaker_entity": g.speaker_entity,
        "source_type": g.source_type,
        "content_spans": [list(s) for s in g.content],
    }


def _describe_predicted(text: str, a: Attribution) -> dict:
    return {
        "kind": _value(a.kind),
        "content": _texts(text, _predicted_role(a, "content")),
        "cue": _texts(text, _predicted_role(a, "cue")),
        "source": _texts(text, _predicted_role(a, "source")),
        "speaker_entity": a.speaker_entity,
        "source_type": _value(a.source_type),
        "content_spans": [list(s) for s in a.content],
        "rule": a.rule,
    }


def merge_continuations(document: Document) -> Document:
    """A copy of ``document`` in which each continuation is folded into the attribution it
    continues, as one attribution with a broken content span. PolNeAR annotates a quote and
    its continuations that way; saywho reports them separately."""
    merged = document.model_copy(deep=True)
    kept = []
    by_index = {a.index: a for a in merged.attributions}
    for attribution in merged.attributions:
        origin = by_index.get(attribution.continues) if attribution.kind == "continuation" else None
        while origin is not None and origin.kind == "continuation":
            origin = by_index.get(origin.continues)
        if origin is None:
            kept.append(attribution)
        else:
            origin.content = sorted(origin.content + attribution.content)
    merged.attributions = kept
    return merged


#: The opening quotation marks of PolNeAR's English news ('' doubled in some papers). The
#: scorer keeps its own lists of marks rather than the quotes module's: a metric that shared
#: the analysis' quote detection would forgive its mistakes.
_OPENING_MARK = r"(?:\"|“|‘|''|')"
#: "that" right before a content, or before the quotation mark that opens it ('said that "the
#: plan failed"': PolNeAR train starts such a content at "that" 98 times, at the mark twice),
#: with its comma ("said that, if elected, ...": at "that," 33 times, after it 3).
_COMPLEMENTIZER = re.compile(r"\bthat,?[^\S\n]+" + _OPENING_MARK + "?$", re.IGNORECASE)
#: The few words between a cue and a quotation that opens in the middle of a clause ('said he
#: would "introduce legislation"', 'called Trump a "pathological liar"'): PolNeAR train starts
#: a content with up to four words before a quotation mark and a small letter 1,004 times, right
#: after the mark twice; saywho's direct content is the quotation.
_CLAUSE_BEFORE_QUOTE = re.compile(r"[^\S\n]+((?:[\w’'-]+[^\S\n]+){1,4})" + _OPENING_MARK + "$")
_PREVIOUS_WORD = re.compile(r"(\S+)(\s+)$")
_THAT_IN_CLAUSE = re.compile(r".*\b(that)\b", re.IGNORECASE | re.DOTALL)


def polnear_convention(text: str, document: Document) -> Document:
    """A copy of ``document`` in PolNeAR's span convention, which differs from saywho's (the
    bundled example's) in four ways: a content begins with its complementizer ("that the
    plan failed") and with the words of its clause before a quotation that opens in its
    middle ('he would "introduce legislation"', where saywho's direct content is the
    quotation); a cue takes in the auxiliaries, negation, adverbs and catenative verbs
    right before its verb ("has repeatedly said", "seemed to think"); a cue also takes in
    the few words of time or the preposition between it and its content ("said Monday
    that", "spoke about": in PolNeAR train the cue runs right up to the content in 94 % of
    the attributions whose source, cue and content come in that order); a source that is a
    relative pronoun is the pronoun ("Lukashenko, who insisted": PolNeAR train marks "who"
    alone 422 times, with its antecedent 258 times). saywho reports the content after
    "that", the verb alone and the antecedent. The conversion looks only at the words
    between and right before the spans.

    PolNeAR also annotates no attribution inside another one's content (none of the 19,832
    of train has its cue there): "the source added that Clinton had told police officials
    that ..." is one attribution to PolNeAR, two to saywho, which keeps the inner report as
    a claim of its own (its ``within`` names the outer one). The inner one is left out of
    the copy; whether it is inner is read from the converted spans, so that predictions
    made without ``within`` are scored alike."""
    converted = document.model_copy(deep=True)
    for a in converted.attributions:
        a.content, a.cue, a.speaker = polnear_spans(text, a.content, a.cue, a.speaker)
    outer = nesting(converted.attributions)
    converted.attributions = [a for a, within in zip(converted.attributions, outer) if within is None]
    return converted


def polnear_spans(
    text: str, content: SpanList, cue: SpanList, speaker: SpanList
) -> tuple[SpanList, SpanList, SpanList]:
    """One attribution's content, cue and source spans in PolNeAR's convention (see
    :func:`polnear_convention`), as new lists."""
    content, cue, speaker = list(content), list(cue), list(speaker)
    if content and cue:
        start, end = content[0]
        if cue[-1][1] <= start < len(text) and text[start].islower():
            clause = _CLAUSE_BEFORE_QUOTE.fullmatch(text, cue[-1][1], start)
            if clause:
                # 'says on its website that "there were ...': the content opens at "that".
                that = _THAT_IN_CLAUSE.search(text, clause.start(1), clause.end(1))
                content[0] = (that.start(1) if that else clause.start(1), end)
    if content:
        start, end = content[0]
        found = _COMPLEMENTIZER.search(text, max(0, start - 12), start)
        if found:
            content[0] = (found.start(), end)
    if not cue:
        return content, cue, speaker
    start, end = cue[0]
    # Never into the source ("the family said"): only words after it.
    floor = max([e for _, e in speaker if e <= start], default=0)
    while True:
        found = _PREVIOUS_WORD.search(text, max(floor, start - 40), start)
        word = found.group(1).lower().replace("’", "'") if found else ""
        if "\n" in (found.group(2) if found else "\n") or word.strip(",") != word:
            break
        if not _cue_prefix(word):
            # "they'll present": the contraction is the cue's, the pronoun is not.
            clitic = _CLITIC.search(word)
            if clitic:
                start = found.start(1) + clitic.start()
            break
        start = found.start(1)
    cue[0] = (start, end)
    if content:
        content_start = content[0][0]
        gap = _CUE_TO_CONTENT.fullmatch(text, end, content_start) if end <= content_start else None
        if gap and gap.group(1) and all(w.lower() in _CUE_SUFFIX_WORDS for w in gap.group(1).split()):
            cue[-1] = (cue[-1][0], gap.end(1))
    if len(speaker) == 1 and speaker[0][1] <= start:
        # "Lukashenko, who had insisted": saywho names the antecedent, PolNeAR the pronoun.
        relative = _RELATIVE_BEFORE_CUE.fullmatch(text, speaker[0][1], start)
        if relative:
            speaker[0] = relative.span(1)
    return content, cue, speaker


#: Between a cue and its content: a few words (group 1), no sentence end, no line break.
_CUE_TO_CONTENT = re.compile(r"([^\S\n]+[^.!?\n]{0,80}?[^\s,;:\"'“”‘’—–-])?[\s,;:\"'“”‘’—–-]*")

#: Verbs that PolNeAR's cue takes in before a reporting verb with its "to" ("seemed to think").
_CATENATIVE = frozenset(
    """to seem seems seemed appear appears appeared continue continues continued try tries tried
    begin begins began start starts started stop stops stopped""".split()
)

#: Words between a cue and its content that PolNeAR's cue takes in: prepositions ("spoke
#: about"), times ("said Monday") and manner adverbs. Measured on PolNeAR train (exact cue
#: F1 63.8 -> 64.3) and dev (67.5 -> 68.2) before choosing; taking in any words there (an
#: addressee: "told the audience") lowered it.
_CUE_SUFFIX_WORDS = frozenset(
    """about of on for to with against at over into monday tuesday wednesday thursday friday
    saturday sunday yesterday today tonight last this next week month year night morning
    afternoon evening earlier later again also repeatedly publicly privately openly
    bitterly strongly flatly firmly""".split()
)


def _cue_prefix(word: str) -> bool:
    """Whether PolNeAR's cue takes in ``word`` (lower case, straight apostrophes) right
    before the verb."""
    if word.endswith("n't"):
        word = _NEGATED.get(word[:-3], word[:-3])
    return word in CUE_PREFIX_WORDS or word in _CATENATIVE or word.endswith("ly")


#: "can't", "won't", "shan't" without their "n't".
_NEGATED = {"ca": "can", "wo": "will", "sha": "shall"}
#: An auxiliary written onto the word before it: "they'll", "we've", "he'd" (not "'s",
#: which is as often the possessive of a nominal cue: "Clinton's claim that").
_CLITIC = re.compile(r"(?<=\w)'(?:ll|ve|d|re|m)$")


#: Between a source and its cue, nothing but a relative pronoun (and a comma).
_RELATIVE_BEFORE_CUE = re.compile(r"[^\S\n]*,?[^\S\n]*(who|which|that)[^\S\n]+", re.IGNORECASE)


_WORD = re.compile(r"\w+")


def _words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end)) if end > start else 0


def _boundary_errors(text: str, gold: SpanList, predicted: SpanList) -> list[str]:
    """Error kinds of a content that overlaps its gold content without matching it: for the
    start and for the end, whether it lies early or late, and by a word or two or by a clause
    (more than two words); "pieces" when both ends agree but the pieces between do not."""
    g, p = normalise(text, gold), normalise(text, predicted)
    if not g or not p:
        return ["boundary"]
    out = []
    for side, gold_at, pred_at in (("start", g[0][0], p[0][0]), ("end", g[-1][1], p[-1][1])):
        if gold_at == pred_at:
            continue
        moved = "early" if pred_at < gold_at else "late"
        size = _words(text, min(gold_at, pred_at), max(gold_at, pred_at))
        out.append(f"{side} {moved} by {'a clause' if size > 2 else 'a word or two'}")
    return out or ["pieces"]


def _role_error(text: str, gold: SpanList, predicted: SpanList) -> str | None:
    """The error kind of a source or cue in a matched attribution pair, None when exact."""
    if exact(text, gold, predicted):
        return None
    if not predicted:
        return "missing"
    if not gold:
        return "extra"
    return "boundary" if overlap(gold, predicted) else "wrong"


def _count(table: dict, role: str, kind: str) -> None:
    table.setdefault(role, {})
    table[role][kind] = table[role].get(kind, 0) + 1


def score(
    pairs: Iterable[tuple[GoldDocument, Document]], *, merge: bool = False, list_errors: bool = False
) -> dict:
    """The evaluation report of predicted documents against their gold documents. With
    ``merge`` (for PolNeAR), predictions are first put in PolNeAR's convention:
    continuations folded into the attributions they continue (:func:`merge_continuations`),
    contents with their "that" and cues with their auxiliaries (:func:`polnear_convention`).
    The report lists every error (``errors``) for the documents with gold kinds, and with
    ``list_errors`` for every document."""
    documents = 0
    role_counts = {r: {m: [0, 0, 0] for m in ("exact", "overlap")} for r in ROLES}  # tp pred gold
    att = [0, 0, 0]
    source_exact = cue_exact = 0
    direct_pred = direct_pred_matched = direct_gold = direct_gold_matched = 0
    field_names = ("kind", "speaker_entity", "source_type")
    fields = {f: [0, 0] for f in field_names}  # correct, total
    field_pairs = 0
    has_fields = False
    errors: list[dict] = []
    error_kinds: dict[str, dict[str, int]] = {}

    for gold_doc, predicted_doc in pairs:
        documents += 1
        text = gold_doc.text
        gold_atts = gold_doc.attributions
        if merge:
            predicted_doc = polnear_convention(text, merge_continuations(predicted_doc))
        pred_atts = list(predicted_doc.attributions)
        for p in pred_atts:
            for role in ROLES:
                for start, end in _predicted_role(p, role):
                    if not 0 <= start <= end <= len(text):
                        raise EvaluationDataError(
                            f"{gold_doc.name}: predicted {role} span ({start}, {end}) lies "
                            f"outside the gold text ({len(text)} characters); was the "
                            "prediction made on another text?"
                        )

        for role in ROLES:
            gold_inst = [s for s in (_gold_role(g, role) for g in gold_atts) if s]
            pred_inst = [s for s in (_predicted_role(p, role) for p in pred_atts) if s]
            for method, matched in (
                ("exact", match_exact(text, gold_inst, pred_inst)),
                ("overlap", match_overlap(gold_inst, pred_inst)),
            ):
                counts = role_counts[role][method]
                counts[0] += len(matched)
                counts[1] += len(pred_inst)
                counts[2] += len(gold_inst)

        golds = [g for g in gold_atts if g.content]
        preds = [p for p in pred_atts if p.content]
        gold_contents = [g.content for g in golds]
        pred_contents = [_predicted_role(p, "content") for p in preds]
        matched = match_overlap(gold_contents, pred_contents)
        att[0] += len(matched)
        att[1] += len(preds)
        att[2] += len(golds)
        for gi, pi in matched:
            g, p = golds[gi], preds[pi]
            source_exact += exact(text, g.source, _predicted_role(p, "source"))
            cue_exact += exact(text, g.cue, _predicted_role(p, "cue"))
            for role in ("source", "cue"):
                kind = _role_error(text, _gold_role(g, role), _predicted_role(p, role))
                if kind:
                    _count(error_kinds, role, kind)
            if not exact(text, g.content, _predicted_role(p, "content")):
                for kind in _boundary_errors(text, g.content, _predicted_role(p, "content")):
                    _count(error_kinds, "content", kind)
        for _ in range(len(golds) - len(matched)):
            _count(error_kinds, "attribution", "missed")
        for _ in range(len(preds) - len(matched)):
            _count(error_kinds, "attribution", "false positive")

        direct_preds = [i for i, p in enumerate(preds) if _value(p.kind) in DIRECT_KINDS]
        direct_golds = [i for i, g in enumerate(golds) if g.direct]
        direct_pred += len(direct_preds)
        direct_gold += len(direct_golds)
        direct_pred_matched += len(
            match_overlap(gold_contents, [pred_contents[i] for i in direct_preds])
        )
        direct_gold_matched += len(
            match_overlap([gold_contents[i] for i in direct_golds], pred_contents)
        )

        annotated = any(g.kind is not None for g in gold_atts)
        has_fields = has_fields or annotated
        if not (annotated or list_errors):
            continue
        matched_gold = {gi for gi, _ in matched}
        matched_pred = {pi for _, pi in matched}
        doc_errors: list[tuple[int, dict]] = []
        for gi, pi in matched:
            g, p = golds[gi], preds[pi]
            if g.kind is None and not list_errors:
                continue
            differences = {}
            checks = {}  # the fields, for a gold attribution that has them
            if g.kind is not None:
                field_pairs += 1
                checks["kind"] = (g.kind, _value(p.kind), g.kind == _value(p.kind))
                checks["speaker_entity"] = (
                    g.speaker_entity,
                    p.speaker_entity,
                    _same_entity(g.speaker_entity, p.speaker_entity),
                )
                if g.source_type is not None:
                    checks["source_type"] = (
                        g.source_type,
                        _value(p.source_type),
                        g.source_type == _value(p.source_type),
                    )
            for name, (gold_value, pred_value, correct) in checks.items():
                fields[name][1] += 1
                fields[name][0] += correct
                if not correct:
                    differences[name] = {"gold": gold_value, "predicted": pred_value}
            for role in ROLES:
                gold_spans, pred_spans = _gold_role(g, role), _predicted_role(p, role)
                if not exact(text, gold_spans, pred_spans):
                    kinds = (
                        _boundary_errors(text, gold_spans, pred_spans)
                        if role == "content"
                        else [_role_error(text, gold_spans, pred_spans)]
                    )
                    differences[role] = {
                        "gold": _texts(text, gold_spans),
                        "predicted": _texts(text, pred_spans),
                        "kinds": kinds,
                    }
            if differences:
                doc_errors.append(
                    (
                        g.content[0][0],
                        {
                            "document": gold_doc.name,
                            "type": "mismatch",
                            "gold": _describe_gold(text, g),
                            "predicted": _describe_predicted(text, p),
                            "differences": differences,
                        },
                    )
                )
        missed = [g for gi, g in enumerate(golds) if gi not in matched_gold]
        missed += [g for g in gold_atts if not g.content]
        for g in missed:
            entry = {"document": gold_doc.name, "type": "miss", "gold": _describe_gold(text, g)}
            doc_errors.append((g.content[0][0] if g.content else -1, entry))
        for pi, p in enumerate(preds):
            if pi not in matched_pred:
                doc_errors.append(
                    (
                        min(s for s, _ in p.content),
                        {
                            "document": gold_doc.name,
                            "type": "false_positive",
                            "predicted": _describe_predicted(text, p),
                        },
                    )
                )
        doc_errors.sort(key=lambda item: item[0])
        errors.extend(entry for _, entry in doc_errors)

    report: dict = {"documents": documents, "roles": {}}
    for role in ROLES:
        report["roles"][role] = {
            method: _prf(*role_counts[role][method]) for method in ("exact", "overlap")
        }
    attribution = _prf(*att)
    attribution.update(
        {
            "source_exact": _pct(source_exact, att[0]),
            "source_exact_n": source_exact,
            "cue_exact": _pct(cue_exact, att[0]),
            "cue_exact_n": cue_exact,
        }
    )
    report["attribution"] = attribution
    report["error_kinds"] = {
        role: dict(sorted(error_kinds.get(role, {}).items(), key=lambda item: (-item[1], item[0])))
        for role in ("attribution", "source", "cue", "content")
    }
    report["direct"] = {
        **_percentages(direct_pred_matched, direct_pred, direct_gold_matched, direct_gold),
        "pred": direct_pred,
        "pred_matched": direct_pred_matched,
        "gold": direct_gold,
        "gold_matched": direct_gold_matched,
    }
    if has_fields:
        report["fields"] = {"pairs": field_pairs}
        for name in field_names:
            correct, total = fields[name]
            report["fields"][name] = {
                "accuracy": _pct(correct, total),
                "correct": correct,
                "total": total,
            }
    if has_fields or list_errors:
        report["errors"] = errors
    return report


# --------------------------------------------------------------------------- rendering


def render_table(report: dict) -> str:
    """A plain-text table of a report from :func:`score`."""
    lines = [f"Documents: {report['documents']}", ""]
    header = (
        f"{'role':<8} {'exact P':>8} {'exact R':>8} {'exact F1':>9}   "
        f"{'overlap P':>9} {'overlap R':>9} {'overlap F1':>10}   {'gold':>6} {'pred':>6}"
    )
    lines += [header, "-" * len(header)]
    for role in ROLES:
        ex, ov = report["roles"][role]["exact"], report["roles"][role]["overlap"]
        lines.append(
            f"{role:<8} {ex['p']:>8.1f} {ex['r']:>8.1f} {ex['f1']:>9.1f}   "
            f"{ov['p']:>9.1f} {ov['r']:>9.1f} {ov['f1']:>10.1f}   {ov['gold']:>6} {ov['pred']:>6}"
        )
    a = report["attribution"]
    d = report["direct"]
    lines += [
        "",
        f"Attribution (content overlap): P {a['p']:.1f}  R {a['r']:.1f}  F1 {a['f1']:.1f}  "
        f"(matched {a['tp']}, predicted {a['pred']}, gold {a['gold']})",
        f"  among matched: source exact {a['source_exact']:.1f}% "
        f"({a['source_exact_n']}/{a['tp']}), "
        f"cue exact {a['cue_exact']:.1f}% ({a['cue_exact_n']}/{a['tp']})",
        f"Direct quotes: P {d['p']:.1f}  R {d['r']:.1f}  F1 {d['f1']:.1f}  "
        f"(predicted {d['pred_matched']}/{d['pred']} matched, "
        f"gold {d['gold_matched']}/{d['gold']} found)",
    ]
    kinds = report.get("error_kinds", {})
    if any(kinds.values()):
        lines.append("Errors by kind (attributions matched by content overlap; content: where its ends lie):")
        for role, counts in kinds.items():
            if counts:
                lines.append(f"  {role}: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    if "fields" in report:
        f = report["fields"]
        parts = [
            f"{name} {f[name]['accuracy']:.1f}% ({f[name]['correct']}/{f[name]['total']})"
            for name in ("kind", "speaker_entity", "source_type")
        ]
        lines.append(f"Fields over {f['pairs']} matched pairs: " + ", ".join(parts))
    if "errors" in report:
        counts = {t: 0 for t in ("miss", "false_positive", "mismatch")}
        for entry in report["errors"]:
            counts[entry["type"]] = counts.get(entry["type"], 0) + 1
        lines.append(
            f"Errors: {counts['miss']} missed, {counts['false_positive']} false positives, "
            f"{counts['mismatch']} matched with differences"
        )
    return "\n".join(lines) + "\n"
