//! Measures a workbook before calamine reads it, where calamine would
//! trust the file and build more than it can hold: calamine reads .xls and
//! .ods whole, each sheet as a dense grid over its used range, so a small
//! file that claims, or repeats its way to, a huge range would take the
//! process (or the browser tab) down. Such a file is refused here, with a
//! message that says why.
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

/// The end of a sector chain, and the first of the reserved sector ids.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

/// Checks an .xls before calamine reads it: that the compound file's
/// sector chains calamine follows end (a loop in one grows without bound)
/// and stay inside its allocation tables (calamine indexes them
/// unchecked), and that no sheet would make calamine build more than
/// `MAX_SPANNED_CELLS` cells. A file calamine refuses on its own passes.
pub fn check_xls(bytes: &[u8]) -> std::result::Result<(), String> {
    let Some(stream) = CompoundFile::read(bytes)?.and_then(|file| file.workbook_stream()) else {
        return Ok(());
    };
    check_biff(&stream?)
}

/// The parts of an OLE compound file calamine reads, read as calamine
/// reads them (cfb.rs).
struct CompoundFile<'a> {
    bytes: &'a [u8],
    header_size: usize,
    sector_size: usize,
    /// The highest sector id calamine accepts.
    last_sector: u32,
    fat: Vec<u32>,
    directory: Vec<u8>,
    large_sectors: bool,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
}

/// What following a chain found.
enum Chain {
    Bytes(Vec<u8>),
    /// calamine fails on this chain with an error of its own.
    Refused,
}

const DAMAGED: &str = "the file is damaged (a sector chain of its compound file loops or points outside it); save it again from Excel";

fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    let slice = bytes.get(offset..offset.checked_add(2)?)?;
    Some(u16::from_le_bytes([slice[0], slice[1]]))
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let slice = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|chunk| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

impl<'a> CompoundFile<'a> {
    /// `Ok(None)` when calamine refuses the file itself.
    fn read(bytes: &'a [u8]) -> std::result::Result<Option<CompoundFile<'a>>, String> {
        const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
        if bytes.len() < 512 || !bytes.starts_with(SIGNATURE) {
            return Ok(None);
        }
        let field = |offset| u32_at(bytes, offset).unwrap_or(0);
        let (sector_size, header_size) = match u16_at(bytes, 30) {
            Some(0x0009) => (512, 512),
            Some(0x000C) if bytes.len() >= 4096 => (4096, 4096),
            _ => return Ok(None),
        };
        if u16_at(bytes, 32) != Some(0x0006) {
            return Ok(None);
        }
        let version = u16_at(bytes, 26).unwrap_or(0);
        let mut file = CompoundFile {
            bytes,
            header_size,
            sector_size,
            last_sector: u32::try_from(bytes.len() / sector_size).unwrap_or(u32::MAX),
            fat: Vec::new(),
            directory: Vec::new(),
            large_sectors: sector_size == 4096,
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
        };
        // The DIFAT: 109 entries in the header, then a chain whose sectors
        // each end with the next one's id.
        let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
        let mut sector = field(68);
        let mut difat_sectors = 0usize;
        while sector < RESERVED_SECTORS {
            difat_sectors += 1;
            if difat_sectors > file.last_sector as usize + 1 {
                return Ok(None);
            }
            let Some(content) = file.sector(sector)? else {
                return Ok(None);
            };
            difat.extend(u32s(content));
            sector = match difat.pop() {
                Some(next) => next,
                None => return Ok(None),
            };
        }
        for id in difat.into_iter().filter(|id| *id < DIFAT_SECTOR) {
            let Some(content) = file.sector(id)? else {
                return Ok(None);
            };
            file.fat.extend(u32s(content));
        }
        file.directory = match file.chain(field(48), false, usize::MAX)? {
            Chain::Bytes(directory) => directory,
            Chain::Refused => return Ok(None),
        };
        let root_start = u32_at(&file.directory, 116);
        if root_start.is_none() || (version != 3 && root_start == Some(END_OF_CHAIN)) {
            return Ok(None);
        }
        // calamine reads lengths as usize: a 4096-byte-sector file can give
        // one over 4 GB, which does not fit in the browser's 32-bit usize.
        let entries = file.directory.len() / 128;
        let length_of = |entry: usize| -> std::result::Result<usize, String> {
            let at = entry * 128 + 120;
            let length = if file.large_sectors {
                let low = u64::from(u32_at(&file.directory, at).unwrap_or(0));
                let high = u64::from(u32_at(&file.directory, at + 4).unwrap_or(0));
                (high << 32) | low
            } else {
                u64::from(u32_at(&file.directory, at).unwrap_or(0))
            };
            usize::try_from(length).map_err(|_| DAMAGED.to_string())
        };
        for entry in 0..entries {
            length_of(entry)?;
        }
        let mini_fat_sectors = field(64) as usize;
        if mini_fat_sectors > 0 {
            let root_length = length_of(0)?;
            file.mini_stream = match file.chain(root_start.unwrap_or(0), false, root_length)? {
                Chain::Bytes(stream) => stream,
                Chain::Refused => return Ok(None),
            };
            let mini_fat_length = mini_fat_sectors.saturating_mul(sector_size);
            file.mini_fat = match file.chain(field(60), false, mini_fat_length)? {
                Chain::Bytes(table) => u32s(&table).collect(),
                Chain::Refused => return Ok(None),
            };
        }
        Ok(Some(file))
    }

    /// A sector's bytes as calamine reads them: `Ok(None)` past the last id
    /// it accepts, short (or empty) at the end of the file, and an error
    /// for a sector that starts past the end, where calamine's slice
    /// panics.
    fn sector(&self, id: u32) -> std::result::Result<Option<&'a [u8]>, String> {
        if id > self.last_sector {
            return Ok(None);
        }
        let start = self
            .header_size
            .saturating_add((id as usize).saturating_mul(self.sector_size));
        if start > self.bytes.len() {
            return Err(DAMAGED.to_string());
        }
        let end = start.saturating_add(self.sector_size).min(self.bytes.len());
        Ok(Some(self.bytes.get(start..end).unwrap_or_default()))
    }

    /// A chain's first `length` bytes, as calamine's `get_chain` collects
    /// them; an error where calamine would loop or index past its table.
    fn chain(&self, start: u32, mini: bool, length: usize) -> std::result::Result<Chain, String> {
        let (table, size) = if mini {
            (&self.mini_fat, 64)
        } else {
            (&self.fat, self.sector_size)
        };
        let mut bytes = Vec::new();
        let mut visited = std::collections::HashSet::new();
        let mut sector = start;
        while sector != END_OF_CHAIN {
            if !visited.insert(sector) {
                return Err(DAMAGED.to_string());
            }
            let content = if mini {
                let from = (sector as usize).saturating_mul(size);
                if sector as usize > (self.last_sector as usize).saturating_mul(8) {
                    return Ok(Chain::Refused);
                }
                // calamine would read past its mini stream, from wherever
                // its reader is: nothing it can make sense of.
                match self.mini_stream.get(from..from.saturating_add(size)) {
                    Some(content) => content,
                    None => return Err(DAMAGED.to_string()),
                }
            } else {
                match self.sector(sector)? {
                    Some(content) => content,
                    None => return Ok(Chain::Refused),
                }
            };
            let take = content.len().min(length - bytes.len());
            bytes.extend_from_slice(&content[..take]);
            if bytes.len() >= length {
                break;
            }
            sector = match table.get(sector as usize) {
                Some(next) => *next,
                None => return Err(DAMAGED.to_string()),
            };
        }
        Ok(Chain::Bytes(bytes))
    }

    /// The `Workbook` stream (`Book` in BIFF5), as calamine finds it.
    fn workbook_stream(&self) -> Option<std::result::Result<Vec<u8>, String>> {
        let entries: Vec<&[u8]> = self.directory.chunks_exact(128).collect();
        let named = |wanted: &str| {
            entries.iter().find(|entry| {
                let units: Vec<u16> = entry[..64]
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .take_while(|unit| *unit != 0)
                    .collect();
                String::from_utf16_lossy(&units).eq_ignore_ascii_case(wanted)
            })
        };
        let entry = named("Workbook").or_else(|| named("Book"))?;
        let start = u32_at(entry, 116).unwrap_or(0);
        let length = if self.large_sectors {
            let low = u64::from(u32_at(entry, 120).unwrap_or(0));
            let high = u64::from(u32_at(entry, 124).unwrap_or(0));
            usize::try_from((high << 32) | low).unwrap_or(usize::MAX)
        } else {
            u32_at(entry, 120).unwrap_or(0) as usize
        };
        match self.chain(start, length < 4096, length) {
            Ok(Chain::Bytes(stream)) => Some(Ok(stream)),
            Ok(Chain::Refused) => None,
            Err(error) => Some(Err(error)),
        }
    }
}

/// One BIFF record: its type and data (continuations are records of
/// their own here; calamine appends them, which changes no boundary).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let kind = u16_at(rest, 0)?;
        let length = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + length)?;
        rest = &rest[4 + length..];
        Some((kind, data))
    })
}

const DAMAGED_RECORD: &str =
    "the file is damaged (a record is shorter than its kind); save it again from Excel";

/// The shortest data calamine reads from a workbook-globals record
/// without checking its length.
fn globals_minimum(kind: u16) -> usize {
    match kind {
        // FilePass, CodePage, DateMode, BOF, ExternSheet.
        0x002F | 0x0042 | 0x0022 | 0x0809 | 0x0017 => 2,
        // BoundSheet8: position, state, type and the name's length.
        0x0085 => 7,
        // Lbl: its fixed part.
        0x0018 => 14,
        _ => 0,
    }
}

/// Walks the workbook stream as calamine does: the globals up to their
/// EOF, then each sheet from the position its BoundSheet8 record gives.
fn check_biff(stream: &[u8]) -> std::result::Result<(), String> {
    let mut sheets = Vec::new();
    for (kind, data) in records(stream) {
        if data.len() < globals_minimum(kind) {
            return Err(DAMAGED_RECORD.to_string());
        }
        match kind {
            // A password: calamine refuses the file.
            0x002F if u16_at(data, 0) != Some(0) => return Ok(()),
            0x0085 => {
                let position = u32_at(data, 0).unwrap_or(0) as usize;
                if position > stream.len() {
                    return Err(DAMAGED_RECORD.to_string());
                }
                sheets.push(position);
            }
            0x0018 => {
                let formula_length = u16_at(data, 4).unwrap_or(0) as usize;
                if formula_length > data.len() {
                    return Err(DAMAGED_RECORD.to_string());
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    for (index, position) in sheets.into_iter().enumerate() {
        check_biff_sheet(index, stream.get(position..).unwrap_or_default())?;
    }
    Ok(())
}

/// Widens `bounds` (first row, first column, last row, last column) to a cell.
fn cover(bounds: &mut Option<[u32; 4]>, row: u32, column: u32) {
    let [top, left, bottom, right] = bounds.get_or_insert([row, column, row, column]);
    *top = (*top).min(row);
    *left = (*left).min(column);
    *bottom = (*bottom).max(row);
    *right = (*right).max(column);
}

/// One sheet's records: a Dimensions record calamine would reserve too
/// much for or compute with an underflow, a MulRk whose columns run
/// backwards, and cells spanning more than `MAX_SPANNED_CELLS`.
fn check_biff_sheet(index: usize, sheet: &[u8]) -> std::result::Result<(), String> {
    let too_large = |rows: u64, columns: u64| {
        format!(
            "sheet {} spans {rows} rows × {columns} columns; kpilot reads up to {MAX_SPANNED_CELLS} cells per sheet — a value far from the table? Delete it and save the file again",
            index + 1
        )
    };
    let mut seen_sheet_start = false;
    let mut depth = 0usize;
    // First row, first column, last row, last column of the cells seen.
    let mut bounds: Option<[u32; 4]> = None;
    for (kind, data) in records(sheet) {
        if depth > 0 {
            match kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let row = u32::from(u16_at(data, 0).unwrap_or(0));
        let column = u32::from(u16_at(data, 2).unwrap_or(0));
        match kind {
            0x0809 if seen_sheet_start => depth += 1,
            0x0809 => seen_sheet_start = true,
            0x0200 => {
                let (first_row, last_row, first_column, last_column) = match data.len() {
                    10 => (
                        u32::from(u16_at(data, 0).unwrap_or(0)),
                        u32::from(u16_at(data, 2).unwrap_or(0)),
                        u32::from(u16_at(data, 4).unwrap_or(0)),
                        u32::from(u16_at(data, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u32_at(data, 0).unwrap_or(0),
                        u32_at(data, 4).unwrap_or(0),
                        u32::from(u16_at(data, 8).unwrap_or(0)),
                        u32::from(u16_at(data, 10).unwrap_or(0)),
                    ),
                    // calamine refuses the record.
                    _ => return Ok(()),
                };
                let first_column = if first_column > 0xFF || last_column < first_column {
                    0
                } else {
                    first_column
                };
                if last_row >= 1 && last_column >= 1 {
                    let (Some(rows), Some(columns)) = (
                        (last_row - 1).checked_sub(first_row),
                        (last_column - 1).checked_sub(first_column),
                    ) else {
                        return Err(DAMAGED_RECORD.to_string());
                    };
                    let (rows, columns) = (u64::from(rows) + 1, u64::from(columns) + 1);
                    if rows * columns > MAX_SPANNED_CELLS as u64 {
                        return Err(too_large(rows, columns));
                    }
                }
            }
            // Formula: calamine slices its tokens by their stated length.
            0x0006 if data.len() >= 20 => {
                let tokens = u16_at(data, 20).unwrap_or(0) as usize;
                if 22 + tokens > data.len() {
                    return Err(DAMAGED_RECORD.to_string());
                }
                cover(&mut bounds, row, column)
            }
            // Number, Label, RString, BoolErr, Rk, LabelSst.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD if data.len() >= 4 => {
                cover(&mut bounds, row, column)
            }
            // MulRk: a row of cells from a first to a last column.
            0x00BD if data.len() >= 6 => {
                let last = u16_at(data, data.len() - 2).unwrap_or(0);
                let first = column as u16;
                if last
                    .checked_sub(first)
                    .and_then(|span| span.checked_add(1))
                    .is_none()
                {
                    return Err(DAMAGED_RECORD.to_string());
                }
                cover(&mut bounds, row, u32::from(first));
                cover(&mut bounds, row, u32::from(last));
            }
            0x000A => break,
            _ => {}
        }
        if let Some([top, left, bottom, right]) = bounds {
            let rows = u64::from(bottom - top) + 1;
            let columns = u64::from(right - left) + 1;
            if rows * columns > MAX_SPANNED_CELLS as u64 {
                return Err(too_large(rows, columns));
            }
        }
    }
    Ok(())
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

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_le_bytes().to_vec();
        bytes.extend((data.len() as u16).to_le_bytes());
        bytes.extend(data);
        bytes
    }

    fn number(row: u16, column: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(column.to_le_bytes());
        data.extend([0; 10]);
        record(0x0203, &data)
    }

    /// A BIFF8 workbook stream: globals naming one sheet, then the sheet's
    /// records between its BOF and EOF.
    fn workbook(sheet_records: &[Vec<u8>]) -> Vec<u8> {
        let bof = record(0x0809, &[0x00, 0x06, 0x05, 0x00]);
        let eof = record(0x000A, &[]);
        // The BoundSheet8 record: 4 bytes of header and 9 of data.
        let sheet_at = (bof.len() + 13 + eof.len()) as u32;
        let mut bound_sheet = sheet_at.to_le_bytes().to_vec();
        bound_sheet.extend([0, 0, 1, 0, b'A']);
        let mut stream = [bof.clone(), record(0x0085, &bound_sheet), eof.clone(), bof].concat();
        for sheet_record in sheet_records {
            stream.extend(sheet_record);
        }
        stream.extend(eof);
        stream
    }

    fn dimensions(first_row: u32, last_row: u32, first_column: u16, last_column: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend(last_row.to_le_bytes());
        data.extend(first_column.to_le_bytes());
        data.extend(last_column.to_le_bytes());
        data.extend([0, 0]);
        record(0x0200, &data)
    }

    #[test]
    fn a_small_xls_sheet_passes() {
        let cells: Vec<Vec<u8>> = (0..20).map(|row| number(row, row % 7)).collect();
        let records = [vec![dimensions(0, 20, 0, 7)], cells].concat();
        assert_eq!(check_biff(&workbook(&records)), Ok(()));
    }

    #[test]
    fn an_xls_cell_far_from_the_table_is_refused() {
        let error = check_biff(&workbook(&[
            number(0, 0),
            number(1, 1),
            number(65_535, 255),
        ]))
        .expect_err("16.7 million cells");
        assert!(
            error.starts_with("sheet 1 spans 65536 rows × 256 columns"),
            "{error}"
        );
    }

    #[test]
    fn an_xls_dimensions_record_claiming_billions_of_rows_is_refused() {
        let error = check_biff(&workbook(&[dimensions(0, 4_000_000_000, 0, 10)]))
            .expect_err("40 billion cells");
        assert!(
            error.starts_with("sheet 1 spans 4000000000 rows × 10 columns"),
            "{error}"
        );
    }

    #[test]
    fn damaged_xls_records_are_refused() {
        // Dimensions from row 10 to row 4: calamine's row count underflows.
        assert_eq!(
            check_biff(&workbook(&[dimensions(10, 5, 0, 3)])),
            Err(DAMAGED_RECORD.to_string())
        );
        // A MulRk whose last column is before its first.
        let mut mul_rk = 0u16.to_le_bytes().to_vec();
        mul_rk.extend(9u16.to_le_bytes());
        mul_rk.extend([0; 6]);
        mul_rk.extend(2u16.to_le_bytes());
        assert_eq!(
            check_biff(&workbook(&[record(0x00BD, &mul_rk)])),
            Err(DAMAGED_RECORD.to_string())
        );
        // A sheet said to start past the end of the stream.
        let mut bound_sheet = 1_000_000u32.to_le_bytes().to_vec();
        bound_sheet.extend([0, 0, 1, 0, b'A']);
        assert_eq!(
            check_biff(&record(0x0085, &bound_sheet)),
            Err(DAMAGED_RECORD.to_string())
        );
        // A BoundSheet8 too short to hold its position and name.
        assert_eq!(
            check_biff(&record(0x0085, &[0, 0])),
            Err(DAMAGED_RECORD.to_string())
        );
    }
}
