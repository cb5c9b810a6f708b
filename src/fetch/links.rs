//! Links as the fetcher takes them: normalised once each, and a Telegram post read through its
//! preview page.

use url::Url;

/// A public Telegram post (`t.me/channel/123`) is read through its embeddable preview page,
/// which carries the post's text; every other link is read as it is.
pub fn preview_url(url: &Url) -> Url {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches("www.");
    if !matches!(host, "t.me" | "telegram.me") {
        return url.clone();
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let post = match segments.as_slice() {
        ["s", channel, id] | [channel, id] => Some((*channel, *id)),
        _ => None,
    };
    match post {
        Some((channel, id))
            if channel != "c"
                && channel
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !id.is_empty()
                && id.chars().all(|c| c.is_ascii_digit()) =>
        {
            Url::parse(&format!("https://t.me/{channel}/{id}?embed=1&mode=tme"))
                .unwrap_or_else(|_| url.clone())
        }
        _ => url.clone(),
    }
}

/// The links of a message, normalised by the `url` crate (scheme and host lower case, IDNs in
/// punycode, default ports dropped), first occurrence first, without repeats. Strings that
/// are not http(s) links with a host are left out.
pub fn normalise_links<'a>(links: impl IntoIterator<Item = &'a str>) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    for raw in links {
        let raw = raw.trim();
        // `mailto:`, `tel:`, `javascript:`… name a scheme without `//`; `host:8080/x` does not.
        let other_scheme = raw.split_once(':').is_some_and(|(head, tail)| {
            !head.contains('/') && !tail.starts_with(|c: char| c.is_ascii_digit())
        });
        let parsed = if raw.contains("://") {
            Url::parse(raw)
        } else if other_scheme {
            continue;
        } else {
            Url::parse(&format!("http://{raw}"))
        };
        let Ok(mut url) = parsed else { continue };
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            continue;
        }
        url.set_fragment(None);
        if !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_posts_are_read_through_their_preview() {
        let u = |s: &str| preview_url(&Url::parse(s).unwrap()).to_string();
        assert_eq!(
            u("https://t.me/voenkomat_news/123"),
            "https://t.me/voenkomat_news/123?embed=1&mode=tme"
        );
        assert_eq!(
            u("https://t.me/s/voenkomat_news/7"),
            "https://t.me/voenkomat_news/7?embed=1&mode=tme"
        );
        assert_eq!(u("https://t.me/c/1234/5"), "https://t.me/c/1234/5");
        assert_eq!(
            u("https://t.me/voenkomat_news"),
            "https://t.me/voenkomat_news"
        );
        assert_eq!(u("https://example.com/a/1"), "https://example.com/a/1");
    }

    #[test]
    fn links_are_normalised_once() {
        let links = normalise_links([
            "HTTPS://Example.COM:443/Path#frag",
            "https://example.com/Path",
            "example.org",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "tel:+77011234567",
            "example.net:8080/x",
        ]);
        let shown: Vec<String> = links.iter().map(Url::to_string).collect();
        assert_eq!(
            shown,
            [
                "https://example.com/Path",
                "http://example.org/",
                "http://example.net:8080/x"
            ]
        );
    }
}
