//! Issue 14, general vocabulary of the old five languages: Kazakh and Uzbek cases of the
//! hand-listed places (`data/gazetteer/region_cases.toml`) and period words of payments made by
//! the reader or paid once.

use crate::{extract, found_names, EntityKind, Period};

fn places(text: &str) -> Vec<String> {
    found_names(text, EntityKind::Region)
}

fn periods(text: &str) -> Vec<Option<Period>> {
    extract(text).amounts.iter().map(|a| a.period).collect()
}

#[test]
fn kazakh_and_uzbek_cases_of_russian_cities_name_the_city() {
    assert_eq!(
        places("Волгоградда ўзбекистонлик мигрантлар ушланди"),
        ["Volgograd"]
    );
    assert_eq!(places("Ол Томскіде оқиды"), ["Tomsk"]);
    assert_eq!(places("Volgogradga ishga ketgan yigitlar"), ["Volgograd"]);
    // Hard negatives: an adjective of the city, and ordinary words, are no place.
    assert!(places("Волгоградский тракторный завод выпускает тракторы").is_empty());
    assert!(places("Ол кітапты оқыды да, үйге қайтты").is_empty());
    assert!(places("Бугун ҳаво иссиқ бўлади").is_empty());
}

#[test]
fn a_sum_the_reader_paid_is_paid_once() {
    assert_eq!(
        periods("Он заплатил посреднику 300 тысяч рублей за «работу» в Москве."),
        [Some(Period::OneTime)]
    );
    assert_eq!(
        periods("Ол делдалға 500 мың теңге төледі."),
        [Some(Period::OneTime)]
    );
    // A period word of the amount's own wins.
    assert_eq!(
        periods("Ему заплатили 100 тысяч рублей в месяц."),
        [Some(Period::Monthly)]
    );
    // Hard negative: an amount no payment word governs keeps no period.
    assert_eq!(periods("Квартира стоит 5 млн рублей."), [None]);
}

#[test]
fn an_arabic_bonus_or_grant_is_paid_once_unless_it_says_a_month() {
    assert_eq!(
        periods("يحصل المتطوع على مكافأة قدرها 3000 دولار"),
        [Some(Period::OneTime)]
    );
    assert_eq!(
        periods("يحصل المتطوع على مكافأة شهرية قدرها 300 دولار"),
        [Some(Period::Monthly)]
    );
    assert_eq!(
        periods("تسلم المجند دفعة أولى قدرها 2000 دولار"),
        [Some(Period::OneTime)]
    );
    assert_eq!(periods("بلغ سعر الشقة 90 ألف دولار"), [None]);
}

#[test]
fn uzbek_every_month_and_salary_with_its_possessive() {
    assert_eq!(
        periods("Ishchilarga har oyda 5 mln so‘m to‘lanadi."),
        [Some(Period::Monthly)]
    );
    assert_eq!(
        periods("Uning oyligi 4 mln so‘m edi."),
        [Some(Period::Monthly)]
    );
    assert_eq!(periods("Mashina 90 mln so‘mga sotildi."), [None]);
}

#[test]
fn money_collected_or_cheated_is_taken_once_and_last_month_is_no_monthly_pay() {
    assert_eq!(
        periods(
            "Last month, a local agency allegedly collected nearly Rs 66 lakh from 33 applicants."
        ),
        [Some(Period::OneTime)]
    );
    assert_eq!(
        periods("Police arrested a man for cheating a youth of Rs 3.5 lakh."),
        [Some(Period::OneTime)]
    );
    // Hard negatives: "last month" says when, not how often; a wage's own period wins.
    assert_eq!(periods("Last month the flat sold for $90,000."), [None]);
    assert_eq!(
        periods("He collected his wage of $400 a month."),
        [Some(Period::Monthly)]
    );
}

fn countries(text: &str) -> Vec<String> {
    found_names(text, EntityKind::Country)
}

#[test]
fn us_dollars_named_with_the_country_are_a_currency_not_a_country() {
    let x = extract("Гумондор аҳолидан 300 000 сўм (153 АҚШ доллари) миқдорида пул йиғиб олган.");
    let found: Vec<(i64, &str)> = x
        .amounts
        .iter()
        .map(|a| (a.value.minor / 100, a.currency))
        .collect();
    assert_eq!(found, [(300_000, "UZS"), (153, "USD")]);
    assert!(countries("Ему заплатили 500 долларов США.").is_empty());
    assert!(countries("Ол 500 АҚШ долларын төледі.").is_empty());
    // Hard negative: the country named on its own is still a country.
    assert_eq!(countries("Ол АҚШ-қа жұмысқа кетті."), ["United States"]);
}

fn label(text: &str) -> crate::Label {
    extract(text).label
}

#[test]
fn english_job_scams_told_by_their_acts_not_by_one_phrase() {
    use crate::Label::{Benign, ScamJob};
    // Workers taken on tourist visas, the promised salary not paid, agents in between.
    assert_eq!(
        label("The private agencies took them to Malaysia on a tourist visa, promising a work permit. Their work permits were not given, nor were they paid the promised salary. The company said their salaries had been handed over to their agents."),
        ScamJob
    );
    // A fee charged for jobs abroad and falsified documents.
    assert_eq!(
        label("The workers had applied through an agency for jobs in Saudi Arabia. The agency charged them hefty processing fees. The agency had also falsified documents regarding their employment terms."),
        ScamJob
    );
    // Hard negatives: each phrase alone, in everyday sentences.
    assert_eq!(
        label("She travelled to Japan on a tourist visa and loved it."),
        Benign
    );
    assert_eq!(
        label("The company promised salary increases to all its employees next year."),
        Benign
    );
    assert_eq!(
        label("Police said the suspect falsified documents to obtain a bank loan."),
        Benign
    );
    assert_eq!(
        label("Workers did not get paid for overtime, the union said."),
        Benign
    );
    assert_eq!(
        periods(
            "Amounts from Rs 1.5 lakh to Rs 4 lakh are paid to the agents to take them abroad."
        ),
        [Some(Period::OneTime), Some(Period::OneTime)]
    );
}

#[test]
fn a_smugglers_fee_for_the_army_is_a_scam_and_a_soldiers_pay_is_recruitment() {
    use crate::Label::{Benign, MilitaryRecruitment, ScamJob};
    assert_eq!(
        label("The detainees charged each person up to $9,000 and sent them to Russia. They were then recruited into the Russian army. It is a case of human smuggling."),
        ScamJob
    );
    assert_eq!(
        label("A former soldier was accused of smuggling men to Russia for up to $9,000."),
        ScamJob
    );
    assert_eq!(
        label("He joined the Russian army. He was promised 195 000 rubles, but only 4 000 rubles were paid."),
        MilitaryRecruitment
    );
    // Hard negatives: smuggling goods, a charge for each item.
    assert_eq!(
        label("Customs officers caught a man smuggling cigarettes; the shop charged each customer $2 for a bag."),
        Benign
    );
}

#[test]
fn a_promise_of_salaries_or_work_is_a_job_offer_that_lures_can_join() {
    use crate::Label::{Benign, ScamJob};
    assert_eq!(
        label("He became a victim of recruitment through deceit. Many are lured with promises of salaries of $1,500 or more, while back home they earn $60 a month."),
        ScamJob
    );
    assert_eq!(
        label("Мигрантов обманули: им обещали работу на стройке, а паспорта забрали посредники."),
        ScamJob
    );
    // Hard negatives: a promise of work or pay with no sign of deceit.
    assert_eq!(
        label("The union secured promises of salary increases for nurses."),
        Benign
    );
    assert_eq!(
        label("Мэр обещали работу новой поликлиники начать в мае."),
        Benign
    );
}

#[test]
fn uzbek_latin_with_any_apostrophe_for_o_and_g_is_uzbek() {
    use crate::Lang;
    let lang = |t: &str| extract(t).language;
    assert_eq!(
        lang("Toshkentda o`rtacha oylik ish haqi 8 mln so`mdan oshdi"),
        Lang::Uz
    );
    assert_eq!(
        lang("Bungacha qirg‘iz diasporasi yukini jo‘natgan, deb yozadi agentlik."),
        Lang::Uz
    );
    assert_eq!(lang("Xabarga koʻra, u oʻqishga ketgan"), Lang::Uz);
    // Hard negatives: English with names, possessives and contractions keeps English.
    assert_eq!(
        lang("Mr O'Brien said Mexico's and Chicago's workers who'll stay get paid"),
        Lang::En
    );
    assert_eq!(lang("The shop opens at nine o'clock on Monday"), Lang::En);
    assert_eq!(
        lang("Toronto's mayor and Morocco’s minister met in San Diego's port"),
        Lang::En
    );
}
