"""The statistics of outcomes per version computed another way than
botops/analytics/by_version.py does, for the tests to compare with.

- Wilson score interval (Wilson 1927, "Probable inference, the law of succession, and
  statistical inference", JASA 22): the interval is the set of p with |x/n - p| <= z·sqrt(p(1-p)/n),
  i.e. the roots of (n + z²)p² - (2x + z²)p + x²/n = 0, solved here with the quadratic formula.
- Pooled two-proportion z-test: z² equals Pearson's chi-square of the 2×2 table (no continuity
  correction), computed here from observed and expected counts; two-sided p = P(chi²₁ >= z²).
"""

from __future__ import annotations

import math
from statistics import NormalDist

# The 97.5th percentile of the standard normal, from the standard library rather than botops.
Z_95 = NormalDist().inv_cdf(0.975)


def quadratic_wilson(x: int, n: int, z: float = Z_95) -> tuple[float, float]:
    a, b, c = n + z * z, -(2 * x + z * z), x * x / n
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def chi_square_p(x1: int, n1: int, x2: int, n2: int) -> float:
    observed = [[x1, n1 - x1], [x2, n2 - x2]]
    total = n1 + n2
    columns = [x1 + x2, total - x1 - x2]
    chi2 = sum(
        (observed[i][j] - rows * columns[j] / total) ** 2 / (rows * columns[j] / total)
        for i, rows in enumerate((n1, n2))
        for j in range(2)
    )
    # The survival function of chi-square with one degree of freedom.
    return 1 - math.erf(math.sqrt(chi2 / 2))
