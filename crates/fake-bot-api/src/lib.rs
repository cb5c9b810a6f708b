//! A stand-in Telegram Bot API on loopback, for the tests and the intake benchmark: it hands
//! out queued updates to `getUpdates` and records every other call with its time, so a test
//! asserts on what the bot sent and a benchmark measures how fast. Never used by the bot itself.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// What the stand-in answered (the sent message, for sendMessage).
    pub result: Value,
    pub at: std::time::Instant,
}

#[derive(Default)]
struct Inner {
    updates: VecDeque<Value>,
    calls: Vec<Call>,
    next_message_id: i64,
    /// How many coming sendMessage calls get "429 Too Many Requests".
    refuse_sends: usize,
    refused: usize,
    /// Chats the bot may not write to (a user who never started it).
    forbidden_chats: Vec<i64>,
    /// The status `getChatMember` reports for (chat, user): member, administrator, creator,
    /// restricted, kicked; "left" for anyone not listed.
    members: std::collections::HashMap<(i64, i64), String>,
    /// Files `getFile` knows and `/file/bot…/<path>` serves, by file_id.
    files: std::collections::HashMap<String, Vec<u8>>,
    /// How many files were downloaded.
    downloads: usize,
}

#[derive(Clone)]
pub struct FakeBotApi {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

/// A request's parameters: a JSON body, or a multipart form's text fields (teloxide sends
/// `setWebhook` as a form) as a JSON object of strings.
fn parameters(headers: &axum::http::HeaderMap, body: &[u8]) -> Value {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    else {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    };
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{}", boundary.trim_matches('"'))) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        if let Some(name) = name {
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            fields.insert(name.to_string(), Value::String(value.to_string()));
        }
    }
    Value::Object(fields)
}

async fn handle(
    State(api): State<FakeBotApi>,
    Path((_bot, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Json<Value> {
    let body = parameters(&headers, &body);
    // Telegram's method names are case-insensitive; teloxide writes "GetMe", tests "getMe".
    let mut method = method;
    if let Some(first) = method.get(..1) {
        method = first.to_ascii_lowercase() + &method[1..];
    }
    if method == "getUpdates" {
        // Telegram hands out at most `limit` updates (100 by default) a call.
        let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
        for _ in 0..100 {
            let batch: Vec<Value> = {
                let mut inner = api.inner.lock().unwrap();
                let n = inner.updates.len().min(limit);
                inner.updates.drain(..n).collect()
            };
            if !batch.is_empty() {
                return Json(json!({"ok": true, "result": batch}));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        return Json(json!({"ok": true, "result": []}));
    }
    let mut inner = api.inner.lock().unwrap();
    if method == "sendMessage"
        && inner
            .forbidden_chats
            .contains(&body["chat_id"].as_i64().unwrap_or(0))
    {
        return Json(
            json!({"ok": false, "error_code": 403, "description": "Forbidden: bot can't initiate conversation with a user"}),
        );
    }
    if method == "sendMessage" && inner.refuse_sends > 0 {
        inner.refuse_sends -= 1;
        inner.refused += 1;
        return Json(
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
        );
    }
    let at = std::time::Instant::now();
    let result = match method.as_str() {
        "getMe" => {
            json!({"id": 1000, "is_bot": true, "first_name": "adwatch", "username": "adwatch_test_bot", "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false})
        }
        "sendMessage" | "editMessageText" | "editMessageReplyMarkup" => {
            inner.next_message_id += 1;
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            let chat = if chat_id < 0 {
                json!({"id": chat_id, "type": "supergroup", "title": "moderators"})
            } else {
                json!({"id": chat_id, "type": "private", "first_name": "citizen"})
            };
            let mut message = json!({
                "message_id": body["message_id"].as_i64().unwrap_or(5000 + inner.next_message_id),
                "date": 1_700_000_000,
                "chat": chat,
                "from": {"id": 1000, "is_bot": true, "first_name": "adwatch", "username": "adwatch_test_bot"},
                "text": body["text"].as_str().unwrap_or(""),
            });
            if body.get("reply_markup").is_some_and(|m| !m.is_null()) {
                message["reply_markup"] = body["reply_markup"].clone();
            }
            message
        }
        "getFile" => {
            let file_id = body["file_id"].as_str().unwrap_or_default().to_string();
            match inner.files.get(&file_id) {
                Some(bytes) => json!({
                    "file_id": file_id,
                    "file_unique_id": format!("u-{file_id}"),
                    "file_size": bytes.len(),
                    "file_path": format!("photos/{file_id}.jpg"),
                }),
                None => {
                    return Json(
                        json!({"ok": false, "error_code": 400, "description": "Bad Request: invalid file_id"}),
                    )
                }
            }
        }
        "getChatMember" => {
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let user = body["user_id"].as_i64().unwrap_or(0);
            let status = inner
                .members
                .get(&(chat, user))
                .map_or("left", String::as_str);
            chat_member(user, status)
        }
        _ => json!(true),
    };
    inner.calls.push(Call {
        method,
        body,
        result: result.clone(),
        at,
    });
    Json(json!({"ok": true, "result": result}))
}

/// A `ChatMember` as Telegram writes it, with the fields its status requires.
fn chat_member(user: i64, status: &str) -> Value {
    let mut member =
        json!({"status": status, "user": {"id": user, "is_bot": false, "first_name": "user"}});
    let fields: &[&str] = match status {
        "creator" => &["is_anonymous"],
        "administrator" => &[
            "can_be_edited",
            "is_anonymous",
            "can_manage_chat",
            "can_change_info",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_invite_users",
            "can_restrict_members",
            "can_promote_members",
        ],
        "restricted" => &[
            "can_send_messages",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_manage_topics",
            "can_send_polls",
        ],
        _ => &[],
    };
    for field in fields {
        member[*field] = json!(false);
    }
    if matches!(status, "restricted" | "kicked") {
        member["until_date"] = json!(0);
    }
    if status == "restricted" {
        member["is_member"] = json!(true);
    }
    member
}

/// Serves a file registered with [`FakeBotApi::add_file`] at Telegram's download path.
async fn download(
    State(api): State<FakeBotApi>,
    Path((_bot, path)): Path<(String, String)>,
) -> Result<Vec<u8>, axum::http::StatusCode> {
    let file_id = path
        .trim_start_matches("photos/")
        .trim_end_matches(".jpg")
        .to_string();
    let mut inner = api.inner.lock().unwrap();
    inner.downloads += 1;
    inner
        .files
        .get(&file_id)
        .cloned()
        .ok_or(axum::http::StatusCode::NOT_FOUND)
}

impl FakeBotApi {
    pub async fn start() -> FakeBotApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let api = FakeBotApi {
            inner: Arc::default(),
            url,
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .route("/file/{bot}/{*path}", axum::routing::get(download))
            .with_state(api.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        api
    }

    pub fn push(&self, update: Value) {
        self.inner.lock().unwrap().updates.push_back(update);
    }

    /// The next `n` sendMessage calls are refused with 429 and `retry_after: 1`.
    pub fn refuse_sends(&self, n: usize) {
        self.inner.lock().unwrap().refuse_sends = n;
    }

    /// Sends to `chat` fail with 403, as for a user who never started the bot.
    pub fn forbid_chat(&self, chat: i64) {
        self.inner.lock().unwrap().forbidden_chats.push(chat);
    }

    pub fn allow_chat(&self, chat: i64) {
        self.inner
            .lock()
            .unwrap()
            .forbidden_chats
            .retain(|c| *c != chat);
    }

    /// `getChatMember` answers that `user` is a plain member of `chat`.
    pub fn add_member(&self, chat: i64, user: i64) {
        self.set_member_status(chat, user, "member");
    }

    /// `getChatMember` answers `status` for `user` in `chat` (`administrator`, `creator`,
    /// `member`, `restricted`, `kicked`, `left`).
    pub fn set_member_status(&self, chat: i64, user: i64, status: &str) {
        self.inner
            .lock()
            .unwrap()
            .members
            .insert((chat, user), status.to_string());
    }

    /// Makes `getFile` and the download path serve `bytes` as `file_id`.
    pub fn add_file(&self, file_id: &str, bytes: Vec<u8>) {
        self.inner
            .lock()
            .unwrap()
            .files
            .insert(file_id.to_string(), bytes);
    }

    /// How many files the bot downloaded.
    pub fn downloads(&self) -> usize {
        self.inner.lock().unwrap().downloads
    }

    pub fn refused(&self) -> usize {
        self.inner.lock().unwrap().refused
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// How many messages were sent to `chat`.
    pub fn sent_to(&self, chat: i64) -> usize {
        let inner = self.inner.lock().unwrap();
        inner
            .calls
            .iter()
            .filter(|c| c.method == "sendMessage" && c.body["chat_id"] == chat)
            .count()
    }

    /// Waits until `method` has been called `n` times (or 10 s pass) and returns those calls.
    pub async fn wait_for(&self, method: &str, n: usize) -> Vec<Call> {
        for _ in 0..500 {
            let calls = self.calls(method);
            if calls.len() >= n {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.calls(method)
    }
}
