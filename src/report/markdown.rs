//! The Markdown brief: an OKR draft a team lead pastes into the planning
//! document.

use super::words::{
    forecast_words, frequency_word, health_word, kind_word, latest_words, verdict_word,
};
use super::{LeadLagReport, Report, DISCLAIMER};
use crate::analysis::health::Health;
use crate::suggest::wording::target_words;
use crate::suggest::{Suggestion, SuggestionKind};

/// Markdown text safe to put in a table cell or a line.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(character);
            }
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// The OKR draft: the headline, the objectives with their key results
/// (owner, committed or stretch, basis), further candidates, the watch
/// list and the lifecycle advice, sorted as the page shows them; then the
/// KPI table, suggested targets, leading indicators and notes on the file.
pub fn render_markdown(report: &Report) -> String {
    let source = &report.source.info;
    let count = |health: Health| {
        report
            .kpis
            .iter()
            .filter(|kpi| kpi.health == health)
            .count()
    };
    let mut out = format!(
        "# OKR draft — {}\n\n{} KPIs over {} {} periods: **{} breached**, **{} at risk**, {} recovering, {} healthy, {} without a target.\n\n",
        markdown_text(&source.file),
        report.kpis.len(),
        source.periods,
        frequency_word(source.frequency),
        count(Health::Breached),
        count(Health::AtRisk),
        count(Health::Recovering),
        count(Health::Healthy),
        count(Health::NoTarget),
    );
    let without_target = count(Health::NoTarget);
    if without_target == report.kpis.len() && !report.kpis.is_empty() {
        out.push_str(&format!(
            "None of your {} KPIs has a target, so kpilot can't judge their health yet. Suggested targets from each KPI's history are listed below; set or accept them to draft key results.\n\n",
            report.kpis.len()
        ));
    }
    if !matches!(source.confidence, crate::model::Confidence::High) {
        out.push_str("> **Check how the file was read:** ");
        out.push_str(&markdown_text(&source.doubts.join(" ")));
        out.push_str("\n\n");
    }
    let key_results: Vec<&Suggestion> = report
        .suggestions
        .iter()
        .filter(|s| s.is_key_result())
        .collect();
    let shortlist: Vec<&Suggestion> = key_results
        .iter()
        .copied()
        .filter(|s| s.shortlist)
        .collect();
    let further: Vec<&Suggestion> = key_results
        .iter()
        .copied()
        .filter(|s| !s.shortlist)
        .collect();
    if key_results.is_empty() {
        out.push_str(if report.kpis.iter().any(|kpi| kpi.target.is_some()) {
            "## Objectives\n\nNo KPI with a target needs a key result right now.\n\n"
        } else {
            "## Objectives\n\nNo key results yet: they need targets.\n\n"
        });
    } else {
        out.push_str("## Objectives\n\n");
        write_objectives(&mut out, &shortlist);
        if !further.is_empty() {
            out.push_str("## Further candidates\n\n");
            write_objectives(&mut out, &further);
        }
    }
    let watch: Vec<&Suggestion> = report
        .suggestions
        .iter()
        .filter(|s| s.kind == SuggestionKind::Watch)
        .collect();
    if !watch.is_empty() {
        out.push_str("## Watch list\n\n");
        for item in watch {
            out.push_str(&format!(
                "- **{}** — {}\n",
                markdown_text(&item.kpi),
                markdown_text(&item.because)
            ));
        }
        out.push('\n');
    }
    let returning: Vec<&Suggestion> = report
        .suggestions
        .iter()
        .filter(|s| s.kind == SuggestionKind::ReturnToKpi)
        .collect();
    let keep: Vec<&str> = report
        .suggestions
        .iter()
        .filter(|s| s.kind == SuggestionKind::KeepAsKpi)
        .map(|s| s.kpi.as_str())
        .collect();
    if !returning.is_empty() || !keep.is_empty() {
        out.push_str("## Back on the dashboard\n\n");
        for item in returning {
            out.push_str(&format!(
                "- **{}** — {}\n",
                markdown_text(&item.key_result),
                markdown_text(&item.because)
            ));
        }
        if !keep.is_empty() {
            out.push_str(&format!(
                "- Keep as KPIs, no key result needed: {}.\n",
                markdown_text(&keep.join(", "))
            ));
        }
        out.push('\n');
    }
    out.push_str("## KPIs\n\n| Status | KPI | Latest | Target | Trend | Forecast |\n|---|---|---|---|---|---|\n");
    for kpi in &report.kpis {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            health_word(kpi.health),
            markdown_text(&kpi.name),
            markdown_text(&latest_words(kpi)),
            markdown_text(
                &kpi.target
                    .as_ref()
                    .map(|target| target_words(target, kpi.unit.as_deref()))
                    .unwrap_or_else(|| "—".to_string())
            ),
            verdict_word(kpi),
            markdown_text(&forecast_words(kpi)),
        ));
    }
    let suggested: Vec<String> = report
        .kpis
        .iter()
        .filter_map(|kpi| {
            let suggested = kpi.suggested_target.as_ref()?;
            Some(format!(
                "- {}: {} ({})",
                markdown_text(&kpi.name),
                markdown_text(&target_words(&suggested.target, kpi.unit.as_deref())),
                markdown_text(&suggested.basis)
            ))
        })
        .collect();
    if !suggested.is_empty() {
        out.push_str("\n## Suggested targets\n\nFrom each KPI's own history, in its direction — suggestions, not targets anyone set:\n\n");
        out.push_str(&suggested.join("\n"));
        out.push('\n');
    }
    let significant: Vec<&LeadLagReport> = report
        .lead_lag
        .iter()
        .filter(|pair| pair.significant)
        .collect();
    if !significant.is_empty() {
        out.push_str("\n## Leading indicators\n\n");
        for pair in significant {
            out.push_str(&format!("- {}\n", markdown_text(&pair.explanation)));
        }
        out.push_str(&format!("\n_{}_\n", markdown_text(DISCLAIMER)));
    }
    if !source.warnings.is_empty() {
        out.push_str("\n## Notes on the file\n\n");
        for warning in &source.warnings {
            out.push_str(&format!("- {}\n", markdown_text(warning)));
        }
    }
    out
}

/// The objectives of `key_results` (already in order), each with its KRs.
fn write_objectives(out: &mut String, key_results: &[&Suggestion]) {
    let mut objectives: Vec<&str> = Vec::new();
    for suggestion in key_results {
        if !objectives.contains(&suggestion.objective.as_str()) {
            objectives.push(&suggestion.objective);
        }
    }
    for objective in objectives {
        let members: Vec<&&Suggestion> = key_results
            .iter()
            .filter(|suggestion| suggestion.objective == objective)
            .collect();
        let owner = members
            .first()
            .and_then(|first| first.objective_owner.as_deref())
            .map(|owner| format!(" (owner: {})", markdown_text(owner)))
            .unwrap_or_default();
        out.push_str(&format!("### {}{owner}\n\n", markdown_text(objective)));
        for suggestion in members {
            let mut facts = vec![kind_word(suggestion).to_string()];
            if let Some(owner) = &suggestion.owner {
                facts.push(format!("owner {}", markdown_text(owner)));
            }
            match suggestion.feasibility {
                Some(crate::suggest::Feasibility::Committed) => facts.push("committed".to_string()),
                Some(crate::suggest::Feasibility::Stretch) => facts.push("stretch".to_string()),
                None => {}
            }
            out.push_str(&format!(
                "- **{}** ({})\n  {} _Target: {}._\n",
                markdown_text(&suggestion.key_result),
                facts.join(", "),
                markdown_text(&suggestion.because),
                markdown_text(&suggestion.target_basis)
            ));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_table_breakers() {
        assert_eq!(markdown_text("a|b <img>"), "a\\|b \\<img\\>");
    }
}
