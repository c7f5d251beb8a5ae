"""Content boundaries: a learned re-ranker that moves the start and the end of a reported
content to the token where PolNeAR's annotators put them.

The rules and the tagger find the right statement far more often than its exact extent (on
PolNeAR dev, a third of the reported contents they find start or end a word or a clause
early or late). This stage looks at each reported content once more: every token edge near
its start, and near its end, is a candidate, described by the parse around it (does a
constituent start or end there, is it the edge of the cue verb's complement, what word or
punctuation lies beyond, how far it lies from the proposed edge, did the other reader (the
tagger for the rules' attributions, the rules for the tagger's) put an edge there), and a
linear model picks one. The model is a table of feature weights trained by :func:`train`
(a softmax over each edge's candidates) on how the rules and taggers that had not seen them
read the PolNeAR train articles (:func:`saywho.learn.fit_boundaries`), kept as JSON
(``bounds.json``) beside the shipped tagger. Quotations are left alone: their marks are
their edges.

Measured on PolNeAR dev with the shipped tagger: exact content F1 57.0 without ``bounds.json``,
59.7 with it (with the cue and source arbiter of :mod:`saywho.arbiter`, whose weights it
also holds).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from spacy.tokens import Doc, Token

from saywho.cues import is_cue_verb
from saywho.errors import ModelError
from saywho.evaluate import GoldDocument, match_overlap, normalise
from saywho.model import Document, Kind, overlap
from saywho.quotes import QUOTE_CHARS

#: How far (in tokens) a boundary may move from where it was proposed.
REACH = 40

_WORDS = frozenset(
    "and but or while as because although though which who that whether if when after before "
    "since so said says say told added according to".split()
)


@dataclass
class Boundable:
    """One attribution's spans as the re-ranker needs them, in article character offsets."""

    content: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    speaker: list[tuple[int, int]]
    rule: str
    #: Contents another reader proposed for the same statement (the tagger's, where the
    #: rules made the attribution): where they start and end is a hint.
    hints: list[list[tuple[int, int]]] = field(default_factory=list)


@dataclass
class BoundsModel:
    """Feature weights of the start and end rankers."""

    weights: dict[str, float] = field(default_factory=dict)

    def score(self, features: Sequence[str]) -> float:
        w = self.weights
        return sum(w.get(f, 0.0) for f in features)

    def to_disk(self, path: str | Path) -> None:
        items = {k: round(v, 5) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-5}
        Path(path).write_text(json.dumps({"saywho_bounds": 1, "weights": items}), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: str | Path) -> "BoundsModel":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            weights = data["weights"]
            if data.get("saywho_bounds") != 1 or not isinstance(weights, dict):
                raise KeyError("saywho_bounds")
            return cls({str(k): float(v) for k, v in weights.items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ModelError(f"{path} is not a saywho boundary model: {error}") from None


# --------------------------------------------------------------------------- candidates


def skippable(token: Token) -> bool:
    """Punctuation, whitespace or a quotation mark: never the first or last token of a span."""
    return token.is_punct or token.is_space or token.text in QUOTE_CHARS


def _bucket(distance: int) -> str:
    if distance == 0:
        return "0"
    size = abs(distance)
    label = str(size) if size <= 2 else "3-5" if size <= 5 else "6-10" if size <= 10 else "11+"
    return ("-" if distance < 0 else "+") + label


def _word_class(token: Token) -> str:
    if token.is_space and "\n" in token.text:
        return "NEWLINE"
    if token.text.strip(QUOTE_CHARS) == "":
        return "QUOTE"
    if token.is_punct or token.lower_ in _WORDS:
        return token.lower_
    if is_cue_verb(token):
        return "CUEVERB"
    return token.pos_


class _Parse:
    """What the features read of a parsed Doc, as plain lists: built once per Doc, as
    spaCy makes a new Token object on every access."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.n = len(doc)
        tokens = list(doc)
        self.lower = [t.lower_ for t in tokens]
        self.pos = [t.pos_ for t in tokens]
        self.dep = [t.dep_ for t in tokens]
        self.head = [t.head.i for t in tokens]
        self.skip = [skippable(t) for t in tokens]
        self.punct = [t.is_punct for t in tokens]
        self.space = [t.is_space for t in tokens]
        self.newline = [t.is_space and "\n" in t.text for t in tokens]
        self.word_class = [_word_class(t) for t in tokens]
        self.cue_verb = [is_cue_verb(t) for t in tokens]
        self.that = [t.lower_ == "that" and t.dep_ == "mark" for t in tokens]
        self.sentence = [0] * self.n
        self.sent_start = [False] * self.n
        sentences = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
        for sentence in sentences:
            self.sentence[sentence.start : sentence.end] = [sentence.start] * len(sentence)
            if len(sentence):
                self.sent_start[sentence.start] = True
        self.children: list[list[int]] = [[] for _ in range(self.n)]
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        # The first and last word (punctuation left out) of each token's subtree.
        self.last_word, self.first_word = [], []
        for t in tokens:
            last, first = t.right_edge.i, t.left_edge.i
            while last > t.i and self.skip[last]:
                last -= 1
            while first < t.i and self.skip[first]:
                first += 1
            self.last_word.append(last)
            self.first_word.append(first)

    def next_word(self, i: int) -> int | None:
        j = i + 1
        while j < self.n and self.space[j] and not self.newline[j]:
            j += 1
        return j if j < self.n else None

    def previous_word(self, i: int) -> int | None:
        j = i - 1
        while j >= 0 and self.space[j] and not self.newline[j]:
            j -= 1
        return j if j >= 0 else None

    def sentence_follows(self, i: int) -> bool:
        """Whether a sentence (or the text) ends right after token ``i`` (spaces aside)."""
        j = i + 1
        while j < self.n and self.space[j]:
            j += 1
        return j >= self.n or self.sent_start[j]

    def token_range(self, base: int, start: int, end: int) -> tuple[int, int] | None:
        """First and last token index of the characters [start, end) of the article."""
        span = self.doc.char_span(start - base, end - base, alignment_mode="expand")
        if span is None or not len(span):
            return None
        return span.start, span.end - 1

    def tokens(self, base: int, spans: Iterable[tuple[int, int]]) -> set[int]:
        out: set[int] = set()
        for start, end in spans:
            found = self.token_range(base, start, end)
            if found is not None:
                out.update(range(found[0], found[1] + 1))
        return out

    def paragraph(self, i: int) -> tuple[int, int]:
        first = i
        while first > 0 and not self.newline[first - 1]:
            first -= 1
        last = i
        while last + 1 < self.n and not self.newline[last + 1]:
            last += 1
        return first, last

    def edges(self, i: int, side: str) -> list[str]:
        """Which constituents (the token and up to three ancestors) end (or start) at ``i``."""
        out = []
        node = i
        edge_of = self.last_word if side == "end" else self.first_word
        for _ in range(4):
            if edge_of[node] == i:
                out.append(f"{side}-edge:{self.dep[node]}:{self.pos[node]}")
                if self.head[node] != node and self.cue_verb[self.head[node]]:
                    out.append(f"{side}-edge-of-cue-child:{self.dep[node]}")
            if self.head[node] == node:
                break
            node = self.head[node]
        return out or [f"{side}-edge:none"]

    def roots(self, first: int, last: int) -> list[int]:
        """For each ``k`` in first..last, how many tokens of first..k (``side`` end: the
        span grows to the right) hang from a head outside the span."""
        out, count = [], 0
        for k in range(first, last + 1):
            h = self.head[k]
            count += 1 if (h == k or not first <= h <= k) else 0
            count -= sum(1 for c in self.children[k] if first <= c < k)
            out.append(count)
        return out

    def roots_leftward(self, first: int, last: int) -> list[int]:
        """For each ``k`` in first..last, how many tokens of k..last hang from a head outside."""
        out, count = [], 0
        for k in range(last, first - 1, -1):
            h = self.head[k]
            count += 1 if (h == k or not k <= h <= last) else 0
            count -= sum(1 for c in self.children[k] if k < c <= last)
            out.append(count)
        out.reverse()
        return out

    def shape(self, first: int, last: int, roots: int, side: str, outside: int | None) -> list[str]:
        """Whether tokens first..last form one constituent: how many hang from a head
        outside (``roots``), how many words beyond the moving edge hang from one inside
        (cut), and what the word just beyond hangs from."""
        window = range(max(0, first - 12), first) if side == "start" else range(last + 1, min(self.n, last + 13))
        cut = sum(1 for j in window if first <= self.head[j] <= last and not self.skip[j])
        roots, cut = min(roots, 3), min(cut, 3)
        out = [f"{side}:roots={roots}", f"{side}:cut={cut}", f"{side}:roots={roots}:cut={cut}"]
        if outside is not None and not self.space[outside]:
            inside = "in" if first <= self.head[outside] <= last else "out"
            out.append(f"{side}:outside-hangs-{inside}:{self.dep[outside]}")
            if self.pos[outside] in ("ADP", "SCONJ", "CCONJ", "ADV", "PRON", "DET") or self.punct[outside]:
                out.append(f"{side}:outside-word={self.lower[outside]}:{inside}")
        return out


@dataclass
class Decision:
    """The candidates of one edge of one content: token indices and their features."""

    side: str
    proposed: int
    candidates: list[int]
    features: list[list[str]]


def decisions(parse: _Parse, base: int, item: Boundable) -> tuple[Decision, Decision] | None:
    """The start and end decisions of ``item``'s content in the parsed chunk (at character
    ``base`` of the article); None when the content does not lie on the chunk's tokens."""
    first_piece = parse.token_range(base, *item.content[0])
    last_piece = parse.token_range(base, *item.content[-1])
    if first_piece is None or last_piece is None:
        return None
    start_i, end_i = first_piece[0], last_piece[1]
    while start_i < end_i and parse.skip[start_i]:
        start_i += 1
    while end_i > start_i and parse.skip[end_i]:
        end_i -= 1
    cue = parse.tokens(base, item.cue)
    own = cue | parse.tokens(base, item.speaker)
    para_first, para_last = parse.paragraph(start_i)

    # End candidates: forward to the paragraph's end or to this attribution's own cue or
    # source, back to the start of the last piece; start candidates the other way round.
    ends = []
    for i in range(max(last_piece[0], end_i - REACH), min(para_last, end_i + REACH) + 1):
        if i > end_i and i in own:
            break
        if i not in own and not parse.skip[i]:
            ends.append(i)
    starts = []
    for i in range(min(first_piece[1], start_i + REACH), max(para_first, start_i - REACH) - 1, -1):
        if i < start_i and i in own:
            break
        if i not in own and not parse.skip[i] and not parse.that[i]:
            starts.append(i)
    starts.reverse()
    if end_i not in ends or start_i not in starts:
        return None

    hint_starts, hint_ends = set(), set()
    for hint in filter(None, item.hints):
        first_hint, last_hint = parse.token_range(base, *hint[0]), parse.token_range(base, *hint[-1])
        if first_hint is None or last_hint is None:
            continue
        i = first_hint[0]
        while i < first_hint[1] and (parse.skip[i] or parse.that[i]):
            i += 1
        j = last_hint[1]
        while j > last_hint[0] and parse.skip[j]:
            j -= 1
        hint_starts.add(i)
        hint_ends.add(j)
    hinted = "hinted" if item.hints else "unhinted"
    rule = item.rule
    where_cue = "before" if cue and min(cue) < start_i else "after" if cue and min(cue) > end_i else "none"
    cue_heads = [i for i in cue if parse.head[i] not in cue or parse.head[i] == i]
    cue_word = parse.doc[cue_heads[0]].lemma_.lower() if cue_heads else "-"
    cue_children = [c for h in cue_heads for c in parse.children[h] if parse.dep[c] in _COMPLEMENTS]

    def common(i: int, proposed: int, side: str, hinted_here: bool) -> list[str]:
        d = _bucket(i - proposed)
        out = [
            f"{side}:d={d}", f"{side}:rule={rule}:d={d}", f"{side}:pos={parse.pos[i]}",
            f"{side}:dep={parse.dep[i]}", f"{side}:cue={where_cue}:d={d}",
            f"{side}:{hinted}:{'hint' if hinted_here else 'nohint'}:{'moved' if i != proposed else 'kept'}",
        ]
        if parse.sentence[i] != parse.sentence[proposed]:
            out.append(f"{side}:other-sentence")
        out.append(f"{side}:cue-word={cue_word}:{'moved' if i != proposed else 'kept'}")
        out += parse.edges(i, side)
        return out

    def features(side: str, candidates: list[int], proposed: int, hints: set[int]) -> list[list[str]]:
        """The features of one edge's candidates; the start's mirror the end's."""
        end = side == "end"
        beyond_name, own_name = ("next", "last") if end else ("prev", "first")
        edge_of = parse.last_word if end else parse.first_word
        if end:
            roots = parse.roots(start_i, candidates[-1])
        else:
            roots = parse.roots_leftward(candidates[0], end_i)
        out = []
        for i in candidates:
            beyond = parse.next_word(i) if end else parse.previous_word(i)
            d = _bucket(i - proposed)
            word = parse.word_class[beyond] if beyond is not None else "NONE"
            f = common(i, proposed, side, i in hints)
            f += [
                f"{side}:{beyond_name}={word}", f"{side}:{beyond_name}={word}:d={d}",
                f"{side}:{own_name}={parse.lower[i] if parse.lower[i] in _WORDS else parse.pos[i]}",
            ]
            if beyond is not None:
                f.append(f"{side}:{beyond_name}dep={parse.dep[beyond]}")
                if beyond in own:
                    f.append(f"{side}:{beyond_name}-own")
            if end:
                sentence_edge = beyond is not None and (
                    parse.sent_start[beyond] or (parse.punct[beyond] and parse.sentence_follows(beyond))
                )
                f += parse.shape(start_i, i, roots[i - start_i] if i >= start_i else 1, side, beyond)
            else:
                sentence_edge = parse.sent_start[i] or (
                    beyond is not None and parse.sent_start[beyond] and parse.skip[beyond]
                )
                f += parse.shape(i, end_i, roots[i - candidates[0]] if i <= end_i else 1, side, beyond)
            if sentence_edge:
                f += [f"{side}:sentence-{side}", f"{side}:sentence-{side}:d={d}"]
            f += [f"{side}:cue-{parse.dep[c]}-{side}s" for c in cue_children if edge_of[c] == i]
            out.append(f)
        return out

    start_features = features("start", starts, start_i, hint_starts)
    end_features = features("end", ends, end_i, hint_ends)
    return Decision("start", start_i, starts, start_features), Decision("end", end_i, ends, end_features)


#: Dependents of a cue verb whose edges are likely content edges.
_COMPLEMENTS = frozenset({"ccomp", "xcomp", "dobj", "parataxis", "advcl"})


# --------------------------------------------------------------------------- use


def best(model: BoundsModel, decision: Decision) -> int:
    """The candidate token ``model`` scores highest; on a tie, the proposed one."""
    scores = [model.score(f) for f in decision.features]
    chosen = max(range(len(scores)), key=lambda j: (scores[j], decision.candidates[j] == decision.proposed))
    return decision.candidates[chosen]


def refine_all(
    model: BoundsModel, chunks: Sequence[tuple[Doc, int]], items: Sequence[Boundable]
) -> list[list[tuple[int, int]]]:
    """Each item's content with its start and end where ``model`` puts them (unchanged
    where its content does not lie on one chunk's tokens)."""
    parses: dict[int, _Parse] = {}
    out = []
    for item in items:
        located = _chunk_of(chunks, item.content[0][0])
        if located is None:
            out.append(item.content)
            continue
        doc, base = located
        if id(doc) not in parses:
            parses[id(doc)] = _Parse(doc)
        parse = parses[id(doc)]
        found = decisions(parse, base, item)
        if found is None:
            out.append(item.content)
            continue
        first, last = best(model, found[0]), best(model, found[1])
        out.append(_moved(item.content, base + doc[first].idx, base + doc[last].idx + len(doc[last].text)) if first <= last else item.content)
    return out


def _chunk_of(chunks: Sequence[tuple[Doc, int]], position: int) -> tuple[Doc, int] | None:
    for doc, base in chunks:
        if len(doc) and base <= position < base + doc[-1].idx + len(doc[-1].text_with_ws):
            return doc, base
    return None


def _moved(content: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """``content``'s pieces cut to, or stretched to, [start, end)."""
    pieces = [(max(s, start), min(e, end)) for s, e in content]
    pieces = [(s, e) for s, e in pieces if s < e]
    if not pieces:
        return [(start, end)]
    pieces[0] = (min(pieces[0][0], start), pieces[0][1])
    pieces[-1] = (pieces[-1][0], max(pieces[-1][1], end))
    return pieces


# --------------------------------------------------------------------------- training

#: The kinds of attribution whose content boundaries the re-ranker moves; a quotation's
#: content ends at its marks.
REPORTED = (Kind.INDIRECT, Kind.MIXED)


def hints_for(content: Sequence[tuple[int, int]], rule: str, alone: Document | None) -> list[list[tuple[int, int]]]:
    """The tagger's contents (``alone``) that share characters with the rules' ``content``;
    none for an attribution the tagger made itself."""
    if alone is None or rule == "learned":
        return []
    return [list(b.content) for b in alone.attributions if b.content and overlap(b.content, content)]


def training_examples(gold: GoldDocument, items: Sequence[Boundable], doc: Doc) -> list[tuple[Decision, int]]:
    """The decisions of the reported contents ``items`` of the article ``gold`` (``doc``: the
    article parsed whole; see :func:`saywho.core.boundary_items`) that can reach the content
    of the gold attribution they match, with the index of the gold candidate. Gold contents
    in PolNeAR's convention lose their leading "that"."""
    text = gold.text
    golds = [a for a in gold.attributions if a.content]
    starts = {t.idx: t.i for t in doc}
    ends = {t.idx + len(t.text): t.i for t in doc}
    parse = _Parse(doc)
    out = []
    for gi, pi in match_overlap([a.content for a in golds], [b.content for b in items]):
        found = decisions(parse, 0, items[pi])
        key = normalise(text, golds[gi].content)
        if found is None or not key:
            continue
        first, last = starts.get(key[0][0]), ends.get(key[-1][1])
        if first is not None and doc[first].lower_ == "that":
            first += 1
            while first < len(doc) and skippable(doc[first]):
                first += 1
        for decision, target in zip(found, (first, last)):
            if target in decision.candidates:
                out.append((decision, decision.candidates.index(target)))
    return out



def train(
    examples: Sequence[tuple[Decision, int]], *, epochs: int = 8, rate: float = 0.1, l2: float = 1e-6, seed: int = 0
) -> BoundsModel:
    """Fit the feature weights to ``examples`` (a decision and the index of its gold
    candidate) by AdaGrad on the softmax loss, in a seeded order."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for k in order:
            decision, gold = examples[k]
            scores = [sum(weights.get(f, 0.0) for f in fs) for fs in decision.features]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            gradient: dict[str, float] = {}
            for j, fs in enumerate(decision.features):
                p = exps[j] / total - (1.0 if j == gold else 0.0)
                if abs(p) < 1e-6:
                    continue
                for f in fs:
                    gradient[f] = gradient.get(f, 0.0) + p
            for f, g in gradient.items():
                g += l2 * weights.get(f, 0.0)
                squares[f] = squares.get(f, 0.0) + g * g
                weights[f] = weights.get(f, 0.0) - rate * g / math.sqrt(squares[f] + 1e-8)
    return BoundsModel(weights)
