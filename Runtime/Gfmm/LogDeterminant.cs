namespace GenLu.Gfmm;

/// <summary>A determinant as its sign and the natural logarithm of its absolute value, which stays finite where the
/// determinant itself over- or underflows (a Gaussian process's <c>log |K|</c> at N = 10⁵ is of order 10⁵).</summary>
/// <param name="Sign">+1 or -1 (a model that loads has no zero pivot, so never 0).</param>
/// <param name="LogAbsoluteValue"><c>ln |det|</c>.</param>
public readonly record struct LogDeterminant(int Sign, double LogAbsoluteValue);
