#!/usr/bin/env python3
"""How fast is saywho, next to the spaCy pipeline it runs on?

On the same texts (PolNeAR dev by default) this times

  (a) the bare spaCy pipeline: ``list(saywho.nlp.load_pipeline().pipe(texts))``
  (b) saywho's whole analysis:  ``saywho.core.analyze_many(texts)``

after one small warm-up call of each, ``--repeat`` times each, alternating, and reports the
best time of each as words per second (words are whitespace-separated tokens), the ratio
saywho/spaCy, and the memory: the resident set size (RSS) after each stage and the peak RSS
of the process (``ru_maxrss``). Run it with ``make bench`` or ``.venv/bin/python bench/bench.py``.

This is a script, not a test: nothing here fails on a slow run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = REPO.parent / "shared" / "data" / "polnear" / "dev" / "text"
MIB = 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    from saywho.errors import ModelError

    args = parse_args(argv)
    try:
        texts = load_texts(args.texts, args.limit)
    except (OSError, ValueError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    try:
        result = run(
            texts, repeat=args.repeat, source=args.texts, quiet=args.json,
            batch_size=args.batch_size, model=args.model,
        )
    except ModelError as error:
        print(f"bench: --model: {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        print(render(result))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Words per second of the bare spaCy pipeline and of saywho, on the same texts."
    )
    parser.add_argument(
        "--texts",
        type=Path,
        default=DEFAULT_TEXTS,
        metavar="DIR",
        help="folder of .txt articles (default: ../shared/data/polnear/dev/text "
        "beside the repository)",
    )
    parser.add_argument("--limit", type=positive, metavar="N", help="use only the first N texts")
    parser.add_argument(
        "--repeat", type=positive, default=3, metavar="N", help="timed runs of each (default 3)"
    )
    parser.add_argument(
        "--batch-size",
        type=positive,
        metavar="N",
        help="batch size of both runs (default 16, analyze_many's default)",
    )
    parser.add_argument(
        "--model",
        default="default",
        help="'default' (the rules with the shipped learned model, as 'saywho analyze' runs), "
        "'rules', or a trained model's folder",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object, no table")
    return parser.parse_args(argv)


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def load_texts(folder: Path, limit: int | None) -> list[str]:
    """The .txt files of ``folder`` in name order, read the way saywho reads an article."""
    from saywho.read import read_article

    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder of texts (pass one with --texts DIR)")
    paths = sorted(folder.glob("*.txt"))
    if limit is not None:
        paths = paths[:limit]
    if not paths:
        raise ValueError(f"{folder}: no .txt files in it")
    return [read_article(path) for path in paths]


class Memory:
    """RSS after each stage, and the peak RSS so far, in MiB."""

    def __init__(self) -> None:
        self.stages: list[dict] = []

    def mark(self, stage: str) -> None:
        gc.collect()
        self.stages.append(
            {"stage": stage, "rss_mib": rss_mib(), "peak_rss_mib": round(peak_rss_mib(), 1)}
        )


def rss_mib() -> float | None:
    """The resident set size now (Linux: /proc/self/statm); None where it cannot be read."""
    try:
        with open("/proc/self/statm") as stream:
            pages = int(stream.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / MIB, 1)


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024  # bytes on macOS, else KiB


def timed(function) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def run(
    texts: list[str],
    *,
    repeat: int,
    source: Path,
    quiet: bool,
    batch_size: int | None = None,
    model: str = "rules",
) -> dict:
    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    memory = Memory()
    memory.mark("texts loaded")
    words = sum(len(text.split()) for text in texts)

    import saywho.nlp

    nlp = saywho.nlp.load_pipeline()
    bare_pipes = list(nlp.pipe_names)
    # The same batch size for both runs, or batching alone would decide the ratio.
    batch_size = batch_size or 16
    memory.mark("spaCy pipeline loaded")

    try:
        from saywho.core import analyze_many
    except ImportError as error:
        raise SystemExit(f"bench: saywho.core.analyze_many cannot be imported: {error}") from None
    learned = None
    if model != "rules":
        from saywho.learn import load_model

        learned = load_model(model)
    memory.mark("saywho imported")

    def spacy_run(batch: list[str]) -> int:
        # load_pipeline() is cached: if saywho added a component of its own to the same
        # object, switch it off so that (a) stays the bare pipeline. Docs are consumed one
        # by one, as analyze_many does, not all held at once.
        extra = [name for name in nlp.pipe_names if name not in bare_pipes]
        with nlp.select_pipes(disable=extra):
            return sum(1 for _ in nlp.pipe(batch, batch_size=batch_size))

    say(f"warming up on 1 of {len(texts)} texts ({words:,} words in all) ...")
    spacy_run(texts[:1])
    memory.mark("spaCy warmed up")
    warm = analyze_many(texts[:1], learned=learned)
    if len(warm) != 1:
        raise RuntimeError(f"analyze_many returned {len(warm)} documents for 1 text")
    del warm
    memory.mark("saywho warmed up")

    spacy_times: list[float] = []
    saywho_times: list[float] = []
    attributions = None
    for round_ in range(1, repeat + 1):
        seconds, docs = timed(lambda: spacy_run(texts))
        spacy_times.append(seconds)
        memory.mark(f"spaCy run {round_}")  # the Docs still held
        del docs  # a count now, kept for symmetry with the saywho run
        say(f"run {round_}/{repeat}: spaCy  {seconds:8.3f} s")

        seconds, documents = timed(lambda: analyze_many(texts, batch_size=batch_size, learned=learned))
        saywho_times.append(seconds)
        if len(documents) != len(texts):
            raise RuntimeError(
                f"analyze_many returned {len(documents)} documents for {len(texts)} texts"
            )
        attributions = sum(len(getattr(d, "attributions", ()) or ()) for d in documents)
        memory.mark(f"saywho run {round_}")  # the Documents still held
        del documents
        say(f"run {round_}/{repeat}: saywho {seconds:8.3f} s")

    spacy_best, saywho_best = min(spacy_times), min(saywho_times)
    spacy_wps, saywho_wps = words / spacy_best, words / saywho_best
    return {
        "texts": len(texts),
        "words": words,
        # Relative to the working directory, so that printed results name no machine path.
        "source": os.path.relpath(source),
        "repeat": repeat,
        "spacy": {
            "best_s": round(spacy_best, 4),
            "times_s": [round(t, 4) for t in spacy_times],
            "words_per_s": round(spacy_wps, 1),
            "pipes": bare_pipes,
            "batch_size": batch_size,
        },
        "saywho": {
            "best_s": round(saywho_best, 4),
            "times_s": [round(t, 4) for t in saywho_times],
            "words_per_s": round(saywho_wps, 1),
            "attributions": attributions,
            "model": model,
        },
        # Below 1: saywho is slower than the bare pipeline (it runs the pipeline, then more).
        "ratio_saywho_spacy_words_per_s": round(saywho_wps / spacy_wps, 3),
        "memory": {
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "stages": memory.stages,
        },
        "environment": environment(nlp),
    }


def environment(nlp) -> dict:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "spacy": version("spacy"),
        "saywho": version("saywho"),
        "model": f"{nlp.meta.get('lang', '?')}_{nlp.meta.get('name', '?')} "
        f"{nlp.meta.get('version', '?')}",
    }


def render(result: dict) -> str:
    env = result["environment"]
    spacy, saywho = result["spacy"], result["saywho"]
    lines = [
        f"{result['texts']} texts, {result['words']:,} words from {result['source']}",
        f"best of {result['repeat']}; Python {env['python']}, spaCy {env['spacy']}, "
        f"{env['model']}, {env['cpus']} CPUs",
        "",
        f"{'':22} {'best s':>9} {'words/s':>10}",
        f"{'spaCy (bare pipeline)':22} {spacy['best_s']:9.3f} {spacy['words_per_s']:10,.0f}",
        f"{'saywho analyze_many':22} {saywho['best_s']:9.3f} {saywho['words_per_s']:10,.0f}",
        f"{'ratio saywho/spaCy':22} {'':9} {result['ratio_saywho_spacy_words_per_s']:10.2f}",
        "",
        f"spaCy pipes: {', '.join(spacy['pipes'])}; batch size {spacy['batch_size']}",
        f"saywho attributions found: {saywho['attributions']}",
        "",
        f"{'memory after':22} {'RSS MiB':>9} {'peak MiB':>10}  (RSS after a run: results held)",
    ]
    for stage in result["memory"]["stages"]:
        rss = "?" if stage["rss_mib"] is None else f"{stage['rss_mib']:.1f}"
        lines.append(f"{stage['stage']:22} {rss:>9} {stage['peak_rss_mib']:10.1f}")
    lines.append(f"{'peak RSS (ru_maxrss)':22} {'':9} {result['memory']['peak_rss_mib']:10.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
