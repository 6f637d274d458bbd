//! The ranked suggestions as CSV, safe against formula injection.

use super::words::kind_word;
use super::Report;

/// A CSV cell: quoted when needed, and text that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
/// prefixed with `'` so it stays text.
pub fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn csv_number(value: Option<f64>) -> String {
    // Numbers are written by kpilot, never copied from the file; a leading
    // minus on a number is not a formula.
    value.map(|value| format!("{value}")).unwrap_or_default()
}

/// The suggestions as CSV, in the order the page shows them.
pub fn render_csv(report: &Report) -> String {
    let mut out = String::from("rank,kind,kpi,objective,objective_owner,key_result,owner,baseline,target,deadline,feasibility,change_per_period,target_basis,priority,shortlist,because,supports,also_supports,guardrails,new_kpi_target,add_kpis\n");
    for (rank, suggestion) in report.suggestions.iter().enumerate() {
        let feasibility = match suggestion.feasibility {
            Some(crate::suggest::Feasibility::Committed) => "committed",
            Some(crate::suggest::Feasibility::Stretch) => "stretch",
            None => "",
        };
        let cells = [
            (rank + 1).to_string(),
            csv_cell(kind_word(suggestion)),
            csv_cell(&suggestion.kpi),
            csv_cell(&suggestion.objective),
            csv_cell(suggestion.objective_owner.as_deref().unwrap_or_default()),
            csv_cell(&suggestion.key_result),
            csv_cell(suggestion.owner.as_deref().unwrap_or_default()),
            csv_number(suggestion.baseline),
            csv_number(suggestion.target),
            csv_cell(suggestion.deadline.as_deref().unwrap_or_default()),
            feasibility.to_string(),
            csv_number(suggestion.change_per_period),
            csv_cell(&suggestion.target_basis),
            format!("{}", suggestion.priority),
            suggestion.shortlist.to_string(),
            csv_cell(&suggestion.because),
            csv_cell(suggestion.supports.as_deref().unwrap_or_default()),
            csv_cell(&suggestion.also_supports.join("; ")),
            csv_cell(&suggestion.guardrails.join("; ")),
            csv_number(suggestion.new_kpi_target),
            csv_cell(&suggestion.add_kpis.join("; ")),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
