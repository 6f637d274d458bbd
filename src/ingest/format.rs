//! Which reader a file needs, decided from its bytes first and its name second.

use crate::error::{Error, Result};
use crate::ingest::text::looks_like_text;

/// The file formats kpilot reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn extension(file: &str) -> String {
    file.rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Decides the format. A zip is told apart by the entries it names (a zip's
/// local headers carry file names in clear text).
pub fn sniff(bytes: &[u8], file: &str) -> Result<Format> {
    let named = extension(file);
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(zip_kind(bytes, &named));
    }
    if bytes.starts_with(OLE_MAGIC) {
        // Old .xls, or an encrypted xlsx (which Office also wraps in OLE).
        return Ok(Format::Xls);
    }
    if looks_like_text(bytes) {
        if matches!(named.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") {
            return Err(Error::MisnamedFile {
                file: file.to_string(),
                claimed: format!("a .{named} workbook"),
                actual: "plain text (it looks like CSV)".to_string(),
                suggested_extension: "csv".to_string(),
            });
        }
        return Ok(Format::Text);
    }
    Err(Error::UnknownFormat {
        file: file.to_string(),
        detail: "its bytes are neither a workbook nor text".to_string(),
    })
}

fn zip_kind(bytes: &[u8], named: &str) -> Format {
    let head = &bytes[..bytes.len().min(1 << 20)];
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|window| window == needle);
    if contains(b"xl/workbook.bin") {
        Format::Xlsb
    } else if contains(b"xl/workbook.xml") || contains(b"[Content_Types].xml") && named != "ods" {
        Format::Xlsx
    } else if contains(b"mimetypeapplication/vnd.oasis") || contains(b"content.xml") {
        Format::Ods
    } else {
        match named {
            "xlsb" => Format::Xlsb,
            "ods" => Format::Ods,
            _ => Format::Xlsx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_named_as_a_workbook_is_refused_with_advice() {
        let error = sniff(b"Month,NPS\n2024-01,72\n", "kpis.xlsx").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'kpis.xlsx' is named like a .xlsx workbook but its content is plain text (it looks like CSV); rename it to .csv and try again"
        );
    }

    #[test]
    fn magic_bytes_decide_before_the_name() {
        assert_eq!(
            sniff(b"PK\x03\x04....xl/workbook.xml", "a.csv").unwrap(),
            Format::Xlsx
        );
        assert_eq!(
            sniff(b"PK\x03\x04....xl/workbook.bin", "a.xlsx").unwrap(),
            Format::Xlsb
        );
        assert_eq!(
            sniff(
                b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
                "a"
            )
            .unwrap(),
            Format::Ods
        );
        assert_eq!(sniff(OLE_MAGIC, "a.xlsx").unwrap(), Format::Xls);
        assert_eq!(sniff(b"a;b\n1;2\n", "a.txt").unwrap(), Format::Text);
    }

    #[test]
    fn random_bytes_are_unknown() {
        let bytes: Vec<u8> = (0..512u32)
            .map(|index| (index * 7919 % 251) as u8)
            .collect();
        assert!(matches!(
            sniff(&bytes, "x.csv"),
            Err(Error::UnknownFormat { .. })
        ));
    }
}
