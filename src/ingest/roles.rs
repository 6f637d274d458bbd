//! The role a row or column plays beside a KPI: its actual values, its
//! plan or target per period (`Plan`, `Budget`, `Target`, `Meta`, `Soll`,
//! `revenue_budget`), a comparison series (`PY`, `Prior year`, `baseline`),
//! or a derived variance (`Variance`, `Var %`, `Δ`), in the languages of
//! `locale`. A label is split into the KPI it belongs to and its role.

use crate::ingest::metadata::normalise;

/// What a series is to its KPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// An ordinary KPI.
    Plain,
    /// The KPI's actual values (`Actual`, `Ist`, `Realizado`).
    Actual,
    /// The KPI's target per period (`Plan`, `Budget`, `Target`, `Meta`).
    Target,
    /// A comparison series: not a KPI and not a target (`PY`, `baseline`).
    Comparison,
    /// Derived from the others and left out (`Variance`, `Var %`).
    Variance,
}

const ACTUAL_WORDS: &[&str] = &[
    "actual",
    "actuals",
    "act",
    "ist",
    "real",
    "realizado",
    "realizada",
    "realised",
    "realized",
    "réel",
    "reel",
    "reale",
    "consuntivo",
    "werkelijk",
    "achieved",
    "réalisé",
    "réalisée",
    "réalisés",
    "realise",
    "realisee",
    "realizzato",
    "effettivo",
    "ejecutado",
    "ejecutada",
    "executado",
    "gerealiseerd",
    "realisatie",
];

const TARGET_WORDS: &[&str] = &[
    "target",
    "targets",
    "tgt",
    "goal",
    "goals",
    "plan",
    "planned",
    "budget",
    "budgeted",
    "bgt",
    "bud",
    "threshold",
    "soll",
    "meta",
    "metas",
    "objetivo",
    "objetivos",
    "orçado",
    "orcado",
    "orçamento",
    "orcamento",
    "presupuesto",
    "objectif",
    "cible",
    "ziel",
    "obiettivo",
    "doel",
    "begroting",
];

const COMPARISON_WORDS: &[&str] = &[
    "py",
    "ly",
    "prior year",
    "previous year",
    "last year",
    "same period last year",
    "baseline",
    "base line",
    "prior",
    "vorjahr",
    "vj",
    "ano anterior",
    "año anterior",
    "annee precedente",
    "année précédente",
    "n 1",
    "anno precedente",
    "vorig jaar",
];

const VARIANCE_WORDS: &[&str] = &[
    "variance",
    "variances",
    "var",
    "var %",
    "variance %",
    "variance pct",
    "var pct",
    "variance percent",
    "delta",
    "δ",
    "diff",
    "difference",
    "vs target",
    "vs plan",
    "vs budget",
    "vs py",
    "vs ly",
    "gap",
    "desvio",
    "desvío",
    "desviación",
    "desviacion",
    "variação",
    "variacao",
    "abweichung",
    "écart",
    "ecart",
    "scostamento",
    "afwijking",
];

/// Words of a role row (the row under the periods that says what each
/// column holds) for a column derived from the others: a bare `%` beside
/// `Objectif | Réalisé` is the share achieved, not a KPI. Only under the
/// periods: as a label, `Churn %` is a KPI.
const ROLE_ROW_DERIVED: &[&str] = &[
    "%",
    "% real",
    "% réalisé",
    "% realise",
    "% achieved",
    "% of target",
    "% of plan",
    "% of budget",
    "achievement",
    "attainment",
    "taux",
    "taux de réalisation",
    "cumplimiento",
    "% cumplimiento",
    "atingimento",
    "% atingimento",
    "erfüllung",
    "zielerreichung",
];

/// The role a cell of a role row names: a role word, or a derived share
/// (`%`, `% of target`).
pub fn role_row_word(label: &str) -> Option<Role> {
    role_word(label).or_else(|| {
        let words = normalise(label);
        ROLE_ROW_DERIVED
            .contains(&words.as_str())
            .then_some(Role::Variance)
    })
}

/// The role a whole label names on its own (`Plan`, `PY`, `Actual`), if any.
pub fn role_word(label: &str) -> Option<Role> {
    let words = normalise(label);
    role_of_words(&words)
}

fn role_of_words(words: &str) -> Option<Role> {
    if ACTUAL_WORDS.contains(&words) {
        Some(Role::Actual)
    } else if TARGET_WORDS.contains(&words) {
        Some(Role::Target)
    } else if COMPARISON_WORDS.contains(&words) {
        Some(Role::Comparison)
    } else if VARIANCE_WORDS.contains(&words) {
        Some(Role::Variance)
    } else {
        None
    }
}

/// A label split into the KPI it belongs to and its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSplit {
    /// The KPI's name, in the label's own spelling; empty for a bare role
    /// word (`Target`).
    pub base: String,
    pub role: Role,
    /// Whether the label is an identifier (`revenue_actual`): such names
    /// are kept as written for the KPI, since that is how people know them.
    pub identifier: bool,
}

/// Splits `Churn Actual`, `Revenue - Target`, `NPS (target)`,
/// `revenue_budget`, `budget_income`, `Sales PY`, `cost_variance_pct`.
/// A role word at the end counts after a space or a separator; at the
/// start only with `_`, `:` or ` - ` after it (`Target accounts` is a KPI).
/// A bare role word (`Plan`) has an empty base. Anything else is Plain.
pub fn split_role(label: &str) -> RoleSplit {
    let trimmed = label.trim();
    let identifier = !trimmed.contains(' ') && trimmed.contains('_');
    let words = normalise(trimmed);
    if let Some(role) = role_of_words(&words) {
        return RoleSplit {
            base: String::new(),
            role,
            identifier,
        };
    }
    let plain = RoleSplit {
        base: trimmed.to_string(),
        role: Role::Plain,
        identifier,
    };
    let word_list: Vec<&str> = words.split(' ').collect();
    // The longest role phrase at the end.
    for take in (1..word_list.len().min(4)).rev() {
        let tail = word_list[word_list.len() - take..].join(" ");
        if let Some(role) = role_of_words(&tail) {
            let base = strip_last_words(trimmed, take);
            if !base.is_empty() {
                return RoleSplit {
                    base,
                    role,
                    identifier,
                };
            }
        }
    }
    // A role word at the start, only in identifier or labelled form.
    if let Some((head, rest)) = split_prefix(trimmed) {
        if let Some(role) = role_word(head) {
            if !rest.is_empty() {
                return RoleSplit {
                    base: rest.to_string(),
                    role,
                    identifier,
                };
            }
        }
    }
    plain
}

/// `budget_income` → ("budget", "income"); `Plan: Revenue` → ("Plan",
/// "Revenue"); `Plan - Revenue` too. Plain spaces do not split.
fn split_prefix(label: &str) -> Option<(&str, &str)> {
    for separator in ["_", ": ", ":", " - ", " – "] {
        if let Some((head, rest)) = label.split_once(separator) {
            if !head.trim().is_empty() {
                return Some((head.trim(), rest.trim()));
            }
        }
    }
    None
}

/// Drops the last `count` words of a label, then trailing separators.
fn strip_last_words(label: &str, count: usize) -> String {
    let mut text = label.trim();
    for _ in 0..count {
        text = text.trim_end_matches(|character: char| {
            !character.is_alphanumeric() && character != '%' && character != 'Δ'
        });
        text = text.trim_end_matches(|character: char| {
            character.is_alphanumeric() || character == '%' || character == 'Δ'
        });
    }
    text.trim_end_matches(|character: char| {
        character.is_whitespace() || "-–—:_/(|[".contains(character)
    })
    .trim()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(label: &str) -> (String, Role) {
        let split = split_role(label);
        (split.base, split.role)
    }

    #[test]
    fn labels_split_into_kpi_and_role() {
        let cases = [
            ("Churn Actual", "Churn", Role::Actual),
            ("Revenue - Target", "Revenue", Role::Target),
            ("Revenue - Variance", "Revenue", Role::Variance),
            ("NPS (target)", "NPS", Role::Target),
            ("revenue_budget", "revenue", Role::Target),
            ("revenue_actual", "revenue", Role::Actual),
            ("revenue_variance_pct", "revenue", Role::Variance),
            ("budget_income", "income", Role::Target),
            ("actual_income", "income", Role::Actual),
            ("Sales PY", "Sales", Role::Comparison),
            ("Umsatz Soll", "Umsatz", Role::Target),
            ("Receita Meta", "Receita", Role::Target),
            ("Plan: Revenue", "Revenue", Role::Target),
            ("Target accounts", "Target accounts", Role::Plain),
            ("Monthly targets", "Monthly", Role::Target),
            ("Actual", "", Role::Actual),
            ("baseline", "", Role::Comparison),
            ("Prior year", "", Role::Comparison),
            ("Var %", "", Role::Variance),
            ("Revenue", "Revenue", Role::Plain),
            ("Gross margin %", "Gross margin %", Role::Plain),
        ];
        for (label, base, role) in cases {
            assert_eq!(split(label), (base.to_string(), role), "{label}");
        }
        assert!(split_role("revenue_actual").identifier);
        assert!(!split_role("Churn Actual").identifier);
    }
}
