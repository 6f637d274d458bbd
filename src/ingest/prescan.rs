//! Measures an .ods before calamine reads it, where calamine would trust
//! the file and build more than it can hold: calamine reads an .ods whole,
//! each sheet as a dense grid over its used range, so a small file that
//! repeats its way to a huge range would take the process (or the browser
//! tab) down. Such a file is refused here, with a message that says why.
//! (.xls: `prescan_xls`; .xlsb: `prescan_xlsb`.)
//!
//! The checks follow what calamine 0.38 does with the same bytes, and only
//! refuse; what they let through calamine reads as usual.

use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;

use super::prescan_ods;

/// Cells a sheet may span once calamine has expanded it (the same bound
/// as the cells kpilot reads from one sheet).
pub const MAX_SPANNED_CELLS: usize = 5_000_000;

/// calamine's caps on an .ods sheet's rows and columns (ods.rs).
const ODS_MAX_ROWS: usize = 1_048_576;
const ODS_MAX_COLUMNS: usize = 16_384;

/// Spaces a cell's text may ask for with `<text:s text:c="…"/>`: calamine
/// pushes them one by one, so a huge count is a huge string.
const ODS_MAX_SPACES: usize = 1_000_000;

/// Checks that calamine's reading of an .ods's `content.xml` comes to an
/// end (`prescan_ods`: calamine 0.38 reads on past the end of the file inside
/// a sheet or a cell's comment, forever), and that no sheet spans more than
/// `MAX_SPANNED_CELLS` once its repeated rows and columns are expanded, as
/// calamine expands them.
/// A file calamine cannot open at all passes: calamine says what is wrong.
pub fn check_ods(bytes: &[u8]) -> std::result::Result<(), String> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    if let Ok(content) = archive.by_name("content.xml") {
        prescan_ods::check_reading_ends(BufReader::new(content))?;
    }
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = XmlReader::from_reader(BufReader::new(content));
    reader.config_mut().check_end_names = false;
    reader.config_mut().expand_empty_elements = true;
    let mut buffer = Vec::new();
    let mut table: Option<OdsSpan> = None;
    let mut spaces = 0_usize;
    loop {
        let event = match reader.read_event_into(&mut buffer) {
            Ok(event) => event,
            // calamine stops on the same error.
            Err(_) => return Ok(()),
        };
        match event {
            Event::Eof => return Ok(()),
            Event::Start(element) => match element.name().as_ref() {
                "table:table" => {
                    table = attribute(&element, "table:name").map(OdsSpan::new);
                }
                "text:s" => {
                    spaces = spaces.saturating_add(repeats(&element, "text:c"));
                    if spaces > ODS_MAX_SPACES {
                        return Err(format!(
                            "the sheets' text asks for more than {ODS_MAX_SPACES} repeated spaces: the file is damaged or made to exhaust memory"
                        ));
                    }
                }
                "table:table-row" => {
                    if let Some(span) = table.as_mut() {
                        span.start_row(repeats(&element, "table:number-rows-repeated"));
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(span) = table.as_mut() {
                        span.start_cell(
                            repeats(&element, "table:number-columns-repeated"),
                            has_value(&element),
                        );
                    }
                }
                // Text in a cell makes it a value.
                "text:p" => {
                    if let Some(span) = table.as_mut() {
                        span.cell_has_text();
                    }
                }
                _ => {}
            },
            Event::End(element) => match element.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(span) = table.as_mut() {
                        span.end_cell();
                    }
                }
                "table:table-row" => {
                    if let Some(span) = table.as_mut() {
                        span.end_row();
                        span.check()?;
                    }
                }
                "table:table" => {
                    if let Some(span) = table.take() {
                        span.check()?;
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buffer.clear();
    }
}

pub(super) fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.as_ref() == name)
        .map(|attribute| attribute.value.into_owned())
}

fn repeats(element: &BytesStart, name: &str) -> usize {
    attribute(element, name)
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(1)
}

fn has_value(element: &BytesStart) -> bool {
    element.attributes().flatten().any(|attribute| {
        matches!(
            attribute.key.as_ref(),
            "office:value-type" | "calcext:value-type" | "table:formula"
        )
    })
}

/// What calamine will build for one .ods sheet, counted as it reads.
struct OdsSpan {
    name: String,
    /// Rows so far, repeats expanded (capped as calamine caps them).
    rows: usize,
    /// Cells calamine holds row by row before it builds the grid.
    row_cells: usize,
    /// First and last rows (expanded) holding a value.
    first_row: Option<usize>,
    last_row: usize,
    /// Leftmost and rightmost columns holding a value.
    first_column: usize,
    last_column: usize,
    /// The row being read: its repeats, its next column, whether it holds
    /// a value and the columns of its first and last value.
    row_repeats: usize,
    column: usize,
    row_first_value: Option<usize>,
    row_last_value: usize,
    /// The cell being read: its repeats and whether it holds a value.
    cell_repeats: usize,
    cell_has_value: bool,
}

impl OdsSpan {
    fn new(name: String) -> OdsSpan {
        OdsSpan {
            name,
            rows: 0,
            row_cells: 0,
            first_row: None,
            last_row: 0,
            first_column: usize::MAX,
            last_column: 0,
            row_repeats: 1,
            column: 0,
            row_first_value: None,
            row_last_value: 0,
            cell_repeats: 1,
            cell_has_value: false,
        }
    }

    fn start_row(&mut self, repeats: usize) {
        self.row_repeats = repeats.min(ODS_MAX_ROWS.saturating_sub(self.rows));
        self.column = 0;
        self.row_first_value = None;
        self.row_last_value = 0;
    }

    fn start_cell(&mut self, repeats: usize, has_value: bool) {
        self.cell_repeats = repeats.min(ODS_MAX_COLUMNS.saturating_sub(self.column));
        self.cell_has_value = has_value;
    }

    fn cell_has_text(&mut self) {
        self.cell_has_value = true;
    }

    fn end_cell(&mut self) {
        let end = self.column.saturating_add(self.cell_repeats);
        if self.cell_has_value && self.cell_repeats > 0 {
            self.row_first_value.get_or_insert(self.column);
            self.row_last_value = end - 1;
        }
        self.column = end.min(ODS_MAX_COLUMNS);
        self.cell_repeats = 1;
        self.cell_has_value = false;
    }

    fn end_row(&mut self) {
        if let Some(first) = self.row_first_value {
            // calamine keeps the row's cells up to its last value, once per
            // row element (repeats are expanded later).
            self.row_cells = self.row_cells.saturating_add(self.row_last_value + 1);
            self.first_row.get_or_insert(self.rows);
            self.last_row = self.rows.saturating_add(self.row_repeats.saturating_sub(1));
            self.first_column = self.first_column.min(first);
            self.last_column = self.last_column.max(self.row_last_value);
        }
        self.rows = self.rows.saturating_add(self.row_repeats);
        self.row_repeats = 1;
    }

    fn check(&self) -> std::result::Result<(), String> {
        let Some(first_row) = self.first_row else {
            return Ok(());
        };
        let height = self.last_row.saturating_sub(first_row).saturating_add(1);
        let width = self
            .last_column
            .saturating_sub(self.first_column)
            .saturating_add(1);
        let spanned = height.saturating_mul(width);
        if spanned > MAX_SPANNED_CELLS || self.row_cells > MAX_SPANNED_CELLS {
            return Err(format!(
                "sheet '{}' spans {height} rows × {width} columns once its repeated rows and columns are counted; kpilot reads up to {MAX_SPANNED_CELLS} cells per sheet — a value far from the table, or repeated over many rows or columns? Delete it and save the file again",
                self.name
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::ZipWriter;

    use super::*;

    /// An .ods whose one sheet, `Data`, has the given rows.
    fn ods(rows: &str) -> Vec<u8> {
        ods_cut(&format!(
            "{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
        ))
    }

    /// An .ods whose `content.xml` ends with `rest` after the opening of
    /// sheet `Data`.
    fn ods_cut(rest: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Data">{rest}"#
        );
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        for (name, bytes) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.as_str()),
        ] {
            writer.start_file(name, options).expect("a zip entry");
            writer
                .write_all(bytes.as_bytes())
                .expect("a zip entry's bytes");
        }
        writer.finish().expect("a zip").into_inner()
    }

    const VALUE: &str = r#"<table:table-cell office:value-type="float" office:value="1"/>"#;

    #[test]
    fn a_small_table_passes() {
        let row = format!("<table:table-row>{VALUE}{VALUE}<table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>");
        assert_eq!(check_ods(&ods(&row.repeat(20))), Ok(()));
    }

    #[test]
    fn a_value_repeated_over_a_huge_range_is_refused() {
        let rows = r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
        let error = check_ods(&ods(rows)).expect_err("16 million cells");
        assert!(
            error.starts_with("sheet 'Data' spans 1000 rows × 16384 columns"),
            "{error}"
        );
    }

    #[test]
    fn a_sheet_cut_short_is_refused() {
        let row = format!("<table:table-row>{VALUE}</table:table-row>");
        let error = check_ods(&ods_cut(&row)).expect_err("no </table:table>");
        assert_eq!(
            error,
            "sheet 'Data' has no end: the file is cut short or damaged"
        );
    }

    #[test]
    fn a_comment_cut_short_is_refused() {
        let rest = r#"<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>note"#;
        let error = check_ods(&ods_cut(rest)).expect_err("no </office:annotation>");
        assert_eq!(
            error,
            "sheet 'Data' ends inside a cell's comment: the file is cut short or damaged"
        );
    }

    #[test]
    fn a_comment_and_spaces_that_close_pass() {
        let row = r#"<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>n</text:p></office:annotation><text:p>a<text:s text:c="3"/>b</text:p></table:table-cell></table:table-row>"#;
        assert_eq!(check_ods(&ods(row)), Ok(()));
    }

    #[test]
    fn billions_of_repeated_spaces_are_refused() {
        let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#;
        let error = check_ods(&ods(row)).expect_err("4 billion spaces");
        assert!(error.contains("repeated spaces"), "{error}");
    }

    #[test]
    fn a_value_far_below_and_right_of_the_table_is_refused() {
        let rows = format!(
            "<table:table-row>{VALUE}</table:table-row><table:table-row table:number-rows-repeated=\"400000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"100\"/><table:table-cell><text:p>stray</text:p></table:table-cell></table:table-row>"
        );
        let error = check_ods(&ods(&rows)).expect_err("40 million cells");
        assert!(
            error.starts_with("sheet 'Data' spans 400002 rows × 101 columns"),
            "{error}"
        );
    }
}
