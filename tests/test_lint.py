import json

import pytest

from audio_edition.lint import proper_nouns

from conftest import SAMPLES, invoke


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("His Kenyan counterpart, Aden Duale, met US officials.", ["Kenyan", "Aden", "Duale", "US"]),
        ("Moïse was killed; the U.N. said so.", ["Moïse", "U.N."]),
        ("The talks began on Monday in March.", ["Monday", "March"]),
        ("Officials said nothing.", []),
    ],
)
def test_proper_nouns(sentence, expected):
    assert proper_nouns(sentence) == expected


@pytest.mark.parametrize(
    "word, is_rare",
    [("Duale", True), ("Jovenel", True), ("Valmora", True), ("Haiti", False), ("Government", False),
     ("Monday", False), ("Nigeria", False), ("U.N.", False), ("IRGC", False), ("Tamanrasset", True)],
)  # fmt: skip
def test_only_rare_words_are_names_the_voice_may_get_wrong(word, is_rare):
    from audio_edition.lint import rare

    assert rare(word, "en") is is_rare


def lint(*args):
    return invoke("lint", *args)


def test_lint_reference_lists_names_until_the_lexicon_covers_them(reference_page, tmp_path):
    from fakes import FakeEngine

    result = lint(str(reference_page), "--json", "--engine", "fake", "--cache-dir", str(tmp_path))
    report = json.loads(result.stdout)
    names = {u["name"] for u in report["unknown_names"]}
    assert {"Duale", "Moïse"} <= names
    assert "Listen to Today" not in report["text"] and "32.95" not in report["text"]
    assert {"player-label", "subscribe-call", "free-trial"} <= {d["rule"] for d in report["dropped"]}
    assert "numbers" in {n["step"] for n in report["normalizations"]}
    assert report["requests"] > 5 and report["cached"] == 0
    assert 60_000 < report["estimated_duration_ms"] < 180_000
    assert FakeEngine.calls == []  # nothing synthesized

    lex = tmp_path / "lex.toml"
    lex.write_text('[en]\nDuale = "doo-AH-lay"\n"Moïse" = "mo-EES"\n')
    result = lint(str(reference_page), "--json", "--engine", "fake", "--lexicon", str(lex))
    names = {u["name"] for u in json.loads(result.stdout)["unknown_names"]}
    assert not {"Duale", "Moïse"} & names


def test_strict_exits_1_on_unknown_names(tmp_path):
    assert lint(str(SAMPLES / "river-talks.md"), "--strict", "--engine", "fake").exit_code == 1
    plain = tmp_path / "p.txt"
    plain.write_text("Quiet day\n\nNothing happened today.\n")
    assert lint(str(plain), "--strict", "--engine", "fake").exit_code == 0


def test_lint_text_report(tmp_path):
    out = lint(str(SAMPLES / "harbor-deal.txt"), "--engine", "fake").stdout
    assert "-- lines" in out and "- [free-trial] a boilerplate rule: And you get a free two-week trial" in out
    assert "Valmora" in out and "engine requests" in out


def test_cache_commands(tmp_path):
    from audio_edition.voice.clips import ClipCache, clip_key
    from audio_edition.voice.engines import Clip

    store = ClipCache(tmp_path)
    for i in range(3):
        store.put(clip_key({"e": 1}, str(i)), Clip(b"\x01\x02" * 20000, 16000), {"text": str(i)})
    info = json.loads(invoke("cache", "info", "--json", "--cache-dir", str(tmp_path)).stdout)
    assert info["entries"] == 3
    result = invoke("cache", "prune", "--max-size", "90KB", "--cache-dir", str(tmp_path))
    assert result.exit_code == 0 and store.info()["entries"] == 2
    assert invoke("cache", "prune", "--max-size", "lots", "--cache-dir", str(tmp_path)).exit_code == 2
    invoke("cache", "clear", "--cache-dir", str(tmp_path))
    assert store.info()["entries"] == 0


def test_lint_proofreads_what_the_engine_is_sent(reference_page, tmp_path):
    """chunks[] shows each request as written and as spoken; the lexicon's changes are among the
    normalizations; only rare names are listed (wordfreq), Duale and Jovenel among them."""
    lex = tmp_path / "lex.toml"
    lex.write_text('[en]\n"Moïse" = "mo-EES"\n')
    report = json.loads(lint(str(reference_page), "--json", "--lexicon", str(lex), "--cache-dir", str(tmp_path)).stdout)
    chunk = next(c for c in report["chunks"] if "1,000 security officers" in c["text"])
    assert "one thousand security officers" in chunk["spoken"] and "1,000" not in chunk["spoken"]
    assert (
        all({"id", "text", "spoken"} <= set(c) for c in report["chunks"])
        and len(report["chunks"]) == report["requests"]
    )
    lexicon_changes = [n for n in report["normalizations"] if n["step"] == "lexicon"]
    assert lexicon_changes and "mo-EES" in lexicon_changes[0]["after"] and "Moïse" in lexicon_changes[0]["before"]
    names = [u["name"] for u in report["unknown_names"]]
    assert {"Duale", "Jovenel"} <= set(names) and len(names) <= 8
    for ordinary in ("Haiti", "African", "East", "United", "Government", "Kenya", "Congo"):
        assert ordinary not in names


def test_the_duration_estimate_is_within_ten_percent_of_the_built_audio(reference_build, tmp_path):
    """The estimate uses the build's own pause policy and the voice's measured speaking rate."""
    from conftest import REFERENCE

    report = json.loads(lint(str(REFERENCE), "--json", "--cache-dir", str(tmp_path)).stdout)
    assert abs(report["estimated_duration_ms"] - reference_build.duration_ms) <= 0.10 * reference_build.duration_ms


@pytest.mark.parametrize(
    "lang, text, found",
    [
        ("de", "Der Hafen wird im nächsten Jahr erweitert, sagte die Stadt am Montag. Die Arbeiten sollen drei "
               "Jahre dauern und zweitausend Stellen schaffen, und die Fähren fahren weiter.", "de"),
        ("zh", "港口扩建工程今天开工，预计三年内完成。市政府表示，新码头将增加两千个就业岗位，并且渡轮将继续运行。", "zh"),
        ("en", "The port will grow over three years, the city said on Monday, and the ferries will keep running.", "en"),
    ],
)  # fmt: skip
def test_a_story_in_another_language_than_lang_is_reported_plainly(tmp_path, lang, text, found):
    import json

    from conftest import invoke

    page = tmp_path / "story.txt"
    page.write_text(f"Title\n\n{text}\n")
    result = invoke("lint", str(page), "--json", "--keep-boilerplate")
    said = json.loads(result.stdout)["inputs"][0]["language"]
    assert said == {"stated": "en", "found": found, "matches": found == "en"}
    assert ("reads as " + found in result.stderr) == (found != "en")


def test_a_story_in_a_language_no_stoplist_knows_is_reported_as_undetermined(tmp_path):
    import json

    from conftest import invoke

    zulu = (
        "Abasebenzi basechwebeni eThekwini bavotile ngeSonto ukuthi baqede isiteleka esithathe amasonto amabili. "
        "Inyunyana ithe amalungu ayo amukele isivumelwano seminyaka emibili esikhuphula amaholo. "
        "Abaphathi bechweba bathi imikhumbi yokuqala izongena ezinsukwini ezimbalwa ezizayo."
    )  # written for this test
    page = tmp_path / "story.txt"
    page.write_text(f"Isiteleka siphelile\n\n{zulu}\n")
    result = invoke("lint", str(page), "--json", "--keep-boilerplate")
    said = json.loads(result.stdout)["inputs"][0]["language"]
    assert said == {"stated": "en", "found": "und", "matches": False}
    assert "not in en, nor in any language" in result.stderr
