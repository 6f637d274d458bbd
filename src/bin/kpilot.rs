//! The `kpilot` command: reads a file, hands it to the library, prints the
//! report. Exit codes: 0 ok, 1 the file could not be analysed, 2 bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kpilot::analysis::AnalysisOptions;
use kpilot::ingest::mapping::Mapping;
use kpilot::ingest::{self, ReadOptions, MAX_FILE_BYTES};
use kpilot::session::{ExportFormat, Session};
use kpilot::{Error, Result};

/// Turns a KPI spreadsheet into a health check and a shortlist of OKR key results.
#[derive(Parser)]
#[command(name = "kpilot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a KPI spreadsheet (.xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt).
    Analyze {
        /// The spreadsheet to analyse.
        file: PathBuf,
        /// Read this sheet instead of the detected data sheet.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// A metadata file (KPI, Target, Direction, Unit, Owner, Department, Focus columns).
        #[arg(long)]
        targets: Option<PathBuf>,
        /// A mapping file (JSON) saying where the table's parts are: sheet,
        /// header_row, period_row or period_column, name_column,
        /// entity_column, role_column, value_column, first_row, last_row,
        /// exclude. What it leaves out is detected; the JSON report's
        /// `source.mapping` shows the mapping used.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// The largest lead/lag to test, in periods (default: 3 for monthly,
        /// quarterly and yearly sheets, 4 for weekly, 7 for daily).
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
        max_lag: Option<u32>,
        /// Forecast horizon in periods (default: one quarter).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        horizon: Option<u32>,
    },
    /// Write the bundled example workbook to FILE.
    Sample {
        /// Where to write the .xlsx file.
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Md,
    Csv,
    /// A self-contained HTML report (one file, no script, works offline).
    Html,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli.command) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kpilot: {error}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> Result<String> {
    match command {
        Command::Analyze {
            file,
            sheet,
            format,
            targets,
            mapping,
            max_lag,
            horizon,
        } => {
            let targets = match targets {
                Some(path) => ingest::read_targets(&read_file(&path)?, &file_name(&path))?,
                None => Vec::new(),
            };
            let mapping = match mapping {
                Some(path) => {
                    let bytes = read_file(&path)?;
                    Mapping::from_json(&String::from_utf8_lossy(&bytes)).map_err(|error| {
                        Error::Invalid(format!("'{}': {error}", file_name(&path)))
                    })?
                }
                None => Mapping::default(),
            };
            let session = Session::open(
                &read_file(&file)?,
                &file_name(&file),
                &ReadOptions {
                    sheet,
                    targets,
                    mapping,
                    today: today(),
                },
                AnalysisOptions {
                    horizon: horizon.map(|periods| periods as usize),
                    max_lag: max_lag.map(|lag| lag as usize),
                },
            )?;
            let format = match format {
                Format::Table => ExportFormat::Table,
                Format::Json => ExportFormat::Json,
                Format::Md => ExportFormat::Markdown,
                Format::Csv => ExportFormat::Csv,
                Format::Html => ExportFormat::Html,
            };
            let mut output = session.export(format);
            if !output.ends_with('\n') {
                output.push('\n');
            }
            Ok(output)
        }
        Command::Sample { file } => {
            let bytes = kpilot::sample::sample_workbook()?;
            std::fs::write(&file, bytes).map_err(|error| {
                Error::Invalid(format!("could not write '{}': {error}", file.display()))
            })?;
            Ok(format!("Wrote the sample workbook to {}\n", file.display()))
        }
    }
}

/// Today's date (UTC) from the system clock, for months written without a year.
fn today() -> Option<chrono::NaiveDate> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    chrono::DateTime::from_timestamp(i64::try_from(seconds).ok()?, 0)
        .map(|moment| moment.date_naive())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a file, refusing one larger than the engine accepts before loading it.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    let cannot = |error: std::io::Error| {
        Error::Invalid(format!("could not read '{}': {error}", path.display()))
    };
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(Error::TooLarge {
            file: file_name(path),
            size_mb: size as f64 / ingest::BYTES_PER_MB,
            limit_mb: (MAX_FILE_BYTES as f64 / ingest::BYTES_PER_MB) as u64,
        });
    }
    std::fs::read(path).map_err(cannot)
}
