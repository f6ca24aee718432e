"""gTTS: Google Translate's TTS, through the gTTS library, made to survive rate limits.

gTTS has no retry logic; its maintainers' advice is "throttle and cache" (pndurette/gTTS #259,
#297). This engine throttles (a token bucket shared by its threads), retries with exponential
backoff and jitter on 429, 5xx, timeouts and empty answers, and lets the clip cache do the rest.
The standard ``HTTPS_PROXY`` variable is honoured; certificates are verified (``REQUESTS_CA_BUNDLE``).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import threading
import time
from typing import Any

from ... import ffmpeg
from ...errors import EncodingError, EngineError, UsageError
from ...settings import EngineOptions
from .base import Clip, Engine

log = logging.getLogger(__name__)

#: gTTS answers 24 kHz mono MP3.
GTTS_RATE = 24000
#: Accents gTTS documents (the Google Translate domains it knows to work).
KNOWN_TLDS = ("com", "co.uk", "com.au", "co.in", "ca", "co.za", "ie", "com.ng", "us", "fr", "com.br", "pt", "es",
              "com.mx", "cn")  # fmt: skip


class TokenBucket:
    """At most ``rate`` acquisitions per second, with bursts of one."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_free = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = time.monotonic()
            wait = self.next_free - now
            self.next_free = max(now, self.next_free) + self.interval
        if wait > 0:
            time.sleep(wait)


def classify(exc: Exception) -> tuple[bool, str]:
    """(retryable, probable cause) of a gTTS failure."""
    text = str(exc)
    if isinstance(exc, _BadAudio):
        return True, text
    status = getattr(getattr(exc, "rsp", None), "status_code", None)
    # gTTS's own words for it ("429 (Too Many Requests) from TTS API"), not any 429 in the text:
    # a proxy on port 34291 is no rate limit.
    if status == 429 or re.search(r"\b429\W+too many requests", text, re.IGNORECASE):
        return True, "rate limited by Google (429 Too Many Requests); lower --requests-per-second or retry later"
    if status is not None and status >= 500:
        return True, f"Google's TTS server failed ({status}); try again later"
    if status == 200:
        return True, "Google answered without audio; the language may be unsupported"
    if "certificate check failed" in text:
        return False, text
    if status in (403, 404):
        return False, f"Google refused the request ({status}); check --tld and --lang"
    if "timed out" in text.lower() or "timeout" in text.lower():
        return True, "the request timed out; the network is slow or unreachable"
    return True, "network unreachable (no connection to Google's TTS server; check the network or HTTPS_PROXY)"


class _BadAudio(Exception):
    """An answer whose audio is unusable (undecodable, empty, cut short): retried, never cached."""


def _send(tts, request, timeout: float) -> bytes:
    """Send one of gTTS's prepared requests with TLS verification on; its audio, as gTTS reads it."""
    import base64

    import requests
    from gtts.tts import gTTSError

    with requests.Session() as session:
        settings = session.merge_environment_settings(request.url, {}, None, True, None)
        try:
            response = session.send(request, timeout=timeout, **settings)
            response.raise_for_status()
        except requests.exceptions.HTTPError:
            raise gTTSError(tts=tts, response=response) from None
        except requests.exceptions.SSLError as exc:
            raise gTTSError(
                f"TLS certificate check failed ({exc}); a proxy that intercepts HTTPS needs its CA "
                "in REQUESTS_CA_BUNDLE"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise gTTSError(f"{type(exc).__name__}: {exc}") from None
    audio = b""
    for line in response.iter_lines(chunk_size=1024):
        decoded = line.decode("utf-8")
        if "jQ1olc" in decoded:
            found = re.search(r'jQ1olc","\[\\"(.*)\\"]', decoded)
            if not found:
                raise gTTSError(tts=tts, response=response)  # a 200 answer with no audio in it
            audio += base64.b64decode(found.group(1).encode("ascii"))
    return audio


class GttsEngine(Engine):
    """One request per chunk (<= 100 characters, gTTS's request size), cached like any clip."""

    name = "gtts"
    max_chars = 100
    network = True
    chars_per_second = 14.0
    parallel = "thread"

    def __init__(self, options: EngineOptions) -> None:
        from gtts.lang import tts_langs

        gtts = options.gtts
        if options.voice:  # gTTS's voices are its accents: a voice is a Google domain, like --tld
            gtts = dataclasses.replace(gtts, tld=str(options.voice))

        langs = tts_langs()
        if gtts.lang not in langs:
            close = ", ".join(sorted(code for code in langs if code.split("-")[0] == gtts.lang.split("-")[0]))
            hint = f" (did you mean {close}?)" if close else " (see `audio-edition engines`)"
            raise UsageError(f"--lang {gtts.lang!r}: not a language gTTS supports{hint}")
        if gtts.tld not in KNOWN_TLDS and not re.fullmatch(r"[a-z]{2,3}(\.[a-z]{2,3})?", gtts.tld):
            raise UsageError(f"--tld {gtts.tld!r}: not a Google domain; use com, co.uk, com.au, co.in, ...")
        if not 0.5 <= options.speed <= 2.0:
            raise UsageError(f"--speed {options.speed}: gTTS takes 0.5 to 2.0 (ffmpeg's atempo)")
        self.options, self.speed = gtts, options.speed
        self.concurrency = max(1, gtts.concurrency)
        self.bucket = TokenBucket(gtts.requests_per_second)

    @classmethod
    def voices(cls, options: EngineOptions | None = None) -> list[dict[str, Any]]:
        from gtts.lang import tts_langs

        langs = tts_langs()
        listed = ", ".join(sorted(langs))
        return [{"name": "--lang CODE", "detail": f"{len(langs)} languages: {listed}"}]

    def identity(self) -> dict[str, Any]:
        return {
            "engine": "gtts",
            "lang": self.options.lang,
            "tld": self.options.tld,
            "slow": self.options.slow,
            "speed": self.speed,
        }

    def _request(self, text: str) -> bytes:
        from gtts import gTTS

        tts = gTTS(
            text,
            lang=self.options.lang,
            tld=self.options.tld,
            slow=self.options.slow,
            lang_check=False,
            timeout=self.options.timeout_s,
        )
        # gTTS splits internally at 100 characters; our chunks are already that small, so this
        # is one request. gTTS's own stream() sends it with verify=False and silences urllib3's
        # warnings for the whole process: its prepared requests go through a verifying session
        # instead (REQUESTS_CA_BUNDLE and the system proxies apply, as for any requests call).
        return b"".join(_send(tts, request, self.options.timeout_s) for request in tts._prepare_requests())

    def synthesize(self, text: str) -> Clip:
        from gtts.tts import gTTSError

        attempts = self.options.max_attempts
        cause = "unknown"
        for attempt in range(1, attempts + 1):
            self.bucket.acquire()
            try:
                mp3 = self._request(text)
                if not mp3:
                    raise gTTSError("200 with no audio stream in response")
                clip = self._decode(mp3)
                # an answer cut short decodes, but to a fraction of what the text takes to say
                if len(clip.pcm) / 2 / clip.sample_rate < 0.25 * len(text) / self.chars_per_second:
                    raise _BadAudio("Google's audio was cut short (a truncated answer); it is not cached")
                return clip
            except (gTTSError, OSError, _BadAudio) as exc:
                retryable, cause = classify(exc)
                if not retryable or attempt == attempts:
                    break
                # Exponential backoff with full jitter (AWS architecture blog's recipe).
                delay = random.uniform(0, min(30.0, 0.5 * 2 ** (attempt - 1)))
                log.info("gtts: %s; retry %d/%d in %.1f s", cause, attempt, attempts - 1, delay)
                time.sleep(delay)
        raise EngineError(f"gTTS failed after {attempt} attempt(s): {cause}")

    def _decode(self, mp3: bytes) -> Clip:
        """Decode once, with the ffmpeg we have (the wheel ships no ffprobe for pydub to use)."""
        args = ["-f", "mp3", "-i", "pipe:0"]
        if self.speed != 1.0:
            args += ["-af", f"atempo={self.speed}"]  # pitch-preserving
        args += ["-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(GTTS_RATE), "pipe:1"]
        try:
            pcm = ffmpeg.run(args, input=mp3, what="decoding gTTS audio").stdout
        except EncodingError as exc:
            raise _BadAudio(f"Google's audio does not decode ({exc})") from None
        if not pcm:
            raise _BadAudio("Google's audio decodes to nothing")
        return Clip(pcm, GTTS_RATE)
