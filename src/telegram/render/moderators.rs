//! Moderators' other screens: `/history`, `/find`, `/stats`, what a decision did, and the outcome told to citizens.

use super::*;

/// `/history`: every action on a report, oldest first.
pub fn history(lang: Lang, id: i64, entries: &[AuditEntry]) -> String {
    let mut lines = vec![format!(
        "<b>{}</b>",
        escape(&tr(
            lang,
            "history-title",
            &[("id", format!("#{id}").into())]
        ))
    )];
    let title = lines.remove(0);
    if entries.is_empty() {
        lines.push(escape(&t(lang, "history-empty")));
    }
    for e in entries {
        let mut line = format!(
            "• {} · {} · <code>{}</code>",
            escape(&when(e.at)),
            escape(&t(lang, &format!("action-{}", e.action))),
            e.moderator_id
        );
        if let Some(d) = &e.detail {
            line.push_str(&format!(" — {}", escape(&truncate(d, 500))));
        }
        lines.push(line);
    }
    fit_lines(title, lines)
}

/// `/find`: the reports that share an entity.
pub fn found(lang: Lang, query: &str, lines: &[ReportLine]) -> String {
    let q: FluentValue = query.to_string().into();
    if lines.is_empty() {
        return escape(&tr(lang, "find-none", &[("query", q)]));
    }
    let title = format!(
        "<b>{}</b>",
        escape(&tr(lang, "find-title", &[("query", q)]))
    );
    let mut out = Vec::new();
    for l in lines {
        out.push(format!(
            "• #{} · {} · {} · {}/100 · ×{}\n  {}",
            l.id,
            escape(&status_word(lang, l.status)),
            escape(l.label.as_str()),
            l.risk,
            l.report_count,
            escape(&truncate(l.text.as_deref().unwrap_or("…"), 90).replace('\n', " "))
        ));
    }
    fit_lines(title, out)
}

/// `/stats`.
pub fn stats(lang: Lang, s: &Stats) -> String {
    let count = |status: ReportStatus| {
        FluentValue::from(
            s.decided
                .iter()
                .find(|(st, _)| *st == status)
                .map_or(0, |(_, n)| *n),
        )
    };
    let mut lines = vec![
        format!("<b>{}</b>", escape(&t(lang, "stats-title"))),
        escape(&tr(
            lang,
            "stats-pending",
            &[("count", FluentValue::from(s.pending))],
        )),
        escape(&tr(
            lang,
            "stats-week",
            // The message's arguments are named after the statuses.
            &[
                ReportStatus::Approved,
                ReportStatus::Rejected,
                ReportStatus::Duplicate,
            ]
            .map(|status| (status.as_str(), count(status))),
        )),
    ];
    if !s.top_entities.is_empty() {
        lines.push(format!("<b>{}</b>", escape(&t(lang, "stats-top"))));
        for (kind, value, n) in &s.top_entities {
            lines.push(format!(
                "• {}: <code>{}</code> ×{n}",
                escape(&t(lang, &format!("kind-{kind}"))),
                escape(&truncate(value, SHOWN_VALUE))
            ));
        }
    }
    let title = lines.remove(0);
    fit_lines(title, lines)
}

/// The message a citizen gets when moderators decide on their report.
pub fn outcome(lang: Lang, id: i64, status: ReportStatus) -> String {
    let key = if status == ReportStatus::Approved {
        "outcome-approved"
    } else {
        "outcome-rejected"
    };
    escape(&tr(lang, key, &[("id", format!("#{id}").into())]))
}

/// What a moderator hears of their decision (plain text: a button's answer, or escaped for
/// a message).
pub fn decided<E>(
    lang: Lang,
    id: i64,
    action: ReviewAction,
    decision: Result<&Decision, E>,
) -> String {
    match decision {
        Ok(Decision::Decided) => match action {
            ReviewAction::Approve => plain(lang, "decided-approved"),
            ReviewAction::Reject => plain(lang, "decided-rejected"),
            ReviewAction::Duplicate(of) => tr(
                lang,
                "decided-duplicate",
                &[("of", format!("#{of}").into())],
            ),
        },
        Ok(Decision::AlreadyDecided { status, .. }) => tr(
            lang,
            "already-decided",
            &[("status", status_word(lang, *status).into())],
        ),
        Ok(Decision::NotFound) => tr(lang, "report-not-found", &[("id", format!("#{id}").into())]),
        Err(_) => t(lang, "store-failed"),
    }
}
