//! `extract` alone, single thread, over the annotated fixtures (real ads and number forms).
//! Run: `cargo bench --bench extract`. Throughput is in bytes of ad text.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

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

criterion_group!(benches, bench, page);
criterion_main!(benches);
