"""The analysis core: text in, ``Document`` out. Pure: no I/O, no printing.

Stages, each in its own module: quotation marks (quotes), cue words (cues), speaker
mentions, source types, anonymity and channels (speakers), entity resolution (resolve).
This module parses the text with spaCy and assembles the attributions.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from saywho import __version__
from saywho.cues import CUE_PREFIX_WORDS, DOCUMENT_NOUNS, OBJECT_VERBS, PREPOSITION_VERBS, SPEECH_VERBS, XCOMP_VERBS, according_to, is_cue_verb, verb_cue
from saywho.model import (
    Attribution, Document, Kind, Resolution, SourceType, document_id, holds, nesting, overlap, trim_spans,
)
from saywho.bounds import REPORTED, Boundable, BoundsModel, hints_for, refine_all, skippable
from saywho.arbiter import Choice, choice, pick
from saywho.quotes import DOUBLE_QUOTE_CHARS, OPENING_MARKS, QUOTE_CHARS, Quote, find_quotes
from saywho.resolve import Cluster, EntityIndex
from saywho.speakers import (
    INSTITUTION_NOUNS,
    PERSON_NOUNS,
    VAGUE_WORDS,
    Mention,
    anonymity_reason,
    find_channels,
    mention_for,
    preceding_noun_phrase,
    relative_antecedent,
    source_type_of,
    subject_of,
)

# Nouns of offices, institutions and media that can be a source on their own ("the minister
# said", "the committee found").
ROLE_NOUNS = INSTITUTION_NOUNS | frozenset(
    """
    president chairman chairwoman chair secretary governor mayor director chief head
    candidate nominee commissioner ambassador king queen premier chancellor judge justice
    sheriff captain general founder owner author editor host anchor reporter correspondent
    columnist writer historian manager partner leader speaker whip senator congressman
    congresswoman delegate trustee superintendent principal coach rabbi pastor bishop
    """.split()
)
# The nouns outside the other lists that head five or more PolNeAR train sources, less event
# nouns ("the plan calls for"): the bundled example does not count "the president's push for
# arms production" as a source. `bench/source_nouns.py` finds them again in the data.
TRAIN_SOURCE_NOUNS = frozenset(
    """
    ally majority average one advocate polling conservative datum medium rival law
    businessman wife half crowd none state camp third progressive side family account
    audience country outlet attendee hopeful mogul neurosurgeon superdelegate actress figure
    leadership base rule fan evidence republican district staff summary
    """.split()
)
# Nouns that can be a source on their own ("the minister said", "the report found").
SPEAKING_NOUNS = PERSON_NOUNS | VAGUE_WORDS | DOCUMENT_NOUNS | ROLE_NOUNS | TRAIN_SOURCE_NOUNS

# spaCy's parser is trained on sentences, not books: long articles are parsed in chunks cut
# at paragraph breaks, which also bounds memory for very large inputs.
CHUNK_CHARS = 100_000
# The start of each line that has text on it.
PARAGRAPH = re.compile(r"^[^\S\n]*\S", re.MULTILINE)
# "Trump: ...", "Q: ...", "JAKE TAPPER: ...": a line opening with a short name and a colon.
SPEAKER_LABEL = re.compile(
    r"^[^\S\n]*(?P<name>[A-Z][\w.'’-]*(?:[^\S\n]+[A-Z][\w.'’-]*){0,4})[^\S\n]*(?P<colon>:)[^\S\n]+(?=\S)",
    re.MULTILINE,
)
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# Line labels that are not speakers.
NOT_SPEAKERS = frozenset(
    "note update updated related photo photos image video watch read see listen caption editor "
    "correction advertisement source sources credit via tags share subscribe follow contact "
    "email tel phone fax web website url date time location where when what why how who".split()
)
# "“...” ― Name": the dash that signs a quote, then the name.
DASH_BYLINE = re.compile(r"[ \t\u00a0]*([―—–])[ \t\u00a0]*(?=[A-Z])")
# How far (characters) a quote without a cue may be from the attribution it continues.
CONTINUATION_REACH = 2_000

if TYPE_CHECKING:
    from saywho.learn import Learned


def split_chunks(text: str, max_chars: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Cut text into [start, end) chunks of at most ``max_chars``, at line breaks if possible,
    else at a space, else anywhere. Chunks cover the text exactly, in order."""
    chunks = []
    start, n = 0, len(text)
    while start < n:
        end = min(start + max_chars, n)
        if end < n:
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut + 1
        chunks.append((start, end))
        start = end
    return chunks


#: A content's leading complementizer, which saywho leaves out of the content.
_COMPLEMENTIZER = re.compile(r"that\s+", re.IGNORECASE)
#: A colon and an opening quotation mark right after a cue: it introduces that quotation.
_COLON_QUOTE = re.compile(rf"[^\S\n]*:[^\S\n]*[{re.escape(OPENING_MARKS)}]")
# "who requested anonymity", "spoke on condition of anonymity": how a source is described, not
# what it said (PolNeAR train: 27 of 32 mentions of anonymity are no content).
_ANONYMITY_REQUEST = re.compile(r"(?:(?:the\s+)?condition\s+of\s+)?anonymity\b", re.IGNORECASE)


#: Object verbs whose object is the content even when it is a name.
_STANCE_VERBS = frozenset(
    "support oppose endorse back criticize criticise praise blame attack condemn defend denounce".split()
)
_AGENT_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent")


def _speaker_like(span) -> bool:
    """Whether a source span can speak: a name, a pronoun, or a noun that names a person,
    group, institution or document (not "the president's push for arms production")."""
    root = span.root
    lemma = root.lemma_.lower()
    if root.pos_ in ("PROPN", "PRON") or root.ent_type_ or lemma in SPEAKING_NOUNS:
        return True
    # Nouns of people by their ending ("organizer", "investor", "lobbyist", "politician",
    # "opponent") and names the tagger took for nouns ("Trump"): on PolNeAR train, 212 of
    # the 275 attributions they would add are true.
    return root.pos_ == "NOUN" and (
        lemma.endswith(_AGENT_SUFFIXES) or (root.text[:1].isupper() and not root.is_sent_start)
    )


class _LeftOut(Exception):
    """A learned attribution saywho leaves out; the message says why."""


@dataclass
class _Draft:
    """An attribution being assembled, before ids and texts are filled in."""

    kind: Kind
    content: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    rule: str
    confidence: float
    speaker: Mention | None = None
    speaker_base: int = 0
    cue_token: Token | None = None
    base: int = 0
    cluster: Cluster | None = None
    resolution: Resolution | None = None
    source_type: SourceType = SourceType.UNKNOWN
    anonymity: tuple[str, tuple[int, int]] | None = None
    channel: tuple[str, tuple[int, int]] | None = None
    continues: "_Draft | None" = None
    quotes: list[Quote] = field(default_factory=list)
    #: Other readings of the content (for a learned attribution, the rules' reading of its
    #: cue), which the boundary model takes as hints.
    hints: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def end(self) -> int:
        return max(e for _, e in self.content + self.cue)


class _Article:
    """Everything known about one article while its attributions are assembled."""

    def __init__(self, text: str, chunks: list[tuple[Doc, int]]) -> None:
        self.text = text
        self.chunks = chunks
        quotes = find_quotes(text)
        self.quotations = [q for q in quotes if q.kind == "quotation" and q.depth == 0]
        self.terms = [(q.start, q.end) for q in quotes if q.kind == "term"]
        self._quote_starts = [q.start for q in self.quotations]
        self._quote_ends = [q.end for q in self.quotations]
        # A paragraph is a line with text on it; blank lines separate, they do not count.
        self.paragraph_starts = [m.start() for m in PARAGRAPH.finditer(text)] or [0]
        # Where a verb's content may lie: its paragraph, whose lines may wrap, and the next
        # one after a colon (see paragraph_reaches).
        self.reaches = paragraph_reaches(text)
        self._reach_starts = [start for start, _ in self.reaches]
        self.sentence_starts: list[int] = []
        for doc, base in chunks:
            self.sentence_starts.extend(base + s.start_char for s in doc.sents)
        self.entities = EntityIndex(chunks, excluded=self.terms)

    def reach_of(self, position: int) -> tuple[int, int]:
        """(start, end) of the text a reporting verb at ``position`` may take content from."""
        return self.reaches[max(0, bisect.bisect_right(self._reach_starts, position) - 1)]

    def paragraph_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.paragraph_starts, position) - 1)

    def sentence_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, position) - 1)

    def quotation_at(self, position: int) -> Quote | None:
        """The quotation whose content holds ``position``."""
        i = bisect.bisect_right(self._quote_starts, position) - 1
        if i >= 0 and self.quotations[i].start <= position < self.quotations[i].end:
            return self.quotations[i]
        return None

    def quotations_overlapping(self, start: int, end: int) -> list[Quote]:
        """Top-level quotations sharing characters with [start, end). They do not overlap
        one another, so their ends are sorted like their starts: two bisections."""
        first = bisect.bisect_right(self._quote_ends, start)
        last = bisect.bisect_left(self._quote_starts, end)
        return self.quotations[first:last]


def _char_spans(doc: Doc, indices: Iterable[int], base: int) -> list[tuple[int, int]]:
    """Character spans of runs of consecutive token indices, trimmed of punctuation."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    spans = []
    for run in runs:
        while run and skippable(doc[run[0]]):
            run.pop(0)
        while run and skippable(doc[run[-1]]):
            run.pop()
        if run:
            first, last = doc[run[0]], doc[run[-1]]
            start, end = first.idx, last.idx + len(last)
            # A quote mark glued to a word ('"We') is not content either. (Doc.text is
            # rebuilt on every access: read the characters from the tokens instead.)
            if first.text[0] in QUOTE_CHARS:
                start += len(first.text) - len(first.text.lstrip(QUOTE_CHARS))
            if last.text[-1] in QUOTE_CHARS:
                end -= len(last.text) - len(last.text.rstrip(QUOTE_CHARS))
            if start < end:
                spans.append((base + start, base + end))
    return spans


def _clause_tokens(head: Token, exclude: set[int] = frozenset()) -> list[int]:
    """Token indices of a clause, without its leading complementizer ("that")."""
    indices = [t.i for t in head.subtree if t.i not in exclude]
    doc = head.doc
    while indices and doc[indices[0]].dep_ == "mark" and doc[indices[0]].lower_ in ("that", "whether", "if"):
        if doc[indices[0]].lower_ != "that":
            break
        indices.pop(0)
    return indices


def _content_tokens(verb: Token, exclude: set[int]) -> tuple[list[int], str]:
    """Token indices of the content of a reporting verb, and the rule name; no tokens when
    the verb has no content the rules recognise."""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    for child in children:
        if child.dep_ == "ccomp":
            return _clause_tokens(child, exclude), "ccomp"
    if lemma in XCOMP_VERBS:
        for child in children:
            if child.dep_ == "xcomp" and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
                # "urged Trump to make the debate a game-changer": PolNeAR's content takes in
                # the object (train: content exact 45.6 -> 45.8, dev 51.6 -> 51.7).
                objects = [c for c in children if c.dep_ == "dobj" and c.i < child.i]
                tokens = _clause_tokens(objects[0], exclude) if objects else []
                return sorted(tokens + _clause_tokens(child, exclude)), "xcomp"
    if lemma in OBJECT_VERBS:
        objects = [c for c in children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN", "PRON")]
        predicates = [c for c in children if c.dep_ == "oprd"]
        if objects and predicates:
            # "called the charges unsubstantiated": the object and what it is called.
            tokens = _clause_tokens(objects[0], exclude) + _clause_tokens(predicates[0], exclude)
            return sorted(tokens), "object-predicate"
        # A name as object is an addressee or a target ("told Reuters", "cited Smith"), not
        # content, except for a stance toward it ("supports Clinton": PolNeAR train, rules
        # alone, attribution F1 67.7 -> 68.4 with "back" among the stance verbs).
        if objects and objects[0].pos_ != "PRON" and (not objects[0].ent_type_ or lemma in _STANCE_VERBS):
            return _clause_tokens(objects[0], exclude), "object"
    if lemma in PREPOSITION_VERBS:
        for child in children:
            if child.dep_ == "prep" and child.lower_ in PREPOSITION_VERBS[lemma]:
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects:
                    return _clause_tokens(objects[0], exclude), "prep-object"
    if verb.dep_ == "parataxis" and lemma in SPEECH_VERBS and verb.head.pos_ in ("VERB", "AUX"):
        # "Climate change, Mr. Obama often says, is the greatest threat": the sentence
        # around the parenthetical cue is the content.
        inner = exclude | {t.i for t in verb.subtree}
        return _clause_tokens(verb.head, inner), "parenthetical"
    return [], ""


#: A blank line: the paragraph break of news text (a single line break may only wrap a line).
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def text_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of ``text`` that blank lines part, in order: all of it but
    the blank lines."""
    blocks, start = [], 0
    for blank in _BLANK_LINE.finditer(text):
        blocks.append((start, blank.start()))
        start = blank.end()
    blocks.append((start, len(text)))
    return blocks


def paragraph_reaches(text: str) -> list[tuple[int, int]]:
    """For each block of ``text`` (see :func:`text_blocks`), in order, the (start, end) a
    reporting verb in it may take its content from: the block, and the next one too where it
    ends with a colon ("He said:" and the quote below). The parse can run a sentence over a
    blank line: a quotation that closed one paragraph became the content of the next one's
    "Ham explained why he backs Trump"."""
    blocks = text_blocks(text)
    reaches = []
    for i, (start, end) in enumerate(blocks):
        if i + 1 < len(blocks) and text[start:end].rstrip().endswith(":"):
            end = blocks[i + 1][1]
        reaches.append((start, end))
    return reaches


def _named_apposition(head: Token) -> Token:
    """A noun that cannot speak with a person's name in apposition is a misparse: "With 50
    days until the election, Minyon Moore, a senior adviser, called ..." -> Moore."""
    if head.pos_ != "NOUN" or head.ent_type_ or head.lemma_.lower() in SPEAKING_NOUNS:
        return head
    for child in head.rights:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON":
            return child
    return head


def _finite(verb: Token) -> bool:
    """A finite verb, or one with an auxiliary ("is expected"), not a bare participle."""
    return verb.tag_ in ("VBD", "VBZ", "VBP", "MD") or any(c.dep_ in ("aux", "auxpass") for c in verb.children)


_BRACKETS = {")": "(", "]": "["}


def _before_verb(token: Token) -> bool:
    """Whether ``token`` is a word PolNeAR's cue takes in before its verb and saywho's does
    not: an auxiliary, a negation, an adverb such as "also" ("has also said")."""
    return token.lower_ in CUE_PREFIX_WORDS or token.dep_ in ("aux", "auxpass", "neg")


def _closes_bracket(span: Span) -> bool:
    """Whether ``span`` ends with a closing bracket whose opening bracket it holds."""
    opening = _BRACKETS.get(span[-1].text)
    return opening is not None and any(t.text == opening for t in span[:-1])


def _mute_subject(cue: Token, content: Span) -> bool:
    """Whether ``cue`` has a subject outside ``content`` that cannot speak ("the recent import
    of weapons suggests ...", "the accord is expected to be ratified"): without a source, that
    is the writer's inference from evidence, not an attribution."""
    subject = subject_of(cue)
    if subject is None or (content.doc is cue.doc and content.start <= subject.i < content.end):
        return False
    return not _speaker_like(subject.doc[subject.left_edge.i : subject.i + 1])


def _learned_mention(span) -> Mention:
    """The mention of a learned source span; a lone relative pronoun ("one defense expert,
    who requested anonymity") stands for its antecedent, as in the rules."""
    if len(span) == 1:
        antecedent = relative_antecedent(span[0], span[0].head)
        if antecedent is not None:
            return mention_for(antecedent, cue=span[0].head)
    return Mention(head=span.root, start=span.start, end=span.end)


def _speaker_of(verb: Token) -> tuple[Mention | None, str]:
    subject = subject_of(verb)
    if subject is not None:
        if subject.dep_ == "nsubjpass":
            return None, ""
        antecedent = relative_antecedent(subject, verb)
        if antecedent is not None:
            return mention_for(antecedent, cue=verb), "relative"
        return mention_for(_named_apposition(subject), cue=verb), "subject"
    head = preceding_noun_phrase(verb)
    if head is not None:
        return mention_for(head, cue=verb), "preceding"
    return None, ""


class _Assembler:
    """The drafts of one article's attributions as the readers propose them. ``model_first``:
    the learned model's attributions replace the rules' (the accurate mode; see
    :meth:`from_learned`) and keep their own edges."""

    def __init__(self, article: _Article, *, model_first: bool = False) -> None:
        self.article = article
        self.model_first = model_first
        self.drafts: list[_Draft] = []
        self.claimed: set[int] = set()  # ids of quotations already used as content
        self.used_cues: set[int] = set()  # character offsets of cue tokens used
        self.learned_quoted: list[Attribution] = []  # see from_learned

    # -- attributions from cue words --------------------------------------------------------

    def from_cues(self, doc: Doc, base: int) -> None:
        article = self.article
        for token in doc:
            if not is_cue_verb(token):
                continue
            position = base + token.idx
            if article.quotation_at(position) is not None:
                continue  # the speaker's own words: "I think", "we know"
            if any(c.dep_ == "auxpass" for c in token.children):
                continue  # "is expected to", "was told": the subject is not the source
            speaker, speaker_rule = _speaker_of(token)
            if speaker is None:
                continue
            cue = verb_cue(token)
            draft = _Draft(
                kind=Kind.INDIRECT,
                content=[],
                cue=[cue.char_span(base)],
                rule="verb",
                confidence=0.8 if speaker_rule != "preceding" else 0.65,
                speaker=speaker,
                speaker_base=base,
                cue_token=token,
                base=base,
            )
            # The speaker and cue are never content, even when the parse puts them
            # inside the content clause ("'You winning?' she said, but ...").
            exclude = set(range(speaker.start, speaker.end)) | set(range(cue.start, cue.end))
            tokens, rule = _content_tokens(token, exclude)
            reach_start, reach_end = article.reach_of(base + token.idx)
            tokens = [t for t in tokens if reach_start <= base + doc[t].idx < reach_end]
            if tokens:
                draft.rule = f"verb-{rule}"
                draft.content = _char_spans(doc, tokens, base)
                if rule not in ("ccomp", "parenthetical"):
                    draft.confidence -= 0.15
            if draft.content:
                self._settle_quotes(draft)
            self.drafts.append(draft)

    def from_according_to(self, doc: Doc, base: int) -> None:
        for according, to in according_to(doc):
            if self.article.quotation_at(base + according.idx) is not None:
                continue
            sources = [c for c in to.children if c.dep_ == "pobj"] or [
                c for c in according.children if c.dep_ == "pobj"
            ]
            if not sources:
                continue
            clause = according.head
            while clause.dep_ not in ("ROOT", "ccomp", "conj") and clause.head.i != clause.i:
                clause = clause.head
            exclude = {t.i for t in according.subtree} | {to.i}
            content = _char_spans(doc, [t.i for t in clause.subtree if t.i not in exclude], base)
            if not content:
                continue
            draft = _Draft(
                kind=Kind.INDIRECT,
                content=content,
                cue=[(base + according.idx, base + to.idx + len(to))],
                rule="according-to",
                confidence=0.85,
                speaker=mention_for(sources[0]),
                speaker_base=base,
                cue_token=according,
                base=base,
            )
            self._settle_quotes(draft)
            self.drafts.append(draft)

    def _with_earlier_paragraphs(self, quotes: list[Quote]) -> list[Quote]:
        """A quote that continues an unclosed quote of the previous paragraph brings that
        paragraph's part along (a long quote over several paragraphs)."""
        quotations = self.article.quotations
        out = list(quotes)
        first = quotes[0]
        i = quotations.index(first)
        while first.continued and i > 0 and not quotations[i - 1].closed and id(quotations[i - 1]) not in self.claimed:
            i -= 1
            first = quotations[i]
            out.insert(0, first)
        return out

    def _claim(self, draft: _Draft, quotes: list[Quote], *, whole: bool = True) -> None:
        """The quotations are ``draft``'s; with ``whole``, its content becomes them."""
        quotes = self._with_earlier_paragraphs(quotes)
        if whole:
            draft.content = [(q.start, q.end) for q in quotes]
        draft.quotes = quotes
        for q in quotes:
            self.claimed.add(id(q))

    def _settle_quotes(self, draft: _Draft) -> None:
        """Direct when the content lies inside quotation marks (then the content is the
        whole quotation), mixed when only part of it is quoted. The accurate model's content
        keeps its own edges inside the quotation ("WALLACE: | Let's start ..." in a quoted
        transcript line, one paragraph of a quotation that runs on): taking the whole
        quotation lowered its PolNeAR dev exact content (MPNet 68.6 -> 68.1, MiniLM 61.3 ->
        61.1); the CPU model's are left as they were, which its boundary model learned."""
        start, end = draft.content[0][0], draft.content[-1][1]
        quotes = [q for q in self.article.quotations_overlapping(start, end) if id(q) not in self.claimed]
        if not quotes:
            return
        text = self.article.text
        quoted = sum(min(end, q.end) - max(start, q.start) for q in quotes)
        unquoted = sum(1 for c in text[start:end] if c.isalpha()) - sum(
            1 for q in quotes for c in text[max(start, q.start) : min(end, q.end)] if c.isalpha()
        )
        if unquoted <= 3 or quoted >= 0.9 * (end - start):
            draft.kind = Kind.DIRECT
            self._claim(draft, quotes, whole=not self._accurate(draft))
            draft.rule = draft.rule.replace("verb", "quote-verb", 1)
            draft.confidence = max(draft.confidence, 0.9)
        else:
            draft.kind = Kind.MIXED

    # -- attributions of the learned model ---------------------------------------------

    def from_learned(self, predicted: Document) -> None:
        """Take in the learned model's attributions. Rules first (``model_first`` false, the
        default CPU model): add only what the rules missed, an attribution with a cue and a
        source that can speak, or with no source at all and a finite cue ("it is expected
        that"), and the statements it reads where the rules read one
        (:meth:`_split_by_learned`); one over a quotation waits for :meth:`from_learned_quoted`,
        after the rules have had the quotes. Model first (the accurate mode): the model's
        attribution replaces the rules' that share content with it, unless one of them is a
        direct quote (that waits as above), and the quotations inside its content are its own.

        Measured on PolNeAR dev and the bundled example before choosing: with the CPU model,
        replacing the rules' attributions lowered exact content (48.2 against 50.7);
        additions without a cue, with a source that cannot speak ("the recent import of the
        latest nuclear weapons ... suggests") or without a source and with a participle as
        cue ("the system, expected to enter combat duty") put false attributions into the
        bundled example; asking for a clause as content cost 3.2 points of attribution F1 on
        dev for nothing there. The accurate model is better than the rules on every role, so
        it replaces them. Its attributions over quotations used to wait like the CPU model's:
        letting them replace the rules' (but for direct quotes) and own the quotations inside
        them raised its PolNeAR dev exact source / cue / content from 76.0 / 73.1 / 59.8 to
        77.0 / 73.9 / 61.0 (fp32 model; attribution 85.8 -> 86.4; pairs of attributions
        sharing content 79 -> 16). Replacing the rules' direct quotes as well scored lower
        (source and content, by 0.5 with an earlier scorer), and the bundled example lost three
        of its 11 attributions (the model joins reported speech and the quote after it)."""
        quotations = [(q.start, q.end) for q in self.article.quotations]
        model_first = self.model_first
        if not model_first:
            self._split_by_learned(predicted)
        for attribution in predicted.attributions:
            if not (attribution.content and (attribution.cue or model_first)):
                continue
            overlapping = [d for d in self.drafts if overlap(d.content, attribution.content)]
            if model_first and not any(d.kind == Kind.DIRECT for d in overlapping):
                for draft in self._replace(overlapping, [attribution], cautious=False):
                    self._keep_rules_source(draft, overlapping)
                    # The quotations inside a mixed content are the model's too: no rule
                    # reads them again as statements or continuations of their own.
                    start, end = draft.content[0][0], draft.content[-1][1]
                    self.claimed.update(id(q) for q in self.article.quotations_overlapping(start, end))
            elif overlap(quotations, attribution.content):
                self.learned_quoted.append(attribution)
            elif not overlapping:
                self._replace([], [attribution], cautious=True)

    def _accurate(self, draft: _Draft) -> bool:
        """Whether ``draft`` is the accurate model's reading (model first), which keeps its
        own edges and has no continuations made for it."""
        return self.model_first and draft.rule == "learned"

    def _keep_rules_source(self, draft: _Draft, replaced: Sequence[_Draft]) -> None:
        """Where the model read no source for a cue whose source the rules read ("the head
        of state underscored that ..."), the rules' source stays with the model's reading.
        Neutral on PolNeAR dev (MPNet and MiniLM to 0.1); it keeps the bundled example's
        source for that sentence once the MiniLM reading replaces the rules' there."""
        if draft.speaker is not None or not draft.cue:
            return
        for old in replaced:
            if old.speaker is not None and overlap(old.cue, draft.cue):
                draft.speaker, draft.speaker_base = old.speaker, old.speaker_base
                return

    def _split_by_learned(self, predicted: Document) -> None:
        """Where the learned model reads two or more statements with cues in what the rules
        took for one reported content ("said it was opposed to the test and warned North
        Korea to refrain ..."), its statements replace the rules' attribution, and any other
        attribution of the rules over them (the rules' reading of "warned" inside the first
        content). Direct quotations stay the rules'. All or nothing: where one of the
        model's statements is left out (see :meth:`_learned_draft`), the rules' reading stays.

        Measured without the boundary model, which learned from it afterwards: PolNeAR dev
        exact source / cue / content 73.6 / 70.8 / 53.7 -> 73.9 / 71.4 / 54.2, attribution
        80.7 -> 81.2; train read by taggers that had not seen it 68.9 / 66.6 / 49.8 -> 69.2 /
        66.8 / 50.4, attribution 77.5 -> 77.9."""
        taken: set[int] = set()  # ids of the model's attributions already used
        for draft in list(self.drafts):
            if draft.kind == Kind.DIRECT or draft not in self.drafts:
                continue
            parts = [
                a
                for a in predicted.attributions
                if a.cue and a.content and id(a) not in taken and overlap(draft.content, a.content)
            ]
            if len(parts) < 2:
                continue
            replaced = [d for d in self.drafts if d is draft or any(overlap(d.content, a.content) for a in parts)]
            if self._replace(replaced, parts, cautious=True):
                taken.update(id(a) for a in parts)

    def _replace(self, replaced: list[_Draft], parts: Sequence[Attribution], *, cautious: bool) -> list[_Draft]:
        """Put drafts of the learned ``parts`` in the place of the drafts ``replaced``, whose
        quotations are free again for the model's statements, and return them. All or
        nothing: where one of ``parts`` is left out (see :meth:`_learned_draft`), nothing
        changes and none is returned."""
        claimed = set(self.claimed)
        for d in replaced:
            self.claimed.difference_update(id(q) for q in d.quotes)
        try:
            replacements = [self._learned_draft(a, cautious=cautious) for a in parts]
        except _LeftOut:
            self.claimed = claimed
            return []
        self.drafts = [d for d in self.drafts if d not in replaced] + replacements
        return replacements

    def from_learned_quoted(self) -> None:
        """The learned attributions over quotations that no attribution of the rules took."""
        for attribution in self.learned_quoted:
            if any(overlap(d.content, attribution.content) for d in self.drafts):
                continue
            try:
                self.drafts.append(self._learned_draft(attribution, cautious=False))
            except _LeftOut:
                continue
        self.drafts.sort(key=lambda d: d.start)

    def _learned_draft(self, attribution: Attribution, *, cautious: bool) -> _Draft:
        """A draft of a learned attribution in saywho's span convention. Raises
        :class:`_LeftOut` where its spans do not fall on the article's tokens, where its
        content has no words or is a request for anonymity, where it has no source and no finite cue or a
        subject that cannot speak, or (``cautious``) where its source cannot speak."""
        content = self._span_at(*attribution.content[0])
        if content is None:
            raise _LeftOut("its content is not on the article's tokens")
        if _ANONYMITY_REQUEST.match(self.article.text, *attribution.content[0]):
            raise _LeftOut("its content is a request for anonymity, which describes the source")
        if not any(c.isalnum() for s, e in attribution.content for c in self.article.text[s:e]):
            raise _LeftOut("its content has no words")  # a quotation mark alone: '«Yes», said Tom'
        mention, base = None, 0
        if not attribution.speaker:
            # No source ("It is expected that ..."): only with a finite cue, not a participle
            # that modifies something else ("the system, expected to enter service").
            cue = self._span_at(*attribution.cue[0]) if attribution.cue else None
            if cue is None or not _finite(cue[2].root):
                raise _LeftOut("it has no source and no finite cue")
            if _mute_subject(cue[2].root, content[2]):
                raise _LeftOut("it has no source, and its cue's subject cannot speak")
        else:
            base, span = self._learned_source(attribution)
            if cautious and not _speaker_like(span):
                raise _LeftOut("its source cannot speak")
            mention = _learned_mention(span)
        draft = _Draft(
            kind=Kind.INDIRECT,
            content=list(attribution.content),
            cue=[],
            rule="learned",
            confidence=0.6 if mention else 0.5,
            speaker=mention,
            speaker_base=base,
            base=content[1],
        )
        self._take_boundaries(draft, attribution)
        return draft

    def _learned_source(self, attribution: Attribution) -> tuple[int, Span]:
        """(chunk offset, Span) of the learned attribution's source, its edge punctuation
        trimmed. Raises :class:`_LeftOut` where it does not fall on the article's tokens."""
        speaker = self._span_at(*attribution.speaker[0])
        if speaker is None:
            raise _LeftOut("its source is not on the article's tokens")
        _, base, span = speaker
        # "one defense expert," -> "one defense expert": the model's edges may take
        # punctuation; a closing bracket stays with its opening one ("Harry Reid (D-Nev.)").
        while len(span) > 1 and (span[-1].is_punct or span[-1].is_space) and not _closes_bracket(span):
            span = span[:-1]
        while len(span) > 1 and (span[0].is_punct or span[0].is_space):
            span = span[1:]
        return base, span

    def _learned_cue(self, attribution: Attribution) -> tuple[int, Span, Span] | None:
        """(chunk offset, Span in saywho's convention, Span as the model read it) of the
        learned attribution's cue: saywho's is without the auxiliaries and adverbs PolNeAR's
        takes in ("has also said" -> "said"). None where it has no cue on the article's tokens."""
        located = self._span_at(*attribution.cue[0]) if attribution.cue else None
        if located is None:
            return None
        _, base, read = located
        span = read
        while len(span) > 1 and _before_verb(span[0]) and (span[0].whitespace_ or _before_verb(span[1])):
            # Not a piece of a word: "long" of "long-standing"; "were" of "weren't" is.
            span = span[1:]
        return base, span, read

    def _take_boundaries(self, draft: _Draft, attribution: Attribution) -> None:
        """The learned attribution's content and cue on ``draft``, in saywho's convention:
        the model learned PolNeAR's, whose content starts with "that" and whose cue takes in
        auxiliaries and adverbs ("has also said")."""
        located = self._learned_cue(attribution)
        if located is not None:
            base, trimmed, span = located
            draft.cue = [(base + trimmed.start_char, base + trimmed.end_char)]
            draft.cue_token = span.root
            if draft.speaker is not None:
                # The rules' reading of the same cue: a hint for the boundary model.
                mention = draft.speaker
                exclude = set(range(mention.start, mention.end)) | {t.i for t in span}
                reading = _char_spans(span.doc, _content_tokens(span.root, exclude)[0], base)
                if reading:
                    draft.hints = [reading]
        content = list(attribution.content)
        start, end = content[0]
        after = _COMPLEMENTIZER.match(self.article.text, start, end)
        if after and after.end() < end:
            content[0] = (after.end(), end)
        draft.content = content
        self._settle_quotes(draft)

    def from_speaker_labels(self) -> None:
        """A line that opens with a name and a colon ("Trump: 'We are going to win.'", "Q: ...",
        "JAKE TAPPER: ..."): the name said the rest of the line, as in headlines, transcripts
        and interviews. Only where no attribution holds any of the line yet."""
        text = self.article.text
        for match in SPEAKER_LABEL.finditer(text):
            words = match.group("name").split()
            if words[0].lower() in NOT_SPEAKERS or any(w[-2:] in ("'s", "’s") for w in words):
                continue
            name = self._span_at(*match.span("name"))
            if name is None:
                continue
            doc, base, span = name
            if not all(t.pos_ in ("PROPN", "NOUN") or t.ent_type_ or t.is_upper for t in span):
                continue
            start = match.end()
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            while end > start and text[end - 1].isspace():
                end -= 1
            # A tally ("Clinton: 547.") or a label ("Iowa: ...") says nothing: three words at least.
            if len(_LETTER_WORD.findall(text, start, end)) < 3:
                continue
            if any(overlap(d.content, [(match.start(), end)]) for d in self.drafts):
                continue
            quote = self.article.quotation_at(start + 1)
            kind, content = Kind.INDIRECT, [(start, end)]
            if quote is not None and quote.start <= start + 1 and quote.end >= end - 2:
                kind, content = Kind.DIRECT, [(quote.start, quote.end)]
            colon = match.start("colon")
            draft = _Draft(
                kind=kind, content=content, cue=[(colon, colon + 1)], rule="speaker-label", confidence=0.7,
                speaker=Mention(head=span.root, start=span.start, end=span.end), speaker_base=base, base=base,
            )
            if quote is not None and kind == Kind.DIRECT:
                self._claim(draft, [quote])
            self.drafts.append(draft)
        self.drafts.sort(key=lambda d: d.start)

    def boundables(self, alone: Document | None) -> list[tuple[_Draft, Boundable]]:
        """The reported drafts whose contents the boundary model refines (not the accurate
        model's: see :meth:`refine_contents`), with what it reads of them; ``alone``, the
        tagger's own reading, gives hints to the drafts of the rules."""
        return [
            (
                d,
                Boundable(
                    d.content, d.cue, [d.speaker.char_span(d.speaker_base)] if d.speaker else [], d.rule,
                    d.hints + hints_for(d.content, d.rule, alone),
                ),
            )
            for d in self.drafts
            if d.kind in REPORTED and d.content and not self._accurate(d)
        ]

    def choices(self, alone: Document | None) -> list[tuple[_Draft, Choice]]:
        """The choices between the rules' and the tagger's readings (:mod:`saywho.arbiter`):
        for an attribution of the rules that the tagger (``alone``) read as one statement
        with another cue or source, and for the source of one the tagger added, where the
        rules read its cue's subject otherwise."""
        out: list[tuple[_Draft, Choice]] = []
        if alone is None:
            return out
        for draft in self.drafts:
            if not (draft.content and draft.cue and draft.speaker):
                continue
            located = self._span_at(*draft.cue[0])
            if located is None:
                continue
            if draft.rule == "learned":
                found = self._subject_choice(draft, located[2])
                if found is not None:
                    out.append((draft, found))
                continue
            readings = [a for a in alone.attributions if a.content and overlap(a.content, draft.content)]
            # One statement to both readers: a reading over two of the rules' attributions
            # (one inside the other's content) would give the inner one the outer cue.
            if len(readings) != 1 or any(
                d is not draft and overlap(d.content, readings[0].content) for d in self.drafts
            ):
                continue
            speaker = draft.speaker
            cue_read = self._learned_cue(readings[0])
            source_read = None
            if readings[0].speaker:
                try:
                    source_read = self._learned_source(readings[0])[1]
                except _LeftOut:
                    pass
            # Per role: the rules' reading, its chunk offset, the tagger's reading.
            pairs = {
                "cue": (located[2], located[1], cue_read[1] if cue_read else None),
                "source": (speaker.head.doc[speaker.start : speaker.end], draft.speaker_base, source_read),
            }
            speaker_spans = [speaker.char_span(draft.speaker_base)]
            for role, (ours, base, theirs) in pairs.items():
                if theirs is None or theirs.doc is not ours.doc or (theirs.start, theirs.end) == (ours.start, ours.end):
                    continue
                out.append((draft, choice(role, draft.rule, draft.content, draft.cue, speaker_spans, ours, theirs, base,
                                          self.article.text)))
        return out

    def _subject_choice(self, draft: _Draft, cue: Span) -> Choice | None:
        """The choice between the source the tagger gave its attribution and the rules'
        reading of its cue's subject, where they differ; the tagger's stands on a tie."""
        token = draft.cue_token
        if token is None or token.doc is not cue.doc:
            return None
        mention, _ = _speaker_of(token)
        speaker = draft.speaker
        if mention is None or (mention.start, mention.end) == (speaker.start, speaker.end) or speaker.head.doc is not token.doc:
            return None
        base = draft.speaker_base
        rules, tagger = token.doc[mention.start : mention.end], token.doc[speaker.start : speaker.end]
        return choice(
            "source", draft.rule, draft.content, draft.cue, [speaker.char_span(base)], rules, tagger, base,
            self.article.text, keep=1,
        )

    def arbitrate(self, model: BoundsModel, alone: Document | None) -> None:
        """Each choice of :meth:`choices` settled by ``model``: the reading it prefers
        replaces the attribution's where they differ."""
        for draft, found in self.choices(alone):
            chosen = pick(model, found)
            if chosen == found.decision.proposed:
                continue
            _, base, span = self._span_at(*found.options[chosen][0])
            if found.role == "cue":
                draft.cue, draft.cue_token = list(found.options[chosen]), span.root
            else:
                draft.speaker, draft.speaker_base = _learned_mention(span), base

    def refine_contents(self, model: BoundsModel, alone: Document | None) -> None:
        """Reported contents with their start and end where the boundary model puts them
        (:mod:`saywho.bounds`); the accurate model's own contents keep the edges it read.
        Its boundary model learned from taggers trained on half of PolNeAR train, weaker
        than the full one: on PolNeAR dev (MPNet's reading replayed, its own bounds.json) it
        took about 21 of the full model's contents to the gold edges and 29 away from them;
        left as read, exact content 69.6 -> 69.8, the rest as it was."""
        found = self.boundables(alone)
        for (draft, _), content in zip(found, refine_all(model, self.article.chunks, [b for _, b in found])):
            draft.content = content

    def _span_at(self, start: int, end: int):
        """(Doc, offset, Span) of the chunk holding [start, end), the span widened to tokens."""
        for doc, base in self.article.chunks:
            if len(doc) and base <= start and end <= base + doc[-1].idx + len(doc[-1].text_with_ws):
                span = doc.char_span(start - base, end - base, alignment_mode="expand")
                return (doc, base, span) if span is not None and len(span) else None
        return None

    # -- quotations without a parsed link to a cue ---------------------------------------

    def from_quotes(self) -> None:
        article = self.article
        # Tokens are views created on access: a cue is known by its character offset.
        pending = {d.cue[0][0]: d for d in self.drafts if not d.content and d.cue}
        owners = {d.cue[0][0]: d for d in self.drafts if d.content and d.cue}
        for quote in article.quotations:
            if id(quote) in self.claimed or quote.end - quote.start < 2:
                continue
            cue_token, cue_base = self._nearby_cue(quote)
            key = cue_base + cue_token.idx if cue_token is not None else None
            if key in pending:
                draft = pending.pop(key)
                draft.kind = Kind.DIRECT
                self._claim(draft, [quote])
                draft.rule = "quote-adjacent-verb"
                draft.confidence = 0.85
                continue
            if key is not None:
                owner = owners.get(key)
                if owner is not None and owner.kind == Kind.DIRECT:
                    # "'We will win,' he said, 'and win big.'": one cue, a quote in two pieces.
                    owner.content = sorted(owner.content + [(quote.start, quote.end)])
                    owner.quotes.append(quote)
                    self.claimed.add(id(quote))
                    continue
                if owner is not None and self._after_colon(quote):
                    # "Prices will rise, Kall said: 'I feel it.'": a second statement, same cue.
                    draft = _Draft(
                        kind=Kind.DIRECT, content=[], cue=owner.cue, rule="quote-after-colon",
                        confidence=0.8, speaker=owner.speaker, speaker_base=owner.speaker_base,
                        cue_token=owner.cue_token, base=owner.base,
                    )
                    self._claim(draft, [quote])
                    self.drafts.append(draft)
                    continue
            byline = self._dash_byline(quote)
            if byline is not None:
                self._claim(byline, [quote])
                self.drafts.append(byline)
        self.drafts = [d for d in self.drafts if d.content]
        self._drop_nested_stances()
        self.drafts.sort(key=lambda d: d.start)
        self._continuations()

    def _drop_nested_stances(self) -> None:
        """"He said he hoped it would work": the belief or plan inside someone's reported
        words is part of what they said, not a second attribution. Speech verbs inside
        reported content ("X said Y told him ...") are kept."""
        contents = [(s, e) for d in self.drafts if d.kind != Kind.DIRECT for s, e in d.content]
        kept = []
        for draft in self.drafts:
            token = draft.cue_token
            nested = (
                draft.kind == Kind.INDIRECT
                and token is not None
                and token.lemma_.lower() not in SPEECH_VERBS
                and holds(contents, draft.cue[0])
            )
            if not nested:
                kept.append(draft)
        self.drafts = kept

    def _continuations(self) -> None:
        article = self.article
        starts = [d.start for d in self.drafts]
        added = []
        for quote in article.quotations:
            if id(quote) in self.claimed or quote.end - quote.start < 2:
                continue
            i = bisect.bisect_left(starts, quote.start) - 1
            # The continuation may also continue an earlier continuation just added.
            candidates = [d for d in added if d.start < quote.start]
            previous = max(
                ([self.drafts[i]] if i >= 0 else []) + candidates, key=lambda d: d.start, default=None
            )
            if previous is None:
                continue
            if quote.open - previous.end > CONTINUATION_REACH:
                continue
            if article.paragraph_of(quote.start) - article.paragraph_of(previous.end) > 1:
                continue
            if not self._opens_sentence(quote):
                continue  # a quoted fragment inside someone's sentence continues nobody
            origin = previous.continues or previous
            if self._accurate(origin):
                # The accurate model read the article whole and left this quotation out of
                # its reading: PolNeAR dev exact content MPNet 69.2 -> 69.6, MiniLM 62.1 -> 62.2.
                continue
            quoted_before = origin.kind in (Kind.DIRECT, Kind.MIXED)
            draft = _Draft(
                kind=Kind.CONTINUATION,
                content=[(quote.start, quote.end)],
                cue=[],
                rule="continuation" if not quote.continued else "continuation-paragraph",
                confidence=0.8 if quoted_before or quote.continued else 0.6,
                continues=origin,
                quotes=[quote],
            )
            self.claimed.add(id(quote))
            added.append(draft)
        self.drafts = sorted(self.drafts + added, key=lambda d: d.start)

    def _after_colon(self, quote: Quote) -> bool:
        return self.article.text[max(0, quote.open - 300) : quote.open].rstrip().endswith(":")

    def _dash_byline(self, quote: Quote) -> _Draft | None:
        """'“We deserve better.” ― Jorge Falcon': a quote signed with a dash and a name."""
        if quote.close is None:
            return None
        text = self.article.text
        match = DASH_BYLINE.match(text, quote.close + 1)
        if match is None:
            return None
        located = self._token_at(match.end())
        if located is None:
            return None
        doc, base, index = located
        end = index
        while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].sent.start == doc[index].sent.start:
            end += 1
        if end == index:
            return None
        mention = Mention(head=doc[end - 1], start=index, end=end)
        dash = match.start(1)
        return _Draft(
            kind=Kind.DIRECT, content=[], cue=[(dash, dash + 1)], rule="quote-dash-byline",
            confidence=0.75, speaker=mention, speaker_base=base, base=base,
        )

    def _opens_sentence(self, quote: Quote) -> bool:
        before = self.article.text[max(0, quote.open - 200) : quote.open].rstrip(" \t\xa0")
        return not before or before[-1] in "\n.!?…" + QUOTE_CHARS

    def _nearby_cue(self, quote: Quote) -> tuple[Token | None, int]:
        """A reporting verb right after the closing mark ("..., ' he said") or right before
        the opening mark ("He said: '...'"), in the same sentence; with its chunk offset."""
        text = self.article.text
        before_text = text[max(0, quote.open - 3) : quote.open].strip()
        after = before = None
        closing = self._token_at(quote.end if quote.close is None else quote.close)
        if closing is not None:
            doc, base, index = closing
            after = self._scan(doc, base, index + 1, +1, limit=6), base
            if (
                after[0] is not None
                and text[quote.start : quote.end].rstrip().endswith((".", "!", "?"))
                and _COLON_QUOTE.match(text, base + after[0].idx + len(after[0].text))
            ):
                # '"... all." He added: "No doubt."': a new sentence whose cue introduces the
                # next quote ('"We won," he said: "..."' speaks both).
                after = None
        opening = self._token_at(quote.open)
        if opening is not None:
            doc, base, index = opening
            # After a colon the cue may stand further back ("Trump said on Tuesday: ...");
            # otherwise it must be right before the quote ("said Tuesday that '...'").
            reach = 10 if before_text.endswith((":", ",")) else 4
            before = self._scan(doc, base, index - 1, -1, limit=reach), base
        if before_text.endswith(":") and before and before[0] is not None:
            return before
        lead_start = max(0, quote.open - 300)
        lead = text[lead_start : quote.open].rstrip()
        if lead.endswith(":") and not before_text.endswith(":"):
            # "Trump said:" closing the previous sentence or paragraph, then the quote.
            colon = self._token_at(lead_start + len(lead) - 1)
            if colon is not None:
                doc, base, index = colon
                found = self._scan(doc, base, index - 1, -1, limit=10)
                if found is not None:
                    return found, base
        if after and after[0] is not None:
            return after
        if before and before[0] is not None and (
            before_text.endswith((",", ":")) or not before_text or before_text[-1].isalpha()
        ):
            return before
        return None, 0

    def _token_at(self, position: int) -> tuple[Doc, int, int] | None:
        for doc, base in self.article.chunks:
            if base <= position < base + doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else False:
                span = doc.char_span(position - base, position - base + 1, alignment_mode="expand")
                if span is None or len(span) == 0:
                    return None
                return doc, base, span.start
        return None

    def _scan(self, doc: Doc, base: int, index: int, step: int, limit: int) -> Token | None:
        seen = 0
        while 0 <= index < len(doc) and seen < limit:
            token = doc[index]
            if token.text in (".", "!", "?", ";") or "\n" in token.text:
                return None
            if token.text in QUOTE_CHARS and token.is_punct and step > 0 and seen > 0:
                return None
            if is_cue_verb(token) and self.article.quotation_at(base + token.idx) is None:
                return token
            index += step
            seen += 1
        return None

    # -- speakers, sources, channels -------------------------------------------------------

    def describe_sources(self) -> None:
        article = self.article
        text = article.text
        for draft in self.drafts:
            if draft.kind == Kind.CONTINUATION:
                continue
            mention = draft.speaker
            if mention is None:
                continue
            resolved = article.entities.resolve(mention, draft.speaker_base, draft.content)
            if resolved is not None:
                draft.cluster, draft.resolution = resolved
                article.entities.remember(draft.cluster, mention.char_span(draft.speaker_base))
            draft.source_type = source_type_of(mention, draft.cluster.type if draft.cluster else None)
            sentence = self._sentence_range(draft)
            if draft.source_type not in (SourceType.NAMED_PERSON, SourceType.NAMED_ORGANIZATION, SourceType.DOCUMENT):
                s_start, s_end = mention.char_span(draft.speaker_base)
                reason = anonymity_reason(text, s_start, min(sentence[1], s_end + 160))
                if reason is not None:
                    draft.anonymity = reason
                    draft.source_type = SourceType.ANONYMOUS
            # A channel inside the statement's own content is a nested statement's ("said
            # that Lukashenko had told reporters ..."), not how this one reached the reporter.
            channels = [(name, span) for name, span in find_channels(text, *sentence) if not holds(draft.content, span)]
            if channels:
                draft.channel = channels[0]
        self._inherit_channels()

    def _sentence_range(self, draft: _Draft) -> tuple[int, int]:
        token = draft.cue_token
        if token is None:
            return draft.start, draft.end
        sent = token.sent
        return draft.base + sent.start_char, draft.base + sent.end_char

    def _inherit_channels(self) -> None:
        """A channel named once ("Speaking to BelTA, ...") also holds for the same speaker's
        next statements in the same paragraph."""
        article = self.article
        last: dict[str, tuple[int, tuple[str, tuple[int, int]]]] = {}
        for draft in self.drafts:
            origin = draft.continues or draft
            if origin.cluster is None:
                continue
            key = origin.cluster.id
            if draft.channel is not None:
                last[key] = (article.paragraph_of(draft.end), draft.channel)
            elif key in last and last[key][0] == article.paragraph_of(draft.start):
                draft.channel = last[key][1]

    # -- output -------------------------------------------------------------------------

    def attributions(self, doc_id: str) -> list[Attribution]:
        article = self.article
        text = article.text
        index_of = {id(d): i for i, d in enumerate(self.drafts)}
        out = []
        for i, draft in enumerate(self.drafts):
            origin = draft.continues or draft
            cluster = origin.cluster
            speaker = [] if draft.kind == Kind.CONTINUATION or draft.speaker is None else [draft.speaker.char_span(draft.speaker_base)]
            channel = draft.channel or (origin.channel if draft.kind == Kind.CONTINUATION else None)
            attribution = Attribution(
                id=f"{doc_id}:{i}",
                index=i,
                kind=draft.kind,
                # A quotation's content runs from mark to mark: "“ we will win”" keeps no space,
                # and a nested quotation's mark at an edge ('«" said') is not content.
                content=trim_spans(text, draft.content, DOUBLE_QUOTE_CHARS) or draft.content,
                cue=draft.cue,
                speaker=speaker,
                speaker_entity=cluster.name if cluster else None,
                entity_id=cluster.id if cluster else None,
                resolution=origin.resolution if cluster else None,
                source_type=origin.source_type,
                anonymity_reason=origin.anonymity[0] if origin.anonymity else None,
                anonymity_span=origin.anonymity[1] if origin.anonymity else None,
                channel=channel[0] if channel else None,
                channel_span=channel[1] if channel else None,
                continues=index_of.get(id(draft.continues)) if draft.continues else None,
                sentence=article.sentence_of(draft.start),
                paragraph=article.paragraph_of(draft.start),
                confidence=round(draft.confidence, 2),
                rule=draft.rule,
            )
            out.append(attribution.fill_texts(text))
        return out


def _assemble(
    text: str, chunks: list[tuple[Doc, int]], learned: Learned | None, alone: Document | None = None
) -> tuple[_Assembler, Document | None]:
    """The attributions of the rules and of ``learned``, before their contents' boundaries
    are refined and their sources described; and ``learned``'s own reading (None without),
    ``alone`` where the caller has it already."""
    first = False
    if learned is not None:
        from saywho.learn import learned_document, model_first

        first = model_first(learned)
    assembler = _Assembler(_Article(text, chunks), model_first=first)
    for doc, base in chunks:
        assembler.from_cues(doc, base)
        assembler.from_according_to(doc, base)
    if learned is not None:
        if alone is None:
            alone = learned_document(text, learned, chunks=chunks)
        assembler.from_learned(alone)
    assembler.from_quotes()
    assembler.from_learned_quoted()
    assembler.from_speaker_labels()
    return assembler, alone


def boundary_items(
    text: str,
    chunks: list[tuple[Doc, int]],
    learned: Learned | None,
    arbiter: BoundsModel | None = None,
    alone: Document | None = None,
) -> list[Boundable]:
    """What the boundary model reads of the article's reported attributions, as it would
    see them in :func:`analyze` once ``arbiter`` settled the cues and sources (the material
    :func:`saywho.learn.fit_boundaries` learns from); ``alone``: ``learned``'s reading of
    the article, where the caller has it already."""
    assembler, alone = _assemble(text, chunks, learned, alone)
    if arbiter is not None:
        assembler.arbitrate(arbiter, alone)
    return [item for _, item in assembler.boundables(alone)]


def arbiter_choices(
    text: str, chunks: list[tuple[Doc, int]], learned: Learned, alone: Document | None = None
) -> list[Choice]:
    """The cue and source choices of the article (:mod:`saywho.arbiter`), as the analysis
    meets them (the material :func:`saywho.learn.fit_boundaries` learns from); ``alone`` as
    for :func:`boundary_items`."""
    assembler, alone = _assemble(text, chunks, learned, alone)
    return [found for _, found in assembler.choices(alone)]


def _document(
    text: str,
    chunks: list[tuple[Doc, int]],
    *,
    published: date | None,
    title: str | None,
    source: str | None,
    min_confidence: float,
    learned: Learned | None = None,
) -> Document:
    assembler, alone = _assemble(text, chunks, learned)
    if learned is not None:
        from saywho.learn import boundary_model

        boundaries = boundary_model(learned)
        if boundaries is not None:
            assembler.arbitrate(boundaries, alone)
            assembler.refine_contents(boundaries, alone)
    article = assembler.article
    assembler.describe_sources()
    doc_id = document_id(text)
    attributions = confident(assembler.attributions(doc_id), min_confidence, doc_id)
    for attribution, within in zip(attributions, nesting(attributions)):
        attribution.within = within
    return Document(
        saywho_version=__version__,
        id=doc_id,
        source=source,
        title=title,
        published=published,
        characters=len(text),
        words=len(text.split()),
        paragraphs=len(PARAGRAPH.findall(text)),
        sentences=len(article.sentence_starts),
        attributions=attributions,
        entities=article.entities.entities(),
    )


def confident(attributions: list[Attribution], min_confidence: float, doc_id: str) -> list[Attribution]:
    """The ``attributions`` (indexed by position) at or above ``min_confidence``, renumbered
    from 0 with their ``continues`` following. A continuation has no speaker of its own: it
    goes where the attribution it continues goes, so that it never points at a dropped or
    renumbered one."""
    keep = [a.confidence >= min_confidence for a in attributions]
    changed = True
    while changed:  # a continuation of a continuation follows the whole chain
        changed = False
        for i, a in enumerate(attributions):
            if keep[i] and a.continues is not None and not keep[a.continues]:
                keep[i], changed = False, True
    new_index: dict[int, int] = {}
    kept = []
    for i, a in enumerate(attributions):
        if keep[i]:
            new_index[i] = len(kept)
            kept.append(a)
    for i, a in enumerate(kept):
        a.index, a.id = i, f"{doc_id}:{i}"
        if a.continues is not None:
            a.continues = new_index[a.continues]
    return kept


def _pipeline(nlp: Language | None, learned: Learned | None) -> Language:
    """``nlp``, or saywho's English pipeline; refused where ``learned`` reads another
    pipeline's token vectors."""
    if nlp is None:
        from saywho.nlp import load_pipeline

        nlp = load_pipeline()
    if learned is not None:
        from saywho.learn import check_parser

        check_parser(learned, nlp)
    return nlp


def _parse(nlp: Language, texts: Sequence[str], batch_size: int) -> Iterator[list[tuple[Doc, int]]]:
    """Parse texts (chunked) and yield, per text, its (Doc, character offset) chunks."""
    bounds = [split_chunks(text, CHUNK_CHARS) for text in texts]
    pieces = (text[s:e] for text, spans in zip(texts, bounds) for s, e in spans)
    disabled = [name for name in nlp.pipe_names if name == "saywho"]
    with nlp.select_pipes(disable=disabled):
        docs = nlp.pipe(pieces, batch_size=batch_size)
        for spans in bounds:
            yield [(next(docs), s) for s, _ in spans]


def analyze(
    text: str,
    published: date | None = None,
    *,
    title: str | None = None,
    source: str | None = None,
    nlp: Language | None = None,
    min_confidence: float = 0.0,
    learned: Learned | None = None,
) -> Document:
    """Analyse one article: every attribution, its speaker and source type. ``learned``, a
    model of :func:`saywho.learn.load_model`, joins the rules: the default CPU model adds
    the attributions the rules miss, an accurate-mode model replaces theirs where it
    reads the same statement (see ``_Assembler.from_learned``)."""
    document, _ = analyze_parsed(
        text, published, title=title, source=source, nlp=nlp, min_confidence=min_confidence, learned=learned
    )
    return document


def analyze_parsed(
    text: str,
    published: date | None = None,
    *,
    title: str | None = None,
    source: str | None = None,
    nlp: Language | None = None,
    min_confidence: float = 0.0,
    learned: Learned | None = None,
) -> tuple[Document, list[tuple[Doc, int]]]:
    """``analyze``, also returning the parsed chunks (Doc, character offset) for later
    stages that read the parse (the audit's time checks)."""
    if not isinstance(text, str):
        raise TypeError(f"analyze() expects the article text as str, got {type(text).__name__}")
    chunks = next(_parse(_pipeline(nlp, learned), [text], batch_size=8))
    document = _document(
        text, chunks, published=published, title=title, source=source, min_confidence=min_confidence, learned=learned
    )
    return document, chunks


def analyze_many(
    texts: Iterable[str],
    *,
    published: date | None = None,
    nlp: Language | None = None,
    batch_size: int = 16,
    min_confidence: float = 0.0,
    learned: Learned | None = None,
) -> list[Document]:
    """Analyse many articles, parsing them in batches (faster than one ``analyze`` each)."""
    texts = list(texts)
    nlp = _pipeline(nlp, learned)
    return [
        _document(
            text, chunks, published=published, title=None, source=None,
            min_confidence=min_confidence, learned=learned,
        )
        for text, chunks in zip(texts, _parse(nlp, texts, batch_size))
    ]


def analyze_doc(
    doc: Doc, *, published: date | None = None, min_confidence: float = 0.0, learned: Learned | None = None
) -> Document:
    """Analyse an already parsed Doc (used by the spaCy component)."""
    return _document(
        doc.text, [(doc, 0)], published=published, title=None, source=None,
        min_confidence=min_confidence, learned=learned,
    )
