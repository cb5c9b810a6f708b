//! Issue 14, items 3 and 5: periods and bounds read by clause, and the amounts that slipped
//! (Indian grouping, lakh and crore, `k` and `тыс.` variants, a currency carried from the
//! context, Arabic «و» and «آلاف», rupees of Nepal, Kazakh in Arabic script).

use adwatch::extract::{extract, Bound, Extraction, Period};
use proptest::prelude::*;

/// (whole units, currency, period, bound) of every amount, in text order.
fn read(text: &str) -> Vec<(i64, &'static str, Option<Period>, Option<Bound>)> {
    offers(&extract(text))
}

fn offers(x: &Extraction) -> Vec<(i64, &'static str, Option<Period>, Option<Bound>)> {
    x.amounts
        .iter()
        .map(|a| (a.value.minor / 100, a.currency, a.period, a.bound))
        .collect()
}

fn values(text: &str) -> Vec<(i64, &'static str)> {
    read(text).into_iter().map(|a| (a.0, a.1)).collect()
}

/// A text and the one amount it holds: (text, whole units, currency, period, bound).
type Case<'a> = (&'a str, i64, &'a str, Option<Period>, Option<Bound>);

const ONE: Option<Period> = Some(Period::OneTime);
const MONTH: Option<Period> = Some(Period::Monthly);
const MIN: Option<Bound> = Some(Bound::Min);

#[test]
fn a_period_word_governs_the_amounts_of_its_clause_not_only_the_next_number() {
    let cases: &[Case] = &[
        (
            "Единовременная выплата в размере 400 000 рублей",
            400_000,
            "RUB",
            ONE,
            None,
        ),
        (
            "Контракт на год. При подписании контракта — 400 000 рублей",
            400_000,
            "RUB",
            ONE,
            None,
        ),
        (
            "При подписании контракта выплатят 400 000 рублей",
            400_000,
            "RUB",
            ONE,
            None,
        ),
        (
            "They offer a signing bonus of $2,000",
            2_000,
            "USD",
            ONE,
            None,
        ),
        (
            "They offer a signing bonus paid on arrival of $2,000",
            2_000,
            "USD",
            ONE,
            None,
        ),
        (
            "Recruits get a monthly salary of $2,500 and free housing",
            2_500,
            "USD",
            MONTH,
            None,
        ),
        (
            "Выплачивается ежемесячно от 200 000 рублей",
            200_000,
            "RUB",
            MONTH,
            MIN,
        ),
        (
            "Зарплата в месяц составит от 200 тыс. рублей",
            200_000,
            "RUB",
            MONTH,
            MIN,
        ),
        (
            "Келісімшартқа қол қойған кезде бір реттік төлем ретінде 2 млн теңге беріледі",
            2_000_000,
            "KZT",
            ONE,
            None,
        ),
        (
            "Shartnoma imzolanganda bir martalik to‘lov sifatida 20 mln so‘m beriladi",
            20_000_000,
            "UZS",
            ONE,
            None,
        ),
        (
            "مكافأة توقيع تدفع عند الوصول بقيمة 3000 دولار",
            3_000,
            "USD",
            ONE,
            None,
        ),
    ];
    for &(text, value, currency, period, bound) in cases {
        assert_eq!(read(text), [(value, currency, period, bound)], "{text}");
    }
}

#[test]
fn every_amount_of_the_clause_gets_the_period_and_a_nearer_word_wins() {
    // Both amounts of the clause are one-time payments.
    let x =
        read("Единовременная выплата: 400 000 рублей от региона и 195 000 рублей от Минобороны");
    assert_eq!(x.iter().map(|a| a.2).collect::<Vec<_>>(), [ONE, ONE]);
    // A period word right after an amount is that amount's; it does not spill onto the next.
    let x = read("Оклад 100 000 рублей в месяц, премия 50 000 рублей.");
    assert_eq!(x.iter().map(|a| a.2).collect::<Vec<_>>(), [MONTH, None]);
    // A nearer period word for the second amount wins over the first one of the clause.
    let x = read("A monthly salary of $2,000 and a one-time bonus of $5,000");
    assert_eq!(x.iter().map(|a| a.2).collect::<Vec<_>>(), [MONTH, ONE]);
    // The period does not cross a sentence end.
    let x = read("Единовременная выплата положена всем. Аренда стоит 30 000 рублей.");
    assert_eq!(x.iter().map(|a| a.2).collect::<Vec<_>>(), [None]);
}

fn periods(text: &str) -> Vec<Option<Period>> {
    read(text).into_iter().map(|a| a.2).collect()
}

const YEAR: Option<Period> = Some(Period::Yearly);

#[test]
fn russian_and_kazakh_pay_nouns_imply_a_month_when_no_word_says_a_period() {
    // Russian and Kazakh quote salaries, pensions and rents by the month.
    assert_eq!(
        periods("Средняя зарплата составляет 85 тысяч рублей."),
        [MONTH]
    );
    assert_eq!(periods("Базалық зейнетақы 35 596 теңге."), [MONTH]);
    assert_eq!(
        periods("Пәтерақы - 60-70 мың теңге көлемінде."),
        [MONTH, MONTH]
    );
    // After the amount, in its clause (Kazakh puts the noun last).
    assert_eq!(periods("Ол 700 мың теңге жалақы алды."), [MONTH]);
    // Any period word wins over the noun.
    assert_eq!(periods("Зарплата 1,2 млн рублей в год."), [YEAR]);
    assert_eq!(periods("Ежегодная зарплата 1,2 млн рублей."), [YEAR]);
    // The noun leads one amount; a bonus of its own is not a salary.
    assert_eq!(
        periods("Зарплата — 240 тысяч рублей. Плюс премии, там до 1 млн рублей."),
        [MONTH, None]
    );
    // English does not: "a salary of $2,000" may be a year's.
    assert_eq!(periods("They were promised a salary of $2,000."), [None]);
}

#[test]
fn an_amounts_period_passes_to_the_parallel_amounts_of_its_sentence() {
    assert_eq!(
        periods("Цены выросли: в Барнауле до 25 тыс. рублей в месяц, в Москве (до 85 тыс. рублей), в Петербурге (до 35 тыс. рублей)."),
        [MONTH, MONTH, MONTH]
    );
    // A line broken after a comma goes on with its sentence.
    assert_eq!(
        periods("Зарплата 35 596 теңге,\nең жоғары мөлшері 60 005 теңге."),
        [MONTH, MONTH]
    );
    // Not to an amount a pay word of its own leads, nor past the sentence.
    assert_eq!(
        periods("Оклад 100 000 рублей в месяц, премия 50 000 рублей."),
        [MONTH, None]
    );
    assert_eq!(
        periods("Платят 100 000 рублей в месяц. Квартира стоит 5 млн рублей."),
        [MONTH, None]
    );
}

#[test]
fn a_heading_lines_period_passes_to_the_amounts_that_open_the_next_line() {
    assert_eq!(
        periods("Базалық зейнетақы\nЕң төменгі мөлшері – 35 596 теңге"),
        [MONTH]
    );
    assert_eq!(periods("Ежемесячно\nот 150 000 рублей"), [MONTH]);
    // Not a period that counts something else ("12 часов в день"), nor past a blank line.
    assert_eq!(
        periods("Смена 12 часов в день\nОплата 150 000 рублей"),
        [None]
    );
    assert_eq!(periods("Ежемесячно\n\nКвартира за 150 000 рублей"), [None]);
}

#[test]
fn a_heading_that_ends_with_a_colon_gives_its_period_to_the_lines_of_its_list() {
    assert_eq!(
        periods("Visa Fees are as follows:\n\nMultiple entry – 15 Days – US $ 25 or equivalent\nMultiple entry – 30 Days – US $ 40 or equivalent"),
        [ONE, ONE]
    );
    assert_eq!(
        periods("Ежемесячные выплаты:\n- оклад 50 000 рублей;\n- надбавка 30 000 рублей."),
        [MONTH, MONTH]
    );
    // The list ends at a blank line after its items.
    assert_eq!(
        periods("Fees:\n\nVisa – $25\n\nThe salary is $2,000"),
        [ONE, None]
    );
}

#[test]
fn fees_charges_and_deposits_are_paid_once() {
    assert_eq!(
        periods("The agency charged each man $3,000 for the job"),
        [ONE]
    );
    assert_eq!(
        periods("They demanded Rs 600,000 each for sending youths abroad"),
        [ONE]
    );
    assert_eq!(periods("مقابل إيداع مبلغ 20 ألف جنيه كضمان"), [ONE]);
}

fn bounds(text: &str) -> Vec<Option<Bound>> {
    read(text).into_iter().map(|a| a.3).collect()
}

const MAX: Option<Bound> = Some(Bound::Max);

#[test]
fn after_a_verb_of_change_to_names_the_new_value_not_a_maximum() {
    assert_eq!(
        bounds("Квартиры подорожали на 25%, с 20 тыс. до 24 тыс. рублей в месяц."),
        [None, None]
    );
    assert_eq!(
        bounds("Выплата при заключении контракта увеличена до 2 млн рублей."),
        [None]
    );
    assert_eq!(bounds("The minimum wage rose to $500 this year."), [None]);
    assert_eq!(
        bounds("قررت الحكومة رفع الحد الأدنى للأجور إلى 3500 جنيه"),
        [None]
    );
    // Without one, "до" and "to" stay maxima, and "от … до" a range.
    assert_eq!(bounds("Зарплата до 200 000 рублей."), [MAX]);
    assert_eq!(bounds("Pay of up to $3,000 a month."), [MAX]);
    assert_eq!(
        bounds("Зарплата выросла и составляет от 100 до 150 тысяч рублей."),
        [MIN, MAX]
    );
    // Not past the sentence.
    assert_eq!(bounds("Цены выросли. Зарплата до 200 000 рублей."), [MAX]);
}

#[test]
fn bounds_written_as_endings_and_after_the_amount_in_uzbek_kazakh_and_arabic() {
    assert_eq!(
        bounds("Narxi 9 ming dollardan boshlanib, 12 ming dollargacha bo‘ladi."),
        [MIN, MAX]
    );
    assert_eq!(bounds("Maoshi 1,2 million rubldan ortiq."), [MIN]);
    assert_eq!(bounds("Жалақы 250 мың теңгеден басталады."), [MIN]);
    // The ablative opens a range before a maximum; alone it may mean "each".
    assert_eq!(
        bounds("Жалақы 150 000 теңгеден 300 000 теңгеге дейін."),
        [MIN, MAX]
    );
    assert_eq!(
        bounds("Narxi 9 ming dollardan 12 ming dollargacha."),
        [MIN, MAX]
    );
    assert_eq!(bounds("Әрқайсысына 100 мың теңгеден берілді."), [None]);
    assert_eq!(bounds("قرر تحديد 250 جنيهًا كحد أدنى للعلاوة"), [MIN]);
    assert_eq!(bounds("رواتب لا تتجاوز 25 دولاراً شهرياً"), [MAX]);
    // "About" and "what amounts to" are no bounds.
    assert_eq!(
        read("يعرض عليهم ما يقرب من 3 آلاف دولار شهريا"),
        [(3_000, "USD", MONTH, None)]
    );
    assert_eq!(bounds("a total of what amounts to $35,473"), [None]);
}

#[test]
fn uzbek_sums_with_a_case_ending_and_any_turned_comma() {
    assert_eq!(
        read("2013 yilda bir martalik pul mukofoti - 500 000 so‘mni, 2014 yilda – 600 000 so‘mni tashkil etgan."),
        [(500_000, "UZS", ONE, None), (600_000, "UZS", ONE, None)]
    );
    assert_eq!(
        values("O`rtacha oylik ish haqi 8 mln so`mdan oshdi"),
        [(8_000_000, "UZS")]
    );
}

#[test]
fn and_joins_a_range_only_after_between() {
    assert_eq!(
        read("They get a one-off payment of 195,000 roubles and 204,000 roubles a month."),
        [(195_000, "RUB", ONE, None), (204_000, "RUB", MONTH, None)]
    );
    assert_eq!(
        read("Salaries between $2,000 and $3,000 a month."),
        [(2_000, "USD", MONTH, MIN), (3_000, "USD", MONTH, MAX)]
    );
    assert_eq!(
        bounds("يتقاضون رواتب تتراوح بين 2000 و2500 دولار شهرياً"),
        [MIN, MAX]
    );
    assert_eq!(bounds("تسلم 800 دولار لعائلاتهم و600 دولار لهم"), [None, None]);
    assert_eq!(bounds("Жалақы 60 мен 70 мың теңге аралығында."), [MIN, MAX]);
}

#[test]
fn a_bound_after_a_prefix_currency_is_read() {
    assert_eq!(
        read("They are promised salaries of $1,500 or more"),
        [(1_500, "USD", None, MIN)]
    );
}

#[test]
fn indian_digit_grouping_lakh_and_crore() {
    let cases: &[(&str, i64, &str)] = &[
        ("Salary INR 2,00,000 per month", 200_000, "INR"),
        ("He paid Rs. 3,00,000 to the agent", 300_000, "INR"),
        ("He paid ₹1,50,000 to the agent", 150_000, "INR"),
        ("Price paid Rs 9,00,00,000", 90_000_000, "INR"),
        ("He paid ₹31,40,000 to agents", 3_140_000, "INR"),
        ("He paid Rs 3 lakh", 300_000, "INR"),
        ("He paid Rs 3 lakhs", 300_000, "INR"),
        ("He paid Rs 3 lac", 300_000, "INR"),
        ("He paid Rs 3.5 lacs", 350_000, "INR"),
        ("He paid ₹2 crore", 20_000_000, "INR"),
        ("He paid ₹2 crores", 20_000_000, "INR"),
        ("He paid Rs 1.2 cr", 12_000_000, "INR"),
        ("He paid 5 lakh rupees", 500_000, "INR"),
        ("उसने 3 लाख रुपये दिए", 300_000, "INR"),
        ("उसने 2 करोड़ रुपये दिए", 20_000_000, "INR"),
    ];
    for &(text, value, currency) in cases {
        assert_eq!(values(text), [(value, currency)], "{text}");
    }
}

#[test]
fn thousands_written_short() {
    let cases: &[(&str, i64, &str)] = &[
        ("Pay: $5k a month", 5_000, "USD"),
        ("Pay: $5K a month", 5_000, "USD"),
        ("Зарплата 150k руб", 150_000, "RUB"),
        ("Зарплата 150к руб.", 150_000, "RUB"),
        ("Зарплата 150 тыс.руб", 150_000, "RUB"),
        ("Зарплата 150 тыс.руб.", 150_000, "RUB"),
        ("Зарплата 150 т.р.", 150_000, "RUB"),
        ("Зарплата 150 тр в месяц", 150_000, "RUB"),
        ("Зарплата 150 тыс. р.", 150_000, "RUB"),
        ("Зарплата 1,5 млн руб.", 1_500_000, "RUB"),
        ("Квартира подорожала до 33,996 тыс. рублей", 33_996, "RUB"),
    ];
    for &(text, value, currency) in cases {
        assert_eq!(values(text), [(value, currency)], "{text}");
    }
}

#[test]
fn a_currency_is_carried_to_money_shaped_numbers_after_it() {
    assert_eq!(
        values("Средняя зарплата 85 тысяч рублей, у водителей самосвала от 150 тысяч."),
        [(85_000, "RUB"), (150_000, "RUB")]
    );
    assert_eq!(
        values("Выплата 3 млн руб., из них 400 тыс. — от региона."),
        [(3_000_000, "RUB"), (400_000, "RUB")]
    );
    assert_eq!(
        values("Контрактникам платят 300 тысяч рублей, это на 900 тысяч больше, чем год назад"),
        [(300_000, "RUB"), (900_000, "RUB")]
    );
    assert_eq!(
        values("Зарплата 85 000 рублей, с премией 120 000."),
        [(85_000, "RUB"), (120_000, "RUB")]
    );
}

#[test]
fn a_carried_currency_never_makes_money_of_phones_dates_counts_or_percentages() {
    for text in [
        "Выплата 400 000 рублей. Звоните +7 924 123-45-67",
        "Выплата 400 000 рублей, звоните +7 924 123-45-67 или 8 (4242) 12-34-56",
        "Выплата 400 000 рублей; набрали 6 200 человек",
        "Выплата 400 000 рублей, в 2023 году 17.07.2015 набрали 5 000 человек",
        "Выплата 400 000 рублей, рост 15 000%, возраст от 18 до 45 лет, 30 дней",
        "Выплата 400 000 рублей, служба 3 тысячи дней, адрес: ул. Ленина, 12, кв. 5",
        "Выплата 400 000 рублей, заявка № 123 456, ИНН 7707 083 893",
        "Payment $2,000. Call +1 202 555 0147 or +977 980 123 4567",
    ] {
        let x = read(text);
        assert_eq!(x.len(), 1, "{text}: {x:?}");
    }
}

#[test]
fn arabic_joined_and_and_thousands_plural() {
    assert_eq!(
        values("وتوزّع على 800 دولار تسلّم لعائلاتهم، و600 دولار تسلم لهم في روسيا"),
        [(800, "USD"), (600, "USD")]
    );
    assert_eq!(values("راتب 5 آلاف دولار"), [(5_000, "USD")]);
    assert_eq!(values("راتب ٥ آلاف دولار"), [(5_000, "USD")]);
    assert_eq!(
        values("تتراوح بين 11 الفا و18 الف ريال"),
        [(11_000, "SAR"), (18_000, "SAR")]
    );
    assert_eq!(values("سجل نحو 6240 جنيهًا للبيع"), [(6_240, "EGP")]);
    assert_eq!(
        read("التكلفة من 20 روبل الي ٣٠ روبل"),
        [(20, "RUB", None, MIN), (30, "RUB", None, Some(Bound::Max))]
    );
}

#[test]
fn rupees_are_nepalese_in_a_text_about_nepal_and_indian_otherwise() {
    assert_eq!(
        values("They demanded Rs 600,000 each in Kathmandu"),
        [(600_000, "NPR")]
    );
    assert_eq!(
        values("The agents in Nepal took 5 lakh rupees"),
        [(500_000, "NPR")]
    );
    assert_eq!(values("काठमाडौं: रु 50,000"), [(50_000, "NPR")]);
    assert_eq!(values("नेपाल: रु 2,00,000"), [(200_000, "NPR")]);
    assert_eq!(
        values("Вербовщики в Непале брали 500 000 рупий"),
        [(500_000, "NPR")]
    );
    assert_eq!(
        values("They demanded Rs 600,000 each in Delhi"),
        [(600_000, "INR")]
    );
    assert_eq!(values("They demanded Rs 600,000 each"), [(600_000, "INR")]);
}

#[test]
fn kazakh_in_arabic_script() {
    let x = extract("ايلىق 15 مىڭ تەڭگە");
    assert_eq!(offers(&x), [(15_000, "KZT", MONTH, None)]);
    assert_eq!(values("ايلىعى 150 مىڭ تەڭگەدەن باستاپ"), [(150_000, "KZT")]);
    // Arabic stays Arabic.
    let x = extract("راتب شهري 2000 دولار للمتطوعين في روسيا");
    assert_eq!(x.language, adwatch::extract::Lang::Ar);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_carried_currency_never_turns_a_phone_number_into_money(
        lead in "[a-zа-я ]{0,20}",
        country in prop::sample::select(vec!["+7", "8", "+977", "+998", "+7 (", "+1"]),
        a in 100u32..999,
        b in 100u32..999,
        c in 10u32..99,
        d in 10u32..99,
        sep in prop::sample::select(vec![" ", "-", " - "]),
    ) {
        let text = format!("{lead} Выплата 400 000 рублей, {lead} звоните {country} {a} {b}{sep}{c}{sep}{d}");
        let x = extract(&text);
        prop_assert_eq!(x.amounts.len(), 1, "{}: {:?}", text, x.amounts);
    }
}

#[test]
fn a_bare_number_after_a_thousand_word_completes_it() {
    assert_eq!(values("न्यूनतम तलब २ हजार ३५० रिंगेट पुगेको छ"), [(2_350, "MYR")]);
    assert_eq!(values("उनको कमाइ एक हजार १०० रिंगेट थियो"), [(1_100, "MYR")]);
    assert_eq!(
        values("Աշխատավարձը 312 հազար 400 դրամ է"),
        [(312_400, "AMD")]
    );
    assert_eq!(values("Маош 15 ҳазору 300 сомонӣ аст"), [(15_300, "TJS")]);
    // Counts stay counts.
    for text in [
        "१५ हजार जना",
        "१५ हजार २० जना पुगे",
        "5 тысяч 300 человек",
        "20 миң 500 адам",
    ] {
        assert_eq!(values(text), [], "{text}");
    }
}

#[test]
fn a_period_word_right_after_a_bare_number_counts_it_and_governs_nothing() {
    // "25-50 տարեկան" is an age, not "a year"; the wage noun implies its month (issue 15).
    assert_eq!(
        read("Անհրաժեշտ են բանվորներ 25-50 տարեկան, աշխատավարձը 400 000 դրամ"),
        [(400_000, "AMD", Some(Period::Monthly), None)]
    );
    assert_eq!(
        read("Տարեկան աշխատավարձը 400 000 դրամ է"),
        [(400_000, "AMD", Some(Period::Yearly), None)]
    );
}

#[test]
fn tajik_dollars_glued_to_the_thousand_and_uzbek_sums() {
    assert_eq!(
        read("аз ҳар кадоме то 6-ҳазордолларӣ фоида гирифтаанд"),
        [(6_000, "USD", None, Some(Bound::Max))]
    );
    assert_eq!(
        read("15 миллион сӯм мукофоти якдафъаинаи пулӣ"),
        [(15_000_000, "UZS", ONE, None)]
    );
}

#[test]
fn from_and_up_to_glued_to_the_unit_or_currency_word() {
    let max = Some(Bound::Max);
    assert_eq!(
        read("Айлыгы 50 миңден 60 миң сомго чейин."),
        [(50_000, "KGS", MONTH, MIN), (60_000, "KGS", MONTH, max)]
    );
    assert_eq!(
        read("नेपालमा तलब ५० हजारदेखि ६० हजार रुपैयाँसम्म छ ।"),
        [(50_000, "NPR", None, MIN), (60_000, "NPR", None, max)]
    );
    assert_eq!(
        read("नेपालमा तलब ३० हजार रुपैयाँसम्म हुन्छ ।"),
        [(30_000, "NPR", None, max)]
    );
    // "thousand" ends in "and", «теңгемен» (with tenge) in «мен»: no range with what follows.
    assert_eq!(values("He paid $5 thousand 10 times."), [(5_000, "USD")]);
    assert_eq!(values("Жалақы 20 мың теңгемен 5 жыл."), [(20_000, "KZT")]);
    // A word that only ends in the same letters joins nothing: two amounts, no range.
    assert_eq!(
        read("Айлыгы 50 миң сом, 60 миң сом бонус."),
        [(50_000, "KGS", MONTH, None), (60_000, "KGS", MONTH, None)]
    );
}

#[test]
fn spelled_numbers_from_eleven_to_ninety_nine_and_gulf_currencies() {
    assert_eq!(values("उसे अड़तालीस हजार रुपये मिले।"), [(48_000, "INR")]);
    assert_eq!(values("नेपालमा पच्चीस हजार रुपैयाँ तलब छ ।"), [(25_000, "NPR")]);
    assert_eq!(values("Маош сиву панҷ ҳазор сомонӣ."), [(35_000, "TJS")]);
    assert_eq!(values("Айлыгы алтымыш миң сом."), [(60_000, "KGS")]);
    assert_eq!(values("Айлыгы төрт жүз доллар."), [(400, "USD")]);
    assert_eq!(
        values("Աշխատավարձը վաթսուն հազար դրամ է։"),
        [(60_000, "AMD")]
    );
    assert_eq!(
        values("Մեկուկես միլիոն ռուբլի են խոստացել։"),
        [(1_500_000, "RUB")]
    );
    assert_eq!(values("कतारमा १५०० कतारी रियाल तलब छ ।"), [(1_500, "QAR")]);
    // «सत्र» is also a session: a number word is money only with a currency.
    assert_eq!(
        values("संसदको सत्र सुरु भयो र सत्र हजार रुपैयाँ खर्च भयो ।"),
        [(17_000, "NPR")]
    );
}

#[test]
fn a_thousand_word_amount_next_to_a_pay_noun_is_money_in_the_local_currency() {
    assert_eq!(
        read("मासिक डेढ लाख तलब पाइने भएपछि उनले जागिर छोडे ।"),
        [(150_000, "NPR", MONTH, None)]
    );
    assert_eq!(values("Айлыгы 30 миң, жумуш оор."), [(30_000, "KGS")]);
    assert_eq!(values("Маоши 5 ҳазор, кор вазнин."), [(5_000, "TJS")]);
    assert_eq!(values("Աշխատավարձը 300 հազար է։"), [(300_000, "AMD")]);
    assert_eq!(values("वेतन 30 हजार मिलेगा।"), [(30_000, "INR")]);
    // A currency named in the text wins over the local one, before or after the amount.
    assert_eq!(
        values("Айлыгы 40 миң, бир жолку төлөм 200 миң рубль."),
        [(40_000, "RUB"), (200_000, "RUB")]
    );
    // Counts and amounts with no pay noun next to them stay numbers.
    for text in [
        "१५ हजार जना विदेश गए।",
        "20 миң адам келди.",
        "Выплату получат 20 тысяч военных.",
    ] {
        assert_eq!(values(text), [], "{text}");
    }
}
