"""The docs: the CLI reference and the step tables are generated (cog) and fail when they drift
from the code; every relative link resolves; the README stays a front page."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])
#: The front page a newcomer reads first (issue #31): the rest lives in docs/.
README_LINES = 300


@pytest.mark.parametrize("path", [p for p in DOCS if "[[[cog" in p.read_text()], ids=lambda p: p.name)
def test_generated_parts_match_the_code(path):
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "--diff", str(path)])
    assert status == 0, f"{path.name} is out of date: run `cog -r {path.relative_to(ROOT)}`"


def test_every_command_is_documented():
    from audio_edition.cli import cli

    reference = (ROOT / "docs" / "cli.md").read_text()

    def walk(command, path):
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path in walk(cli, ["audio-edition"]):
        assert f"### `{' '.join(path)}`" in reference


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    heads = re.findall(r"^#{1,6} (.+)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(path):
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL: not this repository's to check
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{path.name}: {target} names no file"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{path.name}: {target} names no heading of {dest.name}"


def test_the_readme_is_a_front_page():
    assert len((ROOT / "README.md").read_text().splitlines()) <= README_LINES
