//! Delimited text files (CSV, TSV, TXT) → a grid: decoding (UTF-8 with or
//! without BOM, UTF-16 with BOM, Latin-1 as the last resort), delimiter
//! sniffing among `,` `;` tab `|`, quoted fields, and the decimal-comma guess.

use crate::error::{Error, Result};
use crate::ingest::grid::{Cell, Grid};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at when sniffing the delimiter.
const SNIFF_LINES: usize = 50;

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

/// Decodes the file's bytes to a string.
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        // Spreadsheet exports on Windows are often Windows-1252; Latin-1 gets
        // every letter of it right except a few punctuation marks.
        Err(_) => bytes.iter().map(|&byte| char::from(byte)).collect(),
    }
}

fn decode_utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|pair| to_unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Reads delimited text into a grid.
pub fn read_delimited(bytes: &[u8], file: &str) -> Result<Grid> {
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let rows = split_records(&text, delimiter, file)?;
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|fields| {
            fields
                .into_iter()
                .map(|field| {
                    if field.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field)
                    }
                })
                .collect()
        })
        .collect();
    let decimal_comma = guess_decimal_comma(&rows, delimiter);
    let mut grid = Grid {
        sheet: None,
        rows,
        decimal_comma,
    };
    grid.trim();
    Ok(grid)
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

/// Splits text into records of fields (RFC 4180: quotes, doubled quotes,
/// newlines inside quotes).
pub fn split_records(text: &str, delimiter: u8, file: &str) -> Result<Vec<Vec<String>>> {
    let delimiter = char::from(delimiter);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut field_started_quoted = false;
    let mut line = 1usize;
    let mut quote_line = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        if quoted {
            if character == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                if character == '\n' {
                    line += 1;
                }
                field.push(character);
            }
            continue;
        }
        match character {
            '"' if field.trim().is_empty() && !field_started_quoted => {
                field.clear();
                quoted = true;
                field_started_quoted = true;
                quote_line = line;
            }
            character if character == delimiter => {
                record.push(std::mem::take(&mut field));
                field_started_quoted = false;
            }
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                field_started_quoted = false;
                line += 1;
            }
            character => field.push(character),
        }
    }
    if quoted {
        return Err(Error::Text {
            file: file.to_string(),
            line: quote_line,
            detail: "a quoted field is never closed (a '\"' is missing)".to_string(),
        });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// Decides whether numbers use a decimal comma: by what the numeric-looking
/// cells show (`5,1` vs `5.1`), falling back to "yes for `;` files", the
/// usual pairing in European exports.
fn guess_decimal_comma(rows: &[Vec<Cell>], delimiter: u8) -> bool {
    let mut comma_votes = 0usize;
    let mut point_votes = 0usize;
    for text in rows.iter().flatten().filter_map(Cell::text).take(20_000) {
        match decimal_mark(text) {
            Some(',') => comma_votes += 1,
            Some('.') => point_votes += 1,
            _ => {}
        }
    }
    if comma_votes == point_votes {
        delimiter == b';'
    } else {
        comma_votes > point_votes
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
    fn utf8_bom_and_crlf_are_removed() {
        let grid = read_delimited(b"\xEF\xBB\xBFMonth;NPS\r\n2024-01;72\r\n", "t.csv").unwrap();
        assert_eq!(
            texts(&grid),
            vec![vec!["Month", "NPS"], vec!["2024-01", "72"]]
        );
        assert!(grid.decimal_comma, "a ; file defaults to decimal comma");
    }

    #[test]
    fn utf16_little_endian_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Month\tNPS\n2024-01\t72\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let grid = read_delimited(&bytes, "t.txt").unwrap();
        assert_eq!(
            texts(&grid),
            vec![vec!["Month", "NPS"], vec!["2024-01", "72"]]
        );
    }

    #[test]
    fn latin1_bytes_do_not_fail() {
        let grid = read_delimited(b"KPI,Caf\xE9\n1,2\n", "t.csv").unwrap();
        assert_eq!(texts(&grid)[0][1], "Café");
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
    fn an_unclosed_quote_names_its_line() {
        let error = read_delimited(b"a,b\n1,2\n\"open,3\n", "bad.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'bad.csv', line 3: a quoted field is never closed (a '\"' is missing)"
        );
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text(&[0u8, 1, 2, 3, 255, 0, 17]));
        assert!(looks_like_text(b"a,b\n1,2\n"));
        assert!(!looks_like_text(b""));
    }
}
