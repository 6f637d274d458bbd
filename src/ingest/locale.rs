//! Words kpilot knows in the languages of the sheets people keep: English,
//! Portuguese, Spanish, French, German, Italian and Dutch. Month names and
//! their abbreviations, the words that name a period part in a header
//! (`Ano`, `Mês`, `Jahr`), the week word (`Semana`, `KW`), and the
//! aggregate-entity words (`Total`, `Todos`, `Gesamt`).
//!
//! Sources: the CLDR month names and abbreviated month names ("format" and
//! "stand-alone" widths) of en, pt, es, fr, de, it and nl, lower-cased, with
//! accents kept and also given without them (people type `Marco` for
//! `Março`), plus the three-letter forms spreadsheets show (`Mrz`, `Okt`).

/// Month names and abbreviations, lower-case. A word shared by languages
/// always means the same month (`mar`, `set`, `dic`), so no language has to
/// be chosen first.
pub const MONTH_NAMES: &[(&str, u32)] = &[
    // January
    ("jan", 1),
    ("january", 1),
    ("janeiro", 1),
    ("ene", 1),
    ("enero", 1),
    ("janv", 1),
    ("janvier", 1),
    ("januar", 1),
    ("jänner", 1),
    ("jän", 1),
    ("gen", 1),
    ("gennaio", 1),
    ("januari", 1),
    // February
    ("feb", 2),
    ("february", 2),
    ("fev", 2),
    ("fevereiro", 2),
    ("febrero", 2),
    ("févr", 2),
    ("fevr", 2),
    ("février", 2),
    ("fevrier", 2),
    ("februar", 2),
    ("febbraio", 2),
    ("februari", 2),
    // March
    ("mar", 3),
    ("march", 3),
    ("março", 3),
    ("marco", 3),
    ("marzo", 3),
    ("mars", 3),
    ("mär", 3),
    ("mrz", 3),
    ("märz", 3),
    ("maerz", 3),
    ("maart", 3),
    ("mrt", 3),
    // April
    ("apr", 4),
    ("april", 4),
    ("abr", 4),
    ("abril", 4),
    ("avr", 4),
    ("avril", 4),
    ("aprile", 4),
    // May
    ("may", 5),
    ("mai", 5),
    ("maio", 5),
    ("mayo", 5),
    ("mag", 5),
    ("maggio", 5),
    ("mei", 5),
    // June
    ("jun", 6),
    ("june", 6),
    ("junho", 6),
    ("junio", 6),
    ("juin", 6),
    // `Jui` beside `Juil` (French three-letter truncations): June; the axis
    // reads it as July when June is written out beside it.
    ("jui", 6),
    ("juni", 6),
    ("giu", 6),
    ("giugno", 6),
    // July
    ("jul", 7),
    ("july", 7),
    ("julho", 7),
    ("julio", 7),
    ("juil", 7),
    ("juillet", 7),
    ("juli", 7),
    ("lug", 7),
    ("luglio", 7),
    // August
    ("aug", 8),
    ("august", 8),
    ("ago", 8),
    ("agosto", 8),
    ("août", 8),
    ("aout", 8),
    ("aoû", 8),
    ("aou", 8),
    ("augustus", 8),
    // September
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
    ("set", 9),
    ("setembro", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("settembre", 9),
    // October
    ("oct", 10),
    ("october", 10),
    ("out", 10),
    ("outubro", 10),
    ("octubre", 10),
    ("octobre", 10),
    ("okt", 10),
    ("oktober", 10),
    ("ott", 10),
    ("ottobre", 10),
    // November
    ("nov", 11),
    ("november", 11),
    ("novembro", 11),
    ("noviembre", 11),
    ("novembre", 11),
    // December
    ("dec", 12),
    ("december", 12),
    ("dez", 12),
    ("dezembro", 12),
    ("dic", 12),
    ("diciembre", 12),
    ("déc", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("dezember", 12),
    ("dicembre", 12),
];

/// The month a (lower-case) word names, if it names one.
pub fn month_number(word: &str) -> Option<u32> {
    MONTH_NAMES
        .iter()
        .find(|(name, _)| *name == word)
        .map(|&(_, month)| month)
}

/// Words for "week" before a week number (`Week 12`, `Semana 12`, `KW 12`).
pub const WEEK_WORDS: &[&str] = &[
    "w",
    "wk",
    "week",
    "kw",
    "cw",
    "semana",
    "sem",
    "semaine",
    "woche",
    "settimana",
    "sett",
];

/// Words for "half year" before a half number (`H1 2024`, `HY1`, `S1`
/// is not one: it is a semester in some languages but a series name in others).
pub const HALF_WORDS: &[&str] = &["h", "hy"];

/// Header words that name a year column, normalised (lower-case).
pub const YEAR_HEADERS: &[&str] = &[
    "year",
    "yr",
    "fy",
    "fiscal year",
    "ano",
    "año",
    "anio",
    "annee",
    "année",
    "an",
    "jahr",
    "anno",
    "jaar",
    "exercicio",
    "exercício",
    "ejercicio",
];

/// Header words that name a month column (names or numbers), normalised.
pub const MONTH_HEADERS: &[&str] = &[
    "month",
    "mon",
    "mes",
    "mês",
    "mois",
    "monat",
    "mese",
    "maand",
    "month name",
    "month num",
    "month number",
    "month no",
    "month nr",
    "month index",
    "mes num",
    "nr mes",
    "num mes",
];

/// Header words, normalised, for a column that holds the period of each row
/// in a long table or a periods-down table.
pub const PERIOD_HEADERS: &[&str] = &[
    "date",
    "period",
    "month",
    "week",
    "quarter",
    "year",
    "day",
    "time",
    "datum",
    "reporting period",
    "period end",
    "month end",
    "week start",
    "week ending",
    "ym",
    "yyyymm",
    "year month",
    "month year",
    "data",
    "periodo",
    "período",
    "mes",
    "mês",
    "fecha",
    "période",
    "periode",
    "mois",
    "zeitraum",
    "monat",
    "datum",
    "mese",
    "maand",
    "semana",
    "trimestre",
    "quartal",
    "kwartaal",
    "ano",
    "año",
    "jahr",
    "anno",
    "jaar",
    "competencia",
    "competência",
    "mes ano",
    "mês ano",
    "ano mes",
    "ano mês",
];

/// Header words, normalised, for the column holding KPI names.
pub const NAME_HEADERS: &[&str] = &[
    "kpi",
    "kpis",
    "kpi name",
    "metric",
    "metrics",
    "metric name",
    "measure",
    "indicator",
    "indicators",
    "name",
    "series",
    "variable",
    "key performance indicator",
    "item",
    "line item",
    "account",
    "indicador",
    "indicadores",
    "métrica",
    "metrica",
    "medida",
    "indicateur",
    "mesure",
    "kennzahl",
    "kennzahlen",
    "indicatore",
    "indicatori",
    "kengetal",
    "indicatorname",
    "nome",
    "nombre",
    "nom",
];

/// Header words, normalised, for the column holding the values of a long table.
pub const VALUE_HEADERS: &[&str] = &[
    "value",
    "values",
    "actual",
    "actuals",
    "amount",
    "result",
    "figure",
    "score",
    "measurement",
    "reading",
    "valor",
    "valores",
    "realizado",
    "resultado",
    "montante",
    "importe",
    "valeur",
    "réel",
    "reel",
    "montant",
    "wert",
    "ist",
    "betrag",
    "valore",
    "waarde",
    "obs value",
    "obs_value",
];

/// Header words, normalised, for an entity column: the thing each KPI is
/// measured for (a company, bank, region, store, product …).
pub const ENTITY_HEADERS: &[&str] = &[
    "entity",
    "company",
    "companies",
    "bank",
    "region",
    "country",
    "state",
    "city",
    "store",
    "shop",
    "branch",
    "site",
    "location",
    "office",
    "product",
    "model",
    "brand",
    "segment",
    "channel",
    "customer",
    "client",
    "business",
    "organisation",
    "organization",
    "court",
    "plant",
    "warehouse",
    "market",
    "territory",
    "empresa",
    "banco",
    "região",
    "regiao",
    "país",
    "pais",
    "estado",
    "cidade",
    "ciudad",
    "loja",
    "tienda",
    "filial",
    "sucursal",
    "produto",
    "producto",
    "modelo",
    "canal",
    "cliente",
    "orgao",
    "órgão",
    "nome orgao",
    "unidade",
    "unidad",
    "entreprise",
    "société",
    "pays",
    "ville",
    "magasin",
    "produit",
    "unternehmen",
    "firma",
    "land",
    "stadt",
    "filiale",
    "produkt",
    "azienda",
    "paese",
    "città",
    "negozio",
    "prodotto",
    "bedrijf",
    "stad",
    "winkel",
    "vestiging",
    "ticker",
    "symbol",
];

/// Entity values that stand for the sum or average of the others.
pub const AGGREGATE_ENTITIES: &[&str] = &[
    "total",
    "totals",
    "grand total",
    "all",
    "overall",
    "sum",
    "all regions",
    "all stores",
    "all companies",
    "company total",
    "total geral",
    "todos",
    "todas",
    "geral",
    "total general",
    "tous",
    "ensemble",
    "gesamt",
    "summe",
    "insgesamt",
    "tutti",
    "totale",
    "totaal",
    "alle",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_words_agree_across_languages() {
        for (word, month) in [
            ("março", 3),
            ("dez", 12),
            ("set", 9),
            ("out", 10),
            ("mrt", 3),
            ("mei", 5),
            ("gen", 1),
            ("dic", 12),
            ("okt", 10),
            ("juillet", 7),
        ] {
            assert_eq!(month_number(word), Some(month), "{word}");
        }
        assert_eq!(month_number("revenue"), None);
    }

    #[test]
    fn no_month_word_is_listed_for_two_months() {
        for (word, month) in MONTH_NAMES {
            for (other, other_month) in MONTH_NAMES {
                if word == other {
                    assert_eq!(month, other_month, "{word}");
                }
            }
        }
    }
}
