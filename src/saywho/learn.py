"""saywho's learned attribution model (issue 3): PolNeAR to spaCy training data, training,
predicted roles back to spans, spans grouped into attributions, and loading a model.

The model is a small spaCy pipeline of its own (tok2vec and an ``ner`` over SOURCE / CUE /
CONTENT, ``train_config.cfg``) that reads the words with en_core_web_sm's annotation of them
(:func:`features_doc`) and the parse's own token vectors (:func:`parser_vectors`). PolNeAR is
(nearly) univocal: every token gets one role; where annotations overlap, the first annotation
in file order wins. Discontinuous spans are labelled piece by piece (every piece starts with
``B-``). ``saywho.core`` combines the model's attributions with the rules' (``--model
default``); :func:`load_model` also opens the optional accurate mode's models
(:mod:`saywho.accurate`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d

from saywho.accurate import group_spans
from saywho.bounds import BoundsModel
from saywho.cues import is_cue_verb
from saywho.errors import ModelError
from saywho.evaluate import GoldDocument
from saywho.model import Attribution, Document, Kind, SourceType, document_id
from saywho.quotes import find_quotes

#: A learned model: a spaCy pipeline trained by :func:`train`, or an accurate-mode
#: ``saywho.accurate.OnnxTagger`` (typed loosely: that module's imports are optional).
Learned = Language | Any

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


# --------------------------------------------------------------------------- parsed data
#
# The model reads en_core_web_sm's annotation (fine-grained tag joined with the dependency
# label, coarse part of speech, lemma) as hashed input features beside the words: the
# analysis parses every article anyway, so the syntax costs nothing at run time. The model's
# Doc carries these as plain token attributes, not as a parse: a parse sets sentence
# boundaries, and spaCy's ``ner`` never lets an entity cross one (contents often do).

#: Token attributes of a training window kept in the .spacy file.
PARSED_ATTRS = ["NORM", "LEMMA", "TAG", "POS", "MORPH", "ENT_IOB", "ENT_TYPE"]

# How a token hangs from the nearest reporting word above it (itself included): the
# dependency label of the first step down from that word, in a few classes. An ``ner``
# reads a few tokens around its state only; these features carry the clause structure
# (where a reported clause or a source's noun phrase ends) to every token.
_PATH_CLASS = {
    "nsubj": "Subj", "nsubjpass": "Subj", "csubj": "Subj", "csubjpass": "Subj", "expl": "Subj",
    "ccomp": "Comp", "xcomp": "Comp", "parataxis": "Comp",
    "dobj": "Obj", "dative": "Obj", "attr": "Obj", "oprd": "Obj",
    "prep": "Prep", "agent": "Prep", "pcomp": "Prep", "pobj": "Prep",
    "aux": "Mod", "auxpass": "Mod", "neg": "Mod", "advmod": "Mod", "prt": "Mod",
    "advcl": "Adv", "punct": "Punct", "cc": "Conj", "conj": "Conj",
}


def _is_reporting(token) -> bool:
    if token.lower_ == "according":
        return True
    return is_cue_verb(token) or (token.pos_ == "NOUN" and token.lemma_.lower() in _REPORTING_NOUNS)


_REPORTING_NOUNS = frozenset(
    "statement claim comment remark announcement report warning assertion view belief "
    "opinion argument assessment estimate admission suggestion insistence accusation".split()
)


def structure_features(doc: Doc) -> list[str]:
    """Per token of ``doc`` (a parsed Doc), a morphological-features string
    "Quote=In|Rel=Comp|Sent=Yes" of: inside a quotation; the path class from the nearest
    reporting word above (Self, Subj, Comp, Obj, Prep, Mod, Adv, Punct, Conj, Other, None);
    whether the sentence holds a reporting word."""
    text = doc.text  # rebuilt by spaCy on every access
    inside = np.zeros(len(text) + 1, dtype=bool)
    for quote in find_quotes(text):
        if quote.kind == "quotation":
            inside[quote.start : quote.end] = True
    reporting = [_is_reporting(t) for t in doc]
    sentence_has = [False] * len(doc)
    sentences = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
    for sentence in sentences:
        has = any(reporting[sentence.start : sentence.end])
        sentence_has[sentence.start : sentence.end] = [has] * len(sentence)
    out = []
    for token in doc:
        if reporting[token.i]:
            relation = "Self"
        else:
            relation, step = "None", token
            for ancestor in token.ancestors:
                if reporting[ancestor.i]:
                    relation = _PATH_CLASS.get(step.dep_, "Other")
                    break
                step = ancestor
        quote = "In" if inside[token.idx] else "Out"
        sent = "Yes" if sentence_has[token.i] else "No"
        out.append(f"Quote={quote}|Rel={relation}|Sent={sent}")
    return out


def features_doc(doc: Doc, vocab=None, structure: Sequence[str] | None = None) -> Doc:
    """A Doc of the tokens of the parsed ``doc`` (or a span of it) whose ``tag_`` is
    "TAG|DEP", with ``pos_``, ``lemma_`` and ``norm_`` copied and ``morph`` holding the
    :func:`structure_features` (``structure``: those of these tokens, computed when absent);
    no parse, no entities (left missing, not O: a preset O would forbid entities there)."""
    tokens = list(doc)
    if structure is None:
        if isinstance(doc, Span):
            structure = structure_features(doc.doc)[doc.start : doc.end]
        else:
            structure = structure_features(doc)
    out = Doc(
        vocab or doc.vocab,
        words=[t.text for t in tokens],
        spaces=[bool(t.whitespace_) for t in tokens],
        tags=[f"{t.tag_}|{t.dep_}" for t in tokens],
        pos=[t.pos_ or "X" for t in tokens],
        lemmas=[t.lemma_ for t in tokens],
        morphs=list(structure),
    )
    for token, source in zip(out, tokens):
        token.norm_ = source.norm_
    # The parse's token vectors travel with the tokens (see :func:`parser_vectors`).
    whole, first = (doc.doc, doc.start) if isinstance(doc, Span) else (doc, 0)
    if whole.tensor.size and whole.tensor.shape[0] == len(whole):
        out.tensor = whole.tensor[first : first + len(tokens)].copy()
    return out


@registry.layers("saywho.ParserVectors.v1")
def parser_vectors(width: int) -> Model[list[Doc], list[Floats2d]]:
    """The parse's own token vectors (``Doc.tensor``, which en_core_web_sm's tok2vec leaves
    on every Doc it parses) as a fixed input: free at inference, and they carry what the
    parser saw of each word's context."""
    return Model("saywho.parser_vectors", _parser_vectors_forward, dims={"nO": width})


def _parser_vectors_forward(model: Model, docs: list[Doc], is_train: bool):
    width = model.get_dim("nO")
    out = []
    for doc in docs:
        if not len(doc):
            out.append(model.ops.alloc2f(0, width))
            continue
        if not doc.tensor.size:
            raise ModelError(
                "the learned tagger reads the parse's token vectors (Doc.tensor), and this "
                "parse has none: parse with a pipeline that has a tok2vec, such as en_core_web_sm"
            )
        if doc.tensor.shape != (len(doc), width):
            raise ModelError(
                f"the parse's token vectors are {doc.tensor.shape[-1]} wide; the learned tagger reads {width}"
            )
        out.append(model.ops.asarray2f(doc.tensor))
    return out, lambda d_out: []


#: The embedding architecture of :func:`parsed_embed`, as configs name it.
PARSED_EMBED = "saywho.ParsedEmbed.v1"


@registry.architectures(PARSED_EMBED)
def parsed_embed(
    width: int, attrs: list[str], rows: list[int], include_static_vectors: bool, parser_width: int, parser: str
) -> Model[list[Doc], list[Floats2d]]:
    """spaCy's MultiHashEmbed beside :func:`parser_vectors`, mixed down to ``width``.
    ``parser`` names the pipeline whose vectors the model learned from
    (:func:`saywho.nlp.pipeline_identity`): no other pipeline's vectors mean the same."""
    from spacy.ml.models.tok2vec import MultiHashEmbed
    from thinc.api import Maxout, chain, concatenate, with_array

    hashed = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=include_static_vectors)
    mix = with_array(Maxout(width, width + parser_width, nP=3, normalize=True))
    return chain(concatenate(hashed, parser_vectors(parser_width)), mix)


#: Where a training Doc's token vectors wait in its user data (see :func:`write_parsed_docbin`).
_VECTORS_KEY = "saywho.parser_vectors"


def parsed_training_docs(
    golds: Iterable[GoldDocument], parsed: Iterable[Doc], max_tokens: int = WINDOW_TOKENS
) -> Iterator[Doc]:
    """Windows of the parsed articles ``parsed`` (en_core_web_sm Docs of ``golds``' texts,
    in the same order) as :func:`features_doc` Docs with the gold roles as entities."""
    for gold, doc in zip(golds, parsed, strict=True):
        if doc.text != gold.text:
            raise ValueError(f"{gold.name}: the parsed Doc is not of this article's text")
        pieces = role_pieces(gold)
        structure = structure_features(doc)
        for start, end in windows(gold.text, doc, max_tokens):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            window = features_doc(span, structure=structure[span.start : span.end])
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
    docbin = DocBin(attrs=PARSED_ATTRS, store_user_data=True)
    n = 0
    for doc in parsed_training_docs(golds, parsed):
        if doc.tensor.size:
            # DocBin keeps no tensor; half precision halves the file and changes no tag.
            doc.user_data[_VECTORS_KEY] = {
                "shape": list(doc.tensor.shape),
                "data": doc.tensor.astype(np.float16).tobytes(),
            }
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
            vectors = reference.user_data.pop(_VECTORS_KEY, None)
            if vectors:
                data = np.frombuffer(vectors["data"], dtype=np.float16)
                reference.tensor = data.reshape(vectors["shape"]).astype(np.float32)
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
    # A span of whitespace alone is none. (Doc.text joins every token: read it once.)
    text = doc.text
    return [(s, e, r, f, l) for s, e, r, f, l in out if text[s - base : e - base].strip()]


def _paragraph_index(text: str) -> list[int]:
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    return starts


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
    """BIO tags of a Doc's entities (the roles the ``ner`` predicted)."""
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in doc]


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
    return "TAG" in _embed_config(nlp.config).get("attrs", ())


def vectors_parser(learned: Learned) -> str | None:
    """The pipeline whose token vectors ``learned`` reads (see :func:`parsed_embed`); None
    for a model that reads none."""
    embed = _embed_config(getattr(learned, "config", None))
    return embed.get("parser") if embed.get("@architectures") == PARSED_EMBED else None


def _embed_config(config: Any) -> dict:
    """The tok2vec embedding section of a spaCy config; empty where there is none."""
    try:
        embed = config["components"]["tok2vec"]["model"]["embed"]
    except (KeyError, TypeError):
        return {}
    return embed if isinstance(embed, dict) else {}


def check_parser(learned: Learned, nlp: Language) -> None:
    """Raise :class:`ModelError` where ``learned`` reads the token vectors of another pipeline
    than ``nlp``: read from another pipeline, they would give wrong attributions, silently."""
    from saywho.nlp import pipeline_identity

    wanted = vectors_parser(learned)
    if wanted is not None and wanted != pipeline_identity(nlp):
        raise ModelError(
            f"the learned model reads the token vectors of {wanted}, and the analysis parses "
            f"with {pipeline_identity(nlp)}: parse with {wanted}, or use --model rules"
        )


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
    sentence-end boundary repair of :func:`extend_contents`), reading ``chunks`` (the article
    parsed by en_core_web_sm; parsed here when absent)."""
    if chunks is None:
        from saywho.nlp import load_pipeline

        chunks = [(load_pipeline()(text), 0)]
    spans = predict_parsed_spans(text, chunks, nlp)
    if extend:
        spans = extend_contents(text, spans)
    return to_document(text, group_spans(text, spans))


def gold_to_document(gold: GoldDocument) -> Document:
    """The tokenisation ceiling: gold -> BIO tags (blank English tokens) -> spans -> Document."""
    import spacy

    nlp = spacy.blank("en")
    pieces = role_pieces(gold)
    docs = []
    for start, end in windows(gold.text, nlp):
        doc = nlp.make_doc(gold.text[start:end])
        tags = bio_tags(doc, pieces, start)
        doc.set_ents([Span(doc, first, last + 1, label=role) for _, _, role, first, last in tags_to_spans(doc, tags)])
        docs.append((doc, start))
    return to_document(gold.text, group_spans(gold.text, spans_of_docs(gold.text, docs)))



# --------------------------------------------------------------------------- training

CONFIG = Path(__file__).with_name("train_config.cfg")


#: Most training steps of each half-trained tagger that :func:`train` uses to fit the
#: content-boundary model.
HALF_STEPS = 8000


def train(
    polnear_dir: str | Path,
    output: str | Path,
    *,
    work_dir: str | Path | None = None,
    dev_limit: int | None = None,
    overrides: dict | None = None,
    config: str | Path = CONFIG,
    train_limit: int | None = None,
    parser: Language | None = None,
    boundaries: bool = True,
    half_steps: int = HALF_STEPS,
    report: Callable[[str], None] = lambda line: None,
) -> Path:
    """Train the model on (the first ``train_limit`` articles of) ``polnear_dir``/train,
    selecting on (the first ``dev_limit`` articles of) ``polnear_dir``/dev; returns the best
    model's directory. The articles are parsed first by ``parser`` (en_core_web_sm by
    default), whose annotation the model reads; ``report`` hears of each stage. Seeded by
    the config's ``system.seed``.

    With ``boundaries``, the content-boundary model (:mod:`saywho.bounds`) is fitted too and
    written beside the tagger: two more taggers, each trained on one half of the articles
    (at most ``half_steps`` steps, in a second process while the main tagger trains), read
    the other half, so that the boundary model learns from readings of unseen articles."""
    from spacy.util import load_config

    from saywho.evaluate import load_polnear
    from saywho.nlp import load_pipeline, pipeline_identity

    polnear_dir, output = Path(polnear_dir), Path(output)
    work = Path(work_dir) if work_dir else output / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    parser = parser or load_pipeline()
    train_golds = load_polnear(polnear_dir / "train")
    train_golds = train_golds[:train_limit] if train_limit else train_golds
    dev_golds = load_polnear(polnear_dir / "dev")

    def parse_and_write(name: str, golds: list[GoldDocument]) -> list[Doc]:
        report(f"parsing PolNeAR {name} ({len(golds)} articles) with en_core_web_sm ...")
        parsed = list(parser.pipe((g.text for g in golds), batch_size=16))
        windows_written = write_parsed_docbin(golds, parsed, work / f"{name}.spacy")
        report(f"  {windows_written} windows written to {work / f'{name}.spacy'}")
        return parsed

    parsed_train = parse_and_write("train", train_golds)
    parse_and_write("dev", dev_golds[:dev_limit] if dev_limit else dev_golds)
    settings = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
    config_data = load_config(config)
    if _embed_config(config_data).get("@architectures") == PARSED_EMBED:
        # The model learns this parser's token vectors: it says so, and is refused with another.
        settings["components.tok2vec.model.embed.parser"] = pipeline_identity(parser)
    settings.update(overrides or {})
    every = settings.get("training.eval_frequency") or config_data["training"]["eval_frequency"]
    if "training.max_steps" in settings and "training.eval_frequency" not in settings:
        # A short run is still scored (and its best model chosen) at least once after step 0.
        settings["training.eval_frequency"] = min(every, settings["training.max_steps"])
    if boundaries and len(train_golds) < 2:
        report("too few training articles for the content-boundary model (two halves are needed): not fitted")
        boundaries = False
    if not boundaries:
        _train_tagger(str(config), str(output), settings)
        return output / "model-best"

    halves = []
    for k in (0, 1):
        written = write_parsed_docbin(train_golds[k::2], parsed_train[k::2], work / f"half{k}.spacy")
        half_settings = settings | {"paths.train": str(work / f"half{k}.spacy")}
        half_settings["training.max_steps"] = min(half_steps, settings.get("training.max_steps", half_steps))
        half_settings["training.eval_frequency"] = min(
            settings.get("training.eval_frequency", every), half_settings["training.max_steps"]
        )
        halves.append((str(config), str(work / f"half{k}"), half_settings, str(work / f"half{k}.log")))
        report(f"  half {k}: {written} windows; its tagger trains in a second process (log: {work / f'half{k}.log'})")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending = pool.submit(_train_taggers, halves)
        _train_tagger(str(config), str(output), settings)
        report("waiting for the half-trained taggers ...")
        half_models = pending.result()
    # Article i lies in half i % 2 and is read by the tagger of the other half.
    readers = [load_model(half_models[1]), load_model(half_models[0])]
    model = fit_boundaries(train_golds, parsed_train, readers, report=report)
    model.to_disk(output / "model-best" / BOUNDS_FILE)
    report(f"  content-boundary model written to {output / 'model-best' / BOUNDS_FILE}")
    return output / "model-best"


def _forget_corpus_paths(model_dir: Path) -> None:
    """spaCy saves the training run's corpus files in the model's config; they name this
    run's work folder, which a shipped or copied model does not have."""
    from thinc.api import Config

    path = model_dir / "config.cfg"
    config = Config().from_disk(path, interpolate=False)
    config["paths"]["train"] = config["paths"]["dev"] = None
    config.to_disk(path)


def _train_tagger(config: str, output: str, settings: dict, log: str | None = None) -> str:
    """Run spaCy's training loop (in this process); its table goes to ``log`` when given.
    Returns the best model's folder, whose config names no corpus files of the run."""
    from spacy.cli.train import train as spacy_train

    if log is None:
        spacy_train(config, output, overrides=settings)
    else:
        with open(log, "w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
            spacy_train(config, output, overrides=settings)
    best = Path(output) / "model-best"
    _forget_corpus_paths(best)
    return str(best)


def _train_taggers(jobs: Sequence[tuple[str, str, dict, str]]) -> list[str]:
    """Train several taggers one after the other (run in a second process)."""
    return [_train_tagger(*job) for job in jobs]


#: The model that ships with saywho (``--model default``), trained by ``saywho train polnear``.
DEFAULT_MODEL = Path(__file__).with_name("models") / "attribution"


def load_model(name: str | Path = "default") -> Learned:
    """The learned model ``name``: "default" for the one that ships with saywho, else the
    folder of a model trained by ``saywho train polnear`` (a spaCy pipeline) or of an
    accurate-mode model (``model.onnx`` or ``model.int8.onnx`` with ``tokenizer.json``, see
    :mod:`saywho.accurate`; needs the optional packages onnxruntime and tokenizers).
    Raises :class:`ModelError`."""
    import spacy

    from saywho import accurate

    path = DEFAULT_MODEL if str(name) == "default" else Path(name)
    onnx_file = accurate.model_file(path)
    if onnx_file is not None:
        try:
            tagger = accurate.OnnxTagger(path, model_file=onnx_file)
        except ImportError as error:
            raise ModelError(
                f"{path} is an accurate-mode model, which needs the optional packages "
                f"onnxruntime and tokenizers ({error.name} is missing): pip install 'saywho[accurate]'"
            ) from None
        except Exception as error:  # noqa: BLE001 - ONNX Runtime's and tokenizers' load errors, one message
            raise ModelError(f"cannot load the accurate-mode model in {path}: {error}") from None
        _BOUNDS_OF[tagger] = _read_bounds(path) or _borrowed_arbiter()
        return tagger
    if not (path / "config.cfg").is_file():
        raise ModelError(
            f"{name} is neither 'default' nor a folder holding a trained model "
            "(config.cfg, or model.onnx with tokenizer.json)"
        )
    try:
        nlp = spacy.load(path)
    except Exception as error:  # noqa: BLE001 - spaCy's many load errors, one message
        raise ModelError(f"cannot load the model in {path}: {error}") from None
    if not reads_parse(nlp) or "ner" not in nlp.pipe_names or set(nlp.get_pipe("ner").labels) != set(ROLES):
        raise ModelError(
            f"{path} holds a spaCy pipeline but not a saywho attribution model "
            "(one trained by 'saywho train polnear')"
        )
    # Read now: a broken bounds.json is refused here, not halfway through a run, and the
    # analysis of each article finds the boundary model without looking at the disk.
    _BOUNDS_OF[nlp] = _read_bounds(path)
    return nlp


def fit_boundaries(
    golds: Sequence[GoldDocument],
    parsed: Sequence[Doc],
    readers: Sequence[Learned],
    report: Callable[[str], None] = lambda line: None,
) -> BoundsModel:
    """The content-boundary model (:mod:`saywho.bounds`) and the cue and source arbiter
    (:mod:`saywho.arbiter`), one table of weights, fitted to how the rules and a tagger read
    ``golds`` (``parsed``: their en_core_web_sm Docs). Article ``i`` is read by
    ``readers[i % len(readers)]``, a tagger trained without it: a tagger's reading of its
    own training articles is far better than of new ones, and so would be its hints."""
    from saywho import arbiter, bounds
    from saywho.core import arbiter_choices, boundary_items

    # Each article is read by its tagger once; both fits below use that reading.
    paired = [(gold, doc, readers[i % len(readers)]) for i, (gold, doc) in enumerate(zip(golds, parsed, strict=True))]
    articles = [(gold, doc, reader, learned_document(gold.text, reader, chunks=[(doc, 0)])) for gold, doc, reader in paired]
    # First the cue and source arbiter, then the boundaries of the contents it leaves.
    choices = []
    for gold, doc, reader, alone in articles:
        choices.extend(arbiter.training_examples(gold, arbiter_choices(gold.text, [(doc, 0)], reader, alone)))
    report(f"fitting the cue and source arbiter to {len(choices)} choices ...")
    chooser = bounds.train(choices)
    examples = []
    for gold, doc, reader, alone in articles:
        items = boundary_items(gold.text, [(doc, 0)], reader, chooser, alone)
        examples.extend(bounds.training_examples(gold, items, doc))
    report(f"fitting the content-boundary model to {len(examples)} start and end decisions ...")
    edges = bounds.train(examples)
    return bounds.BoundsModel({**chooser.weights, **edges.weights})


#: The content-boundary model's file in a model folder (see :mod:`saywho.bounds`).
BOUNDS_FILE = "bounds.json"


#: The boundary model each model loaded by :func:`load_model` came with (None: without one).
_BOUNDS_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def boundary_model(learned: Learned) -> BoundsModel | None:
    """The content-boundary model that came with ``learned`` (``bounds.json`` in its
    folder), or None for a model without one."""
    try:
        return _BOUNDS_OF[learned]
    except (KeyError, TypeError):  # not loaded by load_model (TypeError: no weak reference)
        pass
    folder = getattr(learned, "path", None)
    model = None if folder is None else _read_bounds(Path(folder))
    try:
        _BOUNDS_OF[learned] = model  # read once for this model, as load_model does
    except TypeError:
        pass
    return model


def _read_bounds(folder: Path) -> BoundsModel | None:
    path = folder / BOUNDS_FILE
    return BoundsModel.from_disk(path) if path.is_file() else None


def _borrowed_arbiter() -> BoundsModel | None:
    """The shipped model's cue and source arbiter (:mod:`saywho.arbiter`), for an
    accurate-mode model without a ``bounds.json`` of its own: fitting one takes accurate
    taggers trained on halves of PolNeAR, a GPU's work. The arbiter's features describe the
    two readings, not the tagger that made one. Measured on PolNeAR dev with the fp32
    accurate model: exact source 77.0 -> 77.6, cue and content as they were. The shipped
    boundary weights learned the CPU tagger's edges and lowered its content (61.0 -> 60.3):
    they are not borrowed, and without them every content keeps its edges."""
    from saywho.arbiter import arbiter_weights

    shipped = _read_bounds(DEFAULT_MODEL)
    return None if shipped is None else arbiter_weights(shipped)


def model_first(learned: Learned) -> bool:
    """Whether the analysis lets ``learned``'s attributions replace the rules' (the accurate
    mode, better than the rules on every role) rather than only adding what the rules
    missed (the default CPU model); see ``saywho.core``."""
    return not isinstance(learned, Language)


def learned_document(text: str, learned: Learned, chunks: Sequence[tuple[Doc, int]] | None = None) -> Document:
    """The attributions of ``text`` by the learned model alone: a spaCy pipeline of
    :func:`train` (reading the article's parsed ``chunks`` when it takes the parse) or an
    accurate-mode :class:`~saywho.accurate.OnnxTagger` (which reads the raw text)."""
    if isinstance(learned, Language):
        return analyze_learned(text, learned, chunks=chunks)
    from saywho.accurate import analyze

    return analyze(text, learned)
