"""Deterministic German newsroom text: article bodies, claim statements, verdict context.

Everything is drawn from `random.Random(seed)`, so the same seed yields the same archive
on every machine. The vocabulary is that of German political and economic reporting,
which gives full-text search and trigram matching realistic selectivity.
"""

import random

SUBJECTS = [
    "Die Bundesregierung",
    "Der Bundeskanzler",
    "Die Opposition",
    "Das Gesundheitsministerium",
    "Die EU-Kommission",
    "Ein Sprecher des Kremls",
    "Die Bundesnetzagentur",
    "Der Finanzminister",
    "Die Landesregierung in Bayern",
    "Der Bauernverband",
    "Die Gewerkschaft Verdi",
    "Das Statistische Bundesamt",
    "Die Nato",
    "Der Wirtschaftsminister",
    "Die Innenministerin",
    "Ein Abgeordneter der Linken",
    "Die Bundesagentur für Arbeit",
    "Der Deutsche Städtetag",
    "Die Verbraucherzentrale",
    "Das Robert-Koch-Institut",
    "Die Europäische Zentralbank",
    "Der Verteidigungsminister",
    "Die Deutsche Bahn",
    "Ein Sprecher des Außenministeriums",
]
NOUNS = [
    "Energiepreise",
    "Mindestlohn",
    "Windkraft",
    "Migration",
    "Inflation",
    "Bundeswehr",
    "Rente",
    "Wärmepumpen",
    "Bürgergeld",
    "Waffenlieferungen",
    "Mietpreise",
    "Krankenhausreform",
    "Schuldenbremse",
    "Stromnetz",
    "Grundsteuer",
    "Pflegeversicherung",
    "Asylanträge",
    "Verteidigungsausgaben",
    "Solarstrom",
    "Kita-Plätze",
    "Lehrermangel",
    "Heizkosten",
    "Exporte nach China",
    "Bahnpünktlichkeit",
    "Gasspeicher",
    "Kohleausstieg",
    "Lebensmittelpreise",
    "Fachkräftemangel",
    "Steuereinnahmen",
    "Truppenstationierung",
]
PLACES = [
    "Berlin",
    "München",
    "Hamburg",
    "Köln",
    "Frankfurt",
    "Dresden",
    "Leipzig",
    "Stuttgart",
    "Brüssel",
    "Kiew",
    "Moskau",
    "Paris",
    "Warschau",
    "Düsseldorf",
    "Hannover",
    "Erfurt",
]
VERBS_UP = ["gestiegen", "gewachsen", "verdoppelt", "angezogen", "explodiert"]
VERBS_DOWN = ["gesunken", "gefallen", "halbiert", "eingebrochen", "zurückgegangen"]
TIMES = ["im vergangenen Jahr", "seit 2020", "im ersten Quartal", "binnen eines Jahres", "seit Kriegsbeginn", "in den letzten fünf Jahren"]
CONNECTORS = ["Zugleich", "Außerdem", "Dagegen", "Nach Angaben von Experten", "Kritiker bemängeln, dass", "Dennoch", "Allerdings"]
FIRST_NAMES = ["Anna", "Lukas", "Sabine", "Jürgen", "Mehmet", "Katharina", "Thomas", "Julia", "Stefan", "Petra", "Olaf", "Friedrich"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Yılmaz", "Krüger"]
ROLES = [
    "Bundestagsabgeordnete",
    "Ministerpräsident",
    "Parteivorsitzende",
    "Regierungssprecher",
    "Landrat",
    "Oberbürgermeisterin",
    "Fraktionschef",
    "Verbandspräsident",
    "Influencerin",
    "Staatssekretär",
]
OUTLETS = [
    "tagesschau.de",
    "Süddeutsche Zeitung",
    "Frankfurter Allgemeine",
    "Der Spiegel",
    "Die Zeit",
    "taz",
    "Handelsblatt",
    "Tagesspiegel",
    "Deutschlandfunk",
    "MDR",
    "NDR",
    "BR24",
    "Rheinische Post",
    "Stuttgarter Zeitung",
    "Leipziger Volkszeitung",
    "Hamburger Abendblatt",
]
TOPICS = [
    "Energie",
    "Klima",
    "Ukraine",
    "Migration",
    "Gesundheit",
    "Wirtschaft",
    "Rente",
    "Bildung",
    "Verkehr",
    "Sicherheit",
    "Europa",
    "Landwirtschaft",
    "Wohnen",
    "Steuern",
    "Arbeit",
    "Digitales",
    "Wahlen",
    "Justiz",
    "Verteidigung",
    "Soziales",
]


def percent(rng: random.Random) -> str:
    return f"{rng.randint(2, 95)} Prozent"


def claim_statement(rng: random.Random) -> str:
    """A short checkable statement (at most 75 characters) as a claimant would make it."""
    noun = rng.choice(NOUNS)
    forms = [
        lambda: f"Die {noun} sind {rng.choice(TIMES)} um {percent(rng)} {rng.choice(VERBS_UP + VERBS_DOWN)}",
        lambda: f"{percent(rng)} der Deutschen lehnen {noun} ab",
        lambda: f"In {rng.choice(PLACES)} haben sich die {noun} {rng.choice(VERBS_UP)}",
        lambda: f"{rng.choice(SUBJECTS)} plant, {noun} abzuschaffen",
        lambda: f"Deutschland gibt mehr für {noun} aus als jedes andere EU-Land",
        lambda: f"Die {noun} kosten jeden Haushalt {rng.randint(50, 3000)} Euro im Jahr",
        lambda: f"Ohne {noun} wären {rng.randint(10, 900)}.000 Jobs verloren gegangen",
    ]
    text = rng.choice(forms)()
    return text[:75].rstrip(" ,")


def sentence(rng: random.Random) -> str:
    """One sentence of news prose."""
    noun, other = rng.sample(NOUNS, 2)
    subject = rng.choice(SUBJECTS)
    forms = [
        lambda: (
            f"{subject} teilte am {rng.choice(['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag'])} in "
            f"{rng.choice(PLACES)} mit, die {noun} seien {rng.choice(TIMES)} um {percent(rng)} {rng.choice(VERBS_UP + VERBS_DOWN)}."
        ),
        lambda: f"{rng.choice(CONNECTORS)} die Debatte über {noun} und {other} weiter an Schärfe gewinnt.",
        lambda: (
            f"„Wir werden bei {noun} nicht nachgeben“, sagte {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} "
            f"vor Journalisten in {rng.choice(PLACES)}."
        ),
        lambda: (
            f"Nach Berechnungen des Instituts für Wirtschaftsforschung belaufen sich die Kosten für {noun} auf "
            f"{rng.randint(2, 180)} Milliarden Euro."
        ),
        lambda: f"{subject} verwies darauf, dass {percent(rng)} der Befragten {noun} für dringlicher halten als {other}.",
        lambda: (
            f"Die Zahlen zu {noun} seien „{rng.choice(['geschönt', 'irreführend', 'veraltet', 'korrekt', 'unvollständig'])}“, "
            f"hieß es aus Kreisen der Opposition."
        ),
        lambda: (
            f"{rng.choice(CONNECTORS)} {subject.lower() if subject.startswith('Die ') else subject} keine Angaben "
            f"zu den Folgen für {other} machte."
        ),
        lambda: f"Bereits {rng.choice(TIMES)} hatte es in {rng.choice(PLACES)} Proteste gegen {noun} gegeben.",
    ]
    return rng.choice(forms)()


def article(rng: random.Random, *, paragraphs: tuple[int, int] = (6, 10)) -> tuple[str, list[str]]:
    """An article body (paragraphs of news prose, 3,000–6,000 characters) and its sentences."""
    sentences: list[str] = []
    blocks = []
    for _ in range(rng.randint(*paragraphs)):
        paragraph = [sentence(rng) for _ in range(rng.randint(3, 6))]
        sentences.extend(paragraph)
        blocks.append(" ".join(paragraph))
    return "\n\n".join(blocks), sentences


def headline(rng: random.Random) -> str:
    noun = rng.choice(NOUNS)
    forms = [
        f"Streit um {noun}: {rng.choice(SUBJECTS)} unter Druck",
        f"{noun} – was hinter den neuen Zahlen steckt",
        f"Neue Studie zu {noun} sorgt für Aufregung in {rng.choice(PLACES)}",
        f"Bundestag debattiert über {noun}",
        f"{rng.choice(SUBJECTS)} legt Pläne zu {noun} vor",
    ]
    return rng.choice(forms)


def context_markdown(rng: random.Random, statement: str) -> str:
    """The editor's reasoning: two or three Markdown paragraphs with emphasis and a link."""
    noun = rng.choice(NOUNS)
    return "\n\n".join(
        [
            f"Die Behauptung „{statement}“ lässt sich anhand amtlicher Statistiken prüfen. "
            f"Laut **Statistischem Bundesamt** lag der Wert {rng.choice(TIMES)} deutlich anders.",
            f"{sentence(rng)} {sentence(rng)} Eine Auswertung zu {noun} findet sich "
            f"[beim Bundesamt](https://www.destatis.de/DE/Themen/{rng.randint(100, 999)}.html).",
            f"*Einordnung:* {sentence(rng)}",
        ][: rng.randint(2, 3)]
    )


def person(rng: random.Random) -> tuple[str, str]:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", rng.choice(ROLES)


def article_file(rng: random.Random, number: int) -> bytes:
    """A plain-text export as newsrooms paste it (title, `Stand:` line, teaser, body): input for the importer."""
    body, _ = article(rng, paragraphs=(4, 7))
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    teaser = sentence(rng)
    lines = [
        f"{headline(rng)} ({number})",
        f"Stand: {day:02d}.{month:02d}.2025 {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d} Uhr",
        teaser,
        "",
        body,
        "",
        f"Von {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, ARD-Hauptstadtstudio",
    ]
    return "\n".join(lines).encode("utf-8")


def search_terms(rng: random.Random, count: int) -> list[str]:
    """Reader queries: single words, two-word queries, phrases and exclusions."""
    terms = []
    for _ in range(count):
        noun, other = rng.sample(NOUNS, 2)
        terms.append(
            rng.choice(
                [
                    noun,
                    f"{noun} {rng.choice(PLACES)}",
                    f'"{noun.split()[0]}"',
                    f"{noun} OR {other}",
                    f"{noun} -{other.split()[0]}",
                    rng.choice(PLACES),
                ]
            )
        )
    return terms
