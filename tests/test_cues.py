"""saywho.cues on hand-built Docs (no model needed)."""

from __future__ import annotations

import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Doc

from saywho.cues import according_to

VOCAB = spacy.blank("en").vocab


@given(st.lists(st.sampled_from(["according", "According", "ACCORDING", "to", "To", "him", ",", "said", "accorded"]), max_size=12))
def test_according_to_finds_every_according_to_pair(words):
    doc = Doc(VOCAB, words=words)
    expected = [
        (i, i + 1) for i in range(len(words) - 1)
        if words[i].lower() == "according" and words[i + 1].lower() == "to"
    ]
    assert [(a.i, b.i) for a, b in according_to(doc)] == expected
    assert all(a.doc is doc and b.doc is doc for a, b in according_to(doc))
