//! The WebAssembly bindings: the only file that knows wasm-bindgen. Each
//! export converts its arguments, calls the core, and converts the result.

use wasm_bindgen::prelude::*;

use crate::analysis::AnalysisOptions;
use crate::ingest::mapping::Mapping;
use crate::ingest::ReadOptions;
use crate::report::PairDetail;
use crate::session::{ExportFormat, Session as CoreSession};

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&error.to_string()))
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

/// A file read once and kept in wasm memory; edits recompute without re-reading it.
#[wasm_bindgen]
pub struct Session {
    inner: CoreSession,
}

#[wasm_bindgen]
impl Session {
    /// Reads and analyses a file's bytes. `mapping` (optional) says where
    /// the table's parts are, as in `source.mapping`; `targets` (optional)
    /// are the bytes of a metadata sheet file named `targets_name`, whose
    /// targets and directions win over the file's. Throws an Error with
    /// the engine's message.
    pub fn open(
        bytes: &[u8],
        file_name: &str,
        sheet: Option<String>,
        mapping: JsValue,
        targets: Option<Vec<u8>>,
        targets_name: Option<String>,
    ) -> Result<Session, JsError> {
        let mapping = mapping_from(mapping)?;
        let targets = match targets {
            Some(bytes) => crate::ingest::read_targets(
                &bytes,
                targets_name.as_deref().unwrap_or("targets.csv"),
            )
            .map_err(js_error)?,
            None => Vec::new(),
        };
        let read = ReadOptions {
            sheet: sheet.filter(|name| !name.is_empty()),
            targets,
            mapping,
            today: today(),
        };
        // The page shows only significant pairs; its JSON export has them all.
        crate::ingest::read_table(bytes, file_name, &read)
            .map(|table| Session {
                inner: CoreSession::with_pair_detail(
                    table,
                    AnalysisOptions::default(),
                    PairDetail::Significant,
                ),
            })
            .map_err(js_error)
    }

    /// The report: the JSON contract as a plain object.
    pub fn report(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.report())
    }

    /// Sets or clears (empty text) a KPI's target; returns the patch
    /// `{kpi_index, kpi, suggestions}` to merge into the report.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, kpi: &str, text: &str) -> Result<JsValue, JsError> {
        self.inner.set_target(kpi, text).map_err(js_error)?;
        self.patch(kpi)
    }

    /// Sets a KPI's direction; returns the patch `{kpi_index, kpi, suggestions}`.
    #[wasm_bindgen(js_name = setDirection)]
    pub fn set_direction(&mut self, kpi: &str, direction: &str) -> Result<JsValue, JsError> {
        self.inner.set_direction(kpi, direction).map_err(js_error)?;
        self.patch(kpi)
    }

    fn patch(&self, kpi: &str) -> Result<JsValue, JsError> {
        let index = self.inner.kpi_index(kpi).map_err(js_error)?;
        let patch = self
            .inner
            .patch(index)
            .ok_or_else(|| JsError::new(&format!("there is no KPI named '{kpi}'")))?;
        to_js(&patch)
    }

    /// Accepts the suggested target of every KPI without one; returns the
    /// new report.
    #[wasm_bindgen(js_name = acceptSuggestedTargets)]
    pub fn accept_suggested_targets(&mut self) -> Result<JsValue, JsError> {
        self.inner.accept_suggested_targets();
        to_js(self.inner.report())
    }

    /// Undoes every edit of a KPI (target and direction as the file said);
    /// returns the patch `{kpi_index, kpi, suggestions}`.
    #[wasm_bindgen(js_name = resetKpi)]
    pub fn reset_kpi(&mut self, kpi: &str) -> Result<JsValue, JsError> {
        self.inner.reset_kpi(kpi).map_err(js_error)?;
        self.patch(kpi)
    }

    /// The one-sentence answer above the grid.
    pub fn headline(&self) -> String {
        self.inner.headline()
    }

    /// The plain sentences for one KPI: `{status, trend, forecast,
    /// anomalies, recent_anomalies, direction_assumed}`.
    pub fn describe(&self, kpi: &str) -> Result<JsValue, JsError> {
        let index = self.inner.kpi_index(kpi).map_err(js_error)?;
        to_js(&self.inner.describe(index))
    }

    /// A sentence without numbers for each pair of `report().lead_lag`, in order.
    #[wasm_bindgen(js_name = pairWords)]
    pub fn pair_words(&self) -> Vec<String> {
        self.inner.pair_words()
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

    /// Sets the forecast horizon in periods; returns the new report.
    #[wasm_bindgen(js_name = setHorizon)]
    pub fn set_horizon(&mut self, periods: u32) -> Result<JsValue, JsError> {
        let report = self.inner.set_horizon(periods as usize).map_err(js_error)?;
        to_js(report)
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
