//! The one error type of kpilot. Every variant says where the problem is
//! (file, sheet, row, column) and, where it can, what to do about it.

use thiserror::Error;

/// Everything that can stop kpilot from reading or analysing a file.
#[derive(Debug, Error)]
pub enum Error {
    /// The file has no bytes at all.
    #[error("'{file}' is empty: there is nothing to read")]
    EmptyFile { file: String },

    /// The file is larger than kpilot accepts.
    #[error("'{file}' is {size_mb:.1} MB; kpilot reads files up to {limit_mb} MB")]
    TooLarge {
        file: String,
        size_mb: f64,
        limit_mb: u64,
    },

    /// The bytes are neither a workbook nor text.
    #[error("'{file}' is not a spreadsheet kpilot can read ({detail}); use .xlsx, .xlsm, .xlsb, .xls, .ods, .csv, .tsv or .txt")]
    UnknownFormat { file: String, detail: String },

    /// The file's name promises one format but its bytes are another.
    #[error("'{file}' is named like {claimed} but its content is {actual}; rename it to .{suggested_extension} and try again")]
    MisnamedFile {
        file: String,
        claimed: String,
        actual: String,
        suggested_extension: String,
    },

    /// calamine could not open or read the workbook.
    #[error("'{file}' could not be read as a workbook: {detail}")]
    Workbook { file: String, detail: String },

    /// A sheet asked for by name does not exist.
    #[error("'{file}' has no sheet named '{sheet}'; its sheets are: {available}")]
    SheetNotFound {
        file: String,
        sheet: String,
        available: String,
    },

    /// The text file could not be decoded or split into rows.
    #[error("'{file}', line {line}: {detail}")]
    Text {
        file: String,
        line: usize,
        detail: String,
    },

    /// No sheet holds a table of KPIs over periods.
    #[error("{location}: {detail}")]
    NoTable { location: String, detail: String },

    /// A cell that should be a period could not be read as one.
    #[error("{location}, row {row}, column {column}: could not read '{text}' as a period")]
    BadPeriod {
        location: String,
        row: usize,
        column: String,
        text: String,
    },

    /// A metadata or targets file could not be used.
    #[error("{location}: {detail}")]
    Metadata { location: String, detail: String },

    /// A request that makes no sense for this table (unknown KPI, bad target text).
    #[error("{0}")]
    Invalid(String),

    /// polars refused an operation; a bug in kpilot rather than in the file.
    #[error("internal table error: {0}")]
    Table(String),
}

impl From<polars::prelude::PolarsError> for Error {
    fn from(error: polars::prelude::PolarsError) -> Self {
        Error::Table(error.to_string())
    }
}

/// kpilot's result type.
pub type Result<T> = std::result::Result<T, Error>;
