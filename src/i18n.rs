//! Messages in every language adwatch answers in, from Fluent files under `data/i18n/`.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::extract::Lang;

/// The Fluent file of each language. A message a file lacks is answered in English.
const FILES: &[(Lang, &str)] = &[
    (Lang::En, include_str!("../data/i18n/en.ftl")),
    (Lang::Ru, include_str!("../data/i18n/ru.ftl")),
    (Lang::Kk, include_str!("../data/i18n/kk.ftl")),
    (Lang::Ar, include_str!("../data/i18n/ar.ftl")),
    (Lang::Uz, include_str!("../data/i18n/uz.ftl")),
    (Lang::Ky, include_str!("../data/i18n/ky.ftl")),
    (Lang::Tg, include_str!("../data/i18n/tg.ftl")),
    (Lang::Hy, include_str!("../data/i18n/hy.ftl")),
    (Lang::Ne, include_str!("../data/i18n/ne.ftl")),
    (Lang::Hi, include_str!("../data/i18n/hi.ftl")),
];

static BUNDLES: LazyLock<HashMap<Lang, FluentBundle<FluentResource>>> = LazyLock::new(|| {
    FILES
        .iter()
        .filter_map(|(lang, src)| {
            let id: unic_langid::LanguageIdentifier = lang.code().parse().ok()?;
            let resource = FluentResource::try_new(src.to_string()).unwrap_or_else(|(r, _)| r);
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks keep Latin numbers and names in order inside Arabic; other
            // languages do not need them.
            bundle.set_use_isolating(*lang == Lang::Ar);
            bundle.add_resource(resource).ok()?;
            Some((*lang, bundle))
        })
        .collect()
});

/// A message; English when the language lacks it; the key itself when no language has it.
pub fn t(lang: Lang, key: &str) -> String {
    tr(lang, key, &[])
}

/// A message with arguments (`{ $name }` in the Fluent files).
pub fn tr(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    for l in [lang, Lang::En] {
        if let Some(bundle) = BUNDLES.get(&l) {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
    }
    key.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of a Fluent file; panics with the file's language if it does not parse.
    fn message_ids(lang: Lang, src: &str) -> Vec<String> {
        let r = FluentResource::try_new(src.to_string())
            .unwrap_or_else(|(_, e)| panic!("{lang:?}: {e:?}"));
        r.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_english_message() {
        let keys = message_ids(Lang::En, FILES[0].1);
        assert!(keys.len() > 30);
        for lang in Lang::ALL {
            assert!(
                FILES.iter().any(|(l, _)| *l == lang),
                "{lang:?} has no file"
            );
        }
        for &(lang, src) in FILES {
            let have = message_ids(lang, src);
            for k in &keys {
                assert!(have.contains(k), "{lang:?} lacks {k}");
            }
        }
        assert!(tr(Lang::Ru, "others", &[("count", 3.into())]).contains('3'));
    }

    /// Every count message at 0, 1, 2, 3, 5, 11, 21 and 101, in every language: it renders
    /// with no Fluent error, and where a language has several plural forms the one chosen is
    /// the CLDR category of the number (Russian 21 and 101 are `one`, 3 `few`, 5 and 11 `many`;
    /// Arabic 2 `two`, 3 `few`, 11 `many`, 101 `other`).
    #[test]
    fn plural_messages_take_each_numbers_cldr_form() {
        const NUMBERS: [i64; 8] = [0, 1, 2, 3, 5, 11, 21, 101];
        for lang in Lang::ALL {
            let bundle = &BUNDLES[&lang];
            for n in NUMBERS {
                for (key, arg) in [("others", "count"), ("digest-count", "ads")] {
                    let mut args = FluentArgs::new();
                    args.set(arg, n);
                    args.set("citizens", n);
                    let message = bundle.get_message(key).and_then(|m| m.value()).unwrap();
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(message, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{lang:?} {key} {n}: {errors:?}");
                    assert!(!text.trim().is_empty(), "{lang:?} {key} {n}");
                }
            }
        }
        let others = |lang, n: i64| tr(lang, "others", &[("count", n.into())]);
        // The first reporter is told so; the 21st and the 101st are not.
        assert!(others(Lang::Ru, 1).contains("первым"));
        for n in [21, 101] {
            let text = others(Lang::Ru, n);
            assert!(
                text.contains("сообщил ") && text.contains("человек,"),
                "{text}"
            );
        }
        for n in [2, 3] {
            assert!(others(Lang::Ru, n).contains("человека,"), "{n}");
        }
        for n in [5, 11] {
            let text = others(Lang::Ru, n);
            assert!(
                text.contains("сообщили") && text.contains("человек,"),
                "{text}"
            );
        }
        let ar: Vec<String> = [2, 3, 11, 101]
            .iter()
            .map(|&n| others(Lang::Ar, n))
            .collect();
        assert!(ar[0].contains("شخصان"), "{}", ar[0]);
        assert!(ar[1].contains("أشخاص"), "{}", ar[1]);
        assert!(ar[2].contains("شخصًا"), "{}", ar[2]);
        assert!(ar[3].contains(" شخص "), "{}", ar[3]);
        assert!(others(Lang::Ar, 1).contains("أول"));
        for lang in [Lang::Ky, Lang::Tg, Lang::Hy, Lang::Ne, Lang::Hi] {
            assert_ne!(
                others(lang, 1),
                others(lang, 3),
                "{lang:?}: the first is told so"
            );
        }
    }

    /// Arabic risk reads "75 من 100", never a slash that the bidi algorithm turns into "100/75";
    /// each command in Arabic text has a left-to-right mark before it.
    #[test]
    fn arabic_numbers_and_commands_keep_their_order() {
        let risk = tr(Lang::Ar, "risk", &[("risk", 75.into())]);
        assert!(risk.contains("من 100") && !risk.contains('/'), "{risk}");
        let src = FILES.iter().find(|(l, _)| *l == Lang::Ar).unwrap().1;
        for (i, _) in src.match_indices(" /") {
            let after = &src[i + 2..];
            if after.starts_with(|c: char| c.is_ascii_lowercase()) {
                panic!(
                    "a command without a left-to-right mark before it: {}",
                    &src[i.saturating_sub(20)..i + 12]
                );
            }
        }
    }

    #[test]
    fn every_language_is_answered_in_itself() {
        for lang in Lang::ALL {
            let text = t(lang, "start");
            assert!(!text.is_empty() && text != "start", "{lang:?}");
            if lang != Lang::En {
                assert_ne!(text, t(Lang::En, "start"), "{lang:?}");
            }
        }
        assert_eq!(t(Lang::Ky, "no-such-message"), "no-such-message");
    }
}
