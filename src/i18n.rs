//! Messages in every language adwatch answers in, from Fluent files under `data/i18n/`.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::extract::Lang;

/// The Fluent file of each language that has one. A language without a file (yet) is answered
/// in English, message by message, as a language that lacks one message is.
const FILES: &[(Lang, &str)] = &[
    (Lang::En, include_str!("../data/i18n/en.ftl")),
    (Lang::Ru, include_str!("../data/i18n/ru.ftl")),
    (Lang::Kk, include_str!("../data/i18n/kk.ftl")),
    (Lang::Ar, include_str!("../data/i18n/ar.ftl")),
    (Lang::Uz, include_str!("../data/i18n/uz.ftl")),
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

    /// Restricted to the languages with a bundle: the files of ky, tg, hy, ne and hi are being
    /// written; when they land in `FILES` this covers them with no change.
    #[test]
    fn every_language_with_a_bundle_has_every_english_message() {
        let keys = message_ids(Lang::En, FILES[0].1);
        assert!(keys.len() > 30);
        for &(lang, src) in FILES {
            let have = message_ids(lang, src);
            for k in &keys {
                assert!(have.contains(k), "{lang:?} lacks {k}");
            }
        }
        assert!(tr(Lang::Ru, "others", &[("count", 3.into())]).contains('3'));
    }

    #[test]
    fn a_language_without_a_bundle_is_answered_in_english() {
        for lang in Lang::ALL {
            let text = t(lang, "start");
            assert!(!text.is_empty() && text != "start", "{lang:?}");
            if !FILES.iter().any(|(l, _)| *l == lang) {
                assert_eq!(text, t(Lang::En, "start"), "{lang:?}");
            }
        }
    }
}
