using GenLu.Gfmm;

namespace GenLu.Tests.Support;

/// <summary>
/// The exact block LU of the 1D Laplacian tridiag(-1, 2, -1) in GFMM form, for tests: only level-0
/// bridges are non-zero. With per-block pivoting <c>P_i S_i = L_i U_i</c> of the Schur complements
/// <c>S_0 = A_00</c>, <c>S_i = A_ii − Lo_{i-1} Up_{i-1}</c>: <c>G^L_i = P_iᵀ L_i</c>, <c>G^U_i = U_i</c>,
/// <c>Lo_{i-1} = A_{i,i-1} U_{i-1}⁻¹</c>, <c>Up_i = (G^L_i)⁻¹ A_{i,i+1}</c>; then
/// <c>(L U)_ii = S_i + Lo_{i-1} Up_{i-1} = A_ii</c> and the off-diagonal blocks are A's.
/// </summary>
internal static class LaplacianBlockLu
{
    public static double[] Matrix(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] = 2;
            if (i > 0) a[i * n + i - 1] = -1;
            if (i + 1 < n) a[i * n + i + 1] = -1;
        }
        return a;
    }

    /// <summary>The exact factors, then every non-zero weight multiplied by <c>1 + noise · u</c>, u uniform in [-1, 1].</summary>
    public static GfmmModel Build(int m, int p, double noise = 0, int seed = 1)
    {
        int n = m * p;
        var model = GfmmModel.Zero(m, p);
        double[,] Block(int bi, int bj)
        {
            var a = Matrix(n);
            var block = new double[p, p];
            for (int r = 0; r < p; r++) for (int c = 0; c < p; c++) block[r, c] = a[(bi * p + r) * n + bj * p + c];
            return block;
        }

        double[,]? previousLo = null, previousUp = null;
        for (int i = 0; i < m; i++)
        {
            var schur = Block(i, i);
            if (i > 0) schur = Subtract(schur, DenseMath.Multiply(previousLo!, previousUp!));
            var (gl, gu) = FactorPermuted(schur);
            Store(model.L, model.L.Layout.Diagonal(i), gl);
            Store(model.U, model.U.Layout.Diagonal(i), gu);
            if (i + 1 < m)
            {
                // Lo_i = A_{i+1,i} U_i⁻¹  (solve X U_i = A_{i+1,i} as U_iᵀ Xᵀ = A_{i+1,i}ᵀ);  Up_i = G^L_i⁻¹ A_{i,i+1}.
                var lo = DenseMath.Transpose(SolveColumns(DenseMath.Transpose(gu), DenseMath.Transpose(Block(i + 1, i))));
                var up = SolveColumns(gl, Block(i, i + 1));
                Store(model.L, model.L.Layout.LowerBridge(0, i), lo);
                Store(model.U, model.U.Layout.UpperBridge(0, i), up);
                previousLo = lo;
                previousUp = up;
            }
        }
        var random = new Random(seed);
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                var tensor = block.Tensor(t);
                for (int k = 0; k < tensor.Length; k++)
                    if (tensor[k] != 0) tensor[k] *= (float)(1 + noise * (2 * random.NextDouble() - 1));
            }
        return model;
    }

    // S = Pᵀ L U by Gaussian elimination with partial pivoting: returns (Pᵀ L, U).
    private static (double[,] PermutedLower, double[,] Upper) FactorPermuted(double[,] s)
    {
        int p = s.GetLength(0);
        var u = (double[,])s.Clone();
        var lower = new double[p, p];
        var order = Enumerable.Range(0, p).ToArray(); // row k of the factored matrix is row order[k] of S
        for (int k = 0; k < p; k++)
        {
            int pivot = k;
            for (int r = k + 1; r < p; r++) if (Math.Abs(u[r, k]) > Math.Abs(u[pivot, k])) pivot = r;
            for (int c = 0; c < p; c++) { (u[k, c], u[pivot, c]) = (u[pivot, c], u[k, c]); (lower[k, c], lower[pivot, c]) = (lower[pivot, c], lower[k, c]); }
            (order[k], order[pivot]) = (order[pivot], order[k]);
            lower[k, k] = 1;
            for (int r = k + 1; r < p; r++)
            {
                double f = u[r, k] / u[k, k];
                lower[r, k] = f;
                for (int c = k; c < p; c++) u[r, c] -= f * u[k, c];
            }
        }
        var permutedLower = new double[p, p];
        for (int k = 0; k < p; k++) for (int c = 0; c < p; c++) permutedLower[order[k], c] = lower[k, c];
        return (permutedLower, u);
    }

    private static double[,] SolveColumns(double[,] a, double[,] b)
    {
        int p = a.GetLength(0);
        var x = new double[p, p];
        for (int c = 0; c < p; c++)
        {
            var column = DenseMath.Solve(a, Enumerable.Range(0, p).Select(r => b[r, c]).ToArray());
            for (int r = 0; r < p; r++) x[r, c] = column[r];
        }
        return x;
    }

    private static double[,] Subtract(double[,] a, double[,] b)
    {
        var c = (double[,])a.Clone();
        for (int i = 0; i < c.GetLength(0); i++) for (int j = 0; j < c.GetLength(1); j++) c[i, j] -= b[i, j];
        return c;
    }

    private static void Store(GfmmBlock block, int tensor, double[,] value)
    {
        var target = block.Tensor(tensor);
        int p = block.P;
        for (int r = 0; r < p; r++) for (int c = 0; c < p; c++) target[r * p + c] = (float)value[r, c];
    }
}
