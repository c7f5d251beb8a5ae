"""Property tests: every span saywho outputs slices the original text, whatever the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saywho.core import analyze
from saywho.model import Document

WORDS = ["said", "says", "told", "according", "to", "he", "she", "Anna", "Berg", "critics",
         "the", "minister", "that", "Moscow's", "don't", "nation's", "Russians'", "it", "is",
         "over", "we", "will", "win", "'90s", "rock", "'n'", "roll", "a", "senior", "official"]
MARKS = ['"', "'", "“", "”", "‘", "’", "«", "»", "„", "‚", "‹", "›"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(MARKS),
    st.sampled_from([" ", " ", " ", "\n", "\n\n", ",", ".", ":", "—", "\r\n", "\t", "\u00a0"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3),
)
TEXTS = st.lists(PIECES, min_size=1, max_size=80).map("".join)


def check_spans(text: str, document: Document) -> None:
    assert document.characters == len(text)
    for a in document.attributions:
        assert a.content, "an attribution always has content"
        for start, end in a.spans():
            assert 0 <= start < end <= len(text)
        for start, end in a.content:
            # content never starts or ends with whitespace or a quotation mark
            assert not text[start].isspace() and not text[end - 1].isspace()
            assert text[start] not in "\"“”«»„"
        assert a.content_text == " … ".join(text[s:e] for s, e in a.content)
        if a.cue:
            assert a.cue_text == " … ".join(text[s:e] for s, e in a.cue)
        if a.speaker:
            assert a.speaker_text == " … ".join(text[s:e] for s, e in a.speaker)
    for entity in document.entities:
        for start, end in entity.mentions:
            assert 0 <= start < end <= len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_spans_slice_text_exactly(text):
    check_spans(text, analyze(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    '"We will win," said Anna Berg.', "Critics say the law is unfair.",
    "'It is over,' he said.", "According to the report, prices rose.", "“Unclosed quote",
    "the 'Oreshnik' system", "’", "«Yes», said Tom.", "\n", " ",
]), min_size=1, max_size=12).map("".join))
def test_spans_on_sentences_with_quotes(text):
    check_spans(text, analyze(text))


SENTENCES = st.lists(st.sampled_from([
    '"We will win," said Anna Berg.', "Critics say the law is unfair and warned the minister.",
    "'It is over,' he said.", "According to the report, prices rose.", "“Unclosed quote",
    "the 'Oreshnik' system", "’", "«Yes», said Tom.", "\n", " ", "The spokesman, Anna Berg, said it failed.",
    "It is expected that prices will rise.", "He said it was opposed to the test and warned them to stop.",
    "Officials said the plan -- a long-standing one -- failed, aides added.",
]), min_size=1, max_size=12).map("".join)

_DEFAULT = []


def default_model():
    """The shipped model, loaded once: the learned paths (the model's additions, the split of
    a rules' content, the arbiter, the boundary model) must keep the spans exact too."""
    if not _DEFAULT:
        from saywho.learn import load_model

        _DEFAULT.append(load_model("default"))
    return _DEFAULT[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXTS, SENTENCES))
def test_spans_slice_text_exactly_with_the_default_model(text):
    check_spans(text, analyze(text, learned=default_model()))


QUOTED_CLAUSES = st.lists(st.sampled_from([
    'He said he would “fix the system.”', "She said that, if so, 'we win.'", 'They called Trump a "liar."',
    "Aides said that ''it worked.''", "The senator, who said that “it failed,” left.", "“", "that ", ", ", "\n",
]), min_size=1, max_size=10).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXTS, SENTENCES, QUOTED_CLAUSES))
def test_the_polnear_view_keeps_spans_in_the_text_and_only_widens_them(text):
    """The scorer's conversion to PolNeAR's convention moves a content's start earlier (its
    "that", its clause before a quotation) and a cue's edges outward, never past the text."""
    from saywho.evaluate import polnear_convention

    document = analyze(text)
    by_id = {a.id: a for a in document.attributions}
    for converted in polnear_convention(text, document).attributions:
        original = by_id[converted.id]
        for start, end in converted.spans():
            assert 0 <= start < end <= len(text)
        assert converted.content[0][0] <= original.content[0][0]
        assert converted.content[1:] == original.content[1:]
        assert converted.content[0][1] == original.content[0][1]
        if original.cue:
            assert converted.cue[0][0] <= original.cue[0][0] and converted.cue[-1][1] >= original.cue[-1][1]


@settings(max_examples=40, deadline=None)
@given(TEXTS)
def test_json_round_trip(text):
    document = analyze(text)
    again = Document.model_validate_json(document.model_dump_json())
    assert again == document


SPAN_LISTS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)).map(sorted).map(tuple), max_size=5)


@given(SPAN_LISTS, SPAN_LISTS)
def test_overlap_counts_each_shared_character_once(a, b):
    from saywho.model import overlap

    def covered(spans):
        return {i for start, end in spans for i in range(start, end)}

    assert overlap(a, b) == overlap(b, a) == len(covered(a) & covered(b))
