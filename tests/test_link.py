"""Cross-article linking: statement clusters and speaker names (saywho.link)."""

from __future__ import annotations

import importlib.util
import random
from datetime import date
from pathlib import Path

import pytest

from saywho.link import (
    MIN_WORDS,
    Statement,
    StatementCluster,
    cluster_statements,
    link_speakers,
    normalize,
    quoted_core,
    similarity,
    words_of,
)

ROOT = Path(__file__).resolve().parent.parent


def _load_eval():
    spec = importlib.util.spec_from_file_location("link_eval", ROOT / "bench" / "link_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


link_eval = _load_eval()


def st(id: str, text: str, speaker: str | None = None, published: date | None = None, order: str = "0") -> Statement:
    return Statement(id=id, text=text, speaker=speaker, published=published, order=order)


@pytest.fixture(scope="module")
def written():
    return link_eval.load_written()


# -- the labelled written set -----------------------------------------------------------------


def test_written_set_precision_recall(written):
    scores = link_eval.evaluate(written)
    assert len(written) >= 30
    assert scores["precision"] >= 0.95, scores["errors"]
    assert scores["recall"] >= 0.90, scores["errors"]


def test_polnear_references_are_wellformed():
    rows = [line for line in (ROOT / "tests/data/statements/polnear.jsonl").read_text().splitlines() if line]
    import json

    for line in rows:
        row = json.loads(line)
        assert set(row) >= {"id", "split", "file", "spans", "cluster"}
        assert "text" not in row  # references only: no article text in the repository
        assert all(0 <= a < b for a, b in row["spans"])
    assert 40 <= len(rows) <= 100


def test_cluster_fields(written):
    statements = link_eval.to_statements(written)
    clusters = cluster_statements(statements)
    by_id = {s.id: s for s in statements}
    wall = next(c for c in clusters if "w01" in c.members)
    assert isinstance(wall, StatementCluster)
    assert set(wall.members) == {"w01", "w02", "w03", "w04"}
    assert "w05" not in wall.members  # same speaker, different statement
    # provenance: earliest publication date first
    assert wall.first == "w01" == wall.members[0]
    dates = [by_id[m].published for m in wall.members]
    assert dates == sorted(dates)
    # changed words: w03 replaced "will pay" by "is going to pay"; w02 identical after
    # normalisation; w04 is a truncated excerpt (no interior change)
    assert wall.changed_words == {"w03": ["-will", "+is", "+going", "+to"]}
    assert wall.same_speaker  # Donald Trump, Trump, Mr. Trump
    import hashlib

    expected = "c" + hashlib.sha1("\n".join(sorted(wall.members)).encode()).hexdigest()[:12]
    assert wall.id == expected
    # clusters are sorted by provenance of their first member
    keys = [(by_id[c.first].published is None, by_id[c.first].published or date.min) for c in clusters]
    assert keys == sorted(keys)


def test_mixed_attribution_links_through_quoted_core(written):
    clusters = cluster_statements(link_eval.to_statements(written))
    mixed = next(c for c in clusters if "w26" in c.members)
    assert set(mixed.members) == {"w26", "w27", "w28"}
    assert not mixed.same_speaker
    assert quoted_core('He said "a b c d" and \'\'e f\'\'') == ["a", "b", "c", "d", "e", "f"]


def test_none_dates_come_last(written):
    clusters = cluster_statements(link_eval.to_statements(written))
    nodate = next(c for c in clusters if "w34" in c.members)
    assert nodate.members == ["w35", "w34"]
    assert nodate.first == "w35"
    assert not nodate.same_speaker  # one member has no speaker


def test_order_breaks_date_ties():
    a = st("a", "the committee will vote on the bill next week", published=date(2016, 1, 1), order="002")
    b = st("b", "the committee will vote on the bill next week", published=date(2016, 1, 1), order="001")
    (cluster,) = cluster_statements([a, b])
    assert cluster.members == ["b", "a"] and cluster.first == "b"
    assert cluster.changed_words == {}


# -- behaviour ----------------------------------------------------------------------------------


def test_empty_input():
    assert cluster_statements([]) == []
    assert cluster_statements(iter([])) == []
    assert link_speakers([]) == {}


def test_single_and_distinct_statements_make_no_cluster():
    assert cluster_statements([st("a", "one two three four five")]) == []
    assert cluster_statements([st("a", "the senate will vote on tuesday"), st("b", "markets fell sharply in asia overnight")]) == []


def test_short_statements_are_not_linked():
    assert MIN_WORDS == 4
    same_short = [st(f"s{i}", "We will see.") for i in range(5)]
    assert cluster_statements(same_short) == []
    four = [st("a", "The economy is recovering."), st("b", "“The economy is recovering,”")]
    (cluster,) = cluster_statements(four)
    assert cluster.members == ["a", "b"]


def test_altered_and_truncated_versions():
    full = "The billionaire class must start paying its fair share of taxes, and that is what we will do."
    statements = [
        st("a", full, published=date(2016, 1, 1)),
        st("b", full.replace("its", "their"), published=date(2016, 1, 2)),
        st("c", "The billionaire class must start paying its fair share of taxes", published=date(2016, 1, 3)),
        st("d", "The middle class must stop paying for the mistakes of Wall Street.", published=date(2016, 1, 4)),
    ]
    (cluster,) = cluster_statements(statements)
    assert cluster.members == ["a", "b", "c"]
    assert cluster.changed_words == {"b": ["-its", "+their"]}


def test_short_fragment_of_long_statement_is_not_linked():
    long = (
        "We have managed so much, we will manage this too, and wherever something stands in our way "
        "it must be overcome, it must be worked on, and we will do everything in our power."
    )
    assert cluster_statements([st("a", long), st("b", "we will manage this too")]) == []


def test_similarity_counts_interior_insertions():
    a = words_of("a ban on Muslims entering the United States")
    b = words_of("a total and complete ban on all Muslims entering the United States")
    assert similarity(a, b) == pytest.approx(0.5)
    assert similarity(words_of("one two three four"), words_of("zero one two three four five")) == 1.0


def test_normalize():
    assert normalize("“Don’t   STOP,” he said…") == "dont stop he said"
    assert words_of("''It's fine,'' -- really!") == ["its", "fine", "really"]


def test_deterministic_and_input_order_independent(written):
    statements = link_eval.to_statements(written)
    first = cluster_statements(statements)
    shuffled = statements[:]
    random.Random(3).shuffle(shuffled)
    assert cluster_statements(shuffled) == first
    assert cluster_statements(statements) == first


def test_duplicate_ids_rejected():
    with pytest.raises(ValueError):
        cluster_statements([st("a", "one two three four five"), st("a", "one two three four five")])


def test_many_exact_repeats_are_cheap():
    statements = [st(f"s{i:04d}", "Nobody is above the law, not even a candidate.", order=f"{i:04d}") for i in range(2000)]
    (cluster,) = cluster_statements(statements)
    assert len(cluster.members) == 2000 and cluster.first == "s0000"
    assert cluster.changed_words == {}


# -- speakers -------------------------------------------------------------------------------------


def test_link_speakers_example_from_the_brief():
    names = ["Donald Trump", "Trump", "Mr. Trump", "Hillary Clinton", "Clinton", "Bill Clinton"]
    out = link_speakers(names)
    assert out["Donald Trump"] == out["Trump"] == out["Mr. Trump"] == "Donald Trump"
    assert out["Hillary Clinton"] == "Hillary Clinton"
    assert out["Bill Clinton"] == "Bill Clinton"
    assert out["Clinton"] == "Clinton"  # ambiguous: two full names with that surname
    assert set(out) == set(names)


def test_link_speakers_unique_surname_joins():
    out = link_speakers(["Hillary Clinton", "Clinton", "Mrs. Clinton", "Sen. Clinton"])
    assert set(out.values()) == {"Hillary Clinton"}


def test_link_speakers_honorifics_and_case():
    out = link_speakers(["President Obama", "Barack Obama", "barack obama", "Dr. Ben Carson", "CARSON", "Sen. Ted Cruz"])
    assert out["President Obama"] == out["barack obama"] == "Barack Obama"
    assert out["CARSON"] == out["Dr. Ben Carson"] == "Dr. Ben Carson"  # the only full form
    assert out["Sen. Ted Cruz"] == "Sen. Ted Cruz"


def test_link_speakers_ambiguity_rules():
    out = link_speakers(["George W. Bush", "George H. W. Bush", "George Bush", "Bush", "Jeb Bush"])
    assert out["George Bush"] == "George Bush"  # two longer candidates: stays apart
    assert out["Bush"] == "Bush"
    out = link_speakers(["Hillary Clinton", "Hillary Rodham Clinton"])
    assert out["Hillary Clinton"] == out["Hillary Rodham Clinton"]
    out = link_speakers(["Donald Trump", "Donald Trump Jr.", "Trump"])
    assert out["Donald Trump Jr."] == "Donald Trump Jr."
    assert out["Donald Trump"] == "Donald Trump"
    assert out["Trump"] == "Trump"  # two people named Trump
    out = link_speakers(["Clinton", "Mr. Clinton", "Mrs. Clinton", "Hillary Clinton", "Bill Clinton"])
    assert out["Mr. Clinton"] != out["Mrs. Clinton"]


def test_link_speakers_most_frequent_spelling_wins():
    out = link_speakers(["Hillary Clinton"] * 3 + ["Hillary Rodham Clinton"])
    assert out["Hillary Rodham Clinton"] == "Hillary Clinton"


def test_same_speaker_uses_linked_names():
    text = "We are going to make this country great again, believe me."
    a = st("a", text, speaker="Donald Trump", published=date(2016, 1, 1))
    b = st("b", text, speaker="Mr. Trump", published=date(2016, 1, 2))
    c = st("c", text, speaker="Mike Pence", published=date(2016, 1, 3))
    assert cluster_statements([a, b])[0].same_speaker
    assert not cluster_statements([a, b, c])[0].same_speaker


def test_canonical_name_is_not_headline_capitals():
    from saywho.link import link_speakers

    names = ["OBAMA", "OBAMA", "OBAMA", "Obama"]
    assert set(link_speakers(names).values()) == {"Obama"}
