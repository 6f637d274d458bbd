//! The key-result rules on small tables built here: one KR per KPI, no
//! contradiction with the lifecycle advice, committed vs stretch from a
//! known forecast path, the caps, watch items, the no-target path, the
//! ratchet and the KPIs to add, owners.

use kpilot::analysis::forecast::ForecastPoint;
use kpilot::analysis::health::{Health, Verdict};
use kpilot::analysis::leadlag::{Method, PairTest};
use kpilot::analysis::{analyze, Analysis, AnalysisOptions};
use kpilot::ingest::{read_table, ReadOptions};
use kpilot::model::KpiTable;
use kpilot::suggest::{suggest, Feasibility, Suggestion, SuggestionKind};

/// One row: name, owner, department, target, focus, six monthly values.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, [f64; 6]);

/// Six months of 2025 as a periods-across sheet with Owner, Department,
/// Target and Focus columns.
fn sheet(rows: &[Row<'_>]) -> (KpiTable, Analysis) {
    let mut csv = String::from(
        "KPI,Owner,Department,Target,Focus,Jan 2025,Feb 2025,Mar 2025,Apr 2025,May 2025,Jun 2025\n",
    );
    for (name, owner, department, target, focus, values) in rows {
        let values: Vec<String> = values.iter().map(|value| value.to_string()).collect();
        csv.push_str(&format!(
            "{name},{owner},{department},\"{target}\",{focus},{}\n",
            values.join(",")
        ));
    }
    let table = read_table(csv.as_bytes(), "kpis.csv", &ReadOptions::default()).expect("read");
    let analysis = analyze(&table, &AnalysisOptions::default());
    (table, analysis)
}

fn index(table: &KpiTable, name: &str) -> usize {
    table
        .kpi_index(name)
        .unwrap_or_else(|| panic!("no KPI {name}"))
}

fn pair(leader: usize, follower: usize, lag: usize, r: f64) -> PairTest {
    PairTest {
        leader,
        follower,
        lag,
        r,
        pairs: 30,
        p_value: 1e-6,
        q_value: 1e-5,
        granger_p: Some(0.001),
        significant: true,
        method: Method::Prewhitened,
        exploratory: true,
    }
}

fn of<'a>(suggestions: &'a [Suggestion], kpi: &str) -> Vec<&'a Suggestion> {
    suggestions
        .iter()
        .filter(|suggestion| suggestion.kpi == kpi)
        .collect()
}

const BREACHED_CHURN: [f64; 6] = [7.0, 7.2, 7.9, 8.1, 8.4, 8.6];
const STEADY_USERS: [f64; 6] = [500.0, 510.0, 505.0, 515.0, 512.0, 518.0];

#[test]
fn a_breached_leader_of_a_breached_kpi_is_one_key_result() {
    let (table, mut analysis) = sheet(&[
        ("Churn", "Ana", "Success", "<= 7.5", "", BREACHED_CHURN),
        (
            "Load time",
            "Bo",
            "Product",
            "<= 2",
            "",
            [1.8, 2.0, 2.2, 2.4, 2.5, 2.6],
        ),
    ]);
    let (churn, load) = (index(&table, "Churn"), index(&table, "Load time"));
    analysis.lead_lag = vec![pair(load, churn, 1, 0.8)];
    let suggestions = suggest(&table, &analysis);
    let load_items = of(&suggestions, "Load time");
    assert_eq!(load_items.len(), 1, "{load_items:?}");
    assert_eq!(load_items[0].kind, SuggestionKind::Primary);
    assert_eq!(load_items[0].also_supports, vec!["Churn".to_string()]);
    assert!(load_items[0].because.contains("It also leads Churn"));
    assert!(!suggestions
        .iter()
        .any(|s| s.kind == SuggestionKind::Supporting));
}

#[test]
fn a_supporting_kpi_is_not_also_told_to_stay_a_plain_kpi() {
    let (table, mut analysis) = sheet(&[
        ("Churn", "Ana", "Success", "<= 7.5", "", BREACHED_CHURN),
        ("Active users", "Cy", "Product", ">= 400", "", STEADY_USERS),
    ]);
    let (churn, users) = (index(&table, "Churn"), index(&table, "Active users"));
    analysis.lead_lag = vec![pair(users, churn, 1, -0.8)];
    let suggestions = suggest(&table, &analysis);
    let user_items = of(&suggestions, "Active users");
    assert_eq!(user_items.len(), 1, "{user_items:?}");
    assert_eq!(user_items[0].kind, SuggestionKind::Supporting);
    assert_eq!(user_items[0].supports.as_deref(), Some("Churn"));
    assert_eq!(user_items[0].owner.as_deref(), Some("Cy"));
}

fn with_path(analysis: &mut Analysis, kpi: usize, values: &[f64]) {
    let labels = analysis.forecast_labels.clone();
    let points: Vec<ForecastPoint> = values
        .iter()
        .zip(&labels)
        .map(|(value, period)| ForecastPoint {
            period: period.clone(),
            value: *value,
            low: value - 1.0,
            high: value + 1.0,
        })
        .collect();
    let forecast = &mut analysis.kpis[kpi].forecast;
    let horizon = analysis.horizon.min(points.len());
    forecast.path = points[..horizon].to_vec();
    forecast.beyond = points[horizon..].to_vec();
}

#[test]
fn committed_when_the_forecast_gets_there_by_the_deadline_else_stretch() {
    let (table, mut analysis) = sheet(&[("Churn", "Ana", "Success", "<= 7.5", "", BREACHED_CHURN)]);
    let churn = index(&table, "Churn");
    // Last period Jun 2025: the deadline is 30 Sep 2025, three months on.
    assert_eq!(analysis.deadline_steps, 3);
    assert_eq!(analysis.kpis[churn].health, Health::Breached);
    with_path(&mut analysis, churn, &[8.2, 7.8, 7.4]);
    let committed = &suggest(&table, &analysis)[0];
    assert_eq!(committed.feasibility, Some(Feasibility::Committed));
    assert_eq!(committed.change_per_period, None);
    assert_eq!(
        committed.key_result,
        "Reduce Churn from 8.6 to 7.5 by 30 Sep 2025"
    );

    with_path(&mut analysis, churn, &[8.6, 8.7, 8.7]);
    let stretch = &suggest(&table, &analysis)[0];
    assert_eq!(stretch.feasibility, Some(Feasibility::Stretch));
    // (7.5 − 8.6) / 3 months.
    assert!((stretch.change_per_period.unwrap() + 1.1 / 3.0).abs() < 1e-9);
    assert!(
        stretch.because.contains("The current trend gets it to 8.7 by 30 Sep 2025; reaching 7.5 needs about −0.4 a month."),
        "{}",
        stretch.because
    );
    assert_eq!(stretch.owner.as_deref(), Some("Ana"));
    assert_eq!(stretch.objective_owner.as_deref(), Some("Ana"));
    assert_eq!(stretch.objective, "Success: bring Churn back to ≤ 7.5");
}

#[test]
fn at_most_three_key_results_an_objective_and_five_objectives_first() {
    let departments = ["A", "B", "C", "D", "E", "F"];
    let mut rows = Vec::new();
    let names: Vec<String> = (0..9).map(|n| format!("Cost {n}")).collect();
    for (n, name) in names.iter().enumerate() {
        // Four breached KPIs in department A, one in each of the others.
        let department = if n < 4 { "A" } else { departments[n - 3] };
        rows.push((
            name.as_str(),
            "",
            department,
            "<= 5",
            "",
            [6.0, 6.5, 7.0, 7.5, 8.0, 8.5 + n as f64],
        ));
    }
    let (table, analysis) = sheet(&rows);
    let suggestions = suggest(&table, &analysis);
    let primaries: Vec<&Suggestion> = suggestions
        .iter()
        .filter(|s| s.kind == SuggestionKind::Primary)
        .collect();
    assert_eq!(primaries.len(), 9);
    let shortlisted: Vec<&&Suggestion> = primaries.iter().filter(|s| s.shortlist).collect();
    let objectives: std::collections::BTreeSet<&str> =
        shortlisted.iter().map(|s| s.objective.as_str()).collect();
    assert_eq!(objectives.len(), 5, "{objectives:?}");
    for objective in &objectives {
        assert!(
            shortlisted
                .iter()
                .filter(|s| s.objective == *objective)
                .count()
                <= 3
        );
    }
    // Department A's fourth KR and the sixth department's are further candidates.
    assert_eq!(primaries.iter().filter(|s| !s.shortlist).count(), 2);
    // Shortlisted key results come before the further candidates.
    let first_further = suggestions
        .iter()
        .position(|s| s.is_key_result() && !s.shortlist)
        .unwrap();
    assert!(suggestions[..first_further]
        .iter()
        .all(|s| !s.is_key_result() || s.shortlist));
}

#[test]
fn a_kpi_that_meets_its_target_but_worsens_is_watched() {
    let (table, mut analysis) = sheet(&[
        (
            "NPS",
            "Dee",
            "Support",
            ">= 40",
            "",
            [60.0, 58.0, 55.0, 53.0, 50.0, 48.0],
        ),
        (
            "Visits",
            "",
            "Web",
            "",
            "",
            [10.0, 11.0, 12.0, 40.0, 12.0, 90.0],
        ),
    ]);
    let (nps, visits) = (index(&table, "NPS"), index(&table, "Visits"));
    assert_eq!(analysis.kpis[nps].health, Health::Healthy);
    analysis.kpis[nps].trend.verdict = Verdict::Worsening;
    analysis.kpis[visits].attention_reason = Some("its latest value is unusual for it".to_string());
    let suggestions = suggest(&table, &analysis);
    let nps_items = of(&suggestions, "NPS");
    assert_eq!(nps_items.len(), 1);
    assert_eq!(nps_items[0].kind, SuggestionKind::Watch);
    assert!(nps_items[0]
        .because
        .contains("meets its target but is worsening"));
    let visit_items = of(&suggestions, "Visits");
    assert_eq!(visit_items[0].kind, SuggestionKind::Watch);
    assert!(visit_items[0]
        .because
        .contains("has no target, and its latest value is unusual"));
    assert!(visit_items[0]
        .because
        .contains("A target from its history would be"));
}

#[test]
fn a_sheet_without_targets_says_so_and_suggests_targets_with_their_basis() {
    let (table, analysis) = sheet(&[
        (
            "Signups",
            "",
            "",
            "",
            "",
            [100.0, 120.0, 110.0, 130.0, 125.0, 140.0],
        ),
        ("Refunds", "", "", "", "", [9.0, 8.0, 10.0, 7.0, 9.0, 8.0]),
    ]);
    let suggestions = suggest(&table, &analysis);
    assert!(suggestions.iter().all(|s| !s.is_key_result()));
    for kpi in &analysis.kpis {
        assert_eq!(kpi.health, Health::NoTarget);
        let suggested = kpi.suggested_target.as_ref().expect("a suggested target");
        assert!(suggested.basis.contains("percentile of the last 6 months"));
    }
    // Refunds are lower-is-better: the 75th percentile of 7..10, rounded like the values.
    let refunds = &analysis.kpis[index(&table, "Refunds")];
    assert_eq!(
        refunds.suggested_target.as_ref().unwrap().target.value,
        Some(9.0)
    );
    let report = kpilot::report::build(
        &table,
        &analysis,
        suggestions,
        kpilot::report::PairDetail::All,
    );
    let markdown = kpilot::report::render_markdown(&report);
    assert!(markdown
        .contains("None of your 2 KPIs has a target, so kpilot can't judge their health yet."));
    assert!(markdown.contains("## Suggested targets"));
}

#[test]
fn an_achieved_key_result_ratchets_its_target_and_adds_its_leaders() {
    let (table, mut analysis) = sheet(&[
        (
            "Gross margin",
            "Eve",
            "Finance",
            ">= 70",
            "KR",
            [66.0, 68.0, 71.0, 73.0, 74.0, 72.5],
        ),
        (
            "Discount rate",
            "",
            "Sales",
            "",
            "",
            [12.0, 11.0, 10.0, 9.0, 8.0, 8.5],
        ),
    ]);
    let (margin, discount) = (
        index(&table, "Gross margin"),
        index(&table, "Discount rate"),
    );
    assert_eq!(analysis.kpis[margin].health, Health::Healthy);
    analysis.lead_lag = vec![pair(discount, margin, 1, -0.7)];
    let suggestions = suggest(&table, &analysis);
    let back = of(&suggestions, "Gross margin")[0];
    assert_eq!(back.kind, SuggestionKind::ReturnToKpi);
    // The worst of the last three months (73, 74, 72.5) beats the old 70.
    assert_eq!(back.new_kpi_target, Some(72.5));
    assert_eq!(back.add_kpis, vec!["Discount rate".to_string()]);
    assert!(
        back.because.contains("make that the new normal (≥ 72.5)"),
        "{}",
        back.because
    );
    assert_eq!(back.owner.as_deref(), Some("Eve"));
}

#[test]
fn accepted_suggested_targets_draft_key_results_that_say_so() {
    let csv = "Month,Refunds\n2025-01,5\n2025-02,5\n2025-03,6\n2025-04,5\n2025-05,6\n2025-06,5\n2025-07,5\n2025-08,6\n2025-09,5\n2025-10,9\n2025-11,10\n2025-12,11\n";
    let mut session = kpilot::session::Session::open(
        csv.as_bytes(),
        "refunds.csv",
        &ReadOptions::default(),
        AnalysisOptions::default(),
    )
    .expect("read");
    assert_eq!(session.accept_suggested_targets(), 1);
    let report = session.report();
    let refunds = &report.kpis[0];
    let target = refunds.target.as_ref().expect("accepted");
    assert!(target
        .source
        .starts_with("suggested: the 75th percentile of the last 12 months"));
    let kr = report
        .suggestions
        .iter()
        .find(|s| s.kind == SuggestionKind::Primary)
        .expect("the breach gets a key result");
    assert!(kr
        .target_basis
        .starts_with("a suggested target, not one you set"));
    assert!(kr
        .because
        .contains("The target is a suggestion from the history"));
}

#[test]
fn the_no_targets_fixture_reads_as_a_truthful_draft() {
    let bytes = include_bytes!("../fixtures/no_targets.csv");
    let session = kpilot::session::Session::open(
        bytes,
        "no_targets.csv",
        &ReadOptions::default(),
        AnalysisOptions::default(),
    )
    .expect("read");
    let report = session.report();
    assert_eq!(report.kpis.len(), 5);
    assert!(report.kpis.iter().all(|kpi| kpi.health == Health::NoTarget));
    // Churn % over the last 12 months (2025): 3.2 2.9 3.3 2.8 3.1 2.7 3.0 3.2
    // 2.8 3.1 2.9 3.3 → 75th percentile (numpy linear) 3.2, lower is better.
    let churn = report
        .kpis
        .iter()
        .find(|kpi| kpi.name == "Churn %")
        .unwrap();
    let suggested = churn.suggested_target.as_ref().unwrap();
    assert_eq!(suggested.target.value, Some(3.2));
    assert_eq!(suggested.target.kind, kpilot::model::TargetKind::AtMost);
    assert!(report.suggestions.iter().all(|s| !s.is_key_result()));
    let markdown = session.export(kpilot::session::ExportFormat::Markdown);
    assert!(markdown
        .contains("None of your 5 KPIs has a target, so kpilot can't judge their health yet."));
    assert!(markdown.contains(
        "- Churn %: ≤ 3.2 % (the 75th percentile of the last 12 months: a level met 3 months in 4)"
    ));
    assert!(markdown.contains("- Revenue ($): ≥ $16,638"));
}
