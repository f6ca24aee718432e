import pytest

from audio_edition.errors import UsageError
from audio_edition.pipeline import build, prepare
from audio_edition.settings import BuildSettings, EngineOptions, TextOptions
from audio_edition.text import lexicon
from audio_edition.voice import clips

from fakes import FakeEngine

LEX = """
["*"]
Kafue = "ka-FOO-ay"

[en]
Duale = "doo-AH-lay"
"Moïse" = { say = "mo-EES", phonemes = "moˈiːs" }
coup = "koo"

[fr]
Duale = "du-al"
"""


@pytest.fixture
def lex_file(tmp_path):
    f = tmp_path / "lexicon.toml"
    f.write_text(LEX)
    return f


@pytest.mark.parametrize(
    "text, lang, phonemes, expected",
    [
        ("Aden Duale spoke.", "en", False, "Aden doo-AH-lay spoke."),
        ("ADEN DUALE SPOKE.", "en", False, "ADEN doo-AH-lay SPOKE."),
        ("Aden duale spoke.", "en", False, "Aden duale spoke."),  # case-aware: a capitalized key stays capitalized
        ("Duales and Dualed", "en", False, "Duales and Dualed"),  # whole words only
        ("Coup attempt; a coup.", "en", False, "koo attempt; a koo."),
        ("Jovenel Moïse", "en", True, "Jovenel [[ moˈiːs ]]"),
        ("Jovenel Moïse", "en", False, "Jovenel mo-EES"),
        ("Duale on the Kafue", "fr", False, "du-al on the ka-FOO-ay"),
        ("Duale", "en-US", False, "doo-AH-lay"),
        ("Duale", "en_US", False, "doo-AH-lay"),  # Python's spelling of a locale, as --lang may give it
    ],
)
def test_lexicon_step(lex_file, text, lang, phonemes, expected):
    assert lexicon.load(lex_file).step(lang, phonemes=phonemes)(text) == expected


def test_bad_lexicon(tmp_path):
    f = tmp_path / "l.toml"
    f.write_text("[en]\nDuale = 3\n")
    with pytest.raises(UsageError, match="needs a respelling"):
        lexicon.load(f)


def test_lexicon_changes_what_is_sent_and_misses_only_that_chunk(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Pact Signed\n\nKenya signed the pact. Aden Duale attended. Officials cheered.\n")
    lex = tmp_path / "l.toml"
    lex.write_text('[en]\nDuale = "doo-AH-lay"\n')
    base = dict(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c")
    build([str(story)], tmp_path / "a.mp3", BuildSettings(**base))
    assert "Aden Duale attended." in FakeEngine.calls

    FakeEngine.calls.clear()
    with_lex = BuildSettings(**base, text=TextOptions(lexicon=lex))
    result = build([str(story)], tmp_path / "a.mp3", with_lex)
    assert FakeEngine.calls == ["Aden doo-AH-lay attended."]
    assert (result.synthesized, result.cached) == (1, 3)
    assert "Aden Duale attended." in result.manifest_path.read_text()  # the transcript keeps the wording

    lex.write_text('[en]\nDuale = "doo-AL-ay"\n')
    FakeEngine.calls.clear()
    build([str(story)], tmp_path / "a.mp3", with_lex)
    assert FakeEngine.calls == ["Aden doo-AL-ay attended."]


def test_piper_receives_phonemes(tmp_path, lex_file):
    from audio_edition.voice.engines import create

    story = tmp_path / "s.txt"
    story.write_text("Jovenel Moïse was president.\n")
    settings = BuildSettings(text=TextOptions(lexicon=lex_file))
    prep = prepare([str(story)], settings, engine=create(settings.engine))
    assert [c.speech for c in prep.plan.chunks] == ["Jovenel [[ moˈiːs ]] was president."]
    assert clips  # the key covers the speech text, tested in test_clips


@pytest.mark.parametrize(
    "content, message",
    [('[en]\n"" = "x"\n', "empty word"), ("[en]\nDuale = { say = 5 }\n", "must be strings")],
)
def test_bad_lexicon_entries_are_one_line_errors(tmp_path, content, message):
    f = tmp_path / "lex.toml"
    f.write_text(content)
    with pytest.raises(UsageError, match=message):
        lexicon.load(f)


def test_a_respelling_is_said_as_written_not_read_as_a_pattern(tmp_path):
    f = tmp_path / "lex.toml"
    f.write_text('[en]\nDuale = "doo\\\\1-lay\\\\"\n')
    assert lexicon.load(f).step("en", phonemes=False)("Aden Duale spoke.") == "Aden doo\\1-lay\\ spoke."
