import numpy as np

from audio_edition.settings import Pauses
from audio_edition.sound import audio
from audio_edition.text.chunks import Chunk
from audio_edition.voice.clips import ClipResult
from audio_edition.voice.engines import Clip

from fakes import RATE, tone


def result(cid, paragraph, sentence, chapter, text, rate=RATE):
    return ClipResult(Chunk(cid, paragraph, sentence, chapter, text), Clip(tone(text, rate), rate), "fake", False)


def test_pauses_and_spans_follow_the_policy():
    pauses = Pauses(clause_ms=100, sentence_ms=300, paragraph_ms=700, chapter_ms=1500, lead_ms=200, tail_ms=50)
    rs = [
        result("a", "p1", "s1", "ch1", "Alpha alpha."),
        result("b", "p1", "s1", "ch1", "bravo clause."),
        result("c", "p1", "s2", "ch1", "Charlie."),
        result("d", "p2", "s3", "ch1", "Delta delta."),
        result("e", "p3", "s4", "ch2", "Echo."),
    ]
    out = audio.assemble(rs, pauses)
    spans = out.spans
    assert spans["a"].start_ms == 200
    gaps = [spans[y].start_ms - spans[x].end_ms for x, y in zip("abcd", "bcde")]
    assert gaps == [100, 300, 700, 1500]
    # trimmed: each span is the tone without the fake engine's 40 ms of padding, give or take the kept margin
    for r in rs:
        body_ms = len(r.chunk.speech) * 12
        assert abs((spans[r.chunk.id].end_ms - spans[r.chunk.id].start_ms) - body_ms) <= 2 * audio.TRIM_KEEP_MS + 2
    assert out.duration_ms == spans["e"].end_ms + 50


def test_spans_point_at_sound_and_pauses_are_silent():
    rs = [result("a", "p1", "s1", "ch1", "One sentence."), result("b", "p2", "s2", "ch1", "Another one.")]
    out = audio.assemble(rs, Pauses())
    samples = np.frombuffer(out.pcm, dtype="<i2").astype(np.int32)

    def window(ms_from, ms_to):
        return samples[int(ms_from * RATE / 1000) : int(ms_to * RATE / 1000)]

    a, b = out.spans["a"], out.spans["b"]
    assert np.abs(window(a.start_ms + 20, a.end_ms - 20)).max() > 5000
    assert np.abs(window(a.end_ms + 5, b.start_ms - 5)).max() == 0


def test_mixed_rates_are_resampled_to_the_majority():
    rs = [
        result("a", "p1", "s1", "ch1", "Piper rate.", rate=22050),
        result("b", "p1", "s2", "ch1", "gTTS rate.", rate=24000),
        result("c", "p1", "s3", "ch1", "Piper again.", rate=22050),
    ]
    out = audio.assemble(rs, Pauses())
    assert out.sample_rate == 22050
    b = out.spans["b"]
    assert abs((b.end_ms - b.start_ms) - len("gTTS rate.") * 12) <= 2 * audio.TRIM_KEEP_MS + 2


def test_list_items_get_a_short_pause():
    from audio_edition.text.chunks import Chunk

    pauses = Pauses(paragraph_ms=800, item_ms=450)
    item = lambda i: Chunk(f"p{i}.s1.c1", f"p{i}", f"p{i}.s1", "ch1", "x", "item")  # noqa: E731
    para = Chunk("p9.s1.c1", "p9", "p9.s1", "ch1", "x", "paragraph")
    assert audio.pause_between(item(1), item(2), pauses) == 450
    assert audio.pause_between(item(2), para, pauses) == 800


def test_cuts_fall_on_the_grid_in_paragraph_pauses_and_anchor_the_stretches():
    """An edit that changes paragraph 1's length leaves every later stretch byte for byte as it
    was: each stretch starts on the grid with the same silence before its first word."""

    def edition(first):
        rs = [
            result("a", "p1", "s1", "ch1", first),
            result("b", "p2", "s2", "ch1", "Second paragraph here."),
            result("c", "p2", "s3", "ch1", "Same paragraph."),
            result("d", "p3", "s4", "ch2", "A new chapter."),
        ]
        return audio.assemble(rs, Pauses(), grid=lambda rate: 576)

    before, after = edition("First paragraph."), edition("First paragraph, now a little longer.")
    assert len(before.cuts) == 2  # p1|p2 and p2|p3: not between the sentences of p2
    for out in (before, after):
        samples = np.frombuffer(out.pcm, dtype="<i2")
        for cut in out.cuts:
            assert cut % 576 == 0
            lead = int(RATE * audio.CUT_LEAD_MS / 1000)
            assert not samples[cut - 2 * 576 : cut + lead].any()  # silence on both sides
    assert after.cuts[0] > before.cuts[0]
    moved = after.cuts[0] - before.cuts[0]
    assert after.pcm[2 * after.cuts[0] :] == before.pcm[2 * before.cuts[0] :]
    for k in "bcd":  # the manifest's times move with the audio
        assert abs(after.spans[k].start_ms - before.spans[k].start_ms - moved * 1000 / RATE) <= 1


def test_resampling_filters_what_the_new_rate_cannot_hold():
    """A tone above the new Nyquist frequency is removed, not folded back as an alias (pydub's
    audioop.ratecv only interpolates); a tone below it keeps its level and its length."""
    import numpy as np

    from audio_edition.sound.audio import resample
    from audio_edition.voice.engines import Clip

    def tone(freq: float, rate: int = 24000) -> Clip:
        t = np.arange(rate) / rate
        return Clip((0.5 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes(), rate)

    def rms(clip: Clip) -> float:
        x = np.frombuffer(clip.pcm, dtype="<i2").astype(float)[2000:-2000]
        return float(np.sqrt(np.mean(x**2)))

    high, low = tone(11600), tone(1000)
    assert rms(resample(high, 22050)) < 0.05 * rms(high)
    kept = resample(low, 22050)
    assert abs(rms(kept) - rms(low)) < 0.02 * rms(low)
    assert abs(len(kept.pcm) // 2 - 22050) <= 64
