"""Huge, hostile and concurrent input (issue #32): one clear line and a bounded run, never a
traceback, a hang or a lost write. Each test failed on the code before its fix."""

import datetime
import os
import stat
import subprocess
import sys
import threading

import pytest
from lxml import etree

from audio_edition.edition import render
from audio_edition.errors import InputError, UsageError
from audio_edition.publish import feed as feeds
from audio_edition.settings import Metadata
from audio_edition.text import ingest
from audio_edition.text.normalize import normalize

from conftest import invoke

META = Metadata(publication="The Courier", date=datetime.date(2026, 12, 4))


@pytest.mark.parametrize(
    "template",
    ["{weekday.upper}", "{title.__init__.__globals__}", "{count:>1000000000}", "{count!r}", "{0}", "{title[0]}"],
)
def test_an_intro_is_a_template_of_named_fields_only(template):
    with pytest.raises(UsageError) as err:
        render(template, META, title="Port deal", count=3)
    assert "\n" not in str(err.value)


def test_an_intro_may_align_its_fields():
    assert render("{weekday}: {title:>12}|", META, title="Port deal", count=3) == "Friday:    Port deal|"


def test_a_number_of_thousands_of_digits_is_said_digit_by_digit():
    said = normalize("The code is " + "12" * 2500 + ".")
    assert said.startswith("The code is one two one two") and said.count("two") == 2500


def test_deeply_nested_toml_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 500 + "]" * 500 + "\n")
    story = tmp_path / "s.txt"
    story.write_text("Title\n\nA sentence to read.\n")
    result = invoke("--config", str(config), "lint", str(story))
    assert result.exit_code == 2, result.stderr
    assert "nested too deep" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_fifo_given_as_a_story_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "story.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        ingest.read_bytes(str(fifo))


def test_an_output_that_is_a_symlink_is_replaced_with_open_s_mode(tmp_path):
    from audio_edition.store import atomic_write_bytes, file_mode

    target = tmp_path / "private.txt"
    target.write_text("secret")
    target.chmod(0o600)
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    atomic_write_bytes(link, b"public")
    assert not link.is_symlink() and link.read_bytes() == b"public" and target.read_text() == "secret"
    assert stat.S_IMODE(link.stat().st_mode) == file_mode()


@pytest.mark.parametrize(
    "option, value",
    [("base_url", "javascript:alert(1)//"), ("base_url", "example.org/audio"), ("artwork_url", "javascript:x"),
     ("link", "data:text/html,hi")],
)  # fmt: skip
def test_feed_urls_are_http_only(tmp_path, option, value):
    from fakes import one_edition

    mp3 = one_edition(tmp_path)
    feed_xml = tmp_path / "feed.xml"
    base = value if option == "base_url" else "https://example.org/audio/"
    channel = feeds.Channel(**({} if option == "base_url" else {option: value}))
    with pytest.raises(UsageError) as err:
        feeds.add(feed_xml, [mp3], base, channel)
    assert "http" in str(err.value) and not feed_xml.exists()


def test_concurrent_feed_adds_lose_no_item(tmp_path):
    """Adds from four processes at once: every item is in the feed (without the lock, an add read
    the feed before another wrote it, and one item was lost in 4 rounds of 20)."""
    from fakes import one_edition

    mp3s = [one_edition(tmp_path, f"e{i}", day=i + 1) for i in range(4)]
    feed_xml = tmp_path / "feed.xml"
    code = (
        "import sys; from audio_edition.publish import feed as f; "
        "f.add(__import__('pathlib').Path(sys.argv[1]), [__import__('pathlib').Path(sys.argv[2])], "
        "'https://example.org/a/', f.Channel())"
    )
    for _round in range(3):
        feed_xml.unlink(missing_ok=True)
        procs = [subprocess.Popen([sys.executable, "-c", code, str(feed_xml), str(m)]) for m in mp3s]
        assert all(p.wait(timeout=120) == 0 for p in procs)
        assert len(etree.parse(str(feed_xml)).xpath("//item")) == len(mp3s)


def test_a_held_feed_lock_makes_a_second_writer_wait(tmp_path, monkeypatch):
    from filelock import FileLock

    from fakes import one_edition

    mp3 = one_edition(tmp_path)
    feed_xml = tmp_path / "feed.xml"
    monkeypatch.setattr(feeds, "LOCK_TIMEOUT_S", 0.2)
    lock = FileLock(str(feed_xml) + ".lock")
    held = threading.Event()
    release = threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        with pytest.raises(Exception, match="another feed command holds it"):
            feeds.add(feed_xml, [mp3], "https://example.org/a/", feeds.Channel())
    finally:
        release.set()
        t.join()
    assert not feed_xml.exists()
