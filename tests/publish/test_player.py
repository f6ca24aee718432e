"""The player in headless Chromium (Debian's, driven by Playwright), used as a person would."""

import json
import shutil

import pytest
from static_server import serve

from audio_edition import ffmpeg

from conftest import invoke

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required", "--mute-audio"]  # fmt: skip

STORY = "\n\n".join(
    [
        "Read Along",
        "The first paragraph is here to be read aloud. It has two sentences of modest length.",
        "A second paragraph follows it, long enough that a listener can tell where one ends.",
        "The third paragraph is the one the test clicks, so that the player seeks straight to it.",
        "A fourth paragraph closes the story, with a final sentence spoken by the fake engine.",
    ]
)
HOSTILE = (
    "Hostile Story\n\nA reader wrote <script>window.pwned = 1</script> in the comments.\n\n"
    'Another wrote "><img src=x onerror="window.pwned = 2"> and waited.\n'
)


def build(*args):
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("site")
    for name, text in (("story", STORY), ("hostile", HOSTILE)):
        (folder / f"{name}.txt").write_text(text)
        build("build", str(folder / f"{name}.txt"), "-o", str(folder / f"{name}.mp3"), "--engine", "fake",
               "--cache-dir", str(folder / ".cache"), "--player", "--paragraph-pause", "1200", "--speed", "0.3")  # fmt: skip
    server, origin, seen = serve(folder)
    yield folder, origin, seen
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    folder, origin, seen = site
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.goto(f"{origin}/story.html")
    pg.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    yield pg
    context.close()


def manifest(site, name="story"):
    return json.loads((site[0] / f"{name}.json").read_text())


def media(page, prop):
    return page.evaluate(f"document.querySelector('audio').{prop}")


def clock(seconds):
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def test_duration_is_the_real_mp3_duration_before_playback(page, site):
    decoded_s = len(ffmpeg.decode_pcm(site[0] / "story.mp3", sample_rate=8000)) / 2 / 8000
    assert media(page, "paused")
    assert page.inner_text(".ae-dur") == clock(decoded_s)
    assert page.inner_text(".ae-pos") == "0:00"


def test_playing_advances_the_position(page, site):
    first = manifest(site)["paragraphs"][1]["sentences"][0]
    page.get_by_role("button", name="Play", exact=True).click()
    inside = (first["start_ms"] + 300) / 1000
    page.wait_for_function(f"() => document.querySelector('audio').currentTime > {inside}")
    assert page.get_attribute(".ae-play", "aria-label") == "Pause"
    assert page.inner_text(".ae-pos") != "0:00"
    assert page.locator("span.ae-current").count() == 1
    assert page.inner_text("span.ae-current") == first["text"]


def test_clicking_the_third_paragraph_seeks_and_highlights_it(page, site):
    third = [p for p in manifest(site)["paragraphs"] if p["kind"] == "paragraph"][2]
    shown = [p["id"] for p in manifest(site)["paragraphs"] if p["kind"] != "title"]  # the title is the h1
    target = page.locator(".ae-text p").nth(shown.index(third["id"]))
    target.click(position={"x": 3, "y": 3})  # its margin: a click on a word seeks to the word
    page.wait_for_function("() => !document.querySelector('audio').seeking")
    assert abs(media(page, "currentTime") - third["start_ms"] / 1000) <= 0.3
    assert "ae-current" in target.get_attribute("class")
    assert target.locator("span").first.get_attribute("class") == "ae-current"


def test_speed_and_volume_change_the_media_element(page):
    page.get_by_label("Playback speed").select_option("1.5")
    assert media(page, "playbackRate") == 1.5
    page.get_by_label("Volume").fill("40")
    assert media(page, "volume") == pytest.approx(0.4)
    assert page.inner_text(".ae-volume-value") == "40"


def test_skip_buttons(page):
    page.evaluate("document.querySelector('audio').currentTime = 5")
    page.get_by_role("button", name="Back 15 seconds").click()
    assert media(page, "currentTime") == 0
    page.get_by_role("button", name="Forward 30 seconds").click()
    assert media(page, "currentTime") == pytest.approx(min(30, media(page, "duration")), abs=0.01)


def test_keyboard_only(page):
    focusable = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ae-player button, .ae-player input, .ae-player select,'
             + ' .ae-player [tabindex="0"]')).map(e => e.getAttribute('aria-label') || '')"""
    )
    assert focusable and all(focusable), "every control has an ARIA label"
    page.keyboard.press("Tab")  # the first control is Play
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Play"
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    page.keyboard.press("Tab")  # to "Back 15 seconds": a button; Space would press it, so pause with the
    page.keyboard.press("Shift+Tab")  # play button again
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('audio').paused")
    # Arrow keys seek from anywhere but the sliders.
    page.locator(".ae-text p").first.focus()
    before = media(page, "currentTime")
    page.keyboard.press("ArrowRight")
    assert media(page, "currentTime") == pytest.approx(before + 5, abs=0.05)
    page.keyboard.press("ArrowLeft")
    assert media(page, "currentTime") == pytest.approx(before, abs=0.05)
    # A paragraph is a button: Enter seeks to it.
    page.locator(".ae-text p").nth(3).focus()
    page.keyboard.press("Enter")
    assert media(page, "currentTime") > before


def test_hostile_story_displays_as_text_and_never_runs(browser, site):
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(f"{site[1]}/hostile.html")
    pg.wait_for_timeout(500)
    assert pg.evaluate("window.pwned") is None
    text = pg.inner_text(".ae-text")
    assert "<script>window.pwned = 1</script>" in text
    assert '"><img src=x onerror="window.pwned = 2">' in text
    assert pg.locator(".ae-text img, .ae-text script").count() == 0
    csp = pg.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert "unsafe-inline" not in csp and "script-src 'sha256-" in csp and "default-src 'none'" in csp
    # The policy is live: an inline handler added by anyone is refused.
    pg.evaluate(
        "() => { const i = document.createElement('img'); i.setAttribute('onerror', 'window.pwned = 3');"
        " i.src = 'nope.png'; document.body.appendChild(i); }"
    )
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.pwned") is None
    context.close()


def test_no_requests_beyond_its_own_files(page, site):
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.5")
    origin = site[1]
    assert page.requests and all(u.startswith(origin + "/") for u in page.requests)
    assert {u[len(origin) :] for u in page.requests} <= {"/story.html", "/story.mp3"}


def test_remembers_the_position(page):
    page.evaluate("document.querySelector('audio').currentTime = 8")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 8.3")
    page.get_by_role("button", name="Pause", exact=True).click()
    kept = media(page, "currentTime")
    page.reload()
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    page.wait_for_function(f"() => Math.abs(document.querySelector('audio').currentTime - {kept}) < 0.5")
    assert page.inner_text(".ae-pos") == clock(kept)


def test_phone_width_has_no_horizontal_scroll(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.goto(f"{site[1]}/story.html")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    assert pg.get_by_role("button", name="Play", exact=True).is_visible()
    box = {
        name: pg.locator(name).bounding_box()
        for name in (".ae-seek", ".ae-volume", ".ae-volume-value", ".ae-vol-label")
    }
    # the volume's value and label stay on the slider's line, and the seek bar is plainly the wider one
    for part in (".ae-volume-value", ".ae-vol-label"):
        assert (
            abs((box[part]["y"] + box[part]["height"] / 2) - (box[".ae-volume"]["y"] + box[".ae-volume"]["height"] / 2))
            < 8
        )
    assert box[".ae-seek"]["width"] > 3 * box[".ae-volume"]["width"]
    context.close()


def test_the_title_shows_once_and_the_date_reads_as_the_pages_language(page, site):
    m = manifest(site)
    assert page.locator("h1").inner_text() == m["title"] == "Read Along"
    assert page.locator(".ae-text p", has_text="Read Along").count() == 0
    assert page.locator(".ae-meta time").get_attribute("datetime") == m["date"]
    import datetime

    d = datetime.date.fromisoformat(m["date"])
    assert page.locator(".ae-meta time").inner_text() == f"{d.strftime('%B')} {d.day}, {d.year}"


def test_embed_snippet_works_and_leaks_no_globals(browser, site):
    folder, origin, _ = site
    snippet = (folder / "story.embed.html").read_text()
    assert snippet.count("<div") == 1 and snippet.count("<script") == 1
    (folder / "host-empty.html").write_text("<!DOCTYPE html><html><head></head><body><p>CMS page</p></body></html>")
    (folder / "host.html").write_text(f"<!DOCTYPE html><html><head></head><body><p>CMS page</p>{snippet}</body></html>")
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(f"{origin}/host-empty.html")
    baseline = set(pg.evaluate("Object.keys(window)"))
    pg.goto(f"{origin}/host.html")
    pg.wait_for_function("() => document.querySelector('audio') && document.querySelector('audio').readyState >= 1")
    assert set(pg.evaluate("Object.keys(window)")) == baseline
    pg.get_by_role("button", name="Play", exact=True).click()
    pg.wait_for_function("() => document.querySelector('audio').currentTime > 0.3")
    assert pg.locator(".ae-text p").count() == len(manifest(site)["paragraphs"]) - 1  # the title is the h1
    context.close()


def test_text_contrast_meets_wcag_aa(page):
    """Computed colours of the text a listener reads, against what is behind it: at least 4.5:1."""
    pairs = page.evaluate(
        """() => {
          const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
                               if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
          document.querySelector('.ae-text p').classList.add('ae-current');
          document.querySelector('.ae-text span').classList.add('ae-current');
          return Array.from(document.querySelectorAll(
            '.ae-player h1, .ae-meta, .ae-label, .ae-time, .ae-play, .ae-bar button, .ae-chapters button, .ae-text p, .ae-text span'
          )).map(el => [el.className || el.tagName, getComputedStyle(el).color, bg(el)]);
        }"""
    )

    def luminance(rgb):
        values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert len(pairs) > 10
    for name, fg, bg in pairs:
        a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
        assert (a + 0.05) / (b + 0.05) >= 4.5, (name, fg, bg)


def test_the_library_writes_the_player_as_the_player_command_does(tmp_path):
    """The player is a stage of the library's build (``BuildSettings(player=True)``), not only the CLI's."""
    from audio_edition import BuildSettings, build
    from audio_edition.settings import EngineOptions

    (tmp_path / "story.txt").write_text(STORY)
    out = tmp_path / "lib" / "story.mp3"
    settings = BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c", player=True)
    result = build([str(tmp_path / "story.txt")], out, settings)
    assert result.sidecars["player"] == out.with_suffix(".html")
    page, embed = out.with_suffix(".html").read_bytes(), (out.parent / "story.embed.html").read_bytes()
    assert b"story.mp3" in page and b"Read Along" in page
    again = invoke("player", str(out), "--out-dir", str(tmp_path / "cmd"))
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "cmd" / "story.html").read_bytes() == page
    assert (tmp_path / "cmd" / "story.embed.html").read_bytes() == embed
    without = build(
        [str(tmp_path / "story.txt")],
        tmp_path / "bare" / "story.mp3",
        BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c"),
    )
    assert "player" not in without.sidecars and not (tmp_path / "bare" / "story.html").exists()


# --- word by word, with the real voice's timings --------------------------------------------

WORDS_STORY = "\n\n".join(
    ["Word by Word"]
    + [
        f"Paragraph {n} of the story is read by the real voice. A listener follows each word as it is spoken, "
        f"and a click on a word plays the story from there."
        for n in ("one", "two", "three", "four", "five", "six")
    ]
)
#: Records every scrollIntoView the page makes, before the player's script runs.
RECORD_SCROLLS = """
window.scrolls = [];
const own = Element.prototype.scrollIntoView;
Element.prototype.scrollIntoView = function (options) { window.scrolls.push(options); return own.call(this, options); };
"""


@pytest.fixture(scope="module")
def words_site(site, piper_cache):
    folder = site[0]
    (folder / "words.txt").write_text(WORDS_STORY)
    build("build", str(folder / "words.txt"), "-o", str(folder / "words.mp3"), "--player",
          "--cache-dir", str(piper_cache))  # fmt: skip
    return site


def words_page(browser, site, **context_options):
    context = browser.new_context(viewport={"width": 800, "height": 360}, **context_options)
    pg = context.new_page()
    pg.add_init_script(RECORD_SCROLLS)
    pg.goto(f"{site[1]}/words.html")
    pg.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    return pg


def all_words(site):
    """Every word of the edition, the headline's (the page's h1) first."""
    return [w for p in manifest(site, "words")["paragraphs"] for s in p["sentences"] for w in s["words"]]


def test_the_highlighted_word_is_the_manifests_word(browser, words_site):
    page = words_page(browser, words_site)
    words = all_words(words_site)
    assert manifest(words_site, "words")["paragraphs"][1]["sentences"][0]["timing"] == "engine"
    for word in words[1 : len(words) : len(words) // 7]:
        middle = (word["start_ms"] + word["end_ms"]) / 2000
        page.evaluate(f"document.querySelector('audio').currentTime = {middle}")
        page.wait_for_function("() => !document.querySelector('audio').seeking")
        page.wait_for_function(f"() => (document.querySelector('.ae-now') || {{}}).textContent === {word['text']!r}")
        assert page.locator(".ae-now").count() == 1
        assert page.evaluate(
            "document.querySelector('.ae-now').closest('span:not(.ae-w)').classList.contains('ae-current')"
        )
    page.context.close()


def test_a_click_or_enter_on_a_word_seeks_to_its_start(browser, words_site):
    page = words_page(browser, words_site)
    words = all_words(words_site)
    for index in (5, len(words) // 2, len(words) - 3):
        page.locator(".ae-w").nth(index).click()
        assert media(page, "currentTime") == pytest.approx(words[index]["start_ms"] / 1000, abs=0.002)
        assert page.inner_text(".ae-now") == words[index]["text"]
    page.locator(".ae-w").nth(9).focus()
    page.keyboard.press("Enter")
    assert media(page, "currentTime") == pytest.approx(words[9]["start_ms"] / 1000, abs=0.002)
    page.context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_it_follows_the_words_until_the_reader_scrolls(browser, words_site, motion):
    page = words_page(browser, words_site, reduced_motion=motion)
    words = all_words(words_site)
    page.get_by_role("button", name="Play", exact=True).click()
    far = words[-12]
    page.evaluate(f"document.querySelector('audio').currentTime = {far['start_ms'] / 1000 + 0.01}")
    page.wait_for_function("() => window.scrolls.length > 0")
    assert page.evaluate("window.scrolls[0].behavior") == ("auto" if motion == "reduce" else "smooth")
    page.wait_for_function(
        "() => { const r = document.querySelector('.ae-now').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    page.wait_for_timeout(1200)  # the player's own scroll is over
    made = page.evaluate("window.scrolls.length")
    page.mouse.wheel(0, -2000)  # the reader scrolls back up to read
    page.wait_for_timeout(300)
    page.evaluate(f"document.querySelector('audio').currentTime = {words[3]['start_ms'] / 1000 + 0.01}")
    page.wait_for_timeout(300)
    page.evaluate(f"document.querySelector('audio').currentTime = {far['start_ms'] / 1000 + 0.01}")
    page.wait_for_timeout(500)
    assert page.evaluate("window.scrolls.length") == made  # left where the reader put it
    page.context.close()


def test_words_are_not_tab_stops_or_announcements(browser, words_site):
    page = words_page(browser, words_site)
    assert page.locator(".ae-w").count() == len(all_words(words_site))
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.ae-w')).every(w => w.tabIndex === -1 && !w.getAttribute('role')"
        " && !w.getAttribute('aria-label'))"
    )
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => document.querySelector('.ae-now')")
    assert page.locator(".ae-player [aria-live], .ae-player [role=status], .ae-player [role=alert]").count() == 0
    page.context.close()
