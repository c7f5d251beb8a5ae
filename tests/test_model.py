"""Tests of saywho.model's span helpers: nesting (which attribution another is reported within), holds, outside."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from saywho.model import Attribution, holds, nesting, outside


def attribution(content, cue=(), index=0) -> Attribution:
    return Attribution(
        id=f"d:{index}", index=index, kind="indirect", content=list(content), cue=list(cue),
        source_type="unknown", sentence=0, paragraph=0, confidence=1.0, rule="test",
    )


def test_nesting_names_the_innermost_content_that_holds_the_cue():
    outer = attribution([(0, 100)], [(0, 4)])
    middle = attribution([(20, 90)], [(10, 14)], 1)  # its cue inside outer's content
    inner = attribution([(40, 80)], [(30, 34)], 2)  # inside both outer's and middle's
    assert nesting([outer, middle, inner]) == [None, 0, 1]


def test_nesting_ignores_its_own_content_a_missing_cue_and_a_cue_across_an_edge():
    one = attribution([(0, 50)], [(10, 14)])  # its cue inside its own content only
    no_cue = attribution([(5, 9)], [], 1)
    across = attribution([(60, 70)], [(48, 55)], 2)  # starts inside one's content, ends after
    assert nesting([one, no_cue, across]) == [None, None, None]


def test_nesting_reads_every_piece_of_a_broken_content():
    broken = attribution([(0, 10), (30, 60)], [(20, 24)])
    inner = attribution([(50, 58)], [(40, 44)], 1)
    assert nesting([broken, inner]) == [None, 0]


_spans = st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(st.tuples(st.lists(_spans, min_size=1, max_size=2), st.lists(_spans, max_size=1)), max_size=6))
def test_nesting_points_at_another_attribution_whose_content_holds_the_cue(drawn):
    attributions = [attribution(content, cue, i) for i, (content, cue) in enumerate(drawn)]
    for i, (a, within) in enumerate(zip(attributions, nesting(attributions))):
        holders = [
            (e - s, j) for j, b in enumerate(attributions) if j != i and a.cue
            for s, e in b.content if s <= a.cue[0][0] and a.cue[0][1] <= e
        ]
        if not holders:
            assert within is None
        else:
            assert within != i and min(holders)[0] == min(size for size, j in holders if j == within)


def test_holds_asks_for_one_piece_around_the_whole_span():
    assert holds([(0, 10), (20, 30)], (22, 30))
    assert not holds([(0, 10), (20, 30)], (8, 22))  # across the gap between two pieces
    assert not holds([(0, 10)], (5, 11)) and not holds([], (0, 1))


def test_outside_keeps_what_no_other_span_covers():
    assert outside([(0, 100)], [(20, 30), (50, 60)]) == [(0, 20), (30, 50), (60, 100)]
    assert outside([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert outside([(10, 20)], [(0, 30)]) == []
    assert outside([(10, 20)], []) == [(10, 20)]
    assert outside([(10, 20)], [(20, 30), (0, 10)]) == [(10, 20)]  # touching is not covering


@given(st.lists(_spans, max_size=4), st.lists(_spans, max_size=4))
def test_outside_is_the_characters_of_spans_not_in_others(spans, others):
    def chars(pieces):
        return {i for s, e in pieces for i in range(s, e)}

    kept = outside(spans, others)
    assert chars(kept) == chars(spans) - chars(others)
    assert all(s < e for s, e in kept)
    assert kept == sorted(kept) and all(a[1] < b[0] for a, b in zip(kept, kept[1:]))  # apart, in order
