"""Whole-pipeline properties, driven by Hypothesis: whatever text, Markdown, HTML or edition file
a CMS hands over, lint and the (fake-engine) build end in a result or one named error, never an
internal one; and every word of the story in it is spoken.

The story is prose of plain lowercase words (what the speech steps leave as they are), so that
"spoken" can be checked word for word; around and inside it goes whatever Hypothesis finds:
markup, chrome-like lines, emoji, control characters, wrong types in the edition file."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_edition import BuildSettings, build
from audio_edition.errors import AudioEditionError
from audio_edition.lint import lint
from audio_edition.settings import EngineOptions, TextOptions

from conftest import invoke

#: Words of prose, none of them a boilerplate cue, an abbreviation or a figure: a sentence takes
#: turns between the two lists, as prose does (about half of its words are function words).
FUNCTION = [
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "that",
    "was",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "his",
    "her",
    "their",
    "they",
    "which",
    "would",
    "could",
]
CONTENT = [
    "river",
    "town",
    "council",
    "water",
    "farmers",
    "after",
    "before",
    "new",
    "bridge",
    "market",
    "school",
    "children",
    "north",
    "south",
    "morning",
    "week",
    "year",
    "people",
    "village",
    "road",
    "harbor",
    "boats",
    "fish",
    "price",
    "rain",
    "summer",
    "winter",
    "workers",
    "plan",
    "city",
    "families",
    "fields",
    "roof",
    "station",
    "teachers",
    "doctors",
    "nurses",
    "storm",
    "coast",
    "island",
    "valley",
    "mill",
    "bakery",
    "trains",
    "letters",
    "neighbors",
    "garden",
    "harvest",
    "mayor",
    "engineers",
    "flood",
    "wall",
    "lamp",
    "ferry",
]
WORDS = FUNCTION + CONTENT

pair = st.tuples(st.sampled_from(FUNCTION), st.sampled_from(CONTENT)).map(" ".join)
sentence = st.lists(pair, min_size=4, max_size=9).map(lambda w: " ".join(w).capitalize() + ".")


def _paragraphs(sentences: list[str], sizes: list[int]) -> list[str]:
    """The sentences in order, cut into paragraphs of ``sizes`` (2 to 4) sentences each."""
    cut, i = [], 0
    for n in sizes:
        if i < len(sentences):
            cut.append(sentences[i : i + n])
            i += n
    if len(cut) > 1 and len(cut[-1]) < 2:
        last = cut.pop()
        cut[-1] += last
    return [" ".join(p) for p in cut]


#: No sentence twice: a sentence standing twice on a page is said once (a pull quote, a scrape's
#: repeat), so a story that repeats one is not said word for word, and must not be.
def stories(max_paragraphs: int = 5) -> st.SearchStrategy[list[str]]:
    """2 to ``max_paragraphs`` paragraphs (render() gives each of the five noises one)."""
    return (
        st.lists(sentence, min_size=4, max_size=4 * max_paragraphs, unique_by=str.lower)
        .flatmap(
            lambda s: st.lists(st.integers(2, 4), min_size=len(s), max_size=len(s)).map(lambda n: _paragraphs(s, n))
        )
        .filter(lambda paragraphs: 2 <= len(paragraphs) <= max_paragraphs)
    )


story = stories()

#: One line of Unicode text, without the surrogates that no file can hold, nor NUL (which makes a
#: file binary, by ingest's rule: the garbage test has both). One line: a block of several lines
#: of junk between two paragraphs can leave a short last paragraph looking like a teaser.
LINE_BREAKS = "\x00\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
noise_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS), max_size=40)
noise = st.one_of(
    noise_text,
    st.sampled_from([
        "Subscribe now for $5 a month", "Copy link", "Listen to Today's Edition: 0:00 0:00 100", "Menu",
        "**", "# ", "> ", "- ", "``x = 1``", "<!-- x -->", "| a | b |", "[x](http://example.org)", "&amp; &#0; &#x110000;",
        "<script>alert(1)</script>", "<div>", "</p>", "<br>", "\u200f\u202e", "🎉🎉", "\x1b[31m", "\ufeff",
    ]),
)  # fmt: skip


def spoken_words(chunks: list[dict]) -> list[str]:
    return re.findall(r"[a-z]+", " ".join(c["spoken"] for c in chunks).lower())


def story_words(paragraphs: list[str]) -> list[str]:
    return re.findall(r"[a-z]+", " ".join(paragraphs).lower())


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(word in it for word in needle)


def render(kind: str, title: str, paragraphs: list[str], noises: list[str]) -> tuple[str, str]:
    """The story as a file of ``kind``, a noise block after each paragraph; (file name, text)."""
    if kind == "html":
        esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")  # noqa: E731
        body = "".join(f"<p>{p}</p>\n<div>{n}</div>\n" for p, n in zip(paragraphs, noises))
        page = f"<html><head><title>{title}</title></head><body><nav>{esc(noises[0])}</nav>"
        return "s.html", page + f"<article><h1>{title}</h1>\n{body}</article></body></html>"
    if kind == "markdown":
        return "s.md", f"# {title}\n\n" + "".join(f"{p}\n\n{n}\n\n" for p, n in zip(paragraphs, noises))
    return "s.txt", f"{title}\n\n" + "".join(f"{p}\n\n{n}\n\n" for p, n in zip(paragraphs, noises))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


def settings_for(folder) -> BuildSettings:
    # No template memory: what one example teaches must not change what the next one keeps.
    return BuildSettings(
        engine=EngineOptions(name="fake"), cache_dir=folder / "cache", text=TextOptions(learn_template=False)
    )


@settings(max_examples=1000, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(
    kind=st.sampled_from(["text", "markdown", "html"]),
    title=st.lists(st.sampled_from(CONTENT), min_size=2, max_size=6).map(lambda w: " ".join(w).title()),
    paragraphs=story,
    noises=st.lists(noise, min_size=5, max_size=5),
)
def test_lint_speaks_every_word_of_any_story_in_any_wrapping(folder, kind, title, paragraphs, noises):
    name, text = render(kind, title, paragraphs, noises)
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        report = lint([str(path)], settings_for(folder))
    except AudioEditionError as exc:  # a named error is an answer; for a story in it, a wrong one
        pytest.fail(f"{type(exc).__name__}: {exc}")
    said = spoken_words(report.chunks)
    assert is_subsequence(story_words(paragraphs), said), (story_words(paragraphs), said)


@settings(max_examples=1200, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(
    data=st.one_of(
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass").decode("utf-8", "replace")),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    )
)
def test_lint_of_garbage_is_a_result_or_a_named_error(folder, data):
    path = folder / "garbage.txt"
    path.write_text(data, encoding="utf-8")
    try:
        lint([str(path)], settings_for(folder))
    except AudioEditionError:
        pass


toml_value = st.one_of(
    noise_text.map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["true", "1.5", "nan", "[]", "{}", '"2026-12-01"', "2026-12-01", '"../../etc/passwd"', '"/etc/hosts"',
                     '"s.txt"', '["s.txt"]', '"cover.png"', '"\\\\1"']),
)  # fmt: skip
edition_key = st.sampled_from(
    ["title", "date", "author", "publication", "description", "url", "cover", "jingle", "transition_audio",
     "language", "keep", "drop", "intro", "outro", "transition", "nonsense"]
)  # fmt: skip
story_key = st.sampled_from(["path", "title", "url", "nonsense"])


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(
    paragraphs=story,
    top=st.dictionaries(edition_key, toml_value, max_size=4),
    extra=st.dictionaries(story_key, toml_value, max_size=2),
)
def test_an_edition_file_of_any_values_is_a_result_or_a_named_error(folder, paragraphs, top, extra):
    (folder / "s.txt").write_text("A Plain Title\n\n" + "\n\n".join(paragraphs))
    lines = [f"{k} = {v}" for k, v in top.items()]
    lines += ["", "[[story]]", 'path = "s.txt"', *(f"{k} = {v}" for k, v in extra.items() if k != "path")]
    edition = folder / "edition.toml"
    edition.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["lint", str(edition), "--json", "--engine", "fake", "--no-template", "--cache-dir", str(folder / "cache")]
    result = invoke(*args)
    assert result.exit_code in (0, 2, 3), result.stderr  # a report, or one line naming the bad value
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    elif not top.keys() & {"keep", "drop", "language"}:  # those may change what is spoken, by design
        assert is_subsequence(story_words(paragraphs), spoken_words(json.loads(result.stdout)["chunks"]))


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(
    kind=st.sampled_from(["text", "markdown", "html"]),
    paragraphs=stories(max_paragraphs=3),
    noises=st.lists(noise, min_size=5, max_size=5),
)
def test_the_fake_engine_build_voices_every_word_and_tags_what_it_says(folder, kind, paragraphs, noises):
    name, text = render(kind, "A Build Title", paragraphs, noises)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    try:
        result = build([str(path)], folder / "out" / "e.mp3", settings_for(folder))
    except AudioEditionError as exc:
        pytest.fail(f"{type(exc).__name__}: {exc}")
    said = re.findall(r"[a-z]+", " ".join(p.text for p in result.manifest.paragraphs).lower())
    assert is_subsequence(story_words(paragraphs), said)
    assert result.duration_ms > 0
