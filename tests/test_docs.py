"""The README's CLI reference is generated from --help (cog); this fails when the two drift apart."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_cli_reference_matches_help():
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "--diff", str(ROOT / "README.md")])
    assert status == 0, "README.md is out of date with --help: run `cog -r README.md`"


def test_every_command_is_documented():
    from audio_edition.cli import cli

    readme = (ROOT / "README.md").read_text()

    def walk(command, path):
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path in walk(cli, ["audio-edition"]):
        assert f"### `{' '.join(path)}`" in readme
