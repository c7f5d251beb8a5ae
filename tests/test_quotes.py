"""Tests for saywho.quotes: the character-level quotation-mark scanner."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saywho.quotes import MAX_SPAN, STYLES, Quote, find_quotes

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
SEED = EXAMPLES / "belarus-own-weapons.txt"
SEED_GOLD = EXAMPLES / "belarus-own-weapons.gold.json"

# style -> {opening mark: the closing marks it pairs with}
PAIRS = {
    "double": {'"': '"”'},
    "curly-double": {"“": "”\""},
    "single": {"'": "'’"},
    "curly-single": {"‘": "’'"},
    "guillemet": {"«": "»", "»": "«"},
    "low": {"„": "“”\""},
    "low-single": {"‚": "‘’"},
}


def content(text: str, q: Quote) -> str:
    return text[q.start : q.end]


def summary(text: str) -> list[tuple[str, str, str, int, bool]]:
    """(content, style, kind, depth, closed) of every quote, in order."""
    return [(content(text, q), q.style, q.kind, q.depth, q.closed) for q in find_quotes(text)]


def extent_end(q: Quote) -> int:
    """First index after everything the quote covers, marks included."""
    return q.close + 1 if q.close is not None else q.end


def check_invariants(text: str, quotes: list[Quote]) -> None:
    assert [q.open for q in quotes] == sorted(q.open for q in quotes)
    assert len({q.open for q in quotes}) == len(quotes)
    for q in quotes:
        assert 0 <= q.open < q.start <= q.end <= len(text)
        assert q.style in STYLES
        assert q.kind in ("quotation", "term")
        assert q.depth >= 0
        assert q.start == q.open + 1 and text[q.open] in PAIRS[q.style]
        if q.closed:
            assert q.close is not None and q.end == q.close
            assert text[q.close] in PAIRS[q.style][text[q.open]]
            assert q.close - q.open <= MAX_SPAN + 1
        else:
            assert q.kind == "quotation"
            assert q.end - q.start <= MAX_SPAN
            # An unclosed quote stays in its paragraph and has no trailing whitespace.
            assert "\n" not in text[q.open : q.end]
            assert not text[q.end - 1].isspace()
        if q.continued:
            line_start = text.rfind("\n", 0, q.open) + 1
            assert text[line_start : q.open].strip() == ""
    # Same depth: no overlap. Deeper: inside the nearest shallower quote before it.
    for depth in {q.depth for q in quotes}:
        same = [q for q in quotes if q.depth == depth]
        for a, b in zip(same, same[1:], strict=False):
            assert extent_end(a) <= b.open, (a, b)
    for i, q in enumerate(quotes):
        if q.depth:
            parent = next(p for p in reversed(quotes[:i]) if p.depth == q.depth - 1)
            assert parent.open < q.open and extent_end(q) <= extent_end(parent), (parent, q)


# --- styles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "style", "inner"),
    [
        ('He said "we will win," and left.', "double", "we will win,"),
        ("He said “we will win,” and left.", "curly-double", "we will win,"),
        ("He said 'we will win,' and left.", "single", "we will win,"),
        ("He said ‘we will win,’ and left.", "curly-single", "we will win,"),
        ("Il a dit «nous gagnerons» et il est parti.", "guillemet", "nous gagnerons"),
        ("Er sagte »wir gewinnen« und ging.", "guillemet", "wir gewinnen"),
        ("Er sagte „wir gewinnen“ und ging.", "low", "wir gewinnen"),
        ("Powiedział „wygramy” i wyszedł.", "low", "wygramy"),
        ("Er sagte ‚wir gewinnen‘ und ging.", "low-single", "wir gewinnen"),
    ],
)
def test_each_style(text: str, style: str, inner: str) -> None:
    quotes = find_quotes(text)
    assert len(quotes) == 1
    q = quotes[0]
    assert (content(text, q), q.style, q.kind, q.depth, q.closed, q.continued) == (
        inner, style, "quotation", 0, True, False,
    )  # fmt: skip
    assert text[q.close] in PAIRS[style][text[q.open]]
    check_invariants(text, quotes)


def test_several_quotes_in_a_row() -> None:
    text = '"Hello," he said. "How are you?" she asked. «Bien», dit-il.'
    assert [c for c, *_ in summary(text)] == ["Hello,", "How are you?", "Bien"]


def test_french_guillemets_keep_inner_spaces() -> None:
    text = "« Bonjour », dit-il."
    (q,) = find_quotes(text)
    assert (q.open, q.close, content(text, q)) == (0, 10, " Bonjour ")


def test_low_quote_closer_is_not_reused_as_an_opener() -> None:
    # “ closes „...“; it must not then open a curly-double quote up to the ”.
    text = "„Ja“, sagte er, und dann „nein” zu mir."
    assert summary(text) == [
        ("Ja", "low", "quotation", 0, True),
        ("nein", "low", "quotation", 0, True),
    ]


# --- nesting --------------------------------------------------------------------------


def test_nested_single_in_double() -> None:
    text = "“He said ‘no’ to me,” she said."
    assert summary(text) == [
        ("He said ‘no’ to me,", "curly-double", "quotation", 0, True),
        ("no", "curly-single", "quotation", 1, True),
    ]


def test_nested_ascii_quotes_two_levels() -> None:
    text = "\"She told me 'He called it \u201cthe end\u201d, really' yesterday,\" he said."
    got = summary(text)
    assert [(c, d) for c, _, _, d, _ in got] == [
        ("She told me 'He called it “the end”, really' yesterday,", 0),
        ("He called it “the end”, really", 1),
        ("the end", 2),
    ]
    check_invariants(text, find_quotes(text))


# --- apostrophes and possessives ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The nation's future and Moscow's demands, Belarus's capacity and Russia's role.",
        "I don't know and we can't say, she'd say.",
        "They played rock 'n' roll all through the '90s and into '08.",
        "The Russians' weapons and the allies' plans were discussed.",
        "The nation’s future, Moscow’s demands, and the Russians’ weapons.",
        "Let 'em go, 'tis said.",
        "O'Brien met D'Souza at the Ministry's office.",
    ],
)
def test_apostrophes_produce_no_quote(text: str) -> None:
    assert find_quotes(text) == []


def test_apostrophes_inside_a_single_quote() -> None:
    text = "He said: 'We're ready and the nation's '90s are over.' Then he left."
    assert summary(text) == [
        ("We're ready and the nation's '90s are over.", "single", "quotation", 0, True)
    ]


def test_plural_possessive_does_not_close_a_pending_quote_too_early() -> None:
    text = "'The Russians' weapons are not ours,' Lukashenko said."
    (q,) = find_quotes(text)
    assert content(text, q) == "The Russians' weapons are not ours,"
    assert text[q.close + 1 :] == " Lukashenko said."


def test_plural_possessive_curly() -> None:
    text = "‘The allies’ plans are not ours,’ he said, ‘and never were.’"
    assert [c for c, *_ in summary(text)] == ["The allies’ plans are not ours,", "and never were."]


def test_plural_possessive_closes_when_nothing_better_follows() -> None:
    # No stronger closing candidate in the paragraph: the s' one is the only pairing.
    text = "Fans of the 'Texans' team cheered."
    assert summary(text) == [("Texans", "single", "term", 0, True)]


def test_plural_possessive_followed_by_speech_verb_closes() -> None:
    text = "'We beat the Russians' said the coach, 'and we will again.'"
    assert [c for c, *_ in summary(text)] == ["We beat the Russians", "and we will again."]


# --- scare quotes / terms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inner", "kind"),
    [
        ("Minsk will deploy the new 'Oreshnik' missile complex.", "Oreshnik", "term"),
        ("As the 'Oreshnik' system prepares for deployment.", "Oreshnik", "term"),
        ("The army launched “Operation Desert Storm” at dawn.", "Operation Desert Storm", "term"),
        ("The “Zapad 2021” drills ended.", "Zapad 2021", "term"),
        ("She called the plan “a disaster” and left.", "a disaster", "quotation"),
        ("It was, he said, “Wonderful.” Then silence.", "Wonderful.", "quotation"),
        ("“Thank you.”", "Thank you.", "quotation"),
        ("'Yes,' he said.", "Yes,", "quotation"),
        ("He said 'No' and left.", "No", "quotation"),  # after a speech verb
        ("“Oreshnik” is the name.", "Oreshnik", "quotation"),  # opens the sentence
        ("A headline\n'Oreshnik' opens this one.", "Oreshnik", "quotation"),
        ("They praised the “Very Big New Plan” today.", "Very Big New Plan", "quotation"),
    ],
)
def test_term_or_quotation(text: str, inner: str, kind: str) -> None:
    (q,) = find_quotes(text)
    assert (content(text, q), q.kind) == (inner, kind)


# --- paragraphs ---------------------------------------------------------------------------


def test_quote_crosses_one_line_break() -> None:
    text = (
        "He spoke. 'Certainly, Russians will help to the extent of our policy.\n"
        "But our primary weapons need to be our own,' Lukashenko said.\n"
        "Next paragraph."
    )
    (q,) = find_quotes(text)
    assert q.closed and not q.continued
    assert content(text, q) == (
        "Certainly, Russians will help to the extent of our policy.\n"
        "But our primary weapons need to be our own,"
    )


def test_quote_crosses_crlf_line_break() -> None:
    text = "'First part of it.\r\nSecond part,' he said.\r\nNext."
    (q,) = find_quotes(text)
    assert content(text, q) == "First part of it.\r\nSecond part,"
    assert text[q.close] == "'"


def test_quote_does_not_cross_two_line_breaks() -> None:
    text = "He said “the first part.\nA narrative paragraph.\nAnother one ends,” oddly."
    quotes = find_quotes(text)
    assert [(content(text, q), q.closed) for q in quotes] == [("the first part.", False)]


def test_no_crossing_into_a_paragraph_that_opens_with_a_mark() -> None:
    text = "He said 'Certainly, we will.\n“Other,” she said. But ours,' he added."
    assert summary(text) == [("Other,", "curly-double", "quotation", 0, True)]


def test_continuation_paragraphs() -> None:
    text = (
        "“We will build our own weapons,\n"
        "“and we will not depend on anyone.\r\n"
        "\n"
        "“That is the policy,” he said.\n"
        "“A new quote.”"
    )
    quotes = find_quotes(text)
    assert [(content(text, q), q.close is None, q.continued) for q in quotes] == [
        ("We will build our own weapons,", True, False),
        ("and we will not depend on anyone.", True, True),
        ("That is the policy,", False, True),
        ("A new quote.", False, False),
    ]
    check_invariants(text, quotes)


def test_continuation_with_ascii_single_quotes() -> None:
    # An unclosed ' is normally dropped as a likely apostrophe, but not when the next
    # paragraph opens with ' again.
    text = "'First paragraph of the quote.\n'Second paragraph, closed,' he said."
    quotes = find_quotes(text)
    assert [(content(text, q), q.closed, q.continued) for q in quotes] == [
        ("First paragraph of the quote.", False, False),
        ("Second paragraph, closed,", True, True),
    ]


def test_continuation_needs_the_same_style() -> None:
    text = "“An unclosed quote.\n'Another style,' he said."
    quotes = find_quotes(text)
    assert [(content(text, q), q.closed, q.continued) for q in quotes] == [
        ("An unclosed quote.", False, False),
        ("Another style,", True, False),
    ]


# --- unbalanced input -------------------------------------------------------------------


def test_unclosed_at_end_of_text() -> None:
    text = "He said “this is not closed   "
    (q,) = find_quotes(text)
    assert (q.close, q.closed, content(text, q)) == (None, False, "this is not closed")


def test_unclosed_ends_at_its_paragraph() -> None:
    text = "He said “this is not closed.\nOther news.\nAnd “this one is,” she said."
    quotes = find_quotes(text)
    assert [(content(text, q), q.closed) for q in quotes] == [
        ("this is not closed.", False),
        ("this one is,", True),
    ]


def test_unclosed_ascii_single_is_ignored() -> None:
    text = "He said 'this is not closed.\nOther news."
    assert find_quotes(text) == []


def test_only_opening_marks() -> None:
    text = "“a “b “c\n«d «e\n„f"
    quotes = find_quotes(text)
    assert all(not q.closed for q in quotes)
    assert [content(text, q) for q in quotes] == ["a “b “c", "b “c", "c", "d «e", "e", "f"]
    check_invariants(text, quotes)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "no quotes at all", "”’»", "“”", '""', "''"])
def test_nothing_to_find(text: str) -> None:
    assert find_quotes(text) == []


def test_stray_mark_does_not_swallow_a_paragraph_without_line_breaks() -> None:
    text = "He said “oops. " + "Filler words here. " * 500 + "“Real,” she said."
    quotes = find_quotes(text)
    first, last = quotes[0], quotes[-1]
    assert first.end - first.start <= MAX_SPAN
    assert (content(text, last), last.depth, last.closed) == ("Real,", 0, True)


def test_quote_longer_than_max_span_is_not_closed() -> None:
    text = "“" + "word " * (MAX_SPAN // 5 + 10) + "end.” Then more."
    (q,) = find_quotes(text)
    assert not q.closed


def test_found_quotes_are_ordinary_quote_values() -> None:
    text = "He said “yes” and “no"
    assert find_quotes(text) == [
        Quote(8, 12, 9, 12, "curly-double", "quotation", 0, False),
        Quote(18, None, 19, 21, "curly-double", "quotation", 0, False),
    ]
    assert len(set(find_quotes(text))) == 2


def test_closed_property() -> None:
    q = Quote(0, 5, 1, 5, "double", "quotation", 0, False)
    assert q.closed
    assert not Quote(0, None, 1, 5, "double", "quotation", 0, False).closed
    with pytest.raises(AttributeError):
        q.open = 3  # type: ignore[misc]


# --- the seed article -----------------------------------------------------------------------


@pytest.mark.skipif(not SEED_GOLD.exists(), reason="shared examples not available")
def test_seed_article_matches_gold() -> None:
    text = SEED.read_text(encoding="utf-8")
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    quotes = find_quotes(text)
    check_invariants(text, quotes)
    by_span = {(q.start, q.end): q for q in quotes}

    direct = [tuple(g["content"]) for g in gold["quotes"] if g["kind"] in ("direct", "continuation")]
    assert direct
    for span in direct:
        q = by_span.get(span)
        assert q is not None, f"gold quote {span} not found: {text[span[0]:span[1]]!r}"
        assert q.kind == "quotation"

    # Scare quotes around 'Oreshnik': the gold spans include the marks. Anything found
    # there must be a term.
    terms = [tuple(span) for span in gold["not_quotes"]]
    assert terms
    for s, e in terms:
        for q in quotes:
            if q.open < e and s < extent_end(q):
                assert q.kind == "term", (q, text[s:e])

    # Nothing else: in particular no possessive (nation's, Moscow's, Belarus's) opens or
    # closes anything.
    for q in quotes:
        assert (q.start, q.end) in direct or any(s <= q.open < e for s, e in terms), q
    apostrophes = [m.start() + 1 for m in re.finditer(r"\w'\w", text)]
    assert len(apostrophes) >= 10
    marks = {q.open for q in quotes} | {q.close for q in quotes}
    assert marks.isdisjoint(apostrophes)


# --- properties -------------------------------------------------------------------------------

_PIECES = [
    "word", "Name", "the", "s", "90", " ", " ", " ", "  ", "\n", "\r\n", "\n\n", "\t",
    ".", ",", "!", "?", "…", ":", ";", "(", ")", "-", "—",
    '"', "'", "‘", "’", "“", "”", "„", "‚", "«", "»",
    "don't", "nation's", "Russians'", " 'n' ", "'90s", "said",
]  # fmt: skip

article_like = st.lists(st.sampled_from(_PIECES), max_size=120).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_like)
def test_invariants_on_article_like_text(text: str) -> None:
    check_invariants(text, find_quotes(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    check_invariants(text, find_quotes(text))


@settings(max_examples=200, deadline=None)
@given(article_like)
def test_paragraphs_after_the_next_one_change_nothing(text: str) -> None:
    # The scan is local: appending paragraphs with no marks in the first one cannot
    # change any quote that opens in `text`.
    tail = "\nplain one.\n“tail quote” and 'more'\n"
    after = [q for q in find_quotes(text + tail) if q.open < len(text)]
    assert after == find_quotes(text)


# --- speed ----------------------------------------------------------------------------------
# CPU time, not wall time, so that a busy machine does not fail the tests. The bounds are
# loose: they are there to catch quadratic behaviour, which would take hours here.


def _timed(text: str) -> tuple[list[Quote], float]:
    t0 = time.process_time()
    quotes = find_quotes(text)
    return quotes, time.process_time() - t0


@pytest.mark.parametrize(
    "unit",
    [
        "“",  # only opening marks, one endless paragraph
        "'",  # only doubled (never opening) marks
        "\"'",  # marks that open and close each other, with nothing inside
        "“”",
        "„“«»‚‘",
        " 'a",  # ambiguous opening marks, never closed
        " s' x",  # possessive-like closing candidates only
        "“a ",  # unambiguous opening marks, never closed: nested up to MAX_DEPTH
    ],
)
def test_20mb_of_marks_is_fast(unit: str) -> None:
    text = unit * (20_000_000 // len(unit))
    quotes, elapsed = _timed(text)
    check_invariants(text[:5000], [q for q in quotes if extent_end(q) <= 5000])
    assert elapsed < 15.0, f"{elapsed:.1f}s"


def test_20mb_article_like_text_is_fast() -> None:
    paragraph = (
        "The president's remarks, 'In the event of conflict, people would fight,' he "
        "warned. “We need ‘our own’ weapons,” said one expert, as the 'Oreshnik' system "
        "and the Russians' arms «arrive» „soon“. Analysts note the nation's and "
        "Moscow's views differ, and that Belarus's industry is small.\n"
    )
    repeat = 20_000_000 // len(paragraph)
    quotes, elapsed = _timed(paragraph * repeat)
    assert len(quotes) == 6 * repeat
    assert elapsed < 15.0, f"{elapsed:.1f}s"


def test_many_quotes_scale_linearly() -> None:
    # Dense quotes everywhere: 2 MB, about 250,000 quotes.
    unit = "He said 'no,' “yes” and ‘maybe’, «non» „ja“ \"q\" x\n"
    small, t_small = _timed(unit * 5_000)
    large, t_large = _timed(unit * 50_000)
    assert len(large) == 10 * len(small) == 6 * 50_000
    assert t_large < 15.0
    assert t_large < 30 * max(t_small, 0.01)  # ten times the text, not a hundred


@pytest.mark.parametrize(
    "text, expected",
    [
        ('there was “no evidence" yet.\n\n"We see no link," he said.', ["no evidence", "We see no link,"]),
        ("He called it 'a disgrace’ on Monday.", ["a disgrace"]),
        ('“We will win,” she said, "and win big."', ["We will win,", "and win big."]),
    ],
)
def test_mixed_marks_of_one_family_pair_up(text: str, expected: list[str]) -> None:
    quotes = find_quotes(text)
    assert [content(text, q) for q in quotes if q.depth == 0] == expected
    check_invariants(text, quotes)
