//! Delimited text files (CSV, TSV, TXT) → a grid: decoding with
//! `encoding_rs` (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252
//! otherwise), delimiter sniffing among `,` `;` tab `|`, records split by the
//! `csv` crate (quoted fields, doubled quotes, newlines inside quotes), and
//! the decimal-comma guess.
//!
//! A big export is mostly numbers and dates, so a plain decimal such as
//! `1234.56` becomes a number cell as it is read (in a file whose numbers use
//! a decimal point; see `plain_decimal`) and an ISO date `2024-01-31` a date
//! cell, rather than a `String` per cell parsed again later.

use std::borrow::Cow;

use chrono::NaiveDate;
use encoding_rs::{Encoding, WINDOWS_1252};

use crate::error::{Error, Result};
use crate::ingest::grid::{Cell, Grid};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at when sniffing the delimiter.
const SNIFF_LINES: usize = 50;
/// Text cells whose decimal mark votes on the decimal-comma guess.
const DECIMAL_VOTES: usize = 20_000;
/// The longest field read as a plain decimal (longer ones stay text, and
/// the value reader decides).
const MAX_PLAIN_DECIMAL: usize = 32;
/// The years an ISO date cell may have: those the period reader accepts
/// (`period::FIRST_YEAR..=LAST_YEAR`); other dates stay text for it to judge.
const ISO_FIRST_YEAR: i32 = 1900;
const ISO_LAST_YEAR: i32 = 2200;

/// Whether these bytes look like text rather than a binary file.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if has_utf16_bom(bytes) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.is_empty() {
        return false;
    }
    let suspicious = sample
        .iter()
        .filter(|&&byte| {
            byte == 0 || (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0c))
        })
        .count();
    // A NUL never appears in 8-bit text; a few stray control bytes may.
    !sample.contains(&0) && suspicious * 100 < sample.len()
}

fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// Decodes the file's bytes: by its byte-order mark (UTF-8, UTF-16 LE or
/// BE), else as UTF-8 when the bytes are valid UTF-8, else as Windows-1252,
/// what spreadsheet exports on Windows write (`€`, `“ ”`, `–` included).
/// Valid UTF-8 without a BOM is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_length..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// Reads delimited text into a grid.
pub fn read_delimited(bytes: &[u8], file: &str) -> Result<Grid> {
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let (rows, decimal_comma) = read_records(text.as_bytes(), delimiter, file)?;
    let mut grid = Grid {
        sheet: None,
        rows,
        decimal_comma,
    };
    grid.trim();
    Ok(grid)
}

/// Splits the text into rows of cells with the `csv` crate, one row per
/// record and one empty row per blank line (the layout reads blank rows as
/// the edges of tables, and messages count lines), deciding the decimal
/// comma on the way.
fn read_records(text: &[u8], delimiter: u8, file: &str) -> Result<(Vec<Vec<Cell>>, bool)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text);
    let mut votes = DecimalVotes::default();
    let mut decided: Option<bool> = None;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    // Rows read before the decimal mark was decided keep their decimals as
    // text; they are looked at again once it is.
    let mut undecided_rows = 0usize;
    let mut next_line = 1u64;
    // Where the last record starts: (byte, line).
    let mut last_record = (0u64, 1u64);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                return Err(Error::Text {
                    file: file.to_string(),
                    line: error
                        .position()
                        .map_or(next_line, csv::Position::line)
                        .try_into()
                        .unwrap_or(usize::MAX),
                    detail: error.to_string(),
                })
            }
        }
        if let Some(position) = record.position() {
            // The csv reader skips blank lines (a record's position is where
            // the skipping started); the grid keeps them.
            for _ in 0..blank_lines_at(text, position.byte()) {
                rows.push(Vec::new());
            }
            last_record = (position.byte(), position.line());
        }
        next_line = reader.position().line();
        let numbers_allowed = decided == Some(false);
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            let field = field_text(field);
            if field.trim().is_empty() {
                cells.push(Cell::Empty);
                continue;
            }
            if decided.is_none() {
                votes.add(&field);
                if votes.seen == DECIMAL_VOTES {
                    decided = Some(votes.decimal_comma(delimiter));
                }
            }
            if let Some(date) = iso_date(&field) {
                cells.push(Cell::Date(date));
            } else if let Some(number) = plain_decimal(&field).filter(|_| numbers_allowed) {
                cells.push(Cell::Number(number));
            } else {
                cells.push(Cell::Text(field.into_owned()));
            }
        }
        rows.push(cells);
        if !numbers_allowed {
            undecided_rows = rows.len();
        }
    }
    if let Some(line) = unclosed_quote_line(text, last_record, delimiter) {
        return Err(Error::Text {
            file: file.to_string(),
            line,
            detail: "a quoted field is never closed (a '\"' is missing)".to_string(),
        });
    }
    let decimal_comma = decided.unwrap_or_else(|| votes.decimal_comma(delimiter));
    if !decimal_comma {
        for cell in rows.iter_mut().take(undecided_rows).flatten() {
            if let Some(number) = match cell {
                Cell::Text(text) => plain_decimal(text),
                _ => None,
            } {
                *cell = Cell::Number(number);
            }
        }
    }
    Ok((rows, decimal_comma))
}

/// The blank lines at byte `start` of the text (the line ends before the
/// next record), not counting the second half of a CRLF that ended the
/// record before.
fn blank_lines_at(text: &[u8], start: u64) -> usize {
    let Ok(start) = usize::try_from(start) else {
        return 0;
    };
    let Some(rest) = text.get(start..) else {
        return 0;
    };
    let after_cr = start > 0 && text.get(start - 1) == Some(&b'\r');
    let ends = rest
        .iter()
        .take_while(|&&byte| matches!(byte, b'\r' | b'\n'))
        .filter(|&&byte| byte == b'\n')
        .count();
    if after_cr && rest.first() == Some(&b'\n') {
        ends.saturating_sub(1)
    } else {
        ends
    }
}

/// A field's bytes as text. The text was decoded, and the csv reader splits
/// only at ASCII bytes, so a field is valid UTF-8; lossy all the same.
fn field_text(field: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(field)
}

/// The number in a field that is a plain decimal — an optional minus,
/// digits, a point, digits, nothing else (`1234.56`, `-0.045`) — which the
/// value reader would read as the same number in a file with a decimal
/// point, and which no period, code or year is written as. Whole numbers
/// stay text: they may be years, `YYYYMM` months or codes.
fn plain_decimal(field: &str) -> Option<f64> {
    let digits = field.strip_prefix('-').unwrap_or(field);
    let (whole, fraction) = digits.split_once('.')?;
    let plain = field.len() <= MAX_PLAIN_DECIMAL
        && !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit());
    if !plain {
        return None;
    }
    // Adding zero turns -0.0 into 0.0, as the value reader does.
    let number: f64 = field.parse().ok()?;
    number.is_finite().then_some(number + 0.0)
}

/// The date in a field that is an ISO date, `2024-01-31` and nothing else,
/// in the years the period reader accepts: read once here as a date cell
/// (as a workbook's date cell is), not once per axis it is tried on.
fn iso_date(field: &str) -> Option<NaiveDate> {
    let bytes = field.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| matches!(index, 4 | 7) || byte.is_ascii_digit());
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| field.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(number(0..4)?).ok()?;
    if !(ISO_FIRST_YEAR..=ISO_LAST_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// The line on which a quoted field opens and is never closed, if the last
/// record (starting at `(byte, line)`) has one: the csv reader then reads to
/// the end of the file without complaint.
fn unclosed_quote_line(
    text: &[u8],
    (start, start_line): (u64, u64),
    delimiter: u8,
) -> Option<usize> {
    let tail = text.get(usize::try_from(start).ok()?..)?;
    let mut line = 0usize;
    let mut field_start = true;
    let mut open_at: Option<usize> = None;
    let mut bytes = tail.iter().peekable();
    while let Some(&byte) = bytes.next() {
        if open_at.is_some() {
            if byte == b'"' {
                if bytes.peek() == Some(&&b'"') {
                    bytes.next();
                } else {
                    open_at = None;
                }
            } else if byte == b'\n' {
                line += 1;
            }
            continue;
        }
        match byte {
            b'"' if field_start => open_at = Some(line),
            b'\n' => {
                line += 1;
                field_start = true;
            }
            b'\r' => field_start = true,
            byte if byte == delimiter => field_start = true,
            _ => field_start = false,
        }
    }
    let first_line = usize::try_from(start_line).ok()?;
    open_at.map(|offset| first_line + offset)
}

/// Picks the delimiter whose per-line count is most consistent and largest
/// over the first lines, counting only outside quotes.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(SNIFF_LINES)
        .collect();
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| count_outside_quotes(line, delimiter))
            .collect();
        let Some(&typical) = mode(&counts) else {
            continue;
        };
        if typical == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&count| count == typical).count();
        // Agreement matters most (a decimal comma adds commas unevenly),
        // then how many fields the lines split into.
        let score = agreeing * agreeing * (typical + 1);
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

fn mode(counts: &[usize]) -> Option<&usize> {
    let mut best: Option<(&usize, usize)> = None;
    for count in counts.iter().filter(|&&count| count > 0) {
        let frequency = counts.iter().filter(|&other| other == count).count();
        if best.is_none_or(|(_, seen)| frequency > seen) {
            best = Some((count, frequency));
        }
    }
    best.map(|(count, _)| count).or(counts.first())
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for byte in line.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if byte == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// What the first text cells say about the decimal mark (`5,1` vs `5.1`).
#[derive(Default)]
struct DecimalVotes {
    comma: usize,
    point: usize,
    /// Text cells looked at.
    seen: usize,
}

impl DecimalVotes {
    fn add(&mut self, text: &str) {
        self.seen += 1;
        match decimal_mark(text.trim()) {
            Some(',') => self.comma += 1,
            Some('.') => self.point += 1,
            _ => {}
        }
    }

    /// Whether numbers use a decimal comma: by the votes, falling back to
    /// "yes for `;` files", the usual pairing in European exports.
    fn decimal_comma(&self, delimiter: u8) -> bool {
        if self.comma == self.point {
            delimiter == b';'
        } else {
            self.comma > self.point
        }
    }
}

/// The decimal mark a number's text shows, when it shows one unambiguously:
/// one separator followed by 1, 2 or 4+ digits (3 digits could be thousands).
fn decimal_mark(text: &str) -> Option<char> {
    let digits_and_marks: String = text
        .chars()
        .filter(|character| character.is_ascii_digit() || matches!(character, ',' | '.'))
        .collect();
    if digits_and_marks.len()
        < text
            .trim()
            .trim_end_matches('%')
            .trim()
            .len()
            .saturating_sub(4)
    {
        return None;
    }
    let separators: Vec<(usize, char)> = digits_and_marks
        .char_indices()
        .filter(|(_, character)| matches!(character, ',' | '.'))
        .collect();
    match separators.as_slice() {
        [(position, mark)] => {
            let decimals = digits_and_marks.len() - position - 1;
            (*position > 0 && decimals > 0 && decimals != 3).then_some(*mark)
        }
        [.., (_, first), (_, last)] if first != last => Some(*last),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text as a Windows spreadsheet exports it.
    fn windows_1252(text: &str) -> Vec<u8> {
        WINDOWS_1252.encode(text).0.into_owned()
    }

    /// Whether the borrowed path and encoding_rs's UTF-8 decoder agree.
    fn utf8_agrees(bytes: &[u8]) -> bool {
        encoding_rs::UTF_8.decode_without_bom_handling(bytes).0 == decode(bytes)
    }

    fn texts(grid: &Grid) -> Vec<Vec<String>> {
        grid.rows
            .iter()
            .map(|row| row.iter().map(Cell::display).collect())
            .collect()
    }

    #[test]
    fn sniffs_each_delimiter() {
        for (text, expected) in [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\n1;2;3\n", b';'),
            ("a\tb\tc\n1\t2\t3\n", b'\t'),
            ("a|b|c\n1|2|3\n", b'|'),
            ("title only\na;b\n1,5;2,5\n3,5;4,5\n", b';'),
        ] {
            assert_eq!(sniff_delimiter(text), expected, "{text:?}");
        }
    }

    #[test]
    fn quoted_fields_keep_delimiters_quotes_and_newlines() {
        let grid = read_delimited(
            b"name,note\n\"a,b\",\"say \"\"hi\"\"\"\n\"multi\nline\",x\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(
            texts(&grid),
            vec![
                vec!["name", "note"],
                vec!["a,b", "say \"hi\""],
                vec!["multi\nline", "x"]
            ]
        );
    }

    #[test]
    fn blank_lines_stay_rows_even_after_a_record_over_two_lines() {
        let grid = read_delimited(b"a,b\n\n\"x\ny\",1\n\n\nc,2\n", "t.csv").unwrap();
        let shape: Vec<usize> = grid.rows.iter().map(Vec::len).collect();
        assert_eq!(shape, vec![2, 0, 2, 0, 0, 2]);
        assert_eq!(grid.cell(5, 0), &Cell::Text("c".to_string()));
    }

    #[test]
    fn blank_lines_between_crlf_records_stay_rows() {
        let grid = read_delimited(b"a,b\r\n\r\nc,d\r\n\r\n\r\ne,f\r\n", "t.csv").unwrap();
        let shape: Vec<usize> = grid.rows.iter().map(Vec::len).collect();
        assert_eq!(shape, vec![2, 0, 2, 0, 0, 2]);
    }

    #[test]
    fn utf8_bom_and_crlf_are_removed() {
        let grid = read_delimited(b"\xEF\xBB\xBFMonth;NPS\r\n2024-01;72\r\n", "t.csv").unwrap();
        assert_eq!(
            texts(&grid),
            vec![vec!["Month", "NPS"], vec!["2024-01", "72"]]
        );
        assert!(grid.decimal_comma, "a ; file defaults to decimal comma");
    }

    #[test]
    fn utf16_little_and_big_endian_are_decoded() {
        for big_endian in [false, true] {
            let mut bytes = if big_endian {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for unit in "Month\tNPS €\n2024-01\t72\n".encode_utf16() {
                let pair = if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                bytes.extend_from_slice(&pair);
            }
            let grid = read_delimited(&bytes, "t.txt").unwrap();
            assert_eq!(
                texts(&grid),
                vec![vec!["Month", "NPS €"], vec!["2024-01", "72"]]
            );
        }
    }

    #[test]
    fn latin1_letters_do_not_fail() {
        let grid = read_delimited(b"KPI,Caf\xE9\n1,2\n", "t.csv").unwrap();
        assert_eq!(texts(&grid)[0][1], "Café");
    }

    /// Regression: non-UTF-8 text was decoded as Latin-1, which reads
    /// Windows-1252's punctuation (0x80–0x9F) as control characters.
    #[test]
    fn regression_windows_1252_punctuation_is_decoded() {
        let bytes = windows_1252("KPI;Revenue (€);Note\nNPS;1,5;“good” – ok\n");
        assert_eq!(bytes.get(13), Some(&0x80), "the euro sign is one byte");
        let grid = read_delimited(&bytes, "export.csv").unwrap();
        assert_eq!(
            texts(&grid),
            vec![
                vec!["KPI", "Revenue (€)", "Note"],
                vec!["NPS", "1,5", "“good” – ok"]
            ]
        );
    }

    #[test]
    fn valid_utf8_is_borrowed_and_agrees_with_encoding_rs() {
        let text = "Churn € – “x”\n".as_bytes();
        assert!(matches!(decode(text), Cow::Borrowed(_)));
        assert!(utf8_agrees(text));
    }

    #[test]
    fn decimal_comma_is_guessed_from_the_numbers() {
        let comma = read_delimited(b"a\tb\n5,1\t6,25\n", "t.tsv").unwrap();
        assert!(comma.decimal_comma);
        let point = read_delimited(b"a;b\n5.1;6.25\n", "t.csv").unwrap();
        assert!(!point.decimal_comma);
        let thousands = read_delimited(b"a,b\n\"1,200\",\"3,400\"\n", "t.csv").unwrap();
        assert!(!thousands.decimal_comma);
    }

    #[test]
    fn plain_decimals_become_numbers_only_with_a_decimal_point() {
        let point = read_delimited(
            b"Month,NPS,Count\n2024-01,72.5,12\n2024-02,-0.0,7\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(point.cell(1, 1), &Cell::Number(72.5));
        assert_eq!(point.cell(2, 1), &Cell::Number(0.0));
        // Whole numbers and months stay text: they may be years or codes.
        assert_eq!(point.cell(1, 2), &Cell::Text("12".to_string()));
        assert_eq!(point.cell(1, 0), &Cell::Text("2024-01".to_string()));
        // With a decimal comma, `1.200` is twelve hundred: the value reader decides.
        let comma = read_delimited(b"Month;NPS\n2024-01;1.200\n2024-02;5,5\n", "t.csv").unwrap();
        assert!(comma.decimal_comma);
        assert_eq!(comma.cell(1, 1), &Cell::Text("1.200".to_string()));
        for text in ["1e3", "+1.5", " 1.5", "1.", ".5", "1.2.3", "1,5"] {
            assert_eq!(plain_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn iso_dates_become_date_cells_and_other_dates_stay_text() {
        let grid = read_delimited(
            b"Day,NPS
2024-02-29,1
2023-02-29,2
1850-01-01,3
31/01/2024,4
2024-01-31 10:00,5
",
            "t.csv",
        )
        .unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(grid.cell(1, 0), &Cell::Date(date));
        for row in 2..=5 {
            assert!(matches!(grid.cell(row, 0), Cell::Text(_)), "row {row}");
        }
    }

    #[test]
    fn decimals_after_the_vote_are_numbers_too() {
        let mut text = String::from("Day,Value\n");
        for day in 0..(DECIMAL_VOTES / 2 + 10) {
            text.push_str(&format!("d{day},{day}.25\n"));
        }
        let grid = read_delimited(text.as_bytes(), "big.csv").unwrap();
        assert!(!grid.decimal_comma);
        assert_eq!(grid.cell(1, 1), &Cell::Number(0.25));
        let last = grid.height() - 1;
        assert!(matches!(grid.cell(last, 1), Cell::Number(_)));
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let error = read_delimited(b"a,b\n1,2\n\"open,3\n", "bad.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'bad.csv', line 3: a quoted field is never closed (a '\"' is missing)"
        );
        let later = read_delimited(b"a,b\n1,\"x\ny\"\n2,\"open\n\nmore\n", "bad.csv").unwrap_err();
        assert_eq!(
            later.to_string(),
            "'bad.csv', line 4: a quoted field is never closed (a '\"' is missing)"
        );
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text(&[0u8, 1, 2, 3, 255, 0, 17]));
        assert!(looks_like_text(b"a,b\n1,2\n"));
        assert!(!looks_like_text(b""));
    }
}
