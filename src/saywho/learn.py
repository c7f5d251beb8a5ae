"""An experimental learned attribution tagger (issue 3): PolNeAR to spaCy training data,
BIO tags back to spans, spans grouped into attributions.

The model is a separate small spaCy pipeline (blank English tokenizer, its own tok2vec and an
``ner`` component over the three roles; ``train_config.cfg``; a ``tagger`` over BIO tags is
also supported when decoding). PolNeAR is (nearly) univocal: every token gets one role; where
annotations overlap, the first annotation in file order wins. Discontinuous spans are
labelled piece by piece (every piece starts with ``B-``).

Nothing here changes the rule-based analysis: the module is used by ``saywho train
polnear``, the experiment script ``bench/learn_eval.py`` and its tests. PolNeAR dev, exact
F1 of the first trained model: source 65.0, cue 66.8, content 47.5 (rules: 65.5 / 57.4 /
41.6); attribution F1 76.8 (rules 71.0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry

from saywho.errors import ModelError
from saywho.evaluate import GoldDocument
from saywho.model import Attribution, Document, Kind, SourceType, document_id

ROLES = ("SOURCE", "CUE", "CONTENT")
LABELS = ("O", *(f"{p}-{r}" for r in ROLES for p in "BI"))
#: Role name of the model -> field of :class:`saywho.model.Attribution`.
FIELD_OF = {"SOURCE": "speaker", "CUE": "cue", "CONTENT": "content"}
#: Windows of at most this many tokens, cut at paragraph breaks (a longer paragraph is its own window).
WINDOW_TOKENS = 300

_PARAGRAPH_BREAK = re.compile(r"\n")


# --------------------------------------------------------------------------- conversion


def windows(text: str, nlp: Language, max_tokens: int = WINDOW_TOKENS) -> list[tuple[int, int]]:
    """Cut ``text`` into [start, end) windows of whole lines, about ``max_tokens`` tokens
    each (the whitespace-split word count stands in for tokens). Windows cover the text."""
    lines: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        lines.append((start, match.end()))
        start = match.end()
    if start < len(text):
        lines.append((start, len(text)))
    out: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    size = 0
    for s, e in lines:
        n = len(text[s:e].split())
        if current is not None and size + n > max_tokens:
            out.append(current)
            current, size = None, 0
        current = (current[0], e) if current else (s, e)
        size += n
    if current is not None:
        out.append(current)
    return out


def role_pieces(gold: GoldDocument) -> list[tuple[int, int, str]]:
    """Every gold span piece as (start, end, ROLE), in annotation order."""
    out = []
    for attribution in gold.attributions:
        for role in ROLES:
            for start, end in getattr(attribution, role.lower()):
                out.append((start, end, role))
    return out


def bio_tags(doc: Doc, pieces: Iterable[tuple[int, int, str]], base: int = 0) -> list[str]:
    """BIO tags of the tokens of ``doc`` (whose text starts at character ``base`` of the
    article) for role pieces given in article offsets. Pieces are aligned to tokens by
    expansion; a token already claimed by an earlier piece keeps its tag (first wins);
    whitespace tokens at the edges of a piece are left out."""
    tags = ["O"] * len(doc)
    end_of_doc = base + len(doc.text)
    for start, end, role in pieces:
        start, end = max(start, base), min(end, end_of_doc)
        if start >= end:
            continue
        span = doc.char_span(start - base, end - base, alignment_mode="expand")
        if span is None:
            continue
        indices = [t.i for t in span]
        while indices and doc[indices[0]].is_space:
            indices.pop(0)
        while indices and doc[indices[-1]].is_space:
            indices.pop()
        free = [i for i in indices if tags[i] == "O"]
        first = True
        previous = None
        for i in free:
            # A claimed token inside the piece splits it: the next free token starts anew.
            if previous is not None and i != previous + 1:
                first = True
            tags[i] = f"{'B' if first else 'I'}-{role}"
            first = False
            previous = i
    return tags


def training_docs(
    golds: Iterable[GoldDocument], nlp: Language, max_tokens: int = WINDOW_TOKENS
) -> Iterator[Doc]:
    """Reference Docs (one per window) with ``tag_`` set to the BIO tags."""
    for gold in golds:
        pieces = role_pieces(gold)
        for start, end in windows(gold.text, nlp, max_tokens):
            doc = nlp.make_doc(gold.text[start:end])
            tags = bio_tags(doc, pieces, start)
            for token, tag in zip(doc, tags):
                token.tag_ = tag
            doc.ents = [
                Span(doc, first, last + 1, label=role)
                for _, _, role, first, last in tags_to_spans(doc, tags)
            ]
            yield doc


def write_docbin(golds: Iterable[GoldDocument], nlp: Language, path: str | Path) -> int:
    """Write the training Docs of ``golds`` to a .spacy file; returns the number of Docs."""
    docbin = DocBin(attrs=["TAG", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    n = 0
    for doc in training_docs(golds, nlp):
        docbin.add(doc)
        n += 1
    docbin.to_disk(path)
    return n


# --------------------------------------------------------------------------- parsed data
#
# The model reads en_core_web_sm's annotation (fine-grained tag joined with the dependency
# label, coarse part of speech, lemma) as hashed input features beside the words: the
# analysis parses every article anyway, so the syntax costs nothing at run time. The model's
# Doc carries these as plain token attributes, not as a parse: a parse sets sentence
# boundaries, and spaCy's ``ner`` never lets an entity cross one (contents often do).

#: Token attributes of a training window kept in the .spacy file.
PARSED_ATTRS = ["NORM", "LEMMA", "TAG", "POS", "ENT_IOB", "ENT_TYPE"]


def features_doc(doc: Doc, vocab=None) -> Doc:
    """A Doc of the tokens of the parsed ``doc`` (or a span of it) whose ``tag_`` is
    "TAG|DEP", with ``pos_``, ``lemma_`` and ``norm_`` copied; no parse, no entities
    (left missing, not O: a preset O would forbid entities there)."""
    tokens = list(doc)
    out = Doc(
        vocab or doc.vocab,
        words=[t.text for t in tokens],
        spaces=[bool(t.whitespace_) for t in tokens],
        tags=[f"{t.tag_}|{t.dep_}" for t in tokens],
        pos=[t.pos_ or "X" for t in tokens],
        lemmas=[t.lemma_ for t in tokens],
    )
    for token, source in zip(out, tokens):
        token.norm_ = source.norm_
    return out


def parsed_training_docs(
    golds: Iterable[GoldDocument], parsed: Iterable[Doc], max_tokens: int = WINDOW_TOKENS
) -> Iterator[Doc]:
    """Windows of the parsed articles ``parsed`` (en_core_web_sm Docs of ``golds``' texts,
    in the same order) as :func:`features_doc` Docs with the gold roles as entities."""
    for gold, doc in zip(golds, parsed, strict=True):
        if doc.text != gold.text:
            raise ValueError(f"{gold.name}: the parsed Doc is not of this article's text")
        pieces = role_pieces(gold)
        for start, end in windows(gold.text, doc, max_tokens):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            window = features_doc(span)
            tags = bio_tags(window, pieces, span.start_char)
            window.set_ents(
                [Span(window, first, last + 1, label=role)
                 for _, _, role, first, last in tags_to_spans(window, tags)],
                default="outside",
            )
            yield window


def write_parsed_docbin(
    golds: Iterable[GoldDocument], parsed: Iterable[Doc], path: str | Path
) -> int:
    """Write :func:`parsed_training_docs` to a .spacy file; returns the number of Docs."""
    docbin = DocBin(attrs=PARSED_ATTRS, store_user_data=False)
    n = 0
    for doc in parsed_training_docs(golds, parsed):
        docbin.add(doc)
        n += 1
    docbin.to_disk(path)
    return n


def _unlabelled(doc: Doc) -> Doc:
    copy = doc.copy()
    copy.set_ents([], default="missing")
    return copy


@registry.readers("saywho.ParsedCorpus.v1")
def parsed_corpus(path: Path, limit: int = 0) -> Callable[[Language], Iterator[Example]]:
    """Training examples from a file of :func:`write_parsed_docbin`: the window with its
    entities removed, against the same window with the gold roles."""

    def read(nlp: Language) -> Iterator[Example]:
        docs = DocBin().from_disk(path).get_docs(nlp.vocab)
        for i, reference in enumerate(docs):
            if limit and i >= limit:
                break
            yield Example(_unlabelled(reference), reference)

    return read


# --------------------------------------------------------------------------- decoding


@dataclass
class RoleSpan:
    """One predicted span of one role, in article character offsets and token indices."""

    role: str
    start: int
    end: int
    first: int  # index of the first token in the article-wide token sequence
    last: int
    paragraph: int
    sentence: int


def tags_to_spans(doc: Doc, tags: Sequence[str], base: int = 0) -> list[tuple[int, int, str, int, int]]:
    """Spans (start, end, ROLE, first token, last token) of a BIO tag sequence, offsets in
    the article (``base`` is the offset of ``doc``). An ``I-`` tag after a different role
    starts a span (lenient decoding); whitespace tokens end a span only when tagged O."""
    out = []
    current: list | None = None
    for token, tag in zip(doc, tags):
        if tag == "O":
            if current:
                out.append(tuple(current))
            current = None
            continue
        prefix, role = tag.split("-", 1)
        if current is not None and prefix == "I" and current[2] == role:
            current[1] = base + token.idx + len(token.text)
            current[4] = token.i
            continue
        if current:
            out.append(tuple(current))
        current = [base + token.idx, base + token.idx + len(token.text), role, token.i, token.i]
    if current:
        out.append(tuple(current))
    # Whitespace at a span's edges is not part of it.
    return [(s, e, r, f, l) for s, e, r, f, l in out if doc.text[s - base : e - base].strip()]


def _paragraph_index(text: str) -> list[int]:
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    return starts


def group(text: str, spans: Sequence[RoleSpan]) -> list[dict[str, list[tuple[int, int]]]]:
    """Attributions from role spans: every CONTENT span joins the nearest CUE of its
    paragraph (by token distance; none there: the nearest within 40 tokens), every CUE
    takes the nearest SOURCE of its sentence, else of its paragraph. A CUE without content
    still makes an attribution only when it has content; contents with no cue make an
    attribution of their own."""
    cues = [s for s in spans if s.role == "CUE"]
    sources = [s for s in spans if s.role == "SOURCE"]
    contents = [s for s in spans if s.role == "CONTENT"]

    def distance(a: RoleSpan, b: RoleSpan) -> int:
        if a.last < b.first:
            return b.first - a.last
        if b.last < a.first:
            return a.first - b.last
        return 0

    content_of: dict[int, list[RoleSpan]] = {id(c): [] for c in cues}
    orphans: list[RoleSpan] = []
    for content in contents:
        candidates = [c for c in cues if c.paragraph == content.paragraph]
        if not candidates:
            candidates = [c for c in cues if distance(c, content) <= 40]
        if not candidates:
            orphans.append(content)
            continue
        best = min(candidates, key=lambda c: (distance(c, content), c.first))
        content_of[id(best)].append(content)

    out = []
    for cue in cues:
        found = content_of[id(cue)]
        if not found:
            continue
        same_sentence = [s for s in sources if s.sentence == cue.sentence]
        pool = same_sentence or [s for s in sources if s.paragraph == cue.paragraph]
        source = min(pool, key=lambda s: (distance(s, cue), s.first)) if pool else None
        out.append(
            {
                "content": sorted((c.start, c.end) for c in found),
                "cue": [(cue.start, cue.end)],
                "speaker": [(source.start, source.end)] if source else [],
            }
        )
    for content in orphans:
        out.append({"content": [(content.start, content.end)], "cue": [], "speaker": []})
    out.sort(key=lambda a: a["content"][0])
    return out


def predict_spans(
    text: str, nlp: Language, max_tokens: int = WINDOW_TOKENS, viterbi: bool = True
) -> list[RoleSpan]:
    """Role spans of ``text`` predicted by the learned pipeline ``nlp``. With a ``tagger``
    and ``viterbi``, the tags are the best sequence that is valid BIO (an ``I-X`` only after
    ``B-X`` or ``I-X``) under the tagger's scores, not the per-token argmax."""
    bounds = windows(text, nlp, max_tokens)
    pieces = (text[s:e] for s, e in bounds)
    if viterbi and "tagger" in nlp.pipe_names:
        tagger = nlp.get_pipe("tagger")
        with nlp.select_pipes(disable=["tagger"]):
            docs = list(nlp.pipe(pieces))
        labels = list(tagger.labels)
        for doc, scores in zip(docs, tagger.model.predict(docs)):
            for token, tag in zip(doc, viterbi_tags(_log_probs(scores), labels)):
                token.tag_ = tag
    else:
        docs = list(nlp.pipe(pieces))
    return spans_of_docs(text, zip(docs, (s for s, _ in bounds)))


def _log_probs(scores) -> np.ndarray:
    scores = np.asarray(scores, dtype="float64")
    if scores.size and scores.min() >= 0 and np.allclose(scores.sum(axis=1), 1.0, atol=1e-3):
        return np.log(np.maximum(scores, 1e-12))
    scores = scores - scores.max(axis=1, keepdims=True)
    return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


def viterbi_tags(log_probs: np.ndarray, labels: Sequence[str]) -> list[str]:
    """The valid BIO sequence (no ``I-X`` at the start or after anything but ``B-X``/``I-X``)
    with the highest total log probability."""
    n, k = log_probs.shape if len(log_probs) else (0, len(labels))
    if n == 0:
        return []
    allowed = np.zeros((k, k))  # allowed[previous, next]: 0 or -inf
    start = np.zeros(k)
    for j, label in enumerate(labels):
        if label.startswith("I-"):
            start[j] = -np.inf
            role = label[2:]
            for i, previous in enumerate(labels):
                if previous not in (f"B-{role}", f"I-{role}"):
                    allowed[i, j] = -np.inf
    score = start + log_probs[0]
    back = np.zeros((n, k), dtype=int)
    for t in range(1, n):
        total = score[:, None] + allowed
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + log_probs[t]
    best = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return [labels[j] for j in reversed(best)]


def spans_of_docs(text: str, docs: Iterable[tuple[Doc, int]]) -> list[RoleSpan]:
    """Role spans from tagged Docs (Doc, character offset) of one article."""
    paragraph_starts = _paragraph_index(text)
    out: list[RoleSpan] = []
    offset = 0
    for doc, base in docs:
        tags = doc_tags(doc)
        sentence_of = _sentence_ids(doc, tags)
        for start, end, role, first, last in tags_to_spans(doc, tags, base):
            paragraph = _bisect(paragraph_starts, start)
            out.append(
                RoleSpan(role, start, end, offset + first, offset + last, paragraph,
                         sentence_of[first] + offset)
            )
        offset += len(doc)
    return out


def doc_tags(doc: Doc) -> list[str]:
    """BIO tags of a predicted Doc: its entities (an ``ner`` model), or the tagger's tags."""
    if doc.has_annotation("ENT_IOB") or not doc.has_annotation("TAG"):
        return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in doc]
    return [t.tag_ or "O" for t in doc]


def _bisect(starts: list[int], position: int) -> int:
    import bisect

    return bisect.bisect_right(starts, position) - 1


def _sentence_ids(doc: Doc, tags: Sequence[str]) -> list[int]:
    """A cheap sentence index per token: a new sentence after . ! ? (outside a span being
    tagged CONTENT, so a quoted sentence does not cut its attribution) or a line break."""
    current = 0
    out = []
    for i, token in enumerate(doc):
        out.append(current)
        if "\n" in token.text or (token.text in {".", "!", "?"} and not tags[i].endswith("CONTENT")):
            current = i + 1
    return out


def to_document(text: str, attributions: Sequence[dict], rule: str = "learned") -> Document:
    """A saywho Document holding the grouped attributions (kind and source type are not
    predicted: ``indirect`` and ``unknown``)."""
    doc_id = document_id(text)
    out = []
    for i, found in enumerate(attributions):
        attribution = Attribution(
            id=f"{doc_id}:{i}",
            index=i,
            kind=Kind.INDIRECT,
            content=found["content"],
            cue=found["cue"],
            speaker=found["speaker"],
            source_type=SourceType.UNKNOWN,
            sentence=0,
            paragraph=0,
            confidence=1.0,
            rule=rule,
        )
        out.append(attribution.fill_texts(text))
    from saywho import __version__

    return Document(
        saywho_version=__version__,
        id=doc_id,
        characters=len(text),
        words=len(text.split()),
        paragraphs=text.count("\n") + 1,
        sentences=0,
        attributions=out,
    )


_SENTENCE_END = re.compile(r"[.!?…](?=[\"”’')\]]*(?:\s|$))|\n")


def extend_contents(text: str, spans: Sequence[RoleSpan]) -> list[RoleSpan]:
    """Boundary repair: a CONTENT span that stops inside a sentence is extended to the end
    of that sentence when no other predicted span lies between (the tagger tends to stop
    long contents early)."""
    ordered = sorted(spans, key=lambda s: s.start)
    out = []
    for i, span in enumerate(ordered):
        if span.role == "CONTENT":
            match = _SENTENCE_END.search(text, span.end)
            limit = ordered[i + 1].start if i + 1 < len(ordered) else len(text)
            if match and match.start() <= limit and text[span.end : match.start()].strip():
                end = match.start()
                while end > span.end and text[end - 1] in " \t\u00a0,;:":
                    end -= 1
                span = RoleSpan(span.role, span.start, end, span.first, span.last, span.paragraph, span.sentence)
        out.append(span)
    return out


def reads_parse(nlp: Language) -> bool:
    """Whether the learned pipeline ``nlp`` takes en_core_web_sm's parse as input features
    (:func:`features_doc`) rather than bare words."""
    try:
        attrs = nlp.config["components"]["tok2vec"]["model"]["embed"]["attrs"]
    except (KeyError, TypeError):
        return False
    return "TAG" in attrs


def predict_parsed_spans(text: str, chunks: Sequence[tuple[Doc, int]], nlp: Language) -> list[RoleSpan]:
    """Role spans of ``text`` from a learned pipeline that reads the parse, given the
    article's parsed chunks (Doc, character offset)."""
    docs = nlp.pipe(features_doc(doc, nlp.vocab) for doc, _ in chunks)
    return spans_of_docs(text, zip(docs, (base for _, base in chunks)))


def analyze_learned(
    text: str,
    nlp: Language,
    *,
    extend: bool = False,
    chunks: Sequence[tuple[Doc, int]] | None = None,
) -> Document:
    """Attributions of ``text`` from the learned pipeline alone (``extend``: with the
    sentence-end boundary repair of :func:`extend_contents`). A pipeline that reads the
    parse uses ``chunks`` (the article parsed by en_core_web_sm), parsing it when absent."""
    if reads_parse(nlp):
        if chunks is None:
            from saywho.nlp import load_pipeline

            chunks = [(load_pipeline()(text), 0)]
        spans = predict_parsed_spans(text, chunks, nlp)
    else:
        spans = predict_spans(text, nlp)
    if extend:
        spans = extend_contents(text, spans)
    return to_document(text, group(text, spans))


def gold_to_document(gold: GoldDocument) -> Document:
    """The tokenisation ceiling: gold -> BIO tags (blank English tokens) -> spans -> Document."""
    import spacy

    nlp = spacy.blank("en")
    pieces = role_pieces(gold)
    docs = []
    for start, end in windows(gold.text, nlp):
        doc = nlp.make_doc(gold.text[start:end])
        for token, tag in zip(doc, bio_tags(doc, pieces, start)):
            token.tag_ = tag
        docs.append((doc, start))
    return to_document(gold.text, group(gold.text, spans_of_docs(gold.text, docs)))



# --------------------------------------------------------------------------- training

CONFIG = Path(__file__).with_name("train_config.cfg")


def train(
    polnear_dir: str | Path,
    output: str | Path,
    *,
    work_dir: str | Path | None = None,
    dev_limit: int | None = 25,
    overrides: dict | None = None,
    config: str | Path = CONFIG,
    train_limit: int | None = None,
    parser: Language | None = None,
) -> Path:
    """Train the model on (the first ``train_limit`` articles of) ``polnear_dir``/train,
    selecting on (the first ``dev_limit`` articles of) ``polnear_dir``/dev; returns the best
    model's directory. The articles are parsed first by ``parser`` (en_core_web_sm by
    default), whose annotation the model reads. Seeded by the config's ``system.seed``."""
    from spacy.cli.train import train as spacy_train

    from saywho.evaluate import load_polnear
    from saywho.nlp import load_pipeline

    polnear_dir, output = Path(polnear_dir), Path(output)
    work = Path(work_dir) if work_dir else output / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    parser = parser or load_pipeline()
    train_golds = load_polnear(polnear_dir / "train")
    dev_golds = load_polnear(polnear_dir / "dev")
    for name, golds in (
        ("train", train_golds[:train_limit] if train_limit else train_golds),
        ("dev", dev_golds[:dev_limit] if dev_limit else dev_golds),
    ):
        parsed = parser.pipe((g.text for g in golds), batch_size=16)
        write_parsed_docbin(golds, parsed, work / f"{name}.spacy")
    settings = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
    settings.update(overrides or {})
    spacy_train(config, output, overrides=settings)
    return output / "model-best"


#: The model that ships with saywho (``--model default``), trained by ``saywho train polnear``.
DEFAULT_MODEL = Path(__file__).with_name("models") / "attribution"


def load_model(name: str | Path = "default") -> Language:
    """The learned pipeline ``name``: "default" for the one that ships with saywho, else the
    folder of a model trained by ``saywho train polnear``. Raises :class:`ModelError`."""
    import spacy

    path = DEFAULT_MODEL if str(name) == "default" else Path(name)
    if not (path / "config.cfg").is_file():
        raise ModelError(f"{name} is neither 'default' nor a folder holding a trained model")
    try:
        return spacy.load(path)
    except Exception as error:  # noqa: BLE001 - spaCy's many load errors, one message
        raise ModelError(f"cannot load the model in {path}: {error}") from None
