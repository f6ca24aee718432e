"""HTML pages read as their visible lines, each with the votes of three extractors (extract.py)."""

import pytest

from audio_edition.text import boilerplate, extract
from audio_edition.text.ingest import Block, Story

PAGE = """<!DOCTYPE html><html><head><title>Ferry fares fall for islanders | The Harbour Courier</title>
<meta property="og:site_name" content="The Harbour Courier"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Ferry fares fall for islanders</h1>
<p>Islanders will pay a third less for the ferry to the mainland from January, the regional council decided on Thursday after a year of complaints about the cost of crossing.</p>
<p>The council said the cut would be paid for by a small rise in the fare for visitors' cars in summer, when the boats are full and the queues at the harbour are longest.</p>
<h2>What changes</h2>
<p>A return ticket for a resident falls from twelve to eight euros, and children under sixteen travel free on school days.</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Storm closes the coast road</a></li><li><a href="/b">New tram line approved</a></li></ul></aside>
<footer>&copy; The Harbour Courier</footer></body></html>"""


def test_visible_lines_keep_their_kind_and_votes():
    page = extract.read_page(PAGE)
    by_text = {line.text: line for line in page.lines}
    assert by_text["What changes"].kind == "heading" and by_text["What changes"].level == 2
    assert by_text["Storm closes the coast road"].kind == "item"
    story = [t for t in by_text if t.startswith(("Islanders", "The council", "A return ticket"))]
    assert len(story) == 3 and all(len(by_text[t].votes) >= 2 and "precise" in by_text[t].votes for t in story)
    assert by_text["Home News Sport"].votes == ()


@pytest.mark.parametrize(
    "title, h1, site, expected",
    [
        ("Ferry fares fall | The Courier", "Ferry fares fall", "The Courier", "Ferry fares fall"),
        ("Ferry fares fall - The Courier", None, "The Courier", "Ferry fares fall"),
        ("The Courier", "Ferry fares fall for islanders", "The Courier", "Ferry fares fall for islanders"),
        ("Ferry fares fall for islanders", "The Courier", None, "Ferry fares fall for islanders"),
    ],
)
def test_the_headline_is_the_pages_own_title_without_the_site(title, h1, site, expected):
    assert extract.headline_of(title, h1, site) == expected


def test_an_html_story_is_what_the_extractors_chose_and_the_headline_is_not_repeated():
    from audio_edition.text.ingest import parse_html

    done = boilerplate.clean(parse_html(PAGE), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = [b.text for b in done.blocks]
    assert done.title == "Ferry fares fall for islanders"
    assert spoken[0].startswith("Islanders will pay") and "What changes" in spoken
    assert not any(t in " ".join(spoken) for t in ("Home", "Most read", "Storm closes", "©"))


def test_a_page_no_extractor_understood_is_read_by_the_classifier():
    prose_lines = [
        "Islanders will pay a third less for the ferry to the mainland from January, the regional council decided on Thursday.",
        "The council said the cut would be paid for by a small rise in the fare for visitors' cars in summer, when the boats are full.",
    ]
    blocks = tuple(Block("paragraph", t, votes=()) for t in ["Home", "News", "Sport", *prose_lines, "About", "Contact"])
    done = boilerplate.clean(Story("x.html", "html", blocks), boilerplate.Cleaning())
    assert [b.text for b in done.blocks] == prose_lines


CARD = (
    '<span class="person"><a href="/people/ana-ruiz">Ana Ruiz</a><span class="card"><img src="/ana.jpg" alt="">'
    '<a href="/people/ana-ruiz">Ana Ruiz</a><a href="/a">Budget talks stall over the harbour fund</a> '
    '<a href="/b">Council backs the night ferry</a></span></span>'
)


def test_a_card_set_inside_a_sentence_is_not_read_but_the_name_it_hangs_on_is():
    """A hover card (a photo, the person's name and their latest headlines, all links) sits inside
    the sentence's markup: every extractor keeps it, a reader never sees it."""
    page = PAGE.replace("the regional council decided", f"the council, led by Mayor {CARD}, decided")
    page = page.replace(
        "<p>A return ticket",
        '<p>Read <a href="/r">the ruling</a> and <a href="/s">the reply</a> <img src="/x.png"> before you go. A return ticket',
    )
    lines = [line for line in extract.read_page(page).lines if line.text.startswith(("Islanders", "Read the ruling"))]
    assert "the council, led by Mayor Ana Ruiz, decided on Thursday" in lines[0].text
    assert "Budget talks" not in lines[0].text and "night ferry" not in lines[0].text
    assert len(lines[0].votes) >= 2  # the extractors read the page without the card too
    # Links and a picture among words of the sentence's own are the sentence: nothing goes.
    assert lines[1].text.startswith("Read the ruling and the reply before you go.")


def test_a_line_knows_its_share_of_link_text_and_whether_it_is_a_caption():
    from pathlib import Path

    html = (Path(__file__).parents[1] / "pages" / "regional-daily.html").read_text("utf-8")
    by_text = {line.text: line for line in extract.read_page(html).lines}
    related = by_text["Storm damage to the harbour wall will take months to repair"]
    assert related.linked == 1.0 and not related.caption
    read_more = by_text["Read more: Ferry fares for islanders to fall by a third from January"]
    assert read_more.linked == pytest.approx(11 / 13)  # all but "Read more:"
    lead = next(line for text, line in by_text.items() if text.startswith("The night ferry between"))
    assert lead.linked == 0.0 and not lead.caption
    assert by_text["The night ferry leaves the harbour at Skarra with its lights on"].caption  # the picture's alt
    assert next(line for text, line in by_text.items() if text.startswith("Passengers wait")).caption  # figcaption


def test_a_heading_that_says_what_its_picture_shows_is_not_a_caption():
    page = PAGE.replace("<h2>What changes</h2>", '<img src="/t.jpg" alt="What changes"><h2>What changes</h2>')
    assert not next(line for line in extract.read_page(page).lines if line.text == "What changes").caption


def test_a_logo_in_the_only_h1_is_not_the_headline_when_the_page_title_names_the_story():
    """The site's logo is the page's one h1 (in another spelling than the site's name), and the
    story's headline an h2: the <title> names the story, which the story's words bear out."""
    page = PAGE.replace('<meta property="og:site_name" content="The Harbour Courier">', "")
    page = page.replace("<nav>", "<header><h1>Kuryer Online</h1></header><nav>")
    page = page.replace(
        "<article><h1>Ferry fares fall for islanders</h1>", "<article><h2>Ferry fares fall for islanders</h2>"
    )
    assert extract.read_page(page).title == "Ferry fares fall for islanders"


TABLE_PAGE = """<!DOCTYPE html><html><head><title>Harbour league: the final table | The Harbour Courier</title></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav><article><h1>Harbour league: the final table</h1>
<p>Harbour Rovers won the regional league on the last day of the season, two points ahead of Valley United, after a
late goal in the derby decided the title. The final standings after thirty rounds were as follows:</p>
<table><tr><th>Pos.</th><th>Club</th><th>Points</th><th>Wins</th></tr>
<tr><td>1</td><td>Harbour Rovers</td><td>71</td><td>22</td></tr>
<tr><td>2</td><td>Valley United</td><td>69</td><td>21</td></tr>
<tr><td>3</td><td>Mill Town</td><td>60</td><td>18</td></tr></table>
<p>The two clubs at the bottom of the table go down to the second division, where the season starts in August.</p>
</article><footer>&copy; The Harbour Courier</footer></body></html>"""


def test_a_table_row_is_one_line_and_the_table_is_spoken():
    """A row's cells are one line, apart by spaces: the numbers in their cells are the row's, not
    lines of their own (which read as a player's volume or a page number, and were dropped)."""
    from audio_edition.text.ingest import parse_html

    lines = [line.text for line in extract.read_page(TABLE_PAGE).lines]
    assert "2 Valley United 69 21" in lines and "Pos. Club Points Wins" in lines
    done = boilerplate.clean(parse_html(TABLE_PAGE), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = [b.text for b in done.blocks]
    assert "1 Harbour Rovers 71 22" in spoken and "3 Mill Town 60 18" in spoken


@pytest.mark.parametrize(
    ("title", "h1"),
    [
        ("新闻 - 财经", "渡轮票价下调 岛上居民每张票少付三分之一"),
        ("Home > News > Islands", "Ferry fares fall for islanders"),
        ("Sport | Ferries", "Ferry fares fall for islanders"),
        ("当前位置：首页｜新闻｜海岛", "渡轮票价下调 岛上居民每张票少付三分之一"),
    ],
)
def test_a_breadcrumb_or_a_site_section_is_never_the_headline(title, h1):
    """A page whose <title> is where it stands on its site (a breadcrumb, "site - section") is
    headed by its story's own headline, never by that."""
    from audio_edition.text import prose
    from audio_edition.text.ingest import parse_html

    assert prose.breadcrumb_like(title)
    page = PAGE.replace(
        "<title>Ferry fares fall for islanders | The Harbour Courier</title>", f"<title>{title}</title>"
    )
    page = page.replace("<h1>Ferry fares fall for islanders</h1>", f"<h1>{h1}</h1>")
    done = boilerplate.clean(parse_html(page), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    assert done.title != title and not prose.breadcrumb_like(done.title or "")
    assert title not in " ".join(b.text for b in done.blocks)


@pytest.mark.parametrize(
    "title",
    [
        "Ferry fares fall - The Courier",
        "Talks resume | The Harbour Courier",
        "渡轮票价下调 岛上居民每张票少付三分之一：海港信使",
    ],
)
def test_a_headline_with_its_site_is_no_breadcrumb(title):
    from audio_edition.text import prose

    assert not prose.breadcrumb_like(title)


NEXT = """<article><h1>Night ferry to run all year</h1>
<p>By Jane Roe</p><p>March 3, 2026 9:15 AM</p>
<p>The night ferry to the islands will run in winter too from next year, the operator said on Friday, after a summer of full boats and long queues on the quay.</p>
<p>The operator said it would hire twelve more crew and that the late boat would leave the mainland at eleven, an hour later than it does in summer now.</p>
</article>"""


def test_the_story_an_endless_page_appends_is_not_spoken():
    page = PAGE.replace("</article>", "</article>" + NEXT, 1)
    from audio_edition.text.ingest import parse_html

    done = boilerplate.clean(parse_html(page), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert spoken.startswith("Islanders will pay") and "A return ticket" in spoken
    assert "night ferry" not in spoken.lower() and "Jane Roe" not in spoken


def test_a_heading_of_the_first_level_inside_the_story_is_its_own():
    inner = PAGE.replace("<h2>What changes</h2>", "<h1>What changes</h1>")
    from audio_edition.text.ingest import parse_html

    done = boilerplate.clean(parse_html(inner), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    assert "A return ticket" in " ".join(b.text for b in done.blocks)


SPLIT_FIRST = [
    "Islanders will pay a third less for the ferry to the mainland from January, the regional council decided "
    "on Thursday after a year of complaints about the cost of crossing.",
    "The council said the cut would be paid for by a small rise in the fare for visitors' cars in summer, when the "
    "boats are full and the queues at the harbour are longest.",
    "A return ticket for a resident falls from twelve to eight euros, and children under sixteen travel free on "
    "school days, the council's transport committee said.",
]  # fmt: skip
SPLIT_REST = [
    "The ferry company, which the council part owns, had asked for a subsidy to keep its winter timetable, and the "
    "new fares were agreed with it over the summer.",
    "Shopkeepers on the island said cheaper crossings would bring mainland customers in the quiet months, though "
    "some feared residents would shop on the mainland instead.",
    "The harbour master said the fares would be reviewed after a year, once the council has seen how many more "
    "crossings residents make.",
]  # fmt: skip
SIDEBAR = "Want our morning briefing? Enter your email address below and we will send it to you every weekday at six."


def test_a_story_that_advertisements_split_into_boxes_is_read_whole():
    """The extractors take the first box of a story that advertisements cut into three; the
    paragraphs of the boxes of the same class are the story's too, and a sidebar's are not."""
    from audio_edition.text.ingest import parse_html

    ad = '<div class="ad"><span>Advertisement</span><div class="ad-wrapper"><div id="slot"></div></div></div>'

    def box(paragraphs, cls="grid-content story-body"):
        return f'<div class="grid"><div class="{cls}">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div>"

    page = f"""<!DOCTYPE html><html><head><title>Ferry fares fall for islanders | The Harbour Courier</title></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav><main><h1>Ferry fares fall for islanders</h1>
    {box(SPLIT_FIRST)}<aside class="side">{ad}{box([SIDEBAR], "promo")}</aside>{ad}{box(SPLIT_REST[:2])}{ad}
    {box(SPLIT_REST[2:])}</main><footer>&copy; The Harbour Courier</footer></body></html>"""
    lines = {x.text: x for x in extract.read_page(page).lines}
    assert all(lines[p].votes == (extract.SAME_BOX,) for p in SPLIT_REST) and lines[SIDEBAR].votes == ()
    done = boilerplate.clean(parse_html(page), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert all(p in spoken for p in SPLIT_FIRST + SPLIT_REST) and SIDEBAR not in spoken


def test_a_story_the_page_holds_twice_is_said_once():
    """A page may hold its story twice (a copy for print, one for phones): its paragraphs are
    said the first time only. A long paragraph said twice on its own (a meal plan's dish on two
    days) is not a copy, and is said twice."""
    from audio_edition.text.ingest import parse_html

    dish = (
        "Lentil soup with a slice of rye bread and a green salad dressed with lemon, olive oil and a pinch "
        "of salt, served with a glass of buttermilk and an apple from the island's orchard."
    )
    body = "".join(f"<p>{p}</p>" for p in [SPLIT_FIRST[0], dish, SPLIT_FIRST[1], dish, SPLIT_FIRST[2]])
    page = f"""<!DOCTYPE html><html><head><title>Ferry fares fall for islanders | The Harbour Courier</title></head>
    <body><main><h1>Ferry fares fall for islanders</h1><div class="screen">{body}</div>
    <div class="print">{body}</div></main><footer>&copy; The Harbour Courier</footer></body></html>"""
    done = boilerplate.clean(parse_html(page), boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert all(spoken.count(p) == 1 for p in SPLIT_FIRST) and spoken.count(dish) == 2
    assert any(v.by == "repeated" and v.text == SPLIT_FIRST[0] for v in done.verdicts)


NEXT_STORY = [
    "Council workers began repairing the coast road on Tuesday, a week after the storm washed away a stretch "
    "of it near the lighthouse and cut off two villages.",
    "The repairs will take a month, the council said, and a temporary bus service will run along the inland "
    "road until then, every hour from six in the morning.",
]  # fmt: skip


@pytest.mark.parametrize("box", [False, True])
def test_what_readability_alone_chose_past_the_article_is_not_the_story(box):
    """On an endless page readability may run on into the next story, after the article the
    precise and recall readings end with: its lone vote there does not count, unless the line is
    in the story's own box (a story split by advertisements)."""
    lone = ("readability", extract.SAME_BOX) if box else ("readability",)
    blocks = (
        Block("heading", "Ferry fares fall for islanders", 1, ("precise", "recall")),
        *(Block("paragraph", p, 0, ("precise", "recall", "readability")) for p in SPLIT_FIRST),
        *(Block("paragraph", p, 0, lone) for p in NEXT_STORY),
    )
    story = Story("page.html", "html", blocks, title="Ferry fares fall for islanders")
    done = boilerplate.clean(story, boilerplate.Cleaning(rules=tuple(boilerplate.builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert all(p in spoken for p in SPLIT_FIRST)
    assert all((p in spoken) == box for p in NEXT_STORY)
