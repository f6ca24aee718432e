import pytest

from audio_edition import boilerplate
from audio_edition.errors import InputError, UsageError
from audio_edition.ingest import Block

RULES = boilerplate.builtin_rules()


@pytest.mark.parametrize(
    "line, rule",
    [
        ("Listen to Today's Edition:", "player-label"),
        ("Listen to Today’s Edition", "player-label"),
        ("0:00 0:00", "player-readout"),
        ("0:00 12:34 100", "player-readout"),
        ("100", "player-volume"),
        ("Subscribe today and GlobalPost will be in your inbox the next weekday morning", "subscribe-call"),
        (
            "Join us today and pay only $32.95 for an annual subscription, or less than $3 a month.",
            "subscribe-call",
        ),
        ("And you get a free two-week trial with no obligation to continue.", "free-trial"),
        ("Copy link", "share-buttons"),
        ("Advertisement", "advertisement"),
        ("Photo: Karim Benali/Reuters", "photo-credit"),
    ],
)
def test_chrome_lines_are_dropped_by_the_named_rule(line, rule):
    dropped = []
    assert boilerplate.clean_line(line, RULES, dropped) == ""
    assert dropped[0].rule == rule


@pytest.mark.parametrize(
    "line",
    [
        "Officials plan to send 1,000 security officers to the Caribbean country.",
        "The deal, valued at $1.2 billion, follows months of talks.",
        "Kenya volunteered to lead an international force to Haiti in 2023.",
        "Listeners in 100 countries tuned in.",
        "The talks ended at 9:30 p.m. without a deal.",
        "Readers can subscribe to updates from the commission, officials said.",
    ],
)
def test_story_lines_are_kept(line):
    assert boilerplate.clean_line(line, RULES, []) == line


def test_glued_copy_link_is_cut_from_the_end():
    assert boilerplate.clean_line("to continue.Copy link", RULES, []) == "to continue."


def test_reference_page_chrome(reference_page):
    from audio_edition.ingest import read_story

    story = read_story(str(reference_page))
    kept, dropped = boilerplate.strip_boilerplate(story.blocks, RULES)
    text = " ".join(b.text for b in kept).lower()
    for chrome in ("listen to today", "0:00", "subscribe today", "32.95", "free two-week trial", "copy link"):
        assert chrome not in text
    assert "restore normalcy" in text
    assert {d.rule for d in dropped} >= {"player-label", "player-readout", "subscribe-call", "free-trial"}


def test_newsroom_rules_file_adds_rules(tmp_path):
    rules_file = tmp_path / "ours.toml"
    rules_file.write_text("[[rule]]\nname = \"tip-line\"\npattern = '''Send us your tips at .*'''\n")
    rules = boilerplate.load_rules((rules_file,))
    blocks = (Block("paragraph", "Real news."), Block("paragraph", "Send us your tips at tips@example.org"))
    kept, dropped = boilerplate.strip_boilerplate(blocks, rules)
    assert [b.text for b in kept] == ["Real news."]
    assert dropped[0].rule == "tip-line"


def test_keep_boilerplate_means_no_rules():
    assert boilerplate.load_rules((), builtin=False) == []


@pytest.mark.parametrize(
    "content, message",
    [
        ('[[rule]]\nname = "x"\n', "needs a name and a pattern"),
        ('[[rule]]\nname = "x"\npattern = "("\n', "not a valid regular expression"),
        ('[[rule]]\nname = "x"\npattern = "a"\nscope = "page"\n', "scope"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_rules_files(tmp_path, content, message):
    f = tmp_path / "r.toml"
    f.write_text(content)
    with pytest.raises(UsageError, match=message):
        boilerplate.load_rules((f,))


def test_all_chrome_is_an_input_error():
    with pytest.raises(InputError, match="nothing left"):
        boilerplate.strip_boilerplate((Block("paragraph", "Copy link"),), RULES)


@pytest.mark.parametrize("sample", ["harbor-deal.txt", "river-talks.md", "solar-grid.html"])
def test_three_page_shapes_lose_their_chrome_end_to_end(sample):
    """Plain text, a Markdown newsletter and a CMS page (nav, script, figure, ad, aside, footer)."""
    from audio_edition import BuildSettings, prepare
    from audio_edition.engines import create

    from conftest import SAMPLES

    settings = BuildSettings()
    prep = prepare([str(SAMPLES / sample)], settings, engine=create(settings.engine))
    spoken = " ".join(p.text for p in prep.document.paragraphs).lower()
    for chrome in (
        "listen to today", "0:00", "subscribe today", "32.95", "free two-week trial", "copy link",
        "advertisement", "photo:", "reuters", "related", "all rights reserved", "window.analytics", "home world",
    ):  # fmt: skip
        assert chrome not in spoken, (sample, chrome)
    assert len(prep.document.paragraphs) >= 4
