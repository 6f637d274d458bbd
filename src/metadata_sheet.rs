//! The targets and directions of a table as a metadata sheet — `KPI,
//! Target, Direction, Unit, Owner, Department, Focus`, one row per KPI —
//! in CSV or XLSX, which kpilot reads back (`--targets`, or a data file's
//! metadata sheet), so edits made in the page survive as a file.
//!
//! The XLSX is written by the small writer below (one sheet of inline
//! strings in a stored zip), the same bytes natively and in the browser,
//! where `rust_xlsxwriter` is not built.

use crate::model::{Direction, DirectionSource, KpiTable, Target, TargetKind};
use crate::report::csv_cell;

/// The header row; every word is one kpilot's metadata reader knows.
pub const HEADER: [&str; 7] = [
    "KPI",
    "Target",
    "Direction",
    "Unit",
    "Owner",
    "Department",
    "Focus",
];

/// The sheet's name in the XLSX.
pub const SHEET_NAME: &str = "Targets";

/// A number as kpilot's target parser reads it back exactly.
fn plain(value: f64) -> String {
    format!("{value}")
}

/// A target as text the metadata reader parses: `<= 7.5`, `>= 70`, `between 95 and 105`.
pub fn target_text(target: &Target) -> String {
    match target.kind {
        TargetKind::AtMost => target.value.map(|value| format!("<= {}", plain(value))),
        TargetKind::AtLeast => target.value.map(|value| format!(">= {}", plain(value))),
        TargetKind::Between => match (target.low, target.high) {
            (Some(low), Some(high)) => Some(format!("between {} and {}", plain(low), plain(high))),
            _ => None,
        },
    }
    .unwrap_or_default()
}

/// The rows of the sheet, header first, as text.
pub fn rows(table: &KpiTable) -> Vec<[String; 7]> {
    let mut rows = vec![HEADER.map(str::to_string)];
    for meta in &table.kpis {
        // A plan line's per-period targets stay in the data file: a single
        // target written here would replace them when read back.
        let target = if meta.target_history.is_some() {
            String::new()
        } else {
            meta.target.as_ref().map(target_text).unwrap_or_default()
        };
        // An assumed direction is not written, so it stays assumed.
        let direction = match (meta.direction_source, meta.direction) {
            (DirectionSource::Default, _) => String::new(),
            (_, Direction::HigherIsBetter) => "higher is better".to_string(),
            (_, Direction::LowerIsBetter) => "lower is better".to_string(),
        };
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        rows.push([
            meta.name.clone(),
            target,
            direction,
            text(&meta.unit),
            text(&meta.owner),
            text(&meta.department),
            text(&meta.focus),
        ]);
    }
    rows
}

/// The sheet as CSV (formula-safe cells).
pub fn to_csv(table: &KpiTable) -> String {
    let mut out = String::new();
    for row in rows(table) {
        let cells: Vec<String> = row.iter().map(|cell| csv_cell(cell)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The sheet as an XLSX workbook's bytes.
pub fn to_xlsx(table: &KpiTable) -> Vec<u8> {
    let rows = rows(table);
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (row_index, row) in rows.iter().enumerate() {
        let number = row_index + 1;
        sheet.push_str(&format!(r#"<row r="{number}">"#));
        for (column, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let reference = format!("{}{number}", crate::ingest::grid::column_name(column));
            sheet.push_str(&format!(
                r#"<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                xml_text(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");

    let parts: [(&str, String); 5] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("xl/workbook.xml", WORKBOOK.replace("{SHEET}", SHEET_NAME)),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let files: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(name, body)| (*name, body.as_bytes()))
        .collect();
    stored_zip(&files)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// Text for XML content: without the control characters XML 1.0 forbids
/// (tab and line breaks stay), then escaped as HTML is.
fn xml_text(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|&character| {
            matches!(character, '\t' | '\n' | '\r')
                || !((character as u32) < 0x20 || matches!(character, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect();
    crate::html::escape(&allowed)
}

/// CRC-32 (IEEE, as zip uses it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive of uncompressed ("stored") entries.
fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    // 1 Jan 1980, 00:00, in MS-DOS form: a fixed date keeps the bytes the same.
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |buffer: &mut Vec<u8>, value: u16| buffer.extend_from_slice(&value.to_le_bytes());
    let le32 = |buffer: &mut Vec<u8>, value: u32| buffer.extend_from_slice(&value.to_le_bytes());
    for (name, body) in files {
        let offset = out.len() as u32;
        let crc = crc32(body);
        let size = body.len() as u32;
        let name_length = name.len() as u16;
        le32(&mut out, 0x0403_4b50);
        le16(&mut out, 20); // version needed
        le16(&mut out, 0); // flags
        le16(&mut out, 0); // stored
        le16(&mut out, DOS_TIME);
        le16(&mut out, DOS_DATE);
        le32(&mut out, crc);
        le32(&mut out, size);
        le32(&mut out, size);
        le16(&mut out, name_length);
        le16(&mut out, 0); // extra
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);

        le32(&mut central, 0x0201_4b50);
        le16(&mut central, 20); // made by
        le16(&mut central, 20); // needed
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, DOS_TIME);
        le16(&mut central, DOS_DATE);
        le32(&mut central, crc);
        le32(&mut central, size);
        le32(&mut central, size);
        le16(&mut central, name_length);
        le16(&mut central, 0); // extra
        le16(&mut central, 0); // comment
        le16(&mut central, 0); // disk
        le16(&mut central, 0); // internal attributes
        le32(&mut central, 0); // external attributes
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, files.len() as u16);
    le16(&mut out, files.len() as u16);
    le32(&mut out, central_size);
    le32(&mut out, central_offset);
    le16(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn targets_are_written_as_the_parser_reads_them() {
        let at_most = Target::threshold(TargetKind::AtMost, 7.5, "user");
        assert_eq!(target_text(&at_most), "<= 7.5");
        assert_eq!(
            target_text(&Target::band(95.0, 105.0, "user")),
            "between 95 and 105"
        );
        assert_eq!(xml_text("a<b>&\u{1}"), "a&lt;b&gt;&amp;");
    }
}
