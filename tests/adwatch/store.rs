//! The store's contract, the same on SQLite and PostgreSQL.

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
        assert_eq!(rows[0].status, "pending");
        assert_eq!(rows[0].label, "military_recruitment");
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
                language: Some("kk".into()),
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
        .set_status(s.stored.report_id, "rejected", 10)
        .await
        .unwrap());
    assert_eq!(db.store.purge_rejected(5).await.unwrap(), 0);
    assert_eq!(db.store.purge_rejected(11).await.unwrap(), 1);
    let rows = db
        .store
        .export(&ExportFilter {
            status: Some("rejected".into()),
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
                status: Some("pending".into()),
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
            label: "military_recruitment".into(),
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
        assert_eq!(row.label, "military_recruitment");
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
        db.store.decide(id, "rejected", 900, None, 10),
        db.store.decide(id, "approved", 901, None, 10),
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
