//! Published constants behind the unit-root and stationarity p-values.
//!
//! Only the case kpilot uses is kept: one series (N = 1) with a constant and
//! no trend (`regression = "c"`). The numbers are copied from the
//! publications named on each item (they are the same values statsmodels
//! ships in `statsmodels/tsa/adfvalues.py` and its `kpss`).

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

/// MacKinnon (1994), "Approximate asymptotic distribution functions for
/// unit-root and cointegration tests", *Journal of Business & Economic
/// Statistics* 12(2), 167–176, the τ_c (N = 1) row of the response surfaces
/// for the lower tail:
/// p = Φ(γ₀ + γ₁τ + γ₂τ²), used for τ at or below [`ADF_TAU_STAR`].
pub const ADF_SMALL_P: ScaledPolynomial<3> = ScaledPolynomial {
    printed: [2.1659, 1.4412, 3.8269],
    scale: [1.0, 1.0, 1e-2],
};

/// MacKinnon (1994), the τ_c (N = 1) row of the response surfaces for the
/// rest of the distribution:
/// p = Φ(γ₀ + γ₁τ + γ₂τ² + γ₃τ³) used for τ above [`ADF_TAU_STAR`].
pub const ADF_LARGE_P: ScaledPolynomial<4> = ScaledPolynomial {
    printed: [1.7339, 9.3202, -1.2745, -1.0368],
    scale: [1.0, 1e-1, 1e-1, 1e-2],
};

/// MacKinnon (1994), τ* for τ_c, N = 1: where the small-p surface hands over
/// to the large-p one.
pub const ADF_TAU_STAR: f64 = -1.61;

/// MacKinnon (1994), the smallest τ_c (N = 1) the surfaces were fitted on;
/// below it the p-value is 0.
pub const ADF_TAU_MIN: f64 = -18.83;

/// MacKinnon (1994), the largest τ_c (N = 1) the surfaces were fitted on;
/// above it the p-value is 1.
pub const ADF_TAU_MAX: f64 = 2.74;

/// MacKinnon (2010), "Critical values for cointegration tests", Queen's
/// Economics Department Working Paper 1227, the τ_c (N = 1) rows: the
/// finite-sample critical value is β∞ + β₁/T + β₂/T² + β₃/T³, for the 1 %, 5 % and
/// 10 % levels in that order.
pub const ADF_CRITICAL_VALUES: [(f64, ScaledPolynomial<4>); 3] = [
    (
        0.01,
        ScaledPolynomial {
            printed: [-3.43035, -6.5393, -16.786, -79.433],
            scale: [1.0; 4],
        },
    ),
    (
        0.05,
        ScaledPolynomial {
            printed: [-2.86154, -2.8903, -4.234, -40.040],
            scale: [1.0; 4],
        },
    ),
    (
        0.10,
        ScaledPolynomial {
            printed: [-2.56677, -1.5384, -2.809, 0.0],
            scale: [1.0; 4],
        },
    ),
];

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
        assert!((ADF_LARGE_P.evaluate(tau) - expanded).abs() < 1e-12);
    }
}
