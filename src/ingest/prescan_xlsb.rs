//! Measures an .xlsb's records before calamine reads them. calamine 0.38
//! indexes a record's bytes where the record's kind says they are, without
//! checking that the record is that long, and looks up a sheet's
//! relationship and a cell's shared string unchecked: a damaged or hostile
//! file makes it panic, and in the browser a panic ends the module. Such a
//! file is refused here, with a message that says which record is short.
//!
//! The records are walked as calamine walks them (a one- or two-byte kind,
//! a length of up to four bytes of seven bits each) in every part calamine
//! reads: the workbook, the shared strings, the styles and each sheet. Only
//! what calamine would index unchecked is checked; a part that ends early
//! or cannot be found passes, because calamine reports that itself.

use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader as XmlReader;

use super::prescan::attribute;

/// The record bytes kept to look into (the rest is skipped): enough for a
/// sheet's entry in the workbook with a long relationship id.
const KEPT_BYTES: usize = 1024;

/// Record kinds calamine reads (MS-XLSB 2.3), with the bytes it indexes.
const BRT_ROW_HDR: u16 = 0x0000;
const BRT_CELL_RK: u16 = 0x0002;
const BRT_CELL_ERROR: u16 = 0x0003;
const BRT_CELL_BOOL: u16 = 0x0004;
const BRT_CELL_REAL: u16 = 0x0005;
const BRT_CELL_ST: u16 = 0x0006;
const BRT_CELL_ISST: u16 = 0x0007;
const BRT_FMLA_STRING: u16 = 0x0008;
const BRT_FMLA_NUM: u16 = 0x0009;
const BRT_FMLA_BOOL: u16 = 0x000A;
const BRT_SST_ITEM: u16 = 0x0013;
const BRT_FMT: u16 = 0x002C;
const BRT_XF: u16 = 0x002F;
const BRT_BEGIN_SHEET_DATA: u16 = 0x0091;
const BRT_END_SHEET_DATA: u16 = 0x0092;
const BRT_WS_DIM: u16 = 0x0094;
const BRT_WB_PROP: u16 = 0x0099;
const BRT_BUNDLE_SH: u16 = 0x009C;
const BRT_BEGIN_SST: u16 = 0x009F;
const BRT_BEGIN_FMTS: u16 = 0x0267;
const BRT_BEGIN_CELL_XFS: u16 = 0x0269;
const BRT_EXTERN_SHEET: u16 = 0x016A;

/// A sheet's entry in the workbook with no relationship id.
const NO_RELATIONSHIP: u32 = 0xFFFF_FFFF;

/// Checks an .xlsb before calamine opens it and reads its sheets.
pub fn check_xlsb(bytes: &[u8]) -> std::result::Result<(), String> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let paths: HashMap<String, String> = archive
        .file_names()
        .flatten()
        .map(|name| {
            (
                name.replace('\\', "/").to_ascii_lowercase(),
                name.to_string(),
            )
        })
        .collect();
    let relationships = read_relationships(&mut archive, &paths);
    let strings = match open_part(&mut archive, &paths, "xl/sharedStrings.bin") {
        Some(part) => check_shared_strings(part)?,
        None => 0,
    };
    if let Some(part) = open_part(&mut archive, &paths, "xl/styles.bin") {
        check_styles(part)?;
    }
    let sheets = match open_part(&mut archive, &paths, "xl/workbook.bin") {
        Some(part) => check_workbook(part, &relationships)?,
        None => return Ok(()),
    };
    for (name, path) in sheets {
        if let Some(part) = open_part(&mut archive, &paths, &path) {
            check_sheet(part, &name, strings)?;
        }
    }
    Ok(())
}

/// A part's name in the archive as calamine finds it: case and slashes
/// aside, else as written.
fn part_name(paths: &HashMap<String, String>, path: &str) -> String {
    paths
        .get(&path.to_ascii_lowercase())
        .map_or(path, String::as_str)
        .to_string()
}

/// A part of the archive, its records streamed.
fn open_part<'a, 'b>(
    archive: &'a mut zip::ZipArchive<Cursor<&'b [u8]>>,
    paths: &HashMap<String, String>,
    path: &str,
) -> Option<Records<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>> {
    let part = archive.by_name(&part_name(paths, path)).ok()?;
    Some(Records {
        reader: BufReader::new(part),
        kept: Vec::with_capacity(KEPT_BYTES),
    })
}

/// `xl/_rels/workbook.bin.rels`: relationship id → target.
fn read_relationships(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    paths: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut relationships = HashMap::new();
    let Ok(part) = archive.by_name(&part_name(paths, "xl/_rels/workbook.bin.rels")) else {
        return relationships;
    };
    let mut reader = XmlReader::from_reader(BufReader::new(part));
    reader.config_mut().check_end_names = false;
    reader.config_mut().expand_empty_elements = true;
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element)) if element.name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) =
                    (attribute(&element, "Id"), attribute(&element, "Target"))
                {
                    relationships.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => return relationships,
            Ok(_) => {}
        }
        buffer.clear();
    }
}

/// The records of one part, as calamine's `RecordIter` reads them.
struct Records<R: Read> {
    reader: BufReader<R>,
    /// The first `KEPT_BYTES` bytes of the record just read.
    kept: Vec<u8>,
}

impl<R: Read> Records<R> {
    fn byte(&mut self) -> Option<u8> {
        let mut byte = [0u8];
        self.reader.read_exact(&mut byte).ok()?;
        Some(byte[0])
    }

    /// The next record's kind and length, its first bytes in `kept`; None
    /// at the end of the part (or where calamine's reading would fail).
    fn next(&mut self) -> Option<(u16, usize)> {
        let kind = self.kind()?;
        Some((kind, self.body()?))
    }

    /// A record's kind (one or two bytes).
    fn kind(&mut self) -> Option<u16> {
        let first = self.byte()?;
        Some(if first & 0x80 != 0 {
            u16::from(first & 0x7F) + (u16::from(self.byte()? & 0x7F) << 7)
        } else {
            u16::from(first)
        })
    }

    /// The length and body after a kind: its first bytes in `kept`, the
    /// rest skipped.
    fn body(&mut self) -> Option<usize> {
        let mut byte = self.byte()?;
        let mut length = usize::from(byte & 0x7F);
        for shift in 1..4 {
            if byte & 0x80 == 0 {
                break;
            }
            byte = self.byte()?;
            length += usize::from(byte & 0x7F) << (7 * shift);
        }
        let keep = length.min(KEPT_BYTES);
        self.kept.resize(keep, 0);
        self.reader.read_exact(&mut self.kept).ok()?;
        let rest = (length - keep) as u64;
        let skipped =
            std::io::copy(&mut self.reader.by_ref().take(rest), &mut std::io::sink()).ok()?;
        (skipped == rest).then_some(length)
    }

    /// The next record of `kind`, skipping others (calamine's
    /// `next_skip_blocks` with no blocks): its length.
    fn next_of(&mut self, kind: u16) -> Option<usize> {
        loop {
            let (found, length) = self.next()?;
            if found == kind {
                return Some(length);
            }
        }
    }

    fn u32_at(&self, offset: usize) -> Option<u32> {
        u32_at(&self.kept, offset)
    }
}

/// A little-endian u32 at `offset`, if the bytes are there.
fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let bytes = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// UTF-16LE bytes as text (an odd last byte is dropped).
fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// The refusal for a record shorter than what calamine reads of it.
fn short(part: &str, record: &str, length: usize, needed: usize) -> String {
    format!(
        "its {part} has a {record} record of {length} bytes where at least {needed} are needed: the file is damaged"
    )
}

/// The shared strings: their count, after checking the records.
fn check_shared_strings<R: Read>(mut records: Records<R>) -> std::result::Result<usize, String> {
    let mut count = None;
    while let Some((kind, length)) = records.next() {
        match kind {
            BRT_BEGIN_SST if count.is_none() => {
                if length < 8 {
                    return Err(short("shared strings", "BrtBeginSst", length, 8));
                }
                count = records.u32_at(4).map(|count| count as usize);
            }
            BRT_SST_ITEM if length < 1 => {
                return Err(short("shared strings", "BrtSSTItem", length, 1));
            }
            _ => {}
        }
    }
    Ok(count.unwrap_or(0))
}

/// The styles, walked as calamine 0.38 walks them: a record it does not
/// look for has its kind read and nothing else (the next kind is read from
/// where its length starts), the formats and cell formats by their counts.
fn check_styles<R: Read>(mut records: Records<R>) -> std::result::Result<(), String> {
    while let Some(kind) = records.kind() {
        let (begin, item, item_name, item_bytes) = match kind {
            BRT_BEGIN_FMTS => ("BrtBeginFmts", BRT_FMT, "BrtFmt", 2),
            BRT_BEGIN_CELL_XFS => ("BrtBeginCellXFs", BRT_XF, "BrtXF", 4),
            _ => continue,
        };
        let Some(length) = records.body() else {
            return Ok(());
        };
        if length < 4 {
            return Err(short("styles", begin, length, 4));
        }
        let count = records.u32_at(0).unwrap_or(0);
        for _ in 0..count {
            let Some(length) = records.next_of(item) else {
                return Ok(());
            };
            if length < item_bytes {
                return Err(short("styles", item_name, length, item_bytes));
            }
        }
        if kind == BRT_BEGIN_CELL_XFS {
            // calamine stops reading the styles here.
            return Ok(());
        }
    }
    Ok(())
}

/// The workbook's records; its sheets (name, part path) as calamine will
/// open them.
fn check_workbook<R: Read>(
    mut records: Records<R>,
    relationships: &HashMap<String, String>,
) -> std::result::Result<Vec<(String, String)>, String> {
    let mut sheets = Vec::new();
    while let Some((kind, length)) = records.next() {
        match kind {
            BRT_WB_PROP if length < 1 => {
                return Err(short("workbook", "BrtWbProp", length, 1));
            }
            BRT_BUNDLE_SH => {
                if length < 12 {
                    return Err(short("workbook", "BrtBundleSh", length, 12));
                }
                let id_length = records.u32_at(8).unwrap_or(NO_RELATIONSHIP);
                if id_length == NO_RELATIONSHIP {
                    continue;
                }
                let end = 12 + id_length as usize * 2;
                if end > length {
                    return Err(short("workbook", "BrtBundleSh", length, end));
                }
                let Some(id) = records.kept.get(12..end) else {
                    return Err(format!(
                        "its workbook names a sheet by a relationship id of {id_length} characters: the file is damaged"
                    ));
                };
                let id = utf16(id);
                let Some(target) = relationships.get(&id) else {
                    return Err(format!(
                        "its workbook names a sheet by relationship '{id}', which xl/_rels/workbook.bin.rels does not have: the file is damaged"
                    ));
                };
                let name = sheet_name(&records.kept, end, length);
                sheets.push((name, format!("xl/{target}")));
            }
            BRT_EXTERN_SHEET if length < 4 || (length - 4) % 12 != 0 => {
                return Err(format!(
                    "its workbook has a BrtExternSheet record of {length} bytes, not 4 plus whole 12-byte entries: the file is damaged"
                ));
            }
            _ => {}
        }
    }
    Ok(sheets)
}

/// The sheet name after the relationship id in a BrtBundleSh record (for
/// messages only; empty if it is not there whole).
fn sheet_name(kept: &[u8], from: usize, length: usize) -> String {
    let record = kept.get(from..length.min(kept.len())).unwrap_or_default();
    let Some(count) = u32_at(record, 0) else {
        return String::new();
    };
    let characters = record.get(4..).unwrap_or_default();
    let end = characters.len().min((count as usize).saturating_mul(2));
    utf16(&characters[..end])
}

/// The bytes calamine's cells reader indexes in a cell record.
fn cell_bytes(kind: u16) -> Option<(&'static str, usize)> {
    Some(match kind {
        BRT_ROW_HDR => ("BrtRowHdr", 4),
        BRT_CELL_RK => ("BrtCellRk", 12),
        BRT_CELL_ERROR => ("BrtCellError", 9),
        BRT_CELL_BOOL => ("BrtCellBool", 9),
        BRT_FMLA_BOOL => ("BrtFmlaBool", 9),
        BRT_CELL_REAL => ("BrtCellReal", 16),
        BRT_FMLA_NUM => ("BrtFmlaNum", 16),
        BRT_CELL_ST => ("BrtCellSt", 8),
        BRT_FMLA_STRING => ("BrtFmlaString", 8),
        BRT_CELL_ISST => ("BrtCellIsst", 12),
        _ => return None,
    })
}

fn check_sheet<R: Read>(
    mut records: Records<R>,
    name: &str,
    strings: usize,
) -> std::result::Result<(), String> {
    let part = format!("sheet '{name}'");
    let mut in_data = false;
    while let Some((kind, length)) = records.next() {
        match kind {
            BRT_WS_DIM if !in_data && length < 16 => {
                return Err(short(&part, "BrtWsDim", length, 16));
            }
            BRT_BEGIN_SHEET_DATA => in_data = true,
            BRT_END_SHEET_DATA => return Ok(()),
            _ if in_data => {
                let Some((record, needed)) = cell_bytes(kind) else {
                    continue;
                };
                if length < needed {
                    return Err(short(&part, record, length, needed));
                }
                if kind == BRT_CELL_ISST {
                    let index = records.u32_at(8).unwrap_or(0) as usize;
                    if index >= strings {
                        return Err(format!(
                            "its {part} refers to shared string {index}, but the file has {strings}: the file is damaged"
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
