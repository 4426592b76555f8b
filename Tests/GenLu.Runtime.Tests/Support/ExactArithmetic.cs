using System.Numerics;
using GenLu.Dense;

namespace GenLu.Tests.Support;

/// <summary>Reference computations that round only once: residuals in exact integer arithmetic (a double is an integer
/// times a power of two) and the solve refined with them, independent of the Runtime's compensated kernels.</summary>
internal static class ExactArithmetic
{
    /// <summary><c>b_i − (A x)_i</c> in exact integer arithmetic, rounded to double at the end (to 2⁻⁶¹ relative).</summary>
    public static double Residual(double bi, double[] matrix, int n, int i, double[] x)
    {
        // A double is m · 2^(e − 52) with an integer m; products of two are ≥ 2^-2252, so 2^2400 makes every term an integer.
        const int Shift = 2400;
        static (BigInteger Mantissa, int Exponent) Split(double v)
        {
            if (v == 0) return (BigInteger.Zero, 0);
            int e = Math.ILogB(v);
            return (new BigInteger(Math.ScaleB(v, 52 - e)), e - 52);
        }
        var (bm, be) = Split(bi);
        BigInteger sum = bm << (be + Shift);
        for (int j = 0; j < n; j++)
        {
            var (am, ae) = Split(matrix[i * n + j]);
            var (xm, xe) = Split(x[j]);
            sum -= (am * xm) << (ae + xe + Shift);
        }
        if (sum.IsZero) return 0;
        int drop = Math.Max(0, (int)BigInteger.Abs(sum).GetBitLength() - 62);
        return Math.ScaleB((double)(sum >> drop), drop - Shift);
    }

    /// <summary>The solution of A x = b (A dense row-major n x n) to about double precision whatever κ (below 1/u):
    /// Wilkinson's refinement with dense double LU corrections and exact residuals, until the correction is negligible.</summary>
    public static double[] RefinedSolve(double[] a, int n, double[] b)
    {
        var lu = new LuFactorization<double>(a, n, MatrixLayout.RowMajor);
        var x = new double[n];
        lu.Solve(b, x);
        var r = new double[n];
        var d = new double[n];
        for (int iteration = 0; iteration < 30; iteration++)
        {
            for (int i = 0; i < n; i++) r[i] = Residual(b[i], a, n, i, x);
            lu.Solve(r, d);
            for (int i = 0; i < n; i++) x[i] += d[i];
            if (d.Max(Math.Abs) <= 1e-17 * x.Max(Math.Abs)) break;
        }
        return x;
    }
}
