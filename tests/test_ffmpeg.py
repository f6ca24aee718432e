"""Finding ffmpeg and knowing what it can do."""

import pytest

from audio_edition import ffmpeg


@pytest.mark.parametrize(
    ("version", "loopback"),
    [
        ("ffmpeg version n9.0.2-17-g2a571b6068-20260930 Copyright (c) 2000-2026", True),
        ("ffmpeg version 7.1 Copyright (c) 2000-2024 the FFmpeg developers", True),
        ("ffmpeg version 7.0.2 Copyright (c) 2000-2024", False),
        ("ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023", False),
        ("ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024", False),
        ("ffmpeg version N-113684-gd1b3ba2 Copyright (c) 2000-2024", True),
        ("something else entirely", False),
    ],
)
def test_which_versions_have_loopback_decoders(version, loopback):
    assert ffmpeg.version_has_loopback_decoders(version) is loopback


def test_the_ffmpeg_in_use_is_asked():
    """The wheel's ffmpeg (or the system's) answers for itself: its -version agrees with a run."""
    import subprocess

    ffmpeg.has_loopback_decoders.cache_clear()
    probe = [ffmpeg.ffmpeg_exe(), "-hide_banner", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono",
             "-t", "0.1", "-c:a", "libmp3lame", "-f", "null", "-", "-dec", "0:0",
             "-filter_complex", "[dec:0]anull[m]", "-map", "[m]", "-f", "null", "-"]  # fmt: skip
    works = subprocess.run(probe, capture_output=True, check=False).returncode == 0
    assert ffmpeg.has_loopback_decoders() is works


def test_the_wheels_ffmpeg_is_used_unless_another_is_named(monkeypatch, tmp_path):
    """A system ffmpeg on $PATH encodes other bytes: it is used only when AUDIO_EDITION_FFMPEG names it."""
    import imageio_ffmpeg

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'ffmpeg version 0.0-system'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{__import__('os').environ['PATH']}")
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    ffmpeg.ffmpeg_exe.cache_clear()
    ffmpeg.version.cache_clear()
    try:
        assert ffmpeg.ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe() != str(fake)
        assert ffmpeg.version().startswith("ffmpeg version") and "0.0-system" not in ffmpeg.version()
        monkeypatch.setenv("AUDIO_EDITION_FFMPEG", str(fake))
        ffmpeg.ffmpeg_exe.cache_clear()
        ffmpeg.version.cache_clear()
        assert ffmpeg.ffmpeg_exe() == str(fake) and ffmpeg.version() == "ffmpeg version 0.0-system"
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()
        ffmpeg.version.cache_clear()
