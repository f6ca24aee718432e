"""Piper with the bundled voice: loaded once, deterministic, and honest about bad voices."""

import contextlib
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from audio_edition.errors import UsageError
from audio_edition.settings import EngineOptions
from audio_edition.voice.engines import create

TEXT = "Kenya and the United States signed a defense agreement this week."
LONG = "After three days of talks in a harbor town, the two delegations agreed on a plan that neither had wanted."


def test_same_text_same_samples_whatever_the_history():
    a = create(EngineOptions())
    first = a.synthesize(TEXT)
    a.synthesize("Something else entirely, to move any random state along.")
    assert a.synthesize(TEXT) == first
    assert create(EngineOptions()).synthesize(TEXT) == first  # a fresh load of the voice


def test_the_prepared_voice_says_exactly_what_the_patched_one_says(monkeypatch):
    from audio_edition.voice.engines import piper

    prepared = create(EngineOptions())
    paths = piper.prepare_voice(prepared.model, prepared.local_cache)
    assert paths is not None and all(piper.weights_of(path).stat().st_size > 1_000_000 for path in paths)
    monkeypatch.setattr(piper, "prepare_voice", lambda model, cache_dir: None)  # patched in memory, optimized on load
    assert create(EngineOptions()).synthesize(LONG) == prepared.synthesize(LONG)


def test_a_damaged_prepared_voice_is_made_again():
    from audio_edition.voice.engines import piper

    engine = create(EngineOptions())
    front = piper.prepare_voice(engine.model, engine.local_cache)[0]
    first = engine.synthesize(TEXT)
    weights = piper.weights_of(front)
    weights.write_bytes(weights.read_bytes()[: 1 << 20])  # truncated
    older = front.with_name(front.name.replace(piper.DECODER, "halves-1-2-3"))  # an older version's
    older.write_bytes(b"old")
    assert create(EngineOptions()).synthesize(TEXT) == first  # patched in memory this time
    assert (
        piper.weights_of(piper.prepare_voice(engine.model, engine.local_cache)[0]).stat().st_size > 1 << 20
    )  # and prepared again
    assert not older.exists()  # and the older version's removed


def test_the_prepared_voice_is_counted_whole():
    from audio_edition.voice.engines import piper

    engine = create(EngineOptions())
    paths = piper.prepare_voice(engine.model, engine.local_cache)
    on_disk = sum(path.stat().st_size + piper.weights_of(path).stat().st_size for path in paths)
    name = paths[0].name.removesuffix("-front.onnx")
    assert piper.prepared_voices(engine.local_cache)[name] == on_disk


def test_speech_not_noise():
    clip = create(EngineOptions()).synthesize(TEXT)
    x = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64)
    assert clip.sample_rate == 22050
    assert 2.5 < clip.duration_ms / 1000 < 5.0  # ~15 characters a second
    frames = np.sqrt(np.mean(x[: len(x) // 441 * 441].reshape(-1, 441) ** 2, axis=1))
    quiet = np.mean(frames < 0.02 * frames.max())
    assert 0.02 < quiet < 0.6  # speech has pauses between words; noise would have none


def test_the_noise_graph_is_standard_normal():
    """Run the replacement noise subgraph alone on a large tensor and look at its statistics."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    from audio_edition.voice.engines.piper_noise import TABLE, _noise_nodes, noise_table

    graph = helper.make_graph(
        _noise_nodes(1, "like", "noise"),
        "noise",
        [helper.make_tensor_value_info("like", TensorProto.FLOAT, [1, 192, None])],
        [helper.make_tensor_value_info("noise", TensorProto.FLOAT, [1, 192, None])],
        initializer=[numpy_helper.from_array(noise_table(), TABLE)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    onnx.checker.check_model(model)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    z = session.run(None, {"like": np.zeros((1, 192, 6000), dtype=np.float32)})[0]  # past the table's end
    assert z.shape == (1, 192, 6000)
    flat = z.ravel()
    assert abs(flat.mean()) < 0.02 and abs(flat.std() - 1) < 0.03
    assert abs(np.corrcoef(flat[:-1], flat[1:])[0, 1]) < 0.02
    assert abs(np.mean(np.abs(flat) > 1.96) - 0.05) < 0.01  # Gaussian tails


def test_pool_workers_and_the_build_process_voice_the_same_samples():
    """A lone sentence is decoded in two halves on two threads, a worker's one after the other:
    the same samples. onnxruntime's own threads would not do: with another count the short
    sentence comes out a bit different (a Conv splits its sums by thread count), which is why
    every voice runs with the same (EngineOptions.threads)."""
    from audio_edition.voice import clips

    alone = create(EngineOptions())
    alone.use_cores(2)
    clips._init_worker("piper", EngineOptions())  # what each pool worker does
    for text in (LONG, "The ferry is late tonight."):
        assert clips._worker_synthesize(text) == alone.synthesize(text)
    assert create(EngineOptions(threads=2)).synthesize("The ferry is late tonight.") != alone.synthesize(
        "The ferry is late tonight."
    )  # the reason, still true


def test_the_halves_join_to_exactly_one_decode():
    """Voiced in two overlapping halves, a long sentence has the very samples that one pass of
    the whole voice gives: the overlaps cover what the flow and the decoder see around a frame."""
    import json
    from pathlib import Path

    import onnxruntime
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    from audio_edition.voice.engines import piper
    from audio_edition.voice.engines.piper_noise import deterministic_model

    engine = create(EngineOptions())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    whole = PiperVoice(
        session=onnxruntime.InferenceSession(deterministic_model(engine.model), sess_options=options),
        config=PiperConfig.from_dict(json.loads(Path(f"{engine.model}.json").read_text("utf-8"))),
    )
    chunks = list(whole.synthesize(LONG, syn_config=SynthesisConfig(length_scale=1.0)))
    assert len(chunks) == 1 and len(chunks[0].audio_int16_bytes) // 2 // 256 >= piper.HALVES_FROM_FRAMES
    assert engine.synthesize(LONG).pcm == chunks[0].audio_int16_bytes


@pytest.mark.parametrize("speed", [0.1, 5.0])
def test_speed_range(speed):
    with pytest.raises(UsageError, match="--speed"):
        create(EngineOptions(speed=speed))


def test_voice_without_its_config(tmp_path):
    voice = tmp_path / "v.onnx"
    voice.write_bytes(b"not really")
    with pytest.raises(UsageError, match="config v.onnx.json is missing"):
        create(EngineOptions(voice=voice))


FORKED_POOL = """
import sys
from audio_edition.voice import clips
from audio_edition.text.chunks import Chunk
from audio_edition.voice.engines import create
from audio_edition.settings import EngineOptions

clips._init_worker("piper", EngineOptions())  # this process now holds a voice and its threads
clips._worker_synthesize("Hello there.")
chunks = [Chunk(f"c{i}", "p1", f"s{i}", "ch1", f"Sentence number {i} is here.") for i in range(3)]
results, stats = clips.synthesize_all(
    chunks, create(EngineOptions()), clips.ClipCache(sys.argv[1]), jobs=2, options=EngineOptions()
)
print(stats.synthesized)
"""


def test_a_pool_forked_from_a_process_holding_a_voice_does_not_hang(tmp_path):
    """A forked worker inherits the parent's voice but not its onnxruntime threads; releasing it
    there would wait for them for ever (a library user building twice in one process)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", FORKED_POOL, str(tmp_path / "cache")],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the pool's workers too, if they hung
    assert out.strip() == "3"


def test_a_voice_that_cannot_be_cut_is_voiced_whole(monkeypatch):
    """A Piper voice not cut like the bundled one (say, a multi-speaker one) still speaks, whole;
    for the bundled voice that is the very same samples."""
    from audio_edition.voice.engines import piper

    cut = create(EngineOptions()).synthesize(LONG)
    monkeypatch.setattr(piper, "prepare_voice", lambda model, cache_dir: None)
    monkeypatch.setattr(piper, "split_voice", lambda model: None)
    whole = create(EngineOptions())
    whole.use_cores(2)
    assert whole.synthesize(LONG) == cut
    assert not isinstance(whole.voice.session, piper._Stages)


def test_asking_the_voice_for_its_durations_changes_no_sample(monkeypatch):
    """The durations are an output the graph computes anyway: without it, the same samples and
    no word times (then estimated by the build)."""
    from audio_edition.voice.engines import piper

    timed = create(EngineOptions()).synthesize(LONG)
    monkeypatch.setattr(piper, "prepare_voice", lambda model, cache_dir: None)
    monkeypatch.setattr(piper, "durations_of", lambda graph: None)
    plain = create(EngineOptions()).synthesize(LONG)
    assert plain.pcm == timed.pcm
    assert plain.words is None and timed.words is not None


def test_each_word_is_timed_where_it_is_heard():
    """Every spoken word gets a time, in order; each word holds a vowel's loudness, and the pause
    after a full stop lies between two words, not inside one."""
    from audio_edition.voice import timing

    text = "The harbor deal was signed on Tuesday. Dock workers welcomed it, and the mayor spoke."
    clip = create(EngineOptions()).synthesize(text)
    words = timing.spoken_words(text)
    assert clip.words is not None and len(clip.words) == len(words)
    x = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64)

    def rms(a_ms, b_ms):
        part = x[int(a_ms * 22.05) : max(int(b_ms * 22.05), int(a_ms * 22.05) + 1)]
        return float(np.sqrt(np.mean(part**2)))

    loud = rms(0, clip.duration_ms)
    starts = [a for a, _ in clip.words]
    assert starts == sorted(starts) and all(a < b <= clip.duration_ms + 1 for a, b in clip.words)
    for (a, b), word in zip(clip.words, words):
        assert max(rms(t, t + 20) for t in range(a, b - 19, 10)) > 0.5 * loud, word
    full_stop = words.index("Tuesday.")
    gap = (clip.words[full_stop][1], clip.words[full_stop + 1][0])
    assert gap[1] - gap[0] >= 100  # the sentence's pause is not a word's
    assert rms(*gap) < 0.2 * loud
