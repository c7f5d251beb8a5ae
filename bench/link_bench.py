"""Time saywho.link.cluster_statements on 1k, 10k and 100k synthetic statements.

Statements are generated with a fixed seed: sentences of 6 to 30 words drawn from a
5,000-word vocabulary with Zipf-like frequencies (so, as in real text, a few function words
occur in most sentences), plus about 5% repeated or altered copies of earlier sentences
(verbatim repeats, one or two words replaced, truncated to 60-90%). Prints seconds and
statements per second for each size, and the number of clusters found.

    python bench/link_bench.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from saywho.link import Statement, cluster_statements  # noqa: E402

FUNCTION_WORDS = "the to of and a in that is for it we i you he she they not on with be this".split()


def make_vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return FUNCTION_WORDS + sorted(words)


def synthetic_statements(n: int, seed: int = 7) -> list[Statement]:
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf
    start = date(2016, 1, 1)
    texts: list[str] = []
    for i in range(n):
        if texts and rng.random() < 0.05:
            words = rng.choice(texts).split()
            kind = rng.random()
            if kind < 0.4:
                pass  # verbatim repeat
            elif kind < 0.8:
                for _ in range(rng.randint(1, 2)):
                    words[rng.randrange(len(words))] = rng.choice(vocabulary)
            else:
                words = words[: max(4, int(len(words) * rng.uniform(0.6, 0.9)))]
        else:
            words = rng.choices(vocabulary, weights=weights, k=rng.randint(6, 30))
        texts.append(" ".join(words))
    return [
        Statement(
            id=f"s{i}",
            text=text,
            speaker=f"Speaker {i % 500}",
            published=start + timedelta(days=i % 365),
            order=f"{i:09d}",
        )
        for i, text in enumerate(texts)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args(argv)
    print(f"{'statements':>10} {'seconds':>9} {'stmts/s':>9} {'clusters':>9}")
    for n in args.sizes:
        statements = synthetic_statements(n)
        t0 = time.perf_counter()
        clusters = cluster_statements(statements)
        elapsed = time.perf_counter() - t0
        print(f"{n:>10} {elapsed:>9.2f} {n / elapsed:>9.0f} {len(clusters):>9}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
