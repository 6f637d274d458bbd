//! Targets and directions written as text: a target cell or clause
//! (`<= 7.5`, `at least 70`, `between 95 and 105`), the name, unit and target
//! packed into a KPI header (`Churn % (target < 7.5)`), a direction word
//! (`higher is better`, `↓`), the name heuristic that guesses a direction
//! (churn, cost, latency … are lower-is-better), and whether a direction and
//! a target disagree. Numbers are read by `value::parse_value`.

use crate::ingest::value::{
    clean_cell, parse_value, trailing_bracket, unit_of_header, ParsedValue,
};
use crate::model::{Direction, Target, TargetKind};

/// No target is written in more than this; the cap bounds the work of trying
/// every dash as a band separator.
const MAX_TARGET_BYTES: usize = 200;

/// Words that may introduce a target (`target: >= 70`, `goal ≥ 4.5`).
const TARGET_LABELS: &[&str] = &[
    "kpi target",
    "target",
    "goal",
    "objective",
    "threshold",
    "aim",
];

/// Operators and phrases before a number, with the target kind they mean.
/// Strict and non-strict comparisons are the same kind: a target's boundary
/// always counts as met.
const COMPARISONS: &[(&str, TargetKind)] = &[
    ("no more than", TargetKind::AtMost),
    ("not more than", TargetKind::AtMost),
    ("not above", TargetKind::AtMost),
    ("not over", TargetKind::AtMost),
    ("less than", TargetKind::AtMost),
    ("fewer than", TargetKind::AtMost),
    ("lower than", TargetKind::AtMost),
    ("smaller than", TargetKind::AtMost),
    ("at most", TargetKind::AtMost),
    ("maximum", TargetKind::AtMost),
    ("up to", TargetKind::AtMost),
    ("under", TargetKind::AtMost),
    ("below", TargetKind::AtMost),
    ("max", TargetKind::AtMost),
    ("<=", TargetKind::AtMost),
    ("=<", TargetKind::AtMost),
    ("≤", TargetKind::AtMost),
    ("⩽", TargetKind::AtMost),
    ("<", TargetKind::AtMost),
    ("no less than", TargetKind::AtLeast),
    ("not less than", TargetKind::AtLeast),
    ("not below", TargetKind::AtLeast),
    ("not under", TargetKind::AtLeast),
    ("more than", TargetKind::AtLeast),
    ("greater than", TargetKind::AtLeast),
    ("higher than", TargetKind::AtLeast),
    ("larger than", TargetKind::AtLeast),
    ("at least", TargetKind::AtLeast),
    ("minimum", TargetKind::AtLeast),
    ("above", TargetKind::AtLeast),
    ("over", TargetKind::AtLeast),
    ("min", TargetKind::AtLeast),
    (">=", TargetKind::AtLeast),
    ("=>", TargetKind::AtLeast),
    ("≥", TargetKind::AtLeast),
    ("⩾", TargetKind::AtLeast),
    (">", TargetKind::AtLeast),
];

/// What sits between the two ends of a band (`95-105`, `95 to 105`).
const BAND_SEPARATORS: &[&str] = &[" and ", " to ", "...", "..", "–", "—", "&", "-"];

/// Direction words, after lower-casing and turning `_` and `-` into spaces.
const HIGHER_IS_BETTER_WORDS: &[&str] = &[
    "higher is better",
    "high is better",
    "higher better",
    "more is better",
    "bigger is better",
    "up is good",
    "higher",
    "high",
    "up",
    "↑",
    "⬆",
    "▲",
    "increase",
    "grow",
    "growth",
    "maximise",
    "maximize",
    "max",
    "positive",
    "+",
    // The languages of the month names (a `Sentido` column says `Positivo`).
    "positivo",
    "positiva",
    "positif",
    "positiv",
    "ascendente",
    "creciente",
    "crescente",
    "maximizar",
    "maximiser",
    "maximieren",
    "massimizzare",
    "aumentar",
    "mayor es mejor",
    "más es mejor",
    "mas es mejor",
    "maior é melhor",
    "maior e melhor",
    "mais é melhor",
    "plus est mieux",
    "höher ist besser",
    "hoeher ist besser",
    "mehr ist besser",
    "hoger is beter",
    "meer is beter",
    "stijgend",
];

const LOWER_IS_BETTER_WORDS: &[&str] = &[
    "lower is better",
    "low is better",
    "lower better",
    "less is better",
    "smaller is better",
    "down is good",
    "lower",
    "low",
    "down",
    "↓",
    "⬇",
    "▼",
    "decrease",
    "reduce",
    "shrink",
    "minimise",
    "minimize",
    "min",
    "negative",
    "-",
    "negativo",
    "negativa",
    "négatif",
    "negatif",
    "negativ",
    "descendente",
    "decreciente",
    "decrescente",
    "minimizar",
    "minimiser",
    "minimieren",
    "minimizzare",
    "reducir",
    "reduzir",
    "disminuir",
    "diminuir",
    "menor es mejor",
    "menos es mejor",
    "menor é melhor",
    "menor e melhor",
    "menos é melhor",
    "moins est mieux",
    "niedriger ist besser",
    "weniger ist besser",
    "lager is beter",
    "minder is beter",
    "dalend",
];

/// Name words for KPIs where less is better, in the languages of the
/// month names (plurals such as `costs`, `custos`, `gastos` match too).
/// `time` and its translations are handled apart (see `direction_from_name`).
const LOWER_IS_BETTER_NAME_WORDS: &[&str] = &[
    // English
    "churn",
    "churned",
    "cost",
    "cac",
    "cpa",
    "cpc",
    "cpl",
    "cpm",
    "spend",
    "spending",
    "expense",
    "expenditure",
    "opex",
    "cogs",
    "payroll",
    "salary",
    "salaries",
    "wage",
    "rent",
    "burn",
    "latency",
    "duration",
    "delay",
    "wait",
    "waiting",
    "error",
    "bug",
    "defect",
    "incident",
    "outage",
    "downtime",
    "bounce",
    "refund",
    "complaint",
    "attrition",
    "turnover",
    "backlog",
    "escalation",
    "dso",
    "mttr",
    "mtta",
    "mttd",
    "aht",
    "abandonment",
    "abandoned",
    "cancellation",
    "cancel",
    "default",
    "debt",
    "loss",
    "lost",
    "overdue",
    "outstanding",
    "chargeback",
    "fraud",
    "failure",
    "fail",
    "ticket",
    "position",
    "rank",
    "ranking",
    "risk",
    "mortality",
    "death",
    "infection",
    "readmission",
    "accident",
    "injury",
    "absence",
    "absenteeism",
    "vacancy",
    "tax",
    "penalty",
    "fine",
    "scrap",
    "waste",
    "rework",
    "mae",
    "rmse",
    "mape",
    "theil",
    "late",
    "lateness",
    "arrears",
    "delinquency",
    "unemployment",
    // Portuguese
    "custo",
    "despesa",
    "imposto",
    "tributo",
    "perda",
    "reclamação",
    "reclamacao",
    "cancelamento",
    "atraso",
    "erro",
    "falha",
    "defeito",
    "devolução",
    "devolucao",
    "inadimplência",
    "inadimplencia",
    "rotatividade",
    "juros",
    "salário",
    "salario",
    "aluguel",
    "dívida",
    "divida",
    "multa",
    "acidente",
    "absenteísmo",
    "absenteismo",
    "óbito",
    "obito",
    "mortalidade",
    "infecção",
    "infeccao",
    // Spanish
    "coste",
    "costo",
    "gasto",
    "sueldo",
    "nómina",
    "nomina",
    "alquiler",
    "impuesto",
    "pérdida",
    "perdida",
    "queja",
    "reclamo",
    "reclamación",
    "cancelación",
    "cancelacion",
    "retraso",
    "demora",
    "fallo",
    "falla",
    "defecto",
    "devolución",
    "morosidad",
    "deuda",
    "rotación",
    "rotacion",
    // French
    "coût",
    "cout",
    "dépense",
    "depense",
    "salaire",
    "loyer",
    "impôt",
    "impot",
    "perte",
    "plainte",
    "réclamation",
    "annulation",
    "retard",
    "délai",
    "delai",
    "erreur",
    "panne",
    "défaut",
    "dette",
    "absentéisme",
    // German
    "kosten",
    "aufwand",
    "ausgaben",
    "gehalt",
    "gehälter",
    "lohn",
    "löhne",
    "miete",
    "steuer",
    "steuern",
    "verlust",
    "beschwerde",
    "reklamation",
    "storno",
    "stornierung",
    "verzögerung",
    "verspätung",
    "dauer",
    "fehler",
    "ausfall",
    "defekt",
    "retoure",
    "schulden",
    "fluktuation",
    // Italian
    "spesa",
    "spese",
    "stipendio",
    "affitto",
    "imposta",
    "perdita",
    "reclamazione",
    "cancellazione",
    "ritardo",
    "errore",
    "guasto",
    "difetto",
    "reso",
    "debito",
    // Dutch
    "uitgaven",
    "salaris",
    "loon",
    "lonen",
    "huur",
    "belasting",
    "verlies",
    "klacht",
    "annulering",
    "vertraging",
    "fout",
    "storing",
    "schuld",
    "verloop",
];

/// Words for "time" that make a KPI a delay (`Response time`, `Tempo de
/// espera`), unless followed by a word of `TIME_NOT_A_DELAY`.
const TIME_WORDS: &[&str] = &["time", "times", "tempo", "tiempo", "temps", "zeit", "tijd"];

/// Phrases for KPIs where less is better that no single word says.
const LOWER_IS_BETTER_PHRASES: &[&[&str]] = &[
    &["days", "sales", "outstanding"],
    &["debtor", "days"],
    &["days", "to"],
    &["days", "outstanding"],
    &["no", "show"],
    &["noshow"],
    &["returns"],
    &["return", "rate"],
];

/// Name words for KPIs where more is better (plurals match too).
const HIGHER_IS_BETTER_NAME_WORDS: &[&str] = &[
    // English
    "revenue",
    "mrr",
    "arr",
    "users",
    "user",
    "active",
    "nps",
    "csat",
    "conversion",
    "retention",
    "uptime",
    "availability",
    "margin",
    "activation",
    "signup",
    "lead",
    "win",
    "pipeline",
    "engagement",
    "satisfaction",
    "profit",
    "sales",
    "booking",
    "gmv",
    "ltv",
    "adoption",
    "saving",
    "mtbf",
    "income",
    "growth",
    "customer",
    "order",
    "visit",
    "patient",
    "session",
    "traffic",
    "roi",
    "roas",
    "mql",
    "sql",
    "subscriber",
    "member",
    "download",
    "install",
    "renewal",
    "upsell",
    "throughput",
    "yield",
    "score",
    // Portuguese
    "receita",
    "venda",
    "lucro",
    "margem",
    "cliente",
    "usuário",
    "usuario",
    "conversão",
    "conversao",
    "retenção",
    "retencao",
    "satisfação",
    "satisfacao",
    "faturamento",
    // Spanish
    "ingreso",
    "ingresos",
    "beneficio",
    "margen",
    "usuarios",
    "conversión",
    "retención",
    "satisfacción",
    "facturación",
    "ventas",
    // French
    "chiffre",
    "vente",
    "bénéfice",
    "benefice",
    "marge",
    "utilisateur",
    "rétention",
    // German
    "umsatz",
    "erlös",
    "erlös",
    "gewinn",
    "kunden",
    "nutzer",
    "konversion",
    "zufriedenheit",
    // Italian
    "ricavi",
    "ricavo",
    "fatturato",
    "vendite",
    "utile",
    "margine",
    "clienti",
    "utenti",
    // Dutch
    "omzet",
    "winst",
    "klanten",
    "gebruikers",
];

/// Words that name a result of the income statement (a profit, an income,
/// earnings): higher is better even beside a tax or a loss word, since
/// `Profit before tax`, `Resultado antes de impuestos` and `(Pérdida)
/// Ganancia operativa` are results, not taxes or losses; `Income tax`,
/// where the tax word is not a qualifier, stays a tax.
const RESULT_WORDS: &[&str] = &[
    "profit",
    "income",
    "earnings",
    "ebitda",
    "ebita",
    "ebit",
    "ebt",
    "nopat",
    "lucro",
    "resultado",
    "ganancia",
    "utilidad",
    "beneficio",
    "bénéfice",
    "benefice",
    "résultat",
    "resultat",
    "gewinn",
    "ergebnis",
    "utile",
    "winst",
    "resultaat",
];

/// Loss words that a result line pairs with its result word (`Profit
/// (loss)`, `(Pérdida) Ganancia`): they do not make the line a loss.
const LOSS_WORDS: &[&str] = &[
    "loss", "perda", "pérdida", "perdida", "perte", "verlust", "perdita", "verlies",
];

/// Words that start a qualifier after a result word (`before tax`, `antes
/// de impuestos`, `après impôts`, `vor Steuern`, `voor belasting`): what
/// follows them does not say which way the result is better.
const QUALIFIER_WORDS: &[&str] = &[
    "before",
    "after",
    "pre",
    "post",
    "antes",
    "después",
    "despues",
    "depois",
    "avant",
    "après",
    "apres",
    "vor",
    "nach",
    "prima",
    "dopo",
    "voor",
    "na",
    "excluding",
    "ex",
];

/// Words that make a cost or a time a gain (`Costs saved`, `Time saved`,
/// `Cost avoidance`): more of it is better.
const GAIN_WORDS: &[&str] = &["saved", "saving", "savings", "avoided", "avoidance"];

/// Words after `time` that make it a measure of engagement (`time on site`,
/// `time spent`) or reliability (`time between failures`), not a delay.
/// `in` is not one of them: `time in queue` is a delay.
const TIME_NOT_A_DELAY: &[&str] = &[
    "on", "spent", "between", "no", "na", "en", "sur", "auf", "su", "op",
];

/// A KPI header split into its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderParts {
    /// The header without a trailing target clause, trimmed. A bracket that
    /// only holds a unit stays: `Revenue ($)`.
    pub name: String,
    /// The unit, from `value::unit_of_header` on the name.
    pub unit: Option<String>,
    /// The target written in the header, with source `header '<header>'`.
    pub target: Option<Target>,
}

/// Reads a target cell or clause. Accepted, case-insensitively, after an
/// optional label (`target`, `goal`, `threshold`, …, with or without `:`):
///
/// - at most: `< 7.5`, `<= 7.5`, `≤7.5`, `=< 7.5`, `at most`, `max`,
///   `maximum`, `under`, `below`, `less than`, `no more than`, `up to`;
/// - at least: `> 70`, `>= 70`, `≥ 70`, `=> 70`, `at least`, `min`,
///   `minimum`, `over`, `above`, `more than`, `no less than`;
/// - a band: `between 95 and 105`, `95-105`, `95–105`, `95 to 105`,
///   `95..105`, `[95, 105]` (`[95; 105]` with decimal commas), `100 ± 5`;
///   a band written high to low is reordered;
/// - a plain number (`70`, `= 70`): at least when `direction` is
///   HigherIsBetter or None, at most when LowerIsBetter.
///
/// Strict `<` and `>` are read as at most / at least: a target's boundary
/// counts as met. Numbers go through `parse_value`, so units, currencies,
/// `%` and `k`/`M` are understood (`≥ $1.2M`); `7.5%` is 7.5. Text that is
/// not a target (`n/a`, `high`, `soon`) is None.
pub fn parse_target(
    text: &str,
    decimal_comma: bool,
    direction: Option<Direction>,
    source: &str,
) -> Option<Target> {
    let bounded = bounded(text)?;
    let (body, _) = strip_target_label(bounded);
    read_target(body, decimal_comma).map(|reading| reading.into_target(direction, source))
}

/// Splits a KPI header into name, unit and target. The target is looked for
/// in a trailing bracket (`Churn % (target < 7.5)`, `NPS (>= 70)`,
/// `CSAT [goal ≥ 4.5]`, `Tickets (target 120, lower is better)`), then after
/// an inner `target` / `goal` word (`NPS target >= 70`), then after a
/// comparison sign (`NPS ≥ 70`). A direction clause beside the target decides
/// what a plain number means. A bare number needs a label and a bracket
/// (`(target 120)`), so `Revenue (2024)` and `Sales target 2024` have no
/// target.
pub fn split_header(header: &str, decimal_comma: bool) -> HeaderParts {
    let cleaned = clean_cell(header);
    let source = format!("header '{cleaned}'");
    let (name, target) = match header_target(cleaned, decimal_comma, &source) {
        Some((name, target)) => (name, Some(target)),
        None => (cleaned, None),
    };
    let name = name.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '|')
    });
    let name = if name.is_empty() { cleaned } else { name };
    HeaderParts {
        name: name.to_string(),
        unit: unit_of_header(name),
        target,
    }
}

/// Whether a name's words name a result (`Profit before tax`, `Earnings
/// after tax`, `(Pérdida) Ganancia operativa`): a result word, with no
/// lower-is-better word beside it other than a paired loss word or words
/// of a qualifier (`before tax`) after it.
fn names_a_result(words: &[String]) -> bool {
    let matches_any =
        |word: &String, list: &[&str]| list.iter().any(|wanted| word_matches(word, wanted));
    let Some(at) = words
        .iter()
        .position(|word| matches_any(word, RESULT_WORDS))
    else {
        return false;
    };
    let end = words
        .iter()
        .skip(at + 1)
        .position(|word| QUALIFIER_WORDS.contains(&word.as_str()))
        .map_or(words.len(), |offset| at + 1 + offset);
    !words.iter().take(end).any(|word| {
        matches_any(word, LOWER_IS_BETTER_NAME_WORDS) && !matches_any(word, LOSS_WORDS)
            || TIME_WORDS.contains(&word.as_str())
    })
}

/// Reads a direction word: `higher is better`, `higher`, `up`, `↑`,
/// `increase`, `grow`, `maximise`, `max`, `more is better`, `positive`, `+`
/// and their opposites (`lower is better`, `down`, `↓`, `reduce`, `min`,
/// `-`, …). Case, `_`/`-` between words (`higher_is_better`) and a trailing
/// `.` or `!` do not matter. Anything else is None.
pub fn parse_direction(text: &str) -> Option<Direction> {
    let cleaned = clean_cell(text);
    if cleaned.len() > MAX_TARGET_BYTES {
        return None;
    }
    let lower = cleaned.to_lowercase();
    let trimmed = lower.trim_end_matches(['.', '!']);
    // Only words are joined by `_` or `-`; `-` alone, or `+-`, is a symbol.
    let normalized = if trimmed.chars().any(char::is_alphabetic) {
        trimmed
            .replace(['_', '-'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        trimmed.to_string()
    };
    if HIGHER_IS_BETTER_WORDS.contains(&normalized.as_str()) {
        Some(Direction::HigherIsBetter)
    } else if LOWER_IS_BETTER_WORDS.contains(&normalized.as_str()) {
        Some(Direction::LowerIsBetter)
    } else {
        None
    }
}

/// Guesses a KPI's direction from its name, by whole lower-cased words
/// (camelCase and snake_case are split), so `Uptime` is not `time` and
/// `Runtime errors` is lower-is-better. Lower-is-better words (churn, cost,
/// CAC, spend, latency, duration, delay, errors, bugs, incidents, downtime,
/// bounce, refunds, backlog, MTTR, cancellations, debt, loss, days sales
/// outstanding, …) win over higher-is-better ones (revenue, MRR, users, NPS,
/// conversion, retention, uptime, margin, leads, win rate, …), so `Revenue
/// churn` and `Cost per lead` are lower-is-better. `time` counts as a delay
/// (`Response time`, `Time to hire`, `Time in queue`) unless followed by
/// `on`, `spent` or `between` (`Time on site`, `Mean time between
/// failures`). None when no word matches.
pub fn direction_from_name(name: &str) -> Option<Direction> {
    let words = name_words(name);
    let is_any = |list: &[&str]| {
        words
            .iter()
            .any(|word| list.iter().any(|wanted| word_matches(word, wanted)))
    };
    let has_delay_time = words.iter().enumerate().any(|(index, word)| {
        TIME_WORDS.contains(&word.as_str())
            && !words
                .get(index + 1)
                .is_some_and(|next| TIME_NOT_A_DELAY.contains(&next.as_str()))
    });
    let has_phrase = |phrase: &[&str]| words.windows(phrase.len()).any(|window| window == phrase);
    let lower_phrase = LOWER_IS_BETTER_PHRASES.iter().any(|phrase| {
        has_phrase(phrase) && !(phrase == &["returns"] && has_phrase(&["returns", "on"]))
    });
    let time_between_failures = has_phrase(&["time", "between"]);
    if time_between_failures || is_any(GAIN_WORDS) || names_a_result(&words) {
        Some(Direction::HigherIsBetter)
    } else if has_delay_time || lower_phrase || is_any(LOWER_IS_BETTER_NAME_WORDS) {
        Some(Direction::LowerIsBetter)
    } else if is_any(HIGHER_IS_BETTER_NAME_WORDS) {
        Some(Direction::HigherIsBetter)
    } else {
        None
    }
}

/// The direction an accounting sign in front of a line item says: `(-)`
/// marks a deduction (a cost, lower is better), `(+)` and `(=)` an income
/// or a result (higher is better).
pub fn direction_from_sign_prefix(name: &str) -> Option<Direction> {
    let trimmed = name.trim_start();
    if trimmed.starts_with("(-)") || trimmed.starts_with("(−)") || trimmed.starts_with("(–)") {
        Some(Direction::LowerIsBetter)
    } else if trimmed.starts_with("(+)") || trimmed.starts_with("(=)") {
        Some(Direction::HigherIsBetter)
    } else {
        None
    }
}

/// Whether a direction disagrees with what the target implies (a "grow"
/// direction with a `≤ 3 %` target). A band implies nothing, so never.
pub fn contradicts(direction: Direction, target: &Target) -> bool {
    target
        .implied_direction()
        .is_some_and(|implied| implied != direction)
}

/// A target before its direction and source are known.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TargetReading {
    Threshold(TargetKind, f64),
    Band(f64, f64),
    /// A number with no operator: its kind depends on the direction.
    Plain(f64),
}

impl TargetReading {
    fn into_target(self, direction: Option<Direction>, source: &str) -> Target {
        match self {
            TargetReading::Threshold(kind, value) => Target::threshold(kind, value, source),
            TargetReading::Band(low, high) => Target::band(low, high, source),
            TargetReading::Plain(value) => {
                let kind = match direction {
                    Some(Direction::LowerIsBetter) => TargetKind::AtMost,
                    Some(Direction::HigherIsBetter) | None => TargetKind::AtLeast,
                };
                Target::threshold(kind, value, source)
            }
        }
    }
}

/// Cleaned text, or None when empty or too long to be a target. Case is
/// kept: `1M` is a million but `1m` is one of something.
fn bounded(text: &str) -> Option<&str> {
    let cleaned = clean_cell(text);
    (!cleaned.is_empty() && cleaned.len() <= MAX_TARGET_BYTES).then_some(cleaned)
}

/// `text` without a leading `target` / `goal` … label and its `:`, and
/// whether there was one.
fn strip_target_label(text: &str) -> (&str, bool) {
    for label in TARGET_LABELS {
        if let Some(rest) = strip_word(text, label) {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            return (rest, true);
        }
    }
    (text.trim(), false)
}

/// `text` after `prefix` (ignoring ASCII case), when `prefix` ends at a word
/// boundary (so `over` does not match `overall`).
fn strip_word<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = text.get(prefix.len()..)?;
    let ends_in_letter = prefix.chars().last().is_some_and(char::is_alphabetic);
    let next_is_letter = rest.chars().next().is_some_and(char::is_alphabetic);
    (!(ends_in_letter && next_is_letter)).then_some(rest)
}

fn read_target(body: &str, decimal_comma: bool) -> Option<TargetReading> {
    let body = body.trim();
    read_comparison(body, decimal_comma)
        .or_else(|| read_band(body, decimal_comma))
        .or_else(|| read_plain(body, decimal_comma))
}

fn number(text: &str, decimal_comma: bool) -> Option<f64> {
    match parse_value(text, decimal_comma) {
        ParsedValue::Number { value, .. } => Some(value),
        ParsedValue::Missing | ParsedValue::Text => None,
    }
}

/// `<= 7.5`, `at least 70`, `max. 3`: the longest operator that starts the
/// text, then a number.
fn read_comparison(body: &str, decimal_comma: bool) -> Option<TargetReading> {
    let (operator, kind, rest) = COMPARISONS
        .iter()
        .filter_map(|&(operator, kind)| {
            strip_word(body, operator).map(|rest| (operator, kind, rest))
        })
        .max_by_key(|(operator, _, _)| operator.len())?;
    let is_word = operator.chars().all(|c| c.is_alphabetic() || c == ' ');
    // `max. 3`: a dot after a word operator is an abbreviation, not a decimal point.
    let rest = if is_word {
        rest.strip_prefix('.').unwrap_or(rest)
    } else {
        rest
    };
    let rest = rest.trim_start();
    let rest = if is_word {
        rest.strip_prefix(':').unwrap_or(rest)
    } else {
        rest
    };
    number(rest, decimal_comma).map(|value| TargetReading::Threshold(kind, value))
}

/// `between 95 and 105`, `from 95 to 105`, `[95, 105]`, `95-105`, `100 ± 5`.
fn read_band(body: &str, decimal_comma: bool) -> Option<TargetReading> {
    let inner = strip_word(body, "between")
        .or_else(|| strip_word(body, "from"))
        .map(str::trim)
        .unwrap_or(body);
    if let Some(listed) = bracketed(inner) {
        return read_listed_band(listed, decimal_comma)
            .or_else(|| read_band(listed, decimal_comma));
    }
    read_plus_minus(inner, decimal_comma).or_else(|| {
        let (low, high) = split_pair(inner, decimal_comma)?;
        Some(TargetReading::Band(low, high))
    })
}

/// The inside of `[…]` or `(…)` spanning the whole text.
fn bracketed(text: &str) -> Option<&str> {
    let inner = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .or_else(|| {
            text.strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
        })?;
    Some(inner.trim())
}

/// `95, 105` or `99,5; 100`: with decimal commas only `;` or `, ` separates.
fn read_listed_band(listed: &str, decimal_comma: bool) -> Option<TargetReading> {
    let (low, high) = listed
        .split_once(';')
        .or_else(|| listed.split_once(", "))
        .or_else(|| (!decimal_comma).then(|| listed.split_once(',')).flatten())?;
    Some(TargetReading::Band(
        number(low, decimal_comma)?,
        number(high, decimal_comma)?,
    ))
}

/// `100 ± 5` or `100 +/- 5`: a band around a centre.
fn read_plus_minus(text: &str, decimal_comma: bool) -> Option<TargetReading> {
    let (centre, spread) = text.split_once('±').or_else(|| text.split_once("+/-"))?;
    let centre = number(centre, decimal_comma)?;
    let spread = number(spread, decimal_comma)?.abs();
    Some(TargetReading::Band(centre - spread, centre + spread))
}

/// Two numbers joined by a band separator. Every occurrence is tried, so the
/// minus of `-5 - 5` or `-5--3` is not taken for the separator.
fn split_pair(text: &str, decimal_comma: bool) -> Option<(f64, f64)> {
    // ASCII lower-casing keeps byte offsets, so indices found in `lower` slice `text`.
    let lower = text.to_ascii_lowercase();
    BAND_SEPARATORS.iter().find_map(|separator| {
        lower.match_indices(separator).find_map(|(index, _)| {
            let low = text.get(..index)?;
            let high = text.get(index + separator.len()..)?;
            if low.trim().is_empty() {
                return None;
            }
            Some((number(low, decimal_comma)?, number(high, decimal_comma)?))
        })
    })
}

/// `70` or `= 70`.
fn read_plain(body: &str, decimal_comma: bool) -> Option<TargetReading> {
    let body = body
        .strip_prefix("==")
        .or_else(|| body.strip_prefix('='))
        .unwrap_or(body);
    number(body, decimal_comma).map(TargetReading::Plain)
}

/// The name and target of a header, or None when it holds no target.
fn header_target<'a>(
    header: &'a str,
    decimal_comma: bool,
    source: &str,
) -> Option<(&'a str, Target)> {
    if header.len() > MAX_TARGET_BYTES * 2 {
        return None;
    }
    if let Some((before, content)) = trailing_bracket(header) {
        if let Some(target) = read_header_clause(content, decimal_comma, true, source) {
            return Some((before, target));
        }
    }
    target_after_keyword(header, decimal_comma, source)
        .or_else(|| target_after_comparison_sign(header, decimal_comma, source))
}

/// `NPS target >= 70`, `Churn, goal < 5`: a label word inside the header.
fn target_after_keyword<'a>(
    header: &'a str,
    decimal_comma: bool,
    source: &str,
) -> Option<(&'a str, Target)> {
    header
        .char_indices()
        .filter(|&(index, _)| index > 0)
        .find_map(|(index, _)| {
            let (before, clause) = header.split_at_checked(index)?;
            let starts_word = before.ends_with(|c: char| !c.is_alphanumeric());
            let labelled = TARGET_LABELS
                .iter()
                .any(|label| strip_word(clause, label).is_some());
            if !(starts_word && labelled) {
                return None;
            }
            read_header_clause(clause, decimal_comma, false, source).map(|target| (before, target))
        })
}

/// `NPS ≥ 70`, `Churn % < 7.5`: a comparison sign inside the header.
fn target_after_comparison_sign<'a>(
    header: &'a str,
    decimal_comma: bool,
    source: &str,
) -> Option<(&'a str, Target)> {
    let index = header
        .find(['<', '>', '≤', '≥', '⩽', '⩾'])
        .filter(|&index| index > 0)?;
    let (before, clause) = header.split_at_checked(index)?;
    read_header_clause(clause, decimal_comma, false, source).map(|target| (before, target))
}

/// A target clause from a header: the whole clause, or clauses separated by
/// `;` or `, ` of which one may be a direction (`target 120, lower is
/// better`) and one the target. `allow_plain` lets a labelled bare number
/// count (`target 120`).
fn read_header_clause(
    content: &str,
    decimal_comma: bool,
    allow_plain: bool,
    source: &str,
) -> Option<Target> {
    let content = bounded(content)?;
    if let Some(target) = explicit_target(content, decimal_comma, None, allow_plain, source) {
        return Some(target);
    }
    let mut direction = None;
    let mut target_clause = None;
    for clause in content.split(';').flat_map(|part| part.split(", ")) {
        let clause = clause.trim();
        if clause.is_empty() {
            continue;
        }
        if let Some(found) = parse_direction(clause) {
            direction = Some(found);
        } else if target_clause.replace(clause).is_some() {
            return None;
        }
    }
    explicit_target(
        target_clause?,
        decimal_comma,
        direction,
        allow_plain,
        source,
    )
}

/// A target that says it is one: an operator, a band, or (when allowed) a
/// labelled plain number. A bare number in a header is more likely a year
/// or a note.
fn explicit_target(
    text: &str,
    decimal_comma: bool,
    direction: Option<Direction>,
    allow_plain: bool,
    source: &str,
) -> Option<Target> {
    let (body, labelled) = strip_target_label(text);
    match read_target(body, decimal_comma)? {
        TargetReading::Plain(_) if !(labelled && allow_plain) => None,
        reading => Some(reading.into_target(direction, source)),
    }
}

/// Lower-cased words of a name, split at non-alphanumerics and at camelCase
/// humps (`replyTime` → reply, time).
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_is_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_is_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_is_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_is_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether `word` is `wanted` or its plural (`costs`, `losses`).
/// Whether a word of a name is `wanted` or one of its plurals: English,
/// Spanish and French `-s` / `-es`, German and Dutch `-n` / `-en`
/// (`Retouren`, `Beschwerden`, `klachten`), Portuguese `-ões` for `-ão`
/// (`Reclamações`, `Devoluções`), Italian `-i` for `-o` / `-e` (`errori`,
/// `ritardi`).
fn word_matches(word: &str, wanted: &str) -> bool {
    let portuguese = |plural: &str, singular: &str| {
        word.strip_suffix(plural)
            .is_some_and(|stem| wanted.strip_suffix(singular) == Some(stem))
    };
    word == wanted
        || word.strip_suffix('s') == Some(wanted)
        || word.strip_suffix("es") == Some(wanted)
        || word.strip_suffix('n') == Some(wanted)
        || word.strip_suffix("en") == Some(wanted)
        || portuguese("ões", "ão")
        || portuguese("oes", "ao")
        || word.strip_suffix('i').is_some_and(|stem| {
            wanted
                .strip_suffix(['o', 'e'])
                .is_some_and(|wanted_stem| wanted_stem == stem)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "test";

    fn at_most(value: f64) -> Target {
        Target::threshold(TargetKind::AtMost, value, SOURCE)
    }

    fn at_least(value: f64) -> Target {
        Target::threshold(TargetKind::AtLeast, value, SOURCE)
    }

    fn band(low: f64, high: f64) -> Target {
        Target::band(low, high, SOURCE)
    }

    #[test]
    fn thresholds() {
        let cases: &[(&str, Target)] = &[
            ("< 7.5", at_most(7.5)),
            ("<= 7.5", at_most(7.5)),
            ("≤7.5", at_most(7.5)),
            ("=< 7.5", at_most(7.5)),
            ("⩽ 7.5", at_most(7.5)),
            ("at most 7.5", at_most(7.5)),
            ("max 7.5", at_most(7.5)),
            ("Max. 7.5", at_most(7.5)),
            ("max: 7.5", at_most(7.5)),
            ("maximum 7.5", at_most(7.5)),
            ("under 7.5", at_most(7.5)),
            ("below 7.5", at_most(7.5)),
            ("less than 7.5", at_most(7.5)),
            ("no more than 7.5", at_most(7.5)),
            ("up to 7.5", at_most(7.5)),
            ("> 70", at_least(70.0)),
            (">= 70", at_least(70.0)),
            ("≥ 70", at_least(70.0)),
            ("=> 70", at_least(70.0)),
            ("at least 70", at_least(70.0)),
            ("AT LEAST 70", at_least(70.0)),
            ("min 70", at_least(70.0)),
            ("minimum 70", at_least(70.0)),
            ("over 70", at_least(70.0)),
            ("above 70", at_least(70.0)),
            ("more than 70", at_least(70.0)),
            ("no less than 70", at_least(70.0)),
            ("≥ 70%", at_least(70.0)),
            ("≥ $1.2M", at_least(1_200_000.0)),
            ("< -5", at_most(-5.0)),
            ("target: >= 70", at_least(70.0)),
            ("Goal ≤ 3 %", at_most(3.0)),
            ("  >=70  ", at_least(70.0)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_target(text, false, None, SOURCE).as_ref(),
                Some(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn bands() {
        let cases: &[(&str, bool, Target)] = &[
            ("between 95 and 105", false, band(95.0, 105.0)),
            ("Between 95 - 105", false, band(95.0, 105.0)),
            ("from 95 to 105", false, band(95.0, 105.0)),
            ("95-105", false, band(95.0, 105.0)),
            ("95–105", false, band(95.0, 105.0)),
            ("95 - 105", false, band(95.0, 105.0)),
            ("95 to 105", false, band(95.0, 105.0)),
            ("95..105", false, band(95.0, 105.0)),
            ("[95, 105]", false, band(95.0, 105.0)),
            ("[95,105]", false, band(95.0, 105.0)),
            ("(95, 105)", false, band(95.0, 105.0)),
            ("[99,5; 100]", true, band(99.5, 100.0)),
            ("[99,5, 100]", true, band(99.5, 100.0)),
            ("105-95", false, band(95.0, 105.0)),
            ("-5 - 5", false, band(-5.0, 5.0)),
            ("-5--3", false, band(-5.0, -3.0)),
            ("7.5%-10%", false, band(7.5, 10.0)),
            ("1,200-1,500", false, band(1200.0, 1500.0)),
            ("100 ± 5", false, band(95.0, 105.0)),
            ("100 +/- 5", false, band(95.0, 105.0)),
            ("target: between 99.5 and 100", false, band(99.5, 100.0)),
            ("between 99,5 and 100", true, band(99.5, 100.0)),
        ];
        for (text, decimal_comma, expected) in cases {
            assert_eq!(
                parse_target(text, *decimal_comma, None, SOURCE).as_ref(),
                Some(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_numbers_follow_the_direction() {
        let cases: &[(&str, Option<Direction>, Target)] = &[
            ("70", None, at_least(70.0)),
            ("70", Some(Direction::HigherIsBetter), at_least(70.0)),
            ("7.5", Some(Direction::LowerIsBetter), at_most(7.5)),
            ("7.5%", Some(Direction::LowerIsBetter), at_most(7.5)),
            ("= 70", None, at_least(70.0)),
            ("target 120", Some(Direction::LowerIsBetter), at_most(120.0)),
            ("$1,200", None, at_least(1200.0)),
            ("< 7.5", Some(Direction::HigherIsBetter), at_most(7.5)),
        ];
        for (text, direction, expected) in cases {
            assert_eq!(
                parse_target(text, false, *direction, SOURCE).as_ref(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(parse_target("7,5", true, None, SOURCE), Some(at_least(7.5)));
    }

    #[test]
    fn not_targets() {
        let cases = [
            "",
            "  ",
            "n/a",
            "-",
            "high",
            "soon",
            "Revenue",
            "<",
            ">= ",
            "at least",
            "between 5",
            "between 5 and",
            "abc-def",
            "2024-01-31",
            "< 7.5 monthly",
            "overall 5",
            "1e999",
            "[95]",
            "[]",
            "±",
            "< inf",
        ];
        for text in cases {
            assert_eq!(parse_target(text, false, None, SOURCE), None, "{text:?}");
        }
        let long = "1-".repeat(10_000);
        assert_eq!(parse_target(&long, false, None, SOURCE), None);
    }

    #[test]
    fn headers() {
        let header_target = |header: &str, target: Target| Target {
            source: format!("header '{header}'"),
            ..target
        };
        let cases: Vec<(&str, &str, Option<&str>, Option<Target>)> = vec![
            (
                "Churn % (target < 7.5)",
                "Churn %",
                Some("%"),
                Some(header_target("Churn % (target < 7.5)", at_most(7.5))),
            ),
            (
                "NPS (>= 70)",
                "NPS",
                None,
                Some(header_target("NPS (>= 70)", at_least(70.0))),
            ),
            (
                "Uptime (target: between 99.5 and 100)",
                "Uptime",
                None,
                Some(header_target(
                    "Uptime (target: between 99.5 and 100)",
                    band(99.5, 100.0),
                )),
            ),
            ("Revenue ($)", "Revenue ($)", Some("$"), None),
            (
                "CSAT [goal ≥ 4.5]",
                "CSAT",
                None,
                Some(header_target("CSAT [goal ≥ 4.5]", at_least(4.5))),
            ),
            (
                "Tickets (target 120, lower is better)",
                "Tickets",
                None,
                Some(header_target(
                    "Tickets (target 120, lower is better)",
                    at_most(120.0),
                )),
            ),
            (
                "Tickets (lower is better; target 120)",
                "Tickets",
                None,
                Some(header_target(
                    "Tickets (lower is better; target 120)",
                    at_most(120.0),
                )),
            ),
            (
                "Revenue ($) (target > 1M)",
                "Revenue ($)",
                Some("$"),
                Some(header_target(
                    "Revenue ($) (target > 1M)",
                    at_least(1_000_000.0),
                )),
            ),
            (
                "  Load time (ms) [< 300]  ",
                "Load time (ms)",
                Some("ms"),
                Some(header_target("Load time (ms) [< 300]", at_most(300.0))),
            ),
            (
                "NPS target >= 70",
                "NPS",
                None,
                Some(header_target("NPS target >= 70", at_least(70.0))),
            ),
            (
                "Churn %, goal: < 5",
                "Churn %",
                Some("%"),
                Some(header_target("Churn %, goal: < 5", at_most(5.0))),
            ),
            (
                "NPS ≥ 70",
                "NPS",
                None,
                Some(header_target("NPS ≥ 70", at_least(70.0))),
            ),
            ("Revenue (2024)", "Revenue (2024)", None, None),
            ("Revenue (EMEA)", "Revenue (EMEA)", None, None),
            ("Target revenue", "Target revenue", None, None),
            ("Revenue vs target", "Revenue vs target", None, None),
            ("Sales target 2024", "Sales target 2024", None, None),
            (
                "Sales target > 2024",
                "Sales",
                None,
                Some(header_target("Sales target > 2024", at_least(2024.0))),
            ),
            (
                "Churn % (target 2 to 3)",
                "Churn %",
                Some("%"),
                Some(header_target("Churn % (target 2 to 3)", band(2.0, 3.0))),
            ),
            ("", "", None, None),
            (
                "(>= 70)",
                "(>= 70)",
                None,
                Some(header_target("(>= 70)", at_least(70.0))),
            ),
        ];
        for (header, name, unit, target) in cases {
            let parts = split_header(header, false);
            assert_eq!(
                parts,
                HeaderParts {
                    name: name.to_string(),
                    unit: unit.map(str::to_string),
                    target,
                },
                "{header}"
            );
        }
    }

    #[test]
    fn hostile_headers_never_panic() {
        let long = format!("{}(target < 5)", "Ω(".repeat(5_000));
        let _ = split_header(&long, false);
        for text in [
            "(",
            ")",
            "()",
            "[)",
            "≥",
            "target",
            "(target)",
            "🙂 (≥ 🙂)",
            "İ target ≥ 5",
            "ß<5",
        ] {
            let _ = split_header(text, false);
            let _ = split_header(text, true);
            let _ = parse_direction(text);
            let _ = direction_from_name(text);
        }
    }

    #[test]
    fn directions() {
        let higher = Some(Direction::HigherIsBetter);
        let lower = Some(Direction::LowerIsBetter);
        let cases = [
            ("higher is better", higher),
            ("Higher is better", higher),
            ("higher", higher),
            ("up", higher),
            ("↑", higher),
            ("increase", higher),
            ("grow", higher),
            ("maximise", higher),
            ("maximize", higher),
            ("max", higher),
            ("more is better", higher),
            ("positive", higher),
            ("+", higher),
            ("higher_is_better", higher),
            ("higher-is-better", higher),
            ("HIGHER IS BETTER.", higher),
            ("lower is better", lower),
            ("lower", lower),
            ("down", lower),
            ("↓", lower),
            ("decrease", lower),
            ("reduce", lower),
            ("minimise", lower),
            ("minimize", lower),
            ("min", lower),
            ("less is better", lower),
            ("negative", lower),
            ("-", lower),
            ("lower_is_better", lower),
            ("  Lower  is   better ", lower),
            ("Positivo", higher),
            ("Negativo", lower),
            ("negativa", lower),
            ("Menor es mejor", lower),
            ("", None),
            ("sideways", None),
            ("better", None),
            ("+-", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_direction(text), expected, "{text:?}");
        }
    }

    #[test]
    fn directions_from_names() {
        let higher = Some(Direction::HigherIsBetter);
        let lower = Some(Direction::LowerIsBetter);
        let cases = [
            ("Churn %", lower),
            ("Monthly churn rate", lower),
            ("Costs", lower),
            ("CAC", lower),
            ("Marketing spend", lower),
            ("Operating expenses", lower),
            ("Burn", lower),
            ("Reply time", lower),
            ("First response time (h)", lower),
            ("Resolution time", lower),
            ("Load time [ms]", lower),
            ("Lead time", lower),
            ("Cycle time", lower),
            ("Time to hire", lower),
            ("replyTime", lower),
            ("avg_response_time", lower),
            ("API latency p95", lower),
            ("Call duration", lower),
            ("Delays", lower),
            ("Wait time", lower),
            ("Error rate", lower),
            ("Runtime errors", lower),
            ("Open bugs", lower),
            ("Defects", lower),
            ("Incidents", lower),
            ("Outages", lower),
            ("Downtime", lower),
            ("Bounce rate", lower),
            ("Refunds", lower),
            ("Complaints", lower),
            ("Attrition", lower),
            ("Staff turnover", lower),
            ("Ticket backlog", lower),
            ("Escalations", lower),
            ("Days sales outstanding", lower),
            ("DSO", lower),
            ("MTTR", lower),
            ("Cart abandonment", lower),
            ("Cancellations", lower),
            ("Default rate", lower),
            ("Debt", lower),
            ("Net loss", lower),
            ("Losses", lower),
            ("Revenue churn", lower),
            ("Cost per lead", lower),
            ("Revenue", higher),
            ("MRR", higher),
            ("ARR (€k)", higher),
            ("Active users", higher),
            ("NPS", higher),
            ("CSAT", higher),
            ("Conversion rate", higher),
            ("Net revenue retention", higher),
            ("Uptime", higher),
            ("Gross margin", higher),
            ("Activation", higher),
            ("Signups", higher),
            ("Leads", higher),
            ("Win rate", higher),
            ("Pipeline", higher),
            ("Engagement", higher),
            ("Customer satisfaction", higher),
            ("Mean time between failures", higher),
            ("Time in queue", lower),
            ("Time on site", None),
            ("Time spent in app", None),
            ("Headcount", None),
            // The SPEC lists tickets among the lower-is-better words of
            // business sheets (support tickets), so they are no longer unsaid.
            ("Tickets", lower),
            ("Return on equity", None),
            ("Product returns", lower),
            ("no_show_count", lower),
            ("outstanding_payments", lower),
            ("Interest expense", lower),
            ("Blended CAC ($)", lower),
            ("Average position", lower),
            ("Despesas Gerais", lower),
            ("Custos (Verificações - Certificadora)", lower),
            ("Tempo médio de espera", lower),
            ("Tempo no site", None),
            ("Gastos de envío", lower),
            ("Coût d'acquisition", lower),
            ("Fehlerquote", None),
            ("Anzahl Fehler", lower),
            ("Kosten", lower),
            ("Receita Bruta", higher),
            ("Umsatz", higher),
            ("Omzet", higher),
            ("Ricavi", higher),
            ("total_patients", higher),
            ("", None),
            ("Lifetime", None),
            // Results beside tax or loss words, and savings, are gains.
            ("Profit Before Tax", higher),
            ("Income before taxes", higher),
            ("Earnings after tax", higher),
            ("Net profit after tax", higher),
            ("EBITDA", higher),
            ("EBT", higher),
            ("(Pérdida) Ganancia operativa", higher),
            ("Resultado antes de impuestos", higher),
            ("Ganancia bruta", higher),
            ("Resultado neto", higher),
            ("Utilidad neta", higher),
            ("Profit (loss) for the year", higher),
            ("Costs saved", higher),
            ("Time saved", higher),
            ("Cost savings", higher),
            ("Income tax", lower),
            ("Income tax expense", lower),
            ("Impuesto a las ganancias", lower),
            ("Tax", lower),
            ("Loss before tax", lower),
            // What a team pays: wages and rent.
            ("Payroll", lower),
            ("Salaries", lower),
            ("Wages", lower),
            ("Rent", lower),
            ("Sueldos y salarios", lower),
            ("Rental income", higher),
        ];
        for (name, expected) in cases {
            assert_eq!(direction_from_name(name), expected, "{name}");
        }
    }

    #[test]
    fn plurals_of_lower_is_better_words_in_other_languages() {
        for name in [
            "Retouren",
            "Beschwerden",
            "Verzögerungen",
            "Reclamações",
            "Devolucoes",
            "Errori",
            "Ritardi",
            "klachten",
            "Quejas",
        ] {
            assert_eq!(
                direction_from_name(name),
                Some(Direction::LowerIsBetter),
                "{name}"
            );
        }
        for name in ["Open rate", "Margin", "Return on equity", "Tokens"] {
            assert_ne!(
                direction_from_name(name),
                Some(Direction::LowerIsBetter),
                "{name}"
            );
        }
    }

    #[test]
    fn accounting_signs_say_the_direction() {
        assert_eq!(
            direction_from_sign_prefix("(-) Impostos (PIS/COFINS)"),
            Some(Direction::LowerIsBetter)
        );
        assert_eq!(
            direction_from_sign_prefix("(+) Receita Bruta"),
            Some(Direction::HigherIsBetter)
        );
        assert_eq!(
            direction_from_sign_prefix("(=) Lucro Bruto"),
            Some(Direction::HigherIsBetter)
        );
        assert_eq!(direction_from_sign_prefix("Revenue (-)"), None);
    }

    #[test]
    fn contradictions() {
        let cases = [
            (Direction::HigherIsBetter, at_most(3.0), true),
            (Direction::LowerIsBetter, at_least(70.0), true),
            (Direction::HigherIsBetter, at_least(70.0), false),
            (Direction::LowerIsBetter, at_most(3.0), false),
            (Direction::HigherIsBetter, band(95.0, 105.0), false),
            (Direction::LowerIsBetter, band(95.0, 105.0), false),
        ];
        for (direction, target, expected) in cases {
            assert_eq!(
                contradicts(direction, &target),
                expected,
                "{direction:?} {target:?}"
            );
        }
    }
}
