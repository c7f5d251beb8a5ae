"""Time expressions: finding, normalising against the publication date, clause tense."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saywho.model import Granularity, TimeExpression, TimeReport
from saywho.nlp import load_pipeline
from saywho.timex import UNKNOWN_PUBLICATION_NOTE, time_report

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "belarus-own-weapons.txt"
PUB = date(2025, 6, 4)  # a Wednesday


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def report(nlp, text: str, published: date | None = PUB) -> TimeReport:
    return time_report(text, [(nlp(text), 0)], published)


def only(rep: TimeReport, text: str) -> TimeExpression:
    found = [e for e in rep.expressions if e.text == text]
    assert len(found) == 1, f"{text!r} not found once in {[e.text for e in rep.expressions]}"
    return found[0]


def check_spans(text: str, rep: TimeReport) -> None:
    previous_end = 0
    for e in rep.expressions:
        start, end = e.span
        assert text[start:end] == e.text
        assert previous_end <= start < end <= len(text)
        previous_end = end
        s_start, s_end = e.sentence
        assert 0 <= s_start <= start and end <= s_end <= len(text)
        assert text[s_start:s_end] == text[s_start:s_end].strip()
        if e.start is not None and e.end is not None:
            assert e.start <= e.end


# -- Families, with a publication date ------------------------------------------------------

# (sentence, expression, value, start, end, granularity)
ABSOLUTE = [
    ("The plant opened on June 1, 2025.", "June 1, 2025", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("The plant opened on 1 June 2025.", "1 June 2025", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("The log is dated 2025-06-01.", "2025-06-01", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("It was signed on the 3rd of March, 2021.", "the 3rd of March, 2021", "2021-03-03", "2021-03-03", "2021-03-03", "day"),
    ("It was signed on Monday, June 2, 2025.", "Monday, June 2, 2025", "2025-06-02", "2025-06-02", "2025-06-02", "day"),
    ("It was signed on 06/01/2025.", "06/01/2025", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("Prices peaked in December 2023.", "December 2023", "2023-12", "2023-12-01", "2023-12-31", "month"),
    ("Prices peaked in Dec. 2023.", "Dec. 2023", "2023-12", "2023-12-01", "2023-12-31", "month"),
    ("The war began in 2019.", "2019", "2019", "2019-01-01", "2019-12-31", "year"),
    ("Output has risen since 2014.", "2014", "2014", "2014-01-01", "2014-12-31", "year"),
    ("Sales fell in Q3 2024.", "Q3 2024", "2024-Q3", "2024-07-01", "2024-09-30", "quarter"),
    ("Sales fell in the third quarter of 2024.", "the third quarter of 2024", "2024-Q3", "2024-07-01", "2024-09-30", "quarter"),
    ("Sales fell in the first half of 2024.", "the first half of 2024", "2024-H1", "2024-01-01", "2024-06-30", "year"),
    ("The summer of 2024 was hot.", "The summer of 2024", "2024-SU", "2024-06-01", "2024-08-31", "quarter"),
    ("Inflation hit a peak in mid-2022.", "mid-2022", "2022", "2022-05-01", "2022-08-31", "year"),
    ("Inflation eased in early 2023.", "early 2023", "2023", "2023-01-01", "2023-04-30", "year"),
    ("Rates rose at the end of March 2024.", "the end of March 2024", "2024-03", "2024-03-21", "2024-03-31", "month"),
    ("He grew up in the 1990s.", "the 1990s", "199", "1990-01-01", "1999-12-31", "year"),
    ("The 2023-24 season was long.", "2023-24", "2023/2024", "2023-01-01", "2024-12-31", "year"),
]


@pytest.mark.parametrize("sentence, phrase, value, start, end, granularity", ABSOLUTE)
@pytest.mark.parametrize("published", [PUB, None])
def test_absolute_expressions_need_no_publication_date(nlp, sentence, phrase, value, start, end, granularity, published):
    rep = report(nlp, sentence, published)
    e = only(rep, phrase)
    assert (e.value, str(e.start), str(e.end), e.granularity.value) == (value, start, end, granularity)
    assert e.relative is False
    check_spans(sentence, rep)


RELATIVE = [
    ("They met yesterday.", "yesterday", "2025-06-03", "2025-06-03", "2025-06-03", "day"),
    ("They will meet tomorrow morning.", "tomorrow morning", "2025-06-05", "2025-06-05", "2025-06-05", "day"),
    ("The court ruled today.", "today", "2025-06-04", "2025-06-04", "2025-06-04", "day"),
    ("Prices fell last week.", "last week", "2025-W22", "2025-05-26", "2025-06-01", "week"),
    ("Prices fell this week.", "this week", "2025-W23", "2025-06-02", "2025-06-08", "week"),
    ("Prices will rise next month.", "next month", "2025-07", "2025-07-01", "2025-07-31", "month"),
    ("The firm was founded two years ago.", "two years ago", "2023", "2023-01-01", "2023-12-31", "year"),
    ("He left three days ago.", "three days ago", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("It started six months ago.", "six months ago", "2024-12", "2024-12-01", "2024-12-31", "month"),
    ("Profits fell this year.", "this year", "2025", "2025-01-01", "2025-12-31", "year"),
    ("Profits fell last year.", "last year", "2024", "2024-01-01", "2024-12-31", "year"),
    ("He resigned earlier this month.", "earlier this month", "2025-06", "2025-06-01", "2025-06-03", "month"),
    ("A vote is planned later this year.", "later this year", "2025", "2025-06-05", "2025-12-31", "year"),
    ("Trade slowed late last year.", "late last year", "2024", "2024-09-01", "2024-12-31", "year"),
    ("Sales fell in the third quarter.", "the third quarter", "2024-Q3", "2024-07-01", "2024-09-30", "quarter"),
    ("Sales will rise in the third quarter.", "the third quarter", "2025-Q3", "2025-07-01", "2025-09-30", "quarter"),
    ("Sales fell last quarter.", "last quarter", "2025-Q1", "2025-01-01", "2025-03-31", "quarter"),
    ("He spoke on Monday.", "Monday", "2025-06-02", "2025-06-02", "2025-06-02", "day"),
    ("She will travel on Monday.", "Monday", "2025-06-09", "2025-06-09", "2025-06-09", "day"),
    ("The rally took place Sunday morning.", "Sunday morning", "2025-06-01", "2025-06-01", "2025-06-01", "day"),
    ("He quit last Friday.", "last Friday", "2025-05-30", "2025-05-30", "2025-05-30", "day"),
    ("The vote was held in March.", "March", "2025-03", "2025-03-01", "2025-03-31", "month"),
    ("The vote will be held in March.", "March", "2026-03", "2026-03-01", "2026-03-31", "month"),
    ("The attack happened on Sept. 11.", "Sept. 11", "2024-09-11", "2024-09-11", "2024-09-11", "day"),
    ("It rained over the weekend.", "over the weekend", "2025-W22-WE", "2025-05-31", "2025-06-01", "week"),
    ("Last winter was cold.", "Last winter", "2024-WI", "2024-12-01", "2025-02-28", "quarter"),
    ("We will know in two years' time.", "in two years' time", "2027", "2027-01-01", "2027-12-31", "year"),
]


@pytest.mark.parametrize("sentence, phrase, value, start, end, granularity", RELATIVE)
def test_relative_expressions_resolve_against_publication(nlp, sentence, phrase, value, start, end, granularity):
    rep = report(nlp, sentence)
    e = only(rep, phrase)
    assert (e.value, str(e.start), str(e.end), e.granularity.value) == (value, start, end, granularity)
    assert e.relative is True
    check_spans(sentence, rep)


@pytest.mark.parametrize("sentence, phrase, value, start, end, granularity", RELATIVE)
def test_relative_expressions_stay_unresolved_without_publication(nlp, sentence, phrase, value, start, end, granularity):
    rep = report(nlp, sentence, None)
    e = only(rep, phrase)
    assert (e.value, e.start, e.end) == (None, None, None)
    assert e.granularity.value == granularity
    assert e.relative is True
    assert rep.note == UNKNOWN_PUBLICATION_NOTE
    assert rep.published is None


def test_ranges_ending_or_starting_at_publication(nlp):
    rep = report(nlp, "It lost money over the past two years and will grow within three years.")
    past = only(rep, "the past two years")
    assert (past.value, past.start, past.end, past.deadline) == (None, date(2023, 6, 4), PUB, False)
    within = only(rep, "within three years")
    assert (within.start, within.end, within.deadline, within.forward_looking) == (PUB, date(2028, 6, 4), True, True)


# -- Deadlines ------------------------------------------------------------------------------

DEADLINES = [
    ("The bridge will be finished by the end of the year.", "by the end of the year", "2025", "2025-09-01", "2025-12-31"),
    ("The goal is net zero by 2030.", "by 2030", "2030", "2030-01-01", "2030-12-31"),
    ("Funding runs until March.", "until March", None, None, None),
    ("It must be paid no later than 31 December 2026.", "no later than 31 December 2026", "2026-12-31", "2026-12-31", "2026-12-31"),
    ("Prices will fall by early next year.", "by early next year", "2026", "2026-01-01", "2026-04-30"),
]


@pytest.mark.parametrize("sentence, phrase, value, start, end", DEADLINES)
def test_deadlines(nlp, sentence, phrase, value, start, end):
    e = only(report(nlp, sentence), phrase)
    assert e.deadline is True
    assert e.forward_looking is True and e.past_tense is False
    if value is not None:
        assert (e.value, str(e.start), str(e.end)) == (value, start, end)


def test_until_points_to_the_coming_month(nlp):
    e = only(report(nlp, "Funding runs until March."), "until March")
    assert e.value == "2026-03"


def test_a_deadline_in_a_past_clause_is_not_forward_looking(nlp):
    e = only(report(nlp, "He served as mayor until 2015."), "until 2015")
    assert e.deadline is True
    assert (e.forward_looking, e.past_tense) == (False, True)


# -- Vague ones -----------------------------------------------------------------------------

VAGUE = [
    ("Belarus will need weapons in the years to come.", "in the years to come", True),
    ("Prices will rise in the coming years.", "in the coming years", True),
    ("The rules may change soon.", "soon", True),
    ("A deal may come in the near future.", "in the near future", True),
    ("The firm recently cut jobs.", "recently", False),
    ("In recent years, prices rose.", "In recent years", False),
    ("Years ago, he lived there.", "Years ago", False),
]


@pytest.mark.parametrize("sentence, phrase, ahead", VAGUE)
@pytest.mark.parametrize("published", [PUB, None])
def test_vague_expressions(nlp, sentence, phrase, ahead, published):
    e = only(report(nlp, sentence, published), phrase)
    assert e.granularity == Granularity.VAGUE
    assert (e.value, e.start, e.end, e.relative) == (None, None, None, False)
    assert e.forward_looking is ahead


def test_soon_after_an_event_is_not_a_time_reference(nlp):
    assert report(nlp, "Soon after the war, they left. Call me as soon as you land.").expressions == []


# -- What is not a time ---------------------------------------------------------------------

NOT_TIMES = [
    "Sales rose 90 percent to $30,000 under Section 21.",
    "The company plans to cut 2,000 jobs.",
    "The team won by 2000 votes.",
    "Theresa May spoke to reporters.",
    "May I ask a question?",
    "Black Friday sales were strong.",
    "USA Today reported the story.",
    "The March on Washington drew crowds.",
    "A 20-year-old signed a two-year deal.",
    "They will march on the capital.",
    "Under Article 5 and COVID-19 rules, $2020 was paid.",
]


@pytest.mark.parametrize("sentence", NOT_TIMES)
def test_numbers_and_names_that_are_not_times(nlp, sentence):
    assert report(nlp, sentence).expressions == []


def test_no_overlapping_duplicates(nlp):
    text = "By December 2023, on Monday, June 2, 2025, and in Q3 2024 it was done by the end of the year."
    rep = report(nlp, text)
    assert [e.text for e in rep.expressions] == [
        "By December 2023",
        "Monday, June 2, 2025",
        "Q3 2024",
        "by the end of the year",
    ]
    check_spans(text, rep)


# -- Clause: forward-looking and past tense -------------------------------------------------

CLAUSES = [
    ("The plant will open in 2026.", "2026", True, False),
    ("The plant is expected to open in 2026.", "2026", True, False),
    ("The government plans to cut taxes next year.", "next year", True, False),
    ("The summit is scheduled for March.", "March", True, False),
    ("The plant opened in 2019.", "2019", False, True),
    ("The plant has operated since 2019.", "2019", False, True),
    ("The treaty, signed in 2021, expires soon.", "2021", False, True),
    ("Output stands at a record in 2025.", "2025", False, False),
]


@pytest.mark.parametrize("sentence, phrase, ahead, past", CLAUSES)
def test_clause_tense(nlp, sentence, phrase, ahead, past):
    e = only(report(nlp, sentence), phrase)
    assert (e.forward_looking, e.past_tense) == (ahead, past)


def test_each_expression_takes_its_own_clause(nlp):
    rep = report(nlp, "He said last week that the plant will open in 2026.")
    assert (only(rep, "last week").past_tense, only(rep, "last week").forward_looking) == (True, False)
    assert only(rep, "2026").forward_looking is True


def test_sentence_spans(nlp):
    text = "Prices rose in 2019. Then they fell.\nThe firm will grow by 2030."
    rep = report(nlp, text)
    first, second = rep.expressions
    assert text[slice(*first.sentence)] == "Prices rose in 2019."
    assert text[slice(*second.sentence)] == "The firm will grow by 2030."


def test_chunks_are_offset(nlp):
    head = "Prices rose in 2019.\n"
    tail = "The firm will grow by 2030 and fell last week."
    text = head + tail
    rep = time_report(text, [(nlp(head), 0), (nlp(tail), len(head))], PUB)
    assert [e.text for e in rep.expressions] == ["2019", "by 2030", "last week"]
    check_spans(text, rep)
    assert text[slice(*rep.expressions[1].sentence)] == tail


def test_note_only_without_publication_date(nlp):
    assert report(nlp, "It rained.").note is None
    note = report(nlp, "It rained.", None).note
    assert note is not None and "publication date is unknown" in note


# -- The seed article -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(nlp):
    text = EXAMPLE.read_text(encoding="utf-8")
    return text, nlp(text)


def test_seed_article_deadline(seed):
    text, doc = seed
    rep = time_report(text, [(doc, 0)], date(2025, 6, 1))
    e = only(rep, "by December 2023")
    assert e.span == (778, 794)
    assert (e.value, e.granularity, e.deadline, e.forward_looking, e.past_tense) == (
        "2023-12", Granularity.MONTH, True, True, False,
    )  # fmt: skip
    assert e.end == date(2023, 12, 31) < rep.published
    assert "expected to enter combat duty by December 2023" in text[slice(*e.sentence)]
    vague = only(rep, "in the years to come")
    assert vague.granularity == Granularity.VAGUE and vague.forward_looking
    assert [x.text for x in rep.expressions] == ["by December 2023", "in the years to come"]
    check_spans(text, rep)


def test_seed_article_without_publication_date(seed):
    text, doc = seed
    rep = time_report(text, [(doc, 0)], None)
    e = only(rep, "by December 2023")
    assert (e.value, e.start, e.end) == ("2023-12", date(2023, 12, 1), date(2023, 12, 31))
    assert rep.published is None and rep.note == UNKNOWN_PUBLICATION_NOTE


# -- Spans are exact, whatever the text -----------------------------------------------------

PIECES = [
    "June 1, 2025", "1 June 2025", "2025-06-01", "December 2023", "in 2019", "Sept. 11", "on Monday",
    "Sunday morning", "yesterday", "last week", "next month", "two years ago", "this year",
    "earlier this month", "the third quarter", "Q3 2024", "third quarter of 2024", "by December 2023",
    "by the end of the year", "by 2030", "until March", "in the years to come", "in the coming years",
    "soon", "in the near future", "recently", "90 percent", "$30,000", "Section 21", "mid-2022",
    "the 1990s", "2023-24", "within two years", "the past two years", "May", "Theresa May",
    "he said", "prices will rise", "the plant opened", "is expected to", ",", ".", "\n", "  ", "’s",
    "-", "early", "late", "the", "of", "and", "2000 votes", "12/25/2024", "Feb. 30, 2024",
]  # fmt: skip
VALUE_FORMATS = {
    Granularity.DAY: r"\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?",
    Granularity.WEEK: r"\d{4}-W\d{2}(-WE)?",
    Granularity.MONTH: r"\d{4}-\d{2}",
    Granularity.QUARTER: r"\d{4}-(Q[1-4]|SP|SU|FA|WI)",
    Granularity.YEAR: r"\d{3,4}(-H[12]|/\d{4})?",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=14),
    glue=st.lists(st.sampled_from([" ", " ", ", ", ". ", "\n", ""]), min_size=14, max_size=14),
    published=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))),
)
def test_spans_slice_the_text_exactly(nlp, pieces, glue, published):
    text = "".join(piece + sep for piece, sep in zip(pieces, glue))
    rep = report(nlp, text, published)
    check_spans(text, rep)
    for e in rep.expressions:
        if e.granularity == Granularity.VAGUE or e.value is None:
            assert e.value is None
        else:
            assert re.fullmatch(VALUE_FORMATS[e.granularity], e.value), (e.text, e.value)
            assert e.start is not None and e.end is not None
        if published is None and e.relative:
            assert e.value is None and e.start is None and e.end is None
        assert not (e.forward_looking and e.past_tense)
