// Shared by the draw statistics tests.

/** Upper tail of χ²(df): Q(df/2, x/2), regularised incomplete gamma (Numerical Recipes §6.2). */
export function chiSquareSurvival(x: number, df: number): number {
  const a = df / 2;
  const z = x / 2;
  if (z <= 0) return 1;
  const lnGammaA = lnGamma(a);
  if (z < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= z / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-z + a * Math.log(z) - lnGammaA);
  }
  let b = z + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-z + a * Math.log(z) - lnGammaA) * h;
}

/** ln Γ(a) for a = df/2, exact for the integers and half-integers that occur here. */
function lnGamma(a: number): number {
  let sum = Number.isInteger(a) ? 0 : 0.5 * Math.log(Math.PI);
  for (let x = Number.isInteger(a) ? 1 : 0.5; x < a - 0.25; x++) sum += Math.log(x);
  return sum;
}
