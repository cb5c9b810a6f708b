//! Reads one ad from standard input and prints what the engine finds in it, as JSON.
//!
//!     echo 'Контракт: единовременно 495 000 рублей, от 190 000 ₽ в месяц' \
//!         | cargo run -p adwatch-extract --example read_ad

use std::io::Read;

fn main() {
    let mut text = String::new();
    if let Err(e) = std::io::stdin()
        .take(adwatch_extract::MAX_TEXT_BYTES as u64)
        .read_to_string(&mut text)
    {
        eprintln!("standard input is not UTF-8 text: {e}");
        std::process::exit(2);
    }
    let found = adwatch_extract::extract(&text);
    match serde_json::to_string_pretty(&adwatch_extract::json_view(None, &text, &found)) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
