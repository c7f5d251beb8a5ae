"""The pure parts of the optional accurate-mode tagger (saywho.accurate): windowing, label
alignment, window merging and decoding. None of these needs torch, onnxruntime or tokenizers;
the one test that does is skipped without them."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saywho.accurate import (
    LABELS,
    char_roles,
    gold_spans,
    log_softmax,
    merge_windows,
    span_layout,
    span_f1,
    tags_to_char_spans,
    token_labels,
    token_windows,
    viterbi,
    window_batch,
)


def words(text: str) -> list[tuple[int, int]]:
    """Offsets of a crude wordpiece stand-in: runs of letters/digits and single other characters."""
    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


# --------------------------------------------------------------------------- windows


@given(st.integers(0, 3000), st.integers(1, 600), st.integers(1, 600))
def test_windows_cover_every_token_and_respect_size(n, size, stride):
    spans = token_windows(n, size, stride)
    covered = np.zeros(n, dtype=bool)
    for a, b in spans:
        assert 0 <= a < b <= n
        assert b - a <= size
        covered[a:b] = True
    assert covered.all()
    assert len(spans) == len(set(spans))
    if n:
        assert spans[0][0] == 0 and spans[-1][1] == n


def test_windows_examples():
    assert token_windows(0) == []
    assert token_windows(10, 254, 128) == [(0, 10)]
    assert token_windows(300, 254, 128) == [(0, 254), (46, 300)]
    assert token_windows(600, 254, 128) == [(0, 254), (128, 382), (256, 510), (346, 600)]
    with pytest.raises(ValueError):
        token_windows(10, 0, 1)


def test_window_batch_adds_specials_and_pads():
    ids, mask = window_batch([5, 6, 7, 8], [(0, 3), (2, 4)], cls=101, sep=102, pad=0)
    assert ids.tolist() == [[101, 5, 6, 7, 102], [101, 7, 8, 102, 0]]
    assert mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
    assert ids.dtype == np.int64 and mask.dtype == np.int64


@given(st.integers(1, 400), st.integers(2, 64), st.integers(1, 64))
def test_merge_windows_takes_each_token_from_its_most_central_window(n, size, stride):
    spans = token_windows(n, size, stride)
    # Window w scores token t as (w, t): the merged row tells which window was used.
    logits = []
    for w, (a, b) in enumerate(spans):
        rows = np.zeros((b - a, 7), dtype="float32")
        rows[:, 0] = w
        rows[:, 6] = np.arange(a, b)
        logits.append(rows)
    merged = merge_windows(n, spans, logits)
    assert merged.shape == (n, 7)
    for t in range(n):
        w = int(merged[t, 0])
        a, b = spans[w]
        assert a <= t < b and merged[t, 6] == t
        best = max(min(t - a2, b2 - 1 - t) for a2, b2 in spans if a2 <= t < b2)
        assert min(t - a, b - 1 - t) == best


# --------------------------------------------------------------------------- labels


def test_char_roles_first_annotation_wins():
    role, piece = char_roles(10, [(2, 6, "CONTENT"), (4, 8, "SOURCE")])
    assert role == [None, None, "CONTENT", "CONTENT", "CONTENT", "CONTENT", "SOURCE", "SOURCE", None, None]
    assert piece[5] == 0 and piece[6] == 1


def test_token_labels_bio_and_pieces():
    text = "Smith said that taxes rose , and that jobs fell ."
    pieces = [
        (0, 5, "SOURCE"),
        (6, 10, "CUE"),
        (11, 25, "CONTENT"),
        (32, 48, "CONTENT"),  # second piece of a discontinuous content: starts with B-
    ]
    labels = token_labels(words(text), text, pieces)
    assert labels == [
        "B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "I-CONTENT", "O", "O",
        "B-CONTENT", "I-CONTENT", "I-CONTENT", "O",
    ]


def test_token_labels_adjacent_pieces_of_one_role_start_again():
    text = "ab cd"
    labels = token_labels([(0, 2), (3, 5)], text, [(0, 2, "CUE"), (3, 5, "CUE")])
    assert labels == ["B-CUE", "B-CUE"]


def test_token_labels_special_tokens_are_o():
    assert token_labels([(0, 0), (0, 2)], "ab", [(0, 2, "CUE")]) == ["O", "B-CUE"]


# --------------------------------------------------------------------------- decoding


def test_viterbi_never_starts_or_continues_a_span_wrongly():
    # Argmax would say I-CUE first and I-SOURCE after B-CUE.
    scores = np.full((3, len(LABELS)), -5.0)
    scores[0, LABELS.index("I-CUE")] = 0.0
    scores[0, LABELS.index("B-CUE")] = -0.5
    scores[1, LABELS.index("I-CUE")] = -0.1
    scores[2, LABELS.index("I-SOURCE")] = 0.0
    scores[2, LABELS.index("O")] = -1.0
    tags = viterbi(scores)
    assert tags[:2] == ["B-CUE", "I-CUE"]
    assert tags[2] != "I-SOURCE"
    assert viterbi(np.zeros((0, len(LABELS)))) == []


def test_tags_to_char_spans_round_trip_and_snap():
    text = "Smith said that taxes rose."
    offsets = words(text)
    tags = token_labels(offsets, text, [(0, 5, "SOURCE"), (6, 10, "CUE"), (11, 26, "CONTENT")])
    assert tags_to_char_spans(text, offsets, tags) == [(0, 5, "SOURCE"), (6, 10, "CUE"), (11, 26, "CONTENT")]
    # Wordpieces "Smi" "##th": a span ending inside a word is widened to the word.
    pieces = [(0, 3), (3, 5), (6, 10)]
    assert tags_to_char_spans(text, pieces, ["B-SOURCE", "O", "B-CUE"]) == [(0, 5, "SOURCE"), (6, 10, "CUE")]
    assert tags_to_char_spans(text, pieces, ["B-SOURCE", "O", "B-CUE"], snap=False) == [(0, 3, "SOURCE"), (6, 10, "CUE")]


def test_gold_spans_merge_and_strip():
    doc = {"text": "  a b  c", "pieces": [[0, 4, "CUE"], [5, 8, "CONTENT"]]}
    assert gold_spans(doc) == [(2, 3, "CUE"), (7, 8, "CONTENT")]


ROLE_TAGS = st.sampled_from(LABELS)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab1 ,.\n\u00a0é’")), max_size=60),
    st.data(),
)
def test_decoded_spans_slice_the_text_exactly(text, data):
    offsets = words(text)
    tags = data.draw(st.lists(ROLE_TAGS, min_size=len(offsets), max_size=len(offsets)))
    spans = tags_to_char_spans(text, offsets, tags)
    previous_end = 0
    for start, end, role in spans:
        assert role in ("SOURCE", "CUE", "CONTENT")
        assert 0 <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert start >= previous_end  # ordered, non-overlapping
        previous_end = end
    # With scores from the tags, Viterbi returns valid BIO that decodes the same way.
    scores = np.full((len(tags), len(LABELS)), -10.0)
    for i, tag in enumerate(tags):
        scores[i, LABELS.index(tag)] = 0.0
    fixed = viterbi(log_softmax(scores))
    for i, tag in enumerate(fixed):
        if tag.startswith("I-"):
            assert i > 0 and fixed[i - 1][2:] == tag[2:]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_gold_labels_decode_back_to_gold_pieces(data):
    """Word-aligned, non-touching pieces survive labels -> decoding unchanged."""
    text = " ".join(data.draw(st.lists(st.sampled_from(["alpha", "b", "said", "x1", ","]), min_size=1, max_size=30)))
    offsets = words(text)
    pieces = []
    i = 0
    while i < len(offsets):
        length = data.draw(st.integers(1, 4))
        role = data.draw(st.sampled_from([None, "SOURCE", "CUE", "CONTENT"]))
        j = min(len(offsets), i + length)
        if role:
            pieces.append((offsets[i][0], offsets[j - 1][1], role))
        i = j + 1  # leave a gap so that pieces never touch
    labels = token_labels(offsets, text, pieces)
    assert tags_to_char_spans(text, offsets, labels) == pieces


def test_span_layout_words_paragraphs_and_sentences():
    text = "Smith said it. Jones said “no. never.”\nLater, Brown said yes."
    spans = [(0, 5, "SOURCE"), (15, 20, "SOURCE"), (26, 38, "CONTENT"), (46, 51, "SOURCE")]
    rows = span_layout(text, spans)
    assert [r[:3] for r in rows] == [(r, s, e) for s, e, r in spans]
    assert [r[3] for r in rows] == [0, 3, 5, 8]  # first word
    assert [r[5] for r in rows] == [0, 0, 0, 1]  # paragraph
    # A sentence ends after "it." but not inside the content; the line break ends one.
    assert [r[6] for r in rows] == [0, 1, 1, 2]


def test_span_f1():
    gold = {"a": [(0, 5, "SOURCE"), (6, 10, "CUE")]}
    assert span_f1(gold, {"a": [(0, 5, "SOURCE")]})["SOURCE"] == 100.0
    assert span_f1(gold, {"a": [(0, 5, "SOURCE")]})["CUE"] == 0.0


# --------------------------------------------------------------------------- optional runtimes


def _write_tokenizer(folder, vocab) -> None:
    """A lower-casing BERT-style wordpiece tokenizer.json over ``vocab`` in ``folder``."""
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer(
        tokenizers.models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]")
    )
    tokenizer.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    tokenizer.save(str(folder / "tokenizer.json"))


def test_onnx_tagger_on_a_tiny_exported_model(tmp_path):
    """Export an untrained, tiny model and run it through OnnxTagger (torch, onnx,
    onnxruntime and tokenizers needed; skipped without them)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    pytest.importorskip("tokenizers")
    from saywho.accurate import OnnxTagger, build_model, export_onnx

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "smith", "said", "tax", "##es", ".", "rose"]
    _write_tokenizer(tmp_path, vocab)
    config = {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 16,
              "vocab_size": len(vocab), "max_position_embeddings": 32, "type_vocab_size": 2}
    torch.manual_seed(0)
    export_onnx(build_model(config).eval(), tmp_path / "model.onnx")
    tagger = OnnxTagger(tmp_path, threads=1, window=8, stride=4)
    text = "Smith said taxes rose. " * 5
    for start, end, role in tagger.predict_spans(text):
        assert 0 <= start < end <= len(text) and text[start:end] == text[start:end].strip()
        assert role in ("SOURCE", "CUE", "CONTENT")


def test_group_spans_nearest_cue_and_source():
    from saywho.accurate import group_spans
    from saywho.learn import RoleSpan

    text = "x" * 200
    spans = [
        RoleSpan("CONTENT", 0, 10, 0, 3, 0, 0),
        RoleSpan("SOURCE", 12, 14, 4, 4, 0, 0),
        RoleSpan("CUE", 15, 19, 5, 5, 0, 0),
        RoleSpan("CONTENT", 21, 30, 6, 9, 0, 0),
        RoleSpan("CONTENT", 100, 110, 50, 52, 1, 3),  # no cue in its paragraph, too far
        RoleSpan("CUE", 150, 154, 120, 120, 2, 5),  # a cue without content: no attribution
    ]
    assert group_spans(text, spans) == [
        {"content": [(0, 10), (21, 30)], "cue": [(15, 19)], "speaker": [(12, 14)]},
        {"content": [(100, 110)], "cue": [], "speaker": []},
    ]


def test_group_spans_joins_quote_pieces_and_picks_sources():
    from saywho.accurate import group_spans
    from saywho.learn import RoleSpan

    # The last content is in another paragraph, more than 40 words from any cue: an orphan.
    text = "“Taxes rose,” Smith said, “and jobs fell.” Jones said that was wrong.\n" + "x " * 45 + "An orphan line."
    far = text.index("An orphan")
    found = [
        (1, 11, "CONTENT"), (14, 19, "SOURCE"), (20, 24, "CUE"), (27, 41, "CONTENT"),
        (43, 48, "SOURCE"), (49, 53, "CUE"), (54, 68, "CONTENT"), (far, far + 9, "CONTENT"),
    ]
    spans = [RoleSpan(*row) for row in span_layout(text, found)]
    attributions = group_spans(text, spans)
    assert attributions == [
        {"content": [(1, 11), (27, 41)], "cue": [(20, 24)], "speaker": [(14, 19)]},
        {"content": [(54, 68)], "cue": [(49, 53)], "speaker": [(43, 48)]},
        {"content": [(far, far + 9)], "cue": [], "speaker": []},
    ]
    # Two content pieces separated only by a quotation mark and a space are one content.
    text2 = "He said that “the plan failed.”"
    spans2 = [RoleSpan(*row) for row in span_layout(text2, [(0, 2, "SOURCE"), (3, 7, "CUE"), (8, 12, "CONTENT"), (14, 30, "CONTENT")])]
    assert group_spans(text2, spans2)[0]["content"] == [(8, 30)]


# --------------------------------------------------------------------------- the accurate mode in the analysis

# A hand-made "model": every word piece has fixed label scores, so the tagger's output is
# known in advance. Built with onnx's graph helpers: no torch, no training.
_TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "officials", "said", "the", "plan", "will", "fail", "."]
_TINY_LABEL = {"officials": "B-SOURCE", "said": "B-CUE", "the": "B-CONTENT", "plan": "I-CONTENT",
               "will": "I-CONTENT", "fail": "I-CONTENT"}
TINY_TEXT = "Officials said the plan will fail."


def _write_tiny_accurate_model(folder):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    from saywho.accurate import LABEL_ID, LABELS

    folder.mkdir(parents=True, exist_ok=True)
    _write_tokenizer(folder, _TINY_VOCAB)

    table = np.full((len(_TINY_VOCAB), len(LABELS)), -5.0, dtype=np.float32)
    for i, word in enumerate(_TINY_VOCAB):
        table[i, LABEL_ID[_TINY_LABEL.get(word, "O")]] = 5.0
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["scores"], axis=0),
            helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["mask", "last"], ["mask3"]),
            helper.make_node("Mul", ["scores", "mask3"], ["logits"]),
        ],
        "tiny_tagger",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "pieces"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "pieces"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "pieces", len(LABELS)])],
        initializer=[numpy_helper.from_array(table, "table"),
                     numpy_helper.from_array(np.array([-1], dtype=np.int64), "last")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(folder / "model.onnx"))
    return folder


@pytest.fixture(scope="module")
def tiny_accurate_model(tmp_path_factory):
    pytest.importorskip("onnxruntime")
    return _write_tiny_accurate_model(tmp_path_factory.mktemp("accurate") / "model")


def test_load_model_reads_an_accurate_folder_and_tags_with_it(tiny_accurate_model):
    from saywho.accurate import OnnxTagger
    from saywho.learn import load_model

    tagger = load_model(tiny_accurate_model)
    assert isinstance(tagger, OnnxTagger)
    spans = tagger.predict_spans(TINY_TEXT)
    assert [(TINY_TEXT[s:e], role) for s, e, role in spans] == [
        ("Officials", "SOURCE"), ("said", "CUE"), ("the plan will fail", "CONTENT")
    ]


def test_an_accurate_model_without_bounds_borrows_the_shipped_arbiter_only(tiny_accurate_model, tmp_path):
    """No bounds.json of its own: the shipped model's cue and source arbiter, not its
    content-boundary weights (learned on the CPU tagger's edges); one of its own is its own."""
    import shutil

    from saywho.bounds import BoundsModel
    from saywho.learn import BOUNDS_FILE, DEFAULT_MODEL, boundary_model, load_model

    shipped = BoundsModel.from_disk(DEFAULT_MODEL / BOUNDS_FILE).weights
    borrowed = boundary_model(load_model(tiny_accurate_model)).weights
    assert borrowed and all(k.startswith(("cue:", "source:")) for k in borrowed)
    assert borrowed == {k: v for k, v in shipped.items() if k.startswith(("cue:", "source:"))}
    assert any(k.startswith(("start:", "end:")) for k in shipped)
    own = shutil.copytree(tiny_accurate_model, tmp_path / "own")
    BoundsModel({"start:bias": 1.0}).to_disk(own / BOUNDS_FILE)
    assert boundary_model(load_model(own)).weights == {"start:bias": 1.0}


def test_the_accurate_model_replaces_the_rules_where_they_share_content(tiny_accurate_model):
    """Model first: where model and rules share content, the attribution is the model's,
    with saywho's speaker resolution and source type; the rules keep what the model missed."""
    from saywho import analyze
    from saywho.learn import load_model

    text = "Officials said the plan will fail. A spokesman claimed prices are rising."
    rules = analyze(text)
    document = analyze(text, learned=load_model(tiny_accurate_model))
    assert len(rules.attributions) == len(document.attributions) == 2
    first, second = document.attributions
    assert (first.rule, first.speaker_text, first.cue_text, first.content_text) == (
        "learned", "Officials", "said", "the plan will fail"
    )
    assert first.source_type == rules.attributions[0].source_type
    # The model tags nothing in the second sentence (none of its words is in its vocabulary).
    assert second.rule != "learned" and second.speaker_text == "A spokesman"
    for attribution in document.attributions:
        for role in (attribution.content, attribution.cue, attribution.speaker):
            for start, end in role:
                assert end > start and text[start:end] == text[start:end].strip()


def test_analyze_takes_an_accurate_model_folder(cli, tiny_accurate_model, tmp_path):
    import json

    article = tmp_path / "a.txt"
    article.write_text(TINY_TEXT, encoding="utf-8")
    result = cli("analyze", article, "--model", tiny_accurate_model, "--format", "json")
    assert result.code == 0, result.err
    (attribution,) = json.loads(result.out)["attributions"]
    assert (attribution["speaker_text"], attribution["cue_text"], attribution["content_text"]) == (
        "Officials", "said", "the plan will fail"
    )


def test_an_accurate_folder_without_onnxruntime_is_a_model_error(tmp_path, monkeypatch):
    import sys

    from saywho.errors import ModelError
    from saywho.learn import load_model

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.int8.onnx").write_bytes(b"not read")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now fails
    with pytest.raises(ModelError, match=r"onnxruntime .*saywho\[accurate\]"):
        load_model(folder)


def test_a_broken_accurate_folder_is_a_one_line_model_error(cli, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"not an onnx file")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(TINY_TEXT, encoding="utf-8")
    result = cli("analyze", article, "--model", folder)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.count("\n") == 1 and "accurate-mode model" in result.err


def test_a_tokenizer_without_window_tokens_is_refused_at_load(tiny_accurate_model, tmp_path):
    """No post-processor and neither [CLS]/[SEP] nor <s>/</s>: the model cannot open a
    window, and load_model says so before any text is read."""
    import shutil

    from saywho.errors import ModelError
    from saywho.learn import load_model

    folder = tmp_path / "model"
    shutil.copytree(tiny_accurate_model, folder)
    _tokenizer_with(None, ("[UNK]", "officials", "said")).save(str(folder / "tokenizer.json"))
    with pytest.raises(ModelError, match="cannot load the accurate-mode model.*neither"):
        load_model(folder)


# --------------------------------------------------------------------------- special tokens, folds, recorded readings


def _tokenizer_with(processor, vocab=("[PAD]", "[UNK]", "[CLS]", "[SEP]", "<s>", "<pad>", "</s>", "said")):
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    if processor is not None:
        tokenizer.post_processor = processor(tokenizers.processors, {w: i for i, w in enumerate(vocab)})
    return tokenizer


def test_special_ids_follow_the_tokenizers_own_post_processor():
    """BERT's [CLS] [SEP] [PAD] or MPNet's <s> </s> <pad>, whichever the tokenizer puts
    around a text, even where its vocabulary holds both (MPNet's does)."""
    from saywho.accurate import special_ids

    bert = _tokenizer_with(lambda p, ids: p.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])]))
    mpnet = _tokenizer_with(lambda p, ids: p.RobertaProcessing(("</s>", ids["</s>"]), ("<s>", ids["<s>"])))
    assert special_ids(bert) == (2, 3, 0)
    assert special_ids(mpnet) == (4, 6, 5)
    # Without a post-processor, the vocabulary's names.
    assert special_ids(_tokenizer_with(None)) == (2, 3, 0)
    assert special_ids(_tokenizer_with(None, ("[UNK]", "<pad>", "<s>", "</s>"))) == (2, 3, 1)
    with pytest.raises(ValueError, match="neither"):
        special_ids(_tokenizer_with(None, ("[UNK]", "said")))


@given(st.integers(0, 40), st.integers(1, 5), st.data())
def test_fold_split_holds_each_article_out_exactly_once(n, folds, data):
    from saywho.accurate import fold_split

    docs = list(range(n))
    held = []
    for fold in range(folds):
        training, held_out = fold_split(docs, folds, fold)
        assert sorted(training + held_out) == docs and not set(training) & set(held_out)
        assert folds == 1 or all(i % folds == fold for i in held_out)
        held.extend(held_out)
    assert sorted(held) == (docs if folds > 1 else [])
    with pytest.raises(ValueError):
        fold_split(docs, folds + 1, data.draw(st.sampled_from([-1, folds + 1])))


def test_a_recorded_reading_replays_in_the_analysis_like_the_model(tiny_accurate_model, tmp_path):
    """A GPU run's reading, replayed by text, gives the analysis the live model gives, with
    the bounds.json of its folder; a text it never read is an error, not an empty reading."""
    from saywho import analyze
    from saywho.accurate import RecordedTagger
    from saywho.bounds import BoundsModel
    from saywho.learn import BOUNDS_FILE, boundary_model, load_model

    live = load_model(tiny_accurate_model)
    reading = {"tiny": [list(s) for s in live.predict_spans(TINY_TEXT)]}
    BoundsModel({"start:bias": 1.0}).to_disk(tmp_path / BOUNDS_FILE)
    recorded = RecordedTagger.from_readings([{"name": "tiny", "text": TINY_TEXT}], [reading], path=tmp_path)
    assert boundary_model(recorded).weights == {"start:bias": 1.0}
    replayed = RecordedTagger.from_readings([{"name": "tiny", "text": TINY_TEXT}], [reading])
    assert analyze(TINY_TEXT, learned=replayed).attributions == analyze(TINY_TEXT, learned=live).attributions
    with pytest.raises(KeyError, match="no recorded reading"):
        replayed.predict_spans("Another text.")
    with pytest.raises(KeyError, match="not among the articles"):
        RecordedTagger.from_readings([], [reading])


def test_the_accurate_models_content_keeps_its_edges_inside_a_quotation():
    """A transcript line quoted whole: the model's content leaves out the speaker's label,
    and saywho keeps that (the CPU model's content would become the whole quotation); the
    attribution is still a direct quote that owns the quotation."""
    from saywho import analyze
    from saywho.accurate import RecordedTagger
    from saywho.model import Kind

    text = 'The debate opened at nine.\n\n"WALLACE: We start with breaking news tonight."'

    def at(words, role):
        start = text.index(words)
        return (start, start + len(words), role)

    reading = [at("WALLACE", "SOURCE"), at(":", "CUE"), at("We start with breaking news tonight.", "CONTENT")]
    (attribution,) = analyze(text, learned=RecordedTagger({text: reading})).attributions
    assert attribution.kind == Kind.DIRECT
    assert (attribution.speaker_text, attribution.content_text) == ("WALLACE", "We start with breaking news tonight.")


def test_the_rules_source_stays_where_the_accurate_model_read_none():
    """The model reads the cue and the content but no source: its reading replaces the
    rules', and the rules' source of that cue stays with it."""
    from saywho import analyze
    from saywho.accurate import RecordedTagger

    text = "The head of state underscored that the republic must prioritize its own defense."
    cue, content = "underscored", "the republic must prioritize its own defense."
    reading = [(text.index(cue), text.index(cue) + len(cue), "CUE"),
               (text.index(content), text.index(content) + len(content), "CONTENT")]
    (rules,) = analyze(text).attributions
    (attribution,) = analyze(text, learned=RecordedTagger({text: reading})).attributions
    assert rules.rule != "learned" and attribution.rule == "learned"
    assert (attribution.speaker_text, attribution.cue_text) == (rules.speaker_text, "underscored") == ("The head of state", "underscored")


def test_an_accurate_cue_keeps_the_nearest_content_on_each_side():
    from saywho.accurate import RecordedTagger, analyze

    text = "Officials said the plan will fail, and the cost will rise."

    def at(words, role):
        return (text.index(words), text.index(words) + len(words), role)

    reading = [at("Officials", "SOURCE"), at("said", "CUE"), at("the plan will fail", "CONTENT"),
               at("the cost will rise", "CONTENT")]
    (attribution,) = analyze(text, RecordedTagger({text: reading})).attributions
    assert attribution.content_text == "the plan will fail"


def test_no_continuation_of_an_accurate_reading():
    """A quotation after the model's attribution that the model left out of its reading is
    not made a continuation of it (the rules alone make one)."""
    from saywho import analyze
    from saywho.accurate import RecordedTagger
    from saywho.model import Kind

    text = 'The mayor said that the plan will fail.\n\n"We have no money left for it."'

    def at(words, role):
        return (text.index(words), text.index(words) + len(words), role)

    reading = [at("The mayor", "SOURCE"), at("said", "CUE"), at("the plan will fail", "CONTENT")]
    assert [a.kind for a in analyze(text).attributions] == [Kind.INDIRECT, Kind.CONTINUATION]
    (attribution,) = analyze(text, learned=RecordedTagger({text: reading})).attributions
    assert attribution.rule == "learned" and attribution.content_text == "the plan will fail"


def test_the_boundary_model_leaves_the_accurate_models_contents_as_read(tmp_path):
    """With a bounds.json that ends every content at its sentence's end, the rules' content
    moves and the accurate model's stays as the model read it."""
    from saywho import analyze
    from saywho.accurate import RecordedTagger
    from saywho.bounds import BoundsModel
    from saywho.learn import BOUNDS_FILE

    text = "The mayor said the plan will fail next year. The governor said the budget was short."

    def at(words, role):
        return (text.index(words), text.index(words) + len(words), role)

    reading = [at("The mayor", "SOURCE"), at("said", "CUE"), at("the plan will fail", "CONTENT")]
    BoundsModel({"end:sentence-end": -10.0}).to_disk(tmp_path / BOUNDS_FILE)
    first, second = analyze(text, learned=RecordedTagger({text: reading}, path=tmp_path)).attributions
    assert (first.rule, first.content_text) == ("learned", "the plan will fail")
    assert second.rule != "learned" and second.content_text == "the"  # moved off its sentence end
    BoundsModel({"end:sentence-end": 10.0}).to_disk(tmp_path / BOUNDS_FILE)
    first, _ = analyze(text, learned=RecordedTagger({text: reading}, path=tmp_path)).attributions
    assert first.content_text == "the plan will fail"


# --------------------------------------------------------------------------- weight soups


@given(st.lists(st.floats(-1e3, 1e3), min_size=6, max_size=6), st.integers(1, 5), st.randoms(use_true_random=False))
def test_mean_weights_is_the_elementwise_mean_in_any_order(values, copies, rng):
    from saywho.accurate import mean_weights

    base = np.array(values).reshape(2, 3)
    states = [{"w": base + k, "b": np.full(3, float(k))} for k in range(copies)]
    mean = mean_weights(states)
    assert np.allclose(mean["w"], base + (copies - 1) / 2)
    assert np.allclose(mean["b"], (copies - 1) / 2)
    shuffled = states[:]
    rng.shuffle(shuffled)
    assert all(np.allclose(mean[k], mean_weights(shuffled)[k]) for k in mean)
    assert np.array_equal(states[0]["w"], base)  # the members are left as they were


def test_mean_weights_refuses_members_that_do_not_match():
    from saywho.accurate import mean_weights

    with pytest.raises(ValueError, match="no weights"):
        mean_weights([])
    with pytest.raises(ValueError, match="other tensors"):
        mean_weights([{"w": np.zeros(2)}, {"v": np.zeros(2)}])
    with pytest.raises(ValueError, match=r"w is \(3,\), not \(2,\)"):
        mean_weights([{"w": np.zeros(2)}, {"w": np.zeros(3)}])


def test_train_then_soup_on_a_tiny_encoder(tmp_path):
    """Two tiny runs from one head seed, kept at their last epoch, averaged by `soup`: the
    soup's weights are the members' mean and its dev reading slices the texts (torch,
    safetensors and tokenizers needed; skipped without them)."""
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    pytest.importorskip("tokenizers")
    import json

    from saywho.accurate import build_model, main

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "smith", "said", "tax", "##es", ".", "rose"]
    encoder = tmp_path / "encoder"
    encoder.mkdir()
    _write_tokenizer(encoder, vocab)
    config = {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 16,
              "vocab_size": len(vocab), "max_position_embeddings": 64, "type_vocab_size": 2}
    (encoder / "config.json").write_text(json.dumps(config))
    torch.manual_seed(3)
    state = {k: v.contiguous() for k, v in build_model(config).state_dict().items() if not k.startswith("classifier")}
    safetensors_torch.save_file(state, str(encoder / "model.safetensors"))
    text = "Smith said taxes rose. Taxes rose."
    doc = {"name": "a", "text": text, "pieces": [[0, 5, "SOURCE"], [6, 10, "CUE"], [11, 21, "CONTENT"]]}
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"train": [doc, {**doc, "name": "b"}], "dev": [doc]}))
    out = tmp_path / "runs"
    common = ["--data", str(data), "--encoder", str(encoder), "--out", str(out), "--epochs", "2", "--batch", "2",
              "--init-seed", "0", "--keep", "last", "--save"]
    for seed in ("0", "1"):
        main(["train", *common, "--seed", seed, "--tag", f"f{seed}"])
    main(["soup", "--weights", str(out / "f0.safetensors"), str(out / "f1.safetensors"), "--encoder", str(encoder),
          "--data", str(data), "--out", str(out), "--tag", "soup"])
    members = [safetensors_torch.load_file(str(out / f"f{s}.safetensors")) for s in (0, 1)]
    soup = safetensors_torch.load_file(str(out / "soup.safetensors"))
    assert not torch.equal(members[0]["classifier.weight"], members[1]["classifier.weight"])
    for name, value in soup.items():
        expected = (members[0][name].float() + members[1][name].float()) / 2
        assert torch.allclose(value.float(), expected, atol=2e-3), name
    for start, end, role in json.loads((out / "soup.dev.json").read_text())["a"]:
        assert text[start:end] == text[start:end].strip() and role in ("SOURCE", "CUE", "CONTENT")


def test_load_json_reads_plain_and_gzipped_files(tmp_path):
    import gzip
    import json

    from saywho.accurate import load_json

    data = {"dev": [{"name": "a", "text": "Smith said – “so”.", "pieces": [[0, 5, "SOURCE"]]}]}
    (tmp_path / "d.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "d.json.gz").write_bytes(gzip.compress(json.dumps(data).encode("utf-8")))
    assert load_json(tmp_path / "d.json") == data == load_json(str(tmp_path / "d.json.gz"))
