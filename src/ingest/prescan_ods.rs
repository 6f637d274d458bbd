//! calamine 0.38's reading of an .ods's `content.xml`, walked event for
//! event before calamine reads it, to see whether that reading ends.
//!
//! calamine reads a sheet (`read_table`) until the sheet's end tag and a
//! cell's comment until the comment's end tag, and treats the end of the
//! file there like any other event: a file cut short inside a sheet, or
//! whose cells swallow the sheet's end tag, is read forever. No time limit
//! can stop that in the browser. This walk makes the same calls in the same
//! order (`parse_content` → `read_table` → `read_row` → `get_datatype`,
//! with the same reader settings), so it reaches the end of the file where
//! calamine would loop; where the XML reader (the same quick-xml, set up
//! the same way) fails, calamine fails too and the walk lets it say what is
//! wrong. Attributes are read leniently: calamine parses them with its own
//! reader, and where the two could disagree (a malformed attribute, a count
//! that is not a number) the walk goes on as if calamine did, so a file
//! calamine would read forever is never let through; one calamine would
//! have refused anyway may be refused here instead.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;

use super::prescan::attribute;

/// How a step of the walk ended.
enum Step {
    /// As calamine's: the walk goes on.
    Done,
    /// calamine stops with an error here: nothing to refuse.
    Stop,
    /// calamine would read on forever: why.
    Endless(&'static str),
}

/// Refuses a `content.xml` that calamine would read forever.
pub fn check_reading_ends(content: impl BufRead) -> std::result::Result<(), String> {
    let mut reader = XmlReader::from_reader(content);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buffer = Vec::new();
    loop {
        let sheet = match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element)) => match element.name().as_ref() {
                "table:table" => attribute(&element, "table:name"),
                "table:named-expressions" => {
                    if !named_expressions_end(&mut reader) {
                        return Ok(());
                    }
                    None
                }
                _ => None,
            },
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => None,
        };
        if let Some(name) = sheet {
            match table(&mut reader) {
                Step::Done => {}
                Step::Stop => return Ok(()),
                Step::Endless(why) => {
                    return Err(format!(
                        "sheet '{name}' {why}: the file is cut short or damaged"
                    ))
                }
            }
        }
        buffer.clear();
    }
}

/// `read_named_expressions`: anything but its own elements is an error.
fn named_expressions_end<R: BufRead>(reader: &mut XmlReader<R>) -> bool {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element))
                if matches!(
                    element.name().as_ref(),
                    "table:named-range" | "table:named-expression"
                ) => {}
            Ok(Event::End(element))
                if matches!(
                    element.name().as_ref(),
                    "table:named-range" | "table:named-expression"
                ) => {}
            Ok(Event::End(element)) if element.name().as_ref() == "table:named-expressions" => {
                return true
            }
            _ => return false,
        }
    }
}

/// `read_table`: rows until the sheet's end tag; the end of the file is
/// read again and again.
fn table<R: BufRead>(reader: &mut XmlReader<R>) -> Step {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element)) if element.name().as_ref() == "table:table-row" => {
                match row(reader) {
                    Step::Done => {}
                    other => return other,
                }
            }
            Ok(Event::End(element)) if element.name().as_ref() == "table:table" => {
                return Step::Done
            }
            Ok(Event::Eof) => return Step::Endless("has no end"),
            Err(_) => return Step::Stop,
            Ok(_) => {}
        }
    }
}

/// `read_row`: cells until the row's end tag; anything else is an error.
fn row<R: BufRead>(reader: &mut XmlReader<R>) -> Step {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let element = match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element))
                if matches!(
                    element.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                element.into_owned()
            }
            Ok(Event::End(element)) if element.name().as_ref() == "table:table-row" => {
                return Step::Done
            }
            _ => return Step::Stop,
        };
        match cell(reader, &element) {
            Some(Step::Done) => {}
            // Not read to its end tag: calamine skips to it.
            None => {
                let mut skipped = Vec::new();
                if reader
                    .read_to_end_into(element.name(), &mut skipped)
                    .is_err()
                {
                    return Step::Stop;
                }
            }
            Some(other) => return other,
        }
    }
}

/// `get_datatype`: a string cell without its value in an attribute is read
/// from its content up to its end tag (Some(Done)); other cells are not
/// read further (None).
fn cell<R: BufRead>(reader: &mut XmlReader<R>, element: &BytesStart) -> Option<Step> {
    let (mut is_string, mut is_error, mut is_value_set, mut empty_string) =
        (false, false, false, false);
    for attribute in element.attributes().with_checks(false).flatten() {
        let value: &str = attribute.value.as_ref();
        match attribute.key.as_ref() {
            "office:value" if !is_value_set => is_value_set = true,
            "office:string-value" if !is_value_set => {
                empty_string = value.is_empty();
                is_value_set = true;
            }
            "office:date-value" | "office:time-value" | "office:boolean-value" if !is_value_set => {
                is_value_set = true;
            }
            "office:value-type" if !is_value_set => is_string = value == "string",
            "calcext:value-type" => is_error = value == "error",
            _ => {}
        }
    }
    if !((!is_value_set && is_string) || (is_error && empty_string)) {
        return None;
    }
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_event_into(&mut buffer) {
            Ok(Event::End(element))
                if matches!(
                    element.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                return Some(Step::Done)
            }
            Ok(Event::Start(element)) if element.name().as_ref() == "office:annotation" => {
                if let Some(step) = annotation(reader) {
                    return Some(step);
                }
            }
            Ok(Event::Eof) | Err(_) => return Some(Step::Stop),
            Ok(_) => {}
        }
    }
}

/// A cell's comment, read to its end tag; the end of the file is read
/// again and again. None: the comment ended.
fn annotation<R: BufRead>(reader: &mut XmlReader<R>) -> Option<Step> {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_event_into(&mut buffer) {
            Ok(Event::End(element)) if element.name().as_ref() == "office:annotation" => {
                return None
            }
            Ok(Event::Eof) => return Some(Step::Endless("ends inside a cell's comment")),
            Err(_) => return Some(Step::Stop),
            Ok(_) => {}
        }
    }
}
