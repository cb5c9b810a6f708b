//! Issue 15: sums in the languages it adds, as their news write them.

use crate::{extract, Bound, Period};

/// (whole units, currency, period, bound) of every amount, in text order.
fn read(text: &str) -> Vec<(i64, &'static str, Option<Period>, Option<Bound>)> {
    extract(text)
        .amounts
        .iter()
        .map(|a| (a.value.minor / 100, a.currency, a.period, a.bound))
        .collect()
}

fn values(text: &str) -> Vec<(i64, &'static str)> {
    read(text).into_iter().map(|a| (a.0, a.1)).collect()
}

const ONE: Option<Period> = Some(Period::OneTime);

#[test]
fn a_bare_lakh_or_crore_next_to_a_word_of_money_is_a_sum() {
    assert_eq!(
        values("उनीहरुलाई १५ लाख तथा दुई लाख ४५ हजार रुपैयाँ रकम लिएको खुलेको छ ।"),
        [(1_500_000, "NPR"), (245_000, "NPR")]
    );
    assert_eq!(
        values("पर्यटक भिसामा रुस जाने नेपालीले १० लाखसम्म रकम तिरेका छन् ।"),
        [(1_000_000, "NPR")]
    );
    assert_eq!(
        values("एजेंट ने विदेश भेजने के नाम पर 8 लाख की ठगी की।"),
        [(800_000, "INR")]
    );
}

#[test]
fn a_bare_lakh_is_no_sum_when_it_counts_people_or_stands_with_no_money_word() {
    // Hard negatives: counts of people, and sums with no word of money in their sentence.
    for text in [
        "नेपालबाट १५ लाख नेपाली विदेशमा काम गर्छन् र उनीहरूको तलब राम्रो छ ।",
        "करिब ३ लाख कामदार विदेशमा छन्, उनीहरूको तलब कम छ ।",
        "५ लाख जना श्रमिकले तलब पाएनन् ।",
        "भारत में 2 करोड़ लोग बेरोजगार हैं, उनकी कमाई नहीं है।",
        "काठमाडौंमा ३ लाख घर छन् ।",
        "इस साल 5 लाख पेड़ लगाए गए।",
        // Thousands stay counts, as before: only a lakh or a crore is read as a sum.
        "१५ हजार नेपाली रुसी सेनामा छन्, तलब राम्रो भनिन्छ ।",
    ] {
        assert_eq!(values(text), [], "{text}");
    }
}

#[test]
fn a_sum_swindled_bribed_or_collected_is_paid_once() {
    assert_eq!(
        read("उनीहरुलाई साढे १७ लाख रुपैयाँ ठगी गरेको अभियोगमा पक्राउ गरियो ।"),
        [(1_750_000, "NPR", ONE, None)]
    );
    assert_eq!(
        read("दुबई पठाउने भन्दै दुई लाख ४५ हजार रुपैयाँ रकम लिएको खुलेको छ ।"),
        [(245_000, "NPR", ONE, None)]
    );
    assert_eq!(
        read("नौकरी दिलाने के नाम पर उससे 3 लाख रुपये ठग लिए गए।"),
        [(300_000, "INR", ONE, None)]
    );
    // A wage keeps its month.
    assert_eq!(
        read("नेपालमा खेलाडीले क्लबबाट मासिक ५० हजार रुपैयाँ तलब पाउने भएका छन् ।"),
        [(50_000, "NPR", Some(Period::Monthly), None)]
    );
}

#[test]
fn armenian_kyrgyz_and_tajik_wages_and_pensions_are_monthly_when_nothing_says_otherwise() {
    const MONTH: Option<Period> = Some(Period::Monthly);
    assert_eq!(
        read("Հայաստանում միջին աշխատավարձը կազմում է 250 հազար դրամ։"),
        [(250_000, "AMD", MONTH, None)]
    );
    assert_eq!(
        read("Кыргызстанда орточо эмгек акы 35 миң сомду түздү."),
        [(35_000, "KGS", MONTH, None)]
    );
    assert_eq!(
        read("Музди меҳнати миёна дар Тоҷикистон 2500 сомониро ташкил дод."),
        [(2_500, "TJS", MONTH, None)]
    );
    // Prices stay without a period; a period word wins.
    assert_eq!(
        read("Բնակարանի գինը 50 միլիոն դրամ է։"),
        [(50_000_000, "AMD", None, None)]
    );
    assert_eq!(
        read("Бул үйдүн баасы 5 миллион сом."),
        [(5_000_000, "KGS", None, None)]
    );
    assert_eq!(
        read("Տարեկան աշխատավարձը 3 միլիոն դրամ է։"),
        [(3_000_000, "AMD", Some(Period::Yearly), None)]
    );
}
