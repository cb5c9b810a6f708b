//! Labels come from evidence families that co-occur, never from one phrase (issue 14).

use crate::{explain_signal, extract, lexicon, Label, Lang};

fn label(text: &str) -> Label {
    extract(text).label
}

fn signals(text: &str) -> Vec<&'static str> {
    extract(text).signals.iter().map(|s| s.id).collect()
}

#[test]
fn an_actor_on_stage_under_the_guise_of_an_old_man_is_benign() {
    let text = "Актёр вышел на сцену под видом старика";
    assert_eq!(label(text), Label::Benign, "{:?}", signals(text));
    assert!(!signals(text).contains(&"disguise"));
}

#[test]
fn farmers_at_risk_of_frost_are_benign() {
    let text = "Фермеры рискуют попасть под заморозки";
    assert_eq!(label(text), Label::Benign, "{:?}", signals(text));
}

#[test]
fn a_visit_to_a_manpower_office_to_renew_a_passport_is_benign() {
    let text = "He visited a manpower office in Kathmandu to renew his passport";
    assert_eq!(label(text), Label::Benign, "{:?}", signals(text));
}

/// Everyday sentences that share words with recruitment: a contract, service, an army in
/// history or sport, a salary in an ordinary vacancy, travel abroad for tourism, a war's cost.
const EVERYDAY: [(Lang, &str); 46] = [
    (Lang::Ru, "Хоккеист подписал контракт с клубом на 30 миллионов рублей в год."),
    (Lang::Ru, "Мой дед служил в армии в 1970-х, а потом работал водителем в колхозе."),
    (Lang::Ru, "Требуется продавец-консультант, зарплата от 45 тысяч рублей в месяц, опыт не нужен."),
    (Lang::Ru, "Летом мы ездили отдыхать за границу, путёвка в Турцию стоила 150 тысяч рублей."),
    (Lang::Ru, "Договор аренды заключается на год, контракт можно продлить, оплата 30 тысяч рублей в месяц."),
    (Lang::Ru, "Ветераны армии получат ежемесячную выплату 3 тысячи рублей ко Дню Победы."),
    (Lang::Ru, "Война в Украине обходится экономике в 500 миллиардов рублей в месяц."),
    (Lang::En, "The striker signed a three-year contract with the club worth $2 million a year."),
    (Lang::En, "My grandfather served in the army in the 1980s and later worked as a teacher."),
    (Lang::En, "We are hiring a sales assistant: salary $1,200 a month, no experience needed."),
    (Lang::En, "We travelled abroad on holiday; the flights and the hotel in Dubai cost $1,500."),
    (Lang::En, "The war in Ukraine costs Russia about $300 million a day, analysts say."),
    (Lang::Kk, "Футболшы клубпен екі жылдық келісімшартқа отырды, жалақысы айына 5 миллион теңге."),
    (Lang::Kk, "Дүкенге сатушы қажет, жалақы айына 200 мың теңге, тәжірибесіз."),
    (Lang::Kk, "Біз демалысқа шетелге бардық, Түркияға жолдама 500 мың теңге тұрды."),
    (Lang::Kk, "Соғыс ардагерлеріне айына 50 мың теңге жәрдемақы төленеді."),
    (Lang::Kk, "Атам кеңес әскерінде қызмет еткен, қазір зейнеткер."),
    (Lang::Ar, "وقع اللاعب عقداً مع النادي لمدة ثلاث سنوات براتب مليون دولار سنوياً"),
    (Lang::Ar, "مطلوب محاسب براتب شهري 500 دينار"),
    (Lang::Ar, "سافرنا إلى الخارج في عطلة الصيف وكلفت الرحلة 2000 دولار"),
    (Lang::Ar, "خدم جدي في الجيش في السبعينيات ثم عمل معلماً"),
    (Lang::Uz, "Futbolchi klub bilan uch yillik shartnoma imzoladi, maoshi oyiga 50 ming dollar."),
    (Lang::Uz, "Do‘konga sotuvchi kerak, maosh oyiga 3 mln so‘m, tajriba shart emas."),
    (Lang::Uz, "Yozda oilamiz bilan chet elga dam olishga bordik, sayohat 1000 dollar turdi."),
    (Lang::Uz, "Bobom sovet armiyasida xizmat qilgan, hozir esa nafaqada va uyda dam oladi."),
    (Lang::Uz, "Tahlilchilar fikricha, urush Rossiya uchun kuniga 300 million dollarga tushmoqda."),
    (Lang::Ky, "Футболчу клуб менен эки жылдык келишимге кол койду, айлыгы айына 5 миллион сом."),
    (Lang::Ky, "Чоң атам совет армиясында кызмат кылган, азыр пенсияда."),
    (Lang::Ky, "Дүкөнгө сатуучу керек, айлыгы айына 30 миң сом, тажрыйбасыз."),
    (Lang::Ky, "Жайында чет өлкөгө эс алууга бардык, Түркияга жолдомо 80 миң сом турду."),
    (Lang::Tg, "Футболбоз бо клуб шартномаи сесола имзо кард, маошаш моҳона 50 ҳазор сомонӣ аст."),
    (Lang::Tg, "Бобоям дар артиши шӯравӣ хизмат кардааст, ҳоло нафақахӯр аст."),
    (Lang::Tg, "Ба мағоза фурӯшанда лозим аст, маош моҳона 3 ҳазор сомонӣ, бе таҷриба."),
    (Lang::Tg, "Тобистон ба хориҷа барои истироҳат рафтем, сафар 1000 доллар арзиш дошт."),
    (Lang::Hy, "Ֆուտբոլիստը ակումբի հետ եռամյա պայմանագիր կնքեց, աշխատավարձը ամսական 5 միլիոն դրամ է։"),
    (Lang::Hy, "Պապս ծառայել է խորհրդային բանակում, հիմա թոշակառու է։"),
    (Lang::Hy, "Խանութին վաճառող է պետք, աշխատավարձը ամսական 250 հազար դրամ է, առանց փորձի։"),
    (Lang::Hy, "Ամռանը ընտանիքով արտասահման գնացինք հանգստանալու, ճամփորդությունն արժեցավ 1000 դոլար։"),
    (Lang::Ne, "खेलाडीले क्लबसँग तीन वर्षको सम्झौता गरे, तलब मासिक ५ लाख रुपैयाँ छ ।"),
    (Lang::Ne, "मेरो हजुरबुबाले भारतीय सेनामा काम गरेका थिए, अहिले उनी पेन्सन पाउँछन् ।"),
    (Lang::Ne, "पसलमा सहयोगी चाहिएको छ, तलब मासिक २५ हजार रुपैयाँ हुन्छ, अनुभव नचाहिने ।"),
    (Lang::Ne, "गर्मीमा हामी परिवारसहित विदेश घुम्न गयौं, यात्रामा २ लाख रुपैयाँ खर्च भयो ।"),
    (Lang::Hi, "खिलाड़ी ने क्लब के साथ तीन साल का अनुबंध किया, वेतन 2 करोड़ रुपये सालाना है।"),
    (Lang::Hi, "मेरे दादा ने 1970 के दशक में सेना में सेवा की और बाद में शिक्षक बने।"),
    (Lang::Hi, "दुकान के लिए सेल्समैन चाहिए, वेतन 15 हजार रुपये प्रति माह, बिना अनुभव।"),
    (Lang::Hi, "गर्मियों में हम परिवार के साथ विदेश घूमने गए, यात्रा में 1 लाख रुपये खर्च हुए।"),
];

#[test]
fn everyday_sentences_that_share_words_with_recruitment_are_benign_in_every_language() {
    for (lang, text) in EVERYDAY {
        let x = extract(text);
        assert_eq!(x.language, lang, "{text}");
        assert_eq!(x.label, Label::Benign, "{text}: {:?}", signals(text));
    }
    for lang in Lang::ALL {
        assert!(EVERYDAY.iter().filter(|(l, _)| *l == lang).count() >= 4);
    }
}

#[test]
fn one_word_of_a_family_alone_decides_nothing() {
    for text in [
        "Контракт",
        "Army",
        "الجيش",
        "Под видом",
        "Lured",
        "Вербовщик",
        "Зарплата 300 000 рублей в месяц",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn armed_service_with_an_offer_is_military_recruitment_in_every_language() {
    for text in [
        "Служба по контракту в Министерстве обороны: единовременная выплата 400 000 рублей при подписании контракта. Звоните 117.",
        "Join the Russian army: a monthly salary of $2,000 and a one-time bonus of $5,000. Call +7 999 123 45 67.",
        "Ресей армиясында келісімшарт бойынша қызмет: айына 200 мың рубль жалақы.",
        "الانضمام إلى الجيش الروسي مقابل راتب شهري 2000 دولار",
        "Rossiya armiyasida shartnoma asosida xizmat: oyiga 200 ming rubl maosh.",
    ] {
        let x = extract(text);
        assert_eq!(x.label, Label::MilitaryRecruitment, "{text}: {:?}", signals(text));
        assert!(x.risk > 30, "{text}: {}", x.risk);
    }
}

#[test]
fn a_civilian_job_with_signs_of_deceit_is_a_scam() {
    for text in [
        // A military word hiding in a guard's job, pay far above the usual and travel paid.
        "Требуются охранники на объект. Зарплата 250 тысяч рублей в месяц, бесплатный проезд. Работа в зоне СВО.",
        // A disguise next to the job it hides.
        "Под видом работы охранником на стройке мигрантов отправляют на фронт.",
        // Fees, a middleman and passports taken.
        "Agents charged each man Rs 800,000 for a job in Russia and took their passports.",
        // Abroad, travel paid and pay far above the usual.
        "Работа в Дубае для девушек: зарплата 5000 долларов в месяц, перелёт за счёт работодателя, визу оформим.",
    ] {
        let x = extract(text);
        assert_eq!(x.label, Label::ScamJob, "{text}: {:?}", signals(text));
    }
}

#[test]
fn an_open_military_ad_that_names_a_guard_s_post_and_high_pay_is_military_recruitment() {
    // The army is named, not hidden: high pay alone does not make the guard's post a lie.
    let text = "Служба по контракту в зоне СВО: нужны охранники объектов, зарплата от 210 000 рублей в месяц.";
    assert_eq!(
        label(text),
        Label::MilitaryRecruitment,
        "{:?}",
        signals(text)
    );
}

#[test]
fn a_disguise_counts_only_near_a_job_or_a_military_word() {
    assert!(
        signals("Под видом работы охранником мигрантов отправляют на фронт.").contains(&"disguise")
    );
    let far = format!(
        "Под видом старика. {} Требуются охранники.",
        "Ля-ля. ".repeat(40)
    );
    assert!(!signals(&far).contains(&"disguise"));
}

#[test]
fn every_label_keeps_its_signals_explained_in_every_language() {
    let x = extract("Служба по контракту: выплата 400 000 рублей при подписании контракта.");
    assert_eq!(x.label, Label::MilitaryRecruitment);
    assert!(!x.signals.is_empty());
    assert!(x.signals.iter().all(|s| !s.explain.is_empty()));
    let lex = lexicon().expect("the data files parse");
    let families = [
        "military", "offer", "job", "lure", "deceit", "news", "history", "context",
    ];
    for s in &lex.signals {
        assert!(
            families.contains(&s.family.as_str()),
            "{}: {}",
            s.id,
            s.family
        );
        for near in &s.near {
            assert!(families.contains(&near.as_str()), "{}: near {near}", s.id);
        }
        for lang in Lang::ALL {
            assert!(
                explain_signal(&s.id, lang).is_some(),
                "{} in {lang:?}",
                s.id
            );
            assert!(s.explain.contains_key(lang.code()), "{} in {lang:?}", s.id);
        }
    }
}

#[test]
fn armed_service_with_an_offer_is_military_recruitment_in_the_five_new_languages() {
    for text in [
        "Орусиянын армиясында келишим боюнча кызмат: айына 200 миң рубль айлык.",
        "Хизмати ҳарбӣ дар артиши Русия тибқи шартнома: маоши моҳона 200 ҳазор рубл.",
        "Պայմանագրային ծառայություն ռուսական բանակում՝ ամսական 200 հազար ռուբլի աշխատավարձ։",
        "रुसी सेनामा सम्झौतामा सेवा: मासिक २ लाख रुबल तलब पाइन्छ ।",
        "रूसी सेना में अनुबंध पर सेवा: हर महीने 2 लाख रूबल वेतन मिलेगा।",
    ] {
        assert_eq!(
            label(text),
            Label::MilitaryRecruitment,
            "{text}: {:?}",
            signals(text)
        );
    }
}

#[test]
fn a_job_abroad_with_an_agent_a_fee_or_passports_taken_is_a_scam_in_the_five_new_languages() {
    for text in [
        "Ортомчу чет өлкөдө жакшы айлыктуу жумуш убада кылып, алардан акча талап кылган.",
        "Миёнарав бо ваъдаи кори хуб дар хориҷа аз ҳар кас пул талаб кард.",
        "Գործակալը խոստացել էր բարձր աշխատավարձով աշխատանք արտերկրում, սակայն անձնագրերը վերցրել է։",
        "म्यानपावर एजेन्टले मलेसियामा राम्रो तलबको जागिर दिने भन्दै पाँच लाख रुपैयाँ लिए र राहदानी खोसे ।",
        "एजेंट ने विदेश में अच्छी सैलरी वाली नौकरी का झांसा देकर पैसे वसूले।",
    ] {
        assert_eq!(label(text), Label::ScamJob, "{text}: {:?}", signals(text));
    }
}

#[test]
fn everyday_work_pay_and_veterans_in_the_five_new_languages_stay_benign() {
    for text in [
        "Мен күн сайын жумушка барам, айлыгым айына 40 миң сом.",
        "Апам мени алдап койду деп күлдү.",
        "Ардагерлерге 10 миң сом сыйлык берилди.",
        "Падарам дар сохтмон коргар аст, маоши моҳонааш 4 ҳазор сомонӣ.",
        "Ба собиқадорони ҷанги бузурги ватанӣ 5 ҳазор сомонӣ мукофот дода шуд.",
        "Նա աշխատում է շինարարությունում, աշխատավարձը ամսական 300 հազար դրամ է։",
        "उनी कतारमा कामदार हुन् र मासिक ६० हजार रुपैयाँ कमाउँछन् ।",
        "वह दुबई में ड्राइवर की नौकरी करता है और हर महीने 60 हजार रुपये कमाता है।",
        "पूर्व सैनिकों को हर महीने 20 हजार रुपये पेंशन मिलती है।",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn a_deceivers_act_around_going_abroad_with_a_second_act_or_a_warning_is_a_scam() {
    for text in [
        // A lie and a fee, no job word: "claiming to send them abroad, took money and cheated".
        "उनीहरूले विदेश पठाउने भन्दै तीन जनासँग रकम लिएर ठगी गरे ।",
        // Trafficking and a false promise.
        "Занонро бо ваъдаи дурӯғ ба хориҷа бурда, ба қочоқчиён супурдаанд.",
        // A warning about contracts pressed on migrants with lies.
        "Посольство предупреждает: мигрантов, приехавших в Россию, обманом заставляют подписать контракт.",
    ] {
        assert_eq!(label(text), Label::ScamJob, "{text}: {:?}", signals(text));
    }
    // Fraud with no going abroad, or a tour operator's fraud that offers nothing, is no job scam.
    for text in [
        "Мошенница обманула пенсионерку, пообещав ей компенсацию от государства в 3 миллиона рублей.",
        "Турагентство обмануло туристов: путёвки за границу оказались фальшивыми, полиция предупреждает о мошенничестве.",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn a_deceivers_act_that_brings_people_to_armed_service_without_pay_is_a_scam() {
    for text in [
        "एजेंटों ने युवाओं को झांसा देकर रूस भेजा और वहां सेना में भर्ती करा दिया।",
        "Police arrested traffickers who sent Nepali men to fight in the Russian army.",
    ] {
        assert_eq!(label(text), Label::ScamJob, "{text}: {:?}", signals(text));
    }
    // With pay offered, "lured by the salary" describes recruitment.
    let text = "Foreign fighters are lured to the Russian army by a salary of $2,500 a month.";
    assert_eq!(
        label(text),
        Label::MilitaryRecruitment,
        "{:?}",
        signals(text)
    );
}

#[test]
fn guard_or_construction_work_with_a_military_word_and_no_pay_is_a_scam() {
    for text in [
        "Мигрантов нанимают строителями на военные объекты в зоне боевых действий.",
        "Компаниялар мигранттарды аскердик курулуштарга жалдап жатышат.",
    ] {
        assert_eq!(label(text), Label::ScamJob, "{text}: {:?}", signals(text));
    }
    // An open army ad that pays is recruitment.
    let text = "Служба по контракту: охрана объектов в зоне СВО, выплата 400 000 рублей.";
    assert_eq!(
        label(text),
        Label::MilitaryRecruitment,
        "{:?}",
        signals(text)
    );
}

#[test]
fn trafficking_and_withheld_wages_are_signs_of_deceit_that_count_apart() {
    // Trafficking, a lie and a job: two acts of a deceiver.
    let text = "Fake job offers lured workers to Cambodia, where they were held captive.";
    assert_eq!(label(text), Label::ScamJob, "{:?}", signals(text));
    assert!(signals(text).contains(&"trafficking"));
    // Wages withheld in a warning about a job.
    let text = "МВД предупреждает: по таким вакансиям зарплату часто не платят.";
    assert_eq!(label(text), Label::ScamJob, "{:?}", signals(text));
    assert!(signals(text).contains(&"wages_withheld"));
    // Alone, neither decides.
    for text in [
        "Фильм о рабстве вышел в прокат.",
        "Зарплату за март задержали на два дня.",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn everyday_words_that_only_look_military_or_like_pay_stay_benign() {
    for text in [
        // "фронт работ" is the scope of work; "передовые" are leading technologies.
        "Нужны монтажники и строители, фронт работ большой, зарплата 90 000 рублей в месяц.",
        "Завод внедряет передовые технологии и заключил контракт на 20 миллионов рублей.",
        // "recruits" as a verb.
        "Our company recruits drivers and loaders: $900 a month.",
        // A settlement («населённый пункт») and bullets («пули») are no Uzbek offer words.
        "Солдаты вернулись в населённый пункт.",
        "Армия закупила пули на 5 миллионов рублей.",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn a_contract_with_a_one_time_payment_in_roubles_and_no_job_is_a_signing_bonus() {
    for text in [
        "Заключившим контракт выплатят единовременно 500 000 рублей.",
        "He got a signing-on bonus of 250,000 roubles when he signed the contract.",
    ] {
        assert_eq!(
            label(text),
            Label::MilitaryRecruitment,
            "{text}: {:?}",
            signals(text)
        );
    }
    for text in [
        // A club's signing bonus in dollars, a yearly salary, a job's one-time bonus.
        "The club paid a one-time signing bonus of $50,000 when the striker signed the contract.",
        "Футболист подписал контракт на три года, зарплата 2 миллиона рублей в год.",
        "По вакансии инженера контракт на год, единовременная премия 150 000 рублей.",
    ] {
        assert_eq!(label(text), Label::Benign, "{text}: {:?}", signals(text));
    }
}

#[test]
fn soldiers_pay_next_to_a_military_word_describes_paid_service() {
    for text in [
        "Soldiers' salaries will rise by 10% next year.",
        "Офицерлердің жалақысы 10%-ға көтеріледі, деп хабарлады Қорғаныс министрлігі.",
        "Զինծառայողների աշխատավարձը կբարձրանա 10 տոկոսով։",
    ] {
        assert_eq!(
            label(text),
            Label::MilitaryRecruitment,
            "{text}: {:?}",
            signals(text)
        );
        assert!(signals(text).contains(&"service_pay"), "{text}");
    }
    // Far from any military word a salary offers no service; veterans' pay is past service.
    let far = format!(
        "Солдаты вернулись домой. {} Зарплата продавцов растёт.",
        "Ля-ля. ".repeat(40)
    );
    assert_eq!(label(&far), Label::Benign, "{:?}", signals(&far));
    assert!(!signals(&far).contains(&"service_pay"));
    let text = "Ветеранам армии выплатят ежемесячную надбавку к пенсии и зарплату за прошлые годы.";
    assert_eq!(label(text), Label::Benign, "{:?}", signals(text));
}
