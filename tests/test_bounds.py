"""The content-boundary re-ranker (saywho.bounds) on hand-parsed Docs: its candidates, its
moves, its training, its file; and its place in the analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from saywho.bounds import (
    Boundable,
    BoundsModel,
    Decision,
    _Parse,
    best,
    decisions,
    refine_all,
    train,
    training_examples,
)
from saywho.errors import ModelError
from saywho.evaluate import GoldAttribution, GoldDocument

VOCAB = spacy.blank("en").vocab

# Officials said the plan failed badly in May, aides added.\nPrices rose.
ROWS = [
    ("Officials", 1, "nsubj", "NOUN"), ("said", 1, "ROOT", "VERB"), ("the", 3, "det", "DET"),
    ("plan", 4, "nsubj", "NOUN"), ("failed", 1, "ccomp", "VERB"), ("badly", 4, "advmod", "ADV"),
    ("in", 4, "prep", "ADP"), ("May", 6, "pobj", "PROPN"), (",", 1, "punct", "PUNCT"),
    ("aides", 10, "nsubj", "NOUN"), ("added", 1, "conj", "VERB"), (".", 1, "punct", "PUNCT"),
    ("\n", 11, "dep", "SPACE"), ("Prices", 14, "nsubj", "NOUN"), ("rose", 14, "ROOT", "VERB"),
    (".", 14, "punct", "PUNCT"),
]
SPACES = [True, True, True, True, True, True, True, False, True, True, False, False, False, True, False, False]


def hand_parsed() -> Doc:
    return Doc(
        VOCAB,
        words=[r[0] for r in ROWS],
        spaces=SPACES,
        heads=[r[1] for r in ROWS],
        deps=[r[2] for r in ROWS],
        pos=[r[3] for r in ROWS],
        lemmas=[r[0].lower() for r in ROWS],
    )


DOC = hand_parsed()
TEXT = DOC.text


def at(part: str, start: int = 0) -> tuple[int, int]:
    begin = TEXT.index(part, start)
    return begin, begin + len(part)


def said_item(content: str = "the plan failed", hints: list | None = None) -> Boundable:
    return Boundable([at(content)], [at("said")], [at("Officials")], "verb-ccomp", hints or [])


def test_the_hand_parsed_article():
    assert TEXT == "Officials said the plan failed badly in May, aides added.\nPrices rose."
    assert [s.start for s in DOC.sents] == [0, 13]


def test_candidates_stay_in_the_paragraph_off_punctuation_and_off_the_cue_and_source():
    start, end = decisions(_Parse(DOC), 0, said_item())
    words = lambda decision: [DOC[i].text for i in decision.candidates]  # noqa: E731
    # Back from the content to the cue: "said" and "Officials" are never content.
    assert words(start) == ["the", "plan", "failed"]
    # On to the end of the paragraph: no comma, no full stop, nothing after the line break.
    assert words(end) == ["the", "plan", "failed", "badly", "in", "May", "aides", "added"]
    assert (DOC[start.proposed].text, DOC[end.proposed].text) == ("the", "failed")
    assert all(len(features) > 5 for features in start.features + end.features)


def test_features_say_where_a_clause_and_a_sentence_end():
    _, end = decisions(_Parse(DOC), 0, said_item())
    features = dict(zip((DOC[i].text for i in end.candidates), end.features))
    # "May" ends the content clause of the cue verb; "added" ends the sentence (before the
    # full stop and the line break).
    assert "end:cue-ccomp-ends" in features["May"]
    assert "end:cue-ccomp-ends" not in features["failed"]
    assert "end:sentence-end" in features["added"]
    assert "end:sentence-end" not in features["May"]
    assert "end:d=0" in features["failed"] and "end:d=+3-5" in features["May"]


def test_hints_mark_the_edges_another_reader_proposed():
    hinted = said_item(hints=[[at("the plan failed badly")]])
    start, end = decisions(_Parse(DOC), 0, hinted)
    marks = {DOC[i].text: f for i, f in zip(end.candidates, end.features)}
    assert "end:hinted:hint:moved" in marks["badly"]
    assert "end:hinted:nohint:kept" in marks["failed"]


def test_a_model_moves_the_edges_and_the_spans_slice_the_text():
    # Weights that favour an end three to five tokens later than proposed.
    model = BoundsModel({"end:d=+3-5": 5.0})
    (content,) = refine_all(model, [(DOC, 0)], [said_item()])
    assert [TEXT[s:e] for s, e in content] == ["the plan failed badly in May"]
    # No weights: every edge stays where it was.
    assert refine_all(BoundsModel(), [(DOC, 0)], [said_item()]) == [[at("the plan failed")]]


def test_a_content_off_the_chunks_is_left_alone():
    item = Boundable([(500, 510)], [], [], "learned")
    assert refine_all(BoundsModel({"end:d=+1": 9.0}), [(DOC, 0)], [item]) == [[(500, 510)]]


# The words of the first paragraph after the cue.
WORDS = [i for i, t in enumerate(DOC) if not (t.is_punct or t.is_space) and 2 <= i < 12]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.sampled_from(WORDS),
    length=st.integers(0, 8),
    weights=st.dictionaries(
        st.sampled_from(
            ["end:d=+1", "end:d=-1", "end:d=+3-5", "end:d=11+", "start:d=-1", "start:d=+2", "end:sentence-end",
             "end:cue-ccomp-ends", "start:prev=CUEVERB", "end:next=,", "end:roots=1", "start:roots=2"]
        ),
        st.floats(-10, 10, allow_nan=False),
    ),
)
def test_moved_contents_always_slice_the_text_on_word_edges(first, length, weights):
    last = min(first + length, WORDS[-1])
    while DOC[last].is_punct or DOC[last].is_space:
        last -= 1
    if last < first:
        return
    span = (DOC[first].idx, DOC[last].idx + len(DOC[last]))
    item = Boundable([span], [at("said")], [at("Officials")], "verb-ccomp")
    (content,) = refine_all(BoundsModel(weights), [(DOC, 0)], [item])
    starts = {t.idx for t in DOC}
    ends = {t.idx + len(t) for t in DOC}
    for start, end in content:
        assert 0 <= start < end <= len(TEXT)
        assert start in starts and end in ends
        assert TEXT[start:end] == TEXT[start:end].strip()
        # Never the cue or the source, never past the line break.
        assert end <= TEXT.index("\n") and start >= at("said")[1]
    assert content == sorted(content)


def test_training_finds_the_gold_edges_and_learns_to_reach_them():
    gold = GoldDocument(
        "hand", TEXT,
        attributions=[GoldAttribution(content=[at("the plan failed badly in May")], cue=[at("said")], source=[at("Officials")])],
    )
    examples = training_examples(gold, [said_item()], DOC)
    assert [(d.side, DOC[d.candidates[k]].text) for d, k in examples] == [("start", "the"), ("end", "May")]
    model = train(examples * 5, epochs=3)
    start, end = decisions(_Parse(DOC), 0, said_item())
    assert (DOC[best(model, start)].text, DOC[best(model, end)].text) == ("the", "May")


def test_training_skips_polnear_s_leading_that():
    gold = GoldDocument(
        "hand", TEXT.replace("said the", "said the"),
        attributions=[GoldAttribution(content=[at("the plan failed")], cue=[at("said")], source=[at("Officials")])],
    )
    examples = training_examples(gold, [said_item("plan failed")], DOC)
    assert [(d.side, DOC[d.candidates[k]].text) for d, k in examples] == [("start", "the"), ("end", "failed")]


def test_training_prefers_the_feature_that_marks_the_gold_candidate():
    # The gold candidate is always the one with "x", wherever it stands.
    examples = [
        (Decision("end", 0, [0, 1, 2], [["a"] + (["x"] if j == gold else []) for j in range(3)]), gold)
        for gold in (0, 1, 2, 1, 2, 0)
    ]
    model = train(examples, epochs=5)
    new = Decision("end", 0, [7, 8, 9, 10], [["a"], ["a"], ["a"], ["a", "x"]])
    assert best(model, new) == 10
    # Seeded: the same examples give the same weights.
    assert train(examples, epochs=5).weights == model.weights


def test_model_file_round_trip_and_refusals(tmp_path):
    model = BoundsModel({"end:d=0": 1.25, "start:prev=,": -0.5, "tiny": 1e-9})
    path = tmp_path / "bounds.json"
    model.to_disk(path)
    again = BoundsModel.from_disk(path)
    assert again.weights == {"end:d=0": 1.25, "start:prev=,": -0.5}  # what cannot matter is left out
    for broken in ("{", json.dumps({"weights": {}}), json.dumps({"saywho_bounds": 1, "weights": [1]})):
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ModelError, match="not a saywho boundary model"):
            BoundsModel.from_disk(path)
    with pytest.raises(ModelError, match="not a saywho boundary model"):
        BoundsModel.from_disk(tmp_path / "missing.json")


class _Folder:
    def __init__(self, path: Path):
        self.path = path


def test_boundary_model_comes_from_the_model_folder(tmp_path):
    from saywho.learn import BOUNDS_FILE, boundary_model

    assert boundary_model(_Folder(tmp_path)) is None
    assert boundary_model(object()) is None
    BoundsModel({"end:d=0": 2.0}).to_disk(tmp_path / BOUNDS_FILE)
    assert boundary_model(_Folder(tmp_path)).weights == {"end:d=0": 2.0}


def test_the_shipped_model_has_a_boundary_model():
    from saywho.learn import boundary_model, load_model

    model = boundary_model(load_model("default"))
    assert model is not None and len(model.weights) > 1000


def test_a_loaded_model_keeps_the_boundary_model_it_was_loaded_with(tmp_path):
    """Read once, when the model loads: the analysis of each article does not look at the
    disk again, so a file changed mid-run changes nothing."""
    import shutil

    from saywho.learn import BOUNDS_FILE, DEFAULT_MODEL, boundary_model, load_model

    shutil.copytree(DEFAULT_MODEL, tmp_path / "model")
    learned = load_model(tmp_path / "model")
    weights = boundary_model(learned).weights
    (tmp_path / "model" / BOUNDS_FILE).unlink()
    assert boundary_model(learned).weights == weights
    assert boundary_model(load_model(tmp_path / "model")) is None


def test_a_broken_boundary_file_is_refused_when_the_model_loads(cli, tmp_path):
    import shutil

    from saywho.learn import BOUNDS_FILE, DEFAULT_MODEL, load_model

    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, folder)
    (folder / BOUNDS_FILE).write_text("not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not a saywho boundary model"):
        load_model(folder)
    article = tmp_path / "a.txt"
    article.write_text("Officials said the plan failed.\n", encoding="utf-8")
    result = cli("analyze", article, "--model", folder)
    assert result.code == 2 and "not a saywho boundary model" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
