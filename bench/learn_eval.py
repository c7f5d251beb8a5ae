"""Score the experimental learned tagger (saywho.learn) on a PolNeAR split, alone and combined
with the rules, and time it against the bare en_core_web_sm pipeline.

    python bench/learn_eval.py MODEL_DIR ../shared/data/polnear/dev [--speed] [--json OUT]

Set OMP_NUM_THREADS=1 (and OPENBLAS_NUM_THREADS=1) for one-core timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import spacy

from saywho.core import analyze_many
from saywho.evaluate import load_polnear, merge_continuations, overlap, score
from saywho.learn import analyze_learned
from saywho.model import Document
from saywho.nlp import load_pipeline

DIRECT = {"direct", "continuation"}


def combine(model_doc: Document, rule_doc: Document, *, only_direct: bool) -> Document:
    """Model attributions (cue, source); the content of the rule attribution whose content
    overlaps the model's most replaces the model's content (with ``only_direct``, only rule
    attributions of kind direct/continuation do). Rule attributions that no model
    attribution overlaps are added as they are (with ``only_direct``: only direct ones)."""
    out = model_doc.model_copy(deep=True)
    rules = [a for a in rule_doc.attributions if not only_direct or _kind(a) in DIRECT]
    used = set()
    for attribution in out.attributions:
        best, best_overlap = None, 0
        for i, rule in enumerate(rules):
            shared = overlap(attribution.content, rule.content)
            if shared > best_overlap:
                best, best_overlap = i, shared
        if best is not None:
            used.add(best)
            attribution.content = list(rules[best].content)
    for i, rule in enumerate(rules):
        if i not in used and not any(overlap(rule.content, a.content) for a in out.attributions):
            out.attributions.append(rule.model_copy(deep=True))
    return out


def _kind(attribution) -> str:
    return getattr(attribution.kind, "value", attribution.kind)


def summary(report: dict) -> dict:
    out = {}
    for role in ("source", "cue", "content"):
        r = report["roles"][role]
        out[role] = {m: {k: r[m][k] for k in ("p", "r", "f1")} for m in ("exact", "overlap")}
    a = report["attribution"]
    out["attribution"] = {k: a[k] for k in ("p", "r", "f1", "source_exact", "cue_exact")}
    return out


def line(name: str, s: dict, width: int = 28) -> str:
    cells = " ".join(
        f"{s[r]['exact']['f1']:5.1f}/{s[r]['overlap']['f1']:5.1f}" for r in ("source", "cue", "content")
    )
    return f"{name:{width}s} {cells}   att {s['attribution']['f1']:5.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("split")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()

    gold = load_polnear(args.split)
    learned = spacy.load(args.model)
    results: dict = {}

    started = time.perf_counter()
    model_docs = [analyze_learned(g.text, learned) for g in gold]
    results["learned_seconds"] = round(time.perf_counter() - started, 2)
    rule_docs = [merge_continuations(d) for d in analyze_many([g.text for g in gold])]

    variants = {
        "rules": rule_docs,
        "learned": model_docs,
        "learned+rule content": [combine(m, r, only_direct=False) for m, r in zip(model_docs, rule_docs)],
        "learned+rule direct": [combine(m, r, only_direct=True) for m, r in zip(model_docs, rule_docs)],
    }
    print(f"{'variant':28s} exact/overlap F1: source cue content")
    for name, docs in variants.items():
        s = summary(score(zip(gold, docs)))
        results[name] = s
        print(line(name, s))

    if args.speed:
        texts = [g.text for g in gold]
        words = sum(len(t.split()) for t in texts)
        base = load_pipeline()
        timings = {}
        for name, run in (
            ("en_core_web_sm", lambda: list(base.pipe(texts, batch_size=16))),
            ("learned tagger (nlp.pipe)", lambda: list(learned.pipe(texts, batch_size=16))),
            ("learned full (analyze_learned)", lambda: [analyze_learned(t, learned) for t in texts]),
        ):
            best = min(_timed(run) for _ in range(2))
            timings[name] = round(words / best)
            print(f"{name:32s} {words / best:9.0f} words/s")
        results["speed_words_per_s"] = timings
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
