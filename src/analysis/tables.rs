//! Published constants behind the unit-root and stationarity p-values.
//!
//! Only the cases kpilot uses are kept: one series (N = 1) with a constant
//! (`regression = "c"`, the stationarity decision) and with a constant and a
//! linear time trend (`regression = "ct"`, the wanders guard). The numbers
//! are copied from the publications named on each item (they are the same
//! values statsmodels ships in `statsmodels/tsa/adfvalues.py` and its
//! `kpss`).

/// Polynomial coefficients, constant term first, with the power-of-ten
/// scaling MacKinnon prints beside each column: coefficient i is
/// `value[i] * scale[i]`.
#[derive(Debug, Clone, Copy)]
pub struct ScaledPolynomial<const TERMS: usize> {
    /// The coefficients as printed in the table.
    pub printed: [f64; TERMS],
    /// The scaling of each printed column.
    pub scale: [f64; TERMS],
}

impl<const TERMS: usize> ScaledPolynomial<TERMS> {
    /// Evaluates Σ cᵢ·xⁱ by Horner's rule from the highest power, the order
    /// `numpy.polyval` uses.
    pub fn evaluate(&self, x: f64) -> f64 {
        self.printed
            .iter()
            .zip(&self.scale)
            .rev()
            .fold(0.0, |acc, (printed, scale)| acc * x + printed * scale)
    }
}

/// The tables behind one form of the ADF test (one row of MacKinnon's
/// tables, N = 1).
#[derive(Debug, Clone, Copy)]
pub struct AdfTables {
    /// MacKinnon (1994) response surface for the lower tail:
    /// p = Φ(γ₀ + γ₁τ + γ₂τ²), used for τ at or below `tau_star`.
    pub small_p: ScaledPolynomial<3>,
    /// MacKinnon (1994) response surface for the rest of the distribution:
    /// p = Φ(γ₀ + γ₁τ + γ₂τ² + γ₃τ³), used for τ above `tau_star`.
    pub large_p: ScaledPolynomial<4>,
    /// MacKinnon (1994) τ*: where the small-p surface hands over to the
    /// large-p one.
    pub tau_star: f64,
    /// MacKinnon (1994): the smallest τ the surfaces were fitted on; below
    /// it the p-value is 0.
    pub tau_min: f64,
    /// MacKinnon (1994): the largest τ the surfaces were fitted on; above it
    /// the p-value is 1.
    pub tau_max: f64,
    /// MacKinnon (2010) finite-sample critical values β∞ + β₁/T + β₂/T² +
    /// β₃/T³ for the 1 %, 5 % and 10 % levels in that order.
    pub critical_values: [(f64, ScaledPolynomial<4>); 3],
}

/// The 1994 surfaces' printed scaling: γ₂ is printed ×100.
const SMALL_P_SCALE: [f64; 3] = [1.0, 1.0, 1e-2];
/// The 1994 surfaces' printed scaling: γ₁ and γ₂ ×10, γ₃ ×100.
const LARGE_P_SCALE: [f64; 4] = [1.0, 1e-1, 1e-1, 1e-2];

const fn critical_value(printed: [f64; 4]) -> ScaledPolynomial<4> {
    ScaledPolynomial {
        printed,
        scale: [1.0; 4],
    }
}

/// The ADF test with a constant (τ_c, N = 1).
///
/// Response surfaces, τ*, τmin and τmax: MacKinnon (1994), "Approximate
/// asymptotic distribution functions for unit-root and cointegration tests",
/// *Journal of Business & Economic Statistics* 12(2), 167–176, the τ_c row
/// (N = 1). Critical values: MacKinnon (2010), "Critical values for
/// cointegration tests", Queen's Economics Department Working Paper 1227,
/// the τ_c rows (N = 1).
pub const ADF_CONSTANT: AdfTables = AdfTables {
    small_p: ScaledPolynomial {
        printed: [2.1659, 1.4412, 3.8269],
        scale: SMALL_P_SCALE,
    },
    large_p: ScaledPolynomial {
        printed: [1.7339, 9.3202, -1.2745, -1.0368],
        scale: LARGE_P_SCALE,
    },
    tau_star: -1.61,
    tau_min: -18.83,
    tau_max: 2.74,
    critical_values: [
        (0.01, critical_value([-3.43035, -6.5393, -16.786, -79.433])),
        (0.05, critical_value([-2.86154, -2.8903, -4.234, -40.040])),
        (0.10, critical_value([-2.56677, -1.5384, -2.809, 0.0])),
    ],
};

/// The ADF test with a constant and a linear time trend (τ_ct, N = 1).
///
/// Response surfaces, τ*, τmin and τmax: MacKinnon (1994) (see
/// [`ADF_CONSTANT`]), the τ_ct row (N = 1). Critical values: MacKinnon
/// (2010), the τ_ct rows (N = 1).
pub const ADF_CONSTANT_AND_TREND: AdfTables = AdfTables {
    small_p: ScaledPolynomial {
        printed: [3.2512, 1.6047, 4.9588],
        scale: SMALL_P_SCALE,
    },
    large_p: ScaledPolynomial {
        printed: [2.5261, 6.1654, -3.7956, -6.0285],
        scale: LARGE_P_SCALE,
    },
    tau_star: -2.89,
    tau_min: -16.18,
    tau_max: 0.7,
    critical_values: [
        (0.01, critical_value([-3.95877, -9.0531, -28.428, -134.155])),
        (0.05, critical_value([-3.41049, -4.3904, -9.036, -45.374])),
        (0.10, critical_value([-3.12705, -2.5856, -3.925, -22.380])),
    ],
};

/// Kwiatkowski, Phillips, Schmidt & Shin (1992), "Testing the null hypothesis
/// of stationarity against the alternative of a unit root", *Journal of
/// Econometrics* 54, 159–178, Table 1 (level stationarity, η_μ): the
/// asymptotic critical values and their upper-tail probabilities, in
/// increasing order of the statistic.
pub const KPSS_LEVEL_CRITICAL_VALUES: [(f64, f64); 4] =
    [(0.347, 0.10), (0.463, 0.05), (0.574, 0.025), (0.739, 0.01)];

/// Hobijn, Franses & Ooms (2004), "Generalisations of the KPSS-test for
/// stationarity", *Statistica Neerlandica* 58(4), 483–502: the constant of the
/// Bartlett-kernel automatic bandwidth γ̂ = 1.1447·(ŝ¹/ŝ⁰)^{2/3}.
pub const KPSS_BANDWIDTH_CONSTANT: f64 = 1.1447;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horner_matches_the_expanded_polynomial() {
        let tau: f64 = -2.5;
        let expanded = 1.7339 + 0.93202 * tau - 0.12745 * tau * tau - 0.010368 * tau.powi(3);
        assert!((ADF_CONSTANT.large_p.evaluate(tau) - expanded).abs() < 1e-12);
    }
}
