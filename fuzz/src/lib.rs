//! What kpilot's fuzz targets share: the workbooks the structured targets
//! build around fuzzed parts, and the checks every target makes.
//!
//! A zip's entries are compressed and checksummed, so mutating an .xlsx,
//! .xlsb or .ods byte by byte mostly tests the decompressor. The structured
//! targets fuzz the parts calamine parses instead (sheet XML, shared
//! strings, styles, workbook records, ODS content) and store them in a
//! fresh zip, uncompressed, with correct checksums. An input holds its parts
//! one after the other, separated by `PART_SEPARATOR`.

use std::io::{Cursor, Write};

use kpilot::ingest::{read_table, ReadOptions};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Separates the parts of a structured target's input.
pub const PART_SEPARATOR: &[u8] = b"--kpilot-part--";

/// File extensions `read_table_bytes` names its input with; its first byte
/// picks one.
pub const EXTENSIONS: [&str; 8] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

/// The first `count` parts of an input (missing ones empty).
pub fn parts(data: &[u8], count: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(count);
    let mut rest = data;
    while parts.len() + 1 < count {
        match find(rest, PART_SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + PART_SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts.resize(count, &[]);
    parts
}

/// Parts joined into one input, as `parts` splits them.
pub fn join_parts(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(PART_SEPARATOR)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A zip of `entries`, stored uncompressed, in order.
pub fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, content) in entries {
        if writer.start_file(*name, options).is_err() || writer.write_all(content).is_err() {
            return Vec::new();
        }
    }
    writer
        .finish()
        .map(|cursor| cursor.into_inner())
        .unwrap_or_default()
}

fn or_default<'a>(part: &'a [u8], default: &'a [u8]) -> &'a [u8] {
    if part.is_empty() {
        default
    } else {
        part
    }
}

const XLSX_CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const PACKAGE_RELS_XLSX: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const XLSX_WORKBOOK_RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
const XLSX_WORKBOOK: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const XLSX_STRINGS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>"#;
const XLSX_STYLES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>"#;

/// The parts of `read_table_xlsx`'s input, in order.
pub const XLSX_PARTS: [&str; 4] = [
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
];

/// An .xlsx around a sheet, its shared strings, its styles and its
/// workbook part (an empty part gets a minimal valid one).
pub fn xlsx(data: &[u8]) -> Vec<u8> {
    let parts = parts(data, XLSX_PARTS.len());
    stored_zip(&[
        ("[Content_Types].xml", XLSX_CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS_XLSX),
        ("xl/workbook.xml", or_default(parts[3], XLSX_WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", parts[0]),
        ("xl/sharedStrings.xml", or_default(parts[1], XLSX_STRINGS)),
        ("xl/styles.xml", or_default(parts[2], XLSX_STYLES)),
    ])
}

const XLSB_CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/><Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/><Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/></Types>"#;
const PACKAGE_RELS_XLSB: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
const XLSB_WORKBOOK_RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.bin"/></Relationships>"#;

/// The parts of `read_table_xlsb`'s input, in order.
pub const XLSB_PARTS: [&str; 4] = [
    "xl/workbook.bin",
    "xl/worksheets/sheet1.bin",
    "xl/sharedStrings.bin",
    "xl/styles.bin",
];

/// An .xlsb around its workbook, sheet, shared strings and styles records
/// (an empty shared strings or styles part is left out).
pub fn xlsb(data: &[u8]) -> Vec<u8> {
    let parts = parts(data, XLSB_PARTS.len());
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", XLSB_CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS_XLSB),
        ("xl/workbook.bin", parts[0]),
        ("xl/_rels/workbook.bin.rels", XLSB_WORKBOOK_RELS),
        ("xl/worksheets/sheet1.bin", parts[1]),
    ];
    if !parts[2].is_empty() {
        entries.push(("xl/sharedStrings.bin", parts[2]));
    }
    if !parts[3].is_empty() {
        entries.push(("xl/styles.bin", parts[3]));
    }
    stored_zip(&entries)
}

const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const ODS_MANIFEST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// An .ods around its content.xml.
pub fn ods(content: &[u8]) -> Vec<u8> {
    stored_zip(&[
        ("mimetype", ODS_MIMETYPE),
        ("META-INF/manifest.xml", ODS_MANIFEST),
        ("content.xml", content),
    ])
}

/// Reads a file as kpilot does; any outcome but a panic, an abort or a hang
/// is fine. A table that reads must be consistent.
pub fn read(bytes: &[u8], file: &str) {
    if let Ok(table) = read_table(bytes, file, &ReadOptions::default()) {
        for (index, kpi) in table.kpis.iter().enumerate() {
            assert_eq!(
                table.values_of(index).len(),
                table.periods.len(),
                "{}: one value per period",
                kpi.name
            );
        }
    }
}
