"""`saywho train polnear`: train the experimental learned attribution model (saywho.learn)
and write a model card beside it. Registered on saywho.cli's app."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from saywho.cli import app
from saywho.errors import EvaluationDataError, UsageError

train_app = typer.Typer(help="Train saywho's learned attribution model.", no_args_is_help=True)
app.add_typer(train_app, name="train")

LICENCE_NOTE = (
    "PolNeAR (Newell, Margolin, Ruths, LREC 2018) states no data licence: these weights are "
    "trained on it for research use only."
)


@train_app.command("polnear")
def train_polnear(
    directory: Path = typer.Argument(..., help="PolNeAR folder holding train/ and dev/ splits."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the trained model."),
    max_steps: int = typer.Option(16000, min=1, help="Most training steps."),
    patience: int = typer.Option(4000, min=1, help="Stop after this many steps without a better dev score."),
    dev_limit: Optional[int] = typer.Option(
        None, min=1, help="Score only the first N dev articles during training (default: all; all are scored at the end)."
    ),
    seed: int = typer.Option(0, help="Random seed (training is reproducible for one seed)."),
    train_limit: Optional[int] = typer.Option(None, min=1, help="Train on the first N articles only."),
    boundaries: bool = typer.Option(
        True, help="Also fit the content-boundary model (two more taggers, each on half the articles, train alongside)."
    ),
    half_steps: Optional[int] = typer.Option(
        None, min=1, help="Most training steps of each half-trained tagger (default: 8000)."
    ),
) -> None:
    """Train on PolNeAR train, select on dev, write the model and its model card (README.md)."""
    for split in ("train", "dev"):
        if not (directory / split / "text").is_dir():
            raise EvaluationDataError(f"{directory}: no {split}/text folder (expected a PolNeAR folder)")
    if output.exists() and any(output.iterdir()):
        raise UsageError(f"--output: {output} exists and is not empty")
    card = train_and_describe(
        directory, output, max_steps=max_steps, patience=patience, dev_limit=dev_limit,
        seed=seed, train_limit=train_limit, boundaries=boundaries, half_steps=half_steps,
    )
    sys.stdout.write(f"model: {card['model']}\n")
    for role in ("source", "cue", "content"):
        scores = card["dev"]["combined"][role]
        sys.stdout.write(
            f"  dev (with the rules) {role:<8} exact F1 {scores['exact']:5.1f}  overlap F1 {scores['overlap']:5.1f}\n"
        )


def train_and_describe(
    directory: Path,
    output: Path,
    *,
    max_steps: int,
    patience: int,
    dev_limit: int | None,
    seed: int,
    train_limit: int | None,
    boundaries: bool = True,
    half_steps: int | None = None,
) -> dict:
    """Train, score the best model on the whole dev split (alone, and combined with the
    rules as ``--model`` does), and write its model card."""
    from saywho.core import analyze_many
    from saywho.evaluate import load_polnear, score
    from saywho.learn import HALF_STEPS, analyze_learned, load_model, train
    from saywho.nlp import load_pipeline

    overrides = {
        "training.max_steps": max_steps,
        "training.patience": patience,
        "system.seed": seed,
        "training.seed": seed,
    }
    half_steps = half_steps or HALF_STEPS
    started = time.perf_counter()
    best = train(
        directory, output, dev_limit=dev_limit, overrides=overrides, train_limit=train_limit,
        boundaries=boundaries, half_steps=half_steps,
        report=lambda line: print(line, file=sys.stderr, flush=True),
    )
    seconds = time.perf_counter() - started
    nlp = load_model(best)
    dev = load_polnear(directory / "dev")
    texts = [gold.text for gold in dev]
    parsed = list(load_pipeline().pipe(texts, batch_size=16))
    alone = [analyze_learned(text, nlp, chunks=[(doc, 0)]) for text, doc in zip(texts, parsed)]
    started = time.perf_counter()
    combined = analyze_many(texts, learned=nlp)
    speed = sum(len(text.split()) for text in texts) / max(time.perf_counter() - started, 1e-9)
    reports = {"combined": score(zip(dev, combined), merge=True), "alone": score(zip(dev, alone), merge=True)}
    card = {
        "model": str(best),
        "trained": date.today().isoformat(),
        "data": f"PolNeAR train ({'first ' + str(train_limit) if train_limit else 'all'} articles), "
        f"selected on {'the first ' + str(dev_limit) if dev_limit else 'all'} dev articles",
        "settings": {"max_steps": max_steps, "patience": patience, "seed": seed,
                     "config": "saywho/train_config.cfg",
                     "content_boundaries": {"half_steps": half_steps} if boundaries else None},
        "training_seconds": round(seconds, 1),
        "dev": {
            name: {
                role: {"exact": values["exact"]["f1"], "overlap": values["overlap"]["f1"]}
                for role, values in report["roles"].items()
            }
            | {"attribution_f1": report["attribution"]["f1"]}
            for name, report in reports.items()
        },
        "words_per_second": round(speed),
        "licence": LICENCE_NOTE,
    }
    (best / "model-card.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    (best / "README.md").write_text(_card_markdown(card), encoding="utf-8")
    return card


def _card_markdown(card: dict) -> str:
    rows = "\n".join(
        f"| {role} | {card['dev']['combined'][role]['exact']:.1f} | {card['dev']['combined'][role]['overlap']:.1f} "
        f"| {card['dev']['alone'][role]['exact']:.1f} | {card['dev']['alone'][role]['overlap']:.1f} |"
        for role in ("source", "cue", "content")
    )
    return f"""# saywho learned attribution model

Token-level SOURCE / CUE / CONTENT spans: a spaCy `ner` over its own tok2vec, which reads the
words and en_core_web_sm's tags, dependency labels, lemmas and the clause structure around
reporting words. Spans are grouped into attributions by nearest cue; `saywho analyze --model
default` adds the ones the rules miss (with a cue and a source that can speak, or no source
and a finite cue; over a quotation only where the rules attributed none). Where the folder
holds `bounds.json`, the content-boundary model then moves the start and end of each reported
content (a linear re-ranker over the token edges near them, fitted to how the rules and two
taggers, each trained on half the articles, read the other half). Trained {card['trained']}
with `saywho train polnear`.

- Data: {card['data']}.
- Settings: {json.dumps(card['settings'])}; training took {card['training_seconds']} s.
- Speed: {card['words_per_second']:,} words/s (rules and model, whole dev split, one process,
  parsing included).
- Licence: {card['licence']}

PolNeAR dev, the project's scorer (`saywho eval polnear`: continuations folded, PolNeAR's span
convention), F1:

| role | with the rules, exact | with the rules, overlap | model alone, exact | model alone, overlap |
|---|---|---|---|---|
{rows}

Attribution F1 (content overlap): {card['dev']['combined']['attribution_f1']:.1f} with the rules,
{card['dev']['alone']['attribution_f1']:.1f} alone.
"""
