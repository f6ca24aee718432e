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
