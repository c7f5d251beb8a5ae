"""Tests of saywho.evaluate: the gold loaders and the published metric."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from saywho.errors import EvaluationDataError
from saywho.evaluate import (
    GoldAttribution,
    GoldDocument,
    is_direct,
    load_gold_file,
    load_polnear,
    match_overlap,
    normalise,
    parse_ann,
    render_table,
    score,
)
from saywho.model import Attribution, Document, document_id

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR_DEV = SHARED / "data" / "polnear" / "dev"
SEED_GOLD = SHARED / "examples" / "belarus-own-weapons.gold.json"

TEXT = (
    'Smith said: "We will win, and soon." Critics disagree.\n'
    "The mayor said the plan was good, officials added.\n"
    '"It works," Jones told reporters. "It really does."\n'
)


def at(fragment: str, text: str = TEXT, occurrence: int = 0) -> tuple[int, int]:
    """The span of the n-th occurrence of fragment in text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return (start, start + len(fragment))


def gold(content, cue=(), source=(), *, kind=None, entity=None, source_type=None, direct=False):
    return GoldAttribution(
        content=list(content),
        cue=list(cue),
        source=list(source),
        kind=kind,
        speaker_entity=entity,
        source_type=source_type,
        direct=direct,
    )


def pred(content, cue=(), speaker=(), *, kind="indirect", entity=None, source_type="unknown", index=0):
    return Attribution(
        id=f"doc:{index}",
        index=index,
        kind=kind,
        content=list(content),
        cue=list(cue),
        speaker=list(speaker),
        speaker_entity=entity,
        source_type=source_type,
        sentence=0,
        paragraph=0,
        confidence=1.0,
        rule="test",
    )


def document(*attributions: Attribution, text: str = TEXT) -> Document:
    return Document(
        saywho_version="test",
        id=document_id(text),
        characters=len(text),
        words=len(text.split()),
        paragraphs=text.count("\n"),
        sentences=1,
        attributions=list(attributions),
    )


def gold_doc(*attributions: GoldAttribution, text: str = TEXT) -> GoldDocument:
    return GoldDocument(name="doc", text=text, published=None, title=None, attributions=list(attributions))


# The two gold attributions of TEXT used by most tests.
G_SMITH = gold([at("We will win, and soon.")], [at("said")], [at("Smith")], direct=True)
G_MAYOR = gold([at("the plan was good")], [at("said", occurrence=1)], [at("The mayor")])


def prf(p, r, f1, tp, pred_n, gold_n):
    return {"p": p, "r": r, "f1": f1, "tp": tp, "pred": pred_n, "gold": gold_n}


# --------------------------------------------------------------------------- metric


def test_perfect_match():
    predicted = document(
        pred([at("We will win, and soon.")], [at("said")], [at("Smith")], kind="direct"),
        pred([at("the plan was good")], [at("said", occurrence=1)], [at("The mayor")], index=1),
    )
    report = score([(gold_doc(G_SMITH, G_MAYOR), predicted)])
    assert report["documents"] == 1
    for role in ("content", "cue", "source"):
        for method in ("exact", "overlap"):
            assert report["roles"][role][method] == prf(100.0, 100.0, 100.0, 2, 2, 2)
    attribution = report["attribution"]
    assert attribution["p"] == attribution["r"] == attribution["f1"] == 100.0
    assert (attribution["tp"], attribution["pred"], attribution["gold"]) == (2, 2, 2)
    assert attribution["source_exact"] == attribution["cue_exact"] == 100.0
    assert report["direct"] == {
        "p": 100.0, "r": 100.0, "f1": 100.0, "pred": 1, "pred_matched": 1, "gold": 1, "gold_matched": 1,
    }
    assert "fields" not in report and "errors" not in report  # no gold kinds
    json.dumps(report)  # serialisable


def test_boundary_only_differences_are_exact():
    # Quotation marks, the trailing comma, a trailing space: still an exact match.
    start, end = at('"We will win, and soon."')
    cue_start, cue_end = at("said: ")
    predicted = document(
        pred([(start, end)], [(cue_start, cue_end)], [at("Smith")], kind="direct"),
        pred([at("the plan was good,")], [at("said", occurrence=1)], [at("\nThe mayor")], index=1),
    )
    report = score([(gold_doc(G_SMITH, G_MAYOR), predicted)])
    for role in ("content", "cue", "source"):
        assert report["roles"][role]["exact"] == prf(100.0, 100.0, 100.0, 2, 2, 2)
    assert report["attribution"]["source_exact"] == 100.0
    assert report["attribution"]["cue_exact"] == 100.0


def test_normalise_trims_all_quote_styles_and_edge_punctuation():
    text = "«Bonjour» „Hallo“ ‚hi‘ ‘one’ “two,” 'three'; \"four\":"
    words = ["Bonjour", "Hallo", "hi", "one", "two", "three", "four"]
    marked = ["«Bonjour»", "„Hallo“", "‚hi‘", "‘one’", "“two,”", "'three';", '"four":']
    for word, piece in zip(words, marked):
        assert normalise(text, [at(piece, text)]) == (at(word, text),)
    # The dashes around an apposition are edges too; a hyphen inside a word is not.
    text2 = "Kall -- co-editor of the book -- said so."
    assert normalise(text2, [at("Kall -- co-editor of the book --", text2)]) == (at("Kall -- co-editor of the book", text2),)
    # A piece made of marks only is dropped; an instance of marks only keeps them.
    colon = at(":", text)
    assert normalise(text, [colon, at("four", text)]) == (at("four", text),)
    assert normalise(text, [colon]) == (colon,)


def test_normalise_joins_pieces_with_only_marks_between_them():
    text = "“We won. We will win again,” he said, “and soon.”"
    whole = at("We won. We will win again", text)
    sentences = [at("We won", text), at("We will win again", text)]
    assert normalise(text, sentences) == (whole,)
    # Touching and overlapping pieces cover the same words as one piece.
    touching = [(whole[0], whole[0] + 3), (whole[0] + 3, whole[1])]
    assert normalise(text, touching) == (whole,)
    assert normalise(text, [whole, at("We will win again", text)]) == (whole,)
    # Words between two pieces keep them apart ("he said").
    assert normalise(text, [whole, at("and soon", text)]) == (whole, at("and soon", text))


def test_partial_overlap_is_overlap_but_not_exact():
    predicted = document(pred([at("We will win")], [at("said")], [at("Smith said")], kind="direct"))
    report = score([(gold_doc(G_SMITH), predicted)])
    assert report["roles"]["content"]["exact"] == prf(0.0, 0.0, 0.0, 0, 1, 1)
    assert report["roles"]["content"]["overlap"] == prf(100.0, 100.0, 100.0, 1, 1, 1)
    assert report["roles"]["source"]["exact"] == prf(0.0, 0.0, 0.0, 0, 1, 1)
    assert report["roles"]["source"]["overlap"] == prf(100.0, 100.0, 100.0, 1, 1, 1)
    assert report["roles"]["cue"]["exact"] == prf(100.0, 100.0, 100.0, 1, 1, 1)
    assert report["attribution"]["tp"] == 1
    assert report["attribution"]["source_exact"] == 0.0
    assert report["attribution"]["source_exact_n"] == 0
    assert report["attribution"]["cue_exact"] == 100.0


def test_false_positive():
    predicted = document(
        pred([at("We will win, and soon.")], [at("said")], [at("Smith")], kind="direct"),
        pred([at("Critics disagree")], [], [at("Critics")], kind="direct", index=1),
    )
    report = score([(gold_doc(G_SMITH), predicted)])
    assert report["roles"]["content"]["exact"] == prf(50.0, 100.0, 66.7, 1, 2, 1)
    assert report["roles"]["cue"]["exact"] == prf(100.0, 100.0, 100.0, 1, 1, 1)  # no cue predicted
    assert report["roles"]["source"]["overlap"] == prf(50.0, 100.0, 66.7, 1, 2, 1)
    assert report["attribution"]["p"] == 50.0 and report["attribution"]["f1"] == 66.7
    assert report["direct"]["pred"] == 2 and report["direct"]["pred_matched"] == 1
    assert report["direct"]["p"] == 50.0 and report["direct"]["r"] == 100.0
    assert report["direct"]["f1"] == 66.7


def test_miss():
    predicted = document(pred([at("the plan was good")], [at("said", occurrence=1)], [at("The mayor")]))
    report = score([(gold_doc(G_SMITH, G_MAYOR), predicted)])
    for role in ("content", "cue", "source"):
        assert report["roles"][role]["exact"] == prf(100.0, 50.0, 66.7, 1, 1, 2)
    assert report["attribution"]["r"] == 50.0
    assert report["direct"] == {
        "p": 0.0, "r": 0.0, "f1": 0.0, "pred": 0, "pred_matched": 0, "gold": 1, "gold_matched": 0,
    }


def test_one_to_one_two_predictions_on_one_gold_count_once():
    predicted = document(
        pred([at("We will")], kind="direct"),
        pred([at("win, and soon")], kind="direct", index=1),
    )
    report = score([(gold_doc(G_SMITH), predicted)])
    assert report["roles"]["content"]["overlap"] == prf(50.0, 100.0, 66.7, 1, 2, 1)
    assert report["attribution"]["tp"] == 1
    assert report["direct"]["pred_matched"] == 1 and report["direct"]["gold_matched"] == 1
    # The greedy matching keeps the pair sharing most characters.
    g = [at("We will win, and soon.")]
    assert match_overlap([g], [[at("We will")], [at("win, and soon")]]) == [(0, 1)]
    # Two gold, two predictions: each pairs with its own best.
    assert match_overlap(
        [[(0, 10)], [(10, 20)]], [[(8, 20)], [(0, 9)]]
    ) == [(0, 1), (1, 0)]


def test_micro_average_over_documents():
    other_text = "Nobody said anything here.\n"
    report = score(
        [
            (gold_doc(G_SMITH), document(pred([at("We will win, and soon.")], kind="direct"))),
            (
                gold_doc(gold([at("anything", other_text)]), text=other_text),
                document(text=other_text),
            ),
        ]
    )
    assert report["documents"] == 2
    assert report["roles"]["content"]["exact"] == prf(100.0, 50.0, 66.7, 1, 1, 2)


def test_discontinuous_spans():
    first, second = at('"It works,"'), at('"It really does."')
    g = gold([at("It works,"), at("It really does.")], [at("told")], [at("Jones")], direct=True)
    # The same two pieces, with quotation marks: exact.
    exact_pred = pred([first, second], [at("told")], [at("Jones")], kind="direct")
    report = score([(gold_doc(g), document(exact_pred))])
    assert report["roles"]["content"]["exact"] == prf(100.0, 100.0, 100.0, 1, 1, 1)
    # Only the first piece: overlap, not exact.
    half_pred = pred([first], [at("told")], [at("Jones")], kind="direct")
    report = score([(gold_doc(g), document(half_pred))])
    assert report["roles"]["content"]["exact"] == prf(0.0, 0.0, 0.0, 0, 1, 1)
    assert report["roles"]["content"]["overlap"] == prf(100.0, 100.0, 100.0, 1, 1, 1)
    # One span covering both pieces and the text between: overlap, not exact.
    joined = pred([(first[0], second[1])], [at("told")], [at("Jones")], kind="direct")
    report = score([(gold_doc(g), document(joined))])
    assert report["roles"]["content"]["exact"]["tp"] == 0
    assert report["roles"]["content"]["overlap"]["tp"] == 1
    # A prediction touching only the gap between the pieces does not overlap.
    gap = pred([at("Jones told reporters")], kind="indirect")
    report = score([(gold_doc(g), document(gap))])
    assert report["roles"]["content"]["overlap"]["tp"] == 0


def test_is_direct():
    text = (
        '"Inside marks," she said. He said "outside marks". '
        "It was “curly”. He called it “a plan” and “a trick”, and he left. "
        "They said it was fine."
    )
    assert is_direct(text, [at('"Inside marks,"', text)])
    assert is_direct(text, [at("Inside marks,", text)])  # marks just outside
    assert is_direct(text, [at("outside marks", text)])
    assert is_direct(text, [at("“curly”.", text)])  # closing punctuation after the mark
    assert is_direct(text, [at("curly", text)])
    assert not is_direct(text, [at("it was fine", text)])
    assert not is_direct(text, [at("He called it “a plan”", text)])  # mixed: starts unquoted
    assert not is_direct(text, [])
    # Discontinuous: first piece opens, last piece closes.
    assert is_direct(text, [at("“a plan”", text), at("“a trick”", text)])


def test_direct_subset_counts():
    g_direct = gold([at("We will win, and soon.")], direct=True)
    g_indirect = gold([at("the plan was good")])
    g_direct2 = gold([at("It works,")], direct=True)
    predicted = document(
        pred([at("We will win, and soon.")], kind="direct"),  # direct, matches a direct gold
        pred([at("the plan was good")], kind="continuation", index=1),  # direct, matches indirect gold
        pred([at("It works,")], kind="mixed", index=2),  # not direct, but finds a direct gold
        pred([at("Critics disagree")], kind="direct", index=3),  # direct false positive
    )
    report = score([(gold_doc(g_direct, g_indirect, g_direct2), predicted)])
    assert report["direct"] == {
        "p": 66.7, "r": 100.0, "f1": 80.0, "pred": 3, "pred_matched": 2, "gold": 2, "gold_matched": 2,
    }


def test_fields_and_errors():
    g1 = gold([at("We will win, and soon.")], [at("said")], [at("Smith")], kind="direct",
              entity="John Smith", source_type="named_person", direct=True)
    g2 = gold([at("the plan was good")], [at("said", occurrence=1)], [at("The mayor")],
              kind="indirect", entity=None, source_type="anonymous")
    g3 = gold([at("It works,")], [at("told")], [at("Jones")], kind="direct", entity="Ann Jones",
              source_type="named_person", direct=True)
    predicted = document(
        pred([at("We will win, and soon.")], [at("said")], [at("Smith")], kind="direct",
             entity="john  smith", source_type="named_person"),
        pred([at("the plan was good")], [at("said", occurrence=1)], [at("mayor")], kind="mixed",
             entity="Mayor", source_type="named_person", index=1),
        pred([at("Critics disagree")], kind="indirect", source_type="vague", index=2),
    )
    report = score([(gold_doc(g1, g2, g3), predicted)])
    fields = report["fields"]
    assert fields["pairs"] == 2
    assert fields["kind"] == {"accuracy": 50.0, "correct": 1, "total": 2}
    assert fields["speaker_entity"] == {"accuracy": 50.0, "correct": 1, "total": 2}
    assert fields["source_type"] == {"accuracy": 50.0, "correct": 1, "total": 2}
    errors = report["errors"]
    assert [e["type"] for e in errors] == ["false_positive", "mismatch", "miss"]
    false_positive, mismatch, miss = errors
    assert false_positive["predicted"]["content"] == "Critics disagree"
    assert mismatch["gold"]["content"] == "the plan was good"
    assert mismatch["differences"] == {
        "kind": {"gold": "indirect", "predicted": "mixed"},
        "speaker_entity": {"gold": None, "predicted": "Mayor"},
        "source_type": {"gold": "anonymous", "predicted": "named_person"},
        "source": {"gold": "The mayor", "predicted": "mayor", "kinds": ["boundary"]},
    }
    assert miss["gold"]["content"] == "It works,"
    assert miss["gold"]["source"] == "Jones"
    json.dumps(report)
    table = render_table(report)
    assert "kind 50.0% (1/2)" in table
    assert "1 missed, 1 false positives, 1 matched with differences" in table


def test_errors_listed_without_gold_kinds_only_when_asked():
    """PolNeAR has no gold kinds: its errors are listed with list_errors, each difference
    with its error kinds, so that they can be read."""
    g_mayor = gold([at("the plan was good")], [at("said", occurrence=1)], [at("The mayor")])
    g_jones = gold([at("It works,")], [at("told")], [at("Jones")])
    predicted = document(
        pred([at("said the plan was good")], [at("The mayor said")], [at("The mayor")]),
        pred([at("Critics disagree")], index=1),
    )
    assert "errors" not in score([(gold_doc(g_mayor, g_jones), predicted)])
    report = score([(gold_doc(g_mayor, g_jones), predicted)], list_errors=True)
    assert "fields" not in report  # no gold kinds: no field accuracies
    false_positive, mismatch, miss = report["errors"]
    assert (false_positive["type"], mismatch["type"], miss["type"]) == ("false_positive", "mismatch", "miss")
    assert false_positive["predicted"]["content"] == "Critics disagree"
    assert miss["gold"]["content"] == "It works,"
    assert mismatch["differences"] == {
        "content": {"gold": "the plan was good", "predicted": "said the plan was good",
                    "kinds": ["start early by a word or two"]},
        "cue": {"gold": "said", "predicted": "The mayor said", "kinds": ["boundary"]},
    }
    assert report["error_kinds"]["content"] == {"start early by a word or two": 1}
    json.dumps(report)


def test_render_table():
    predicted = document(pred([at("We will win")], [at("said")], [at("Smith")], kind="direct"))
    table = render_table(score([(gold_doc(G_SMITH, G_MAYOR), predicted)]))
    lines = table.splitlines()
    assert lines[0] == "Documents: 1"
    header = next(line for line in lines if line.startswith("role"))
    assert "exact P" in header and "overlap F1" in header
    content = next(line for line in lines if line.startswith("content"))
    assert content.split() == ["content", "0.0", "0.0", "0.0", "100.0", "50.0", "66.7", "2", "1"]
    assert any(line.startswith("cue ") for line in lines)
    assert any(line.startswith("source ") for line in lines)
    assert any(line.startswith("Attribution (content overlap): P 100.0  R 50.0  F1 66.7") for line in lines)
    assert any(line.startswith("Direct quotes: P 100.0  R 100.0  F1 100.0") for line in lines)


def test_prediction_outside_the_gold_text():
    predicted = document(pred([(0, len(TEXT) + 5)]))
    with pytest.raises(EvaluationDataError, match="outside the gold text"):
        score([(gold_doc(G_SMITH), predicted)])


def test_absent_roles_agree_among_matched_pairs():
    g = gold([at("It really does.")], direct=True)  # a continuation: no cue, no source
    report = score([(gold_doc(g), document(pred([at("It really does.")], kind="continuation")))])
    assert report["attribution"]["cue_exact"] == report["attribution"]["source_exact"] == 100.0
    assert report["roles"]["cue"]["exact"] == prf(0.0, 0.0, 0.0, 0, 0, 0)
    # A predicted cue where gold has none disagrees.
    report = score([(gold_doc(g), document(pred([at("It really does.")], [at("told")])))])
    assert report["attribution"]["cue_exact"] == 0.0
    assert report["roles"]["cue"]["exact"] == prf(0.0, 0.0, 0.0, 0, 1, 0)


def test_empty_report():
    report = score([])
    assert report["documents"] == 0
    assert report["roles"]["content"]["exact"] == prf(0.0, 0.0, 0.0, 0, 0, 0)
    assert isinstance(render_table(report), str)


# --------------------------------------------------------------------------- PolNeAR loader

ARTICLE = (
    "The Post reports that Trump “will win big.”\n"
    "Voters, aides said, are angry.\n"
    "Some fear the worst.\n"
)


def _ann_for(text: str) -> str:
    def off(fragment: str, occurrence: int = 0) -> str:
        start, end = at(fragment, text, occurrence)
        return f"{start} {end}"

    voters, angry = at("Voters", text), at("are angry.", text)
    across = (at("big.”", text)[0], voters[1])
    return "\n".join(
        [
            f"T1\tSource {off('The Post')}\tThe Post",
            f"T2\tCue {off('reports')}\treports",
            f"T3\tContent {off('that Trump “will win big.”')}\tthat Trump “will win big.”",
            f"T4\tAttribution {off('reports')}\treports",
            "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
            f"T5\tContent {voters[0]} {voters[1]};{angry[0]} {angry[1]}\tVoters are angry.",
            f"T6\tCue {off('said')}\tsaid",
            f"T7\tSource {off('aides')}\taides",
            f"T8\tAttribution {off('said')}\tsaid",
            "E2\tAttribution:T8 Cue:T6 Content:T5 Source:T7",
            # An event without a Source, and a Content2 argument.
            f"T9\tContent {off('the worst')}\tthe worst",
            f"T10\tCue {off('fear')}\tfear",
            f"T11\tAttribution-no-source {off('fear')}\tfear",
            f"T12\tContent {off('Some')}\tSome",
            "E3\tAttribution-no-source:T11 Cue:T10 Content:T9 Content2:T12",
            # Other labels and annotation types are ignored.
            f"T13\tDiscard {off('Post')}\tPost",
            "#1\tAnnotatorNotes T13\tnot sure",
            # A span across a newline: brat continues its text on the next line.
            f"T14\tDiscuss {across[0]} {across[1]}\t{text[across[0]:across[1]]}",
            "",
        ]
    )


def _write_split(root: Path, text: str = ARTICLE, ann: str | None = None) -> Path:
    split = root / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "post_2016_trump.txt").write_text(text, encoding="utf-8", newline="")
    (split / "attributions" / "post_2016_trump_b.ann").write_text(
        ann if ann is not None else _ann_for(text), encoding="utf-8", newline=""
    )
    # A second annotator: sorted after the first, ignored.
    (split / "attributions" / "post_2016_trump_c.ann").write_text("garbage\n", encoding="utf-8")
    return split


def test_parse_ann():
    attributions = parse_ann(_ann_for(ARTICLE), ARTICLE, "test.ann")
    assert len(attributions) == 3
    post, aides, fear = attributions
    assert post.content == [at("that Trump “will win big.”", ARTICLE)]
    assert post.cue == [at("reports", ARTICLE)] and post.source == [at("The Post", ARTICLE)]
    assert not post.direct  # starts with "that": a mixed quotation
    assert aides.content == [at("Voters", ARTICLE), at("are angry.", ARTICLE)]
    assert aides.source == [at("aides", ARTICLE)]
    assert fear.source == []
    assert fear.content == [at("Some", ARTICLE), at("the worst", ARTICLE)]
    assert fear.kind is None and fear.speaker_entity is None and fear.source_type is None


def test_parse_ann_direct():
    text = "“We won,” he said.\n"
    ann = (
        "T1\tContent 0 9\t“We won,”\nT2\tCue 13 17\tsaid\nT3\tSource 10 12\the\n"
        "T4\tAttribution 13 17\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    )
    # Content:T3 names the he-span: roles follow the event's argument names.
    (attribution,) = parse_ann(ann, text)
    assert attribution.content == [(10, 12)] and attribution.source == [(0, 9)]
    ann = ann.replace("Content:T3 Cue:T2 Source:T1", "Content:T1 Cue:T2 Source:T3")
    (attribution,) = parse_ann(ann, text)
    assert attribution.direct


def test_load_polnear(tmp_path):
    split = _write_split(tmp_path)
    (tmp_path / "metadata.tsv").write_text(
        "compartment\tfilename\tlevel\tpublication_date\ttitle\n"
        "dev\tpost_2016_trump\tNone\t2016-09-12\tTrump will win, says the Post\n",
        encoding="utf-8",
    )
    (document,) = load_polnear(split)
    assert document.name == "post_2016_trump"
    assert document.text == ARTICLE
    assert document.published == date(2016, 9, 12)
    assert document.title == "Trump will win, says the Post"
    assert len(document.attributions) == 3
    for attribution in document.attributions:
        for spans in (attribution.content, attribution.cue, attribution.source):
            for start, end in spans:
                assert 0 <= start < end <= len(document.text)


def test_load_polnear_without_metadata_keeps_crlf(tmp_path):
    text = ARTICLE.replace("\n", "\r\n")
    split = _write_split(tmp_path, text)
    (document,) = load_polnear(str(split))
    assert document.text == text  # no newline translation
    assert document.published is None and document.title is None
    assert document.attributions[1].content == [at("Voters", text), at("are angry.", text)]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("T20\tSource 5 999\tx", "outside the text"),
        ("T20\tSource 5 x\tx", "malformed text-bound"),
        ("T20\tSource 0 3\tXYZ", "does not match"),
        ("E9\tAttribution:T4 Content:T99", "unknown annotation T99"),
        ("E9\tAttribution:T4 Content", "malformed event argument"),
        ("this is not brat", "not a brat standoff line"),
        ("T1\tSource 0 3\tThe", "duplicate id T1"),
    ],
)
def test_malformed_ann(tmp_path, line, reason):
    split = _write_split(tmp_path, ann=_ann_for(ARTICLE) + line + "\n")
    with pytest.raises(EvaluationDataError, match=reason) as error:
        load_polnear(split)
    assert "post_2016_trump_b.ann" in str(error.value)


def test_missing_polnear_dirs(tmp_path):
    with pytest.raises(EvaluationDataError, match="not found"):
        load_polnear(tmp_path / "nope")
    (tmp_path / "dev" / "text").mkdir(parents=True)
    with pytest.raises(EvaluationDataError, match="attributions"):
        load_polnear(tmp_path / "dev")
    (tmp_path / "dev" / "attributions").mkdir()
    with pytest.raises(EvaluationDataError, match="no article"):
        load_polnear(tmp_path / "dev")


def test_polnear_article_without_annotation(tmp_path):
    split = _write_split(tmp_path)
    (split / "text" / "lonely.txt").write_text("Nothing.\n", encoding="utf-8")
    with pytest.raises(EvaluationDataError, match="lonely.txt: no .ann file"):
        load_polnear(split)


def test_polnear_text_not_utf8(tmp_path):
    split = _write_split(tmp_path)
    (split / "text" / "post_2016_trump.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(EvaluationDataError, match="not valid UTF-8"):
        load_polnear(split)


# --------------------------------------------------------------------------- gold files


def _write_gold(tmp_path: Path, quotes, **extra) -> Path:
    (tmp_path / "article.txt").write_text(TEXT, encoding="utf-8", newline="")
    path = tmp_path / "article.gold.json"
    data = {"document": "article.txt", "published": "2024-03-01", "quotes": quotes, **extra}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_gold_file(tmp_path):
    quotes = [
        {"kind": "indirect", "content": list(at("the plan was good")), "cue": list(at("said", occurrence=1)),
         "speaker": list(at("The mayor")), "speaker_entity": None, "source_type": "anonymous",
         "content_text": "the plan was good"},
        {"kind": "direct", "content": list(at("We will win, and soon.")), "cue": list(at("said")),
         "speaker": list(at("Smith")), "speaker_entity": "John Smith", "source_type": "named_person"},
        {"kind": "continuation", "content": [list(at("It works,")), list(at("It really does."))],
         "cue": None, "speaker": None, "speaker_entity": "Ann Jones", "source_type": "named_person"},
    ]
    document = load_gold_file(_write_gold(tmp_path, quotes, title="Mayor likes plan"))
    assert document.name == "article"
    assert document.text == TEXT
    assert document.published == date(2024, 3, 1)
    assert document.title == "Mayor likes plan"
    smith, mayor, jones = document.attributions  # in text order
    assert smith.kind == "direct" and smith.direct and smith.speaker_entity == "John Smith"
    assert mayor.kind == "indirect" and not mayor.direct and mayor.source == [at("The mayor")]
    assert mayor.source_type == "anonymous"
    assert jones.direct and jones.cue == [] and jones.source == []
    assert jones.content == [at("It works,"), at("It really does.")]


@pytest.mark.parametrize(
    "quote, reason",
    [
        ({"kind": "direct", "content": [0, 9999]}, "outside the text"),
        ({"kind": "direct", "content": "0 5"}, r"expected \[start, end\]"),
        ({"kind": "direct"}, "'content' is missing"),
        ({"kind": "shouted", "content": [0, 5]}, "unknown kind"),
        ({"kind": "direct", "content": [0, 5], "source_type": "rumour"}, "unknown source_type"),
        ({"kind": "direct", "content": [0, 5], "content_text": "Jones"}, "does not match"),
    ],
)
def test_malformed_gold_file(tmp_path, quote, reason):
    path = _write_gold(tmp_path, [quote])
    with pytest.raises(EvaluationDataError, match=reason) as error:
        load_gold_file(path)
    assert "article.gold.json" in str(error.value)


def test_gold_file_missing_or_broken(tmp_path):
    with pytest.raises(EvaluationDataError, match="not found"):
        load_gold_file(tmp_path / "absent.gold.json")
    broken = tmp_path / "broken.gold.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(EvaluationDataError, match="not valid JSON"):
        load_gold_file(broken)
    orphan = tmp_path / "orphan.gold.json"
    orphan.write_text(json.dumps({"document": "missing.txt", "quotes": []}), encoding="utf-8")
    with pytest.raises(EvaluationDataError, match="missing.txt: file not found"):
        load_gold_file(orphan)


# --------------------------------------------------------------------------- shared data


@pytest.mark.skipif(not SEED_GOLD.is_file(), reason="seed gold file not available")
def test_seed_gold_file_scores_perfectly_against_itself():
    document = load_gold_file(SEED_GOLD)
    assert len(document.attributions) == 11
    assert sum(a.direct for a in document.attributions) == 7
    predicted = document_from_gold(document)
    report = score([(document, predicted)])
    assert report["attribution"]["f1"] == 100.0
    assert report["fields"]["kind"]["accuracy"] == 100.0
    # The two continuations have neither cue nor source: absent on both sides agrees.
    assert report["attribution"]["cue_exact"] == report["attribution"]["source_exact"] == 100.0
    assert report["roles"]["cue"]["exact"] == prf(100.0, 100.0, 100.0, 9, 9, 9)
    assert report["errors"] == []


def document_from_gold(gold_document: GoldDocument) -> Document:
    return document(
        *(
            pred(g.content, g.cue, g.source, kind=g.kind or "indirect", entity=g.speaker_entity,
                 source_type=g.source_type or "unknown", index=i)
            for i, g in enumerate(gold_document.attributions)
        ),
        text=gold_document.text,
    )


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev split not available")
def test_polnear_dev_split():
    documents = load_polnear(POLNEAR_DEV)
    assert len(documents) == 84
    assert sum(len(d.attributions) for d in documents) == 2193
    for document in documents:
        assert document.published is not None and document.title
        for attribution in document.attributions:
            for spans in (attribution.content, attribution.cue, attribution.source):
                for start, end in spans:
                    assert 0 <= start < end <= len(document.text)


# --------------------------------------------------------------------------- error kinds


def test_error_kinds_of_a_matched_pair():
    # Content stops three words early (a clause) and starts one word late; the cue is another
    # word; the source overlaps without matching.
    text = "Officials in Paris said on Monday that the plan was good for the whole city.\n"
    g = gold(
        [at("the plan was good for the whole city", text)],
        [at("said", text)],
        [at("Officials in Paris", text)],
    )
    p = pred([at("plan was good for", text)], [at("Monday", text)], [at("Paris", text)])
    kinds = score([(gold_doc(g, text=text), document(p, text=text))])["error_kinds"]
    assert kinds["content"] == {"end early by a clause": 1, "start late by a word or two": 1}
    assert kinds["cue"] == {"wrong": 1}
    assert kinds["source"] == {"boundary": 1}
    assert kinds["attribution"] == {}


def test_error_kinds_missing_extra_and_unmatched():
    missed_cue = pred([at("the plan was good")], [], [at("The mayor")])
    extra_source = pred([at("It works")], [at("told")], [at("Jones")], index=1)
    false_positive = pred([at("Critics disagree")], index=2)
    g_jones = gold([at("It works")], [at("told")], [])
    report = score([(gold_doc(G_SMITH, G_MAYOR, g_jones), document(missed_cue, extra_source, false_positive))])
    kinds = report["error_kinds"]
    assert kinds["attribution"] == {"false positive": 1, "missed": 1}
    assert kinds["cue"] == {"missing": 1}
    assert kinds["source"] == {"extra": 1}
    assert kinds["content"] == {}
    table = render_table(report)
    assert "  attribution: false positive 1, missed 1" in table.splitlines()


def test_error_kinds_pieces_when_both_ends_agree():
    text = "He said the deal, which was signed, was good.\n"
    g = gold([at("the deal", text), at("was good", text)], [at("said", text)], [at("He", text)])
    p = pred([at("the deal, which was signed, was good", text)], [at("said", text)], [at("He", text)])
    kinds = score([(gold_doc(g, text=text), document(p, text=text))])["error_kinds"]
    assert kinds["content"] == {"pieces": 1}
    assert kinds["cue"] == {} and kinds["source"] == {}


def test_exact_predictions_have_no_error_kinds():
    predicted = document(
        pred(G_SMITH.content, G_SMITH.cue, G_SMITH.source), pred(G_MAYOR.content, G_MAYOR.cue, G_MAYOR.source, index=1)
    )
    kinds = score([(gold_doc(G_SMITH, G_MAYOR), predicted)])["error_kinds"]
    assert all(counts == {} for counts in kinds.values())
    assert "Errors by kind" not in render_table(score([(gold_doc(G_SMITH, G_MAYOR), predicted)]))


# --------------------------------------------------------------------------- PolNeAR's convention


def test_polnear_convention_takes_in_that_and_the_auxiliaries():
    from saywho.evaluate import polnear_convention

    text = "The minister has also repeatedly said that the plan failed, and aides said it again.\n"
    predicted = document(
        pred([at("the plan failed", text)], [at("said", text)], [at("The minister", text)]),
        pred([at("it again", text)], [at("said", text, 1)], [at("aides", text)], index=1),
        text=text,
    )
    converted = polnear_convention(text, predicted)
    first, second = converted.attributions
    assert text[slice(*first.content[0])] == "that the plan failed"
    assert text[slice(*first.cue[0])] == "has also repeatedly said"
    # "and" is no auxiliary, and a content without "that" before it is left alone.
    assert text[slice(*second.cue[0])] == "said"
    assert second.content == [at("it again", text)]
    # The input document is not changed.
    assert predicted.attributions[0].content == [at("the plan failed", text)]


def test_polnear_convention_stops_at_a_line_break_and_at_punctuation():
    from saywho.evaluate import polnear_convention

    text = "It was, has\nsaid the mayor, that\nthe plan failed.\n"
    predicted = document(pred([at("the plan failed", text)], [at("said", text)], [at("the mayor", text)]), text=text)
    (converted,) = polnear_convention(text, predicted).attributions
    assert converted.cue == [at("said", text)]
    assert converted.content == [at("the plan failed", text)]


def _converted(text: str, *rows: tuple[str, str, str]):
    """The attributions in PolNeAR's convention of a document made of (content, cue, source)
    rows, each given by its words (their first occurrence in ``text``)."""
    from saywho.evaluate import polnear_convention

    predicted = document(
        *(pred([at(c, text)], [at(q, text)], [at(s, text)], index=i) for i, (c, q, s) in enumerate(rows)), text=text
    )
    return polnear_convention(text, predicted).attributions


def test_polnear_convention_names_the_relative_pronoun_as_the_source():
    text = "Lukashenko, who had insisted that it was safe, smiled. An expert, who asked not to be named, said so.\n"
    first, second = _converted(text, ("it was safe", "insisted", "Lukashenko"), ("so", "said", "An expert"))
    assert text[slice(*first.cue[0])] == "had insisted"
    assert text[slice(*first.speaker[0])] == "who"
    # The relative clause is not the cue's: the antecedent stays the source.
    assert second.speaker == [at("An expert", text)]


def test_polnear_convention_starts_a_quoted_content_at_the_that_before_its_mark():
    text = "He said that “the plan failed.” She wrote that ''it worked.'' They said “that was all.”\n"
    first, second, third = _converted(
        text, ("the plan failed.", "said", "He"), ("it worked.", "wrote", "She"), ("that was all.", "said", "They")
    )
    assert text[slice(*first.content[0])] == "that “the plan failed."
    assert text[slice(*second.content[0])] == "that ''it worked."
    # A "that" inside the quotation is its own word, not a complementizer before it.
    assert text[slice(*third.content[0])] == "that was all."


def test_polnear_convention_starts_a_quotation_opening_mid_clause_at_its_clause():
    text = 'He said he would “fix the system.” They called Trump a "liar." She said, "we won." It said that, if so, it ends.\n'
    fixed, liar, won, ends = _converted(
        text, ("fix the system.", "said", "He"), ("liar.", "called", "They"), ("we won.", "said", "She"),
        ("if so, it ends", "said", "It"),
    )
    assert text[slice(*fixed.content[0])] == "he would “fix the system."
    assert text[slice(*liar.content[0])] == 'Trump a "liar.'
    # A comma before the quotation: the quotation is the whole statement.
    assert text[slice(*won.content[0])] == "we won."
    assert text[slice(*ends.content[0])] == "that, if so, it ends"


def test_polnear_convention_starts_a_clause_before_a_quotation_at_its_that():
    """'says on its website that "there were issues"': the words before "that" are the
    cue's (PolNeAR train: 78 contents open at such a "that", 15 before it)."""
    text = 'The commission says on its website that “there were issues.” He said he would “act.”\n'
    website, act = _converted(text, ("there were issues.", "says", "The commission"), ("act.", "said", "He"))
    assert text[slice(*website.content[0])] == "that “there were issues."
    assert text[slice(*act.content[0])] == "he would “act."


def test_polnear_convention_runs_the_cue_up_to_its_content_over_times_and_prepositions():
    text = "She said Monday that taxes rose. He spoke about the need for reform. They told the press that it was over.\n"
    first, second, third = _converted(
        text, ("taxes rose", "said", "She"), ("the need for reform", "spoke", "He"), ("it was over", "told", "They")
    )
    assert text[slice(*first.cue[0])] == "said Monday"
    assert text[slice(*first.content[0])] == "that taxes rose"
    assert text[slice(*second.cue[0])] == "spoke about"
    # An addressee is neither cue nor content in PolNeAR: the cue stays the verb.
    assert text[slice(*third.cue[0])] == "told"


def test_polnear_convention_leaves_out_an_attribution_inside_another_ones_content():
    text = "The source added that Clinton told police that she wanted no escort. Aides said it was late.\n"
    outer, last = _converted(
        text,
        ("Clinton told police that she wanted no escort", "added", "The source"),
        ("she wanted no escort", "told", "Clinton"),
        ("it was late", "said", "Aides"),
    )
    # PolNeAR annotates the outer report only; a report beside it stays.
    assert text[slice(*outer.cue[0])] == "added"
    assert text[slice(*last.cue[0])] == "said"


def test_polnear_convention_takes_in_contracted_auxiliaries():
    """PolNeAR train: a cue starts with "'ll", "'ve", "'d", "'re" or "'m" 48 times and
    follows one 2 times."""
    text = "They weren’t too concerned about the cost. They’ll present a plan. She can't credibly make fun of it.\n"
    first, second, third = _converted(
        text, ("the cost", "too concerned about", "They"), ("a plan", "present", "They"),
        ("it", "credibly make fun of", "She"),
    )
    assert text[slice(*first.cue[0])] == "weren’t too concerned about"
    # The pronoun stays out: PolNeAR's cue starts at the apostrophe.
    assert text[slice(*second.cue[0])] == "’ll present"
    assert text[slice(*third.cue[0])] == "can't credibly make fun of"


def test_polnear_convention_takes_in_manner_adverbs_and_catenatives_but_not_the_source():
    text = "Trump seemed to think that it worked. The senator sharply criticized the plan. The family said it was fine.\n"
    first, second, third = _converted(
        text, ("it worked", "think", "Trump"), ("the plan", "criticized", "The senator"),
        ("it was fine", "said", "The family"),
    )
    assert text[slice(*first.cue[0])] == "seemed to think"
    assert text[slice(*second.cue[0])] == "sharply criticized"
    # "family" ends in -ly but belongs to the source.
    assert text[slice(*third.cue[0])] == "said"
