"""The nouns that head PolNeAR train sources and that saywho would not take for a source that
can speak without its train-derived list (``saywho.core.TRAIN_SOURCE_NOUNS``), with their
counts: how that list was found, and a check of it against the data.

    python bench/source_nouns.py ../shared/data/polnear/train [--min 5]

A source's head is the root of its first piece as en_core_web_sm parses the article (a
NOUN). The shipped list is the nouns of five or more such sources, less those a reader would
not take for a speaker; the output marks each noun shipped or not, and the shipped nouns the
data does not give. Run at the code that split the list out of SPEAKING_NOUNS: 18,361
sources, 1,007 headed by such a noun, 44 nouns of five or more; all shipped but five left out
("trump" 32, a name tagged as a noun, which the capital-letter test takes mid-sentence;
"result" 26 and "plan" 5, outcomes and events; "self" 7 and "a" 7, misparsed heads), and three
shipped nouns that this run does not find ("half", "republican", "third": heads of another
part of speech here).
"""

from __future__ import annotations

import argparse
from collections import Counter

from saywho import core
from saywho.evaluate import load_polnear
from saywho.nlp import load_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", help="a PolNeAR split folder (train)")
    parser.add_argument("--min", type=int, default=5, help="sources a noun must head (default 5)")
    args = parser.parse_args()
    golds = load_polnear(args.split)
    # Without the train-derived list: which heads would then fail the "can speak" test?
    core.SPEAKING_NOUNS = core.SPEAKING_NOUNS - core.TRAIN_SOURCE_NOUNS
    counts: Counter[str] = Counter()
    sources = 0
    for gold, doc in zip(golds, load_pipeline().pipe([g.text for g in golds], batch_size=16)):
        for attribution in gold.attributions:
            if not attribution.source:
                continue
            start, end = attribution.source[0]
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            sources += 1
            if span.root.pos_ == "NOUN" and not core._speaker_like(span):
                counts[span.root.lemma_.lower()] += 1
    frequent = [(lemma, n) for lemma, n in counts.most_common() if n >= args.min]
    print(f"{sources} sources in {len(golds)} articles; {sum(counts.values())} headed by a noun that cannot "
          f"speak without the list; {len(frequent)} such nouns head {args.min} or more:")
    for lemma, n in frequent:
        print(f"  {n:4d}  {lemma:20s} {'shipped' if lemma in core.TRAIN_SOURCE_NOUNS else 'left out'}")
    gone = sorted(core.TRAIN_SOURCE_NOUNS - {lemma for lemma, _ in frequent})
    print("shipped but under the threshold here:", " ".join(f"{w} ({counts[w]})" for w in gone) or "none")


if __name__ == "__main__":
    main()
