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
    max_steps: int = typer.Option(20000, min=1, help="Most training steps."),
    patience: int = typer.Option(3000, min=1, help="Stop after this many steps without a better dev score."),
    dev_limit: int = typer.Option(25, min=1, help="Dev articles scored during training (all are scored at the end)."),
    seed: int = typer.Option(0, help="Random seed (training is reproducible for one seed)."),
    train_limit: Optional[int] = typer.Option(None, min=1, help="Train on the first N articles only."),
) -> None:
    """Train on PolNeAR train, select on dev, write the model and its model card (README.md)."""
    for split in ("train", "dev"):
        if not (directory / split / "text").is_dir():
            raise EvaluationDataError(f"{directory}: no {split}/text folder (expected a PolNeAR folder)")
    if output.exists() and any(output.iterdir()):
        raise UsageError(f"--output: {output} exists and is not empty")
    card = train_and_describe(
        directory, output, max_steps=max_steps, patience=patience, dev_limit=dev_limit,
        seed=seed, train_limit=train_limit,
    )
    sys.stdout.write(f"model: {card['model']}\n")
    for role, scores in card["dev"].items():
        sys.stdout.write(f"  dev {role:<8} exact F1 {scores['exact']:5.1f}  overlap F1 {scores['overlap']:5.1f}\n")


def train_and_describe(
    directory: Path,
    output: Path,
    *,
    max_steps: int,
    patience: int,
    dev_limit: int,
    seed: int,
    train_limit: int | None,
) -> dict:
    """Train, score the best model on the whole dev split, and write its model card."""
    from saywho.evaluate import load_polnear, score
    from saywho.learn import analyze_learned, train

    import spacy

    overrides = {
        "training.max_steps": max_steps,
        "training.patience": patience,
        "system.seed": seed,
        "training.seed": seed,
    }
    started = time.perf_counter()
    best = train(directory, output, dev_limit=dev_limit, overrides=overrides, train_limit=train_limit)
    seconds = time.perf_counter() - started
    nlp = spacy.load(best)
    dev = load_polnear(directory / "dev")
    started = time.perf_counter()
    predicted = [analyze_learned(gold.text, nlp) for gold in dev]
    speed = sum(len(g.text.split()) for g in dev) / max(time.perf_counter() - started, 1e-9)
    report = score(zip(dev, predicted))
    card = {
        "model": str(best),
        "trained": date.today().isoformat(),
        "data": f"PolNeAR train ({'first ' + str(train_limit) if train_limit else 'all'} articles), "
        f"selected on the first {dev_limit} dev articles",
        "settings": {"max_steps": max_steps, "patience": patience, "seed": seed,
                     "config": "saywho/train_config.cfg"},
        "training_seconds": round(seconds, 1),
        "dev": {
            role: {"exact": values["exact"]["f1"], "overlap": values["overlap"]["f1"]}
            for role, values in report["roles"].items()
        },
        "attribution_f1": report["attribution"]["f1"],
        "words_per_second": round(speed),
        "licence": LICENCE_NOTE,
    }
    (best / "model-card.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    (best / "README.md").write_text(_card_markdown(card), encoding="utf-8")
    return card


def _card_markdown(card: dict) -> str:
    rows = "\n".join(
        f"| {role} | {s['exact']:.1f} | {s['overlap']:.1f} |" for role, s in card["dev"].items()
    )
    return f"""# saywho learned attribution model (experimental)

Token-level SOURCE / CUE / CONTENT spans (spaCy `ner` over its own tok2vec), grouped into
attributions by nearest cue. Trained {card['trained']} with `saywho train polnear`.

- Data: {card['data']}.
- Settings: {json.dumps(card['settings'])}; training took {card['training_seconds']} s.
- Speed: {card['words_per_second']:,} words/s (whole dev split, one process, analysis included).
- Licence: {card['licence']}

PolNeAR dev, the project's scorer (`saywho.evaluate`), F1:

| role | exact | overlap |
|---|---|---|
{rows}

Attribution F1 (content overlap): {card['attribution_f1']:.1f}.
"""
