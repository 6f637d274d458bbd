//! Regression tests, one per file that once broke kpilot, named after what
//! broke: hostile workbooks (found by hand, in calamine's bug reports or by
//! the fuzz targets in `fuzz/`) that must read, or fail with a clear error,
//! without costing more than the cells they hold.

use kpilot::ingest::{read_table, ReadOptions};

/// A dozen KPI rows and one cell at XFD1048576: the sheet's used range is
/// 17 billion cells, and reading it as a dense grid tried to allocate
/// 512 GB. Read sparsely, the stray cell is left out with a warning that
/// says where it was.
#[test]
fn a_stray_cell_at_the_last_cell_of_a_sheet_is_left_out() {
    let bytes = include_bytes!("../fixtures/regression_stray_cell.xlsx");
    let table = read_table(bytes, "regression_stray_cell.xlsx", &ReadOptions::default())
        .expect("the table beside the stray cell reads");
    assert_eq!(table.kpis.len(), 12);
    assert_eq!(table.periods.len(), 6);
    assert!(
        table.source.warnings.iter().any(|warning| warning
            == "Sheet 'KPIs': a lone cell at XFD1048576, far from the table, was left out."),
        "a warning names the stray cell: {:?}",
        table.source.warnings
    );
}

/// Found by `fuzz/` (read_table_xls): a compound file whose sector chain
/// names a sector that starts past the end of the file; calamine's sector
/// reader slices past its data and panics (a trap in the browser). The
/// prescan refuses it first.
#[test]
fn an_xls_sector_past_the_end_of_the_file_is_refused_before_calamine() {
    let bytes = include_bytes!("../fixtures/regression_xls_sector_past_the_end.xls");
    let error = read_table(
        bytes,
        "regression_xls_sector_past_the_end.xls",
        &ReadOptions::default(),
    )
    .expect_err("a damaged compound file");
    assert!(
        error
            .to_string()
            .contains("a sector chain of its compound file loops or points outside it"),
        "{error}"
    );
}

/// Found by `fuzz/` (read_table_xls): a Formula record whose token length
/// runs past the record; calamine slices the tokens by that length and
/// panics. The prescan refuses it first.
#[test]
fn an_xls_formula_longer_than_its_record_is_refused_before_calamine() {
    let bytes = include_bytes!("../fixtures/regression_xls_formula_longer_than_its_record.xls");
    let error = read_table(
        bytes,
        "regression_xls_formula_longer_than_its_record.xls",
        &ReadOptions::default(),
    )
    .expect_err("a damaged Formula record");
    assert!(
        error
            .to_string()
            .contains("a record is shorter than its kind"),
        "{error}"
    );
}

/// Whether calamine itself panics reading every sheet of an .xls (the
/// prescan is what keeps kpilot from calling it on such a file).
fn calamine_panics_on_xls(bytes: &'static [u8]) -> bool {
    use calamine::Reader;
    std::panic::catch_unwind(|| {
        if let Ok(mut workbook) = calamine::Xls::new(std::io::Cursor::new(bytes)) {
            for name in workbook.sheet_names() {
                let _ = workbook.worksheet_range(&name);
            }
        }
    })
    .is_err()
}

/// Found by `fuzz/` (read_table_xls): a compound file cut off inside an
/// allocation-table sector, a BIFF8 PtgArea token with fewer than its eight
/// bytes left in the formula, and a shared string whose extension flag
/// leaves fewer than the four bytes of its length. calamine 0.38 asserts or
/// indexes unchecked and panics (a trap in the browser); the prescan reads
/// the tables, the formula tokens and the shared strings as calamine does
/// and refuses them.
#[test]
fn xls_parts_cut_short_are_refused_before_calamine() {
    let cases: [(&'static [u8], &str, &str); 3] = [
        // A FAT sector cut off at the end of the file, not a whole number of
        // u32s: calamine's `to_u32` asserts (in release builds too).
        (
            include_bytes!("../fixtures/regression_xls_allocation_table_cut_short.xls"),
            "regression_xls_allocation_table_cut_short.xls",
            "it ends inside a sector of its compound file's allocation table",
        ),
        (
            include_bytes!("../fixtures/regression_xls_formula_area_token_short.xls"),
            "regression_xls_formula_area_token_short.xls",
            "a formula's token runs past the end of the formula",
        ),
        (
            include_bytes!("../fixtures/regression_xls_sst_rich_string_short.xls"),
            "regression_xls_sst_rich_string_short.xls",
            "a shared string runs past the end of its record",
        ),
    ];
    for (bytes, name, message) in cases {
        let error = read_table(bytes, name, &ReadOptions::default()).expect_err(name);
        assert!(error.to_string().contains(message), "{name}: {error}");
        // The guard is still needed: when calamine reads these without
        // panicking, its fix has landed and the walk can go.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let panics = calamine_panics_on_xls(bytes);
        std::panic::set_hook(hook);
        assert!(panics, "{name}: calamine no longer panics on it");
    }
}

/// Reads a file on another thread and gives up after 10 s: a file that
/// calamine would read forever fails the test instead of hanging it.
fn read_within_10_s(bytes: Vec<u8>, file: &'static str) -> Result<usize, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let read = read_table(&bytes, file, &ReadOptions::default());
        // The test may have given up waiting; nothing to tell then.
        let _ = sender.send(
            read.map(|table| table.kpis.len())
                .map_err(|error| error.to_string()),
        );
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{file}: read within 10 s, not a hang"))
}

/// Found by `fuzz/` (read_table_ods): a content.xml that stops inside its
/// sheet. calamine 0.38 reads on past the end of the file, forever (the
/// fuzz inputs ran over 60 s); the prescan refuses it first, at once.
#[test]
fn an_ods_sheet_without_its_end_is_refused_before_calamine() {
    let bytes = include_bytes!("../fixtures/regression_ods_sheet_without_end.ods").to_vec();
    let error = read_within_10_s(bytes, "regression_ods_sheet_without_end.ods")
        .expect_err("a sheet cut short");
    assert!(
        error.contains("sheet 'KPIs' has no end: the file is cut short or damaged"),
        "{error}"
    );
}

/// Found by `fuzz/` (read_table_ods, second round): a sheet whose sheet end
/// tag is swallowed by calamine's reading of its cells (a cell not closed is
/// skipped to its end tag), so calamine again reads past the end of the
/// file. The prescan walks content.xml as calamine does and refuses it.
///
/// And (third round) a cell with a malformed attribute (`office:date-valu…"`
/// without its `=`), which quick-xml's attribute reader refuses but
/// calamine's own reads on past: the walk reads attributes leniently since.
#[test]
fn an_ods_whose_cells_swallow_the_sheet_end_is_refused_before_calamine() {
    for content in [
        &include_bytes!("../fixtures/regression_ods_content_read_forever.xml")[..],
        &include_bytes!("../fixtures/regression_ods_malformed_attribute_read_forever.xml")[..],
    ] {
        let bytes = crate::fuzz_inputs::ods(content);
        let error = read_within_10_s(bytes, "fuzz.ods").expect_err("a damaged content.xml");
        assert!(
            error.contains("has no end: the file is cut short or damaged"),
            "{error}"
        );
    }
}

/// Found by `fuzz/` (read_table_xlsb): records shorter than calamine 0.38
/// indexes (an empty BrtWbProp, a BrtBundleSh cut inside its relationship
/// id, an empty cell record, a row header under 4 bytes) and a sheet named
/// by a relationship the workbook does not have. Each made calamine panic
/// (caught natively, the end of the module in the browser); the xlsb
/// prescan refuses them first, saying which record is wrong.
#[test]
fn xlsb_records_that_made_calamine_panic_are_refused_before_calamine() {
    let upstream = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/upstream");
    for (name, expected) in [
        (
            "xlsb_bundle_sheet_missing_relationship.parts",
            "which xl/_rels/workbook.bin.rels does not have",
        ),
        ("xlsb_bundle_sheet_short_record.parts", "BrtBundleSh record"),
        (
            "xlsb_workbook_property_empty.parts",
            "BrtWbProp record of 0 bytes",
        ),
        (
            "xlsb_cells_reader_empty_record.parts",
            "refers to shared string 0",
        ),
        ("xlsb_read_u32_short.parts", "the file is damaged"),
    ] {
        let parts = std::fs::read(upstream.join(name)).expect("a fuzz input");
        let bytes = crate::fuzz_inputs::xlsb(&parts);
        let error = read_table(&bytes, "fuzz.xlsb", &ReadOptions::default())
            .expect_err("a damaged workbook")
            .to_string();
        assert!(
            !error.contains("internal structure is inconsistent"),
            "{name}: calamine panicked (caught): {error}"
        );
        assert!(error.contains(expected), "{name}: {error}");
    }
}
