#!/usr/bin/env python3
"""How fast does ``saywho ingest`` go, and how much do more workers help?

Ingests PolNeAR (train + dev, 924 articles, from ../shared/data/polnear) into a fresh
database, once with ``--workers 1`` and once with ``--workers 2`` (``--workers-list`` for
others), and prints for each the seconds, articles/s and words/s of the ingestion (from the
command's JSON summary; linking is left out with ``--no-link``) and the speed-up over one
worker. With ``--db postgresql://...`` it uses that database instead of a temporary SQLite file
(the tables are emptied before each run: use a throw-away database).

    .venv/bin/python bench/ingest_bench.py [--limit N] [--db postgresql://user@host/db]

A script, not a test: nothing here fails on a slow run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POLNEAR = REPO.parent / "shared" / "data" / "polnear"


def _empty_postgres(url: str) -> None:
    sys.path.insert(0, str(REPO / "src"))
    import sqlalchemy as sa

    from saywho.store import database_url

    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        for name in ("cluster_members", "clusters", "speaker_links", "speakers", "attributions", "failures", "documents"):
            if name in tables:
                conn.execute(sa.text(f"DELETE FROM {name}"))
    engine.dispose()


def run(workers: int, db: str, inputs: list[str], limit: int | None, pool: bool = False) -> dict:
    command = [sys.executable, "-c", "from saywho.cli import main; main()", "ingest", *inputs, "--db", db, "--workers", str(workers),
               "--no-link", "--quiet", "--format", "json"]
    if limit:
        command += ["--limit", str(limit)]
    if pool:
        command.append("--pool")
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    if done.returncode != 0:
        raise SystemExit(f"saywho ingest failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=POLNEAR, help="PolNeAR folder (train/ and dev/ inside)")
    parser.add_argument("--db", help="postgresql://... (default: a temporary SQLite file per run)")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--workers-list", default="1,2", help="worker counts to time (default 1,2); '1p' is one "
                        "worker process beside the main one, instead of all in one process")
    args = parser.parse_args()
    inputs = [str(args.data / "train"), str(args.data / "dev")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.workers_list.split(","):
            workers, pool = int(spec.rstrip("p")), spec.endswith("p")
            if args.db:
                _empty_postgres(args.db)
                db = args.db
            else:
                db = f"sqlite:///{tmp}/ingest-{spec}.db"
            summary = run(workers, db, inputs, args.limit, pool)
            summary["label"] = f"{workers} worker process" if pool else f"{workers}"
            results.append(summary)
            print(
                f"workers={summary['label']}: {summary['articles']} articles ({summary['added']} added, "
                f"{summary['failed']} failed) in {summary['seconds']:.1f} s: "
                f"{summary['articles_per_s']:.2f} articles/s, {summary['words_per_s']:,.0f} words/s",
                flush=True,
            )
    base = results[0]
    for summary in results[1:]:
        print(f"speed-up workers={summary['label']} / workers={base['label']}: {base['seconds'] / summary['seconds']:.2f}x")
    print(f"backend: {'postgresql' if args.db else 'sqlite'}; CPUs: {os.cpu_count()}")


if __name__ == "__main__":
    main()
