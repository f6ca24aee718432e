import pytest

from audio_edition.text import chunks


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Gen. Tomas Banda spoke. He left.", ["Gen. Tomas Banda spoke.", "He left."]),
        ("Dr. Lindqvist met Mr. Okafor at St. Mary's.", ["Dr. Lindqvist met Mr. Okafor at St. Mary's."]),
        ("Support came from the U.S. and the U.N. in March.", ["Support came from the U.S. and the U.N. in March."]),
        ("Aid arrived from the U.S. The mission began.", ["Aid arrived from the U.S.", "The mission began."]),
        ("Aid arrived from the U.S. Every unit came.", ["Aid arrived from the U.S.", "Every unit came."]),
        (
            "The U.S. Army and D.C. Police met at 9 a.m. Eastern.",
            ["The U.S. Army and D.C. Police met at 9 a.m. Eastern."],
        ),
        ("John F. Kennedy said so. Then he left.", ["John F. Kennedy said so.", "Then he left."]),
        ("It rose 3.5 percent. Prices fell.", ["It rose 3.5 percent.", "Prices fell."]),
        ('He said "it is over." Then silence.', ['He said "it is over."', "Then silence."]),
        ("The meeting ended at 9 p.m. on Friday.", ["The meeting ended at 9 p.m. on Friday."]),
        ("No trailing punctuation", ["No trailing punctuation"]),
        # a label before a figure ends no sentence there; elsewhere its stop may
        ("See Fig. 4 and pp. 12-14 in Vol. 2. It ends.", ["See Fig. 4 and pp. 12-14 in Vol. 2.", "It ends."]),
        ("She studied Art. Then she left.", ["She studied Art.", "Then she left."]),
    ],
)
def test_split_sentences(text, expected):
    assert chunks.split_sentences(text) == expected


@pytest.mark.parametrize("limit", [20, 37, 60, 100])
def test_pack_respects_limit_and_never_cuts_words(limit):
    text = (
        "Officials plan to send 1,000 security officers to the Caribbean country, adding that the "
        "East African nation has a very long history of global peacekeeping; ranging from Kosovo to Somalia."
    )
    pieces = chunks.pack(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == text.split()
    words = set(text.split())
    for p in pieces:
        assert all(w in words for w in p.split())


def test_pack_prefers_clause_breaks():
    assert chunks.pack("First clause here, second clause there", 25) == ["First clause here,", "second clause there"]


def test_pack_cuts_a_word_only_when_it_alone_is_too_long():
    assert chunks.pack("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_plan_numbers_chunks_and_normalizes_only_speech():
    from audio_edition.text.paragraphs import Chapter, Document, Paragraph

    doc = Document(
        "T",
        (Chapter("ch1", "T", 0),),
        (Paragraph("p1", "ch1", "title", "T"), Paragraph("p2", "ch1", "paragraph", "It cost $5. Done.")),
    )
    plan = chunks.plan(doc, 100, normalize=lambda s: s.replace("$5", "five dollars"))
    assert [s.text for s in plan.sentences] == ["T", "It cost $5.", "Done."]
    assert [(c.id, c.speech) for c in plan.chunks] == [
        ("p1.s1.c1", "T."),
        ("p2.s1.c1", "It cost five dollars."),
        ("p2.s2.c1", "Done."),
    ]
