"""The accuracy gate: scores PolNeAR dev and the bundled example with the rules and with the
default model, and fails (exit 1) when a score falls below its floor in bench/floors.json.
Besides the exact F1 per role and the attribution F1, "speakers" is the percent of the
hand-read speaker mentions of bench/speakers_dev.json resolved to the right entity.

Run by `make test` after the test suite. Floors only go up: a change that raises a score
raises its floor in the same commit (to the new score less the margin in floors.json, which
absorbs the last-digit drift a different CPU's arithmetic can cause).

    python bench/accuracy_gate.py [--dev DIR] [--floors FILE] [--write]

--write sets every floor to the measured score less the margin (never lower than before).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ROOT / "bench" / "floors.json"
EXAMPLE = ROOT / "examples" / "belarus-own-weapons.gold.json"
SPEAKERS = ROOT / "bench" / "speakers_dev.json"


def scores(report: dict) -> dict[str, float]:
    roles = report["roles"]
    return {
        "source": roles["source"]["exact"]["f1"],
        "cue": roles["cue"]["exact"]["f1"],
        "content": roles["content"]["exact"]["f1"],
        "attribution": report["attribution"]["f1"],
    }


def speakers_right(golds, documents, items: list[dict]) -> float:
    """Percent of the hand-read speaker mentions (bench/speakers_dev.json) whose speaker
    entity is right: the same last word (a surname), or none where none is meant. A mention
    no attribution has any more counts as wrong."""
    by_name = {gold.name: document for gold, document in zip(golds, documents)}
    right = 0
    for item in items:
        document = by_name.get(item["document"])
        span = tuple(item["speaker"])
        found = [a for a in (document.attributions if document else []) if span in a.speaker]
        if not found:
            continue
        predicted, expected = found[0].speaker_entity, item["entity"]
        if predicted is None or expected is None:
            right += predicted is expected
        else:
            right += predicted.split()[-1].lower() == expected.split()[-1].lower()
    return round(100 * right / len(items), 1) if items else 0.0


def measure(dev: Path) -> dict[str, dict[str, float]]:
    from saywho.core import analyze_many
    from saywho.evaluate import load_gold_file, load_polnear, score
    from saywho.learn import load_model

    golds = load_polnear(dev)
    example = load_gold_file(EXAMPLE)
    items = json.loads(SPEAKERS.read_text(encoding="utf-8"))["items"]
    out = {}
    for name, learned in (("rules", None), ("default", load_model("default"))):
        documents = analyze_many([g.text for g in golds], learned=learned)
        out[f"polnear_dev/{name}"] = scores(score(zip(golds, documents), merge=True))
        out[f"polnear_dev/{name}"]["speakers"] = speakers_right(golds, documents, items)
        (document,) = analyze_many([example.text], learned=learned)
        out[f"example/{name}"] = scores(score([(example, document)]))
    return out


def below(measured: dict[str, dict[str, float]], floors: dict[str, dict[str, float]]) -> list[str]:
    """The scores under their floors, as "key metric score < floor floor"."""
    return [
        f"{key} {metric} {value:.1f} < floor {floors[key][metric]:.1f}"
        for key, values in measured.items()
        for metric, value in values.items()
        if metric in floors.get(key, {}) and value < floors[key][metric]
    ]


def raised(measured: dict[str, dict[str, float]], floors: dict[str, dict[str, float]], margin: float) -> dict:
    """The floors raised to the measured scores less ``margin``; a floor never goes down."""
    out = {key: dict(values) for key, values in floors.items()}
    for key, values in measured.items():
        for metric, value in values.items():
            new = round(value - margin, 1)
            out.setdefault(key, {})[metric] = max(new, floors.get(key, {}).get(metric, new))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "polnear" / "dev")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--write", action="store_true", help="raise the floors to the measured scores less the margin")
    args = parser.parse_args()
    if not args.dev.is_dir():
        print(f"accuracy gate: skipped, no PolNeAR dev split at {args.dev}")
        return 0
    config = json.loads(args.floors.read_text(encoding="utf-8"))
    margin, floors = config["margin"], config["floors"]
    measured = measure(args.dev)
    failures = below(measured, floors)
    print(f"{'':32s} {'score':>7s} {'floor':>7s}")
    for key, values in measured.items():
        for metric, value in values.items():
            floor = floors.get(key, {}).get(metric)
            print(f"{key + ' ' + metric:32s} {value:7.1f} {'' if floor is None else f'{floor:7.1f}'}")
    if args.write:
        config["floors"] = raised(measured, floors, margin)
        args.floors.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        print(f"floors written to {args.floors}")
        return 0
    if failures:
        print("accuracy gate: failed: " + "; ".join(failures), file=sys.stderr)
        return 1
    print("accuracy gate: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
