//! The HTTP side: the webhook, `/healthz` and `/metrics`, served so that no client can starve
//! the bot or its database.
//!
//! - Connections are accepted only while fewer than the cap are open ([`HttpLimits`]); the next
//!   ones wait in the kernel's queue until one closes.
//! - A request's head must arrive within `header_timeout` (hyper's timer), so a client that
//!   opens connections and sends a header line byte by byte is cut.
//! - The webhook checks the secret before it reads a byte of the body, and reads at most
//!   [`MAX_WEBHOOK_BODY`] within `body_timeout`.
//! - `/metrics` answers from memory (the database gauges are read in the background, see
//!   [`crate::metrics::spawn_refresh`]); with `METRICS_ADDR` it is served there only.
//! - `/healthz` pings the database, but one ping at a time: requests that come while one runs
//!   share the next one's answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use teloxide::prelude::*;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::ingress::Ingress;
use crate::config::HttpLimits;

/// The header Telegram sends the webhook secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The largest webhook body read: Telegram's updates are a few kilobytes.
pub const MAX_WEBHOOK_BODY: usize = 1 << 20;

/// How long a stopping server waits for the requests it is answering.
const DRAIN: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Served {
    ingress: Ingress,
    secret: Option<Arc<str>>,
    health: Arc<Health>,
    body_timeout: Duration,
}

/// The main listener (`LISTEN_ADDR`): `/healthz`, the webhook in webhook mode, and `/metrics`
/// unless `METRICS_ADDR` takes it. Binds `addr` and returns the address bound (port 0 picks
/// one).
pub async fn serve(
    ingress: Ingress,
    addr: SocketAddr,
    stop: CancellationToken,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let config = &ingress.app().config;
    let webhook = config.webhook.clone();
    let limits = config.http.clone();
    let metrics_here = config.metrics_addr.is_none();
    let served = Served {
        secret: webhook.as_ref().map(|w| Arc::from(w.secret.as_str())),
        health: Arc::default(),
        body_timeout: limits.body_timeout,
        ingress,
    };
    let mut router = Router::new().route("/healthz", get(healthz));
    if metrics_here {
        router = router.route("/metrics", get(metrics));
    }
    if let Some(w) = &webhook {
        router = router.route(w.url.path(), post(on_webhook));
    }
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let router = router.with_state(served.clone());
    let mut tasks = vec![];
    if metrics_here {
        tasks.push(spawn_gauges(&served.ingress, &stop));
    }
    let max = limits.max_connections;
    let server = tokio::spawn(accept_loop(listener, router, limits, max, stop));
    Ok((bound, join_all(server, tasks)))
}

/// `/metrics` alone, on `METRICS_ADDR`.
pub async fn serve_metrics(
    ingress: Ingress,
    addr: SocketAddr,
    stop: CancellationToken,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let limits = ingress.app().config.http.clone();
    let served = Served {
        secret: None,
        health: Arc::default(),
        body_timeout: limits.body_timeout,
        ingress,
    };
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let router = Router::new()
        .route("/metrics", get(metrics))
        .with_state(served.clone());
    let gauges = spawn_gauges(&served.ingress, &stop);
    let max = limits.max_metrics_connections;
    let server = tokio::spawn(accept_loop(listener, router, limits, max, stop));
    Ok((bound, join_all(server, vec![gauges])))
}

/// The background reads of the database gauges, for as long as `/metrics` is served.
fn spawn_gauges(ingress: &Ingress, stop: &CancellationToken) -> tokio::task::JoinHandle<()> {
    let app = ingress.app();
    crate::metrics::spawn_refresh(app.metrics.clone(), app.service.clone(), stop.clone())
}

fn join_all(
    server: tokio::task::JoinHandle<()>,
    others: Vec<tokio::task::JoinHandle<()>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _ = server.await;
        for task in others {
            let _ = task.await;
        }
    })
}

/// Accepts connections while fewer than `max` are open and serves each over HTTP/1.1 with
/// the head's time limit. On `stop`: closes the listener, lets the requests being answered
/// finish (idle connections close at once), and returns.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    max: usize,
    stop: CancellationToken,
) {
    let open = Arc::new(Semaphore::new(max.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    // A head is small; 64 KB of buffer a connection bounds what the cap of them can hold.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024);
    let connections = TaskTracker::new();
    loop {
        // A slot first: past the cap, connections wait in the kernel's queue, unread.
        let slot = tokio::select! {
            _ = stop.cancelled() => break,
            slot = open.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let stop = stop.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(DRAIN, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("HTTP connections still open at shutdown were dropped");
    }
}

/// One database ping at a time for `/healthz`.
#[derive(Default)]
struct Health {
    /// When the last ping started, and whether the database answered it.
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl Health {
    /// Does the database answer? A ping that started after this request came is shared;
    /// otherwise this request pings, while the others wait for its answer.
    async fn database_up(&self, ingress: &Ingress) -> bool {
        let asked = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((started, up)) = *last {
            if started >= asked {
                return up;
            }
        }
        let started = Instant::now();
        let up = ingress.app().service.ping().await;
        *last = Some((started, up));
        up
    }
}

async fn healthz(State(s): State<Served>) -> impl IntoResponse {
    if s.health.database_up(&s.ingress).await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}

async fn metrics(State(s): State<Served>) -> impl IntoResponse {
    let text = s.ingress.app().metrics.render();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

/// Telegram's POST: 401 without the right secret, before the body is read; 413 past
/// [`MAX_WEBHOOK_BODY`]; 408 when the body is too slow; 200 once the update is claimed (or
/// was claimed before); 503 while the database is away, so Telegram delivers it again.
async fn on_webhook(State(s): State<Served>, headers: HeaderMap, body: Body) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !s
        .secret
        .as_deref()
        .is_some_and(|secret| same(given, secret.as_bytes()))
    {
        return StatusCode::UNAUTHORIZED;
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_WEBHOOK_BODY as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    let body = match tokio::time::timeout(s.body_timeout, read_capped(body)).await {
        Ok(Ok(body)) => body,
        Ok(Err(status)) => return status,
        Err(_) => return StatusCode::REQUEST_TIMEOUT,
    };
    let Ok(raw) = std::str::from_utf8(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let update: Update = match serde_json::from_str(raw) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "a webhook body is not an update");
            return StatusCode::BAD_REQUEST;
        }
    };
    match s.ingress.admit(&update, raw).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The body, up to [`MAX_WEBHOOK_BODY`]: 413 past it (whatever the head declared), 400 when
/// the client breaks off.
async fn read_capped(body: Body) -> Result<Vec<u8>, StatusCode> {
    use futures::StreamExt;
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if read.len() + chunk.len() > MAX_WEBHOOK_BODY {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read)
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_whole() {
        assert!(super::same(b"abc", b"abc"));
        assert!(!super::same(b"abc", b"abd"));
        assert!(!super::same(b"abc", b"abcd"));
        assert!(!super::same(b"", b"a"));
    }
}
