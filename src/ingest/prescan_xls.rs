//! Measures an .xls before calamine reads it. calamine 0.38 follows the
//! compound file's sector chains, and reads the workbook's records, the
//! shared strings and every formula's tokens where their kind says they
//! are, without checking that the file holds them: a damaged or hostile
//! file makes it loop, reserve gigabytes or panic (and in the browser a
//! panic ends the module). Such a file is refused here, with a message that
//! says why; what these checks let through calamine reads as usual.
//!
//! The chains and records are walked as calamine walks them (cfb.rs,
//! xls.rs); only what calamine would trust unchecked is checked.

use super::prescan::MAX_SPANNED_CELLS;

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

const CUT_SHORT: &str = "the file is cut short (it ends inside a sector of its compound file's allocation table); save it again from Excel";

/// calamine asserts that an allocation table's bytes (a DIFAT or FAT
/// sector, the mini FAT) are whole u32s; a sector cut off at the end of the
/// file may not be, and the assertion panics even in release builds.
fn whole_u32s(table: &[u8]) -> std::result::Result<(), String> {
    if table.len().is_multiple_of(4) {
        Ok(())
    } else {
        Err(CUT_SHORT.to_string())
    }
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
            whole_u32s(content)?;
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
            whole_u32s(content)?;
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
                Chain::Bytes(table) => {
                    whole_u32s(&table)?;
                    u32s(&table).collect()
                }
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
/// EOF (the BIFF version from their BOF, the shared strings with their
/// continuations), then each sheet from the position its BoundSheet8
/// record gives.
fn check_biff(stream: &[u8]) -> std::result::Result<(), String> {
    let mut sheets = Vec::new();
    let mut biff8 = true;
    let mut globals = records(stream).peekable();
    while let Some((kind, data)) = globals.next() {
        if data.len() < globals_minimum(kind) {
            return Err(DAMAGED_RECORD.to_string());
        }
        match kind {
            // A password: calamine refuses the file.
            0x002F if u16_at(data, 0) != Some(0) => return Ok(()),
            0x0809 => biff8 = is_biff8(data),
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
            0x00FC => {
                let mut continuations = Vec::new();
                while let Some((_, more)) = globals.next_if(|(next, _)| *next == 0x003C) {
                    continuations.push(more);
                }
                check_shared_strings(data, &continuations)?;
            }
            0x000A => break,
            _ => {}
        }
    }
    for (index, position) in sheets.into_iter().enumerate() {
        check_biff_sheet(index, stream.get(position..).unwrap_or_default(), biff8)?;
    }
    Ok(())
}

/// Whether a BOF record makes calamine read the workbook as BIFF8 (its
/// formulas' tokens are longer than BIFF5's), as calamine's `parse_bof`.
fn is_biff8(bof: &[u8]) -> bool {
    match u16_at(bof, 0).unwrap_or(0) {
        0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => false,
        0 => u16_at(bof, 2) != Some(0x1000),
        _ => true,
    }
}

const DAMAGED_STRING: &str =
    "the file is damaged (a shared string runs past the end of its record); save it again from Excel";

/// The shared strings (SST) read as calamine's `parse_sst` reads them,
/// string by string across the CONTINUE records: refused where calamine
/// would read a string's run count or extension length, or the first byte
/// of a continuation, past the end of what is left.
fn check_shared_strings(record: &[u8], continuations: &[&[u8]]) -> std::result::Result<(), String> {
    let Some(mut data) = record.get(8..) else {
        return Ok(()); // calamine refuses the record itself
    };
    let mut continuations = continuations.iter().copied();
    loop {
        while data.is_empty() {
            let Some(next) = continuations.next() else {
                return Ok(());
            };
            data = next;
        }
        if data.len() < 3 {
            return Ok(()); // calamine's own error
        }
        let mut characters = usize::from(data[0]) | usize::from(data[1]) << 8;
        let flags = data[2];
        data = &data[3..];
        let damaged = || DAMAGED_STRING.to_string();
        let mut runs = 0;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(data, 0).ok_or_else(damaged)?);
            data = &data[2..];
        }
        let mut extension = 0;
        if flags & 0x4 != 0 {
            // calamine reads an i32 and takes it as a length: a negative one is huge.
            extension =
                i32::from_le_bytes(u32_at(data, 0).ok_or_else(damaged)?.to_le_bytes()) as usize;
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        while characters > 0 {
            let taken = if wide { data.len() / 2 } else { data.len() }.min(characters);
            data = &data[if wide { 2 * taken } else { taken }..];
            characters -= taken;
            if characters > 0 {
                let Some(next) = continuations.next() else {
                    return Ok(()); // calamine's own error
                };
                let (&first, rest) = next.split_first().ok_or_else(damaged)?;
                wide = first & 0x1 != 0;
                data = rest;
            }
        }
        // The formatting runs (4 bytes each) and the extension are skipped
        // across continuations.
        for mut length in [runs * 4, extension] {
            while length > 0 {
                while data.is_empty() {
                    let Some(next) = continuations.next() else {
                        return Ok(()); // calamine's own error
                    };
                    data = next;
                }
                let step = length.min(data.len());
                data = &data[step..];
                length -= step;
            }
        }
    }
}

const DAMAGED_FORMULA: &str =
    "the file is damaged (a formula's token runs past the end of the formula); save it again from Excel";

/// A formula's tokens (its `rgce`) walked as calamine's `parse_formula`
/// walks them: refused where a token's operands would be read past the
/// end. The walk stops, and the formula passes, where calamine stops with
/// an error of its own (a token it does not know, a string too short).
fn check_formula(mut tokens: &[u8], biff8: bool) -> std::result::Result<(), String> {
    let short = || Err(DAMAGED_FORMULA.to_string());
    while let Some((&token, rest)) = tokens.split_first() {
        tokens = rest;
        let operands = match token {
            // PtgRef3d, PtgRefErr3d, PtgNameX.
            0x3A | 0x5A | 0x7A | 0x3C | 0x5C | 0x7C | 0x39 | 0x59 => 6,
            // PtgArea3d, PtgAreaErr3d.
            0x3B | 0x5B | 0x7B | 0x3D | 0x5D | 0x7D => 10,
            // PtgExp: calamine checks its length.
            0x01 if tokens.len() < 4 => return Ok(()),
            0x01 => 4,
            // Operators, parentheses, PtgMissArg: no operands.
            0x03..=0x16 => 0,
            // PtgStr: its length, then (BIFF8) a flags byte and the characters.
            0x17 => {
                let Some(&characters) = tokens.first() else {
                    return Ok(());
                };
                let characters = usize::from(characters);
                let length = match (biff8, tokens.get(1)) {
                    (false, _) => 1 + characters,
                    (true, Some(flags)) if flags & 0x1 != 0 => 2 + 2 * characters,
                    (true, Some(_)) => 2 + characters,
                    (true, None) => return Ok(()),
                };
                if tokens.len() < length {
                    return Ok(()); // calamine checks the string's length
                }
                length
            }
            0x18 => 5,
            // PtgAttr: its kind, then the kind's operands.
            0x19 => match tokens.first() {
                None => return short(),
                Some(0x01 | 0x02 | 0x08 | 0x20 | 0x21 | 0x10 | 0x40 | 0x41) => 3,
                Some(0x04) => {
                    let Some(choices) = u16_at(tokens, 1) else {
                        return short();
                    };
                    3 + 2 * (usize::from(choices) + 1)
                }
                Some(_) => return Ok(()),
            },
            // PtgErr, PtgBool.
            0x1C | 0x1D => 1,
            // PtgInt, PtgNum, PtgArray.
            0x1E => 2,
            0x1F => 8,
            0x20 | 0x40 | 0x60 => 7,
            // PtgFunc, PtgFuncVar.
            0x21 | 0x41 | 0x61 => 2,
            0x22 | 0x42 | 0x62 => 3,
            // PtgName: a one-based index (calamine subtracts one unchecked).
            0x23 | 0x43 | 0x63 => {
                if u32_at(tokens, 0) == Some(0) {
                    return short();
                }
                4
            }
            // PtgRef, PtgRefErr; PtgArea, PtgAreaErr: shorter before BIFF8.
            0x24 | 0x44 | 0x64 | 0x2A | 0x4A | 0x6A => {
                if biff8 {
                    4
                } else {
                    3
                }
            }
            0x25 | 0x45 | 0x65 | 0x2B | 0x4B | 0x6B => {
                if biff8 {
                    8
                } else {
                    6
                }
            }
            _ => return Ok(()), // calamine refuses the token
        };
        match tokens.get(operands..) {
            Some(rest) => tokens = rest,
            None => return short(),
        }
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
fn check_biff_sheet(index: usize, sheet: &[u8], biff8: bool) -> std::result::Result<(), String> {
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
                let Some(tokens) = data.get(22..22 + tokens) else {
                    return Err(DAMAGED_RECORD.to_string());
                };
                check_formula(tokens, biff8)?;
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
    use super::*;

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
        workbook_of(0x0600, &[], sheet_records)
    }

    /// A workbook stream of a BIFF version (0x0600 is BIFF8, 0x0500
    /// BIFF5) with more global records (after the sheet's BoundSheet8).
    fn workbook_of(version: u16, globals: &[Vec<u8>], sheet_records: &[Vec<u8>]) -> Vec<u8> {
        let mut bof_data = version.to_le_bytes().to_vec();
        bof_data.extend([0x05, 0x00]);
        let bof = record(0x0809, &bof_data);
        let eof = record(0x000A, &[]);
        let globals = globals.concat();
        // The BoundSheet8 record: 4 bytes of header and 9 of data.
        let sheet_at = (bof.len() + 13 + globals.len() + eof.len()) as u32;
        let mut bound_sheet = sheet_at.to_le_bytes().to_vec();
        bound_sheet.extend([0, 0, 1, 0, b'A']);
        let mut stream = [
            bof.clone(),
            record(0x0085, &bound_sheet),
            globals,
            eof.clone(),
            bof,
        ]
        .concat();
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

    /// A Formula record at A1 with the given tokens (rgce).
    fn formula(tokens: &[u8]) -> Vec<u8> {
        let mut data = vec![0; 20];
        data.extend((tokens.len() as u16).to_le_bytes());
        data.extend(tokens);
        record(0x0006, &data)
    }

    /// PtgArea (0x25) over $A$1:$B$3 in BIFF8 (rows, then columns: 8
    /// bytes) and BIFF5 (rows, then one byte per column: 6 bytes).
    const AREA_BIFF8: [u8; 9] = [0x25, 0, 0, 2, 0, 0, 0xC0, 1, 0xC0];
    const AREA_BIFF5: [u8; 7] = [0x25, 0, 0, 2, 0, 0, 1];
    /// PtgFuncVar SUM of one argument.
    const SUM: [u8; 4] = [0x22, 1, 4, 0];

    #[test]
    fn formulas_whose_tokens_fit_pass_in_either_biff_version() {
        let biff8 = [AREA_BIFF8.as_slice(), &SUM].concat();
        assert_eq!(check_biff(&workbook(&[formula(&biff8)])), Ok(()));
        let biff5 = [AREA_BIFF5.as_slice(), &SUM].concat();
        assert_eq!(
            check_biff(&workbook_of(0x0500, &[], &[formula(&biff5)])),
            Ok(())
        );
        // A string, a number, an attribute (a SUM of one area), then a
        // token calamine does not know: it stops there with an error.
        let tokens = [
            &[0x17, 2, 0, b'h', b'i'][..],
            &[0x1F, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F],
            &AREA_BIFF8,
            &[0x19, 0x10, 0, 0],
            &[0xFF, 0xFF],
        ]
        .concat();
        assert_eq!(check_biff(&workbook(&[formula(&tokens)])), Ok(()));
    }

    #[test]
    fn a_formula_token_cut_short_is_refused() {
        let damaged = Err(DAMAGED_FORMULA.to_string());
        // The BIFF8 area with the last four of its eight bytes missing:
        // calamine's parse_formula reads rgce[4..8] (the fuzz input
        // tests/fixtures/regression_xls_formula_area_token_short.xls).
        assert_eq!(check_biff(&workbook(&[formula(&AREA_BIFF8[..5])])), damaged);
        // The same six bytes are a whole area in BIFF5, but not in BIFF8.
        assert_eq!(
            check_biff(&workbook_of(0x0500, &[], &[formula(&AREA_BIFF5)])),
            Ok(())
        );
        assert_eq!(check_biff(&workbook(&[formula(&AREA_BIFF5)])), damaged);
        // A number short of its eight bytes, an attribute without its kind,
        // a choice of more branches than are there, a name numbered 0.
        for tokens in [
            &[0x1F, 0, 0, 0][..],
            &[0x19],
            &[0x19, 0x04, 9, 0, 1, 0],
            &[0x23, 0, 0, 0, 0],
        ] {
            assert_eq!(
                check_biff(&workbook(&[formula(tokens)])),
                damaged,
                "{tokens:?}"
            );
        }
    }

    /// An SST record of `count` strings with the given bytes, and its
    /// continuations.
    fn shared_strings(count: u32, strings: &[u8], continuations: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut data = count.to_le_bytes().to_vec();
        data.extend(count.to_le_bytes());
        data.extend(strings);
        let mut records = vec![record(0x00FC, &data)];
        records.extend(continuations.iter().map(|more| record(0x003C, more)));
        records
    }

    #[test]
    fn shared_strings_read_across_continuations_pass() {
        // "ab" with one formatting run and a 2-byte extension, then "cdef"
        // in UTF-16 split over a continuation that switches it to 8-bit.
        let first = [&[2, 0, 0x0C, 1, 0, 2, 0, 0, 0][..], b"ab", &[0; 4], &[9, 9]].concat();
        let second = [&[4, 0, 0x01][..], &[b'c', 0, b'd', 0]].concat();
        let globals = shared_strings(2, &[first, second].concat(), &[&[0x00, b'e', b'f']]);
        assert_eq!(
            check_biff(&workbook_of(0x0600, &globals, &[number(0, 0)])),
            Ok(())
        );
    }

    #[test]
    fn a_shared_string_cut_short_is_refused() {
        let damaged = Err(DAMAGED_STRING.to_string());
        // The extension flag with two of its four length bytes (calamine's
        // read_i32 on the rest: tests/fixtures/regression_xls_sst_rich_string_short.xls).
        let globals = shared_strings(1, &[1, 0, 0x04, 7, 0], &[]);
        assert_eq!(check_biff(&workbook_of(0x0600, &globals, &[])), damaged);
        // The run-count flag with one byte left.
        let globals = shared_strings(1, &[1, 0, 0x08, 7], &[]);
        assert_eq!(check_biff(&workbook_of(0x0600, &globals, &[])), damaged);
        // A string continued in an empty CONTINUE record (calamine reads its
        // first byte for the encoding).
        let globals = shared_strings(1, &[4, 0, 0, b'a', b'b'], &[&[]]);
        assert_eq!(check_biff(&workbook_of(0x0600, &globals, &[])), damaged);
    }
}
