"""The audit: source ledger, shares, flags and time checks, on the seed article and on
short texts made for one behaviour each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from saywho.audit import audit, relays
from saywho.model import Attribution, Audit, SourceType
from saywho.views import render_markdown, render_text

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "examples" / "belarus-own-weapons.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed() -> Audit:
    return audit(SEED)


@pytest.fixture(scope="module")
def seed_dated() -> Audit:
    return audit(SEED, date(2025, 6, 1))


def flags_of(report: Audit, kind: str):
    return [f for f in report.flags if f.kind == kind]


def test_ledger_of_the_seed(seed):
    by_label = {s.label: s for s in seed.sources}
    lukashenko = by_label["Alexander Lukashenko"]
    assert lukashenko.source_type == SourceType.NAMED_PERSON
    assert lukashenko.attributions == 6
    assert lukashenko.channel == "BelTA"
    anonymous = [s for s in seed.sources if s.source_type == SourceType.ANONYMOUS]
    assert sorted(s.label for s in anonymous) == ["a European diplomat", "one defense expert"]
    assert {s.label: s.anonymity_reason for s in anonymous} == {
        "one defense expert": "requested anonymity",
        "a European diplomat": "speaking on condition of anonymity",
    }
    assert all(s.attributions == 2 for s in anonymous)  # the quote and its continuation
    vague = [s for s in seed.sources if s.source_type == SourceType.VAGUE]
    assert [s.label for s in vague] == ["Analysts"]
    assert len(seed.sources) == 4


def test_shares_add_up(seed):
    assert abs(sum(s.share for s in seed.shares) - 1.0) < 0.001
    assert sum(s.attributions for s in seed.shares) == len(seed.document.attributions)
    named = next(s for s in seed.shares if s.source_type == SourceType.NAMED_PERSON)
    assert named.words == next(s.words for s in seed.sources if s.label == "Alexander Lukashenko")


def test_flags_of_the_seed(seed):
    kinds = {f.kind for f in seed.flags}
    assert {"anonymous_source", "vague_attribution", "single_named_source", "repeated_statement",
            "earlier_statement"} <= kinds
    assert len(flags_of(seed, "anonymous_source")) == 2
    single = flags_of(seed, "single_named_source")[0]
    assert "Alexander Lukashenko" in single.message
    repeated = flags_of(seed, "repeated_statement")
    assert any("reiterated" in f.message for f in repeated)
    earlier = flags_of(seed, "earlier_statement")[0]
    assert [SEED[s:e] for s, e in earlier.evidence] == ["earlier statements", "had previously insisted"]


def test_every_flag_has_exact_evidence(seed_dated):
    for report in (seed_dated,):
        for flag in report.flags:
            assert flag.evidence
            for start, end in flag.evidence:
                assert 0 <= start < end <= len(SEED)


def test_time_flag_with_publication_date(seed_dated):
    past = flags_of(seed_dated, "time_past_deadline")
    assert [SEED[s:e] for f in past for s, e in f.evidence] == ["by December 2023"]
    assert seed_dated.time.note is None


def test_no_publication_date_is_said(seed):
    assert seed.time.published is None
    assert "unknown" in seed.time.note.lower()
    assert not flags_of(seed, "time_past_deadline")


def test_time_expression_of_the_seed(seed_dated):
    deadline = next(t for t in seed_dated.time.expressions if t.text == "by December 2023")
    assert deadline.span == (778, 794)
    assert deadline.value == "2023-12" and deadline.deadline and deadline.forward_looking


def test_article_without_attributions_has_an_empty_ledger():
    report = audit("The bridge opened on Monday. Traffic was light in the morning.")
    assert report.sources == [] and report.shares == []
    assert not [f for f in report.flags if f.kind != "time_future_in_past_tense"]
    assert "no attributions" in render_text(report)


def test_anonymous_without_reason_and_same_person_described_again():
    text = (
        '"The deal is dead," said a senior official.\n'
        '"Nobody wants it," the official added.\n'
        'Critics say the plan was rushed.'
    )
    report = audit(text)
    anonymous = [s for s in report.sources if s.source_type == SourceType.ANONYMOUS]
    assert len(anonymous) == 1 and anonymous[0].attributions == 2
    assert flags_of(report, "anonymous_without_reason")
    assert flags_of(report, "vague_attribution")


def test_a_statement_known_through_another_is_flagged_second_hand():
    text = "A senior official said that Anna Berg had told him the plan was dead.\n"
    report = audit(text)
    (flag,) = flags_of(report, "second_hand")
    assert flag.message == (
        "Second-hand: Anna Berg's statement 'the plan was dead' is known only through "
        "A senior official (anonymous)."
    )
    shown = [text[s:e] for s, e in flag.evidence]
    assert shown == ["A senior official", "said", "Anna Berg", "told"]
    labels = {s.id: s.label for s in report.sources}
    assert sorted(labels[i] for i in flag.source_ids) == ["A senior official", "Anna Berg"]
    plain = audit("A senior official said the plan was dead. Anna Berg agreed.\n")
    assert not flags_of(plain, "second_hand")


def test_a_relayed_statement_rests_on_its_relay_and_its_words_count_once():
    text = "A senior official said that Anna Berg had told him the plan was dead. Tom Lee said it was fine.\n"
    report = audit(text)
    shares = {s.source_type: s for s in report.shares}
    anonymous, named = shares[SourceType.ANONYMOUS], shares[SourceType.NAMED_PERSON]
    # Anna Berg's statement is known only through the official: it rests on him, and its
    # four words are already among his nine.
    assert (anonymous.attributions, anonymous.relayed, anonymous.words) == (2, 1, 9)
    assert (named.attributions, named.relayed, named.words) == (1, 0, 3)  # Tom Lee alone
    assert anonymous.share == round(9 / 12, 4)
    # The ledger still gives each speaker the words of their own statement.
    words = {s.label: s.words for s in report.sources}
    assert words == {"A senior official": 9, "Anna Berg": 4, "Tom Lee": 3}
    assert "(1 relayed from another source)" in render_text(report)
    assert "(9 words, 2 attributions, 1 relayed from another source)" in render_markdown(report)


def test_relays_follow_within_and_continues_out_and_stop_on_bad_links():
    def made(index, within=None, continues=None, kind="indirect"):
        return Attribution(
            id=f"d:{index}", index=index, kind=kind, content=[(index * 10, index * 10 + 5)],
            within=within, continues=continues, source_type="unknown", sentence=0, paragraph=0,
            confidence=1.0, rule="test",
        )

    outer, middle, inner = made(0), made(1, within=0), made(2, within=1)
    continuation = made(3, continues=2, kind="continuation")
    chain = [outer, middle, inner, continuation]
    assert [a.index for a in relays(chain, continuation)] == [2, 1, 0]
    assert relays(chain, outer) == []
    looped = [made(0, within=1), made(1, within=0)]  # from a hand-edited JSON file
    assert [a.index for a in relays(looped, looped[0])] == [1]
    assert relays([made(0, within=7)], made(0, within=7)) == []


def test_two_channels_are_not_a_single_channel():
    text = (
        'Anna Berg spoke first. "We are ready," Berg told Reuters.\n'
        'Tom Lee disagreed. "They are not," Lee said in an interview with CNN.\n'
        '"Nothing is settled," Lee added.'
    )
    report = audit(text)
    assert not flags_of(report, "single_channel")
    assert not flags_of(report, "single_named_source")


def test_past_tense_about_a_date_after_publication():
    report = audit("The minister resigned on March 3, 2026, officials said.", date(2025, 6, 1))
    assert [f.kind for f in report.flags if f.kind.startswith("time")] == ["time_future_in_past_tense"]


def test_renderings_name_the_sources(seed):
    text = render_text(seed)
    markdown = render_markdown(seed)
    for label in ("Alexander Lukashenko", "one defense expert", "a European diplomat", "Analysts"):
        assert label in text and label in markdown
    assert markdown.startswith("# Audit:")


def test_json_has_the_required_keys(seed):
    data = json.loads(seed.model_dump_json())
    assert {"sources", "flags", "time"} <= set(data)
    for source in data["sources"]:
        assert {"label", "source_type", "attributions", "words", "channel", "anonymity_reason"} <= set(source)
    assert Audit.model_validate_json(seed.model_dump_json()) == seed


@pytest.mark.parametrize(
    "text",
    [
        "The country will meet the target it pledged at the talks in Paris last December.",
        "The first senator from the state since the 1890s, Scott would again break the barrier.",
        "Twenty years ago the United States pledged that in 2000 it would lift the limits.",
        "The plan was designed to lower emissions by 2030, officials said.",
    ],
)
def test_no_time_flag_for_history_anchors_and_past_plans(text):
    report = audit(text, date(2016, 9, 27))
    assert not [f for f in report.flags if f.kind.startswith("time")]


def test_nested_statement_is_not_a_repeat():
    text = "Bloomberg reports that the nominee has either won or tied among the voters making more than $100,000."
    report = audit(text)
    assert not flags_of(report, "repeated_statement")


def test_the_text_report_reads_a_decade_out():
    report = audit("Lee said the factory had thrived in the 1990s.\n", date(2024, 3, 1))
    (decade,) = [t for t in report.time.expressions if t.text == "the 1990s"]
    assert decade.value == "199"  # TIMEX3, in the JSON
    assert "'the 1990s' -> 199 (the 1990s)" in render_text(report)
