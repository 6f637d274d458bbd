//! The WebAssembly bindings: the only file that knows wasm-bindgen. Each
//! export converts its arguments, calls the core, and converts the result.

use wasm_bindgen::prelude::*;

use crate::analysis::AnalysisOptions;
use crate::ingest::mapping::Mapping;
use crate::ingest::ReadOptions;
use crate::report::PairDetail;
use crate::session::{ExportFormat, Opening as CoreOpening, Session as CoreSession};

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&error.to_string()))
}

/// Compact JSON: for what the page receives, one string crosses into
/// JavaScript (and on to the page) faster than a tree of objects built
/// through the bindings.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|error| JsError::new(&error.to_string()))
}

/// Today in the browser's clock (UTC), for months written without a year.
fn today() -> Option<chrono::NaiveDate> {
    let date = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        date.get_utc_full_year() as i32,
        date.get_utc_month() + 1,
        date.get_utc_date(),
    )
}

fn js_error(error: crate::Error) -> JsError {
    JsError::new(&error.to_string())
}

fn mapping_from(mapping: JsValue) -> Result<Mapping, JsError> {
    if mapping.is_undefined() || mapping.is_null() {
        return Ok(Mapping::default());
    }
    serde_wasm_bindgen::from_value(mapping)
        .map_err(|error| JsError::new(&format!("the mapping could not be read: {error}")))
}

/// The preview of a sheet for "Check how we read your file": its first rows
/// and columns as text, with the parts `mapping` names marked. Works on a
/// file whose reading failed.
#[wasm_bindgen(js_name = previewSheet)]
pub fn preview_sheet(
    bytes: &[u8],
    file_name: &str,
    sheet: Option<String>,
    mapping: JsValue,
) -> Result<JsValue, JsError> {
    let mapping = mapping_from(mapping)?;
    let preview = crate::ingest::preview::preview(bytes, file_name, sheet.as_deref(), &mapping)
        .map_err(js_error)?;
    to_js(&preview)
}

fn read_options(
    sheet: Option<String>,
    mapping: JsValue,
    targets: Option<Vec<u8>>,
    targets_name: Option<String>,
) -> Result<ReadOptions, JsError> {
    let mapping = mapping_from(mapping)?;
    let targets = match targets {
        Some(bytes) => {
            crate::ingest::read_targets(&bytes, targets_name.as_deref().unwrap_or("targets.csv"))
                .map_err(js_error)?
        }
        None => Vec::new(),
    };
    Ok(ReadOptions {
        sheet: sheet.filter(|name| !name.is_empty()),
        targets,
        mapping,
        today: today(),
    })
}

/// Memory set aside per byte of the file before reading it: reading a
/// 38 MB CSV peaks at 418 MiB of module memory (11×), a 9.6 MB workbook at
/// 259 MiB (27×: its XML is compressed, in a zip).
const RESERVE_PER_TEXT_BYTE: usize = 12;
const RESERVE_PER_ZIPPED_BYTE: usize = 32;
/// The most set aside at once (the page refuses files over 80 MB).
const MAX_RESERVE: usize = 1 << 30;

/// Grows the module's memory once, by about what reading a file of
/// `file` takes, and hands it to the allocator as free memory.
/// Otherwise the allocator grows the memory 64 KiB at a time as the read
/// allocates, and thousands of `memory.grow` calls (each one also makes V8
/// weigh a garbage collection) cost about a second on the first big file.
/// Pages set aside but never written take no physical memory.
fn reserve_memory(file: &[u8]) {
    let per_byte = if file.starts_with(b"PK") {
        RESERVE_PER_ZIPPED_BYTE
    } else {
        RESERVE_PER_TEXT_BYTE
    };
    let wanted = file.len().saturating_mul(per_byte).min(MAX_RESERVE);
    let mut block: Vec<u8> = Vec::new();
    // Too much to get is not an error: the read then grows the memory as it goes.
    if block.try_reserve_exact(wanted).is_ok() {
        // Kept from being optimised away; freed at once, into the
        // allocator's top chunk, which wasm memory never gives back.
        std::hint::black_box(&mut block);
    }
}

/// A file being opened in stages, so the worker can say how far it is:
/// `read`, then `analyseKpis`, `scanLeadLag` and `finish`.
#[wasm_bindgen]
pub struct Opening {
    inner: CoreOpening,
}

#[wasm_bindgen]
impl Opening {
    /// Reads a file's bytes (arguments as for `Session.open`); throws an
    /// Error with the engine's message.
    pub fn read(
        bytes: &[u8],
        file_name: &str,
        sheet: Option<String>,
        mapping: JsValue,
        targets: Option<Vec<u8>>,
        targets_name: Option<String>,
    ) -> Result<Opening, JsError> {
        let read = read_options(sheet, mapping, targets, targets_name)?;
        reserve_memory(bytes);
        // The page shows only significant pairs; its JSON export has them all.
        CoreOpening::read(
            bytes,
            file_name,
            &read,
            AnalysisOptions::default(),
            PairDetail::Significant,
        )
        .map(|inner| Opening { inner })
        .map_err(js_error)
    }

    /// The KPIs read.
    pub fn kpis(&self) -> usize {
        self.inner.kpis()
    }

    /// The periods read.
    pub fn periods(&self) -> usize {
        self.inner.periods()
    }

    /// The ordered pairs the lead/lag scan tests.
    pub fn pairs(&self) -> usize {
        self.inner.pairs()
    }

    /// Analyses every KPI on its own.
    #[wasm_bindgen(js_name = analyseKpis)]
    pub fn analyse_kpis(&mut self) {
        self.inner.analyse_kpis();
    }

    /// The lean report of the KPIs as analysed, before the lead/lag scan
    /// (JSON text with `lead_lag_pending: true`), for the page to show the
    /// grid while the pairs are tested; `undefined` before `analyseKpis` and
    /// after `scanLeadLag`.
    #[wasm_bindgen(js_name = reportBeforeScan)]
    pub fn report_before_scan(&self) -> Result<Option<String>, JsError> {
        self.inner.before_scan(|report| to_json(report)).transpose()
    }

    /// Tests every ordered pair of KPIs for a lead.
    #[wasm_bindgen(js_name = scanLeadLag)]
    pub fn scan_lead_lag(&mut self) {
        self.inner.scan_lead_lag();
    }

    /// The session (this object is used up).
    pub fn finish(self) -> Session {
        Session {
            inner: self.inner.finish(),
        }
    }
}

/// A file read once and kept in wasm memory; edits recompute without re-reading it.
#[wasm_bindgen]
pub struct Session {
    inner: CoreSession,
}

#[wasm_bindgen]
impl Session {
    /// Reads and analyses a file's bytes at once. `mapping` (optional) says
    /// where the table's parts are, as in `source.mapping`; `targets`
    /// (optional) are the bytes of a metadata sheet file named
    /// `targets_name`, whose targets and directions win over the file's.
    /// Throws an Error with the engine's message.
    pub fn open(
        bytes: &[u8],
        file_name: &str,
        sheet: Option<String>,
        mapping: JsValue,
        targets: Option<Vec<u8>>,
        targets_name: Option<String>,
    ) -> Result<Session, JsError> {
        Ok(Opening::read(bytes, file_name, sheet, mapping, targets, targets_name)?.finish())
    }

    /// The lean report as JSON text: per KPI what the grid shows and a
    /// sparkline's points, the period labels once, the significant pairs
    /// with their sentences, the suggestions and the headline.
    pub fn report(&self) -> Result<String, JsError> {
        to_json(&self.inner.lean_report())
    }

    /// The lean report as a plain object (for measuring against `report`).
    #[wasm_bindgen(js_name = reportObject)]
    pub fn report_object(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.lean_report())
    }

    /// The KPI at `index` of the report in full, as JSON text
    /// `{kpi, words}`: its entry of the JSON contract without `periods`
    /// (the report's), and its plain sentences.
    pub fn kpi(&self, index: usize) -> Result<String, JsError> {
        let detail = self
            .inner
            .kpi_detail(index)
            .ok_or_else(|| JsError::new(&format!("there is no KPI number {index}")))?;
        to_json(&detail)
    }

    /// Sets or clears (empty text) a KPI's target; returns the patch as
    /// JSON text `{kpi_index, kpi, suggestions, headline}` (`kpi` a lean
    /// entry) to merge into the report.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, kpi: &str, text: &str) -> Result<String, JsError> {
        let index = self.inner.set_target(kpi, text).map_err(js_error)?;
        self.patch(index)
    }

    /// Sets a KPI's direction; returns the patch (as `setTarget`).
    #[wasm_bindgen(js_name = setDirection)]
    pub fn set_direction(&mut self, kpi: &str, direction: &str) -> Result<String, JsError> {
        let index = self.inner.set_direction(kpi, direction).map_err(js_error)?;
        self.patch(index)
    }

    fn patch(&self, index: usize) -> Result<String, JsError> {
        let patch = self
            .inner
            .patch(index)
            .ok_or_else(|| JsError::new(&format!("there is no KPI number {index}")))?;
        to_json(&patch)
    }

    /// Accepts the suggested target of every KPI without one; returns the
    /// new lean report (JSON text).
    #[wasm_bindgen(js_name = acceptSuggestedTargets)]
    pub fn accept_suggested_targets(&mut self) -> Result<String, JsError> {
        self.inner.accept_suggested_targets();
        self.report()
    }

    /// Undoes every edit of a KPI (target and direction as the file said);
    /// returns the patch (as `setTarget`).
    #[wasm_bindgen(js_name = resetKpi)]
    pub fn reset_kpi(&mut self, kpi: &str) -> Result<String, JsError> {
        let index = self.inner.reset_kpi(kpi).map_err(js_error)?;
        self.patch(index)
    }

    /// The one-sentence answer above the grid.
    pub fn headline(&self) -> String {
        self.inner.headline()
    }

    /// The targets and directions as a metadata sheet: `csv` (UTF-8 bytes) or `xlsx`.
    pub fn metadata(&self, format: &str) -> Result<Vec<u8>, JsError> {
        match format {
            "csv" => Ok(self.inner.metadata_csv().into_bytes()),
            "xlsx" => Ok(self.inner.metadata_xlsx()),
            other => Err(JsError::new(&format!(
                "unknown metadata format '{other}': use csv or xlsx"
            ))),
        }
    }

    /// Sets the forecast horizon in periods; returns the new lean report
    /// (JSON text).
    #[wasm_bindgen(js_name = setHorizon)]
    pub fn set_horizon(&mut self, periods: u32) -> Result<String, JsError> {
        self.inner.set_horizon(periods as usize).map_err(js_error)?;
        self.report()
    }

    /// The report as `md`, `csv`, `json` or `html` text.
    pub fn export(&self, format: &str) -> Result<String, JsError> {
        let format: ExportFormat = format.parse().map_err(js_error)?;
        Ok(self.inner.export(format))
    }

    /// The workbook's sheet names (empty for CSV).
    pub fn sheets(&self) -> Vec<String> {
        self.inner.sheets().to_vec()
    }
}
