"""The accuracy gate's arithmetic (bench/accuracy_gate.py); `make test` runs the gate itself."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("accuracy_gate", ROOT / "bench" / "accuracy_gate.py")
gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gate)


def test_a_score_under_its_floor_fails_the_gate_and_one_at_it_passes():
    floors = {"polnear_dev/default": {"content": 57.7, "cue": 71.7}}
    measured = {"polnear_dev/default": {"content": 57.6, "cue": 71.7, "source": 10.0}}
    assert gate.below(measured, floors) == ["polnear_dev/default content 57.6 < floor 57.7"]
    measured["polnear_dev/default"]["content"] = 57.7
    assert gate.below(measured, floors) == []


def test_floors_only_go_up():
    floors = {"polnear_dev/default": {"content": 57.7, "cue": 71.7}}
    measured = {"polnear_dev/default": {"content": 58.5, "cue": 71.0}, "example/rules": {"source": 100.0}}
    assert gate.raised(measured, floors, 0.2) == {
        "polnear_dev/default": {"content": 58.3, "cue": 71.7}, "example/rules": {"source": 99.8},
    }


def test_the_shipped_floors_cover_both_readers_on_both_corpora():
    config = json.loads((ROOT / "bench" / "floors.json").read_text(encoding="utf-8"))
    assert set(config["floors"]) == {"polnear_dev/rules", "polnear_dev/default", "example/rules", "example/default"}
    for key, values in config["floors"].items():
        roles = {"source", "cue", "content", "attribution"}
        assert set(values) == (roles | {"speakers"} if key.startswith("polnear_dev") else roles)
    # The bundled example allows no miss and nothing extra.
    assert all(v > 99 for key in ("example/rules", "example/default") for v in config["floors"][key].values())


def test_speakers_are_right_by_surname_or_by_both_being_none():
    from types import SimpleNamespace as NS

    def attribution(speaker, entity):
        return NS(speaker=[speaker], speaker_entity=entity)

    golds = [NS(name="a"), NS(name="b")]
    documents = [
        NS(attributions=[attribution((0, 2), "Donald J. Trump"), attribution((10, 13), "Will Smith")]),
        NS(attributions=[attribution((5, 7), None)]),
    ]
    items = [
        {"document": "a", "speaker": [0, 2], "entity": "Donald Trump"},  # same surname: right
        {"document": "a", "speaker": [10, 13], "entity": "Patti LaBelle"},  # wrong person
        {"document": "b", "speaker": [5, 7], "entity": None},  # no entity meant, none given
        {"document": "b", "speaker": [20, 22], "entity": "Ted Cruz"},  # no attribution any more
    ]
    assert gate.speakers_right(golds, documents, items) == 50.0


def test_the_hand_read_speakers_name_dev_documents_and_spans():
    items = json.loads((ROOT / "bench" / "speakers_dev.json").read_text(encoding="utf-8"))["items"]
    assert len(items) >= 30
    for item in items:
        start, end = item["speaker"]
        assert 0 <= start < end and item["document"] and (item["entity"] is None or item["entity"].strip())
