//! Links: the only module that talks to the open internet, behind its guard.
//!
//! [`Fetcher::fetch`] reads one link the way a visitor's browser would, within limits:
//! - every host is resolved by [`GuardedResolver`], which refuses the whole name if any of its
//!   addresses is not public, and hands the connector exactly the addresses it checked (no
//!   second DNS answer in between); IP literals never reach a resolver, so [`Fetcher::admit`]
//!   checks them itself, in whatever spelling the `url` crate read them from;
//! - redirects are followed by hand, each hop admitted again, at most [`MAX_REDIRECTS`];
//! - no proxy from the environment, no cookies, no `Referer`, http and https only, ports 80 and
//!   443 unless configured;
//! - one time limit for the whole (every hop, the body, the parse and the analysis the caller
//!   hands in), a size limit on the decoded body (the read is cut there, so gzip and brotli
//!   cannot blow it up), HTML and text only;
//! - at most `FETCH_CONCURRENCY` links are read at once, process-wide; the parse and the
//!   analysis run on tokio's blocking threads, never on the async workers.
//!
//! `FETCH_ALLOW_PRIVATE` lifts the address and port checks (tests, closed deployments).

pub mod guard;
mod links;
pub mod page;

pub use links::{normalise_links, preview_url};

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::{Host, Url};

use self::guard::Refusal;
use self::page::PageText;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// The User-Agent every request carries: plain, naming the bot.
pub const USER_AGENT: &str = concat!(
    "adwatch/",
    env!("CARGO_PKG_VERSION"),
    " (a Telegram bot that checks ads citizens report)"
);

/// How links are fetched (`FETCH_*` in the environment).
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// `FETCH_ENABLED=0` turns fetching off; links are still recorded.
    pub enabled: bool,
    /// `FETCH_ALLOW_PRIVATE=1`: no address or port checks. Tests and closed deployments only.
    pub allow_private: bool,
    /// `FETCH_ALLOWED_PORTS`, default 80 and 443.
    pub allowed_ports: Vec<u16>,
    /// `FETCH_TIMEOUT` in seconds, for everything one link takes (default 10).
    pub timeout: Duration,
    /// `FETCH_MAX_BYTES` of decoded body read; the rest is cut (default 2 MB).
    pub max_bytes: usize,
    /// `FETCH_MAX_LINKS` read per report (default 3); the others are recorded only.
    pub max_links: usize,
    /// `FETCH_CONCURRENCY`: links read at once in the whole process (default 4); the others
    /// wait for a slot before their time limit starts.
    pub concurrency: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            enabled: true,
            allow_private: false,
            allowed_ports: vec![80, 443],
            timeout: Duration::from_secs(10),
            max_bytes: 2_000_000,
            max_links: 3,
            concurrency: 4,
        }
    }
}

/// A page as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Where the redirects ended.
    pub final_url: String,
    pub status: u16,
    /// SHA-256 of the body as read (decoded, cut at the limit), hex.
    pub sha256: String,
    /// Bytes of body read.
    pub bytes: usize,
    /// The body was longer than the limit and was cut.
    pub truncated: bool,
    pub text: PageText,
}

/// Why a link could not be read, in terms a citizen can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not an http or https link.
    Scheme,
    /// A port other than the allowed ones.
    Port(u16),
    /// The address is loopback, private, link-local… (or the name resolves to one).
    Blocked(Refusal),
    /// No such name, refused connection, TLS failure, broken transfer.
    Unreachable,
    Timeout,
    TooManyRedirects,
    /// Not HTML or text: the content type it sent.
    NotAPage(String),
    /// An HTTP status other than success.
    Http(u16),
    /// Fetching is turned off here.
    Disabled,
    /// The page arrived but could not be parsed and analysed within the time limit.
    TooComplex,
}

impl Failure {
    /// A short stable code, stored with the report.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Scheme => "scheme",
            Failure::Port(_) => "port",
            Failure::Blocked(_) => "blocked",
            Failure::Unreachable => "unreachable",
            Failure::Timeout => "timeout",
            Failure::TooManyRedirects => "redirects",
            Failure::NotAPage(_) => "not_a_page",
            Failure::Http(_) => "http",
            Failure::Disabled => "disabled",
            Failure::TooComplex => "too_complex",
        }
    }

    /// The detail stored next to the code (a port, a status, a content type).
    pub fn detail(&self) -> Option<String> {
        match self {
            Failure::Port(p) => Some(p.to_string()),
            Failure::Blocked(why) => Some(format!("{why:?}")),
            Failure::NotAPage(t) => Some(t.clone()),
            Failure::Http(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// Reads back what [`Failure::code`] and [`Failure::detail`] stored.
    pub fn from_stored(code: &str, detail: Option<&str>) -> Failure {
        let number = || detail.and_then(|d| d.parse().ok()).unwrap_or(0);
        match code {
            "scheme" => Failure::Scheme,
            "port" => Failure::Port(number()),
            "blocked" => Failure::Blocked(
                Refusal::ALL
                    .into_iter()
                    .find(|r| Some(format!("{r:?}").as_str()) == detail)
                    .unwrap_or(Refusal::Reserved),
            ),
            "timeout" => Failure::Timeout,
            "redirects" => Failure::TooManyRedirects,
            "not_a_page" => Failure::NotAPage(detail.unwrap_or_default().to_string()),
            "http" => Failure::Http(number()),
            "disabled" => Failure::Disabled,
            "too_complex" => Failure::TooComplex,
            _ => Failure::Unreachable,
        }
    }
}

/// The resolver's refusal, found again in the error chain reqwest returns.
#[derive(Debug)]
struct BlockedName(Refusal);

impl std::fmt::Display for BlockedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the name resolves to a refused address ({:?})", self.0)
    }
}

impl std::error::Error for BlockedName {}

/// Resolves names with the system resolver and refuses a name if any of its addresses is not
/// public. reqwest connects to exactly the addresses returned here.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(why) = addrs.iter().find_map(|a| guard::check_ip(a.ip()).err()) {
                return Err(Box::new(BlockedName(why)) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Reads links. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    settings: Arc<FetchSettings>,
    /// One permit per link being read (`FETCH_CONCURRENCY`).
    slots: Arc<Semaphore>,
}

/// A body as it was downloaded, before it is read.
struct Download {
    url: Url,
    status: u16,
    content_type: Option<String>,
    looks_html: bool,
    body: Vec<u8>,
    truncated: bool,
}

impl Fetcher {
    pub fn new(settings: FetchSettings) -> anyhow::Result<Fetcher> {
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .referer(false)
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout);
        if !settings.allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        Ok(Fetcher {
            client: builder.build()?,
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            settings: Arc::new(settings),
        })
    }

    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// May this URL be requested at all? Scheme, port, and an IP literal's address; names are
    /// checked by the resolver when they are looked up.
    pub fn admit(&self, url: &Url) -> Result<(), Failure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::Scheme);
        }
        if self.settings.allow_private {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if !self.settings.allowed_ports.contains(&port) {
            return Err(Failure::Port(port));
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err(Failure::Scheme),
        };
        guard::check_ip(ip).map_err(Failure::Blocked)
    }

    /// Reads one link within the time limit.
    pub async fn fetch(&self, url: &Url) -> Result<Page, Failure> {
        self.fetch_with(url, |_| ()).await.map(|(page, ())| page)
    }

    /// Reads one link and hands what it shows to `analyse`, all within the one time limit:
    /// once a slot is free, the download, then the parse and `analyse` on a blocking thread.
    /// The slot stays taken until that thread is done, even when the time limit has ended
    /// the wait for it, so no more than `FETCH_CONCURRENCY` pages are ever being parsed.
    pub async fn fetch_with<T, F>(&self, url: &Url, analyse: F) -> Result<(Page, T), Failure>
    where
        T: Send + 'static,
        F: FnOnce(&PageText) -> T + Send + 'static,
    {
        if !self.settings.enabled {
            return Err(Failure::Disabled);
        }
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Failure::Unreachable)?;
        let parsing = Arc::new(AtomicBool::new(false));
        let work = async {
            let download = self.follow(url).await?;
            parsing.store(true, Ordering::SeqCst);
            read_blocking(download, slot, analyse).await
        };
        match tokio::time::timeout(self.settings.timeout, work).await {
            Ok(result) => result,
            Err(_) if parsing.load(Ordering::SeqCst) => Err(Failure::TooComplex),
            Err(_) => Err(Failure::Timeout),
        }
    }

    async fn follow(&self, url: &Url) -> Result<Download, Failure> {
        let mut current = preview_url(url);
        for _ in 0..=MAX_REDIRECTS {
            self.admit(&current)?;
            let response = self
                .client
                .get(current.clone())
                .send()
                .await
                .map_err(|e| failure_of(&e))?;
            let status = response.status();
            if status.is_redirection() {
                if let Some(location) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                {
                    current = current.join(location).map_err(|_| Failure::Unreachable)?;
                    continue;
                }
            }
            if !status.is_success() {
                return Err(Failure::Http(status.as_u16()));
            }
            return self.download(current, response).await;
        }
        Err(Failure::TooManyRedirects)
    }

    async fn download(
        &self,
        url: Url,
        mut response: reqwest::Response,
    ) -> Result<Download, Failure> {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let kind = content_type.as_deref().map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        let is_html = match kind.as_deref() {
            Some("text/html" | "application/xhtml+xml") => true,
            Some("text/plain") | None => false,
            Some(other) => return Err(Failure::NotAPage(other.to_string())),
        };
        let limit = self.settings.max_bytes;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| failure_of(&e))? {
            let room = limit - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        // No content type: text only if it looks like text.
        if kind.is_none() && body[..body.len().min(1024)].contains(&0) {
            return Err(Failure::NotAPage("application/octet-stream".into()));
        }
        let looks_html = is_html
            || (kind.is_none() && {
                let head =
                    String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
                head.trim_start().starts_with('<')
            });
        Ok(Download {
            url,
            status,
            content_type,
            looks_html,
            body,
            truncated,
        })
    }
}

/// Decodes, parses and analyses a download on a blocking thread, which holds `slot` until it
/// is done.
async fn read_blocking<T, F>(
    download: Download,
    slot: OwnedSemaphorePermit,
    analyse: F,
) -> Result<(Page, T), Failure>
where
    T: Send + 'static,
    F: FnOnce(&PageText) -> T + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let page = download.read();
        let analysed = analyse(&page.text);
        (page, analysed)
    })
    .await
    .map_err(|_| Failure::Unreachable)
}

impl Download {
    /// What the body says: decoded, and read as HTML when it is HTML.
    fn read(self) -> Page {
        let sha256 = hex::encode(Sha256::digest(&self.body));
        let decoded = page::decode(&self.body, self.content_type.as_deref());
        let text = if self.looks_html {
            page::read_html(&decoded)
        } else {
            PageText {
                body: decoded,
                ..PageText::default()
            }
        };
        Page {
            final_url: self.url.to_string(),
            status: self.status,
            sha256,
            bytes: self.body.len(),
            truncated: self.truncated,
            text,
        }
    }
}

/// What went wrong, from reqwest's error and its causes.
fn failure_of(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(BlockedName(why)) = err.downcast_ref::<BlockedName>() {
            return Failure::Blocked(*why);
        }
        source = err.source();
    }
    Failure::Unreachable
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetcher() -> Fetcher {
        Fetcher::new(FetchSettings::default()).unwrap()
    }

    #[test]
    fn admission_checks_scheme_port_and_literal_addresses() {
        let f = fetcher();
        let admit = |s: &str| f.admit(&Url::parse(s).unwrap());
        assert_eq!(admit("https://example.com/"), Ok(()));
        assert_eq!(admit("http://example.com:80/x"), Ok(()));
        assert_eq!(admit("ftp://example.com/"), Err(Failure::Scheme));
        assert_eq!(admit("file:///etc/passwd"), Err(Failure::Scheme));
        assert_eq!(admit("http://example.com:8080/"), Err(Failure::Port(8080)));
        for private in [
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://100.64.1.1/",
        ] {
            assert!(
                matches!(admit(private), Err(Failure::Blocked(_))),
                "{private}"
            );
        }
    }

    #[test]
    fn allow_private_lifts_address_and_port_checks_only() {
        let f = Fetcher::new(FetchSettings {
            allow_private: true,
            ..FetchSettings::default()
        })
        .unwrap();
        assert_eq!(f.admit(&Url::parse("http://127.0.0.1:9/").unwrap()), Ok(()));
        assert_eq!(
            f.admit(&Url::parse("gopher://127.0.0.1/").unwrap()),
            Err(Failure::Scheme)
        );
    }

    #[test]
    fn failures_survive_storage() {
        for f in [
            Failure::Scheme,
            Failure::Port(8080),
            Failure::Blocked(Refusal::LinkLocal),
            Failure::Unreachable,
            Failure::Timeout,
            Failure::TooManyRedirects,
            Failure::NotAPage("image/png".into()),
            Failure::Http(404),
            Failure::Disabled,
            Failure::TooComplex,
        ] {
            assert_eq!(Failure::from_stored(f.code(), f.detail().as_deref()), f);
        }
    }
}
