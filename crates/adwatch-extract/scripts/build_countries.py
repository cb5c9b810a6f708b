#!/usr/bin/env python3
"""Builds data/gazetteer/countries_iso.toml: every ISO 3166-1 country the hand list lacks.

Sources (see data/gazetteer/SOURCE.md for their licences):
- Debian's `iso-codes` (LGPL-2.1+): ISO 3166-1 English names and their translations (ru, kk,
  ar, uz, ky, tg, hy, ne, hi), read from /usr/share/iso-codes and /usr/share/locale;
- CLDR territory names (Unicode licence), as shipped by the PyPI package `babel` 2.19.0, for the
  same languages and Uzbek in Cyrillic (`uz_Cyrl`);
- SHORT_NAMES below: the common short names (USA, США, АҚШ, Южная Корея) no source lists;
- Hunspell dictionaries, only to drop names that are also common words (as build_places.py).

    python3 -m venv /tmp/v && /tmp/v/bin/pip install babel==2.19.0
    apt-get download hunspell-ru hunspell-kk hunspell-uz hunspell-ar hunspell-en-us \
        myspell-hy hunspell-ne hunspell-hi
    for f in *spell-*.deb; do dpkg-deb -x "$f" /tmp/hunspell; done
    /tmp/v/bin/python scripts/build_countries.py --hunspell /tmp/hunspell/usr/share/hunspell

The hand list (countries.toml) wins: a country it has keeps its name, and only the forms it
lacks are listed here, under that name. Names are written out in their cases (a stem would reach
adjectives: `оман*` is also «оманский», `ռուսաստան*` «ռուսաստանյան», `रुस*` «रुसी»): Russian
names declined; Kazakh, Kyrgyz and Uzbek ones with their case suffixes by vowel harmony
(Түркияга, Германиядан); Tajik ones with the ezafe and object endings (Русияи, Русияро; its
prepositions, «ба Русия», stand apart); Armenian ones with their case endings (Ռուսաստանում,
Ուկրաինայից); Devanagari ones, which serve Nepali and Hindi alike, with the Nepali postpositions
written joined (रुसमा, कतारबाट; Hindi writes them apart: रूस में). A name with another in
brackets («Мьянма (Бирма)») is both. Every entry is `cased`: a one-word form counts only when the
text writes it with a capital letter (Armenian has capitals; Devanagari has none).
"""

import argparse
import gettext
import json
import os
import re
import sys
import tomllib

import unicodedata

from build_places import phrase_regex
from build_places import (
    FOREIGN_ARABIC, armenian_cases, fold, is_arabic, is_armenian,
    is_cyrillic, is_devanagari, is_latin, load_words, with_nukta_variants,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ISO_LANGS = ["ru", "kk", "ar", "uz", "ky", "tg", "hy", "ne", "hi"]
CLDR_LANGS = ["en", "ru", "kk", "ar", "uz", "uz_Cyrl", "ky", "tg", "hy", "ne", "hi"]

# Short names in use that neither source gives, per code.
SHORT_NAMES = {
    "US": ["USA", "U.S.A.", "the United States", "United States of America", "США", "Соединённые Штаты", "Соединенные Штаты", "Соединённые Штаты Америки",
           "АҚШ", "АКШ", "AQSh", "AQSH", "الولايات المتحدة الأمريكية"],
    # Not England: one of the United Kingdom's countries, which passages name apart.
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "Великобритания", "Ұлыбритания", "Buyuk Britaniya", "بريطانيا", "المملكة المتحدة"],
    "KR": ["South Korea", "Южная Корея", "Республика Корея", "Оңтүстік Корея", "Janubiy Koreya",
           "Жанубий Корея", "كوريا الجنوبية"],
    "SA": ["Saudi Arabia", "KSA", "Саудовская Аравия", "Сауд Арабиясы", "Saudiya Arabistoni",
           "السعودية", "المملكة العربية السعودية"],
    "CZ": ["Czech Republic", "Чехия", "Чешская Республика"],
    "NL": ["Holland", "Голландия", "هولندا"],
    "MD": ["Moldavia", "Молдавия"],
    "VN": ["Vietnam", "Вьетнам", "فيتنام"],
    "LA": ["Laos", "Лаос"],
    "SD": ["Sudan", "Судан", "السودان"],
    "QA": ["Qatar", "Катар", "قطر"],
    "JO": ["Jordan", "Иордания", "الأردن", "الاردن"],
    "OM": ["Sultanate of Oman", "Оман", "سلطنة عمان"],
    "LY": ["Libya", "Ливия", "ليبيا"],
    "PS": ["Palestine", "Палестина", "فلسطين"],
}
# The languages of issue 15, whose names the hand list gives for some countries only: for a
# country the hand list has, only names in these are added here.
NEW_LANGS = {"ky", "tg", "hy", "ne", "hi"}
# Countries the hand list gained after this file was first built (commit 8a1e4cf), whose
# generated names in every language are kept (AQShda, Chexiyada).
GAINED_LATER = {"CZ", "GB", "HR", "IL", "JP", "KR", "KW", "MY", "QA", "RO", "SA", "US"}
# Russian words that a country's name also is (the dictionaries list lemmas, not these forms).
RU_WORDS = {"того", "мали", "чад", "гаити", "нигер", "конго", "бенин"}
# Arabic words a country's name also is: butane (بوتان, Bhutan), "please" in chats (بليز, Belize),
# a jersey (جيرسي).
AR_WORDS = {"بوتان", "بليز", "جيرسي"}
# Names the dictionaries list as a rare word (оман, a plant) or that are short, which a country
# is far more often in these texts; kept, and still counted only when written with a capital.
KEEP = {"оман", "катар", "قطر"}
# The Nepali and Hindi dictionaries list places as words (Devanagari has no capitals): a short
# country name they list is left out as a word (चिली chili, माली gardener, गिनी counted, चाड
# festival) but for these, which are no word.
KEEP |= {"ओमान", "इटली", "पेरू", "पेरु", "हङकङ", "हैती", "मकाओ"}
MIN_WORD = 4  # letters of a one-word name; shorter ones are too often something else
VOICELESS = set("кқпстфхцчшщ")
BACK = set("аоұыуяё")
FRONT = set("әөүіеиэю")


def declensions(w):
    """Russian cases of a one-word name, written out."""
    if w.endswith("ия"):
        b = w[:-2]
        return [b + e for e in ("ия", "ии", "ию", "ией")]
    if w.endswith("а"):
        b = w[:-1]
        gen = "и" if b[-1:] in "гкхжшчщ" else "ы"
        return [b + e for e in ("а", gen, "е", "у", "ой")]
    if w.endswith("я"):
        b = w[:-1]
        return [b + e for e in ("я", "и", "е", "ю", "ей")]
    if w.endswith("й"):
        b = w[:-1]
        return [b + e for e in ("й", "я", "е", "ю", "ем")]
    if w.endswith("ь"):
        b = w[:-1]
        return [b + e for e in ("ь", "и", "ью")]
    if w[-1:] in "оиуеюэы":
        return [w]
    return [w + e for e in ("", "а", "е", "у", "ом")]


def kazakh_suffixes(w):
    """A Kazakh (or Kyrgyz) name with its case suffixes, by vowel harmony and its last sound."""
    vowels = [c for c in w if c in BACK | FRONT]
    back = bool(vowels) and vowels[-1] in BACK
    last = w[-1]
    vowel = last in BACK | FRONT
    voiceless = last in VOICELESS
    a = "а" if back else "е"
    y = "ы" if back else "і"
    loc = ("т" if voiceless else "д") + a
    dat = (("қ" if back else "к") if voiceless else ("ғ" if back else "г")) + a
    gen = ("н" if vowel or last in "руй" else "т" if voiceless else "д") + y + ("ң")
    abl = ("н" if last in "мнң" else "т" if voiceless else "д") + a + "н"
    acc = ("н" if vowel else "т" if voiceless else "д") + y
    return [w] + [w + s for s in (loc, dat, gen, abl, acc, loc + ("ғы" if back else "гі"))]


KY_VOWELS = {
    # the last vowel: (the low vowel, the high vowel) of the suffixes
    **{v: ("а", "ы") for v in "аыя"}, **{v: ("о", "у") for v in "оуёю"},
    **{v: ("е", "и") for v in "еиэ"}, **{v: ("ө", "ү") for v in "өү"},
}
KY_VOICELESS = set("кпстфхцчшщ")


def kyrgyz_suffixes(w):
    """A Kyrgyz name with its case suffixes: dative, locative, ablative, genitive, accusative
    and -дагы, by the four-way vowel harmony and the last sound (Түркияга, Кытайда, Ирактан)."""
    vowels = [c for c in w if c in KY_VOWELS]
    low, high = KY_VOWELS[vowels[-1]] if vowels else ("а", "ы")
    last = w[-1]
    vowel = last in KY_VOWELS
    hard = last in KY_VOICELESS
    d = "т" if hard else "д"
    dat = ("к" if hard else "г") + low
    gen = ("н" if vowel else d) + high + "н"
    acc = ("н" if vowel else d) + high
    loc = d + low
    dagy = loc + {"а": "гы", "о": "гу", "е": "ги", "ө": "гү"}[low]
    return [w] + [w + s for s in (dat, loc, loc + "н", gen, acc, dagy)]


def tajik_suffixes(w):
    """A Tajik name with the ezafe (Русияи, «Вазорати мудофиаи Русия») and the object ending
    (Русияро)."""
    return [w, w + "и", w + "ро"]


def uzbek_suffixes(w, cyrillic):
    sfx = ["да", "га", "дан", "нинг", "ни", "даги"] if cyrillic else ["da", "ga", "dan", "ning", "ni", "dagi"]
    if w[-1] in "kq":
        sfx.append(w[-1] + "a")
    if w[-1] in "кқ":
        sfx.append(w[-1] + "а")
    return [w] + [w + s for s in sfx]


def stem_words(name):
    """Stems of a several-word Cyrillic name: its words take cases (`саудовск* арави*`)."""
    out = []
    for w in name.split():
        stem = w
        for e in ("ые", "ие", "ая", "яя", "ое", "ее", "ий", "ый", "ой", "ия", "ы", "и", "а", "я", "ь", "й"):
            # An adjective keeps a shorter stem: «южная» is `южн*` (южной, южную).
            least = 3 if len(e) == 2 and e != "ия" else MIN_WORD
            if w.endswith(e) and len(w) - len(e) >= least:
                stem = w[: -len(e)]
                break
        out.append(stem + "*" if stem != w or len(w) >= MIN_WORD + 2 else w)
    return " ".join(out)


def strip_harakat(s):
    return re.sub("[\u064b-\u0652\u0640]", "", s)


def arabic_variants(s):
    return {s, re.sub("[أإآ]", "ا", s)}


class Checker:
    def __init__(self, words):
        self.words = words
        # Arabic glues و ب ل ف ك to the next word and the phrase matcher lets any letters stand
        # before an Arabic phrase: a name that ends a longer word ("عمان" in «نعمان») is left out.
        self.arabic_tails = set()
        for w in words.set:
            if is_arabic(w):
                for k in (1, 2, 3):
                    if len(w) - k >= 3 and not set(w[:k]) <= set("وبلفكال"):
                        self.arabic_tails.add(w[k:])

    MIN_DEVANAGARI = 5

    def common(self, form, lang):
        if " " in form or form in KEEP:
            return False
        if is_devanagari(form):
            return False
        if is_arabic(form):
            # Arabic has no capitals: its dictionary lists the countries themselves (ليبيا) as
            # words. A name that ends a longer word is left out instead («مالي» in «شمالي»).
            return len(form) < MIN_WORD or form in self.arabic_tails or form in AR_WORDS
        if form in self.words or form in RU_WORDS:
            return True
        return len(form) < MIN_WORD


def inflect_last(low, cases):
    """A name of several words with its last word inflected."""
    head, _, last = low.rpartition(" ")
    return {(head + " " if head else "") + w for w in cases(last)}


# The postpositions Nepali writes joined to a country's name most (रुसमा, कतारबाट, नेपालको).
COUNTRY_POSTPOSITIONS = ["मा", "बाट", "को", "का", "ले", "लाई"]


def devanagari_cases(w):
    return [w] + [w + p for p in COUNTRY_POSTPOSITIONS]


def forms_of(name, lang, chk):
    name = " ".join(name.replace("’", "'").split())
    # "Мьянма (Бирма)": both names.
    m = re.fullmatch(r"([^()]+?) \(([^()]+)\)", name)
    if m:
        return forms_of(m.group(1), lang, chk) | forms_of(m.group(2), lang, chk)
    if not name or "," in name or "(" in name or len(name) > 45:
        return set()
    low = name.lower()
    one = " " not in low
    if lang == "abbr":
        # An abbreviation (USA, США, АҚШ): never declined; Uzbek glues its suffixes on
        # ("AQShda"), Kazakh writes them after a hyphen, which the phrase's boundary allows.
        return set(uzbek_suffixes(low, False)) if low == "aqsh" else {low}
    if one and chk.common(low, lang):
        return set()
    out = set()
    if is_cyrillic(name):
        if one:
            if lang in ("ru", "kk", "uz_Cyrl"):
                out |= set(declensions(low))
            if lang in ("kk", "ru"):
                out |= set(kazakh_suffixes(low))
            if lang in ("uz_Cyrl", "ru"):
                out |= set(uzbek_suffixes(low, True))
            if lang == "ky":
                out |= set(kyrgyz_suffixes(low))
            if lang == "tg":
                out |= set(tajik_suffixes(low))
        else:
            out.add(low)
            out.add(stem_words(low))
            # A Kyrgyz name of several words ends in a possessive («Сауд Арабиясы»,
            # «Орус Федерациясы») that takes its cases after an n (Арабиясына), which the
            # stem above reaches.
            if lang == "tg":
                out |= inflect_last(low, tajik_suffixes)
    elif is_arabic(strip_harakat(name)):
        for v in arabic_variants(strip_harakat(low)):
            if not set(v) & FOREIGN_ARABIC:
                out.add(v)
    elif is_latin(fold(name).replace("‘", "'").replace("ʻ", "'")):
        base = fold(low).replace("‘", "'").replace("ʻ", "'")
        variants = {base}
        if "'" in base and lang == "uz":
            variants |= {base.replace("'", c) for c in ("ʻ", "‘", "’", "")}
        for v in variants:
            out.add(v)
            if one and lang == "uz":
                out |= set(uzbek_suffixes(v, False))
    elif is_armenian(name):
        out |= inflect_last(low, armenian_cases)
    elif is_devanagari(name):
        low = unicodedata.normalize("NFD", low)
        if one and len(low) < chk.MIN_DEVANAGARI and low in chk.words.deva and low not in KEEP:
            # A short name a dictionary lists is a word as often («माली», a gardener).
            return set()
        # Nepali glues its postpositions on (Hindi writes them apart, where the bare name
        # serves); a Hindi spelling is Nepali too (ओमानमा).
        out |= with_nukta_variants(inflect_last(low, devanagari_cases))
    return {f for f in out if f and not chk.common(f, lang)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hunspell", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "gazetteer", "countries_iso.toml"))
    args = ap.parse_args()
    import babel

    chk = Checker(load_words(args.hunspell))
    # The hand list's name of each country it has, and its phrases.
    hand = {}
    hand_forms = {}
    with open(os.path.join(ROOT, "data", "gazetteer", "countries.toml"), "rb") as f:
        for e in tomllib.load(f)["entry"]:
            hand.setdefault(e["code"], e["name"])
            hand_forms.setdefault(e["code"], []).extend(phrase_regex(p) for p in e["forms"])
    with open("/usr/share/iso-codes/json/iso_3166-1.json", encoding="utf-8") as f:
        iso = json.load(f)["3166-1"]
    tr = {l: gettext.translation("iso_3166-1", "/usr/share/locale", [l], fallback=True) for l in ISO_LANGS}
    cldr = {l: babel.Locale.parse(l).territories for l in CLDR_LANGS}
    lines = [
        "# GENERATED by scripts/build_countries.py: do not edit; change the script or countries.toml.",
        "# ISO 3166-1 countries (and the forms the hand list lacks of those it has, under its name):",
        "# names from iso-codes (LGPL-2.1+) and CLDR (Unicode licence) in en ru kk ar uz ky tg hy",
        "# ne hi; see SOURCE.md.",
        "# `cased`: a one-word form counts only when written with a capital letter.",
        "",
    ]
    count = 0
    for c in sorted(iso, key=lambda c: c["alpha_2"]):
        code = c["alpha_2"]
        english = c.get("common_name", c["name"])
        if "," in english or "(" in english:
            english = cldr["en"].get(code, english)
        names = [("en", c["name"]), ("en", english), ("en", cldr["en"].get(code, ""))]
        names += [("en", c.get("common_name", ""))]
        for l in ISO_LANGS:
            t = tr[l].gettext(c["name"])
            if t != c["name"]:
                names.append((l, t))
        for l in CLDR_LANGS[1:]:
            names.append((l, cldr[l].get(code, "")))
        for n in SHORT_NAMES.get(code, []):
            if n.replace(".", "").isupper() or n == "AQSh":
                lang = "abbr"
            elif is_arabic(n):
                lang = "ar"
            elif is_cyrillic(n):
                lang = "ru"
            else:
                lang = "uz" if re.search("[qʻ‘]|iya|ston|Buyuk|Janubiy", n) else "en"
            names.append((lang, n))
        if code in hand and code not in GAINED_LATER:
            names = [(lang, n) for lang, n in names if lang in NEW_LANGS]
        forms = set()
        for lang, n in names:
            forms |= forms_of(n, lang, chk)
        # What a hand phrase of the country already matches is left to it.
        forms = {f for f in forms if not any(p.match(f) for p in hand_forms.get(code, []))}
        if not forms:
            continue
        count += 1
        lines += [
            "[[entry]]",
            f"name = {json.dumps(hand.get(code, english), ensure_ascii=False)}",
            f'code = "{code}"',
            "cased = true",
            "forms = [" + ", ".join(json.dumps(f, ensure_ascii=False) for f in sorted(forms)) + "]",
            "",
        ]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"{args.out}: {count} countries", file=sys.stderr)


if __name__ == "__main__":
    main()
