import io
import json

import pytest

from audio_edition.errors import InputError
from audio_edition.text import ingest


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"   \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_bad_bytes_give_one_line_errors(data, message):
    with pytest.raises(InputError) as err:
        ingest.decode(data, "story.txt")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


PAGE = (
    '<html><head><meta charset="{charset}"><title>{title}</title></head>'
    "<body><h1>{title}</h1><p>{body}</p></body></html>"
)
#: Sentences written for these tests, in the languages each legacy encoding serves.
LEGACY = [
    ("gb2312", "港口扩建", "港口扩建工程今天开工，预计三年内完成。市政府表示，新码头将增加两千个就业岗位。"),
    ("gbk", "港口擴建", "港口擴建工程今天開工，預計三年內完成。"),
    ("gb18030", "港口扩建", "港口扩建工程今天开工，预计三年内完成。"),
    ("big5", "港口擴建", "港口擴建工程今天開工，預計三年內完成。市政府表示，新碼頭將增加兩千個就業崗位。"),
    ("shift_jis", "港の拡張", "港の拡張工事が今日始まり、三年以内に完成する予定です。"),
    ("euc-kr", "항구 확장", "항구 확장 공사가 오늘 시작되어 삼 년 안에 완공될 예정이다."),
    (
        "windows-1250",
        "Rozbudowa portu",
        "Rozbudowa portu rozpoczęła się dziś; zakończenie planowane jest za trzy lata.",
    ),
    ("windows-1251", "Расширение порта", "Расширение порта началось сегодня и завершится через три года."),
    ("windows-1252", "Ampliación del puerto", "La ampliación del puerto comenzó hoy, según el señor Núñez."),
    ("iso-8859-2", "Rozšíření přístavu", "Rozšíření přístavu začalo dnes a skončí za tři roky."),
    ("iso-8859-7", "Επέκταση λιμανιού", "Η επέκταση του λιμανιού ξεκίνησε σήμερα."),
]


@pytest.mark.parametrize(("label", "title", "body"), LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_encodings_are_read_as_a_browser_reads_them(label, title, body):
    data = PAGE.format(charset=label, title=title, body=body).encode(label)
    found = ingest.read_text(data, "page.html")
    assert body in found.text and found.how == "declared"
    story = ingest.parse_html(found.text)
    assert any(body in b.text for b in story.blocks)


def test_an_undeclared_legacy_text_is_detected():
    body = "Расширение порта началось сегодня. " * 8 + "Городские власти обещают две тысячи рабочих мест."
    found = ingest.read_text(("Порт\n\n" + body).encode("windows-1251"), "story.txt")
    assert found.how == "detected" and body in found.text


def test_a_wrong_declaration_gives_way_to_the_bytes():
    data = PAGE.format(charset="windows-1252", title="Café", body="Le café ouvre à Zürich.").encode("utf-8")
    found = ingest.read_text(data, "page.html")
    assert (found.encoding, found.how) == ("utf-8", "utf-8") and "Zürich" in found.text


def test_stray_bytes_are_replaced_and_counted():
    data = "Le café ouvre à Zürich, dit-on. ".encode() * 20 + b"\xff\xfe broken" + b" Fin."
    found = ingest.read_text(data, "story.txt")
    assert found.how == "utf-8 with replacements" and found.replaced == 2 and "\ufffd" in found.text


def test_an_undeclared_chinese_page_with_stray_bytes_is_read_as_chinese():
    body = (
        "港口扩建工程今天开工，预计三年内完成。市政府表示，新码头将增加两千个就业岗位，"
        "并让更多的集装箱船在本市停靠。工会代表说，工人们支持这个计划，但希望在工程期间保证安全。"
        "附近的居民担心噪音和交通，市长答应每个月开一次说明会，听取大家的意见。"
    )
    data = ("<html><head><title>港口扩建</title></head><body>" + f"<p>{body}</p>" * 6 + "</body></html>").encode("gbk")
    at = data.index(body.encode("gbk")) + 40  # a stray byte between two characters, another near the end
    data = data[:at] + b"\xff" + data[at:-200] + b"\x81\x20" + data[-200:]
    found = ingest.read_text(data, "page.html")
    assert (found.encoding, found.how, found.replaced) == ("gb18030", "detected", 2)
    assert body[:20] in found.text


def test_lint_json_says_which_encoding_and_why(tmp_path):
    from conftest import invoke

    page = tmp_path / "page.html"
    label, title, body = LEGACY[0]
    page.write_bytes(PAGE.format(charset=label, title=title, body=body).encode(label))
    result = invoke("lint", str(page), "--json", "--keep-boilerplate")
    assert result.exit_code in (0, 1), result.stderr
    said = json.loads(result.stdout)["inputs"][0]
    assert {k: said[k] for k in ("format", "encoding", "how", "replaced")} == {
        "format": "html", "encoding": "gb18030", "how": "declared", "replaced": 0
    }  # fmt: skip
    assert said["language"]["found"] == "zh"  # and lint says it is not the voice's language


def test_bom_and_crlf_are_accepted():
    assert ingest.decode(b"\xef\xbb\xbfTitle\r\n\r\nBody.", "x") == "Title\n\nBody."


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("a.md", "plain", "markdown"),
        ("a.html", "plain", "html"),
        ("a.txt", "<html><body><p>x</p></body></html>", "text"),
        ("-", "<!DOCTYPE html><html><p>x</p></html>", "html"),
        ("-", "# Title\n\nBody", "markdown"),
        ("-", "Title\n\nBody.", "text"),
        ("story", "<article><p>Body</p></article>", "html"),
    ],
)
def test_format_detection(name, text, expected):
    assert ingest.detect_format(name, text) == expected


def test_stdin_is_read_for_dash():
    story = ingest.read_story("-", stdin=io.BytesIO(b"Headline\n\nFirst paragraph here."))
    assert [b.text for b in story.blocks] == ["Headline", "First paragraph here."]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        ingest.read_story(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        ingest.read_story(str(tmp_path))


def test_markdown_blocks():
    md = (
        "# Title\n\nIntro with [a link](https://x.org) and *emphasis*.\n\n"
        "## Section\n\n- one\n- two\n\n> quoted words\n\n```\ncode()\n```\n\n![img](a.png)\n"
    )
    story = ingest.parse_markdown(md)
    assert [(b.kind, b.text, b.level) for b in story.blocks] == [
        ("heading", "Title", 1),
        ("paragraph", "Intro with a link and emphasis.", 0),
        ("heading", "Section", 2),
        ("item", "one", 0),
        ("item", "two", 0),
        ("quote", "quoted words", 0),
    ]


def test_html_page_is_read_as_its_visible_lines_with_votes_and_metadata():
    from conftest import SAMPLES

    story = ingest.read_story(str(SAMPLES / "solar-grid.html"))
    assert story.title == "Desert Solar Grid Opens"
    assert story.author == "Amira Haddad"
    assert str(story.date) == "2026-11-27"
    blocks = {b.text: b for b in story.blocks}
    # every visible line is there for the cleaning stage to judge; scripts and styles are not
    assert "Home World Subscribe" in blocks and not any("window.analytics" in t for t in blocks)
    assert blocks["Storage is the next test"].kind == "heading" and blocks["Storage is the next test"].level == 2
    assert blocks["We have the sun. What we need now is a way to keep it for the evening."].kind == "quote"
    assert [b.text for b in story.blocks if b.kind == "item"] == [
        "Battery tenders open in January.",
        "Two transmission lines are under construction.",
    ]
    # the extractors agree on the story's paragraphs and pass over the menu and the teaser
    assert (
        len(blocks["Grid operators warned that without batteries, much of the midday output will be wasted."].votes)
        == 3
    )
    assert blocks["Home World Subscribe"].votes == ()
    assert blocks["Wind farms expand along the coast"].votes == ()


def test_bom_marked_utf16_is_text():
    text = "Harbor talks\r\n\r\nOfficials met again on Tuesday.\r\n"
    assert ingest.decode(text.encode("utf-16"), "x") == "Harbor talks\n\nOfficials met again on Tuesday.\n"
    assert ingest.decode("\ufeffTitle".encode("utf-16-be"), "x") == "Title"
