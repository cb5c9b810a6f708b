//! `extract` alone, single thread, over the annotated fixtures (real ads and number forms), and
//! over hostile texts a recruiter could paste or put on a page to make it slow.
//! Run: `cargo bench --bench extract`. Throughput is in bytes of ad text.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use adwatch::extract::MAX_TEXT_BYTES;

fn fixtures() -> Vec<String> {
    ["dev.jsonl", "forms.jsonl", "real.jsonl"]
        .iter()
        .flat_map(|f| {
            let path = format!("{}/tests/fixtures/{f}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{path}: {e}"))
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(&l)
                .ok()?
                .get("text")?
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = fixtures();
    let bytes: usize = texts.iter().map(String::len).sum();
    // Build the lexicon outside the measurement.
    adwatch::extract::extract("warm up");
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("fixtures", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(adwatch::extract::extract(t));
            }
        })
    });
    let json_lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": i, "text": t}).to_string())
        .collect();
    let line_bytes: usize = json_lines.iter().map(|l| l.len() + 1).sum();
    g.throughput(Throughput::Bytes(line_bytes as u64));
    g.bench_function("jsonl_line", |b| {
        b.iter(|| {
            for (i, l) in json_lines.iter().enumerate() {
                let v = adwatch::analyze::analyze_line(l.as_bytes(), i as u64);
                std::hint::black_box(serde_json::to_string(&v).ok());
            }
        })
    });
    g.finish();
}

/// Reading a page at the size limit: decoding and parsing 2 MB of HTML into what a visitor sees,
/// then analysing that text (what the bot does with each page it fetches).
fn page(c: &mut Criterion) {
    let texts = fixtures();
    let mut html =
        String::from("<html><head><title>Вакансии</title><script>var a = 1;</script></head><body>");
    let mut i = 0;
    while html.len() < 2_000_000 {
        html.push_str("<div class=\"card\"><h2>Предложение</h2><p>");
        html.push_str(&texts[i % texts.len()].replace('<', " "));
        html.push_str("</p><script>track()</script></div>\n");
        i += 1;
    }
    html.push_str("</body></html>");
    let bytes = html.into_bytes();
    let mut g = c.benchmark_group("page");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("read_2mb_html", |b| {
        b.iter(|| {
            let decoded = adwatch::fetch::page::decode(&bytes, Some("text/html; charset=utf-8"));
            std::hint::black_box(adwatch::fetch::page::read_html(&decoded))
        })
    });
    g.bench_function("read_and_extract_2mb_html", |b| {
        b.iter(|| {
            let decoded = adwatch::fetch::page::decode(&bytes, Some("text/html; charset=utf-8"));
            let text = adwatch::fetch::page::read_html(&decoded).joined();
            std::hint::black_box(adwatch::extract::extract(&text))
        })
    });
    g.finish();
}

/// Texts built to make a careless engine slow, by the piece each repeats: what each piece
/// aims at is in its name.
const HOSTILE: &[(&str, &str)] = &[
    // `@name` next to a platform word, thousands on one line.
    ("handles", "@abcd instagram "),
    // Dots before Cyrillic letters (internationalised names without a known top-level domain).
    ("idn_labels", "ьь."),
    // Dots that each start a Cyrillic top-level domain.
    ("idn_domains", "ьь.рф."),
    ("ascii_dots", "a.b.c."),
    ("digits_spaced", "1 "),
    ("digits_run", "1234567890"),
    // What may start a phone number, never followed by a digit.
    ("parentheses", "( "),
    ("amounts", "1 млн 2 тыс. руб "),
    ("bodies", "военкомат Москвы "),
];

/// `piece` repeated to `bytes` (cut at a char boundary).
fn repeated(piece: &str, bytes: usize) -> String {
    let mut text = piece.repeat(bytes / piece.len() + 1);
    let mut cut = bytes;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text
}

/// The engine's cost per byte on ordinary ads and on hostile texts, at sizes up to the most it
/// reads ([`MAX_TEXT_BYTES`]; a longer text costs what its first `MAX_TEXT_BYTES` cost). Linear
/// work shows as the same MiB/s at every size; the README compares the hostile figures with
/// the ordinary ones.
fn hostile(c: &mut Criterion) {
    adwatch::extract::extract("warm up");
    let texts = fixtures();
    let mut page = String::new();
    for t in texts.iter().cycle() {
        if page.len() + t.len() + 1 > MAX_TEXT_BYTES {
            break;
        }
        page.push_str(t);
        page.push('\n');
    }
    let mut g = c.benchmark_group("per_mb");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(page.len() as u64));
    g.bench_function("ordinary_page_256k", |b| {
        b.iter(|| std::hint::black_box(adwatch::extract::extract(&page)))
    });
    for (name, piece) in HOSTILE {
        for size in [MAX_TEXT_BYTES / 4, MAX_TEXT_BYTES] {
            let text = repeated(piece, size);
            g.throughput(Throughput::Bytes(text.len() as u64));
            let id = BenchmarkId::new(*name, format!("{}k", size / 1024));
            g.bench_with_input(id, &text, |b, text| {
                b.iter(|| std::hint::black_box(adwatch::extract::extract(text)))
            });
        }
    }
    g.finish();
}

/// Pages built against the HTML reader, each about 2 MB, read as `page/read_2mb_html` reads an
/// ordinary one: nesting past the depth limit, formatting elements the tree builder reopens,
/// one tag with 300,000 attributes.
fn hostile_pages(c: &mut Criterion) {
    let pages = [
        ("nested_divs", repeated("<div>", 2_000_000)),
        ("nested_spans", repeated("<span>", 2_000_000)),
        (
            "reopened_formatting",
            repeated("<p><b class=a><i class=b><u class=c>x</p>", 2_000_000),
        ),
        ("closed_divs_at_the_limit", {
            let mut html = "<div>".repeat(300);
            html.push_str(&repeated("<div></div>", 2_000_000 - html.len()));
            html
        }),
        ("one_tag_300k_attributes", {
            let mut html = String::from("<p");
            let mut i = 0;
            while html.len() < 2_000_000 {
                html.push_str(&format!(" a{i}"));
                i += 1;
            }
            html.push_str(">Выплата 495 000 рублей</p>");
            html
        }),
    ];
    let mut g = c.benchmark_group("page_hostile");
    g.sample_size(10);
    for (name, html) in &pages {
        g.throughput(Throughput::Bytes(html.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), html, |b, html| {
            b.iter(|| std::hint::black_box(adwatch::fetch::page::read_html(html)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench, page, hostile, hostile_pages);
criterion_main!(benches);
