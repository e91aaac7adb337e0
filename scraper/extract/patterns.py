"""Boilerplate wording, as data: every phrase the cleaning layer matches lives here.

Phrases are grouped by language where the wording differs. Each group is compiled once
into a case-insensitive regex. Nothing here may name a page, URL or text of an
evaluation set: these are the generic phrasings publishers use for page furniture.
"""

from __future__ import annotations

import re

# Labels that introduce a teaser for another article ("Read more: <headline>").
TEASER_LABELS: dict[str, tuple[str, ...]] = {
    "en": (
        "read more",
        "read also",
        "also read",
        "read next",
        "read the original",
        "related",
        "related article",
        "related articles",
        "related story",
        "related stories",
        "related content",
        "related reading",
        "related coverage",
        "related news",
        "see also",
        "see more",
        "also see",
        "more",
        "more from",
        "don't miss",
        "do not miss",
        "must read",
        "recommended",
        "recommended reading",
        "suggested reading",
        "further reading",
        "editor's pick",
        "editors' picks",
        "trending",
        "watch",
        "listen",
        "click here",
        "more news",
        "more stories",
        "you may also like",
        "you might also like",
        "also on",
        "popular",
        "most read",
        "latest news",
        "top stories",
    ),
    "de": (
        "lesen sie auch",
        "lesen sie mehr",
        "lesen sie dazu",
        "auch interessant",
        "ebenfalls interessant",
        "auch spannend",
        "mehr zum thema",
        "mehr dazu",
        "weiterlesen",
        "siehe auch",
        "passend dazu",
        "passend zum thema",
        "das könnte sie auch interessieren",
        "das könnte dich auch interessieren",
        "zum thema",
        "schon gelesen",
        "auch lesen",
        "lese-tipp",
        "lesetipp",
        "lesetipps",
        "mehr themen",
        "weitere themen",
        "weitere artikel",
        "weitere nachrichten",
        "unser tipp",
        "hier lesen",
        "empfohlene beiträge",
        "auch auf",
        "meistgelesen",
        "top-themen",
        "zum artikel",
        "ebenfalls lesenswert",
        "mehr lesen",
        "verwandte artikel",
        "aktuelle artikel",
        "neueste artikel",
        "zum weiterlesen",
        "weitere artikel zum thema",
        "weitere beiträge",
    ),
    "es": (
        "lea también",
        "lea más",
        "lee también",
        "lee más",
        "leer más",
        "le puede interesar",
        "te puede interesar",
        "puede interesarte",
        "ver también",
        "ver más",
        "mire",
        "relacionado",
        "contenido relacionado",
        "noticias relacionadas",
        "también te puede interesar",
        "más información",
        "lo más leído",
        "vea también",
        "mira también",
        "mira",
        "puedes ver",
        "te recomendamos",
        "lee además",
    ),
    "fr": (
        "lire aussi",
        "à lire aussi",
        "a lire aussi",
        "lire la suite",
        "voir aussi",
        "à voir aussi",
        "sur le même sujet",
        "pour aller plus loin",
        "à lire également",
        "les plus lus",
    ),
    "it": ("leggi anche", "potrebbe interessarti", "vedi anche", "leggi di più", "correlati"),
    "pl": (
        "czytaj też",
        "czytaj także",
        "czytaj więcej",
        "zobacz też",
        "zobacz także",
        "przeczytaj też",
        "przeczytaj także",
        "polecamy",
        "dowiedz się więcej",
    ),
    "pt": ("leia também", "leia mais", "veja também", "saiba mais", "relacionadas"),
    "nl": ("lees ook", "lees meer", "bekijk ook", "meer over"),
    "nordic": ("les også", "läs också", "läs mer", "læs også", "se også", "les mer"),
    "ja": (
        "関連記事",
        "あわせて読みたい",
        "合わせて読みたい",
        "おすすめ記事",
        "人気記事",
        "注目記事",
        "最新記事",
        "アクセスランキング",
        "こちらもおすすめ",
    ),
}

# Stand-alone section labels of page furniture (the whole line is the label).
SECTION_LABELS: dict[str, tuple[str, ...]] = {
    "en": (
        "keywords",
        "tags",
        "topics",
        "share",
        "share this",
        "share this article",
        "share this story",
        "comments",
        "join the discussion",
        "view comments",
        "leave a comment",
        "photo gallery",
        "photo gallery (click to enlarge)",
        "advertisement",
        "sponsored",
        "sponsored content",
        "related topics",
        "about the author",
        "print",
        "email",
        "follow us",
        "show comments",
        "load comments",
        "skip advertisement",
        "advertisement - scroll to continue",
        "story continues below advertisement",
        "no comments",
        "last modified",
        "last updated",
        "release date",
        "rate this",
        "views",
        "featured image",
    ),
    "de": (
        "schlagwörter",
        "schlagworte",
        "themen",
        "teilen",
        "teilen mit",
        "artikel teilen",
        "kommentare",
        "anzeige",
        "werbung",
        "bild anzeigen",
        "bildergalerie",
        "wird geladen",
        "externer inhalt",
        "mehr zum thema",
        "drucken",
        "versenden",
        "zur startseite",
        "kommentieren",
        "artikel merken",
        "über den autor",
        "kommentar abgeben",
        "empfohlener redaktioneller inhalt",
        "ein klick für den datenschutz",
        "hauptinhalt",
        "zum inhalt springen",
        "embed",
        "audio",
        "video",
        "keine kommentare",
        "letzte änderung",
        "zuletzt geändert",
        "aufrufe",
        "bewerten",
        "beitragsbild",
        "titelbild",
        "symbolbild",
    ),
    "es": ("temas", "etiquetas", "compartir", "comentarios", "publicidad", "sin comentarios"),
    "fr": (
        "partager",
        "commentaires",
        "publicité",
        "sujets",
        "passer la publicité",
        "image illustrative",
        "photo d'illustration",
        "image d'illustration",
    ),
    "other": ("tagi", "udostępnij", "reklama", "komentarze", "annons", "annonse"),
    "ja": (
        "関連キーワード",
        "キーワード",
        "おすすめ情報",
        "この記事をシェア",
        "シェア",
        "広告",
        "続きを読む",
        "コメント",
        "タグ",
    ),
}

# Copyright, reprint and licence lines.
COPYRIGHT: tuple[str, ...] = (
    r"^\s*(©|ⓒ|\(c\)|copyright\b)",
    r"\ball rights reserved\b",
    r"\bdo not reproduce\b",
    r"\bwithout (prior |express )?(written )?permission\b",
    r"\breprint(ed)? (in|with) (online|permission)",
    r"\bcopyrighted (property|material)\b",
    r"\balle rechte vorbehalten\b",
    r"\bnachdruck (nur )?mit\b",
    r"\btodos los derechos reservados\b",
    r"\btous droits réservés\b",
    r"\bmateriał chroniony prawem\b",
    r"\btutti i diritti riservati\b",
)

# Subscription, newsletter, paywall and social-follow pitches.
PITCH: tuple[str, ...] = (
    r"\bsign up (for|to) (our|the)\b",
    r"\bsubscribe (to|now|today)\b",
    r"\bby subscribing\b",
    r"\bour (free |daily |weekly )?newsletters?\b",
    r"\bnewsletter abonnieren\b",
    r"\bjetzt (kostenlos |gratis )?(abonnieren|registrieren|anmelden|testen)\b",
    r"\bzum newsletter\b",
    r"\bunser(en)? newsletter\b",
    r"\bfollow (us|\w+) on\b",
    r"\bfolgen sie uns\b",
    r"\bsíguenos en\b",
    r"\bsiguenos en\b",
    r"\bsuivez-nous\b",
    r"\bto continue reading\b",
    r"\bfor subscribers only\b",
    r"\bsubscribers only\b",
    r"\bpour lire la suite\b",
    r"\bpour accéder en illimité\b",
    r"\bweiterlesen mit\b",
    r"\bnur für abonnenten\b",
    r"\bquality journalism\b",
    r"\bsupport (our|independent) journalism\b",
    r"\balready a subscriber\b",
    r"\bplease subscribe\b",
    r"\bget in touch with our news team\b",
    r"\bsign up for\b.*\balerts\b",
    r"\bzapraszamy (też )?do subskrypcji\b",
    r"\bdeine privatsphäre-einstellungen\b",
    r"\bihre privatsphäre-einstellungen\b",
    r"\bprivacy settings\b",
    r"\bcookie(s)? (settings|consent|einstellungen)\b",
    # paywall notices ("the rest is for subscribers"), per language
    r"\bréservée? aux abonnés\b",
    r"\bil vous reste \d",
    r"\breserved for subscribers\b",
    r"\bthis (article|content|story) is (only )?(available|for) (to )?(subscribers|members)\b",
    r"\bexklusiv für abonnenten\b",
    r"\bnur für (plus-|digital-)?abonnenten\b",
    r"\bsolo para suscriptores\b",
    r"\bexclusivo para suscriptores\b",
    r"会員限定",
    r"有料会員",
    r"会員登録",
    r"有料記事",
    # newsletter and app pitches, donation and feedback prompts
    r"\bget (the latest|daily|our)\b.*\b(news|newsletter|updates)\b.*\b(inbox|delivered)\b",
    r"\bfehler gefunden\?",
    r"\bhat ihnen (dieser|der) (artikel|beitrag) gefallen\b",
    r"\bwie hat ihnen (dieser|der) (artikel|beitrag) gefallen\b",
    r"\bunterstützen sie uns\b.*\b(spende|abo|abonnement|mitglied)",
    r"\bunabhängiger journalismus braucht\b",
    r"\bum einen kommentar abzugeben\b",
    r"\bto (post|leave) a comment\b",
    r"\bbefore commenting\b",
    r"\bich bin damit einverstanden, dass mir (der )?externe",
    r"\bexterner inhalt\b.*\b(einverstanden|zustimmen|laden)\b",
    # newsletter, messenger-channel and app pitches by their wording
    r"\bsign up (for|to) [\w'’ ]{0,40}newsletters?\b",
    r"\bnewsletter informiert sie\b",
    r"\bnewsletter richtig\b",
    r"\babonnieren sie (jetzt )?(den|unseren) [\w-]*newsletter\b",
    r"\btragen sie sich\b.*\bnewsletter\b",
    r"\bnewsletter ist kostenlos\b",
    r"\babonniere (den|unseren) whats-?app",
    r"\bauf whats-?app\?",
    r"\bdownload the [\w ]{1,30} apps? for\b",
    # pointers to the publisher's live blog on the topic
    r"\b(lesen|finden) sie\b[^.]*\bin unserem (live-?blog|live-?ticker|news-?blog)\b",
    r"\bin our live ?blog (below|here)\b",
    # affiliate disclosures
    r"\bmay earn (us )?(an? )?(small )?(affiliate )?commission\b",
    r"\benthält (affiliate-?links|werbung|werbelinks|provisionslinks)\b",
    r"\bcontains (affiliate links|references to products)\b",
    # messenger channels and social accounts of the publisher (each pattern starts with a
    # literal: AnyOf runs only those whose start occurs in the line)
    r"\bcanal de (telegram|whats-?app)\b",
    r"\bchannel on (telegram|whats-?app)\b",
    r"\btelegram[- ](kanal|channel)\b",
    r"\bwhats-?app[- ](kanal|channel)\b",
    # "Follow The Courier on Instagram": a name, capitalised (not "follow these steps on")
    r"\bfollow (?:us|(?-i:[A-Z][\w.'’]*)(?: (?-i:[A-Z][\w.'’]*)){0,3}) on "
    r"(?:twitter|x|facebook|instagram|tiktok|threads|linkedin)\b",
    # teasers and prompts addressed to the reader
    r"\bkönnte (dich|sie|euch) (auch |ebenfalls )?interessieren\b",
    r"\bif you (enjoyed|liked) (reading )?this (post|article|story)\b",
    r"\bverraten sie (\w+ ){0,3}in den kommentaren\b",
    r"\bschreiben sie (\w+ ){0,3}in den kommentaren\b",
    r"\bgefällt (dir|ihnen|euch) unser\b",
    r"\bmit unserem newsletter\b",
    r"\bsie sind (aktuell |derzeit )?nicht (eingeloggt|angemeldet)\b",
    r"\byou are (currently )?not logged in\b",
    r"\balle angaben ohne gewähr\b",
)

# The whole text of a call-to-action link or button in a subscription or donation box.
CALL_TO_ACTION_TEXTS: tuple[str, ...] = (
    "subscribe",
    "subscribe now",
    "subscribe today",
    "donate",
    "donate now",
    "support us",
    "support now",
    "become a member",
    "become a supporter",
    "make a contribution",
    "jetzt unterstützen",
    "unterstützen",
    "jetzt spenden",
    "spenden",
    "jetzt abonnieren",
    "abonnieren",
    "abo abschließen",
    "jetzt abo abschließen",
    "mitglied werden",
    "s'abonner",
    "je m'abonne",
    "abonnez-vous",
    "faire un don",
    "suscríbete",
    "suscribirse",
    "hazte socio",
    "hazte miembro",
    "abbonati",
    "assine",
    "zostań patronem",
    "wesprzyj nas",
    "会員登録する",
    "ログインして続きを読む",
    "今すぐ登録",
    "購読する",
)
CALL_TO_ACTION = re.compile(
    rf"[^\w]*(?:{'|'.join(re.escape(t) for t in CALL_TO_ACTION_TEXTS)})[^\w]*", re.I
)
# Widgets a page repeats among its paragraphs, by their wording: a shop's button under every
# product ("Check Price on Amazon"), an ad slot's label, an embed's placeholder. A repeated
# label in these words is not a section heading (postclean.drop_repeats).
WIDGET_LABEL = re.compile(
    r"^\W*(?:(?:check|see|view|compare|get) (?:the )?(?:latest |current |best )?"
    r"(?:prices?|deals?|offers?)\b|(?:buy|shop|order) (?:now|it|on|at|from)\b|where to buy\W*$"
    r"|see (?:more|all) reviews\b|advertisement\b|anzeige\b)"
    r"|\b(?:unavailable|not available|nicht verfügbar|external content|externer inhalt)\b",
    re.I,
)

# Photo and agency credits: the last words of a caption line.
AGENCIES: tuple[str, ...] = (
    "reuters",
    "bloomberg",
    "afp",
    "ap",
    "ap photo",
    "associated press",
    "getty images",
    "getty",
    "dpa",
    "picture alliance",
    "picture-alliance",
    "imago",
    "imago images",
    "shutterstock",
    "istock",
    "istockphoto",
    "epa",
    "epa-efe",
    "efe",
    "keystone",
    "anp",
    "ntb",
    "tt",
    "ritzau",
    "ansa",
    "pap",
    "xinhua",
    "kyodo",
    "yonhap",
    "afp via getty images",
    "ddp",
    "apa",
    "sda",
    "zuma",
    "alamy",
    "unsplash",
    "pixabay",
    "sipa",
    "abaca",
)
CAPTION_LABELS: tuple[str, ...] = (
    "photo",
    "photos",
    "foto",
    "fotos",
    "bild",
    "bilder",
    "image",
    "picture",
    "credit",
    "bildquelle",
    "fotoquelle",
    "quelle",
    "titelbild",
    "crédits photos",
    "crédit photo",
    "source",
    "zdjęcie",
    "fot",
)

# Byline words: a short line "By Jane Doe" / "Von Karim Natour" is the byline, which
# belongs in metadata (the authors), not in the body.
BYLINE_WORDS: tuple[str, ...] = (
    "by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "av",
    "af",
    "przez",
    "written by",
    "text",
    "text von",
    "ein beitrag von",
    "redaktion",
    "autor",
    "autorin",
    "author",
    "reporter",
)
# Reading-time and date-stamp labels: a line made of these and a date/time only is furniture.
STAMP_WORDS: tuple[str, ...] = (
    "stand",
    "updated",
    "update",
    "published",
    "posted",
    "last updated",
    "aktualisiert",
    "veröffentlicht",
    "erstellt",
    "zuletzt",
    "am",
    "um",
    "uhr",
    "on",
    "at",
    "publié",
    "le",
    "mis à jour",
    "à",
    "actualizado",
    "publicado",
    "el",
    "a",
    "las",
    "uppdaterad",
    "publicerad",
    "oppdatert",
    "publisert",
    "kl",
    "min",
    "mins",
    "minutes",
    "minute",
    "minuten",
    "read",
    "lesezeit",
    "lesedauer",
    "reading time",
    "temps de lecture",
    "lectura",
    "de",
    "jst",
    "gmt",
    "utc",
    "cet",
    "cest",
    "mez",
    "mesz",
    "et",
    "est",
    "edt",
    "bst",
    "pt",
    "pst",
    "pdt",
    "ist",
    "aest",
    "pm",
    "h",
    "更新",
    "公開",
    "配信",
    # media-library availability ("02:57 Min. Verfügbar bis 06.05.2024")
    "verfügbar",
    "bis",
    "available",
    "until",
    "disponible",
    "jusqu'au",
)

# Trailing date stamps that mark an aggregator's link list entry.
LINK_LIST_STAMP = r"\[(last updated on|originally added on|updated|posted|added)\b[^\]]*\]\s*$"


def _labels_regex(groups: dict[str, tuple[str, ...]]) -> str:
    words = sorted({w for ws in groups.values() for w in ws}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_TEASER = _labels_regex(TEASER_LABELS)
# "Label: headline", "LABEL | headline", "Label » headline" (the separator is required).
TEASER_LINE = re.compile(rf"^\s*[-•►▶»]?\s*(?:{_TEASER})\s*(?:[:|»›>–—?]|\.\.\.)\s*\S", re.I)
# The label alone on its line (a related-links box heading), optional trailing colon.
TEASER_HEADING = re.compile(rf"^\s*(?:{_TEASER})\s*[:?!.…]?\s*$", re.I)
SECTION_LINE = re.compile(rf"^\s*(?:{_labels_regex(SECTION_LABELS)})\s*[:?!.…]?\s*$", re.I)


class AnyOf:
    """A case-insensitive search for any of many patterns, fast on text matching none.

    Python's ``re`` tries every branch of a big alternation at every position (the pitch
    list took ~600 µs per paragraph). Each pattern's literal start (its anchor) is looked
    up with ``in`` first; only patterns whose anchor occurs, or that have none, are run.
    """

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self._parts = tuple((_anchor(p), re.compile(p, re.I)) for p in patterns)

    def search(self, text: str) -> re.Match[str] | None:
        """The first pattern's match in ``text``, like ``re.search`` over the alternation."""
        low = text.lower()
        for anchor, regex in self._parts:
            if anchor is None or anchor in low:
                found = regex.search(text)
                if found:
                    return found
        return None


def _anchor(pattern: str) -> str | None:
    """The literal text every match of ``pattern`` starts with (lower-cased), if any."""
    body = pattern.removeprefix(r"\b")
    end = 0
    while end < len(body) and body[end] not in "()[]{}?*+|.^$\\":
        end += 1
    if end < len(body) and body[end] in "?*{":
        end -= 1  # the last literal character is optional
    anchor = body[:end].lower()
    return anchor if len(anchor) >= 3 else None


COPYRIGHT_LINE = AnyOf(COPYRIGHT)
PITCH_LINE = AnyOf(PITCH)
_AGENCY = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
# "… in 2019. | BLOOMBERG", "… (Photo: Jane Doe/AFP)", "STR/AFP via Getty Images"
CAPTION_CREDIT = re.compile(
    rf"(?:[|/©]\s*[\w .,'’\-]*(?:{_AGENCY})\s*\)?|\((?:photo|foto|bild|image)s?:[^)]*\)"
    rf"|\b(?:photo|foto|bild|image)s?\s*:\s*[\w .,/'’\-]{{2,60}})\s*$",
    re.I,
)
CAPTION_LABEL_LINE = re.compile(
    rf"^\s*(?:{'|'.join(re.escape(c) for c in CAPTION_LABELS)})\s*:\s*\S", re.I
)
LINK_LIST_LINE = re.compile(LINK_LIST_STAMP, re.I)
# An English caption printed as a paragraph: "Pictured: …", "Pictured from left, are …".
PICTURED_LINE = re.compile(r"^pictured\b(?:\s*:|[\w ,]{0,30}?\s(?:is|are)\b)", re.I)
# A video/audio teaser: its blurb ends in a date and a running time ("… 21.04.2024 | 3:18 min").
MEDIA_TEASER_END = re.compile(
    r"(?:\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2})\s*[|·•]\s*"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:min|minuten|mins|minutes)\.?\s*$",
    re.I,
)
# An unfilled template slot left in the text ("$$ARTICLEAD$$", "{{ ad_slot }}", "[[AD]]").
# a template's unfilled slot ("{{ title }}") or a script value printed as text ("false")
PLACEHOLDER_LINE = re.compile(
    r"^(?:\$\$|\{\{|\[\[|%%)\s*[\w.-]+\s*(?:\$\$|\}\}|\]\]|%%)$|^(?:true|false|null|undefined|NaN)$"
)

BYLINE_LINE = re.compile(
    rf"^\s*(?i:{'|'.join(re.escape(w) for w in sorted(BYLINE_WORDS, key=len, reverse=True))})"
    r"\s*:?\s+(?:[A-ZÀ-ÖØ-Þ][\w.'’-]*\.?\s*(?:,|&|/|\band\b|\bund\b|\bet\b|\by\b)?\s*){1,8}$"
)
_MONTH_NAMES = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|"
    "oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|"
    "novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
    "octubre|noviembre|diciembre|january|february|march|april|june|july|august|september|"
    "october|november|december"
).split("|")
_MONTHS = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
# One date or time token: 22.04.2024, 2024-04-22, 06:00, 15.59, 13. Mai 2026, May 13, 2026.
DATE_TOKEN = re.compile(
    "|".join(
        (
            r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b",
            r"\b\d{4}-\d{2}-\d{2}\b",
            r"\d{1,2}[:.h]\d{2}(?::\d{2})?",
            rf"\b\d{{1,2}}\.?\s*(?:{_MONTHS})\b\.?\s*\d{{0,4}}",
            rf"\b(?:{_MONTHS})\b\.?\s+\d{{1,2}},?\s*\d{{0,4}}",
            r"\d{4}年\d{1,2}月\d{1,2}日",
            r"\d{1,2}月\d{1,2}日",
            r"\d{1,2}時\d{1,2}分",
            r"\b\d{1,3}\b",
        )
    ),
    re.I,
)
STAMP_WORD = re.compile(
    rf"(?:{'|'.join(re.escape(w) for w in sorted(STAMP_WORDS, key=len, reverse=True))})$", re.I
)


# Sign-offs: contribution credits, agency tags, "more like this" and feedback prompts at the
# article's end. Matched only on the last lines (scraper.extract.postclean.drop_sign_off):
# the same words inside the body are reporting.
SIGN_OFF_PATTERNS: tuple[str, ...] = (
    r"^[—–-]?\s*(?:with|additional) (?:files|reporting|reports) (?:from|by)\b",
    r"^[—–-]?\s*with reporting (?:from|by)\b",
    # a wire story's credits: "Reporting by …; Writing by …; Editing by …"
    r"^(?:additional )?(?:reporting|writing|editing) by\b",
    # a broadcaster's airing note ("Sendung: <station>, <date>") and its initials tag:
    # "<STATION> (<initials or names>)"
    r"^(?:sendung|dieses thema im programm|this story aired)\s*:",
    r"^(?-i:[A-ZÄÖÜ]{2,6})\s*\([\w .,'’-]{2,60}\)$",
    r"\bcontributed (?:to )?(?:this|the) (?:report|story|article)\.?$",
    r"^(?:mit )?(?:agenturmaterial|material von|dpa|afp|reuters|ap|kna|epd|sda|apa)"
    r"(?:\s*[/,]\s*[\w-]+)*\.?$",
    r"^\((?:[a-zäöü]{2,4})(?:\s*[/,]\s*[a-zäöü]{2,4})*\)$",
    r"^for more (?:stories|news|articles) like this\b",
    r"^do you have a story(?: to (?:tell|share))?\?",
    r"\bsign(?:ing)? up (?:to|for) our (?:free )?(?:\w+ )?newsletters?\b",
    r"^our standards:",
    r"^(?:this (?:article|story) (?:was|is) )?(?:first|originally) published (?:in|by|on|at)\b",
    r"^dieser (?:artikel|beitrag|text) (?:ist|wurde) zuerst\b",
    r"^(?:lest|lesen sie) den originalartikel\b",
    r"^read the original (?:article|story)\b",
    r"^kontaktieren sie uns\.?$",
    # translation and production credits
    r"^aus dem [a-zäöü]+en (?:übersetzt )?von\b",
    r"^translated (?:from [a-z]+ )?by\b",
    r"^(?:übersetzung|schlussredaktion|redaktion|mitarbeit|translation|traduction)\s*:\s*\S",
    r"^(?:dieser|der) (?:artikel|beitrag|text) ist eine übersetzung\b",
    r"^this (?:article|story) (?:is a translation|was translated)\b",
    r"^ihre meinung ist uns wichtig\b",
)
# Headings of the end matter that follows an article: its sources, its author's bio, similar
# articles. Matched only near the end (scraper.extract.postclean.drop_end_matter).
END_HEADINGS: tuple[str, ...] = (
    "quellen",
    "quelle",
    "verwendete quellen",
    "quellenangaben",
    "sources",
    "source",
    "sources used",
    "fuentes",
    "die autorin",
    "der autor",
    "die autoren",
    "zur person",
    "über die autorin",
    "über den autor",
    "about the author",
    "about the authors",
    "the author",
    "the authors",
    "l'auteur",
    "l'autrice",
    "el autor",
    "la autora",
    "ähnliche",
    "ähnliche artikel",
    "ähnliche beiträge",
    "ähnliche themen",
    "weitere informationen",
    "mehr informationen",
    "zusatzinformationen",
    "further information",
    "more information",
    "kontakt",
    "pressekontakt",
    "contact",
    "media contact",
    "originalpublikation",
    "original publication",
    "weblinks",
    "links",
    "downloads",
)
END_HEADING = re.compile(rf"^\s*(?:{'|'.join(re.escape(h) for h in END_HEADINGS)})\s*:?\s*$", re.I)
# A template variable printed instead of its value ("showPaywall:", "isSubscriber:"):
# a camelCase identifier alone on a line, with a colon.
TEMPLATE_KEY_LINE = re.compile(r"^\s*(?:- )?[a-z]{2,}(?:[A-Z][a-z0-9]+)+\s*:\s*$")
SIGN_OFF = re.compile("|".join(f"(?:{p})" for p in SIGN_OFF_PATTERNS), re.I)
# An author's bio line at the end: "Jane Doe ist ZDF-Reporterin für …", "Correspondent Jo
# Lee is …". Case matters for the name (capitalised words), not for the role.
_ROLE = (
    r"(?i:korrespondent\w*|reporter\w*|redakteur\w*|autor\w*|journalist\w*|"
    r"correspondent|editor|writer|columnist|kolumnist\w*|contributor|periodista|"
    r"redactora?|researcher|professor\w*|lecturer|fellow|analyst|forscher\w*|"
    r"wissenschaftler\w*|dozent\w*)"
)
AUTHOR_BIO = re.compile(
    rf"^(?:(?:[A-ZÄÖÜ][\w.’'-]+ ){{1,3}}(?:ist|is|war|was|es) [^.]{{0,90}}\b{_ROLE}\b"
    rf"|{_ROLE} (?:[A-ZÄÖÜ][\w.-]+ ){{1,3}}(?:ist|is)\b)"
)
