//! A session: a file read once and kept, so that editing a target, a
//! direction or the horizon recomputes the analysis without re-reading the
//! file. The web page and the command line both go through it.

use crate::analysis::{self, Analysis, AnalysisOptions};
use crate::error::{Error, Result};
use crate::html::words::{self, KpiWords};
use crate::ingest::{self, ReadOptions};
use crate::model::{Direction, DirectionSource, KpiMeta, KpiTable, Target, TargetKind};
use crate::report::{self, KpiPatch, PairDetail, Relations, Report};
use crate::suggest;

/// A parsed table with its current analysis and report.
pub struct Session {
    table: KpiTable,
    options: AnalysisOptions,
    analysis: Analysis,
    /// Leaders and followers per KPI: they depend on the values only.
    relations: Relations,
    pair_detail: PairDetail,
    report: Report,
    /// Each KPI's metadata as the file gave it, so an edit can be undone exactly.
    as_read: Vec<KpiMeta>,
    /// What the headline reads of each KPI (name, health, attention), kept
    /// so an edit re-reads one KPI rather than serialising the whole report.
    headline_rows: Vec<serde_json::Value>,
}

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Markdown,
    Csv,
    Table,
    /// The self-contained HTML report.
    Html,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;

    fn from_str(text: &str) -> Result<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(ExportFormat::Json),
            "md" | "markdown" => Ok(ExportFormat::Markdown),
            "csv" => Ok(ExportFormat::Csv),
            "table" | "text" => Ok(ExportFormat::Table),
            "html" => Ok(ExportFormat::Html),
            other => Err(Error::Invalid(format!(
                "unknown format '{other}': use json, md, csv, html or table"
            ))),
        }
    }
}

impl Session {
    /// Reads a file and analyses it.
    pub fn open(
        bytes: &[u8],
        file: &str,
        read: &ReadOptions,
        options: AnalysisOptions,
    ) -> Result<Session> {
        let table = ingest::read_table(bytes, file, read)?;
        Ok(Session::from_table(table, options))
    }

    /// Analyses a table that is already read.
    pub fn from_table(table: KpiTable, options: AnalysisOptions) -> Session {
        Session::with_pair_detail(table, options, PairDetail::All)
    }

    /// Analyses a table; the report lists the pairs `pair_detail` asks for
    /// (exports always list every pair).
    pub fn with_pair_detail(
        table: KpiTable,
        options: AnalysisOptions,
        pair_detail: PairDetail,
    ) -> Session {
        let analysis = analysis::analyze(&table, &options);
        let relations = Relations::new(&table, &analysis);
        let report = report::build(
            &table,
            &analysis,
            suggest::suggest(&table, &analysis),
            pair_detail,
        );
        Session {
            headline_rows: report.kpis.iter().map(headline_row).collect(),
            as_read: table.kpis.clone(),
            table,
            options,
            analysis,
            relations,
            pair_detail,
            report,
        }
    }

    /// The KPI at `index` and the suggestions, as changed by the last edit.
    pub fn patch(&self, index: usize) -> Option<KpiPatch<'_>> {
        Some(KpiPatch {
            kpi_index: index,
            kpi: self.report.kpis.get(index)?,
            suggestions: &self.report.suggestions,
        })
    }

    /// The current report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The table as read.
    pub fn table(&self) -> &KpiTable {
        &self.table
    }

    /// The workbook's sheet names (empty for text files).
    pub fn sheets(&self) -> &[String] {
        &self.table.sheets
    }

    /// The index of a KPI by name, or an error naming it.
    pub fn kpi_index(&self, kpi: &str) -> Result<usize> {
        self.table
            .kpi_index(kpi)
            .ok_or_else(|| Error::Invalid(format!("there is no KPI named '{kpi}' in this file")))
    }

    /// Sets (or, with empty text, clears) a KPI's target from text such as
    /// `<= 7.5`, `>= 70`, `between 95 and 105` or a plain number (read in
    /// the KPI's direction). Only that KPI and the suggestions are recomputed.
    pub fn set_target(&mut self, kpi: &str, text: &str) -> Result<&Report> {
        let index = self.kpi_index(kpi)?;
        let meta = self
            .table
            .kpis
            .get(index)
            .ok_or_else(|| Error::Invalid(kpi.to_string()))?;
        let target = if text.trim().is_empty() {
            None
        } else {
            let target = ingest::target::parse_target(text, false, Some(meta.direction), "user")
                .ok_or_else(|| Error::Invalid(format!("could not read '{}' as a target; write it like '<= 7.5', '>= 70' or 'between 95 and 105'", text.trim())))?;
            Some(target)
        };
        if let Some(meta) = self.table.kpis.get_mut(index) {
            if let Some(implied) = target.as_ref().and_then(Target::implied_direction) {
                meta.direction = implied;
                meta.direction_source = DirectionSource::User;
            }
            meta.target = target;
            // The user's target replaces a plan's per-period targets.
            meta.target_history = None;
        }
        self.refresh_kpi(index);
        Ok(&self.report)
    }

    /// Accepts the suggested target (from the KPI's own history, with its
    /// basis) of every KPI that has none, in one action. Returns how many
    /// were set; each keeps its basis as its source (`suggested: …`), so the
    /// key results drafted from them say so.
    pub fn accept_suggested_targets(&mut self) -> usize {
        let mut accepted = Vec::new();
        for (index, (meta, kpi)) in self
            .table
            .kpis
            .iter_mut()
            .zip(&self.analysis.kpis)
            .enumerate()
        {
            if let (None, Some(suggested)) = (&meta.target, &kpi.suggested_target) {
                meta.target = Some(suggested.target.clone());
                meta.target_history = None;
                accepted.push(index);
            }
        }
        for index in &accepted {
            self.refresh_kpi(*index);
        }
        accepted.len()
    }

    /// Sets a KPI's direction (`higher_is_better` / `lower_is_better`, or
    /// words like "higher is better"). A one-sided target turns with it.
    pub fn set_direction(&mut self, kpi: &str, direction: &str) -> Result<&Report> {
        let index = self.kpi_index(kpi)?;
        let direction = ingest::target::parse_direction(direction).ok_or_else(|| {
            Error::Invalid(format!(
                "unknown direction '{direction}': use higher_is_better or lower_is_better"
            ))
        })?;
        if let Some(meta) = self.table.kpis.get_mut(index) {
            meta.direction = direction;
            meta.direction_source = DirectionSource::User;
            if let Some(target) = meta.target.as_mut() {
                let kind = match (target.kind, direction) {
                    (TargetKind::AtLeast, Direction::LowerIsBetter) => Some(TargetKind::AtMost),
                    (TargetKind::AtMost, Direction::HigherIsBetter) => Some(TargetKind::AtLeast),
                    _ => None,
                };
                if let Some(kind) = kind {
                    target.kind = kind;
                    target.source = "user".to_string();
                }
            }
        }
        self.refresh_kpi(index);
        Ok(&self.report)
    }

    /// Puts a KPI's target and direction back to what the file said,
    /// undoing every edit of it.
    pub fn reset_kpi(&mut self, kpi: &str) -> Result<&Report> {
        let index = self.kpi_index(kpi)?;
        if let (Some(meta), Some(original)) =
            (self.table.kpis.get_mut(index), self.as_read.get(index))
        {
            meta.target.clone_from(&original.target);
            meta.target_history.clone_from(&original.target_history);
            meta.direction = original.direction;
            meta.direction_source = original.direction_source;
        }
        self.refresh_kpi(index);
        Ok(&self.report)
    }

    /// The current targets and directions as a metadata sheet in CSV, which
    /// kpilot reads back (`--targets`, or loaded with the data file).
    pub fn metadata_csv(&self) -> String {
        crate::metadata_sheet::to_csv(&self.table)
    }

    /// The same metadata sheet as an XLSX workbook.
    pub fn metadata_xlsx(&self) -> Vec<u8> {
        crate::metadata_sheet::to_xlsx(&self.table)
    }

    /// The one-sentence answer above the grid.
    pub fn headline(&self) -> String {
        words::headline(&serde_json::json!({ "kpis": self.headline_rows }))
    }

    /// The plain sentences for the KPI at `index`.
    pub fn describe(&self, index: usize) -> Option<KpiWords> {
        let kpi = serde_json::to_value(self.report.kpis.get(index)?).ok()?;
        let frequency = serde_json::to_value(self.table.source.frequency).ok()?;
        Some(words::kpi_words(
            &kpi,
            frequency.as_str().unwrap_or("irregular"),
            Some(self.report.horizon),
        ))
    }

    /// A sentence without numbers for each lead/lag pair of the report, in its order.
    pub fn pair_words(&self) -> Vec<String> {
        let frequency = serde_json::to_value(self.table.source.frequency)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        self.report
            .lead_lag
            .iter()
            .map(|pair| {
                serde_json::to_value(pair)
                    .map(|pair| words::pair_sentence(&pair, &frequency))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Sets the forecast horizon (periods) and recomputes everything that depends on it.
    pub fn set_horizon(&mut self, periods: usize) -> Result<&Report> {
        if periods == 0 || periods > 1_000 {
            return Err(Error::Invalid(format!(
                "the horizon must be 1 to 1000 periods, not {periods}"
            )));
        }
        self.options.horizon = Some(periods);
        // The lead/lag results do not depend on the horizon: keep them.
        let lead_lag = std::mem::take(&mut self.analysis.lead_lag);
        let mut fresh = analysis::analyze_kpis_only(&self.table, &self.options);
        fresh.lead_lag = lead_lag;
        self.analysis = fresh;
        self.rebuild_report();
        Ok(&self.report)
    }

    /// The report in one of the export formats.
    pub fn export(&self, format: ExportFormat) -> String {
        match format {
            ExportFormat::Json if self.pair_detail != PairDetail::All => {
                let suggestions = self.report.suggestions.clone();
                report::render_json(&report::build(
                    &self.table,
                    &self.analysis,
                    suggestions,
                    PairDetail::All,
                ))
            }
            ExportFormat::Json => report::render_json(&self.report),
            ExportFormat::Markdown => report::render_markdown(&self.report),
            ExportFormat::Csv => report::render_csv(&self.report),
            ExportFormat::Table => report::render_table(&self.report),
            ExportFormat::Html => crate::html::render_html(&self.report),
        }
    }

    fn refresh_kpi(&mut self, index: usize) {
        let labels = report::period_labels(&self.table);
        let future = self.analysis.forecast_labels.clone();
        if let (Some(meta), Some(slot)) = (
            self.table.kpis.get(index),
            self.analysis.kpis.get_mut(index),
        ) {
            let frequency = self.table.source.frequency;
            let sheet = analysis::SheetContext {
                frequency,
                seasons: analysis::profile::seasons_of(frequency, self.table.periods.first()),
                labels: &labels,
                future_labels: &future,
                horizon: self.analysis.horizon,
            };
            *slot = analysis::analyze_kpi(&self.table.values_of(index), meta, &sheet);
        }
        // Only this KPI's part of the report and the suggestions change.
        if let (Some(fresh), Some(slot)) = (
            report::kpi_report(&self.table, &self.analysis, &self.relations, &labels, index),
            self.report.kpis.get_mut(index),
        ) {
            *slot = fresh;
        }
        if let (Some(kpi), Some(row)) = (
            self.report.kpis.get(index),
            self.headline_rows.get_mut(index),
        ) {
            *row = headline_row(kpi);
        }
        self.report.suggestions = suggest::suggest(&self.table, &self.analysis);
    }

    fn rebuild_report(&mut self) {
        let suggestions = suggest::suggest(&self.table, &self.analysis);
        self.report = report::build(&self.table, &self.analysis, suggestions, self.pair_detail);
        self.headline_rows = self.report.kpis.iter().map(headline_row).collect();
    }
}

/// The fields of a KPI the headline reads, taken from its JSON so that
/// fields the contract adds (`attention`) come along when they exist.
fn headline_row(kpi: &report::KpiReport) -> serde_json::Value {
    let full = serde_json::to_value(kpi).unwrap_or_default();
    let pick = |key: &str| full.get(key).cloned().unwrap_or_default();
    serde_json::json!({
        "name": pick("name"),
        "health": pick("health"),
        "attention": pick("attention"),
    })
}
