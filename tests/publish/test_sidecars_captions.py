"""Captions: WebVTT cues of at most two lines of 42 characters, cut where a phrase ends."""

from audio_edition.publish.sidecars import LINE_CHARS, captions, vtt

from fakes import manifest


def test_a_long_sentence_is_cut_into_cues_at_its_phrases():
    sentence = (
        "The harbour board said on Thursday that the new quay, which opens in March after years of delay, "
        "will double the ferries calling at the island and bring two hundred jobs."
    )
    cues = captions(sentence)
    assert len(cues) > 1 and all(len(c) <= 2 and all(len(x) <= LINE_CHARS for x in c) for c in cues)
    assert " ".join(" ".join(c) for c in cues) == sentence
    # the second cue starts a phrase, not in the middle of one
    assert cues[1][0].startswith(("after", "which", "will", "and")), cues


def test_short_sentences_stay_one_cue_and_the_cues_tile_the_sentence():
    sentences = [
        {"id": "p1.s1", "start_ms": 0, "end_ms": 900, "text": "Port deal agreed."},
        {"id": "p1.s2", "start_ms": 900, "end_ms": 9900, "text": "The council, meeting late on Monday, voted "
         "to sell the old ferry terminal to a shipping group for redevelopment as housing."},
    ]  # fmt: skip
    paragraph = {"id": "p1", "chapter": "ch1", "kind": "paragraph", "text": "", "start_ms": 0, "end_ms": 9900}
    text = vtt(manifest(paragraphs=[{**paragraph, "sentences": sentences}]))
    assert "p1.s1\n00:00:00.000 --> 00:00:00.900\nPort deal agreed.\n" in text
    assert "p1.s2\n00:00:00.900 --> " in text and "p1.s2.2\n" in text
    assert text.rstrip().endswith("housing.") and "--> 00:00:09.900\n" in text
