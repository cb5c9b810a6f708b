//! The use cases without Telegram: the moderation rules (who may decide, a decision taken
//! once, who is told), corrections and reopening, on a fresh database per test.

use std::sync::atomic::{AtomicUsize, Ordering};

use adwatch::extract::Lang;
use adwatch::review::{ReportStatus, ReviewAction};
use adwatch::service::moderation::{ChatRole, Decided, Fix, Moderators, Outcome, Reopened};
use adwatch::service::{Decision, Service, Submission, UserSettings};

const AD: &str =
    "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны России, \
                  ежемесячно от 190 000 рублей. Звоните +7 701 123 45 67";

fn from(citizen: i64, text: &str) -> Submission {
    Submission {
        text: text.to_string(),
        origin: None,
        user_id: citizen,
        chat_id: Some(citizen),
        links: vec![],
    }
}

async fn filed(service: &Service, citizen: i64, text: &str, at: i64) -> i64 {
    service
        .submit(at, &from(citizen, text))
        .await
        .expect("the report is stored")
        .stored
        .report_id
}

#[tokio::test]
async fn a_moderator_by_id_decides_without_the_chat_being_asked() {
    let moderators = Moderators::new(vec![7], Some(-100), false);
    let asked = AtomicUsize::new(0);
    let ask = |_, _| async {
        asked.fetch_add(1, Ordering::SeqCst);
        Some(ChatRole::Other)
    };
    assert!(moderators.is_moderator(7, ask).await);
    assert_eq!(asked.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_plain_member_of_the_moderators_chat_decides_only_when_members_are_trusted() {
    let strict = Moderators::new(vec![], Some(-100), false);
    let lenient = Moderators::new(vec![], Some(-100), true);
    let member = |_, _| async { Some(ChatRole::Member) };
    assert!(!strict.is_moderator(5, member).await);
    assert!(lenient.is_moderator(5, member).await);
    let admin = |_, _| async { Some(ChatRole::Privileged) };
    assert!(strict.is_moderator(6, admin).await);
}

#[tokio::test]
async fn the_chats_answer_is_remembered_and_an_unanswered_question_is_not() {
    let moderators = Moderators::new(vec![], Some(-100), false);
    let asked = AtomicUsize::new(0);
    let ask = |chat: i64, user: i64| {
        assert_eq!((chat, user), (-100, 5));
        asked.fetch_add(1, Ordering::SeqCst);
        async { Some(ChatRole::Privileged) }
    };
    assert!(moderators.is_moderator(5, ask).await);
    assert!(moderators.is_moderator(5, ask).await);
    assert_eq!(
        asked.load(Ordering::SeqCst),
        1,
        "asked once, then remembered"
    );
    assert!(!moderators.is_moderator(8, |_, _| async { None }).await);
    assert_eq!(moderators.remembered(), 1, "no answer is not remembered");
    let nobody = Moderators::new(vec![], None, true);
    assert!(
        !nobody.is_moderator(5, ask).await,
        "no moderators' chat, no role"
    );
}

#[tokio::test]
async fn a_report_is_decided_once_and_its_citizens_are_told_once_in_their_language() {
    let db = crate::db::sqlite().await;
    let service = crate::db::service(&db.store);
    service
        .save_settings(
            2,
            &UserSettings {
                language: Some(Lang::Kk),
                notify: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = filed(&service, 1, AD, 1_000).await;
    assert_eq!(filed(&service, 2, AD, 1_100).await, id);
    assert!(service.is_pending(id).await);

    let first = service.decide(id, ReviewAction::Approve, 900, 2_000).await;
    let Decided { decision, mut told } = first.unwrap();
    assert_eq!(decision, Decision::Decided);
    told.sort_by_key(|o| o.chat_id);
    assert_eq!(
        told,
        vec![
            Outcome {
                chat_id: 1,
                lang: Lang::Ru
            },
            Outcome {
                chat_id: 2,
                lang: Lang::Kk
            },
        ],
        "the report's language, or the citizen's choice"
    );

    let second = service
        .decide(id, ReviewAction::Reject, 901, 2_100)
        .await
        .unwrap();
    assert_eq!(
        second.decision,
        Decision::AlreadyDecided {
            status: ReportStatus::Approved,
            by: Some(900)
        }
    );
    assert!(second.told.is_empty(), "nobody is told twice");
    assert!(!service.is_pending(id).await);
}

#[tokio::test]
async fn a_duplicate_tells_nobody_and_an_unknown_report_is_not_found() {
    let db = crate::db::sqlite().await;
    let service = crate::db::service(&db.store);
    let original = filed(&service, 1, AD, 1_000).await;
    let other = filed(
        &service,
        2,
        "Работа охранником в России, 300 000 рублей в месяц, звоните +7 701 123 45 67",
        1_100,
    )
    .await;
    let dup = service
        .decide(other, ReviewAction::Duplicate(original), 900, 2_000)
        .await
        .unwrap();
    assert_eq!(dup.decision, Decision::Decided);
    assert!(dup.told.is_empty());
    let card = service.card(other).await.unwrap().expect("a card");
    assert_eq!(card.card.status, ReportStatus::Duplicate);
    assert_eq!(card.card.duplicate_of, Some(original));
    let missing = service
        .decide(999, ReviewAction::Approve, 900, 2_000)
        .await
        .unwrap();
    assert_eq!(missing.decision, Decision::NotFound);
}

#[tokio::test]
async fn a_citizen_who_wants_no_outcome_is_not_told() {
    let db = crate::db::sqlite().await;
    let service = crate::db::service(&db.store);
    let id = filed(&service, 1, AD, 1_000).await;
    service
        .notify_off(1, &UserSettings::default())
        .await
        .unwrap();
    let decided = service
        .decide(id, ReviewAction::Reject, 900, 2_000)
        .await
        .unwrap();
    assert_eq!(decided.decision, Decision::Decided);
    assert!(decided.told.is_empty());
}

#[tokio::test]
async fn reopening_returns_only_a_decided_report_to_the_queue() {
    let db = crate::db::sqlite().await;
    let service = crate::db::service(&db.store);
    let id = filed(&service, 1, AD, 1_000).await;
    assert_eq!(
        service.reopen(id, 900, 1_500).await.unwrap(),
        Reopened::NotDecided
    );
    service
        .decide(id, ReviewAction::Approve, 900, 2_000)
        .await
        .unwrap();
    assert_eq!(
        service.reopen(id, 900, 2_500).await.unwrap(),
        Reopened::Reopened
    );
    assert_eq!(service.next_pending(901).await.unwrap(), Some(id));
    assert_eq!(
        service.reopen(999, 900, 2_500).await.unwrap(),
        Reopened::NotFound
    );
    let actions: Vec<String> = service
        .history(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["approve", "reopen"]);
}

#[tokio::test]
async fn corrections_are_parsed_as_moderators_type_them_and_kept() {
    assert_eq!(
        Fix::parse("label", &["s"]),
        Some(Fix::Label(serde_json::json!("scam_job")))
    );
    assert_eq!(Fix::parse("label", &["nonsense"]), None);
    assert_eq!(Fix::parse("amount", &["5", "RUBLES"]), None);
    let db = crate::db::sqlite().await;
    let service = crate::db::service(&db.store);
    let id = filed(&service, 1, AD, 1_000).await;
    let fix = Fix::parse("amount", &["495000", "rub", "one_time"]).unwrap();
    assert!(service.correct(id, &fix, 900, 2_000).await.unwrap());
    assert!(!service.correct(999, &fix, 900, 2_000).await.unwrap());
    let card = service.card(id).await.unwrap().unwrap();
    assert_eq!(card.corrections.len(), 1);
    assert_eq!(card.corrections[0].field, "amount");
}
