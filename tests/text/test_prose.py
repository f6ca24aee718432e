"""The classifier that tells a page's prose from its chrome (prose.py), on lines the tests write."""

import pytest

from audio_edition.text import prose

STORY = [
    "Harbour workers at the three container terminals voted on Sunday to end a strike that had left more than forty ships waiting outside the harbour.",
    "The union said its members had accepted a two-year agreement that raises pay and gives them a seat on a committee that will review automation.",
    "Port managers said the first vessels would berth within hours and that the backlog should be cleared by the end of the month.",
]
MENU = ["News", "World", "Business", "Opinion", "Sport", "Culture"]
TEASERS = ["Council approves new tram line", "Storm closes coastal road", "Ferry operator orders two boats"]


def lines(*texts):
    return [prose.Line(t) for t in texts]


def kept(judged):
    return [j.text for j in judged if j.in_story]


def test_the_story_is_kept_and_menus_around_it_are_not():
    judged = prose.judge(lines(*MENU, *STORY, *TEASERS))
    assert kept(judged) == STORY
    assert all("densest stretch" in j.why for j in judged if j.text in MENU + TEASERS)


def test_a_short_line_between_paragraphs_stays_with_them():
    subhead = "What comes next"
    judged = prose.judge(lines(*MENU, STORY[0], subhead, STORY[1], "Short, but a sentence.", STORY[2], *MENU))
    assert kept(judged) == [STORY[0], subhead, STORY[1], "Short, but a sentence.", STORY[2]]


def test_a_stretch_of_prose_far_from_the_story_is_not_the_story():
    footer = "The Harbour Courier is published by a cooperative of its readers and its staff, and has been since it was founded."
    judged = prose.judge(lines(*STORY, *MENU, *MENU, *MENU, footer, *MENU))
    assert kept(judged) == STORY


def test_chrome_named_elsewhere_interrupts_the_story_at_its_cost():
    ad = prose.Line("Advertisement", "advertisement: a rule")
    judged = prose.judge([prose.Line(STORY[0]), ad, prose.Line(STORY[1]), prose.Line(STORY[2])])
    assert kept(judged) == STORY and judged[1].why == "advertisement: a rule"
    # a section label costs so much that what follows it is another part of the page
    wall = prose.Line("Related stories", "section-label: a rule", 10_000)
    judged = prose.judge([prose.Line(STORY[0]), prose.Line(STORY[1]), wall, prose.Line(STORY[2])])
    assert kept(judged) == STORY[:2]


def test_a_page_with_no_prose_keeps_everything():
    judged = prose.judge(lines("Real news.", "Short lines only"))
    assert kept(judged) == ["Real news.", "Short lines only"]


def test_the_story_starts_after_its_headline():
    teaser = "A neighbouring story's summary runs long enough to read as prose, though it sits above the headline here."
    judged = prose.judge(lines(teaser, "Port strike ends", *STORY), headlines=[1])
    assert kept(judged) == STORY
    assert judged[0].why == "before the story's headline"


def test_the_stopwords_are_the_pages_language():
    german = [
        "Die Arbeiter der drei Terminals haben am Sonntag beschlossen, den Streik zu beenden, der seit mehr als einer Woche dauerte.",
        "Die Gewerkschaft sagte, dass die Mitglieder einem Vertrag zugestimmt haben, der die Löhne in diesem Jahr erhöht.",
    ]
    assert "der" in prose.stoplist_for(german) and "die" in prose.stoplist_for(german)
    assert "the" in prose.stoplist_for(STORY)


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Port strike ends - The Harbour Courier", "Port strike ends"),
        ("Port strike ends | Courier", "Port strike ends"),
        ("Opinion | Port strike ends after nine days", "Port strike ends after nine days"),
        ("Port strike: what comes next", "Port strike: what comes next"),
        ("Stepping Up", "Stepping Up"),
    ],
)
def test_site_names_come_off_page_titles(title, expected):
    assert prose.without_site(title) == expected


def test_the_headline_is_the_title_the_story_stands_under():
    page = [
        "Port strike ends after nine days - The Courier",
        *MENU,
        "Port strike ends after nine days",
        "By Marta Quell",
        *STORY,
    ]
    title, at = prose.find_headline(lines(*page), story_start=9, story=" ".join(STORY))
    assert title == "Port strike ends after nine days" and at == [0, 7]


def test_a_nav_line_first_is_not_the_headline():
    page = ["Skip navigation Latest Sections", *MENU, "Strike at the container terminals ends", *STORY]
    title, at = prose.find_headline(lines(*page), story_start=8, story=" ".join(STORY))
    assert title == "Strike at the container terminals ends" and at == [7]


def test_a_section_label_made_of_two_of_the_titles_words_is_not_the_headline():
    """ "Harbour" and "strike" are in the page title and in the story: a label of those words above
    the story is the section's name, not the story's title."""
    page = ["The Courier view on the harbour strike: the workers were right to end it | Editorial | The Courier", *MENU,
            "Harbour strike", *STORY]  # fmt: skip
    title, at = prose.find_headline(lines(*page), story_start=8, story=" ".join(STORY))
    assert title == "The Courier view on the harbour strike: the workers were right to end it" and 0 in at


def test_an_entry_of_the_storys_contents_is_not_the_headline():
    """A list of the story's sections stands above its body; one entry is part of the page title,
    but a title inside a run of four is a list's entry."""
    contents = ["What the union won at the terminals", "Why the strike ended now", "How the backlog will clear"]
    page = ["Why the strike ended now: the port's long week | The Courier", *MENU, "On this page:", *contents, *STORY]
    title, at = prose.find_headline(lines(*page), story_start=11, story=" ".join(STORY))
    assert title == "Why the strike ended now: the port's long week" and at == [0]


def test_a_first_line_that_is_a_sentence_is_no_headline():
    title, at = prose.find_headline(lines(*STORY), story_start=0, story=" ".join(STORY))
    assert title is None and at == []


def test_a_box_inside_the_story_does_not_end_it_but_a_section_after_it_does():
    box = [prose.Line("Related stories", "section-label: a rule", 400), *lines(*TEASERS[:2])]
    more = [
        "Dock workers said the new committee would meet for the first time in January, before any new cranes arrive.",
        "The shipping lines that diverted cargo said they would return to the harbour once the backlog was cleared.",
    ]
    judged = prose.judge([*lines(*STORY), *box, *lines(*more)])
    assert kept(judged) == STORY + more
    comments = [
        "I think the workers were right to hold out for the committee, and I hope it has real power this time.",
        "Nine days of this cost the whole town a fortune, and nobody has said who will pay for the lost trade.",
        "My brother works on the cranes and says the automation plan was the real fight from the very start.",
    ]
    section = [prose.Line("Comments", "section-label: a rule", 400), *lines(*MENU)]
    judged = prose.judge([*lines(*STORY), *section, *lines(*comments)])
    assert kept(judged) == STORY


def test_a_sentence_ending_with_a_colon_brings_its_table_or_list():
    intro = "The final standings of the regional league after thirty rounds, with points and wins, were as follows:"
    table = ["1 Harbour Rovers 71 22", "2 Valley United 64 19", "3 Mill Town 60 18", "4 Bridge Athletic 51 15"]
    after = [prose.Line("Share this story", "share-buttons: a rule"), *lines(*MENU)]
    judged = prose.judge([*lines(*STORY, intro, *table), *after])
    assert kept(judged) == [*STORY, intro, *table]
    assert judged[len(STORY) + 1].why == "a list the story introduced (its sentence ends with a colon)"
    # without the colon, the same rows are a menu of numbers, not the story's
    judged = prose.judge([*lines(*STORY, intro.rstrip(":") + ".", *table), *after])
    assert kept(judged) == [*STORY, intro.rstrip(":") + "."]


def test_every_language_in_the_one_table_has_the_stopwords_it_names():
    """languages.py is the one table of languages: each list it names exists (jusText's or
    stopwords-iso's) and is what prose.py uses for its code."""
    from audio_edition.languages import LANGUAGES
    from audio_edition.text import prose

    for code, language in LANGUAGES.items():
        if language.stoplist:
            assert len(prose._stoplist(language.stoplist)) >= 50, code
            assert prose.STOPLISTS[code] == language.stoplist
        else:
            assert code not in prose.STOPLISTS


HEADLINE = "Port strike ends after nine days"
TEASER_PROSE = [
    "Ferry operator orders two new boats for the island routes, and says they will sail by the spring of next year.",
    "The council approved a new tram line on Tuesday that will link the harbour to the station within four years.",
]


def test_a_headline_repeated_in_a_list_under_the_story_does_not_restart_it():
    page = lines(*MENU, HEADLINE, *STORY, "In this series", HEADLINE, *TEASER_PROSE)
    said = kept(prose.judge(page, headlines=[len(MENU), len(MENU) + 5]))
    assert said[: len(STORY)] == STORY


def test_teasers_above_the_headline_that_outweigh_the_story_do_not_start_it():
    teasers = [
        "Ferry fares rise again HARBOURTON: The island ferry will cost more from May, the operator said on Monday, for the third year.",
        "Tram line approved HARBOURTON: The council voted on Tuesday for a tram line from the harbour to the station, to open in 2029.",
        "New fish market opens HARBOURTON: Traders moved into the rebuilt fish market on the quay on Wednesday after two years away.",
        "Lighthouse for sale HARBOURTON: The old lighthouse on the breakwater will be sold at auction next month, the port board said.",
    ]
    page = lines(HEADLINE, *MENU, *teasers, HEADLINE, *STORY, *MENU)
    assert kept(prose.judge(page, headlines=[0, len(MENU) + len(teasers) + 1])) == STORY


#: Sentences written for these tests: a story in Zulu, which no stopword list here knows.
ZULU = [
    "Abasebenzi basechwebeni eThekwini bavotile ngeSonto ukuthi baqede isiteleka esithathe amasonto amabili, kusho inyunyana yabo.",
    "Inyunyana ithe amalungu ayo amukele isivumelwano seminyaka emibili esikhuphula amaholo futhi esibanika isihlalo ekomidini.",
    "Abaphathi bechweba bathi imikhumbi yokuqala izongena ezinsukwini ezimbalwa, futhi umsebenzi osalele uzophela ekupheleni kwenyanga.",
    "Umholi wenyunyana uthe amalungu ayo akhathele ukulinda, kodwa isivumelwano esisha siyisinyathelo esihle kubasebenzi bonke.",
    "Abanikazi bezitolo eduze kwechweba bathe bajabule kakhulu ngoba amakhasimende abo azobuya masinyane emva kwesiteleka eside.",
    "Kulindeleke ukuthi uNgqongqoshe wezokuThutha avakashele ichweba ngoLwesibili ukuze akhulume nabasebenzi kanye nabaphathi.",
    "Izikhulu zedolobha zithe zizoqapha isimo ngokucophelela futhi zizokwazisa umphakathi uma kukhona izinguquko ezintsha.",
]


def test_a_story_in_a_language_no_stoplist_knows_is_judged_by_length_and_shape():
    cookies = "We use cookies to improve your experience on our site, and by continuing to browse you agree to the use of them."
    page = lines(cookies, *MENU, *ZULU, *MENU)
    assert kept(prose.judge(page)) == ZULU


def test_a_long_line_that_says_a_few_words_over_and_over_is_a_list():
    """An archive's "Select Month October 2026 September 2026 ..." is all stopwords to jusText's
    English list (it holds the months), and as long as a paragraph: it is a list all the same."""
    months = ["December", "November", "October", "September", "August", "July", "June", "May", "April", "March"]
    archive = "Select Month " + " ".join(f"{m} {y}" for y in range(2026, 2022, -1) for m in months)
    assert prose.repeating(archive.lower().split()) and not prose.repeating(" ".join(STORY).lower().split())
    judged = prose.judge(lines(archive, *STORY, *MENU))
    assert kept(judged) == STORY


#: A sidebar of other stories: each line a headline and its subtitle, or its opening words cut
#: short; long, full of stopwords, and none of them ends a sentence.
SIDEBAR = [
    "Ferry operator orders two new boats for the island route as the old ones are sold to a company in the north",
    "The lighthouse on the breakwater will be sold at auction next month, and the port board says the bids are...",
    "Council approves a tram line from the harbour to the station that will open in 2029 if the money is found",
    "Fish market traders move back into the rebuilt hall on the quay after two years in a car park by the river",
    "Why the harbour's oldest pub is closing its doors after a hundred and forty years, and what will be there…",
    "A night on the dredger that keeps the channel open for the biggest ships to come in and out of the port",
]


def test_a_run_of_long_lines_that_end_no_sentence_is_a_list_of_other_stories():
    judged = prose.judge(lines(*MENU, *STORY, *MENU, *SIDEBAR, *SIDEBAR, *MENU))
    assert kept(judged) == STORY
    # a few such lines in a row are a story's subheadings, or a list it gives
    judged = prose.judge(lines(*MENU, STORY[0], *SIDEBAR[:4], STORY[1], STORY[2], *MENU))
    assert kept(judged) == [STORY[0], *SIDEBAR[:4], STORY[1], STORY[2]]


def test_a_menu_inside_the_storys_stretch_is_not_spoken():
    """The densest stretch may run across a share bar or a tag list between two paragraphs; its
    lines are not prose and are not said (only a list a sentence introduces is)."""
    bar = ["Share", "More on", "strike ferry"]
    last = "The ferry company said its timetable would be back to normal on Tuesday, after nine days of cancelled crossings."
    judged = prose.judge(lines(*MENU, STORY[0], STORY[1], *bar, STORY[2], last, *MENU))
    assert kept(judged) == [*STORY, last]


#: A Chinese story the tests write: paragraphs of several sentences, few of whose characters are
#: in stopwords-iso's Chinese list (a story of names, places and figures).
ZH_STORY = [
    "海岛渡轮周一恢复运营，结束为期一个月的船坞检修。新船停靠码头后，首班航次早上七点前满员。港务局表示，新发动机使单程航程缩短十分钟，冬季时刻表下周启用，每天增开两班。",
    "岛上中学生每天乘船前往大陆学校，家长普遍欢迎新时刻表。港务局局长介绍，票价保持不变，学生月票继续半价。首周客流预计超过五千人次，码头增设两个售票窗口。",
    "码头附近商户上月停航期间收入大幅下降。咖啡馆老板估计，营业额减少近一半，市场摊贩同样损失惨重。商会呼吁地方政府提供临时补贴，帮助小商户渡过难关。",
    "地方政府计划明年春季改建候船大厅。工程预算约三百万元，施工期间旅客将在临时大棚候船。设计方案下月公示，居民可通过社区服务中心提交意见，截止日期为月底。",
]
ZH_MENU = ["首页", "新闻", "财经", "体育", "娱乐", "科技"]


def test_a_chinese_paragraph_of_sentences_is_prose_whatever_its_stopwords():
    """Per character, a CJK stopword list covers less of a story than jusText's lists cover of a
    spaced language's: these paragraphs hold 0.15 to 0.25 stopwords. A long line of two sentences
    or more is prose; a long line of one (a headline with its summary) is judged as before."""
    stops = prose._stoplist("Chinese")
    densities = [prose._initial(p, stops, prose.thresholds())[1] for p in ZH_STORY]
    assert max(densities) < prose.thresholds().stopwords_low
    assert all(prose._initial(p, stops, prose.thresholds())[0] == prose.GOOD for p in ZH_STORY)
    one = ZH_STORY[0].replace("。", "，")[:-1] + "。"
    assert prose._initial(one, stops, prose.thresholds())[0] != prose.GOOD
    # an advertisement between two paragraphs does not cut the story after the first
    ad = prose.Line("广告", chrome="advertisement: a boilerplate rule", cost=40)
    page = [*lines(*ZH_MENU), *lines(*ZH_STORY[:2]), ad, *lines(*ZH_STORY[2:]), *lines(*ZH_MENU)]
    assert kept(prose.judge(page, stops)) == ZH_STORY


def test_a_chinese_headline_above_the_story_is_found_though_it_has_no_spaces():
    """A Chinese headline is one unspaced run: counted a word for every two characters, and
    matched to the story by its pairs of characters, it is the title a menu line is not."""
    headline = "候船大厅明年春季改建"
    page = [*ZH_MENU, "欢迎访问本站", headline, *ZH_STORY]
    title, at = prose.find_headline(lines(*page), story_start=8, story="".join(ZH_STORY))
    assert title == headline and at == [7]
    # a headline ends no sentence: the story's first line is not one
    assert prose.find_headline(lines(*ZH_STORY), story_start=0, story="".join(ZH_STORY)) == (None, [])


def test_a_caption_between_the_first_paragraph_and_the_rest_does_not_make_it_a_teaser():
    """A paragraph with prose on neither side counts for little (a teaser under its headline);
    past one line that is not prose (a photo's caption), a paragraph that has prose beside it
    keeps the first one company. A teaser's blurb past the next teaser's headline does not."""
    caption = "Dock workers at the Northern Container Terminal, Port Alma, Sunday 3 November 2026 (Photo: Ana Reis)"
    judged = prose.judge(lines(*MENU, STORY[0], caption, *STORY[1:], *MENU))
    assert kept(judged) == STORY
    # a list of teasers: each blurb alone under its headline, and the list is not the story
    blurbs = [s.replace("Harbour", "Ferry") for s in STORY]
    listing = [line for pair in zip(TEASERS, blurbs) for line in pair]
    judged = prose.judge(lines(*STORY, *MENU, *MENU, *listing, *MENU))
    assert kept(judged) == STORY


def test_a_lead_above_a_box_of_ads_begins_the_story():
    """The story's first two paragraphs, then a box of job ads, then the rest: the lead alone is
    under first_stretch's share of the denser rest, but past a short interruption it joins it, as
    a smaller stretch after a box continues the story. Behind a wall (a section label) it would not."""
    lead = [
        "Nine days after it began, the strike at Port Alma is over: the workers at all three of its terminals voted on Sunday to go back to work.",
        "The vote was clear, the union said, and the first shift would start at six on Monday morning, with the cranes running by seven.",
    ]  # fmt: skip
    ads = [
        "Senior harbour pilot for container vessels (m/f/d)",
        "Port Alma Northern Terminal Operations Ltd, Port Alma",
        "Crane operator for the night shift, full time (m/f/d)",
        "Alma Harbour Logistics and Warehousing Company, Alma",
        "More jobs at the port: see all the vacancies this week",
    ]
    rest = [
        *STORY,
        "Dock workers said the new committee would meet for the first time in January, before any new cranes arrive.",
        "The shipping lines that diverted cargo said they would return to the harbour once the backlog was cleared.",
        "Shops along the quay said the strike had cost them a third of their takings in the busiest month of the year.",
        "The council said it would ask the port for a plan to keep the harbour open during any dispute in the future.",
        "Hauliers who had parked their lorries on the ring road for a week were told they could enter the port on Tuesday.",
        "The agreement will be signed at the port offices on Wednesday, in the presence of the mayor and both negotiators.",
        "Ferry passengers, who had used a temporary landing stage north of the town, will board at the main quay again.",
        "Fishermen said the strike had barely touched them, since their boats land at the old harbour across the bay.",
    ]  # fmt: skip
    page = lines("Port strike ends", *lead, *ads, *rest)
    assert kept(prose.judge(page, headlines=[0])) == lead + rest
    walled = [*page[:3], prose.Line("Most read", "section-label: a rule", 400), *page[3:]]
    assert kept(prose.judge(walled, headlines=[0])) == rest


LONG_STORY = [
    *STORY,
    "Shipping lines had diverted some of their cargo to ports further along the coast, where it was loaded onto trucks at a cost they said they could not bear for long.",
    "The strike began after the port authority announced automated cranes for the largest terminal, which the union said would cost hundreds of jobs over five years.",
    "Under the agreement, no worker will lose a job to the cranes before the contract ends, and those whose work changes will be trained for the machines on full pay.",
    "A spokesman for the port authority said the deal was fair to both sides and that the automation would go ahead as planned, though more slowly than it had hoped.",
    "Traders in the city said they were relieved, as shelves in some shops had begun to empty of goods that arrive by sea in the weeks before the holidays.",
    "The two sides will meet again in the spring to agree on how the committee should work, and who from outside the port should sit on it as its chair.",
    "The last strike at the port, eleven years ago, lasted three weeks and ended when the government stepped in and asked a judge to settle the dispute.",
]
#: Other stories under the story, each a long headline over its blurb: as much prose as a paragraph.
TEASER_LIST = [
    "Council approves a new tram line to the airport after a long debate in the chamber",
    "The line will run every ten minutes from the main station and is due to open in three years, the council said after a vote on Tuesday.",
    "Storm closes the coastal road for the second time in a month as the waves rise again",
    "Waves washed stones and sand over the road near the lighthouse, and engineers will inspect the sea wall before it opens again to traffic.",
    "Ferry operator orders two electric boats for the crossing to the islands in the bay",
    "The boats will carry up to four hundred passengers each and will be charged at the quay while they load, the operator said in a statement.",
]


def test_a_list_of_teasers_past_a_long_run_of_chrome_is_not_the_story():
    # the teasers' prose outweighs what the menus between them and the story cost, but fifteen
    # lines of chrome in a row end a run of prose: the list is a stretch of its own, and a small one
    judged = prose.judge(lines(*LONG_STORY, *MENU, *MENU, *MENU, *TEASER_LIST))
    assert kept(judged) == LONG_STORY
    assert all("densest stretch" in j.why for j in judged if j.text in TEASER_LIST)
