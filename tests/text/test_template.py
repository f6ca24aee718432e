"""A publication's template, learnt from its pages (template.py) and dropped from later ones."""

import json

from audio_edition.text import template
from audio_edition.text.template import Memory

PITCH = "The Courier is owned by its readers, and every subscription pays for reporting like this story."


def page(*body):
    return ["Harbor news - The Courier", *body, PITCH, "© The Courier"]


def test_lines_the_publications_earlier_pages_had_are_its_template(tmp_path):
    memory = Memory(tmp_path)
    memory.remember("The Courier", "monday", page("Monday's story, first paragraph.", "Monday's story, second."))
    memory.remember("The Courier", "tuesday", page("Tuesday's story, first paragraph.", "Tuesday's story, second."))
    t = memory.template("The Courier", "wednesday")
    assert t.seen(PITCH) == 2 and t.seen("© The Courier") == 2
    assert t.seen("Wednesday's story, first paragraph.") == 0
    # another publication has learnt nothing
    assert memory.template("The Ledger", "wednesday").seen(PITCH) == 0


def test_an_edited_story_is_the_same_page_not_an_earlier_one(tmp_path):
    memory = Memory(tmp_path)
    memory.remember("The Courier", "https://courier.example/strike", page("A first paragraph.", "A second one."))
    assert memory.template("The Courier", "https://courier.example/strike").seen("A first paragraph.") == 0
    memory.remember("The Courier", "https://courier.example/strike", page("A first paragraph.", "A second, edited."))
    data = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert len(data["pages"]) == 1  # replaced, not added
    assert memory.template("The Courier", "https://courier.example/ferry").seen("A second, edited.") == 1
    assert memory.template("The Courier", "https://courier.example/ferry").seen("A second one.") == 0


def test_the_store_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(template, "PAGES", 3)
    monkeypatch.setattr(template, "LINES", 5)
    memory = Memory(tmp_path)
    for day in range(6):
        memory.remember("The Courier", f"day {day}", [f"Day {day} line {n}" for n in range(20)])
    data = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert len(data["pages"]) == 3 and all(len(p["lines"]) == 5 for p in data["pages"])


def test_a_damaged_store_is_started_again(tmp_path):
    memory = Memory(tmp_path)
    memory.remember("The Courier", "one", page("One.", "Two."))
    next(tmp_path.glob("*.json")).write_text("{not json")
    assert memory.template("The Courier", "two").seen(PITCH) == 0
    memory.remember("The Courier", "two", page("Three.", "Four."))
    assert memory.template("The Courier", "three").seen(PITCH) == 1


def test_the_second_days_build_drops_what_the_first_days_pages_shared(tmp_path):
    """End to end through prepare: day one learns, day two's lint shows why the pitch went."""
    from audio_edition import BuildSettings, prepare
    from audio_edition.pipeline import remember
    from audio_edition.settings import TextOptions

    from fakes import FakeEngine

    pitch = "Every story on this site is paid for by readers like you, and a subscription keeps our reporters out in the harbour towns."

    def story(day: str, what: str) -> str:
        return (
            f"{what} - The Harbour Courier\n\n"
            f"{what}\n\n"
            f"Officials said on {day} that {what.lower()} had been agreed after a long night of talks between the two sides.\n\n"
            f"The agreement, which still needs the council's approval, would take effect at the start of next month, {day}'s statement said.\n\n"
            f"{pitch}"
        )

    settings = BuildSettings(cache_dir=tmp_path / "cache", text=TextOptions(format="text"))
    days = [("Monday", "A ferry timetable"), ("Tuesday", "A new tram route"), ("Wednesday", "A harbour fee")]
    for n, (day, what) in enumerate(days):
        (tmp_path / f"{n}.txt").write_text(story(day, what))
        prep = prepare([str(tmp_path / f"{n}.txt")], settings, engine=FakeEngine(settings.engine))
        verdict = next(v for v in prep.cleaned[0].verdicts if v.text == pitch)
        if n == 0:
            assert verdict.kept  # nothing learnt yet: the pitch reads as prose
        else:
            assert not verdict.kept and verdict.by == "template"
            assert verdict.reason == f"seen on {n} earlier page{'s' if n > 1 else ''} of The Harbour Courier"
        spoken = " ".join(p.text for p in prep.document.paragraphs)
        assert f"{what.lower()} had been agreed" in spoken
        remember(prep, settings)
    # a rebuild of Wednesday's page is not taught by itself
    again = prepare([str(tmp_path / "2.txt")], settings, engine=FakeEngine(settings.engine))
    assert [p.text for p in again.document.paragraphs] == [p.text for p in prep.document.paragraphs]
    # and lint never teaches: a fresh cache learns nothing from a lint run
    fresh = BuildSettings(cache_dir=tmp_path / "fresh", text=TextOptions(format="text"))
    from audio_edition.lint import lint

    lint([str(tmp_path / "0.txt")], fresh)
    assert not (tmp_path / "fresh" / "templates").exists()
