"""Score the optional accurate-mode transformer tagger (saywho.accurate) on a PolNeAR split
with the project's scorer, and time it against the bare en_core_web_sm pipeline.

    # 1. training data for the GPU script (train + dev, with role pieces)
    python bench/accurate_eval.py dump .gpu/polnear.json ../shared/data/polnear
    # 2. score predicted spans ({name: [[start, end, ROLE], ...]}, written by the GPU run)
    python bench/accurate_eval.py score dev.json ../shared/data/polnear/dev
    # 3. run an exported model on CPU (needs onnxruntime and tokenizers) and score / time it
    python bench/accurate_eval.py onnx MODEL_DIR ../shared/data/polnear/dev [--model-file model.int8.onnx] [--speed]
    # the tokenisation ceiling: gold pieces -> wordpiece BIO labels -> spans (needs tokenizers)
    python bench/accurate_eval.py ceiling ENCODER_DIR ../shared/data/polnear/dev
    # 4. a bounds.json for an accurate model from the GPU run's cross-fitted readings of train
    #    (accurate.py train --folds 2 --fold 0 / --fold 1: TAG.heldout.json)
    python bench/accurate_eval.py fit-bounds .gpu/polnear.json ../shared/data/polnear/train DIR F0.heldout.json F1.heldout.json
    # 5. recorded readings in saywho's whole analysis (the accurate mode), with DIR/bounds.json if any
    python bench/accurate_eval.py analyze .gpu/polnear.json ../shared/data/polnear/dev TAG.dev.json [--bounds DIR]

Every prediction set is grouped into attributions two ways (``saywho.accurate.group_spans``,
which both learned models use; the same keeping one content on each side of a cue) and scored
as predicted and with the sentence-end content repair of ``saywho.learn.extend_contents``. Set OMP_NUM_THREADS=1 for one-core spaCy timings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

from saywho.accurate import LABEL_ID, OnnxTagger, group_spans, encode, load_json, load_tokenizer, span_layout, tags_to_char_spans, token_labels
from saywho.evaluate import load_polnear, score
from saywho.learn import RoleSpan, extend_contents, role_pieces, to_document

# The sibling script's summary and table line (this folder is on sys.path when run as a script).
from learn_eval import line, summary


def documents(golds, predicted: dict, *, extend: bool, grouping: str = "nearest"):
    for gold in golds:
        spans = [tuple(s) for s in predicted.get(gold.name, [])]
        for start, end, _ in spans:
            assert 0 <= start < end <= len(gold.text), (gold.name, start, end)
        roles = [RoleSpan(*row) for row in span_layout(gold.text, spans)]
        if extend:
            roles = extend_contents(gold.text, roles)
        found = group_spans(gold.text, roles, one_per_side=grouping == "one-per-side")
        yield gold, to_document(gold.text, found, rule="accurate")


GROUPINGS = ("nearest", "one-per-side")


def report(golds, predicted: dict, name: str, results: dict) -> None:
    """Scores of one prediction set under each grouping, with and without extend_contents."""
    for grouping in GROUPINGS:
        for extend in (False, True):
            label = f"{name} [{grouping}]" + (" +extend" if extend else "")
            s = summary(score(documents(golds, predicted, extend=extend, grouping=grouping), merge=True))
            results[label] = s
            print(line(label, s, width=44))


def _read_json(path: str | Path):
    """A JSON file, gzipped where its name ends in .gz (the dump travels so); exits with one
    line where it is missing or not JSON."""
    path = Path(path)
    try:
        return load_json(path)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        sys.exit(f"{path}: cannot read it as {'gzipped ' if path.suffix == '.gz' else ''}JSON ({error})")


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _recorded(args):
    """(gold articles of args.split, their RecordedTagger), from a GPU run's readings
    (``TAG.dev.json``, ``TAG.heldout.json``) of the dumped articles; exits where one of the
    split's articles has no reading."""
    from saywho.accurate import RecordedTagger

    data = _read_json(args.data)
    readings = [_read_json(r) for r in args.readings]
    golds = load_polnear(args.split)
    try:
        tagger = RecordedTagger.from_readings(data["train"] + data["dev"], readings, path=getattr(args, "bounds", None))
    except KeyError as error:  # a reading of an article the dump does not hold
        sys.exit(f"{args.data}: {error.args[0]}")
    missing = [g.name for g in golds if g.text not in tagger.spans_by_text]
    if missing:
        sys.exit(f"no reading of {len(missing)} articles of {args.split} (first: {missing[0]})")
    return golds, tagger


def fit_bounds(args) -> None:
    """A bounds.json fitted on recorded readings of the split (the cross-fitted folds')."""
    from saywho.learn import fit_boundaries
    from saywho.nlp import load_pipeline

    golds, tagger = _recorded(args)
    parsed = list(load_pipeline().pipe([g.text for g in golds], batch_size=16))
    model = fit_boundaries(golds, parsed, [tagger], report=print)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    model.to_disk(Path(args.out) / "bounds.json")
    print("wrote", Path(args.out) / "bounds.json")


def analyze_recorded(args) -> None:
    """Recorded readings replayed in saywho's whole analysis and scored."""
    import pickle

    from saywho.core import analyze_many

    golds, tagger = _recorded(args)
    docs = analyze_many([g.text for g in golds], learned=tagger)
    if args.save:
        Path(args.save).write_bytes(pickle.dumps(docs))
    s = summary(score(zip(golds, docs), merge=True))
    print(line(f"saywho with {', '.join(Path(r).name for r in args.readings)}", s, width=44))
    if args.json:
        Path(args.json).write_text(json.dumps(s, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out")
    d.add_argument("polnear")
    s = sub.add_parser("score")
    s.add_argument("predictions", nargs="+")
    s.add_argument("split")
    o = sub.add_parser("onnx")
    o.add_argument("model")
    o.add_argument("split")
    o.add_argument("--model-file", default="model.onnx")
    o.add_argument("--threads", type=int, default=1)
    o.add_argument("--speed", action="store_true")
    o.add_argument("--save")
    c = sub.add_parser("ceiling")
    c.add_argument("encoder")
    c.add_argument("split")
    f = sub.add_parser("fit-bounds")
    f.add_argument("data")
    f.add_argument("split")
    f.add_argument("out")
    f.add_argument("readings", nargs="+")
    a = sub.add_parser("analyze")
    a.add_argument("data")
    a.add_argument("split")
    a.add_argument("readings", nargs="+")
    a.add_argument("--bounds", help="folder of the bounds.json to use (default: none)")
    a.add_argument("--save", help="pickle the Documents here")
    for p in (s, o, c, a):
        p.add_argument("--json")
    args = parser.parse_args()
    if args.command in ("fit-bounds", "analyze"):
        (fit_bounds if args.command == "fit-bounds" else analyze_recorded)(args)
        return

    if args.command == "dump":
        out = {}
        for split in ("train", "dev"):
            golds = load_polnear(Path(args.polnear) / split)
            out[split] = [{"name": g.name, "text": g.text, "pieces": [list(p) for p in role_pieces(g)]} for g in golds]
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        raw = json.dumps(out).encode("utf-8")
        Path(args.out).write_bytes(gzip.compress(raw, mtime=0) if args.out.endswith(".gz") else raw)
        return

    golds = load_polnear(args.split)
    results: dict = {}
    print(f"{'variant':44s} exact/overlap F1: source cue content")
    if args.command == "score":
        for path in args.predictions:
            report(golds, _read_json(path), Path(path).name, results)
    elif args.command == "ceiling":
        tokenizer = load_tokenizer(args.encoder)
        predicted = {}
        for gold in golds:
            ids, offsets = encode(tokenizer, gold.text)
            tags = token_labels(offsets, gold.text, role_pieces(gold))
            predicted[gold.name] = tags_to_char_spans(gold.text, offsets, tags)
        assert all(LABEL_ID[t] >= 0 for t in tags)
        report(golds, predicted, "gold via wordpieces", results)
    else:
        tagger = OnnxTagger(args.model, model_file=args.model_file, threads=args.threads)
        started = time.perf_counter()
        predicted = {g.name: tagger.predict_spans(g.text) for g in golds}
        results["onnx_seconds"] = round(time.perf_counter() - started, 2)
        if args.save:
            Path(args.save).write_text(json.dumps(predicted), encoding="utf-8")
        report(golds, predicted, args.model_file, results)
        if args.speed:
            from saywho.nlp import load_pipeline

            texts = [g.text for g in golds]
            words = sum(len(t.split()) for t in texts)
            base = load_pipeline()
            timings = {}
            for name, run in (
                ("en_core_web_sm (nlp.pipe)", lambda: list(base.pipe(texts, batch_size=16))),
                (f"accurate {args.model_file} spans", lambda: [tagger.predict_spans(t) for t in texts]),
            ):
                best = min(_timed(run) for _ in range(2))
                timings[name] = round(words / best)
                print(f"{name:36s} {words / best:9.0f} words/s ({words} words)")
            results["speed_words_per_s"] = timings
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
