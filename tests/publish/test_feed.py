"""The podcast feed, parsed back by feedparser and lxml."""

import datetime
import json

import pytest
from lxml import etree

from audio_edition import BuildSettings, build
from audio_edition.errors import UsageError
from audio_edition.publish import feed as feeds
from audio_edition.settings import EngineOptions, Metadata

from conftest import invoke

NS = feeds.NS
BASE = "https://example.org/audio/"


def make_edition(folder, name, title, day, text="Body sentence one. Body sentence two.", cache=None):
    story = folder / f"{name}.txt"
    story.write_text(f"Headline of {name}\n\n{text}\n")
    settings = BuildSettings(
        engine=EngineOptions(name="fake"),
        cache_dir=cache or folder / ".cache",
        metadata=Metadata(title=title, publication="GlobalPost", date=datetime.date(2026, 11, day)),
    )
    result = build([str(story)], folder / f"{name}.mp3", settings)
    story.unlink()
    return result.mp3


@pytest.fixture
def editions(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    cache = tmp_path / "cache"
    mp3s = [
        make_edition(folder, "mon", "Monday's Edition", 23, cache=cache),
        make_edition(folder, "wed", 'Rock & Roll <Live> "]]> quoted', 25, cache=cache),
        make_edition(folder, "tue", "Tuesday's Edition", 24, cache=cache),
    ]
    return folder, mp3s


run = invoke


def test_feed_build_parses_and_has_every_required_element(editions):
    import feedparser

    folder, mp3s = editions
    result = run("feed", "build", str(folder), "--base-url", BASE, "--owner-email", "desk@example.org",
                 "--artwork-url", "https://example.org/art.jpg", "--title", "GlobalPost Audio")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    xml = (folder / "feed.xml").read_bytes()
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [
        'Rock & Roll <Live> "]]> quoted',
        "Tuesday's Edition",
        "Monday's Edition",
    ]

    root = etree.fromstring(xml)

    def one(path):
        found = root.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0]

    assert root.get("version") == "2.0"
    assert one("/rss/channel/title/text()") == "GlobalPost Audio"
    assert one("/rss/channel/itunes:explicit/text()") == "false"
    assert one("/rss/channel/itunes:type/text()") == "episodic"
    assert one("/rss/channel/itunes:image/@href") == "https://example.org/art.jpg"
    assert one("/rss/channel/itunes:category/@text") == "News"
    assert one("/rss/channel/itunes:category/itunes:category/@text") == "Daily News"
    assert one("/rss/channel/itunes:owner/itunes:email/text()") == "desk@example.org"
    assert one("/rss/channel/podcast:locked/text()") == "yes"
    import uuid

    expected_guid = str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/audio/feed.xml"))
    assert one("/rss/channel/podcast:guid/text()") == expected_guid

    items = root.xpath("/rss/channel/item")
    assert len(items) == 3
    for item in items:
        enclosure = item.find("enclosure")
        name = enclosure.get("url").rsplit("/", 1)[1]
        assert enclosure.get("type") == "audio/mpeg"
        assert int(enclosure.get("length")) == (folder / name).stat().st_size
        assert item.findtext("guid")
        assert item.findtext(f"{{{NS['itunes']}}}duration").isdigit()
        assert item.findtext(f"{{{NS['itunes']}}}episodeType") == "full"
        assert datetime.datetime.strptime(item.findtext("pubDate"), "%a, %d %b %Y %H:%M:%S %z").tzinfo
        types = sorted(t.get("type") for t in item.iterfind(f"{{{NS['podcast']}}}transcript"))
        assert types == ["application/json", "text/vtt"]
        chapters = item.find(f"{{{NS['podcast']}}}chapters")
        assert chapters.get("url") == BASE + name.replace(".mp3", ".chapters.json")
        assert "<strong>" in item.findtext("description")


def test_same_folder_twice_gives_the_same_bytes_and_rebuild_keeps_guids(editions, tmp_path):
    folder, mp3s = editions
    channel = feeds.Channel()
    feeds.build(folder, BASE, channel)
    first = (folder / "feed.xml").read_bytes()
    feeds.build(folder, BASE, channel)
    assert (folder / "feed.xml").read_bytes() == first

    guids = etree.fromstring(first).xpath("//item/guid/text()")
    # A correction changes the audio of Monday's edition; its guid stays.
    make_edition(folder, "mon", "Monday's Edition", 23, text="A corrected sentence, longer than before.")
    feeds.build(folder, BASE, channel)
    again = (folder / "feed.xml").read_bytes()
    assert again != first
    assert etree.fromstring(again).xpath("//item/guid/text()") == guids


def test_add_is_idempotent_ordered_and_capped(editions, tmp_path):
    folder, (mon, wed, tue) = editions
    feed_xml = folder / "feed.xml"
    channel = feeds.Channel(title="First Title")
    feeds.add(feed_xml, [mon], BASE, channel)
    guid = etree.parse(str(feed_xml)).xpath("//podcast:guid/text()", namespaces=NS)
    feeds.add(feed_xml, [tue, mon], BASE, channel)
    feeds.add(feed_xml, [mon], BASE, channel)
    root = etree.parse(str(feed_xml))
    assert root.xpath("//item/title/text()") == ["Tuesday's Edition", "Monday's Edition"]
    assert root.xpath("//podcast:guid/text()", namespaces=NS) == guid

    assert feeds.add(feed_xml, [wed], BASE, channel, max_items=2) == 2
    assert etree.parse(str(feed_xml)).xpath("//item/title/text()") == [
        'Rock & Roll <Live> "]]> quoted',
        "Tuesday's Edition",
    ]


def test_add_refuses_an_mp3_outside_the_feeds_folder(editions, tmp_path):
    """Its enclosure's URL is the feed folder's: from out/ into site/feed.xml it would 404 once
    site/ is published. It was taken without a word."""
    _, (mon, _, _) = editions
    feed_xml = tmp_path / "elsewhere" / "feed.xml"
    with pytest.raises(UsageError, match="not in the feed's folder"):
        feeds.add(feed_xml, [mon], BASE, feeds.Channel(title="First Title"))
    assert not feed_xml.exists()


def test_add_keeps_the_channel_settings_of_the_existing_feed(editions):
    folder, (mon, wed, tue) = editions
    feed_xml = folder / "feed.xml"
    r = run("feed", "add", str(feed_xml), str(mon), "--base-url", BASE, "--title", "Kept Title", "--explicit")
    assert r.exit_code == 0, r.stderr
    r = run("feed", "add", str(feed_xml), str(tue), "--base-url", BASE)
    assert r.exit_code == 0, r.stderr
    root = etree.parse(str(feed_xml))
    assert root.findtext("channel/title") == "Kept Title"
    assert root.xpath("/rss/channel/itunes:explicit/text()", namespaces=NS) == ["true"]


def test_a_feed_without_artwork_or_owner_email_is_written_with_a_warning_for_each(editions):
    folder, _ = editions
    bare = run("feed", "build", str(folder), "--base-url", BASE)
    assert bare.exit_code == 0, bare.stderr
    warnings = [line for line in bare.stderr.splitlines() if line.startswith("audio-edition: ")]
    assert len(warnings) == 2
    assert "--artwork-url" in warnings[0] and "--owner-email" in warnings[1]
    # and the settings, once kept in the feed, silence them
    run("feed", "build", str(folder), "--base-url", BASE, "--artwork-url", "https://example.org/a.jpg",
        "--owner-email", "desk@example.org")  # fmt: skip
    again = run("feed", "add", str(folder / "feed.xml"), *map(str, sorted(folder.glob("*.mp3"))), "--base-url", BASE)
    assert again.exit_code == 0 and "audio-edition: " not in again.stderr


def test_hostile_text_and_control_characters_stay_well_formed(tmp_path):
    import feedparser

    folder = tmp_path / "site"
    folder.mkdir()
    title = "Bell\x07s & <whistles> ]]> \x1b[31m"
    make_edition(folder, "odd", title, 20)
    feeds.build(folder, BASE, feeds.Channel(title="A & B <C> ]]>"))
    xml = (folder / "feed.xml").read_bytes()
    etree.fromstring(xml)  # well-formed
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0
    assert parsed.feed.title == "A & B <C> ]]>"
    assert parsed.entries[0].title == "Bells & <whistles> ]]> [31m"


def test_unsafe_file_names_are_refused_with_a_suggestion(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    mp3 = make_edition(folder, "Édition du jour", "x", 20)
    r = run("feed", "add", str(folder / "feed.xml"), str(mp3), "--base-url", BASE)
    assert r.exit_code == 2
    assert "ASCII-safe" in r.stderr and "dition-du-jour.mp3" in r.stderr


def test_tampered_file_is_refused(editions):
    folder, (mon, *_) = editions
    with open(mon, "ab") as f:
        f.write(b"\x00" * 10)
    r = run("feed", "build", str(folder), "--base-url", BASE)
    assert r.exit_code == 3 and "manifest says" in r.stderr


def test_item_guids_survive_a_move_to_another_host(editions):
    """Moving the files to a CDN (--base-url) must not make every episode new in the apps."""
    import feedparser

    folder, mp3s = editions
    run("feed", "build", str(folder), "--base-url", BASE)
    before = {e.title: e.id for e in feedparser.parse((folder / "feed.xml").read_bytes()).entries}
    run("feed", "build", str(folder), "--base-url", "https://cdn.example.net/podcast/")
    moved = feedparser.parse((folder / "feed.xml").read_bytes())
    assert {e.title: e.id for e in moved.entries} == before
    assert all(e.enclosures[0].href.startswith("https://cdn.example.net/podcast/") for e in moved.entries)
    # a feed that starts at the new host names its episodes the same way, in its own namespace
    fresh = folder / "fresh.xml"
    run("feed", "add", str(fresh), *map(str, mp3s), "--base-url", "https://cdn.example.net/podcast/")
    assert len({e.id for e in feedparser.parse(fresh.read_bytes()).entries}) == 3


def test_a_feed_keeps_the_guids_it_already_published(editions):
    """Items published under an older scheme (a guid made from the URL) keep it when re-added."""
    import uuid

    import feedparser

    folder, mp3s = editions
    run("feed", "add", str(folder / "feed.xml"), str(mp3s[0]), "--base-url", BASE)
    xml = (folder / "feed.xml").read_text()
    old = feedparser.parse(xml).entries[0].id
    legacy = str(uuid.uuid5(uuid.NAMESPACE_URL, BASE + mp3s[0].name))
    (folder / "feed.xml").write_text(xml.replace(old, legacy))
    run("feed", "add", str(folder / "feed.xml"), str(mp3s[0]), str(mp3s[1]), "--base-url", "https://cdn.example.net/a/")
    entries = feedparser.parse((folder / "feed.xml").read_bytes()).entries
    assert len(entries) == 2 and legacy in {e.id for e in entries}


@pytest.mark.parametrize(
    "config",
    [
        'base_url = "https://example.org/audio/"\n',
        '[feed]\nbase_url = "https://example.org/audio/"\n',
        '[feed.add]\nbase_url = "https://example.org/audio/"\n',
    ],
)
def test_config_settings_reach_feed_add_and_build(editions, tmp_path, monkeypatch, config):
    import feedparser

    folder, mp3s = editions
    (tmp_path / "audio-edition.toml").write_text(config + '\n[feed.build]\ntitle = "Built Title"\n')
    monkeypatch.chdir(tmp_path)
    added = run("feed", "add", str(folder / "feed.xml"), str(mp3s[0]))
    assert added.exit_code == 0, added.stderr
    assert feedparser.parse((folder / "feed.xml").read_bytes()).entries[0].enclosures[0].href.startswith(BASE)
    if "[feed.add]" not in config:
        built = run("feed", "build", str(folder))
        assert built.exit_code == 0, built.stderr
        assert feedparser.parse((folder / "feed.xml").read_bytes()).feed.title == "Built Title"


def test_feed_build_over_a_feed_made_by_add_keeps_the_channel(editions):
    """It reset the title to "Today's Edition" and dropped the artwork, e-mail and locked owner."""
    folder, (mon, wed, tue) = editions
    feed_xml = folder / "feed.xml"
    result = run("feed", "add", str(feed_xml), str(mon), "--base-url", BASE, "--title", "The Courier Daily",
                 "--artwork-url", "https://example.org/art.png", "--owner-email", "desk@example.org")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = run("feed", "build", str(folder), "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    root = etree.parse(str(feed_xml))
    assert root.findtext("channel/title") == "The Courier Daily"
    assert root.xpath("//itunes:image/@href", namespaces=NS) == ["https://example.org/art.png"]
    assert root.xpath("//itunes:owner/itunes:email/text()", namespaces=NS) == ["desk@example.org"]
    assert root.xpath("//podcast:locked/@owner", namespaces=NS) == ["desk@example.org"]


@pytest.mark.parametrize(
    "option, value, field",
    [("--category", "Newz › Dailies", "--category"), ("--language", "english", "--language"),
     ("--owner-email", "not-an-email", "--owner-email"), ("--artwork-url", "https://example.org/art.gif", "--artwork-url"),
     ("--base-url", "example.org/audio", "--base-url"), ("--podcast-guid", "not-a-uuid", "--podcast-guid")],
)  # fmt: skip
def test_bad_channel_input_is_one_line_exit_2_and_the_feed_untouched(editions, option, value, field):
    folder, (mon, _, _) = editions
    feed_xml = folder / "feed.xml"
    run("feed", "add", str(feed_xml), str(mon), "--base-url", BASE)
    before = feed_xml.read_bytes()
    args = ["--base-url", BASE] if option != "--base-url" else []
    result = run("feed", "add", str(feed_xml), str(mon), *args, option, value)
    assert result.exit_code == 2, result.stderr
    assert field in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert feed_xml.read_bytes() == before


def test_no_episode_is_dated_in_the_future(tmp_path):
    """The default publish time is 06:00 UTC of the edition's date: built before then, the episode
    was dated ahead of the clock ("Implausible date")."""
    from email.utils import parsedate_to_datetime

    from fakes import one_edition

    site = tmp_path / "site"
    site.mkdir()
    mp3 = one_edition(site, "today", day=1)
    manifest = mp3.with_suffix(".json")
    data = __import__("json").loads(manifest.read_text())
    data["date"] = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()  # a scheduled edition
    manifest.write_text(__import__("json").dumps(data))
    feeds.add(site / "feed.xml", [mp3], BASE, feeds.Channel())
    root = etree.parse(str(site / "feed.xml"))
    now = datetime.datetime.now(datetime.timezone.utc)
    for text in root.xpath("//pubDate/text() | //lastBuildDate/text()"):
        assert parsedate_to_datetime(text) <= now


def test_a_second_add_keeps_the_older_items_descriptions_in_cdata(editions):
    folder, (mon, _, tue) = editions
    feed_xml = folder / "feed.xml"
    feeds.add(feed_xml, [mon], BASE, feeds.Channel())
    feeds.add(feed_xml, [tue], BASE, feeds.Channel())
    xml = feed_xml.read_text()
    assert xml.count("<description><![CDATA[") == 2


def test_the_podcast_guid_can_be_given_and_is_kept(editions):
    folder, (mon, _, tue) = editions
    feed_xml = folder / "feed.xml"
    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert run("feed", "add", str(feed_xml), str(mon), "--base-url", BASE, "--podcast-guid", guid).exit_code == 0
    run("feed", "add", str(feed_xml), str(tue), "--base-url", "https://cdn.example.net/a/")  # moved host
    assert etree.parse(str(feed_xml)).xpath("//podcast:guid/text()", namespaces=NS) == [guid]


def test_feed_check_passes_a_feed_built_here_and_names_each_problem(editions):
    from PIL import Image

    folder, (mon, wed, tue) = editions
    feed_xml = folder / "feed.xml"
    Image.new("RGB", (1400, 1400), "navy").save(folder / "art.png")
    assert run("feed", "add", str(feed_xml), str(mon), str(tue), "--base-url", BASE,
               "--artwork-url", BASE + "art.png").exit_code == 0  # fmt: skip
    result = run("feed", "check", str(feed_xml))
    assert result.exit_code == 0, result.stderr

    good = feed_xml.read_text()
    cases = {
        "item 1 guid": good.replace(good.split("<guid")[2].split("</guid>")[0], good.split("<guid")[1].split("</guid>")[0]),
        "pubDate": good.replace(good.split("<pubDate>")[1].split("</pubDate>")[0], "Mon, 01 Jan 2035 06:00:00 +0000"),
        "enclosure": good.replace("mon.mp3", "gone.mp3", 1),
        "itunes:category": good.replace('text="Daily News"', 'text="Dailies"'),
        "channel description": good.replace("The day's stories, read aloud.", "x" * 4100),
    }  # fmt: skip
    for field, xml in cases.items():
        feed_xml.write_text(xml)
        result = run("feed", "check", str(feed_xml), "--json")
        assert result.exit_code == 2, field
        assert any(field in p for p in json.loads(result.stdout)["problems"]), (field, result.stdout)
        assert len(result.stderr.strip().splitlines()) == 1


def test_artwork_in_the_folder_must_be_a_square_rgb_jpeg_or_png_of_1400_to_3000_px(editions):
    from PIL import Image

    folder, (mon, _, _) = editions
    feed_xml = folder / "feed.xml"
    for name, image in {"wide.png": Image.new("RGB", (2000, 1400)), "cmyk.jpg": Image.new("CMYK", (1400, 1400)),
                        "small.png": Image.new("RGB", (600, 600))}.items():  # fmt: skip
        image.save(folder / name)
        result = run("feed", "add", str(feed_xml), str(mon), "--base-url", BASE, "--artwork-url", BASE + name)
        assert result.exit_code == 2 and "itunes:image" in result.stderr, (name, result.stderr)
        assert not feed_xml.exists()
