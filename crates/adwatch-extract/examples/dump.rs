//! Writes everything the engine finds in every text, in full (`{:?}` of the extraction, one
//! line a text), to compare two builds byte for byte: a change that should only make the
//! engine faster must leave this output identical.
//!
//!     cargo run -p adwatch-extract --release --example dump -- tests/fixtures/*.jsonl \
//!         --generated 4000 | sha256sum
//!
//! Each argument is a JSON-lines file (its texts, field `text`, read as opaque input);
//! `--generated N` adds N texts built from pieces of the files' texts and of varied snippets
//! (numbers, currencies, phones, links, mixed scripts) in a fixed pseudo-random order.

fn main() {
    let mut texts = Vec::new();
    let mut generated = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--generated" {
            generated = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            continue;
        }
        let body = std::fs::read_to_string(&a).unwrap_or_else(|e| {
            eprintln!("{a}: {e}");
            std::process::exit(2)
        });
        for line in body.lines() {
            if let Some(t) = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
            {
                texts.push(t);
            }
        }
    }
    let mut out = String::new();
    for t in &texts {
        line(&mut out, t);
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..generated {
        let mut t = String::new();
        for _ in 0..1 + next() % 6 {
            let r = next();
            match r % 4 {
                0 if !texts.is_empty() => {
                    // A piece of a text, cut at char boundaries.
                    let s = &texts[(r >> 8) as usize % texts.len()];
                    let chars: Vec<char> = s.chars().collect();
                    let a = (next() as usize) % (chars.len() + 1);
                    let b = (a + (next() as usize) % 200).min(chars.len());
                    t.extend(&chars[a..b]);
                }
                1 => {
                    let n = next();
                    t.push_str(SNIPPETS[(n % SNIPPETS.len() as u64) as usize]);
                }
                2 => {
                    let n = next();
                    t.push_str(&format!("{}", n % 10u64.pow((n >> 60) as u32 % 9 + 1)));
                    t.push_str(SEPS[((n >> 20) % SEPS.len() as u64) as usize]);
                }
                _ => {
                    let n = next();
                    t.push_str(SEPS[(n % SEPS.len() as u64) as usize]);
                }
            }
        }
        line(&mut out, &t);
    }
    print!("{out}");
}

fn line(out: &mut String, t: &str) {
    use std::fmt::Write;
    let x = adwatch_extract::extract(t);
    let _ = writeln!(out, "{:?}\t{:?}", t, x);
}

const SEPS: &[&str] = &[
    " ",
    "  ",
    "\n",
    ", ",
    ". ",
    " - ",
    "–",
    "/",
    ":",
    " (",
    ") ",
    "$",
    "₽",
    "%",
    " k ",
    " тыс. ",
    " млн ",
    ".",
    ",",
    "'",
    "\u{a0}",
    "\u{202f}",
    "+",
    "@",
    "#",
    "«",
    "»",
    "\"",
];

const SNIPPETS: &[&str] = &[
    "от 200 000 руб. в месяц",
    "до 5 000 000 ₽",
    "единовременно 1 млн рублей",
    "$5 300",
    "3,5 тыс. долларов",
    "500$ в день",
    "зарплата 250-300 тыс.",
    "1.5k USD/week",
    "€2,000 per month",
    "100 000 тенге",
    "5000 дол.",
    "مبلغ 5000 دولار شهرياً",
    "٥٠٠٠ دولار",
    "oyiga 10 mln so'm",
    "айына 500 мың теңге",
    "ماهانه ۳۰۰ دلار",
    "मासिक ५०,००० रुपैयाँ",
    "ամսական 500 000 դրամ",
    "моҳона 10 000 сомонӣ",
    "+7 (999) 123-45-67",
    "8 800 555 35 35",
    "+998 90 123 45 67",
    "+7 701 234 5678",
    "+971 50 123 4567",
    "+1 202-555-0143",
    "тел. 89991234567",
    "https://example.com/job?id=1",
    "t.me/voenkomat_bot",
    "@recruiter_01",
    "wa.me/79991234567",
    "voenkomat-sakh.ru",
    "контракт.рф",
    "mail@example.org",
    "instagram: @job.offer",
    "Министерство обороны РФ",
    "Вагнер",
    "в Москве",
    "Казахстан",
    "Ташкент",
    "Россия",
    "контракт с Минобороны",
    "СВО, военная служба по контракту",
    "work from home, easy money, no experience",
    "лёгкий заработок на дому",
    "требуется курьер",
    "оплата каждый день",
    "join the army",
    "التجنيد في الجيش",
    "ish taklif qilinadi",
    "жумуш сунушу",
    "ҷойи корӣ",
    "աշխատանք",
    "नोकरी",
    "रोजगार",
    "12.05.2024",
    "10:30",
    "№ 12345",
    "2024 год",
    "ИНН 7701234567",
    "18-45 лет",
];
