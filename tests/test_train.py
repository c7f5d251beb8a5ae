"""`saywho train polnear` on a tiny made-up PolNeAR folder: it trains, writes a model card,
and the model loads and predicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from saywho.evaluate import overlap
from saywho.learn import analyze_learned, reads_parse

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = (
    'Critics say the law is unfair to small businesses.\n'
    '"We will win this fight," said Anna Berg, the mayor.\n'
    'According to the report, prices rose sharply in May.\n'
)


def _t(label: str, ident: str, phrase: str) -> str:
    start = ARTICLE.index(phrase)
    return f"{ident}\t{label} {start} {start + len(phrase)}\t{phrase}\n"


ANN = (
    _t("Source", "T1", "Critics") + _t("Cue", "T2", "say") + _t("Content", "T3", "the law is unfair to small businesses")
    + _t("Attribution", "T4", "say") + "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    + _t("Content", "T5", "We will win this fight,") + _t("Cue", "T6", "said") + _t("Source", "T7", "Anna Berg")
    + _t("Attribution", "T8", "said") + "E2\tAttribution:T8 Source:T7 Cue:T6 Content:T5\n"
)


def make_polnear(root):
    for split in ("train", "dev"):
        (root / split / "text").mkdir(parents=True)
        (root / split / "attributions").mkdir()
        for i in range(3 if split == "train" else 1):
            name = f"{split}-article-{i}"
            (root / split / "text" / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
            (root / split / "attributions" / f"{name}_a1.ann").write_text(ANN, encoding="utf-8")


def test_train_on_a_tiny_slice_writes_a_model_that_predicts(cli, tmp_path):
    make_polnear(tmp_path / "polnear")
    out = tmp_path / "model"
    result = cli("train", "polnear", tmp_path / "polnear", "--output", out, "--max-steps", "30", "--dev-limit", "1")
    assert result.code == 0, result.err
    assert "parsing PolNeAR train (3 articles)" in result.err
    best = out / "model-best"
    card = json.loads((best / "model-card.json").read_text(encoding="utf-8"))
    assert set(card["dev"]) == {"combined", "alone"}
    for scores in card["dev"].values():
        assert {"content", "cue", "source", "attribution_f1"} <= set(scores)
        assert all(0 <= scores[role]["exact"] <= scores[role]["overlap"] <= 100 for role in ("content", "cue", "source"))
    assert "research use" in card["licence"]
    assert (best / "README.md").read_text(encoding="utf-8").startswith("# saywho learned")
    nlp = spacy.load(best)
    assert reads_parse(nlp)
    # The model's config names no files of the training run.
    assert nlp.config["paths"]["train"] is None and nlp.config["paths"]["dev"] is None
    assert str(tmp_path) not in (best / "config.cfg").read_text(encoding="utf-8")
    # It reads the token vectors of the pipeline that parsed its training data, and says which.
    assert nlp.config["components"]["tok2vec"]["model"]["embed"]["parser"] == "en_core_web_sm 3.8.0"
    document = analyze_learned(ARTICLE, nlp)
    for attribution in document.attributions:
        for start, end in attribution.spans():
            assert 0 <= start < end <= len(ARTICLE)


def test_train_refuses_a_folder_that_is_not_polnear(cli, tmp_path):
    result = cli("train", "polnear", tmp_path, "--output", tmp_path / "m")
    assert result.code == 5 and "no train/text folder" in result.err


def test_train_refuses_a_non_empty_output(cli, tmp_path):
    make_polnear(tmp_path / "polnear")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    result = cli("train", "polnear", tmp_path / "polnear", "--output", tmp_path / "busy")
    assert result.code == 2 and "not empty" in result.err


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from saywho.cli_train import train_and_describe

    root = tmp_path_factory.mktemp("learned")
    make_polnear(root / "polnear")
    card = train_and_describe(
        root / "polnear", root / "model", max_steps=30, patience=30, dev_limit=1, seed=0, train_limit=None
    )
    return card["model"]


def test_learned_model_adds_to_the_rules_and_moves_only_reported_contents(tiny_model):
    from saywho.bounds import REPORTED
    from saywho.core import analyze
    from saywho.learn import boundary_model, load_model

    text = (ROOT / "examples" / "belarus-own-weapons.txt").read_text(encoding="utf-8")
    rules = analyze(text)
    learned = load_model(tiny_model)
    assert boundary_model(learned) is not None  # training wrote bounds.json beside the tagger
    both = analyze(text, learned=learned)
    kept = [a for a in both.attributions if a.rule != "learned"]
    assert [(a.kind, a.cue, a.speaker) for a in kept] == [(a.kind, a.cue, a.speaker) for a in rules.attributions]
    for after, before in zip(kept, rules.attributions):
        if before.kind in REPORTED:
            # The boundary model (fitted here to a handful of decisions) may move its edges.
            assert overlap(after.content, before.content) > 0
        else:
            assert after.content == before.content
    for a in both.attributions:
        for start, end in a.spans():
            assert 0 <= start < end <= len(text)


def test_analyze_model_option(cli, tiny_model):
    seed = ROOT / "examples" / "belarus-own-weapons.txt"
    result = cli("analyze", seed, "--model", tiny_model, "--format", "json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)["attributions"]) >= 11
    missing = cli("analyze", seed, "--model", ROOT / "no-such-model")
    assert missing.code == 2 and "trained model" in missing.err
    assert "Traceback" not in missing.err


def test_the_default_model_ships_and_keeps_the_bundled_example_exact(cli):
    from saywho.learn import DEFAULT_MODEL, load_model

    assert (DEFAULT_MODEL / "README.md").read_text(encoding="utf-8").count("research use") == 1
    assert reads_parse(load_model("default"))
    gold = ROOT / "examples" / "belarus-own-weapons.gold.json"
    result = cli("eval", "gold", gold, "--model", "default", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["attribution"]["tp"] == report["attribution"]["gold"] == report["attribution"]["pred"] == 11
    for role in ("content", "cue", "source"):
        assert report["roles"][role]["exact"]["f1"] == 100.0


def test_train_on_one_article_skips_the_boundary_model_and_says_so(cli, tmp_path):
    make_polnear(tmp_path / "polnear")
    out = tmp_path / "model"
    result = cli(
        "train", "polnear", tmp_path / "polnear", "--output", out, "--max-steps", "10", "--dev-limit", "1",
        "--train-limit", "1",
    )
    assert result.code == 0, result.err
    assert "too few training articles for the content-boundary model" in result.err
    assert (out / "model-best" / "config.cfg").is_file() and not (out / "model-best" / "bounds.json").exists()


def test_no_boundaries_trains_the_tagger_alone(cli, tmp_path):
    make_polnear(tmp_path / "polnear")
    out = tmp_path / "model"
    result = cli(
        "train", "polnear", tmp_path / "polnear", "--output", out, "--max-steps", "10", "--dev-limit", "1",
        "--no-boundaries",
    )
    assert result.code == 0, result.err
    assert "half 0" not in result.err and not (out / "model-best" / "bounds.json").exists()
    card = json.loads((out / "model-best" / "model-card.json").read_text(encoding="utf-8"))
    assert card["settings"]["content_boundaries"] is None


def test_half_steps_help_states_the_default(cli, monkeypatch):
    from saywho.learn import HALF_STEPS

    monkeypatch.setenv("COLUMNS", "2000")
    printed = " ".join(cli("train", "polnear", "--help").plain.split())
    assert f"(default: {HALF_STEPS})" in printed
