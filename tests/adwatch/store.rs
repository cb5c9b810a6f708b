//! The store's contract, the same on SQLite and PostgreSQL.

use adwatch::review::{ReportStatus, ReviewAction};
use adwatch::service::{self, ReporterKey, Submission};
use adwatch::store::{ExportFilter, UserSettings};

use crate::on_both_databases;

const AD: &str =
    "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны России, \
                  ежемесячно от 190 000 рублей, звоните +7 701 123 45 67, пишите @contract_kz_bot";

fn key() -> ReporterKey {
    ReporterKey::new("test secret")
}

fn from(user_id: i64, text: &str) -> Submission {
    Submission {
        text: text.to_string(),
        origin: Some((
            format!("user:{user_id}"),
            serde_json::json!({"kind": "user", "id": user_id}),
        )),
        user_id,
        chat_id: Some(user_id),
        links: vec![],
    }
}

on_both_databases!(
    only_the_holder_marks_an_update_done_and_what_it_sent_goes_with_it,
    |db| {
        let s = &db.store;
        assert!(s.claim_delivery("upd:1", "{}", "a", 1_000).await.unwrap());
        s.record_send("upd:1", "{\"n\":1}\n").await.unwrap();
        s.record_send("upd:1", "{\"n\":2}\n").await.unwrap();
        // "a" stopped beating; "b" takes the update over, with what "a" sent, in order.
        s.heartbeat("b", 90_000, 70_000).await.unwrap();
        let taken = s
            .take_over_updates("b", 80_000, 70_000, 90_000, 10)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].sends.as_deref(), Some("{\"n\":1}\n{\"n\":2}\n"));
        // "a" coming back late cannot mark it done: it is "b"'s now.
        s.finish_updates(&["upd:1".to_string()], "a", 91_000)
            .await
            .unwrap();
        let again = s
            .take_over_updates("c", 200_000, 200_000, 200_000, 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1, "still open after the old holder's try");
        // "c" holds it now; it marks it done, and its copy and records are erased.
        s.finish_update("upd:1", "c", 201_000).await.unwrap();
        s.record_send("upd:1", "{\"n\":3}\n").await.unwrap();
        assert!(s
            .take_over_updates("d", i64::MAX, i64::MAX, 300_000, 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(s.purge_updates(202_000).await.unwrap(), 1);
    }
);

on_both_databases!(an_update_let_go_by_a_live_holder_is_taken_over, |db| {
    let s = &db.store;
    assert!(s.claim_delivery("upd:7", "{}", "a", 1_000).await.unwrap());
    s.heartbeat("a", 50_000, 30_000).await.unwrap();
    // "a" is alive: its update is not taken, until it lets it go.
    assert!(s
        .take_over_updates("a", 40_000, 30_000, 50_000, 10)
        .await
        .unwrap()
        .is_empty());
    s.release_update("upd:7", "b").await.unwrap();
    assert!(
        s.take_over_updates("a", 40_000, 30_000, 50_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "only its holder lets it go"
    );
    s.release_update("upd:7", "a").await.unwrap();
    let taken = s
        .take_over_updates("a", 40_000, 30_000, 50_000, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
});

on_both_databases!(
    an_update_is_claimed_once_and_taken_over_only_from_a_dead_process,
    |db| {
        let s = &db.store;
        for key in ["upd:1", "upd:2", "upd:3"] {
            assert!(s.claim_delivery(key, "{}", "a", 1_000).await.unwrap());
        }
        assert!(!s.claim_delivery("upd:1", "{}", "b", 2_000).await.unwrap());
        s.finish_updates(&["upd:1".to_string(), "upd:2".to_string()], "a", 3_000)
            .await
            .unwrap();
        // While "a" beats, nothing of it is taken.
        s.heartbeat("a", 50_000, 30_000).await.unwrap();
        let taken = s
            .take_over_updates("b", 40_000, 30_000, 50_000, 10)
            .await
            .unwrap();
        assert!(taken.is_empty());
        // "a" went silent: its one unhandled update goes to "b", once.
        assert_eq!(s.heartbeat("b", 90_000, 70_000).await.unwrap(), 1);
        let taken = s
            .take_over_updates("b", 80_000, 70_000, 90_000, 10)
            .await
            .unwrap();
        assert_eq!(
            taken,
            vec![adwatch::store::TakenOver {
                key: "upd:3".to_string(),
                payload: "{}".to_string(),
                sends: None,
            }]
        );
        assert!(s
            .take_over_updates("c", 80_000, 70_000, 90_001, 10)
            .await
            .unwrap()
            .is_empty());
        // Handled claims are purged after a while; a purged key could be claimed again.
        assert_eq!(s.purge_updates(4_000).await.unwrap(), 2);
        s.leave("b").await.unwrap();
        s.ping().await.unwrap();
    }
);

on_both_databases!(
    three_citizens_sending_one_ad_make_one_report_counted_three_times,
    |db| {
        let first = service::submit(&db.store, &key(), 1_000, &from(1, AD))
            .await
            .unwrap();
        assert!(first.stored.created);
        assert_eq!(first.stored.report_count, 1);
        let with_emoji = format!("🔥🔥 {AD} ✅");
        let second = service::submit(&db.store, &key(), 2_000, &from(2, &with_emoji))
            .await
            .unwrap();
        let trimmed = &AD[..AD.find("звоните").unwrap()];
        let third = service::submit(&db.store, &key(), 3_000, &from(3, trimmed))
            .await
            .unwrap();
        assert_eq!(second.stored.report_id, first.stored.report_id);
        assert_eq!(third.stored.report_id, first.stored.report_id);
        assert!(!third.stored.created);
        assert_eq!(third.stored.report_count, 3);
        // The same citizen again counts once.
        let again = service::submit(&db.store, &key(), 4_000, &from(3, AD))
            .await
            .unwrap();
        assert_eq!(again.stored.report_count, 3);
        assert!(again.stored.repeated);

        let rows = db.store.export(&ExportFilter::default()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].report_count, 3);
        assert_eq!(rows[0].first_seen, 1_000);
        assert_eq!(rows[0].last_seen, 4_000);
        assert_eq!(
            rows[0].origins.len(),
            3,
            "every distinct source is kept: {:?}",
            rows[0].origins
        );
        assert_eq!(rows[0].status, ReportStatus::Pending);
        assert_eq!(rows[0].label, adwatch::extract::Label::MilitaryRecruitment);
    }
);

on_both_databases!(reports_sharing_a_phone_are_linked, |db| {
    let a = service::submit(&db.store, &key(), 1, &from(1, AD))
        .await
        .unwrap();
    let other = "Работа охранником в России, 300 000 рублей в месяц, звоните +7 701 123 45 67";
    let b = service::submit(&db.store, &key(), 2, &from(2, other))
        .await
        .unwrap();
    assert_ne!(a.stored.report_id, b.stored.report_id);
    assert_eq!(b.linked, vec![a.stored.report_id]);
    assert_eq!(
        db.store.linked_reports(a.stored.report_id).await.unwrap(),
        vec![b.stored.report_id]
    );
});

on_both_databases!(forget_removes_the_citizen_but_keeps_the_report, |db| {
    let hash = key().hash(7);
    db.store
        .save_user_settings(
            &hash,
            &UserSettings {
                language: Some(adwatch::extract::Lang::Kk),
                country: Some("KZ".into()),
                notify: true,
            },
        )
        .await
        .unwrap();
    let s = service::submit(&db.store, &key(), 1, &from(7, AD))
        .await
        .unwrap();
    assert_eq!(
        db.store.reporter_chats(s.stored.report_id).await.unwrap(),
        vec![7]
    );
    assert!(db.store.forget_user(&hash).await.unwrap() >= 2);
    assert_eq!(db.store.user_settings(&hash).await.unwrap(), None);
    assert!(db
        .store
        .reporter_chats(s.stored.report_id)
        .await
        .unwrap()
        .is_empty());
    let rows = db.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].report_count, 1);
});

on_both_databases!(rejected_texts_are_purged_after_retention, |db| {
    let s = service::submit(&db.store, &key(), 1, &from(1, AD))
        .await
        .unwrap();
    assert!(db
        .store
        .set_status(s.stored.report_id, ReportStatus::Rejected, 10)
        .await
        .unwrap());
    assert_eq!(db.store.purge_rejected(5).await.unwrap(), 0);
    assert_eq!(db.store.purge_rejected(11).await.unwrap(), 1);
    let rows = db
        .store
        .export(&ExportFilter {
            status: Some(ReportStatus::Rejected),
            since_ms: None,
        })
        .await
        .unwrap();
    assert_eq!(rows[0].text, None);
});

on_both_databases!(
    export_filters_by_status_and_date_and_never_names_a_reporter,
    |db| {
        service::submit(&db.store, &key(), 1_000, &from(111_222_333, AD))
            .await
            .unwrap();
        service::submit(
            &db.store,
            &key(),
            5_000,
            &from(2, "Зарплата 45 000 рублей, продавец, Казань"),
        )
        .await
        .unwrap();
        let since = db
            .store
            .export(&ExportFilter {
                since_ms: Some(2_000),
                status: None,
            })
            .await
            .unwrap();
        assert_eq!(since.len(), 1);
        let pending = db
            .store
            .export(&ExportFilter {
                since_ms: None,
                status: Some(ReportStatus::Pending),
            })
            .await
            .unwrap();
        assert_eq!(pending.len(), 2);
        let mut out = Vec::new();
        adwatch::export::run(
            &db.store,
            &ExportFilter::default(),
            adwatch::export::ExportFormat::Jsonl,
            &mut out,
        )
        .await
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains(&key().hash(111_222_333)));
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for field in [
                "id",
                "status",
                "first_seen",
                "last_seen",
                "report_count",
                "label",
                "risk",
                "language",
                "text",
                "origins",
                "amounts",
                "entities",
            ] {
                assert!(v.get(field).is_some(), "{field} missing in {line}");
            }
        }
    }
);

on_both_databases!(concurrent_submissions_of_one_ad_are_all_counted, |db| {
    let mut tasks = Vec::new();
    for user in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            service::submit(&store, &key(), 1_000 + user, &from(user, AD)).await
        }));
    }
    for t in tasks {
        t.await
            .unwrap()
            .expect("every concurrent submission is stored");
    }
    let rows = db.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].report_count, 8);
});

on_both_databases!(a_made_secret_is_kept_and_shared, |db| {
    let first = db
        .store
        .secret_or_create("reporter_key", "aaaa")
        .await
        .unwrap();
    let second = db
        .store
        .secret_or_create("reporter_key", "bbbb")
        .await
        .unwrap();
    assert_eq!(first, "aaaa");
    assert_eq!(second, "aaaa");
});

fn snapshot(url: &str, sha: &str, at: i64) -> adwatch::store::NewSnapshot {
    adwatch::store::NewSnapshot {
        url: url.to_string(),
        final_url: format!("{url}landing"),
        status: 200,
        fetched_at: at,
        sha256: sha.repeat(64),
        bytes: 1234,
        truncated: false,
        title: Some("Контракт".into()),
        text: format!("Выплата {sha} рублей"),
        extraction: "{}".into(),
    }
}

on_both_databases!(
    a_link_is_claimed_once_per_report_and_pages_are_kept_as_snapshots,
    |db| {
        let link = "https://kontrakt-sakh.ru/";
        let text = format!("Контракт, подробности на {link}");
        let report = service::submit(&db.store, &key(), 1, &from(1, &text))
            .await
            .unwrap();
        let id = report.stored.report_id;
        assert_eq!(report.links.len(), 1);
        assert_eq!(report.links[0].as_str(), link);
        // One claim per report; a claim left by a crash is taken over once stale.
        assert!(db.store.claim_link(id, link, 100, 0).await.unwrap());
        assert!(!db.store.claim_link(id, link, 200, 0).await.unwrap());
        assert!(db.store.claim_link(id, link, 300, 150).await.unwrap());
        let findings = adwatch::store::PageFindings {
            entities: vec![("phone".into(), "+79241234567".into())],
            label: adwatch::extract::Label::MilitaryRecruitment,
            risk: 90,
        };
        let (first, new) = db
            .store
            .link_fetched(id, &snapshot(link, "a", 400), &findings)
            .await
            .unwrap();
        assert!(new);
        assert!(!db.store.claim_link(id, link, 10_000, 5_000).await.unwrap());
        // Another report of the same link, same page: the snapshot is shared.
        let other = service::submit(&db.store, &key(), 2, &from(2, &format!("Ещё {link}")))
            .await
            .unwrap();
        let (again, new) = db
            .store
            .link_fetched(other.stored.report_id, &snapshot(link, "a", 500), &findings)
            .await
            .unwrap();
        assert!(!new);
        assert_eq!(again.id, first.id);
        assert_eq!(again.last_seen, 500);
        // The page changed: a new snapshot.
        let third = service::submit(&db.store, &key(), 3, &from(3, &format!("И ещё {link}")))
            .await
            .unwrap();
        let (changed, new) = db
            .store
            .link_fetched(third.stored.report_id, &snapshot(link, "b", 600), &findings)
            .await
            .unwrap();
        assert!(new);
        assert_ne!(changed.id, first.id);
        assert_eq!(db.store.snapshots_of(link).await.unwrap().len(), 2);
        // The page's findings joined the report: its label, its risk, its phone.
        let rows = db.store.export(&ExportFilter::default()).await.unwrap();
        let row = rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(row.label, adwatch::extract::Label::MilitaryRecruitment);
        assert_eq!(row.risk, 90);
        assert_eq!(row.links[0].state, "fetched");
        assert_eq!(
            row.links[0].snapshot.as_ref().unwrap().sha256,
            "a".repeat(64)
        );
        // A failure is kept with its reason.
        db.store
            .link_failed(id, "http://gone-site.ru/", "http", Some("404"), 700)
            .await
            .unwrap();
        let links = db.store.report_links(id).await.unwrap();
        let gone = links
            .iter()
            .find(|l| l.url == "http://gone-site.ru/")
            .unwrap();
        assert_eq!(
            (
                gone.state.as_str(),
                gone.failure.as_deref(),
                gone.detail.as_deref()
            ),
            ("failed", Some("http"), Some("404"))
        );
        assert!(db
            .store
            .linked_reports(id)
            .await
            .unwrap()
            .contains(&other.stored.report_id));
    }
);

on_both_databases!(reporter_chats_are_taken_once, |db| {
    let a = service::submit(&db.store, &key(), 1, &from(1, AD))
        .await
        .unwrap();
    service::submit(&db.store, &key(), 2, &from(2, AD))
        .await
        .unwrap();
    let id = a.stored.report_id;
    let mut chats: Vec<i64> = db
        .store
        .take_reporter_chats(id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.chat_id)
        .collect();
    chats.sort();
    assert_eq!(chats, [1, 2]);
    assert!(db.store.take_reporter_chats(id).await.unwrap().is_empty());
});

on_both_databases!(two_decisions_at_once_make_one, |db| {
    let a = service::submit(&db.store, &key(), 1, &from(1, AD))
        .await
        .unwrap();
    let id = a.stored.report_id;
    let (x, y) = tokio::join!(
        db.store.decide(id, ReviewAction::Reject, 900, 10),
        db.store.decide(id, ReviewAction::Approve, 901, 10),
    );
    let decided = [x.unwrap(), y.unwrap()];
    assert_eq!(
        decided
            .iter()
            .filter(|d| **d == adwatch::store::Decision::Decided)
            .count(),
        1,
        "{decided:?}"
    );
    assert_eq!(db.store.history(id).await.unwrap().len(), 1);
    assert!(db.store.reopen(id, 900, 20).await.unwrap());
    assert!(!db.store.reopen(id, 900, 30).await.unwrap());
    assert_eq!(
        db.store.next_pending(900).await.unwrap(),
        Some(id),
        "reopened reports are back in the queue"
    );
    db.store.skip(900, id, 40).await.unwrap();
    assert_eq!(
        db.store.next_pending(900).await.unwrap(),
        Some(id),
        "a skipped report comes back when nothing else is left"
    );
});

/// One number a query gives (the test's own look into the tables), on either database.
async fn number(store: &adwatch::store::Store, sql: &str) -> i64 {
    use adwatch::store::Store;
    match store {
        Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

on_both_databases!(a_duplicate_decision_erases_the_chat_ids_at_once, |db| {
    let dup = service::submit(&db.store, &key(), 1, &from(1, AD))
        .await
        .unwrap();
    service::submit(&db.store, &key(), 2, &from(2, AD))
        .await
        .unwrap();
    let other = "Работа охранником в России, 300 000 рублей в месяц, звоните +7 701 123 45 67";
    let original = service::submit(&db.store, &key(), 3, &from(3, other))
        .await
        .unwrap();
    let (id, of) = (dup.stored.report_id, original.stored.report_id);
    assert_eq!(db.store.reporter_chats(id).await.unwrap(), vec![1, 2]);
    let decided = db
        .store
        .decide(id, ReviewAction::Duplicate(of), 900, 10)
        .await;
    assert_eq!(decided.unwrap(), adwatch::store::Decision::Decided);
    assert!(
        db.store.reporter_chats(id).await.unwrap().is_empty(),
        "a duplicate's citizens hear no outcome: their chat ids go with the decision"
    );
    assert!(db.store.take_reporter_chats(id).await.unwrap().is_empty());
    assert_eq!(
        db.store.reporter_chats(of).await.unwrap(),
        vec![3],
        "the original's citizens still wait for its outcome"
    );
    // The citizens still count: only the chat ids went.
    let rows = db.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.iter().find(|r| r.id == id).unwrap().report_count, 2);
});

const DAY: i64 = 86_400_000;

/// A report with every trace a citizen leaves, all at `at`: a chat id, a forward from a person
/// and from a hidden user, a page read, an image read, an unfinished update and album, and a
/// report link.
async fn traces(store: &adwatch::store::Store, at: i64) -> i64 {
    let mut s = from(1, AD);
    s.origin = Some((
        "user:4242".into(),
        serde_json::json!({"kind": "user", "user_id": 4242, "username": "neighbour_olga"}),
    ));
    let id = service::submit(store, &key(), at, &s)
        .await
        .unwrap()
        .stored
        .report_id;
    let mut s = from(2, AD);
    s.origin = Some((
        "hidden:Olga Petrova".into(),
        serde_json::json!({"kind": "hidden_user", "name": "Olga Petrova"}),
    ));
    service::submit(store, &key(), at, &s).await.unwrap();
    let page = snapshot("https://kontrakt-sakh.ru/", "c", at);
    let findings = adwatch::store::PageFindings {
        entities: vec![],
        label: adwatch::extract::Label::MilitaryRecruitment,
        risk: 80,
    };
    store.link_fetched(id, &page, &findings).await.unwrap();
    store
        .save_image(&adwatch::store::ImageRecord {
            file_unique_id: "uniq-1".into(),
            file_id: "file-id-of-the-screenshot".into(),
            sha256: "d".repeat(64),
            bytes: 100,
            width: Some(10),
            height: Some(10),
            ocr_text: Some("Olga, your contract: 495 000 rubles".into()),
            ocr_error: None,
            report_id: Some(id),
            first_seen: at,
        })
        .await
        .unwrap();
    let payload = r#"{"message":{"from":{"id":4242},"text":"my ad"}}"#;
    assert!(store
        .claim_delivery(&format!("upd:{at}"), payload, "gone", at)
        .await
        .unwrap());
    // What its handling sent (to the citizen's chat) is a trace too.
    store
        .record_send(&format!("upd:{at}"), "{\"n\":1,\"chat\":4242}\n")
        .await
        .unwrap();
    store
        .add_album_part(&format!("4242:album{at}"), 1, payload, "gone", at)
        .await
        .unwrap();
    store
        .save_report_token(&"e".repeat(64), id, &key().hash(1), at + 7 * DAY)
        .await
        .unwrap();
    id
}

on_both_databases!(
    retention_erases_what_citizens_left_but_keeps_an_undecided_reports_text,
    |db| {
        let s = &db.store;
        let old = traces(s, 1_000).await;
        // Forty days later, another citizen's fresh report.
        let recent_at = 40 * DAY;
        let other = "Работа охранником в России, 300 000 рублей в месяц";
        let recent = service::submit(s, &key(), recent_at, &from(3, other))
            .await
            .unwrap()
            .stored
            .report_id;
        assert!(s
            .claim_delivery("upd:recent", "{}", "gone", recent_at)
            .await
            .unwrap());
        s.add_album_part("3:recent", 1, "{}", "gone", recent_at)
            .await
            .unwrap();

        // RETENTION_DAYS=30, on day 41: the first report's traces are older than the window.
        let now = 41 * DAY;
        let purged = service::purge_expired(s, 30, now).await.unwrap();
        assert_eq!(
            (
                purged.chats,
                purged.snapshots,
                purged.images,
                purged.origins
            ),
            (2, 1, 1, 2),
            "{purged:?}"
        );
        assert_eq!((purged.payloads, purged.albums, purged.tokens), (1, 1, 1));

        assert!(s.reporter_chats(old).await.unwrap().is_empty());
        assert_eq!(s.reporter_chats(recent).await.unwrap(), vec![3]);
        let rows = s.export(&ExportFilter::default()).await.unwrap();
        let row = rows.iter().find(|r| r.id == old).unwrap();
        assert_eq!(row.status, ReportStatus::Pending);
        assert_eq!(
            row.text.as_deref(),
            Some(AD),
            "an undecided report's text is evidence moderators still need"
        );
        assert_eq!(row.report_count, 2);
        let origins = serde_json::to_string(&row.origins).unwrap();
        assert_eq!(row.origins.len(), 2, "{origins}");
        for trace in ["4242", "neighbour_olga", "Olga"] {
            assert!(!origins.contains(trace), "{trace} in {origins}");
        }
        assert!(origins.contains("hidden_user"), "{origins}");
        let page = row.links[0].snapshot.as_ref().unwrap();
        assert_eq!((page.text.as_str(), page.title.as_deref()), ("", None));
        assert_eq!(
            page.sha256,
            "c".repeat(64),
            "the evidence of what was read stays"
        );
        let image = &s.report_images(old).await.unwrap()[0];
        assert_eq!(
            (image.ocr_text.as_deref(), image.file_id.as_str()),
            (None, "")
        );
        assert_eq!(image.sha256, "d".repeat(64));
        assert_eq!(
            number(
                s,
                "SELECT COUNT(*) FROM processed_updates WHERE payload IS NOT NULL"
            )
            .await,
            1,
            "only the recent update keeps its copy"
        );
        assert_eq!(
            number(
                s,
                "SELECT COUNT(*) FROM processed_updates WHERE sends IS NOT NULL"
            )
            .await,
            0,
            "an old update's record of what it sent is erased with its copy"
        );
        assert_eq!(number(s, "SELECT COUNT(*) FROM album_parts").await, 1);
        assert_eq!(
            s.album_last_part("3:recent").await.unwrap(),
            Some(recent_at)
        );
        assert_eq!(
            s.report_for_token(&"e".repeat(64), &key().hash(1), 1_000)
                .await
                .unwrap(),
            None,
            "an expired link is gone"
        );

        // A second pass finds nothing more; the same page read again gets its text back.
        assert_eq!(
            service::purge_expired(s, 30, now).await.unwrap(),
            adwatch::store::Purged::default()
        );
        let findings = adwatch::store::PageFindings {
            entities: vec![],
            label: adwatch::extract::Label::MilitaryRecruitment,
            risk: 80,
        };
        let again = snapshot("https://kontrakt-sakh.ru/", "c", now);
        let (kept, new) = s.link_fetched(recent, &again, &findings).await.unwrap();
        assert!(!new);
        assert_eq!(kept.text, again.text);
    }
);

on_both_databases!(
    a_page_adds_at_most_50_entities_marked_as_from_the_page,
    |db| {
        let text = "Контракт, 495 000 рублей, звоните +7 701 123 45 67, https://kontrakt-sakh.ru/";
        let id = service::submit(&db.store, &key(), 1, &from(1, text))
            .await
            .unwrap()
            .stored
            .report_id;
        let mut entities: Vec<(String, String)> = vec![("phone".into(), "+77011234567".into())];
        for i in 0..200 {
            let phone = ("phone".to_string(), format!("+7924{i:07}"));
            entities.push(phone.clone());
            entities.push(phone);
            entities.push(("telegram".into(), format!("@victim_{i}")));
        }
        let findings = adwatch::store::PageFindings {
            entities,
            label: adwatch::extract::Label::MilitaryRecruitment,
            risk: 90,
        };
        let page = snapshot("https://kontrakt-sakh.ru/", "a", 2);
        db.store.link_fetched(id, &page, &findings).await.unwrap();
        let stored = db.store.report_entities(id).await.unwrap();
        let from_page: Vec<_> = stored.iter().filter(|e| e.source == "page").collect();
        assert_eq!(
            from_page.len(),
            49,
            "50 distinct from the page, one of them already the message's"
        );
        let phone = stored
            .iter()
            .find(|e| e.normalized == "+77011234567")
            .unwrap();
        assert_eq!(phone.source, "message", "what the ad shows stays the ad's");
        assert!(from_page
            .iter()
            .all(|e| e.kind == "phone" || e.kind == "telegram"));
        let card = db.store.card(id).await.unwrap().unwrap();
        assert_eq!(card.page_entities.len(), 49);
        assert!(!card.page_entities.iter().any(|(_, v)| v == "+77011234567"));
    }
);

on_both_databases!(
    a_link_read_ten_times_keeps_its_newest_five_snapshots,
    |db| {
        let link = "https://changing-page.ru/";
        let findings = adwatch::store::PageFindings {
            entities: vec![],
            label: adwatch::extract::Label::ScamJob,
            risk: 40,
        };
        let mut reports = Vec::new();
        for i in 0..10i64 {
            let text = format!("Работа номер {i}, подробности на {link}");
            let id = service::submit(&db.store, &key(), i, &from(i, &text))
                .await
                .unwrap()
                .stored
                .report_id;
            let sha = format!("{:x}", i + 1);
            db.store
                .link_fetched(id, &snapshot(link, &sha, 100 + i), &findings)
                .await
                .unwrap();
            reports.push(id);
            assert!(db.store.snapshots_of(link).await.unwrap().len() <= 5);
        }
        let kept: Vec<String> = db
            .store
            .snapshots_of(link)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.sha256[..1].to_string())
            .collect();
        assert_eq!(kept, ["6", "7", "8", "9", "a"], "the newest five");
        let first = &db.store.report_links(reports[0]).await.unwrap()[0];
        assert_eq!(
            (
                first.state.as_str(),
                first.detail.as_deref(),
                first.snapshot.is_none()
            ),
            ("fetched", Some("superseded"), true)
        );
        let last = &db.store.report_links(reports[9]).await.unwrap()[0];
        assert_eq!(last.snapshot.as_ref().unwrap().sha256, "a".repeat(64));
    }
);
