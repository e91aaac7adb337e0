"""Every boilerplate pattern group catches its wording and spares ordinary prose."""

from __future__ import annotations

import re

import pytest

from scraper.extract import patterns as P
from scraper.extract.postclean import is_furniture
from tests.paths import FIXTURES

PROSE = [
    "The minister said more money would follow next year, according to Reuters.",
    "Read the report carefully before you sign anything, the lawyer advised.",
    "Die Regierung will mehr zum Thema Klimaschutz tun, sagte die Ministerin am Montag.",
    "Sie lesen auch gern Krimis, erzählte der Buchhändler schmunzelnd.",
    "Related companies in the sector also saw their shares fall sharply on Friday.",
    "He signed up for the army at eighteen and never looked back.",
    "Pictures from the night show a crowd of several hundred people outside the hall.",
]


@pytest.mark.parametrize("line", PROSE)
def test_prose_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Related Article: China's 'Artificial Sun' is Now Five Times Hotter Than the Real Sun",
        "Read Also: Chinese Olympics App: Authorities Discovered Two Security Vulnerabilities",
        "See Also: Get $300k And Allow A Robotics Company To Use Your Face",
        "SEE MORE: The ten best laptops of the year",
        "DON'T MISS | Our guide to the new tax rules",
        "Read more: Looted colonial art returns home",
        "Read the original:",
    ],
)
def test_english_teasers(line: str) -> None:
    assert P.TEASER_LINE.match(line) or P.TEASER_HEADING.match(line)
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Neuer Wochenmarkt startet im April",
        "Mehr zum Thema: Was die Reform für Mieter bedeutet",
        "Auch interessant » So sparen Sie beim Heizen",
        "Schon gelesen? Die besten Wanderwege im Herbst",
        "Das könnte Sie auch interessieren: Bahn streicht Verbindungen",
    ],
)
def test_german_teasers(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Lea también: Impiden ingreso a reportero",
        "Lire aussi : La réforme des retraites",
        "Czytaj też: Nowe przepisy od stycznia",
        "Leggi anche: Il nuovo governo",
    ],
)
def test_other_language_teasers(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "ⓒ 2024 TECHTIMES.com All rights reserved. Do not reproduce without permission.",
        "© 2023 Example Media Group",
        "Copyright 2022 The Daily Example. All rights reserved.",
        "© dpa-infocom, dpa:240305-99-123456/3 – Alle Rechte vorbehalten",
        "Nachdruck nur mit Genehmigung des Verlags.",
    ],
)
def test_copyright_lines(line: str) -> None:
    assert P.COPYRIGHT_LINE.search(line)
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "In a time of both misinformation and too much information, quality journalism is "
        "more crucial than ever.By subscribing, you can help us get the story right.",
        "Sign up for our daily newsletter to get the latest headlines.",
        "Jetzt kostenlos registrieren und weiterlesen.",
        "Newsletter abonnieren",
        "Follow us on Twitter and Facebook for the latest updates.",
    ],
)
def test_subscription_and_social_pitches(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Kai-Fu Lee speaks during a panel discussion in Beijing in 2019. | BLOOMBERG",
        "Smartphones display the TikTok logo in this illustration from 2019. | REUTERS",
        "STR/AFP via Getty Images",
        "Der Bürgermeister bei der Eröffnung. Foto: dpa",
        "Foto: Max Mustermann",
        "The flooded street on Monday (Photo: Jane Doe/AP)",
        "Pictured: the new ferry at the harbour wall on Sunday",
        "Pictured from left, are the coaches Ann Roe and Jo Kay at the club's gala.",
    ],
)
def test_caption_credits(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "PHOTO GALLERY (CLICK TO ENLARGE)",
        "KEYWORDS",
        "Join the Discussion",
        "Schlagwörter",
        "Teilen mit:",
        "Advertisement",
    ],
)
def test_section_labels(line: str) -> None:
    assert P.SECTION_LINE.match(line)


def test_aggregator_link_list_entry() -> None:
    line = (
        "- Quantum computing utilizes 3D crystals - Johns Hopkins News-Letter "
        "[Last Updated On: May 4th, 2017] [Originally Added On: May 4th, 2017]"
    )
    assert P.LINK_LIST_LINE.search(line)
    assert is_furniture(line)


def test_every_language_group_compiles_into_the_teaser_regex() -> None:
    for group in P.TEASER_LABELS.values():
        for label in group:
            assert P.TEASER_HEADING.match(label), label


@pytest.mark.parametrize(
    "line",
    [
        "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
        "この記事は会員限定です。",
        "有料会員になると会員限定の有料記事もお読みいただけます。",
        "Fehler gefunden? Jetzt melden.",
        "Get the latest news from example.com delivered to your inbox.",
        "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende.",
        "Du musst dich EINLOGGEN um einen Kommentar abzugeben.",
        "Passer la publicité",
        "Empfohlener redaktioneller Inhalt",
    ],
)
def test_paywall_pitch_and_widget_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Werden Sie Teil der Community und unterstützen Sie uns dabei, Produkte zu verbessern.",
        "Members of the club said they would get daily updates on the repairs by phone.",
    ],
)
def test_pitch_wording_inside_ordinary_prose_is_kept(line: str) -> None:
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("Von Karim Beispiel", True),
        ("By Jane Doe and John Roe", True),
        ("Redaktion: Marcus Muster, Elena Beispiel", True),
        ("Par Les Echos", True),
        ("By comparison, Haniyeh often took a more moderate stance", False),
        ("Von A bis Z", False),
        ("By the way", False),
    ],
)
def test_byline_lines(line: str, byline: bool) -> None:
    assert bool(P.BYLINE_LINE.match(line)) is byline


def test_anchored_search_finds_exactly_what_the_plain_alternation_finds() -> None:
    """The literal-prefix shortcut may skip work, never a match (upper case included)."""
    seeds = FIXTURES / "seed-texts"
    lines = [line for f in sorted(seeds.glob("*.txt")) for line in f.read_text("utf-8").split("\n")]
    lines += PROSE + [
        "SUBSCRIBE NOW for full access",
        "Réservé aux abonnés",
        "ⓒ 2024 Example",
        "Il vous reste 80% de l'article à lire",
        "この記事は会員限定です。",
        "FOLLOW US ON Instagram",
        "Nachdruck nur mit Genehmigung",
        "All Rights Reserved",
        "Copyright 2023 Example Media",
    ]
    for group, fast in ((P.PITCH, P.PITCH_LINE), (P.COPYRIGHT, P.COPYRIGHT_LINE)):
        plain = re.compile("|".join(group), re.I)
        found = [line for line in lines if fast.search(line)]
        assert found == [line for line in lines if plain.search(line)]
        assert len(found) >= 3  # the corpus does exercise the patterns


def test_call_to_action_is_the_whole_link_text() -> None:
    for text in (
        "Jetzt unterstützen",
        "Subscribe now →",
        "会員登録する",
        " Donate ",
        "HAZTE MIEMBRO",
    ):
        assert P.CALL_TO_ACTION.fullmatch(text), text
    for text in ("Subscribe to the council's planning alerts", "Support for the bill grew"):
        assert not P.CALL_TO_ACTION.fullmatch(text), text


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("02:57 Min.. Verfügbar bis 06.05.2024.", True),
        (
            "Der Minister spricht über die neuen Sanktionen gegen den Iran. 18.04.2024 | 0:21 min",
            True,
        ),
        ("Watch the full interview with the mayor here. 2024-04-18 · 12:05 min", True),
        ("$$ARTICLEAD$$", True),
        ("{{ ad_slot_2 }}", True),
        ("Das Rennen am 21.04.2024 dauerte am Ende 3:18 Minuten länger als geplant.", False),
        ("Die Ausstellung ist bis 06.05.2024 im Stadtmuseum zu sehen.", False),
    ],
)
def test_media_teasers_availability_stamps_and_placeholders(line: str, furniture: bool) -> None:
    assert is_furniture(line) is furniture


@pytest.mark.parametrize(
    "line",
    [
        "VEA TAMBIÉN: El Congreso aprueba la reforma",
        "MIRA: Así quedó la avenida tras la tormenta",
        "PUEDES VER: ¿Cómo tramitar el nuevo documento?",
        "Zum Weiterlesen: Ein Buch über die Geschichte der Stadt",
        "Das Thema könnte euch auch interessieren:",
        "Dieser Artikel enthält Affiliate-Links. Kaufen Sie darüber ein, erhalten wir Geld.",
        "*Werbung. Dieser Beitrag enthält Werbung für eine Kosmetikmarke.",
        "This post contains affiliate links; we may be paid when you buy.",
        "¿Sabías que tenemos canal de WhatsApp? Únete con este enlace.",
        "Join our Telegram channel for breaking news.",
        "Follow The Courier on Instagram and on Facebook @courier.",
        "If you enjoyed this article, please consider supporting us.",
        "Verraten Sie es uns gerne in den Kommentaren: Wie gefällt Ihnen das Projekt?",
        "Gefällt Ihnen unser Magazin? Dann empfehlen Sie uns weiter.",
        "Mit unserem Newsletter erhalten Sie jeden Freitag die Termine der Woche.",
        "Sie sind derzeit nicht angemeldet.",
        "You are not logged in.",
        "(Alle Angaben ohne Gewähr)",
    ],
)
def test_more_teasers_prompts_and_disclosures(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "No comments",
        "Keine Kommentare",
        "Last modified:",
        "Letzte Änderung",
        "Release Date:",
        "Aufrufe:",
        "Beitragsbild",
        "Image d'illustration",
        "Sin comentarios",
    ],
)
def test_more_section_labels(line: str) -> None:
    assert P.SECTION_LINE.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "Follow these steps shared on Twitter to get home safely.",
        "Die Ergebnisse könnten auch Forscher in anderen Ländern interessieren, sagte sie.",
        "Mira Sorvino played the lead in the film that year.",
    ],
)
def test_new_wording_spares_prose(line: str) -> None:
    assert not is_furniture(line)
