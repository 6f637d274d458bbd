//! A session: a file read once and kept, so that editing a target, a
//! direction or the horizon recomputes the analysis without re-reading the
//! file. The web page and the command line both go through it: the command
//! line asks for the full report (the JSON contract), the page for the lean
//! report and, when a KPI's detail opens, for that KPI alone. A session can
//! be opened in stages (`Opening`), so a caller can say how far it is.

use std::cell::OnceCell;

use serde::Serialize;

use crate::analysis::{self, Analysis, AnalysisOptions, KpiAnalysis};
use crate::error::{Error, Result};
use crate::html::words::{self, KpiWords};
use crate::ingest::{self, ReadOptions};
use crate::model::{Direction, DirectionSource, KpiMeta, KpiTable, Target, TargetKind};
use crate::report::lean::{self, LeanParts, LeanReport};
use crate::report::{self, KpiPatch, PairDetail, Relations, Report};
use crate::suggest::{self, Suggestion};

/// A parsed table with its current analysis; the full report is built when
/// it is first asked for.
pub struct Session {
    table: KpiTable,
    options: AnalysisOptions,
    analysis: Analysis,
    /// Leaders and followers per KPI: they depend on the values only.
    relations: Relations,
    pair_detail: PairDetail,
    suggestions: Vec<Suggestion>,
    /// The period labels, once.
    labels: Vec<String>,
    /// The full report, built on first use and kept up to date by edits.
    report: OnceCell<Report>,
    /// Each KPI's metadata as the file gave it, so an edit can be undone exactly.
    as_read: Vec<KpiMeta>,
    /// What the headline reads of each KPI (name, health, attention), kept
    /// so an edit re-reads one KPI rather than the whole analysis.
    headline_rows: Vec<serde_json::Value>,
}

/// A KPI's full entry of the JSON contract and its sentences: what the
/// page's detail view shows. `kpi` has no `periods`: they are the lean
/// report's, sent once.
#[derive(Clone, Debug, Serialize)]
pub struct KpiDetail {
    pub kpi: serde_json::Value,
    pub words: KpiWords,
}

/// A session being opened in stages: read, then each KPI analysed, then
/// the lead/lag scan; `finish` makes the session. `Session::open` runs the
/// same stages at once.
pub struct Opening {
    table: KpiTable,
    options: AnalysisOptions,
    pair_detail: PairDetail,
    analysis: Option<Analysis>,
    scanned: bool,
}

impl Opening {
    /// Reads the file (the first stage).
    pub fn read(
        bytes: &[u8],
        file: &str,
        read: &ReadOptions,
        options: AnalysisOptions,
        pair_detail: PairDetail,
    ) -> Result<Opening> {
        Ok(Opening::from_table(
            ingest::read_table(bytes, file, read)?,
            options,
            pair_detail,
        ))
    }

    /// A table already read.
    pub fn from_table(
        table: KpiTable,
        options: AnalysisOptions,
        pair_detail: PairDetail,
    ) -> Opening {
        Opening {
            table,
            options,
            pair_detail,
            analysis: None,
            scanned: false,
        }
    }

    /// The KPIs read.
    pub fn kpis(&self) -> usize {
        self.table.kpis.len()
    }

    /// The periods read.
    pub fn periods(&self) -> usize {
        self.table.periods.len()
    }

    /// The ordered pairs the lead/lag scan will test.
    pub fn pairs(&self) -> usize {
        self.kpis() * self.kpis().saturating_sub(1)
    }

    /// Analyses every KPI on its own (the second stage).
    pub fn analyse_kpis(&mut self) {
        if self.analysis.is_none() {
            self.analysis = Some(analysis::analyze_kpis_only(
                &self.table,
                &self.options,
                analysis::Slopes::SignFirst,
            ));
        }
    }

    /// Tests every ordered pair of KPIs for a lead (the third stage).
    pub fn scan_lead_lag(&mut self) {
        self.analyse_kpis();
        if let (Some(analysis), false) = (self.analysis.as_mut(), self.scanned) {
            analysis::complete_slopes(&self.table, analysis);
            analysis.lead_lag = analysis::lead_lag(&self.table, analysis, &self.options);
            self.scanned = true;
        }
    }

    /// Calls `show` with the lean report of the KPIs as analysed, when they
    /// are and the lead/lag scan has not run yet: its `lead_lag` is empty and
    /// `lead_lag_pending` set, its key results do not yet know which KPIs
    /// lead others. The page shows the grid from it while the pairs are
    /// tested. `None` before `analyse_kpis` and after `scan_lead_lag`.
    pub fn before_scan<T>(&self, show: impl FnOnce(&LeanReport<'_>) -> T) -> Option<T> {
        let analysis = self.analysis.as_ref().filter(|_| !self.scanned)?;
        let labels = report::period_labels(&self.table);
        let suggestions = suggest::suggest(&self.table, analysis);
        let rows = headline_rows(&self.table, analysis);
        Some(show(&lean::build(LeanParts {
            table: &self.table,
            analysis,
            labels: &labels,
            lead_lag: Vec::new(),
            pair_words: Vec::new(),
            suggestions: &suggestions,
            headline: headline_of(&rows),
            lead_lag_pending: true,
        })))
    }

    /// The session, with whatever stage is left run first.
    pub fn finish(mut self) -> Session {
        self.scan_lead_lag();
        let analysis = self
            .analysis
            .take()
            .unwrap_or_else(|| analysis::analyze(&self.table, &self.options));
        Session::assemble(self.table, self.options, analysis, self.pair_detail)
    }
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
        Ok(Opening::read(bytes, file, read, options, PairDetail::All)?.finish())
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
        Opening::from_table(table, options, pair_detail).finish()
    }

    fn assemble(
        table: KpiTable,
        options: AnalysisOptions,
        analysis: Analysis,
        pair_detail: PairDetail,
    ) -> Session {
        let relations = Relations::new(&table, &analysis);
        let suggestions = suggest::suggest(&table, &analysis);
        let headline_rows = headline_rows(&table, &analysis);
        Session {
            labels: report::period_labels(&table),
            headline_rows,
            as_read: table.kpis.clone(),
            table,
            options,
            analysis,
            relations,
            pair_detail,
            suggestions,
            report: OnceCell::new(),
        }
    }

    /// The KPI at `index` (its lean entry), the suggestions and the
    /// headline, as changed by the last edit.
    pub fn patch(&self, index: usize) -> Option<KpiPatch<'_>> {
        Some(KpiPatch {
            kpi_index: index,
            kpi: lean::lean_kpi(&self.table, &self.analysis, index)?,
            suggestions: &self.suggestions,
            headline: self.headline(),
        })
    }

    /// The full report (the JSON contract), built on first use.
    pub fn report(&self) -> &Report {
        self.report.get_or_init(|| {
            report::build(
                &self.table,
                &self.analysis,
                self.suggestions.clone(),
                self.pair_detail,
            )
        })
    }

    /// The lean report: what the page renders at once.
    pub fn lean_report(&self) -> LeanReport<'_> {
        let lead_lag =
            report::lead_lag_reports(&self.table, &self.analysis, PairDetail::Significant);
        let frequency = self.frequency_word();
        let pair_words = lead_lag
            .iter()
            .map(|pair| {
                serde_json::to_value(pair)
                    .map(|pair| words::pair_sentence(&pair, &frequency))
                    .unwrap_or_default()
            })
            .collect();
        lean::build(LeanParts {
            table: &self.table,
            analysis: &self.analysis,
            labels: &self.labels,
            lead_lag,
            pair_words,
            suggestions: &self.suggestions,
            headline: self.headline(),
            lead_lag_pending: false,
        })
    }

    /// The KPI at `index` in full (without the period labels) and its
    /// sentences, for its detail view.
    pub fn kpi_detail(&self, index: usize) -> Option<KpiDetail> {
        let kpi = report::kpi_report(
            &self.table,
            &self.analysis,
            &self.relations,
            &self.labels,
            index,
        )?;
        let mut kpi = serde_json::to_value(&kpi).ok()?;
        let words = self.words_of(&kpi);
        if let Some(fields) = kpi.as_object_mut() {
            fields.remove("periods");
        }
        Some(KpiDetail { kpi, words })
    }

    /// The current suggestions.
    pub fn suggestions(&self) -> &[Suggestion] {
        &self.suggestions
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
    /// the KPI's direction). Only that KPI and the suggestions are
    /// recomputed. Returns the KPI's index.
    pub fn set_target(&mut self, kpi: &str, text: &str) -> Result<usize> {
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
        Ok(index)
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
            self.refresh_kpi_only(*index);
        }
        if !accepted.is_empty() {
            self.refresh_suggestions();
        }
        accepted.len()
    }

    /// Sets a KPI's direction (`higher_is_better` / `lower_is_better`, or
    /// words like "higher is better"). A one-sided target turns with it.
    /// Returns the KPI's index.
    pub fn set_direction(&mut self, kpi: &str, direction: &str) -> Result<usize> {
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
        Ok(index)
    }

    /// Puts a KPI's target and direction back to what the file said,
    /// undoing every edit of it. Returns the KPI's index.
    pub fn reset_kpi(&mut self, kpi: &str) -> Result<usize> {
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
        Ok(index)
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
        headline_of(&self.headline_rows)
    }

    /// The plain sentences for the KPI at `index`.
    pub fn describe(&self, index: usize) -> Option<KpiWords> {
        let kpi = report::kpi_report(
            &self.table,
            &self.analysis,
            &self.relations,
            &self.labels,
            index,
        )?;
        Some(self.words_of(&serde_json::to_value(&kpi).ok()?))
    }

    fn words_of(&self, kpi: &serde_json::Value) -> KpiWords {
        words::kpi_words(kpi, &self.frequency_word(), Some(self.analysis.horizon))
    }

    /// The sheet's frequency as the contract writes it (`monthly`).
    fn frequency_word(&self) -> String {
        serde_json::to_value(self.table.source.frequency)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_else(|| "irregular".to_string())
    }

    /// A sentence without numbers for each lead/lag pair of the full
    /// report, in its order.
    pub fn pair_words(&self) -> Vec<String> {
        let frequency = self.frequency_word();
        self.report()
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
    pub fn set_horizon(&mut self, periods: usize) -> Result<()> {
        if periods == 0 || periods > 1_000 {
            return Err(Error::Invalid(format!(
                "the horizon must be 1 to 1000 periods, not {periods}"
            )));
        }
        self.options.horizon = Some(periods);
        // The lead/lag results do not depend on the horizon: keep them.
        let lead_lag = std::mem::take(&mut self.analysis.lead_lag);
        let mut fresh =
            analysis::analyze_kpis_only(&self.table, &self.options, analysis::Slopes::Now);
        fresh.lead_lag = lead_lag;
        self.analysis = fresh;
        self.refresh_suggestions();
        self.headline_rows = headline_rows(&self.table, &self.analysis);
        self.report = OnceCell::new();
        Ok(())
    }

    /// The report in one of the export formats.
    pub fn export(&self, format: ExportFormat) -> String {
        match format {
            ExportFormat::Json if self.pair_detail != PairDetail::All => {
                report::render_json(&report::build(
                    &self.table,
                    &self.analysis,
                    self.suggestions.clone(),
                    PairDetail::All,
                ))
            }
            ExportFormat::Json => report::render_json(self.report()),
            ExportFormat::Markdown => report::render_markdown(self.report()),
            ExportFormat::Csv => report::render_csv(self.report()),
            ExportFormat::Table => report::render_table(self.report()),
            ExportFormat::Html => crate::html::render_html(self.report()),
        }
    }

    /// Recomputes one KPI and the suggestions after an edit of it.
    fn refresh_kpi(&mut self, index: usize) {
        self.refresh_kpi_only(index);
        self.refresh_suggestions();
    }

    fn refresh_kpi_only(&mut self, index: usize) {
        let future = self.analysis.forecast_labels.clone();
        if let (Some(meta), Some(slot)) = (
            self.table.kpis.get(index),
            self.analysis.kpis.get_mut(index),
        ) {
            let frequency = self.table.source.frequency;
            let sheet = analysis::SheetContext {
                frequency,
                seasons: analysis::profile::seasons_of(frequency, self.table.periods.first()),
                labels: &self.labels,
                future_labels: &future,
                horizon: self.analysis.horizon,
                slopes: analysis::Slopes::Now,
            };
            *slot = analysis::analyze_kpi(&self.table.values_of(index), meta, &sheet);
        }
        if let (Some(meta), Some(kpi), Some(row)) = (
            self.table.kpis.get(index),
            self.analysis.kpis.get(index),
            self.headline_rows.get_mut(index),
        ) {
            *row = headline_row(meta, kpi);
        }
        // Only this KPI's part of a full report built already changes.
        if let Some(full) = self.report.get_mut() {
            if let (Some(fresh), Some(slot)) = (
                report::kpi_report(
                    &self.table,
                    &self.analysis,
                    &self.relations,
                    &self.labels,
                    index,
                ),
                full.kpis.get_mut(index),
            ) {
                *slot = fresh;
            }
        }
    }

    fn refresh_suggestions(&mut self) {
        self.suggestions = suggest::suggest(&self.table, &self.analysis);
        if let Some(full) = self.report.get_mut() {
            full.suggestions.clone_from(&self.suggestions);
        }
    }
}

/// The headline of KPIs given as [`headline_row`]s.
fn headline_of(rows: &[serde_json::Value]) -> String {
    words::headline(&serde_json::json!({ "kpis": rows }))
}

/// Every KPI's [`headline_row`].
fn headline_rows(table: &KpiTable, analysis: &Analysis) -> Vec<serde_json::Value> {
    table
        .kpis
        .iter()
        .zip(&analysis.kpis)
        .map(|(meta, kpi)| headline_row(meta, kpi))
        .collect()
}

/// The fields of a KPI the headline reads, as the report writes them.
fn headline_row(meta: &KpiMeta, kpi: &KpiAnalysis) -> serde_json::Value {
    serde_json::json!({
        "name": meta.name,
        "health": kpi.health,
        "attention": kpi.attention_reason.as_ref().map(|_| "watch"),
    })
}
