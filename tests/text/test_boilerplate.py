import dataclasses
import textwrap

import pytest

from audio_edition.errors import InputError, UsageError
from audio_edition.text import boilerplate, ingest
from audio_edition.text.ingest import Block

RULES = boilerplate.builtin_rules()


@pytest.mark.parametrize(
    "line, rule",
    [
        ("Listen to Today's Edition:", "player-label"),
        ("Listen to Today’s Edition", "player-label"),
        ("0:00 0:00", "player-readout"),
        ("0:00 12:34 100", "player-readout"),
        ("100", "player-volume"),
        ("Subscribe today and GlobalPost will be in your inbox the next weekday morning", "subscribe-call"),
        (
            "Join us today and pay only $32.95 for an annual subscription, or less than $3 a month.",
            "subscribe-call",
        ),
        ("And you get a free two-week trial with no obligation to continue.", "free-trial"),
        ("Copy link", "share-buttons"),
        ("Advertisement", "advertisement"),
        ("Photo: Karim Benali/Reuters", "photo-credit"),
        ("Harbour Courier 2026. Alle Rechte vorbehalten.", "rights-reserved"),
        ("Tous droits réservés Harbour Courier", "rights-reserved"),
        ("港口信使 版权所有 不得转载", "rights-reserved"),
        ("Все права защищены.", "rights-reserved"),
    ],
)
def test_chrome_lines_are_dropped_by_the_named_rule(line, rule):
    dropped = []
    assert boilerplate.clean_line(line, RULES, dropped) == ""
    assert dropped[0].rule == rule


@pytest.mark.parametrize(
    "line",
    [
        "Officials plan to send 1,000 security officers to the Caribbean country.",
        "The deal, valued at $1.2 billion, follows months of talks.",
        "Kenya volunteered to lead an international force to Haiti in 2023.",
        "Listeners in 100 countries tuned in.",
        "The talks ended at 9:30 p.m. without a deal.",
        "Readers can subscribe to updates from the commission, officials said.",
        "The author's lawyers said the film rights were reserved for her estate until 2030.",
        "Les også fiskerne sier at fergen kom tilbake i tide til vintersesongen, skriver avisen.",
        "The regulator said the ferry company's app had stored advertising identifiers on users' devices.",
        "Vor 3 Stunden hatte der Rat beschlossen, die Fähre bis zum Frühjahr zu stoppen.",
        "Fares > costs > subsidies: the council's chart of the ferry's money ran to three pages.",
    ],
)
def test_story_lines_are_kept(line):
    assert boilerplate.clean_line(line, RULES, []) == line


def test_glued_copy_link_is_cut_from_the_end():
    assert boilerplate.clean_line("to continue.Copy link", RULES, []) == "to continue."


def _clean(text: str, **options) -> boilerplate.Cleaned:
    from audio_edition.text.ingest import parse_text

    return boilerplate.clean(parse_text(text), boilerplate.Cleaning(rules=tuple(RULES), **options))


def test_reference_page_chrome(reference_page):
    from audio_edition.text.ingest import read_story

    story = read_story(str(reference_page))
    done = boilerplate.clean(story, boilerplate.Cleaning(rules=tuple(RULES)))
    text = " ".join(b.text for b in done.blocks).lower()
    for chrome in ("listen to today", "0:00", "subscribe today", "32.95", "free two-week trial", "copy link"):
        assert chrome not in text
    assert "restore normalcy" in text and "ended bitterly" in text
    assert done.title == "Stepping Up" and "stepping up" not in text.split(".")[0]
    assert {d.rule for d in done.dropped} >= {"player-label", "player-readout", "subscribe-call", "free-trial"}


def test_newsroom_rules_file_adds_rules(tmp_path):
    from audio_edition.text.ingest import Story

    rules_file = tmp_path / "ours.toml"
    rules_file.write_text("[[rule]]\nname = \"tip-line\"\npattern = '''Our tip line is open .*'''\n")
    rules = boilerplate.load_rules((rules_file,))
    blocks = (Block("paragraph", "Real news."), Block("paragraph", "Our tip line is open at tips@example.org"))
    done = boilerplate.clean(Story("t", "text", blocks), boilerplate.Cleaning(rules=tuple(rules)))
    assert [b.text for b in done.blocks] == ["Real news."]
    assert done.dropped[0].rule == "tip-line"


def test_keep_boilerplate_means_no_rules():
    assert boilerplate.load_rules((), builtin=False) == []


@pytest.mark.parametrize(
    "line, rule",
    [
        ("By Jamelle Quist", "byline"),
        ("By Tess Marlow - 11/19/19 06:56 AM EST", "byline"),
        ("Nov. 19, 2019 8:03 am ET", "dateline"),
        ("Updated: 18 November 2026", "dateline"),
        ("2 days ago", "dateline"),
        ("5 min read", "dateline"),
        ("Most Popular Articles", "section-label"),
        ("Tags: harbor, unions", "section-label"),
        ("Leave a Comment", "comment-chrome"),
        ("Download the Daily Lantern app for breaking news alerts.", "call-to-action"),
        ("Breaking News Emails", "call-to-action"),
        ("Protesters gather at the gate (Image: GETTY)", "caption-credit"),
        ("The bridge at dusk. Photo: Ines Alder/The Valley Post", "caption-credit"),
        ("(Reporting by Lena Marchetti; Editing by Paul Okafor)", "reporting-credit"),
        ("SEE MORE: Harbor strike ends after nine days", "teaser-link"),
        ("We use cookies to improve your experience. By continuing you agree to our terms.", "privacy-notice"),
        ("[Answers at the bottom of this newsletter]", "social-and-account"),
        ("Listen to Today's Edition: 0:00 0:00 100", "player-label"),
        ('[button link="https://example.org/tips" type="big"] Send us your photos[/button]', "shortcode"),
        ("Get The Valley Post at your door every week. 12 issues for £9.99. Click here to order.", "call-to-action"),
        ("Tell us what YOU think...", "call-to-action"),
        ("Like this story? Share it with a friend!", "call-to-action"),
        ("Get access to the Harbor Ledger's premium reports for as little as $2 a month.", "call-to-action"),
        ("Ines Alder's book on river towns is out now. Follow her on Twitter @inesalder.", "call-to-action"),
        ("Also on valleypost.org Ferry workers vote to end their strike", "teaser-link"),
        ("Related post: How the old ferry was built", "teaser-link"),
        ("Ferry strike ends after nine days [INSIGHT]|", "teaser-link"),
        ("Les også: Fergestreiken er over etter ni dager", "teaser-link"),
        ("À lire aussi La grève du ferry prend fin", "teaser-link"),
        ("Lesen Sie auch:", "teaser-link"),
        ("Czytaj więcej", "teaser-link"),
        ("Media playback is unsupported on your device", "consent-notice"),
        ("Your Privacy Choices", "consent-notice"),
        ("{ 21 comments… read them below or add one }", "section-label"),
        ("16 Comments (+add yours?)", "section-label"),
        ("首页 > 港口新闻 > 渡轮", "breadcrumb"),
        ("Home » World » Europe", "breadcrumb"),
        (
            "The storage of information, or access to information already stored, on your device such as "
            "advertising identifiers and cookies.",
            "consent-notice",
        ),
        ("Information about your use of this service is shared with our partners.", "consent-notice"),
        ("You may also like...", "section-label"),
        ("Tempo de leitura: 3 minutos", "dateline"),
        ("Publié le 09/03/2026 - 19:05 UTC+1", "dateline"),
        ("Veröffentlicht am 9. März 2026, 19:05 Uhr", "dateline"),
        ("Sist oppdatert mandag 9. mars 2026", "dateline"),
        ("vor 3 Stunden", "dateline"),
        ("Heute, 07:09 Uhr", "dateline"),
        ("il y a 2 heures", "dateline"),
        ("for 2 timer siden", "dateline"),
        ("Stand: 9. März 2026, 19:05 Uhr", "dateline"),
        ("Ines Alder, Porto, 3 days ago", "comment-signature"),
        ("Harbour / 10 h ago", "comment-signature"),
        ("Fährfreund vor 2 Stunden", "comment-signature"),
        ("by ferrywatcher about 1 month ago", "comment-signature"),
        ("12 Kommentare", "section-label"),
        ("Commenti", "section-label"),
        ("Kommentare öffnen", "section-label"),
        ("5 comentarios", "section-label"),
        ("Das könnte Sie auch interessieren", "section-label"),
        ("Lo más leído", "section-label"),
        ("Sur le même thème", "section-label"),
        ("Die Fähre am Abend. Foto: Ines Alder", "caption-credit"),
        ("Le ferry au port, lundi. Crédit : Rui Santos", "caption-credit"),
        ("Par Ines Alder", "byline"),
        ("Von Ines Alder und Rui Santos", "byline"),
        ("Por Ines Alder, enviada especial", "byline"),
        ("Listen to Harbor Hour live at 12:45 on weekdays.", "call-to-action"),
        ("Clique na imagem acima e veja o mapa do porto.", "call-to-action"),
        (
            "Clique e saiba os horários das balsas da semana, os preços das passagens, as paradas em cada porto, o "
            "tempo de cada travessia, o que levar a bordo, onde estacionar o carro e tudo o que mudou no inverno, "
            "com o mapa completo do porto e as dicas dos nossos repórteres.",
            "call-to-action",
        ),
        ("GET THE VALLEY POST ON YOUR PHONE BY CLICKING HERE", "call-to-action"),
        ("Image caption The ferry at its pier in the old harbor", "caption-credit"),
        ("Dock workers leave the terminal after the vote. (AP Photo/Ines Alder, File)", "caption-credit"),
        ("A ferry waits at the pier as the strike goes on. Getty", "caption-credit"),
        ("Ferry crossings per month, 2015 to 2026. Statista", "caption-credit"),
        ("Continue Reading Below", "social-and-account"),
        ("chevron_left Browse All Posts", "social-and-account"),
        ("Lascia un commento Annulla risposta", "comment-chrome"),
        ("Utilizziamo i cookie per migliorare la tua esperienza sul nostro sito.", "privacy-notice"),
    ],
)
def test_more_chrome_is_named(line, rule):
    dropped = []
    assert boilerplate.clean_line(line, RULES, dropped) == ""
    assert dropped[-1].rule == rule


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the week, the talks had collapsed.",
        "By Tuesday the river had risen two metres, and the ferry was stopped.",
        "Par ailleurs, le port rouvrira lundi.",
        "Von Montag an fährt die Fähre wieder.",
        "Publié en 2019, le rapport de la commission a été suivi de trois grèves au port.",
        "The photo shows the bridge at dusk, when the lanterns are lit.",
        "Readers can subscribe to updates from the commission, officials said.",
        "Police said the comments were made on Monday.",
        "Most of the delegates left before the vote.",
        "The newsletter, which has 40,000 readers, was founded in 2019 by two reporters.",
        "Also on Monday, the council voted to rebuild the old ferry pier.",
        "Fans follow the band closely, and tickets sold out within an hour.",
        "The code of conduct was changed in 2021 after the strike.",
        "Learn more about the ferry at the harbor museum, the mayor said.",
        "Listeners who tuned in heard the captain describe the storm.",
        "The union's leader told Reuters that the vote was close.",
        "She worked for AP for a decade before she joined the Valley Post.",
        "The ferry left the harbour 3 days ago.",
        "Die Fähre fuhr vor 3 Stunden ab, sagte der Kapitän.",
        "Zwölf Kommentare gingen bei der Stadt ein, die meisten gegen den Plan.",
        "Die Fotos zeigen die Fähre: Foto und Film sind im Museum zu sehen.",
    ],
)
def test_story_sentences_that_look_like_chrome_are_kept(line):
    assert boilerplate.clean_line(line, RULES, []) == line


@pytest.mark.parametrize(
    "content, message",
    [
        ('[[rule]]\nname = "x"\n', "needs a name and a pattern"),
        ('[[rule]]\nname = "x"\npattern = "("\n', "not a valid regular expression"),
        ('[[rule]]\nname = "x"\npattern = "a"\nscope = "page"\n', "scope"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_rules_files(tmp_path, content, message):
    f = tmp_path / "r.toml"
    f.write_text(content)
    with pytest.raises(UsageError, match=message):
        boilerplate.load_rules((f,))


def test_all_chrome_is_an_input_error():
    with pytest.raises(InputError, match="nothing left"):
        _clean("Copy link")


def test_the_editor_forces_lines_in_and_out():
    page = "Talks resume\n\nDelegates met on Monday and agreed to meet again in a month, officials said on the record.\n\nCopy link\n\nThe river is low."
    done = _clean(page, keep=("copy LINK",), drop=("river is low",))
    kept = [v.text for v in done.verdicts if v.kept]
    assert "Copy link" in kept and "The river is low." not in kept
    reasons = {v.text: (v.by, v.reason) for v in done.verdicts}
    assert reasons["Copy link"] == ("editor", "kept by the editor (--keep 'copy LINK')")
    assert reasons["The river is low."][0] == "editor"


def test_keep_boilerplate_speaks_everything_but_a_headline():
    page = "Talks resume\n\nHome\nWorld\nSport\n\nDelegates met on Monday and agreed to meet again."
    done = boilerplate.clean(ingest.parse_text(page), boilerplate.Cleaning(rules=(), classify=False))
    assert [v.text for v in done.verdicts if v.kept] == [
        "Talks resume",
        "Home",
        "World",
        "Sport",
        "Delegates met on Monday and agreed to meet again.",
    ]


def test_a_byline_gives_the_author_and_is_not_spoken():
    done = _clean(
        "Harbor talks\n\nBy Ines Okonkwo and Sam Lee, Reuters\n\n"
        + "Officials met again on Tuesday, and both sides said the talks had gone well. " * 3
    )
    assert done.author == "Ines Okonkwo and Sam Lee"
    assert not any(v.kept for v in done.verdicts if v.text.startswith("By "))


def test_lines_on_other_stories_of_the_edition_are_chrome():
    from audio_edition.text.template import digest

    pitch = "Our reporters cover the region every day and your support keeps them in the field, thank you for reading."
    page = (
        "Harbor talks\n\n"
        + "Officials met again on Tuesday, and both sides said the talks had gone well for once. " * 3
        + "\n\n"
        + pitch
    )
    done = _clean(page, elsewhere={digest(pitch): 2})
    verdict = next(v for v in done.verdicts if v.text == pitch)
    assert not verdict.kept and verdict.by == "edition" and "2 other stories" in verdict.reason
    assert next(v for v in _clean(page).verdicts if v.text == pitch).kept  # without the edition, it is prose


@pytest.mark.parametrize("sample", ["harbor-deal.txt", "river-talks.md", "solar-grid.html"])
def test_three_page_shapes_lose_their_chrome_end_to_end(sample):
    """Plain text, a Markdown newsletter and a CMS page (nav, script, figure, ad, aside, footer)."""
    from audio_edition import BuildSettings, prepare
    from audio_edition.voice.engines import create

    from conftest import SAMPLES

    settings = BuildSettings()
    prep = prepare([str(SAMPLES / sample)], settings, engine=create(settings.engine))
    spoken = " ".join(p.text for p in prep.document.paragraphs).lower()
    for chrome in (
        "listen to today", "0:00", "subscribe today", "32.95", "free two-week trial", "copy link",
        "advertisement", "photo:", "reuters", "related", "all rights reserved", "window.analytics", "home world",
    ):  # fmt: skip
        assert chrome not in spoken, (sample, chrome)
    assert len(prep.document.paragraphs) >= 4


_STORY = (
    "Delegates met on Monday and agreed to meet again in a month, officials said after the talks ended.",
    "Both sides said the talks had gone better than expected and that a deal was within reach by spring.",
)


def _voted(*lines: str) -> ingest.Story:
    blocks = tuple(Block("paragraph", t, votes=("precise", "recall", "readability")) for t in lines)
    return ingest.Story("x.html", "html", blocks, title="Border talks to resume next month")


def test_html_lines_the_markup_marks_as_captions_links_or_the_h1_are_not_spoken():
    caption = "Delegates arrive at the border post on Monday morning as the talks begin again."
    link = "Ten years of talks on the border between the two countries, in pictures and maps"
    h1 = "Border negotiators agree on a date for a new round"
    story = _voted(*_STORY, caption, link, h1)
    blocks = tuple(
        dataclasses.replace(b, caption=b.text == caption, linked=1.0 if b.text == link else 0.0)
        if b.text != h1
        else dataclasses.replace(b, kind="heading", level=1)
        for b in story.blocks
    )
    done = boilerplate.clean(dataclasses.replace(story, blocks=blocks), boilerplate.Cleaning())
    reasons = {v.text: v.reason for v in done.verdicts if not v.kept}
    assert [b.text for b in done.blocks] == list(_STORY)
    assert "caption" in reasons[caption] and "link to another page" in reasons[link] and "h1" in reasons[h1]


@pytest.mark.parametrize("words", ["Bare", "Road map", "www.border-talks.example"])
def test_a_short_link_is_the_storys_own_words(words):
    """A product's name or a bare address, linked, is still the story's (the threshold is three words)."""
    story = _voted(*_STORY, words)
    blocks = tuple(dataclasses.replace(b, linked=1.0) if b.text == words else b for b in story.blocks)
    done = boilerplate.clean(dataclasses.replace(story, blocks=blocks), boilerplate.Cleaning())
    assert words in [b.text for b in done.blocks]


def test_the_storys_own_card_is_not_spoken_but_a_paragraph_opening_with_its_headline_is():
    card = "Border talks to resume next month " + _STORY[0][:60]
    done = boilerplate.clean(_voted(card, *_STORY), boilerplate.Cleaning())
    assert [b.text for b in done.blocks] == list(_STORY)
    assert next(v for v in done.verdicts if v.text == card).by == "headline"
    # Its opening words are said nowhere else: not a card, but the story's own first paragraph.
    alone = "Border talks to resume next month, the two governments said in a joint statement on Sunday."
    assert alone in [b.text for b in boilerplate.clean(_voted(alone, *_STORY), boilerplate.Cleaning()).blocks]


def test_a_long_reader_comment_after_a_short_story_is_not_spoken():
    """A blog post of two paragraphs and a thread whose longest comment is longer than the post:
    the densest stretch of prose was the comment. The thread starts at its label (or its first
    signature) once the page shows two signatures, and nothing after it is the story."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    long_comment = " ".join(
        ["I have taught in village schools for twenty years and I can tell you that the ferry matters more "
         "than any of the officials in the capital seem to understand, because every child on the island "
         "depends on it to reach the secondary school on the mainland every single morning."] * 4
    )  # fmt: skip
    page = (
        "Island Notes\n\nThe ferry is back\n\nThe island's ferry returned to service on Monday after a month in dry dock, "
        "and the first crossing was full by seven in the morning.\n\nThe harbour master said the new engines cut the "
        "crossing by ten minutes and would run on the winter timetable from next week.\n\n"
        "Comments\n\n" + long_comment + "\n\nPosted by: Ana | November 3, 2026 at 08:12 AM\n\n"
        "Good news for the market traders, who lost a month of sales.\n\nPosted by: Rui | November 3, 2026 at 09:40 AM\n"
    )  # fmt: skip
    done = clean(parse_text(page, "post.txt"), Cleaning(rules=tuple(builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert "returned to service on Monday" in spoken and "winter timetable" in spoken
    assert "village schools" not in spoken and "market traders" not in spoken


@pytest.mark.parametrize(
    "signature",
    [
        "by {name} on November {day}, 2026 at 8:{day}2 am. Reply #",
        "{n}. {name} - November {day}, 2026",
        "#{n}.1 - Tue Nov {day}, 2026 5:30 PM EST {handle}",
        "{name} on {day} November 2026 at 10:15 said:",
    ],
)
def test_a_thread_signed_with_names_and_dates_is_not_spoken(signature):
    """Comments signed by a name and a date (numbered or not, with or without "Reply") are a
    thread; a story's own dated sentences are not signatures."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    story = [
        "The island's ferry returned to service on November 3, 2026 after a month in dry dock, and the first "
        "crossing was full by seven in the morning.",
        "On 10 November 2026 the harbour master said the new engines cut the crossing by ten minutes.",
    ]  # fmt: skip
    comments = [
        "I have taught in village schools for twenty years and the ferry matters more than any official seems "
        "to understand, because every child on the island depends on it to reach the mainland school.",
        "Good news for the market traders, who lost a month of sales while the boat was in dry dock.",
        "My brother runs the cafe by the quay and he says the queue for the first boat reached the church.",
    ]  # fmt: skip
    thread = []
    for n, (name, comment) in enumerate(zip(["Ana Reis", "rui", "Marta K"], comments), 1):
        handle = name.replace(" ", "-").lower() + "-29981"
        thread += [signature.format(name=name, day=n + 3, n=n, handle=handle), comment]
    page = "Island Notes\n\nThe ferry is back\n\n" + "\n\n".join(story + ["3 comments", *thread]) + "\n"
    done = clean(parse_text(page, "post.txt"), Cleaning(rules=tuple(builtin_rules())))
    spoken = " ".join(b.text for b in done.blocks)
    assert all(s in spoken for s in story)
    assert not any(c[:30] in spoken for c in comments)


def test_a_thread_signed_by_names_alone_starts_at_its_comment_count():
    """Under "{ 3 comments }" the commenters' names stand alone, and they repeat (they answer one
    another): the count opens the thread. A count with no repeated names below it opens nothing."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    story = [
        "The island's ferry returned to service on Monday after a month in dry dock, and the first crossing "
        "was full by seven in the morning.",
        "The harbour master said the new engines cut the crossing by ten minutes and would run all winter.",
    ]  # fmt: skip
    comments = [
        "I have taught in village schools for twenty years and the ferry matters more than any official seems "
        "to understand, because every child on the island depends on it.",
        "Thanks Ana, my brother runs the cafe by the quay and he says the queue reached the church.",
        "It was worth the wait, the new boat is quieter and the cafe on board has proper coffee now.",
    ]  # fmt: skip
    thread = ["Ana Reis", comments[0], "Rui", comments[1], "Ana Reis", comments[2], "Rui"]
    page = "Island Notes\n\nThe ferry is back\n\n" + "\n\n".join([*story, "{ 3 comments }", *thread]) + "\n"
    spoken = " ".join(
        b.text for b in clean(parse_text(page, "post.txt"), Cleaning(rules=tuple(builtin_rules()))).blocks
    )
    assert all(s in spoken for s in story) and not any(c[:30] in spoken for c in comments)

    # a count inside the story (its share bar) with no names below it cuts nothing
    more = "Tickets for the winter timetable go on sale at the harbour office from Friday morning."
    inline = "Island Notes\n\nThe ferry is back\n\n" + "\n\n".join([story[0], "3 comments", story[1], more]) + "\n"
    done = clean(parse_text(inline, "post.txt"), Cleaning(rules=tuple(builtin_rules())))
    assert all(s in " ".join(b.text for b in done.blocks) for s in [*story, more])


@pytest.mark.parametrize(
    "count", ["3 comments to The ferry is back", "3 Responses to “The ferry is back”", "Comments (3)"]
)
def test_a_thread_of_names_and_time_stamps_starts_at_its_comment_count(count):
    """Under a comment count (with the post's title, or the count in brackets) each comment is a
    name and a time stamp, on a line each or on one: the count opens the thread, though neither
    the names nor the stamps sign a comment alone. A story's own stamp stands above its count."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    story = [
        "The island's ferry returned to service on Monday after a month in dry dock, and the first crossing "
        "was full by seven in the morning.",
        "The harbour master said the new engines cut the crossing by ten minutes and would run all winter.",
        "Tickets for the winter timetable go on sale at the harbour office from Friday morning, she said.",
    ]  # fmt: skip
    comments = [
        "I have taught in village schools for twenty years and the ferry matters more than any official seems "
        "to understand, because every child on the island depends on it.",
        "My brother runs the cafe by the quay and he says the queue for the first boat reached the church.",
        "It was worth the wait, the new boat is quieter and the cafe on board has proper coffee now.",
    ]  # fmt: skip
    thread = []
    for n, (name, comment) in enumerate(zip(["Ana Reis", "Rui Costa", "Marta"], comments)):
        stamp = f"November {n + 4}th, 2026 at 1{n}:36 pm"
        thread += [name, stamp, comment] if n % 2 else [f"{name} {stamp}", comment]  # or on one line
    head = ["Island Notes", "The ferry is back", "November 3rd, 2026 at 9:15 am"]
    page = "\n\n".join([*head, *story, count, *thread]) + "\n"
    spoken = " ".join(
        b.text for b in clean(parse_text(page, "post.txt"), Cleaning(rules=tuple(builtin_rules()))).blocks
    )
    assert all(s in spoken for s in story) and not any(c[:30] in spoken for c in comments)


def test_a_scrape_with_a_paragraph_a_line_keeps_its_paragraphs():
    """A scrape writes a paragraph a line, with no blank line between: each line that ends like a
    sentence ends a paragraph (as 。 does). Hard-wrapped text keeps its paragraph whole."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    story = [
        "The island's ferry returned to service on Monday after a month in dry dock, and the first crossing "
        "was full by seven in the morning.",
        "The harbour master said the new engines cut the crossing by ten minutes and would run all winter.",
        "Residents who work on the mainland said they would no longer need to leave home before six o'clock.",
    ]  # fmt: skip
    assert boilerplate.prose.ends_sentence("渡船于周一恢复运营，首班船早上七点前就已满员。")
    cleaning = Cleaning(rules=tuple(builtin_rules()))
    done = clean(parse_text("The ferry is back\n" + "\n".join(story) + "\n", "scrape.txt"), cleaning)
    assert [b.text for b in done.blocks] == story

    wrapped = "\n".join(textwrap.wrap(" ".join(story[:2]), 60))
    done = clean(parse_text("The ferry is back\n\n" + wrapped + "\n", "letter.txt"), cleaning)
    assert [b.text for b in done.blocks] == [" ".join(story[:2])]


def _cleaned(*paragraphs: str, name: str = "page.txt"):
    """A flat page of these paragraphs, cleaned with the built-in rules: (what cleaning found, the
    text spoken)."""
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    done = clean(parse_text("\n\n".join(paragraphs) + "\n", name), Cleaning(rules=tuple(builtin_rules())))
    return done, " ".join(b.text for b in done.blocks)


def test_a_blog_front_page_is_read_to_the_next_posts_header():
    """On a blog's front page the story's headline stands in a header with a stamp; the next
    header of the same shape, with another title, begins another post."""
    first = [
        "We drove to the old gold mine on Sunday, two hours north of the city, where the first nugget in "
        "the state was found in 1851 and the town still keeps its timber houses.",
        "The mine's tunnels are open to visitors in small groups, and the guide showed us the seams the "
        "miners followed by candlelight, a hundred metres under the hill.",
    ]  # fmt: skip
    second = [
        "I had my hair cut short this week for the first time in ten years, and the mornings are quicker "
        "already, though the wind at the bus stop is colder than it was.",
    ]  # fmt: skip
    done, spoken = _cleaned(
        "Lunch at the old gold mine - Sea Girl's blog",
        "Home | Archive | About",
        "Lunch at the old gold mine 2026-03-21 01:20:44",
        *first,
        "Short hair at last 2026-03-18 01:58:01",
        *second,
        name="blog.txt",
    )
    assert done.title == "Lunch at the old gold mine"
    assert all(p in spoken for p in first) and not any(p in spoken for p in second)


def test_an_endless_page_is_read_to_the_next_storys_date_line():
    """A flat scrape of an endless page: the next story comes with its headline, its byline and
    a date line in the shape of this story's own; a time alone (a live blog's entry) is no
    story's header."""
    story = [
        "Harbour workers at the three container terminals voted on Sunday to end a strike that had left more than forty ships waiting outside.",
        "The union said its members had accepted a two-year agreement that raises pay and gives them a seat on a committee on automation.",
        "17:35",
        "Port managers said the first vessels would berth within hours and that the backlog should be cleared by the end of the month.",
        "The ferry company said its timetable would be back to normal on Tuesday, after nine days of cancelled crossings.",
    ]  # fmt: skip
    following = [
        "The council voted on Tuesday for a tram line from the harbour to the station, which is due to open in 2029.",
        "Its first stretch will run along the quay, past the fish market and the new ferry terminal, the mayor said.",
    ]  # fmt: skip
    _, spoken = _cleaned(
        "Port strike ends - The Harbour Courier",
        "Home | News | Sport",
        "Port strike ends",
        "Par Ines Alder",
        "Publié le 06/01/2026 - 17:29",
        *story,
        "Tram line approved",
        "Par Rui Santos",
        "Publié le 06/01/2026 - 16:25",
        *following,
    )
    assert all(p in spoken for p in story if p != "17:35")
    assert not any(p in spoken for p in following) and "Tram line approved" not in spoken
    # a live blog's entries are stamped with a time alone, the first right under the headline
    entries = [*story[:2], *story[3:], *following]
    stamps = ["11:48 PM", "11:20 PM", "10:55 PM", "10:30 PM", "10:05 PM", "9:40 PM"]
    _, spoken = _cleaned("Port strike ends", *(x for pair in zip(stamps, entries) for x in pair))
    assert all(e in spoken for e in entries)


_FERRY = [
    "The island's ferry returned to service on Monday after a month in dry dock, and the first crossing "
    "was full by seven in the morning.",
    "The harbour master said the new engines cut the crossing by ten minutes and would run all winter.",
    "Tickets for the winter timetable go on sale at the harbour office from Friday morning, she said.",
]  # fmt: skip
_REPLIES = [
    "I have taught in village schools for twenty years and the ferry matters more than any official seems "
    "to understand, because every child on the island depends on it.",
    "My brother runs the cafe by the quay and he says the queue for the first boat reached the church.",
    "It was worth the wait, the new boat is quieter and the cafe on board has proper coffee now.",
]  # fmt: skip


def _spoken_page(*lines: str) -> str:
    from audio_edition.text.boilerplate import Cleaning, builtin_rules, clean
    from audio_edition.text.ingest import parse_text

    done = clean(parse_text("\n\n".join(lines) + "\n", "post.txt"), Cleaning(rules=tuple(builtin_rules())))
    return " ".join(b.text for b in done.blocks)


@pytest.mark.parametrize(
    "signature",
    [
        "# re: The ferry is back 2026-11-0{n} 08:1{n} {name}",
        "{name} 0{n}.11.2026 19:05",
        "+{n} #{n} {name} 2026-11-0{n} 13:28",
    ],
)
def test_a_thread_signed_by_stamps_in_figures_is_not_spoken(signature):
    """Three short lines with a date, a time and words, each followed by a sentence, after the
    story's first sentence: a thread, with no label or count above it."""
    thread = []
    for n, (name, reply) in enumerate(zip(["Ana Reis", "rui", "Marta K"], _REPLIES), 1):
        thread += [signature.format(name=name, n=n), reply]
    spoken = _spoken_page("Island Notes", "The ferry is back", *_FERRY, *thread)
    assert all(s in spoken for s in _FERRY) and not any(r[:30] in spoken for r in _REPLIES)


def test_stamped_headlines_above_the_story_are_no_thread():
    """A list of other stories, each a stamp and a headline, between a teaser's sentence and the
    story: no sentence follows any stamp, so nothing is cut."""
    teaser = "Our reporters spent a week on the island to find out what the ferry means to the people who live there."
    videos = [f"Video 0{n}.11.2026 0{n}:48 min" for n in range(1, 5)]
    heads = [
        "Council approves new tram line",
        "Storm closes coastal road",
        "Ferry operator orders boats",
        "Fishing fleet returns",
    ]
    listing = [line for pair in zip(videos, heads) for line in pair]
    spoken = _spoken_page("Island Notes", teaser, *listing, "The ferry is back", *_FERRY)
    assert all(s in spoken for s in _FERRY)


@pytest.mark.parametrize("signature", ["http://example.org/{handle} {name}", "{name} said,", "{name} said:"])
def test_a_thread_signed_by_linked_names_or_said_is_not_spoken(signature):
    """Comments signed by a commenter's address and name, or "Ana Reis said,". The post's own
    header, with its comment count, stands above its headline and opens no thread."""
    thread = []
    for name, reply in zip(["Ana Reis", "Rui", "Marta K"], _REPLIES):
        thread += [signature.format(name=name, handle=name.split()[0].lower()), reply]
    header = "Posted on November 3rd, 2026 3 comments + add your comment"
    tagline = "Island Notes is a blog about life on a small island, written by the people who live on it."
    spoken = _spoken_page("The ferry is back | Island Notes", tagline, header, "The ferry is back", *_FERRY, *thread)
    assert all(s in spoken for s in _FERRY) and not any(r[:30] in spoken for r in _REPLIES)
