"""Whole pages in the shapes real publishers use, written for these tests (tests/pages/): each loses
its chrome and keeps every sentence of its story, and gets its own headline."""

from pathlib import Path

import pytest

from audio_edition import BuildSettings, lint

PAGES = Path(__file__).parent / "pages"

CASES = {
    "paywall.txt": (
        "Port Strike Ends After Nine Days",
        [
            "voted on Sunday to end a strike",
            "raises basic pay by six percent",
            "first vessels would berth",
            "Nobody wins a strike like this one",
            "shelves could run short",
        ],
        [
            "Skip to content",
            "Sign in",
            "By Marta Quell",
            "7:15 am ET",
            "Copy link",
            "Continue reading",
            "$1 a week",
            "Most Popular",
            "tram line",
            "About time",
            "Reply",
            "Cookie settings",
            "All rights reserved",
            "Dock workers return on Monday",
        ],
    ),
    "newsletter.txt": (
        "The Morning Brief: Rivers, rockets and a record harvest",
        [
            "Dam talks reopen",
            "share the Varna river",
            "how much water the upstream reservoir",
            "A launch from the northern coast",
            "small weather satellite",
        ],
        [
            "Listen to Today",
            "0:00",
            "Answers at the bottom",
            "sponsored by Northwind",
            "Sign up",
            "Follow us",
            "Copy link",
        ],
    ),
    "photo-story.txt": (
        "In pictures: The night the lantern festival returned",
        ["After three quiet winters", "twenty thousand people took part", "The procession ended at the market square"],
        [
            "Photo: Ines Alder",
            "Getty Images",
            "Children carry lanterns",
            "By Ines Alder",
            "Share this gallery",
            "More galleries",
            "Winter markets",
        ],
    ),
    "wire-story.html": (
        "Glacier monitors warn of faster melt in the Alps",
        [
            "lost more ice this year",
            "thinned by an average of three metres",
            "exposing rock",
            "no longer a slow change",
            "fund more stations at high altitude",
        ],
        [
            "Sign in",
            "By Lena Marchetti",
            "9:30 AM",
            "Share Email Print",
            "researcher measures",
            "Related coverage",
            "Ski resorts",
            "Reporting by",
            "Get the Globe Wire briefing",
            "in your inbox",
            "All rights reserved",
            "Privacy policy",
        ],
    ),
    # A regional daily's CMS: an SEO title above a different h1, captions in figcaptions and as a
    # picture's alt text, links to other stories in the body, and the story's own card in a list.
    "regional-daily.html": (
        "Night ferry to run all winter, council says",
        [
            "could not get home from late shifts",
            "the first crossing at six",
            "four hundred thousand euros",
            "choose between a job on the mainland",
            "carry freight for the island's shops",
        ],
        [
            "Council keeps the night ferry running",
            "with its lights on",
            "Passengers wait on the quay",
            "Ferry fares for islanders",
            "Storm damage to the harbour wall",
            "New bus times",
            "decided on...",
            "Harbour Street",
        ],
    ),
    "live-blog.html": (
        "Live: Election night in Marren as votes are counted",
        [
            "Turnout in the capital",
            "smallest districts",
            "a new bridge had been the main issue",
            "far too early to talk about forming a government",
            "Polls have now closed",
        ],
        [
            "My account",
            "11:48 PM",
            "10:30 PM",
            "Download the Daily Lantern app",
            "Tags:",
            "Advertise",
            "The Daily Lantern",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_page_keeps_its_story_and_drops_its_chrome(name, tmp_path):
    headline, story, chrome = CASES[name]
    report = lint.lint([str(PAGES / name)], BuildSettings(cache_dir=tmp_path))
    body = " ".join(b["text"] for b in report.blocks if b["kept"])
    assert report.title == headline
    for words in story:
        assert words in body, (name, words)
    for words in chrome:
        assert words not in body, (name, words)
    assert headline not in body  # spoken once, as the title, not again as body
    # every line has a verdict with what decided and why
    assert all(b["by"] and b["reason"] for b in report.blocks)
