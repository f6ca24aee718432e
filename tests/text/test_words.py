"""The one table of abbreviations, titles, sentence openers and months (data/words.toml), read by
the tokenizer and the speech steps alike."""

from importlib import resources

import pytest

from audio_edition._compat import tomllib
from audio_edition.text import words
from audio_edition.text.chunks import split_sentences
from audio_edition.text.normalize import normalize

DATA = tomllib.loads(resources.files("audio_edition").joinpath("data/words.toml").read_text("utf-8"))


def test_an_abbreviation_the_voice_expands_is_not_a_sentence_end():
    assert split_sentences("The Dept. Head resigned on Monday after the Univ. Board met.") == [
        "The Dept. Head resigned on Monday after the Univ. Board met."
    ]
    said = normalize("The Dept. Head resigned on Monday after the Univ. Board met.")
    assert "Department Head" in said and "University Board" in said


@pytest.mark.parametrize("abbreviation, entry", sorted(DATA["dotted"].items()))
def test_every_dotted_entry_reaches_the_tokenizer_and_the_voice(abbreviation, entry):
    # Never a sentence end before a name or a figure, whatever the entry says.
    assert len(split_sentences(f"They met {abbreviation} Ruiz in Lagos.")) == 1
    opener = f"It rained at the {abbreviation} The roads flooded."
    assert len(split_sentences(opener)) == (1 if entry["ends"] == "never" else 2)
    if "say" in entry:
        assert entry["say"] in normalize(f"They met {abbreviation} Ruiz in Lagos.")


@pytest.mark.parametrize("title, said", sorted(DATA["titles"].items()))
def test_every_title_is_said_and_its_dotted_form_never_ends_a_sentence(title, said):
    assert normalize(f"{title} Musa spoke.").startswith(said)
    assert len(split_sentences(f"{title}. Musa spoke to them.")) == 1


def test_the_months_and_openers_are_the_files():
    assert tuple(DATA["months"]["names"]) == words.MONTHS and len(words.MONTHS) == 12
    assert all(normalize(f"It opened on 3 {m[:3]}. and closed.").endswith(f"{m} and closed.") for m in words.MONTHS
               if m != "May")  # fmt: skip
    assert frozenset(DATA["openers"]["words"]) == words.SENTENCE_OPENERS
