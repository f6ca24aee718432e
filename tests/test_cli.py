"""The CLI through click's CliRunner, with the fake engine (fast) unless the real voice is the point."""

import json
import os

import pytest

from conftest import SAMPLES, invoke

run = invoke


@pytest.fixture
def story(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "Port Deal\n\nListen to Today's Edition:\n\n0:00 0:00\n100\n\nThe port will grow. Dr. Ames agreed.\n"
    )
    return path


def test_build_writes_mp3_manifest_and_sidecars(tmp_path, story):
    out = tmp_path / "out" / "edition.mp3"
    result = run("build", str(story), "-o", str(out), "--engine", "fake", "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Built" in result.stderr and "3 chunks (3 synthesized, 0 from cache)" in result.stderr
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["edition.chapters.json", "edition.json", "edition.mp3", "edition.transcript.json", "edition.vtt"]
    m = json.loads((out.parent / "edition.json").read_text())
    assert m["title"] == "Port Deal"
    assert [s["text"] for p in m["paragraphs"] for s in p["sentences"]] == [
        "Port Deal",
        "The port will grow.",
        "Dr. Ames agreed.",
    ]


def test_json_output_and_rerun_from_cache(tmp_path, story):
    args = ["build", str(story), "-o", str(tmp_path / "e.mp3"), "--engine", "fake", "--cache-dir", str(tmp_path / "c")]
    run(*args)
    result = run(*args, "--json")
    data = json.loads(result.stdout)
    assert data["chunks"] == {"total": 3, "synthesized": 0, "cached": 3, "fell_back": 0}
    assert data["mp3"].endswith("e.mp3") and data["duration_ms"] > 0
    assert result.stderr == ""


def test_stdin_needs_an_output(tmp_path):
    result = run("build", "-", "--engine", "fake", input="Title\n\nBody text.\n")
    assert result.exit_code == 2
    assert "give the output with -o" in result.stderr


def test_stdin_build(tmp_path):
    out = tmp_path / "s.mp3"
    result = run(
        "build", "-", "-o", str(out), "--engine", "fake", "--cache-dir", str(tmp_path / "c"), input="Title\n\nBody.\n"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.with_suffix(".json").read_text())["title"] == "Title"


@pytest.mark.parametrize(
    "content, code, message",
    [
        (b"", 3, "is empty"),
        (b"\x00\x01\x02binary\x00", 3, "binary"),
        (b"A sentence to read.\n" * 600 + b"\x00 and a NUL past the first 8 KB.", 3, "NUL"),
        (b"Copy link\n\nAdvertisement\n", 3, "nothing left to read"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path, content, code, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "o.mp3"
    result = run("build", str(bad), "-o", str(out), "--engine", "fake", "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == code
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith("audio-edition: error:")
    assert not out.exists() and list(tmp_path.glob(".o.mp3*")) == []


def test_an_output_not_named_mp3_is_refused(tmp_path, story):
    result = run("build", str(story), "-o", str(tmp_path / "e.wav"), "--engine", "fake")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "give it a .mp3 name" in result.stderr
    assert list(tmp_path.iterdir()) == [story]


def test_unwritable_output_dir(tmp_path, story):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result = run("build", str(story), "-o", str(blocker / "e.mp3"), "--engine", "fake")
    assert result.exit_code == 6
    assert result.stderr.count("\n") == 1 and "cannot write to" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--engine", "nope"], "unknown engine 'nope'"),
        (["--voice", "/nonexistent/voice.onnx"], "not a Piper .onnx voice file"),
        (["--speed", "9"], "'--speed': 9.0 is not in the range 0.25<=x<=4.0"),
        (["--date", "yesterday"], "is not a date"),
    ],
)
def test_usage_errors(tmp_path, story, args, message):
    result = run("build", str(story), "-o", str(tmp_path / "e.mp3"), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_engines_lists_piper_with_the_bundled_voice():
    result = run("engines", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["piper"]["offline"] and not rows["gtts"]["offline"]
    assert rows["piper"]["voices"][0]["name"] == "en_US-joe-medium"
    assert "en_US-joe-medium" in run("engines").stdout


def _folders(tmp_path):
    """An Environment whose user folders are the test's own."""
    import functools

    from audio_edition.environment import Environment

    return functools.partial(invoke, environment=Environment(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data"))


def test_voices_fetch_and_list_from_a_folder_of_packs(tmp_path):
    """The `voices` family: what `fetch --from` installs, `list` and `engines` show; no npm, no model needed."""
    import numpy as np

    run = _folders(tmp_path)
    empty = run("voices", "list")
    assert empty.exit_code == 0 and "(none: audio-edition voices fetch kokoro)" in empty.stdout
    packs = tmp_path / "packs"
    packs.mkdir()
    rng = np.random.default_rng(0)
    for name in ("af_test", "bm_test"):
        (packs / f"{name}.bin").write_bytes(rng.standard_normal(510 * 256).astype("<f4").tobytes())
    (packs / "README.bin").write_bytes(b"not a voice's name: left alone")
    fetched = run("voices", "fetch", "kokoro", "--from", str(packs), "--json")
    assert fetched.exit_code == 0, fetched.stderr
    assert [v["name"] for v in json.loads(fetched.stdout)] == ["af_test", "bm_test"]
    listed = json.loads(run("voices", "list", "--json").stdout)["kokoro"]["voices"]
    assert {v["name"]: v["language"] for v in listed} == {"af_test": "en-us", "bm_test": "en-gb"}
    assert "bm_test  British English, male" in run("voices", "list").stdout
    kokoro = next(e for e in json.loads(run("engines", "--json").stdout) if e["name"] == "kokoro")
    assert [v["name"] for v in kokoro["voices"]] == ["af_test", "bm_test"] and kokoro["offline"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["voices", "fetch", "piper"], "nothing to fetch for piper"),
        (["voices", "fetch", "gtts"], "nothing to fetch for gtts"),
        (["voices", "fetch", "kokoro", "../etc", "--from", "."], "is not a Kokoro voice name"),
        (["voices", "fetch", "kokoro", "af_gone", "--from", "."], "af_gone: not among the voices"),
        (
            ["build", "x.txt", "-o", "x.mp3", "--engine", "kokoro", "--voice", "heart"],
            "give a Kokoro voice like af_heart",
        ),
    ],
)
def test_voices_usage_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    run = _folders(tmp_path)
    (tmp_path / "x.txt").write_text("A story of some length, for the voice to read.\n")
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_precedence_cli_env_config_default(tmp_path, story, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["build", str(story), "--engine", "fake", "--cache-dir", str(tmp_path / "c")]

    def publication(*extra, env=None):
        out = tmp_path / "p.mp3"
        result = run(*extra, *base, "-o", str(out), env=env)
        assert result.exit_code == 0, result.stderr
        return json.loads(out.with_suffix(".json").read_text())["publication"]

    assert publication() == "Today's Edition"
    (tmp_path / "audio-edition.toml").write_text('publication = "From Config"\n')
    assert publication() == "From Config"
    assert publication(env={"AUDIO_EDITION_PUBLICATION": "From Env"}) == "From Env"
    other = tmp_path / "other.toml"
    other.write_text('[build]\npublication = "From --config"\n')
    assert publication("--config", str(other)) == "From --config"
    out = tmp_path / "p.mp3"
    result = run(*base, "-o", str(out), "--publication", "From CLI", env={"AUDIO_EDITION_PUBLICATION": "From Env"})
    assert json.loads(out.with_suffix(".json").read_text())["publication"] == "From CLI"
    assert result.exit_code == 0, result.stderr


def test_sample_builds_with_real_piper(tmp_path):
    out = tmp_path / "harbor.mp3"
    result = run("build", str(SAMPLES / "harbor-deal.txt"), "-o", str(out), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.stderr
    m = json.loads(out.with_suffix(".json").read_text())
    assert m["engine"]["name"] == "piper" and m["engine"]["voice"] == "en_US-joe-medium"
    spoken = " ".join(p["text"] for p in m["paragraphs"]).lower()
    assert "32.95" not in spoken and "copy link" not in spoken and "valmora" in spoken


def test_html_from_stdin_with_format(tmp_path):
    html = (SAMPLES / "solar-grid.html").read_text()
    out = tmp_path / "h.mp3"
    args = ["build", "-", "--format", "html", "-o", str(out), "--engine", "fake", "--cache-dir", str(tmp_path / "c")]
    result = run(*args, input=html)
    assert result.exit_code == 0, result.stderr
    m = json.loads(out.with_suffix(".json").read_text())
    assert m["title"] == "Desert Solar Grid Opens" and m["author"] == "Amira Haddad" and m["date"] == "2026-11-27"
    assert [c["title"] for c in m["chapters"]] == ["Desert Solar Grid Opens", "Storage is the next test"]


def test_cache_info_and_clear_count_the_prepared_voices(tmp_path):
    run = _folders(tmp_path)  # not the session's shared voices
    folder = tmp_path / "cache" / "voices"
    folder.mkdir(parents=True)
    for voice in ("en_US-a-1234-table-20-1-ort1.31.0", "en_US-a-1234-table-20-1-ort1.32.0"):
        for stage in ("front", "flow", "decoder"):
            (folder / f"{voice}-{stage}.onnx").write_bytes(bytes(10))
            (folder / f"{voice}-{stage}.weights").write_bytes(bytes(100))
    (folder / "notes.txt").write_text("not a voice")
    cache = ["--cache-dir", str(tmp_path / "c")]
    info = json.loads(run("cache", "info", "--json", *cache).stdout)["voices"]
    assert (info["prepared"], info["bytes"], info["path"]) == (2, 660, str(folder))
    assert "2 prepared voices, 660 B" in run("cache", "info", *cache).stdout
    run("cache", "clear", *cache)
    assert json.loads(run("cache", "info", "--json", *cache).stdout)["voices"]["prepared"] == 2
    result = run("cache", "clear", "--voices", *cache)
    assert "removed 2 prepared voices" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_cache_clear_templates_forgets_what_the_publications_pages_taught(tmp_path):
    """`cache clear --templates` once crashed (exit 70: the Memory had no clear)."""
    from audio_edition.pipeline import template_memory

    run = _folders(tmp_path)
    cache = tmp_path / "c"
    memory = template_memory(cache)
    assert memory is not None
    memory.remember("The Courier", "page-1", ["Subscribe now.", "A story line."])
    memory.remember("The Ledger", "page-1", ["Copy link"])
    assert memory.template("The Courier", "page-2").seen("Subscribe now.") == 1
    result = run("cache", "clear", "--templates", "--cache-dir", str(cache))
    assert result.exit_code == 0, result.stderr
    assert "forgot 2 publications' templates" in result.stderr
    assert memory.template("The Courier", "page-2").seen("Subscribe now.") == 0
    assert run("cache", "clear", "--templates", "--cache-dir", str(cache)).exit_code == 0


def test_lint_lists_every_line_with_what_decided_and_keep_and_drop_force_lines(tmp_path):
    import json

    from conftest import invoke

    page = tmp_path / "page.txt"
    page.write_text(
        "Ferry fares fall - The Courier\n\nHome\nNews\nSport\n\nFerry fares fall\n\n"
        "Islanders will pay a third less for the ferry to the mainland from January, the council decided on Thursday.\n\n"
        "The council said the cut would be paid for by a small rise in the fare for visitors' cars in summer.\n\n"
        "Correction: an earlier version gave the wrong month.\n\nCopy link\n"
    )
    out = invoke("lint", str(page), "--json", "--cache-dir", str(tmp_path / "c"))
    assert out.exit_code == 0, out.stderr
    blocks = {b["text"]: b for b in json.loads(out.stdout)["blocks"]}
    assert blocks["Copy link"] == {
        "story": 0,
        "text": "Copy link",
        "kept": False,
        "by": "share-buttons",
        "reason": "a boilerplate rule",
    }
    assert blocks["Ferry fares fall"]["by"] == "headline" and not blocks["Ferry fares fall"]["kept"]
    assert blocks["Home"]["by"] == "classifier" and not blocks["Home"]["kept"]
    assert blocks[
        "The council said the cut would be paid for by a small rise in the fare for visitors' cars in summer."
    ]["kept"]

    out = invoke(
        "lint", str(page), "--json", "--cache-dir", str(tmp_path / "c"), "--keep", "copy link", "--drop", "Correction:"
    )
    blocks = {b["text"]: b for b in json.loads(out.stdout)["blocks"]}
    assert blocks["Copy link"]["kept"] and blocks["Copy link"]["by"] == "editor"
    assert not blocks["Correction: an earlier version gave the wrong month."]["kept"]

    text = invoke("lint", str(page), "--cache-dir", str(tmp_path / "c")).stdout
    assert "- [share-buttons] a boilerplate rule: Copy link" in text
    assert "+ [classifier] prose: Islanders will pay" in text


def test_an_edition_files_keep_and_drop_add_to_the_command_lines(tmp_path):
    import json

    from conftest import invoke

    (tmp_path / "a.txt").write_text(
        "Ferry fares fall\n\nIslanders will pay a third less for the ferry to the mainland from January, the council decided.\n\nCopy link\n\nOur tip line is open all night."
    )
    (tmp_path / "ed.toml").write_text('keep = ["Copy link"]\n\n[[story]]\npath = "a.txt"\n')
    out = invoke("lint", str(tmp_path / "ed.toml"), "--json", "--drop", "tip line", "--cache-dir", str(tmp_path / "c"))
    assert out.exit_code == 0, out.stderr
    blocks = {b["text"]: b for b in json.loads(out.stdout)["blocks"]}
    assert blocks["Copy link"]["kept"] and not blocks["Our tip line is open all night."]["kept"]
    (tmp_path / "bad.toml").write_text('keep = 5\n\n[[story]]\npath = "a.txt"\n')
    bad = invoke("lint", str(tmp_path / "bad.toml"))
    assert bad.exit_code == 2 and "keep must be a string or a list" in bad.stderr


def test_text_with_nothing_to_say_is_an_input_error_and_makes_no_folder(tmp_path):
    from conftest import invoke

    story = tmp_path / "s.txt"
    story.write_text("🎉🎉🎉\n")
    out = invoke("build", str(story), "-o", str(tmp_path / "out" / "e.mp3"), "--engine", "fake")
    assert out.exit_code == 3 and "nothing to read aloud" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "url", ["https://evil.example;img-src *;/x.mp3", "https://a.example b.example/x.mp3", "javascript:alert(1)"]
)
def test_an_audio_url_cannot_write_into_the_players_policy(tmp_path, url):
    from audio_edition import BuildSettings, build
    from audio_edition.settings import EngineOptions

    from conftest import SAMPLES, invoke

    result = build([str(SAMPLES / "harbor-deal.txt")], tmp_path / "e.mp3",
                   BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c"))  # fmt: skip
    out = invoke("player", str(result.mp3), "--audio-url", url)
    assert out.exit_code == 2 and "--audio-url" in out.stderr
    assert not (tmp_path / "e.html").exists()
    ok = invoke("player", str(result.mp3), "--audio-url", "https://cdn.example.org:8443/audio/e.mp3")
    assert ok.exit_code == 0, ok.stderr
    import html

    assert "media-src 'self' https://cdn.example.org:8443;" in html.unescape((tmp_path / "e.html").read_text())


@pytest.mark.parametrize(
    "args, words",
    [
        (["build"], "Missing argument"),
        (["build", "x.txt", "--bitrate", "7"], "--bitrate"),
        (["feed", "add", "f.xml"], "Missing"),
    ],
)
def test_clicks_usage_errors_are_one_line_too(args, words):
    from conftest import invoke

    out = invoke(*args)
    assert out.exit_code == 2 and words in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "--help" in out.stderr


def test_a_full_disk_while_encoding_is_an_output_error(tmp_path):
    """ffmpeg writing to a full device (/dev/full) exits 6, as the exit-code table in docs/editions.md says, not 5."""
    import os

    from audio_edition import ffmpeg
    from audio_edition.errors import ExitStatus, OutputError, exit_status_for

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    args = [
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=44100:cl=mono",
        "-t",
        "5",
        "-c:a",
        "libmp3lame",
        "-f",
        "mp3",
        "-y",
        "/dev/full",
    ]
    with pytest.raises(OutputError, match="disk is full") as err:
        ffmpeg.run(args, what="encoding")
    assert exit_status_for(err.value) == ExitStatus.IO == 6


@pytest.mark.parametrize(
    "args, env",
    [
        (["feed", "add", "f.xml", "s.mp3", "--base-url", "https://example.org/", "--title", "Bad \udcff"], None),
        (["build", "s.txt", "-o", "e.mp3", "--title=Bad \udcff"], None),
        (["build", "s.txt", "-o", "e.mp3"], {"AUDIO_EDITION_TITLE": "Bad \udcff"}),
    ],
)
def test_text_that_is_not_utf8_is_one_line_and_exit_2(tmp_path, monkeypatch, args, env):
    """Bytes that are not UTF-8 reach Python as lone surrogates: refused before any work."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.txt").write_text("Title\n\nA sentence to read.\n")
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    assert "Bad \\xff' is not UTF-8 text" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.txt"]


@pytest.fixture
def tmpfs(tmp_path):
    """A small file system of its own (root only): mount(options) -> its folder."""
    import os
    import subprocess

    mounted = []

    def mount(options: str):
        folder = tmp_path / f"mnt{len(mounted)}"
        folder.mkdir()
        if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                                               capture_output=True).returncode != 0:  # fmt: skip
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_and_a_read_only_cache_are_said_in_words(tmp_path, story, tmpfs):
    """Not ``[Errno 28] No space left on device``: which file, and what to do."""
    full = tmpfs("size=48k")
    (full / "filler").write_bytes(b"\0" * 40_000)
    result = invoke(
        "build", str(story), "-o", str(full / "e.mp3"), "--engine", "fake", "--cache-dir", str(tmp_path / "c")
    )
    assert result.exit_code == 6, result.stderr
    assert "the disk is full" in result.stderr and "Errno" not in result.stderr
    assert sorted(p.name for p in full.iterdir()) == ["filler"]  # no partial file left

    read_only = tmpfs("ro,size=1m")
    for args in (["build", str(story), "-o", str(tmp_path / "e.mp3"), "--engine", "fake"], ["cache", "clear"]):
        result = invoke(*args, "--cache-dir", str(read_only))
        assert result.exit_code == 6, result.stderr
        assert "the file system is read-only" in result.stderr and "Errno" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`audio-edition voices list | head -1`: the pipe closes under a long listing; nothing is said."""
    import subprocess

    from procs import CLI

    packs = tmp_path / "packs"
    packs.mkdir()
    for i in range(3000):  # ~100 KB of listing: more than a pipe holds
        (packs / f"af_v{i:04d}.bin").write_bytes(bytes(256 * 4))
    env = {**os.environ, "AUDIO_EDITION_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([*CLI, "voices", "fetch", "kokoro", "--from", str(packs)], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*CLI, "voices", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout.readline().startswith(b"kokoro: 3000 voices")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""


def _field(settings, path):
    for name in path.split("."):
        settings = getattr(settings, name)
    return settings


def _sample(f, option, tmp_path):
    """A value for the option that is not its field's default, as typed on the command line."""
    if option.choices:
        return option.choices[-1] if str(f.default) != option.choices[-1] else option.choices[0]
    if option.path:
        (tmp_path / "given.txt").write_text("x")
        return str(tmp_path / "given.txt")
    if option.kind == "date":
        return "2026-02-03"
    if option.bounds is not None or type(f.default) in (int, float) or "int" in str(f.type):
        low = option.bounds[0] if option.bounds and option.bounds[0] is not None else 1
        high = option.bounds[1] if option.bounds and option.bounds[1] is not None else low + 4
        return str(low + min(2, (high - low) / 2))  # inside the bounds, not the default
    return "fr" if "language" in str(f.name) else "given"


@pytest.mark.parametrize("command", ["build", "worker"])
def test_every_option_the_settings_declare_sets_its_field(tmp_path, command):
    """Options are declared once, on the settings' fields: each one the command takes sets the
    field it is declared on (and what it also sets), and nothing else."""
    from audio_edition import cli
    from audio_edition.settings import BuildSettings, Worker, declared, from_paths

    cls, table, base = {
        "build": (BuildSettings, cli.DECLARED, ["story.txt"]),
        "worker": (Worker, cli.WORKER_DECLARED, ["--broker", "redis://127.0.0.1:1/0"]),
    }[command]
    assert len(table) == len(declared(cls))  # no two options share a name (or a config key)
    click_command = cli.cli.commands[command]
    assert set(table) <= {p.name for p in click_command.params}

    def parse(*args: str) -> dict:
        # with the group's settings: a context made without them would leave click's help option
        # cached without "-h" on the command, and later --help output would differ
        return click_command.make_context(command, list(args), **cli.cli.context_settings).params

    default = from_paths(cli.option_values(parse(*base), table), cls)
    paths = {p for p, _, _ in declared(cls)} | {a for _, _, o in declared(cls) for a in o.also}
    for name, (path, f, option) in table.items():
        if option.required:
            continue  # given in every run
        typed = [] if option.flag else [_sample(f, option, tmp_path)]
        settings = from_paths(cli.option_values(parse(*base, option.decls[0], *typed), table), cls)
        changed = {p for p in paths if _field(settings, p) != _field(default, p)}
        assert changed == {path, *option.also}, name
        if option.flag:
            assert _field(settings, path) == option.sets, name
    if cls is BuildSettings:
        assert default == BuildSettings()  # what no option says is the settings' own default


def test_a_config_file_key_is_the_options_long_name(tmp_path, monkeypatch):
    """--format and --keep are `format` and `keep` in audio-edition.toml (their parameters once
    had other names, and those keys did nothing)."""
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.md"
    page.write_text(
        "# Talks resume\n\nDelegates met on Monday and agreed to meet again in a month, officials said.\n\nCopy link\n"
    )
    (tmp_path / "audio-edition.toml").write_text('keep = ["copy link"]\nformat = "text"\n')
    result = invoke("lint", str(page), "--json", "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.stderr
    blocks = {b["text"]: b for b in json.loads(result.stdout)["blocks"]}
    assert blocks["Copy link"]["kept"] and blocks["Copy link"]["by"] == "editor"
    assert "# Talks resume" in blocks  # read as text, not Markdown


@pytest.mark.parametrize("key", ["language", "lang"])
def test_the_language_is_language_in_a_config_file_as_in_edition_files(tmp_path, monkeypatch, key):
    """One key name for one setting: `language`, as edition and channel files name it (the
    command line's `lang` still works)."""
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.txt"
    page.write_text("Dates\n\nThe hearing moved to 5/3/2024 after a long delay, the court said.\n")
    (tmp_path / "audio-edition.toml").write_text(f'{key} = "en-GB"\n')
    result = invoke("lint", str(page), "--json", "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["language"]["stated"] == "en-GB"
    assert "March fifth" in report["chunks"][-1]["spoken"]  # day first, as en-GB writes it


def test_the_progress_bar_is_drawn_only_where_the_environment_says_a_person_watches(tmp_path, story):
    import io

    from audio_edition.environment import Environment

    def build(isatty: bool) -> str:
        stderr = io.StringIO()
        env = Environment(cache_dir=tmp_path / "u", data_dir=tmp_path / "d", stderr=stderr, stderr_isatty=isatty)
        out = tmp_path / f"{isatty}.mp3"
        result = invoke("build", str(story), "--engine", "fake", "-o", str(out), "--cache-dir", str(tmp_path / "c"),
                        environment=env)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        return stderr.getvalue()

    assert "Synthesizing" in build(True)
    assert build(False) == ""
