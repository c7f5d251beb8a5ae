"""Cross-article linking: near-duplicate statements and speaker names across a corpus.

Two entry points, both pure functions of their input (no database, no global state):

``cluster_statements(statements)``
    groups repeated and altered versions of the same statement (a quote reported by several
    outlets, a quote that reappears months later with a word changed) into
    :class:`StatementCluster` objects, each with its provenance (the first appearance) and the
    words that changed between versions.

``link_speakers(names)``
    maps speaker names as stored across the corpus ("Donald Trump", "Mr. Trump", "Trump") to
    one corpus-wide canonical name, joining a bare surname to a full name only when that is
    unambiguous in the corpus.

How statements are linked
-------------------------
1. **Normalisation.** Unicode NFKC, lower case, apostrophes removed inside words
   ("don’t" = "don't" = "dont"), every other non-alphanumeric character (punctuation, quote
   marks, the " … " that joins the pieces of a broken quote) becomes a space, whitespace is
   collapsed. Comparison is over the resulting list of words.
2. **Too short to link.** A statement of fewer than ``MIN_WORDS`` (4) words is never linked:
   "I don't know", "we will see", "absolutely" are said by everyone, and a repeat of them is
   no evidence of the same statement.
3. **Quoted core.** A statement whose text holds quotation marks (a mixed attribution such as
   `Trump's call for "a total and complete shutdown of Muslims ..."`) is also compared through
   its quoted core: the words inside the quotation marks, which are the speaker's, without the
   reporter's framing around them, which differs from outlet to outlet. The core must have at
   least ``CORE_MIN_WORDS`` (6) words: shorter quoted fragments ("extremely careless", "Make
   America great again") are stock phrases that would tie unrelated statements together. On
   the labelled PolNeAR set the framing words caused every missed pair before this step.
4. **Exact repeats** (identical normalised words) are grouped first by a dictionary, so each
   distinct text enters the sketching step once: a quote repeated by 1,000 outlets costs one
   sketch and no pairwise comparisons.
5. **Candidates: MinHash + LSH.** Each distinct text (full text or quoted core) is
   represented by the set of its word 1-grams (function words such as "the", "to", "we" left
   out, see ``STOPWORDS``: unrelated sentences share them all the time, which would flood the
   LSH buckets on real text) and word 2-grams (all words). One shingle set for every length (rather than 3-grams for long texts
   and a fallback for short ones) keeps a 5-word quote comparable with a 10-word quote that
   contains it; unigrams keep the Jaccard similarity of an altered version high (one word
   replaced in a 10-word quote: J near 0.7 over these shingles, against 0.45 over 3-grams), and
   the bigrams keep word order in play so that two unrelated sentences built from common
   words stay far apart (J usually below 0.05). A datasketch ``MinHash`` (``num_perm`` = 128
   permutations, fixed seed, a deterministic BLAKE2 hash of each shingle) feeds a
   ``MinHashLSH`` with threshold ``LSH_THRESHOLD`` = 0.3. The LSH threshold is deliberately
   lower than any pair the verifier accepts would need: the worst accepted pair (a half-length
   excerpt with a changed word) has a Jaccard near 0.35, and every candidate is verified
   anyway, so the LSH step only has to be cheap and keep recall. Sketching and LSH insertion
   are linear in the number of distinct texts; each query returns a bucket of near neighbours,
   so the total cost is about linear too (see bench/link_bench.py).
6. **Verification with rapidfuzz.** For a candidate pair, with ``short`` the statement of fewer
   words and ``long`` the other:

   - ``score`` (:func:`similarity`): the shorter statement is aligned with the longer one by
     their longest common word subsequence (``rapidfuzz.distance.LCSseq``); words of the
     longer statement outside the aligned window (before its first or after its last shared
     word) are the missing ends of an excerpt and do not count; inside the window, the
     word-level Levenshtein distance (``rapidfuzz.distance.Levenshtein``: one replaced,
     inserted or dropped word is one edit) is the number of changes, and
     ``score = 1 - changes / len(short)``. Accepted when ``score >= threshold`` (default
     ``THRESHOLD`` = 0.8): a 5-word quote may differ by one word, a 10-word quote by two (the
     typical altered version), a 4-word quote must match exactly. Words inserted in the middle
     count, so "a ban on Muslims entering the United States" is not a version of "a total and
     complete ban on all Muslims entering the United States" (score 0.5). At 0.75 the labelled
     PolNeAR set had a false link of exactly this kind ("a total and complete ban" vs "a total
     and complete shutdown", 3 edits in 12 words); 0.8 rejects it and loses no true pair.
     Word level rather than character level, because a character ratio rewards long shared
     words and forgives a changed short word such as "not".
   - **Length guard** ``len(short) / len(long) >= MIN_LENGTH_RATIO`` (0.5): a short quote
     contained in a long one is linked only when it is a substantial part of it (at least half
     its words). A 5-word fragment picked out of a 40-word passage is a different, partial
     citation; linking it would chain unrelated fragments of one long speech into one cluster.
     Fragments at least half as long are the usual "truncated version" of a quote and are
     linked. Exception, **long excerpts**: a shorter statement of at least
     ``LONG_EXCERPT_WORDS`` (10) words that is found almost verbatim (``score >=
     LONG_EXCERPT_OVERLAP`` = 0.9) in the longer one is linked whatever the length ratio: ten
     words in the same order is no coincidence, and outlets often quote one or two sentences
     of a longer passage that another outlet prints in full. (Such a pair still has to come
     out of the LSH step; excerpts shorter than about a third of the passage often do not.)
7. **Clusters.** Accepted pairs are joined with union-find (so linking is transitive: an
   excerpt and the full quote and an altered full quote form one cluster). Clusters of at least
   two statements are returned.

Provenance and changed words
----------------------------
Members are listed in provenance order: earliest ``published`` date first, then ``order``
(the ingestion-order key), then id; statements without a date come last. ``first`` is the
first member. For every other member, ``changed_words`` lists the word-level differences from
the first version (``difflib.SequenceMatcher`` over the normalised word lists) as strings:
``"-word"`` for a word of the first version that the member drops or replaces, ``"+word"`` for
a word the member adds or puts in its place, in text order. Words missing or added only at the
very start or end of the statement are not changes: that is a shorter or longer excerpt of the
same quote, not an altered one. Members whose words match the first version (after
normalisation, ignoring such excerpt ends) are omitted from ``changed_words``.

``same_speaker`` is true when every member has a speaker and all of them map to one name
under :func:`link_speakers` applied to the speakers of all the statements given (so
"Donald Trump" and "Mr. Trump" count as one speaker when that is unambiguous).

How speakers are linked
-----------------------
See :func:`link_speakers`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from datasketch import MinHash, MinHashLSH
from rapidfuzz.distance import LCSseq, Levenshtein

__all__ = [
    "Statement",
    "StatementCluster",
    "cluster_statements",
    "link_speakers",
    "normalize",
    "quoted_core",
    "similarity",
    "words_of",
    "THRESHOLD",
    "NUM_PERM",
    "LSH_THRESHOLD",
    "MIN_WORDS",
    "MIN_LENGTH_RATIO",
]

THRESHOLD = 0.8  # minimum similarity(): 1 - word edits / words of the shorter statement
NUM_PERM = 128  # MinHash permutations
LSH_THRESHOLD = 0.3  # Jaccard threshold of the candidate step (recall-oriented)
MIN_WORDS = 4  # statements with fewer words are never linked
MIN_LENGTH_RATIO = 0.5  # shorter / longer, in words, for a pair to be linked
LONG_EXCERPT_WORDS = 10  # ... unless the shorter has this many words
LONG_EXCERPT_OVERLAP = 0.9  # ... and at least this share of them is found in the longer
CORE_MIN_WORDS = 6  # a quoted core shorter than this is not compared on its own
SEED = 1  # MinHash seed: fixed, so clusters are reproducible


@dataclass(frozen=True)
class Statement:
    """One attribution to link."""

    id: str
    text: str
    speaker: str | None
    published: date | None
    order: str  # sortable ingestion-order key


@dataclass
class StatementCluster:
    """Versions of one statement found across the corpus."""

    id: str  # "c" + first 12 hex digits of the SHA-1 of the sorted member ids joined by "\n"
    members: list[str]  # statement ids in provenance order
    first: str  # the first appearance
    changed_words: dict[str, list[str]] = field(default_factory=dict)
    same_speaker: bool = False


# -- normalisation ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"(?<=\w)['’‘`´](?=\w)")
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower case, apostrophes inside words dropped, other punctuation to spaces, one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def words_of(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize(text).split()


_QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]|''(.+?)''|«([^«»]+)»")


def quoted_core(text: str) -> list[str]:
    """The normalised words inside quotation marks in a text, in order (empty if none)."""
    words: list[str] = []
    for match in _QUOTED.finditer(text):
        words.extend(words_of(next(g for g in match.groups() if g is not None)))
    return words


# -- sketching -------------------------------------------------------------------------------


class _ShingleHasher:
    """Deterministic 32-bit hashes of shingles, cached (frequent words are hashed once)."""

    def __init__(self) -> None:
        self.cache: dict[str, int] = {}

    def __call__(self, shingle: str) -> int:
        value = self.cache.get(shingle)
        if value is None:
            digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=4).digest()
            value = int.from_bytes(digest, "little")
            self.cache[shingle] = value
        return value


# Function words are left out of the unigram shingles (they stay inside the bigrams): two
# unrelated sentences share "the", "to", "of", "and" all the time, and that shared noise would
# give them a Jaccard near 0.1 and flood the LSH buckets on real text.
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as into about than then that this
    these those there here it its is are was were be been being am do does did have has had
    i you he she we they me him her us them my your his our their not no so too very just
    will would can could should shall may might must what which who whom when where why how
    all any some
    """.split()
)


def _shingles(words: list[str]) -> set[str]:
    out = {w for w in words if w not in STOPWORDS}
    out.update(a + " " + b for a, b in zip(words, words[1:]))
    return out


def _identity(value: int) -> int:
    return value


# -- verification ----------------------------------------------------------------------------


def similarity(a: list, b: list) -> float:
    """Word-level similarity of two statements (lists of words or word codes), in [0, 1].

    The shorter statement is aligned with the longer one (longest common word subsequence);
    words of the longer statement before the first or after the last aligned word are an
    excerpt's missing ends and do not count. The score is ``1 - edits / len(shorter)``, where
    ``edits`` is the word-level Levenshtein distance between the shorter statement and the
    aligned window of the longer: one replaced, inserted or dropped word is one edit.
    """
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0
    inserted = {op.dest_pos for op in LCSseq.editops(short, long_) if op.tag == "insert"}
    matched = [j for j in range(len(long_)) if j not in inserted]
    if not matched:
        return 0.0
    window = long_[matched[0] : matched[-1] + 1]
    return max(0.0, 1.0 - Levenshtein.distance(short, window) / len(short))


def _similar(a: list[int], b: list[int], threshold: float) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_LENGTH_RATIO * len(long_):
        if len(short) < LONG_EXCERPT_WORDS:
            return False
        threshold = max(threshold, LONG_EXCERPT_OVERLAP)
    needed = threshold * len(short) - 1e-9
    # Cheap bound first: the score is at most LCS / len(short).
    if LCSseq.similarity(short, long_) < needed:
        return False
    return similarity(short, long_) >= threshold - 1e-9


def _changes(first: list[str], other: list[str]) -> list[str]:
    """Word-level differences of ``other`` from ``first``, excerpt ends ignored."""
    opcodes = difflib.SequenceMatcher(a=first, b=other, autojunk=False).get_opcodes()
    # A pure insertion or deletion at either end is a longer or shorter excerpt, not a change.
    while opcodes and opcodes[0][0] in ("insert", "delete"):
        opcodes.pop(0)
    while opcodes and opcodes[-1][0] in ("insert", "delete"):
        opcodes.pop()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        out.extend("-" + w for w in first[i1:i2])
        out.extend("+" + w for w in other[j1:j2])
    return out


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


def _provenance_key(s: Statement) -> tuple:
    return (s.published is None, s.published or date.min, s.order, s.id)


def cluster_id(member_ids: Iterable[str]) -> str:
    """Deterministic cluster id: "c" + 12 hex digits of the SHA-1 of the sorted member ids."""
    joined = "\n".join(sorted(member_ids))
    return "c" + hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


def cluster_statements(
    statements: Iterable[Statement],
    *,
    threshold: float = THRESHOLD,
    num_perm: int = NUM_PERM,
) -> list[StatementCluster]:
    """Group near-duplicate statements into clusters (see the module docstring).

    ``threshold`` is the verification threshold on :func:`similarity` (1 - word edits /
    words of the shorter statement, excerpt ends ignored). ``num_perm`` is the number of MinHash
    permutations. Returns the clusters of two or more statements, deterministic (fixed seeds,
    no dependence on input order beyond the ``order`` keys), sorted by the provenance of their
    first member.
    """
    statements = list(statements)
    if not statements:
        return []
    if len({s.id for s in statements}) != len(statements):
        raise ValueError("statement ids must be unique")

    # 1. Normalise; group exact repeats; drop statements too short to link. A statement with
    #    a quoted core (see quoted_core) also enters with the core as a second representation.
    text_index: dict[tuple[str, ...], int] = {}
    texts: list[tuple[str, ...]] = []
    groups: list[list[int]] = []  # distinct text -> statement indices
    words_by_statement: list[list[str]] = []
    for i, statement in enumerate(statements):
        words = words_of(statement.text)
        words_by_statement.append(words)
        if len(words) < MIN_WORDS:
            continue
        representations = [tuple(words)]
        core = quoted_core(statement.text)
        if len(core) >= CORE_MIN_WORDS and core != words:
            representations.append(tuple(core))
        for key in representations:
            t = text_index.get(key)
            if t is None:
                t = text_index[key] = len(texts)
                texts.append(key)
                groups.append([])
            groups[t].append(i)

    uf = _UnionFind(len(texts))
    if len(texts) > 1:
        # 2. Sketch each distinct text once; LSH for candidate pairs.
        hasher = _ShingleHasher()
        vocabulary: dict[str, int] = {}
        coded = [[vocabulary.setdefault(w, len(vocabulary)) for w in t] for t in texts]
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=num_perm)
        sketches = MinHash.generator(
            ([hasher(s) for s in _shingles(list(t))] for t in texts),
            num_perm=num_perm,
            seed=SEED,
            hashfunc=_identity,
        )
        sketch_list = []
        with lsh.insertion_session() as session:
            for t, sketch in enumerate(sketches):
                session.insert(t, sketch, check_duplication=False)
                sketch_list.append(sketch)
        # 3. Verify candidates.
        for t, sketch in enumerate(sketch_list):
            for u in lsh.query(sketch):
                if u <= t or uf.find(u) == uf.find(t):
                    continue
                if _similar(coded[t], coded[u], threshold):
                    uf.union(t, u)

    # 4. Collect clusters (a statement with two representations joins them).
    statement_uf = _UnionFind(len(statements))
    for t, indices in enumerate(groups):
        root = uf.find(t)
        statement_uf.union(indices[0], groups[root][0])
        for i in indices[1:]:
            statement_uf.union(indices[0], i)
    members_of: dict[int, list[int]] = defaultdict(list)
    linkable = {i for indices in groups for i in indices}
    for i in sorted(linkable):
        members_of[statement_uf.find(i)].append(i)

    speakers = link_speakers(s.speaker for s in statements if s.speaker)
    clusters: list[tuple[tuple, StatementCluster]] = []
    for indices in members_of.values():
        if len(indices) < 2:
            continue
        indices.sort(key=lambda i: _provenance_key(statements[i]))
        first = indices[0]
        changed: dict[str, list[str]] = {}
        for i in indices[1:]:
            if words_by_statement[i] == words_by_statement[first]:
                continue
            diff = _changes(words_by_statement[first], words_by_statement[i])
            if diff:
                changed[statements[i].id] = diff
        names = {speakers.get(statements[i].speaker) if statements[i].speaker else None for i in indices}
        member_ids = [statements[i].id for i in indices]
        cluster = StatementCluster(
            id=cluster_id(member_ids),
            members=member_ids,
            first=member_ids[0],
            changed_words=changed,
            same_speaker=len(names) == 1 and None not in names,
        )
        clusters.append((_provenance_key(statements[first]), cluster))
    clusters.sort(key=lambda pair: pair[0])
    return [cluster for _, cluster in clusters]


# -- speakers --------------------------------------------------------------------------------

HONORIFICS = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend fr father
    sen senator rep representative congressman congresswoman gov governor lt
    president vice former secretary gen col colonel maj capt captain sgt
    adm admiral cmdr commander judge justice chief mayor ambassador minister
    premier chancellor prime speaker chairman chairwoman chair pres candidate
    elect the
    """.split()
)
# A name ending in one of these is a different person from the name without it
# ("Donald Trump Jr." is not "Donald Trump"); the surname is the word before it.
SUFFIXES = frozenset("jr sr ii iii iv v".split())
_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}


def _name_tokens(name: str) -> tuple[list[str], str]:
    """Honorific-free lower-case tokens of a name, and the gender a leading Mr./Mrs. gives."""
    tokens = normalize(name.replace(".", " ").replace("-", " ")).split()
    gender = ""
    while len(tokens) > 1 and tokens[0] in HONORIFICS:
        gender = gender or _GENDER.get(tokens[0], "")
        tokens.pop(0)
    return tokens, gender


def _surname(tokens: list[str]) -> str:
    core = [t for t in tokens if t not in SUFFIXES] or tokens
    return core[-1]


def link_speakers(names: Iterable[str]) -> dict[str, str]:
    """Map each speaker name to one corpus-wide canonical name.

    Rules, in order (all matching is case-insensitive, over words with punctuation dropped and
    leading honorifics and titles such as Mr., Mrs., Ms., Dr., Sen., President stripped):

    1. Names with the same words are one name ("Donald Trump", "Mr. Donald Trump",
       "donald trump").
    2. A two-word full name joins a longer full name with the same first and last word
       ("Hillary Clinton" -> "Hillary Rodham Clinton") only when exactly one such longer name
       exists in the corpus ("George Bush" stays apart from both "George W. Bush" and
       "George H. W. Bush").
    3. A bare surname ("Trump", "Mr. Trump", "President Trump") joins a full name only when
       exactly one full-name group of the corpus has that surname. With "Hillary Clinton" and
       "Bill Clinton" both present, "Clinton" stays "Clinton". Generational suffixes count:
       "Donald Trump Jr." has the surname Trump but is not "Donald Trump".
    4. An ambiguous or unmatched bare surname is grouped only with the same surname under
       the same gendered honorific: "Clinton" and "Sen. Clinton" are one name, "Mrs. Clinton"
       and "Mr. Clinton" stay apart from them and from each other.

    The canonical name of a group is a full name when the group has one, without honorific
    when possible, then its most frequent spelling in ``names`` (duplicates count), then the
    one with more words, then the first alphabetically. Every distinct non-empty input name is a key of the result; blank names are
    left out.
    """
    counts = Counter(n.strip() for n in names if n and n.strip())
    if not counts:
        return {}

    parsed: dict[str, tuple[list[str], str]] = {}
    for name in counts:
        tokens, gender = _name_tokens(name)
        if tokens:
            parsed[name] = (tokens, gender)

    # Rule 1: group by key (the honorific-free words).
    full_groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    bare_groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, (tokens, gender) in parsed.items():
        if len(tokens) >= 2:
            full_groups[tuple(tokens)].append(name)
        else:
            bare_groups[(tokens[0], gender)].append(name)

    # Rule 2: two-word names into a unique longer name with the same first and last word.
    target: dict[tuple[str, ...], tuple[str, ...]] = {k: k for k in full_groups}
    by_ends: dict[tuple[str, str], list[tuple[str, ...]]] = defaultdict(list)
    for key in full_groups:
        if len(key) > 2 and key[-1] not in SUFFIXES:
            by_ends[(key[0], key[-1])].append(key)
    for key in full_groups:
        if len(key) == 2:
            longer = by_ends.get((key[0], key[1]), [])
            if len(longer) == 1:
                target[key] = longer[0]

    # Rule 3: surnames of the full-name groups (after rule 2).
    roots = sorted({target[k] for k in full_groups})
    by_surname: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for root in roots:
        by_surname[_surname(list(root))].append(root)

    members: dict[object, list[str]] = defaultdict(list)
    for key, group in full_groups.items():
        members[target[key]].extend(group)
    for (surname, gender), group in bare_groups.items():
        candidates = by_surname.get(surname, [])
        if len(candidates) == 1:
            members[candidates[0]].extend(group)
        else:
            members[("bare", surname, gender)].extend(group)

    def preference(name: str) -> tuple:
        tokens, _ = parsed[name]
        raw = normalize(name.replace(".", " ").replace("-", " ")).split()
        has_honorific = len(raw) != len(tokens)
        shouting = name.isupper() and any(c.isalpha() for c in name)  # headline capitals
        return (len(tokens) < 2, has_honorific, shouting, -counts[name], -len(tokens), name)

    out: dict[str, str] = {}
    for group in members.values():
        canonical = min(group, key=preference)
        for name in group:
            out[name] = canonical
    # Names that normalise to nothing (punctuation only) map to themselves.
    for name in counts:
        out.setdefault(name, name)
    return out
