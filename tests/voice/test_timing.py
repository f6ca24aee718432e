"""Word timings, from phoneme streams written here (the engines' own are tested with the voices)."""

import pytest

from audio_edition.text import alignment
from audio_edition.voice import timing

# What each word sounds like alone (espeak-ng's reading of it, stress marks and all).
ALONE = {"in": "ˈɪn", "the": "ðˈə", "port": "pˈɔːɹt", "a": "ˈeɪ", "deal": "dˈiːl", "signed": "sˈaɪnd"}


def phones(*words_in_stream: tuple[str, int]) -> list[timing.Phone]:
    """A stream of phones, each character ``ms`` long, words separated by a 20 ms space."""
    out, at = [], 0.0
    for chars, ms in words_in_stream:
        for c in chars:
            out.append((c, at, at + ms))
            at += ms
        out.append((" ", at, at + 20))
        at += 20
    return out


def test_words_espeak_joined_are_timed_apart():
    # "in the" is one phoneme word in context ("ɪnðə"): each keeps its own phonemes' time
    stream = phones(("ɪnðə", 50), ("pˈɔːɹt", 50))
    times = timing.from_phonemes(["in", "the", "port"], ALONE.__getitem__, stream)
    assert times == ((0, 100), (100, 200), (220, 520))


def test_a_word_read_otherwise_in_context_takes_the_sounds_between_its_neighbours():
    # "a" alone is "eɪ", in context "ɐ": it matches nothing, and takes the sound left between
    stream = phones(("sˈaɪnd", 40), ("ɐ", 60), ("dˈiːl", 40))
    times = timing.from_phonemes(["signed", "a", "deal"], ALONE.__getitem__, stream)
    assert times[1] == (260, 320)
    assert times[0][1] <= times[1][0] and times[1][1] <= times[2][0]


def test_a_word_keeps_its_sounds_read_otherwise_in_context_up_to_the_pause():
    # "the" alone is "ðə", before a vowel "ðɪ": its "ɪ" is still its, not the pause's
    stream = phones(("ðɪ", 50), ("ˈæfɹɪkə", 50))
    times = timing.from_phonemes(["the", "Africa"], {**ALONE, "Africa": "ˈæfɹɪkə"}.__getitem__, stream)
    assert times == ((0, 100), (120, 470))


def test_a_lexicon_entry_is_timed_by_its_own_phonemes():
    stream = phones(("ðə", 50), ("kˈiːv", 50))
    words = timing.spoken_words("the [[kˈiːv]]")
    assert words == ["the", "[[kˈiːv]]"]
    assert timing.from_phonemes(words, ALONE.__getitem__, stream)[1] == (120, 370)


def test_every_word_gets_a_time_in_order_even_when_nothing_matches():
    stream = phones(("zzz", 30))
    times = timing.from_phonemes(["in", "the", "port"], ALONE.__getitem__, stream)
    assert len(times) == 3
    assert all(a <= b for a, b in times)
    assert [a for a, _ in times] == sorted(a for a, _ in times)


def test_punctuation_alone_is_not_a_spoken_word():
    assert timing.spoken_words("Yes — no , maybe… 5%") == ["Yes", "no", "maybe…", "5%"]


def test_an_estimate_shares_the_span_by_letters_and_pauses_after_marks():
    times = timing.estimate(["Hello,", "big", "world."], 1000, 2700)
    assert times[0][0] == 1000 and times[-1][1] < 2700  # the full stop's pause is not the word's
    assert times[0][1] < times[1][0]  # the comma's pause lies between
    assert (times[0][1] - times[0][0]) > (times[1][1] - times[1][0])  # five letters outlast three


@pytest.mark.parametrize(
    ("written", "spoken", "expected"),
    [
        # a stretch rewritten as several words is one unit
        ("It costs $32.95 now", "It costs thirty-two dollars and ninety-five cents now",
         [(0, 1), (2, 3), (4, 13), (14, 15)]),
        # as many written as spoken: word for word
        ("Dr. Lee spoke", "Doctor Lee spoke", [(0, 1), (2, 3), (4, 5)]),
        # a word said but not written lengthens the written word before it
        ("$5 billion, he said", "five billion dollars, he said", [(0, 1), (2, 5), (6, 7), (8, 9)]),
        # written, not said: no time, where the next word starts
        ("Wait — then go", "Wait then go", [(0, 1), (2, 2), (2, 3), (4, 5)]),
    ],
)  # fmt: skip
def test_written_words_take_the_times_of_what_they_became(written, spoken, expected):
    words = spoken.split()
    times = [(2 * i, 2 * i + 1) for i in range(len(words))]
    assert alignment.written_times(written.split(), words, times) == expected


def test_a_sentence_too_long_to_diff_is_shared_by_position():
    written = ["word"] * 400
    spoken = ["said"] * 800  # nothing in common, and 320,000 pairs
    times = [(i, i + 1) for i in range(800)]
    out = alignment.written_times(written, spoken, times)
    assert out[0] == (0, 2) and out[-1] == (798, 800)
    assert [a for a, _ in out] == sorted(a for a, _ in out)
