"""Pairwise precision and recall of saywho.link.cluster_statements on the labelled statements.

Two parts, both under tests/data/statements/:

* ``written.jsonl``: statements written for the tests (text included).
* ``polnear.jsonl``: references into the PolNeAR corpus (file, character spans, label); the
  text is read at run time from ``../shared/data/polnear/<split>/text/<file>`` (no article text
  is stored in this repository). The part is skipped with a note when the corpus is missing.

Every labelled statement carries a gold ``cluster`` label; a label used once is a distractor.
Gold guideline: two statements are one cluster when they report the same utterance in the
same (or nearly the same) words: repeats, versions with words changed, and excerpts, where a
short excerpt of a much longer passage still counts.

Scores are over pairs of statements: a pair is predicted positive when both statements are in
one predicted cluster, gold positive when they share a gold label.

    python bench/link_eval.py [--corpus PATH] [--verbose]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from saywho.link import Statement, cluster_statements  # noqa: E402

DATA = ROOT / "tests" / "data" / "statements"
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "polnear"


def load_written(path: Path = DATA / "written.jsonl") -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def load_polnear(corpus: Path, path: Path = DATA / "polnear.jsonl") -> list[dict] | None:
    """The PolNeAR references with their text read from the corpus; None when it is missing."""
    if not corpus.is_dir():
        return None
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = (corpus / row["split"] / "text" / row["file"]).read_text(encoding="utf-8")
        row["text"] = " … ".join(text[start:end] for start, end in row["spans"])
        row["order"] = f"{row['file']}:{row['spans'][0][0]:08d}"
        rows.append(row)
    return rows


def to_statements(rows: list[dict]) -> list[Statement]:
    out = []
    for k, row in enumerate(rows):
        published = row.get("published")
        out.append(
            Statement(
                id=row["id"],
                text=row["text"],
                speaker=row.get("speaker"),
                published=date.fromisoformat(published) if published else None,
                order=row.get("order") or f"{k:08d}",
            )
        )
    return out


def pairwise_scores(rows: list[dict], clusters) -> dict:
    """Pairwise precision, recall and F1 of predicted clusters against the gold labels."""
    predicted = {}
    for cluster in clusters:
        for member in cluster.members:
            predicted[member] = cluster.id
    gold = {row["id"]: row["cluster"] for row in rows}
    tp = fp = fn = 0
    errors = []
    for a, b in itertools.combinations(sorted(gold), 2):
        same_pred = a in predicted and predicted.get(a) == predicted.get(b)
        same_gold = gold[a] == gold[b]
        if same_pred and same_gold:
            tp += 1
        elif same_pred:
            fp += 1
            errors.append(("false link", a, b))
        elif same_gold:
            fn += 1
            errors.append(("missed link", a, b))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "statements": len(rows),
        "gold_clusters": sum(1 for label in set(gold.values()) if list(gold.values()).count(label) > 1),
        "predicted_clusters": len(clusters),
        "pairs_tp": tp,
        "pairs_fp": fp,
        "pairs_fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "errors": errors,
    }


def evaluate(rows: list[dict]) -> dict:
    return pairwise_scores(rows, cluster_statements(to_statements(rows)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list the wrong pairs with their texts")
    args = parser.parse_args(argv)

    parts = {"written": load_written()}
    polnear = load_polnear(args.corpus)
    if polnear is None:
        print(f"polnear: skipped, corpus not found at {args.corpus}")
    else:
        parts["polnear"] = polnear
    for name, rows in parts.items():
        scores = evaluate(rows)
        errors = scores.pop("errors")
        print(
            f"{name:8s} statements={scores['statements']:3d} gold_clusters={scores['gold_clusters']:2d} "
            f"predicted_clusters={scores['predicted_clusters']:2d} "
            f"P={scores['precision']:.3f} R={scores['recall']:.3f} F1={scores['f1']:.3f} "
            f"(pairs tp={scores['pairs_tp']} fp={scores['pairs_fp']} fn={scores['pairs_fn']})"
        )
        if args.verbose:
            texts = {row["id"]: row["text"] for row in rows}
            for kind, a, b in errors:
                print(f"  {kind}: {a} | {texts[a][:100]!r}\n  {' ' * len(kind)}  {b} | {texts[b][:100]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
