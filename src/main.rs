use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use adwatch::analyze;

/// adwatch: reads suspicious recruitment and job ads.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse ad texts: payment offers, recruiting entities, label and risk.
    Analyze {
        /// A file, or `-` (the default) for standard input.
        #[arg(default_value = "-")]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = analyze::Format::Text)]
        format: analyze::Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Analyze { input, format }) => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
            let result = if input.as_os_str() == "-" {
                let stdin = io::stdin();
                analyze::run(
                    &mut BufReader::with_capacity(256 * 1024, stdin.lock()),
                    &mut out,
                    format,
                )
            } else {
                match std::fs::File::open(&input) {
                    Ok(f) => analyze::run(
                        &mut BufReader::with_capacity(256 * 1024, f),
                        &mut out,
                        format,
                    ),
                    Err(e) => {
                        eprintln!("adwatch: cannot read {}: {e}", input.display());
                        return ExitCode::from(2);
                    }
                }
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("adwatch: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => {
            eprintln!("adwatch: the bot comes with `adwatch run`; see `adwatch --help`");
            ExitCode::from(2)
        }
    }
}
