"""Cue and source arbitration: where the rules and the tagger read the same statement with a
different cue or a different source, a linear model picks one of the two readings.

Neither reader is better across the board: on PolNeAR train read by taggers that had not
seen it, where the two disagree on the cue and one of them is right, the rules are right
445 times of 879; on the source, 628 of 1,056. Who is right depends on the words: the rules
know their reporting verbs, the tagger knows PolNeAR's cues beyond them ("took aim at") and
its sources beyond the parse's subject. Each reading is described by its head word (lemma,
part of speech, dependency), its length, where it lies against the content, whether it lies
above or below the other reading in the parse, the rule that made the attribution; the
weights live in the boundary model's table (``bounds.json``, features ``cue:`` and
``source:``), trained by :func:`saywho.learn.fit_boundaries` with the same softmax
(:func:`saywho.bounds.train`). A model without those weights keeps the rules' reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from spacy.tokens import Span

from saywho.bounds import BoundsModel, Decision, best
from saywho.cues import is_cue_verb
from saywho.evaluate import GoldDocument, match_overlap, normalise, polnear_spans

SpanList = list[tuple[int, int]]

#: The roles arbitrated.
ROLES = ("cue", "source")


@dataclass
class Choice:
    """The two readings of one role of one attribution: the rules' (option 0) and the
    tagger's (option 1), in article character offsets, with the features of each."""

    role: str
    content: SpanList
    #: The attribution's cue and source as the rules read them (for the conversion of a
    #: reading to PolNeAR's convention in training).
    cue: SpanList
    speaker: SpanList
    options: tuple[SpanList, SpanList]
    decision: Decision


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2-3" if n <= 3 else "4-7" if n <= 7 else "8+"


def _features(role: str, rule: str, content: SpanList, mine: Span, other: Span, base: int, text: str) -> list[str]:
    root = mine.root
    out = [
        "bias", f"lemma={root.lemma_.lower()}", f"pos={root.pos_}", f"dep={root.dep_}",
        f"len={_bucket(len(mine))}", f"rule={rule}",
    ]
    if role == "cue":
        out.append(f"cue_verb={is_cue_verb(root)}")
    else:
        out += [f"ent={root.ent_type_}", f"first={mine[0].lower_}"]
    start, end = base + mine.start_char, base + mine.end_char
    if end <= content[0][0]:
        out += ["at=before", f"gap={_bucket(len(text[end : content[0][0]].split()))}"]
    elif start >= content[-1][1]:
        out += ["at=after", f"gap={_bucket(len(text[content[-1][1] : start].split()))}"]
    else:
        out.append("at=inside")
    if mine.start < other.end and other.start < mine.end:
        relation = "overlap"
    elif other.root in root.subtree:
        relation = "above"
    elif root in other.root.subtree:
        relation = "below"
    else:
        relation = "apart"
    out += [f"relation={relation}", f"longer={len(mine) > len(other)}"]
    return out


def choice(
    role: str,
    rule: str,
    content: SpanList,
    cue: SpanList,
    speaker: SpanList,
    rules: Span,
    tagger: Span,
    base: int,
    text: str,
    keep: int = 0,
) -> Choice:
    """The choice between the rules' reading ``rules`` (option 0) and the tagger's
    ``tagger`` (option 1), two Spans of one chunk Doc at character offset ``base`` of the
    article ``text``, of ``role``; ``keep``: the attribution's own reading, which stands on a
    tie. (The article's text, not the Doc's: spaCy rebuilds ``Doc.text`` on every access.)"""
    features = [
        [f"{role}:{who}:{f}" for f in _features(role, rule, content, mine, other, base, text)]
        for who, mine, other in (("R", rules, tagger), ("T", tagger, rules))
    ]
    options = tuple([(base + s.start_char, base + s.end_char)] for s in (rules, tagger))
    return Choice(role, content, cue, speaker, options, Decision(role, keep, [0, 1], features))  # type: ignore[arg-type]


def arbiter_weights(model: BoundsModel) -> BoundsModel:
    """The arbiter's part of a weight table that also holds the boundary model's."""
    return BoundsModel({k: v for k, v in model.weights.items() if k.split(":", 1)[0] in ROLES})


def pick(model: BoundsModel, found: Choice) -> int:
    """0 for the rules' reading, 1 for the tagger's; the attribution's own on a tie."""
    return best(model, found.decision)


def training_examples(gold: GoldDocument, choices: Sequence[Choice]) -> list[tuple[Decision, int]]:
    """The choices of the article ``gold`` where exactly one reading, put in PolNeAR's
    convention, equals the gold attribution's (matched by content overlap), with its index."""
    text = gold.text
    golds = [a for a in gold.attributions if a.content]
    out = []
    for role in ROLES:
        mine = [c for c in choices if c.role == role]
        for gi, ci in match_overlap([a.content for a in golds], [c.content for c in mine]):
            found = mine[ci]
            wanted = golds[gi].cue if role == "cue" else golds[gi].source
            if not wanted:
                continue
            target = normalise(text, wanted)
            right = []
            for option in found.options:
                cue, speaker = (option, found.speaker) if role == "cue" else (found.cue, option)
                _, cue, speaker = polnear_spans(text, found.content, cue, speaker)
                right.append(normalise(text, cue if role == "cue" else speaker) == target)
            if right.count(True) == 1:
                out.append((found.decision, right.index(True)))
    return out
