"""gTTS through the real gTTS library, against a loopback stub of Google's endpoint (tests/gtts_stub.py)."""

import json
import time

import pytest
from gtts_stub import GttsStub, free_port, serve

from audio_edition.settings import EngineOptions
from audio_edition.voice.engines import create

from conftest import invoke

STORY = """Harbor Deal

Officials in the port city of Valmora signed a twelve-year agreement on Tuesday to modernize the container terminal.

The deal follows months of talks between the mayor and the consortium. It commits both sides to doubling capacity.

Unions welcomed the promise of new jobs but warned that automation could replace many of the positions it creates.
"""


@pytest.fixture
def stub(monkeypatch):
    stub = GttsStub()
    server, url = serve(stub)
    monkeypatch.setenv("HTTPS_PROXY", url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_bundle)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield stub
    server.shutdown()
    server.server_close()


@pytest.fixture
def story(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(STORY)
    return path


def build(story, out, cache, *extra):
    return invoke("build", str(story), "-o", str(out), "--engine", "gtts", "--cache-dir", str(cache),
                  "--requests-per-second", "50", "--concurrency", "2", *extra)  # fmt: skip


def manifest(out):
    return json.loads(out.with_suffix(".json").read_text())


def test_build_survives_a_burst_of_429s(stub, story, tmp_path):
    from mutagen.mp3 import MP3

    stub.plan = lambda n, text: "429" if n < 4 else "ok"
    out = tmp_path / "e.mp3"
    result = build(story, out, tmp_path / "c", "--max-attempts", "6")
    assert result.exit_code == 0, result.stderr
    m = manifest(out)
    assert len(stub.texts("429")) == 4
    assert len(stub.texts("ok")) == len(m["chunks"]) >= 6
    assert all(len(t) <= 100 for t in stub.texts("ok"))
    assert {c["engine"] for c in m["chunks"]} == {"gtts"} and m["engine"]["name"] == "gtts"
    info = MP3(str(out)).info
    assert (info.sample_rate, info.channels) == (44100, 1)


def test_permanent_failure_is_one_line_nonzero_and_leaves_nothing(stub, story, tmp_path):
    stub.plan = lambda n, text: "500"
    out_dir = tmp_path / "out"
    result = build(story, out_dir / "e.mp3", tmp_path / "c", "--max-attempts", "2")
    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1
    assert "Google's TTS server failed (500)" in result.stderr
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_rerun_after_recovery_requests_only_the_missing_chunks(stub, story, tmp_path):
    stub.plan = lambda n, text: "500" if "consortium" in text else "ok"
    out, cache = tmp_path / "e.mp3", tmp_path / "c"
    assert build(story, out, cache, "--max-attempts", "1").exit_code == 4
    first = stub.texts("ok")
    assert first, "some chunks were voiced before the failure"

    stub.requests.clear()
    stub.plan = lambda n, text: "ok"
    result = build(story, out, cache)
    assert result.exit_code == 0, result.stderr
    second = stub.texts("ok")
    assert not set(first) & set(second)
    assert len(first) + len(second) == len(manifest(out)["chunks"])
    assert f"({len(second)} synthesized, {len(first)} from cache)" in result.stderr


def test_fallback_to_piper_marks_the_chunks(stub, story, tmp_path):
    stub.plan = lambda n, text: "500" if "Valmora" in text or "automation" in text else "ok"
    out = tmp_path / "e.mp3"
    result = build(story, out, tmp_path / "c", "--max-attempts", "1", "--fallback", "piper")
    assert result.exit_code == 0, result.stderr
    m = manifest(out)
    failed = set(stub.texts("500"))
    fell = [c for c in m["chunks"] if c["fell_back"]]
    assert len(fell) == len(failed) == 2
    assert {c["engine"] for c in fell} == {"piper"}
    assert f"2 of {len(m['chunks'])} chunks fell back to piper" in result.stderr
    assert m["audio"]["sample_rate"] == 44100
    # Piper's words are timed by the voice; Google gives no times, so its sentences' are estimated
    for s in (s for p in m["paragraphs"] for s in p["sentences"]):
        voiced_by_piper = all(c["fell_back"] for c in m["chunks"] if c["sentence"] == s["id"])
        assert s["timing"] == ("engine" if voiced_by_piper else "estimated")


def test_googles_words_are_estimated_marked_so_and_pass_the_check(stub, story, tmp_path):
    out = tmp_path / "e.mp3"
    assert build(story, out, tmp_path / "c").exit_code == 0
    m = manifest(out)
    sentences = [s for p in m["paragraphs"] for s in p["sentences"]]
    assert {s["timing"] for s in sentences} == {"estimated"}
    for s in sentences:
        assert [w["text"] for w in s["words"]] == s["text"].split()
        assert s["start_ms"] <= s["words"][0]["start_ms"] < s["words"][-1]["end_ms"] <= s["end_ms"]
    result = invoke("check", str(out), "--json")
    words = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "word times")
    assert words["ok"] and words["values"]["estimated"] == words["values"]["words"] > 50


def test_request_budget_holds(stub, story, tmp_path):
    started = time.monotonic()
    out = tmp_path / "e.mp3"
    result = invoke("build", str(story), "-o", str(out), "--engine", "gtts", "--cache-dir", str(tmp_path / "c"),
                    "--requests-per-second", "3", "--concurrency", "4")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    n = len(stub.requests)
    assert n >= 6
    assert stub.max_per_second() <= 3 + 1  # one of slack for arrival jitter
    assert time.monotonic() - started >= (n - 1) / 3


def test_hang_and_empty_answers_are_retried(stub, story, tmp_path):
    stub.plan = lambda n, text: {0: "hang", 1: "empty"}.get(n, "ok")
    out = tmp_path / "e.mp3"
    result = build(story, out, tmp_path / "c", "--timeout", "1", "--concurrency", "1")
    assert result.exit_code == 0, result.stderr
    assert [r.outcome for r in stub.requests[:2]] == ["hang", "empty"]
    assert len(stub.texts("ok")) == len(manifest(out)["chunks"])


@pytest.mark.parametrize(
    "args, message",
    [(["--lang", "xx"], "--lang 'xx': not a language gTTS supports"), (["--tld", "not a domain"], "--tld")],
)
def test_bad_options_fail_before_any_request(stub, story, tmp_path, args, message):
    result = build(story, tmp_path / "e.mp3", tmp_path / "c", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert stub.requests == []


def test_unreachable_network_names_the_cause(story, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{free_port()}")
    result = build(story, tmp_path / "e.mp3", tmp_path / "c", "--max-attempts", "2")
    assert result.exit_code == 4
    assert "network unreachable" in result.stderr


def test_a_timeout_is_called_a_timeout(stub, story, tmp_path):
    stub.plan = lambda n, text: "hang"
    result = build(story, tmp_path / "e.mp3", tmp_path / "c", "--timeout", "1", "--max-attempts", "1")
    assert result.exit_code == 4, result.stderr
    assert "timed out" in result.stderr and "unreachable (no connection" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_speed_is_a_pitch_preserving_tempo_change(stub):
    text = "The same words at two speeds."
    normal = create(EngineOptions(name="gtts")).synthesize(text)
    fast = create(EngineOptions(name="gtts", speed=1.5)).synthesize(text)
    assert normal.sample_rate == fast.sample_rate == 24000
    assert fast.duration_ms == pytest.approx(normal.duration_ms / 1.5, rel=0.05)


@pytest.mark.live
def test_live_google(tmp_path, monkeypatch):
    """Opt in with `pytest -m live`: talks to the real Google Translate TTS service."""
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    story = tmp_path / "s.txt"
    story.write_text("Live Check\n\nThis sentence was spoken by Google's text to speech service.\n")
    result = build(story, tmp_path / "live.mp3", tmp_path / "c", "--requests-per-second", "1")
    assert result.exit_code == 0, result.stderr
    assert manifest(tmp_path / "live.mp3")["audio"]["duration_ms"] > 1000


def test_a_build_verifies_googles_certificate(stub, story, tmp_path, monkeypatch):
    """A proxy or a stub with an untrusted certificate is refused, in one line, and not retried;
    gTTS's own verify=False and its process-wide silencing of urllib3's warnings are not used."""
    import warnings

    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    out = invoke(
        "build", str(story), "-o", str(tmp_path / "e.mp3"), "--engine", "gtts", "--cache-dir", str(tmp_path / "c")
    )
    assert out.exit_code == 4 and "certificate" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert stub.requests == []  # the handshake failed: nothing reached the endpoint
    assert not (tmp_path / "e.mp3").exists()
    assert not any(f[0] == "ignore" and "InsecureRequest" in str(f[2]) for f in warnings.filters)


@pytest.mark.parametrize("bad", ["garbage", "truncated"])
def test_unusable_audio_is_retried_falls_back_and_is_never_cached(stub, story, tmp_path, bad):
    """An answer whose audio does not decode, or is cut short, is retried like a 500; when it
    stays bad the chunk falls back; and a later build asks again instead of using a cached copy."""
    seen = {}

    def plan(n, text):  # the Valmora chunk is bad on its first answer only
        if "Valmora" in text and text not in seen:
            seen[text] = n
            return bad
        return "ok"

    stub.plan = plan
    out = tmp_path / "e.mp3"
    result = build(story, out, tmp_path / "c", "--max-attempts", "3")
    assert result.exit_code == 0, result.stderr
    assert len(stub.texts(bad)) == 1 and any("Valmora" in t for t in stub.texts("ok"))

    stub.requests.clear()
    stub.plan = lambda n, text: bad if "Valmora" in text else "ok"
    again = build(story, tmp_path / "f.mp3", tmp_path / "d", "--max-attempts", "2", "--fallback", "piper")
    assert again.exit_code == 0, again.stderr
    assert [c for c in manifest(tmp_path / "f.mp3")["chunks"] if c["fell_back"]]
    stub.requests.clear()
    stub.plan = lambda n, text: "ok"
    third = build(story, tmp_path / "g.mp3", tmp_path / "d", "--max-attempts", "1")
    assert third.exit_code == 0 and any("Valmora" in t for t in stub.texts("ok"))  # not cached while bad


@pytest.mark.parametrize(
    "message, cause",
    [
        ("429 (Too Many Requests) from TTS API. Probable cause: Unknown", "rate limited by Google"),
        ("HTTPSConnectionPool: Max retries exceeded (Caused by ProxyError('Unable to connect to proxy', "
         "NewConnectionError('Failed to establish a new connection to 127.0.0.1:34291')))", "network unreachable"),
    ],
)  # fmt: skip
def test_a_429_in_a_proxy_port_is_no_rate_limit(message, cause):
    from audio_edition.voice.engines.gtts import classify

    assert classify(Exception(message))[1].startswith(cause)
