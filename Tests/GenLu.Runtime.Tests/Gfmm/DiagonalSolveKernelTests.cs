using System.Numerics;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// The one-vector G_i solve (register sweeps where a vector fits four Vector512 registers, the blocked row form
/// otherwise): its result solves <c>op(G) z = r</c> (residual in double), and the register sweeps' is bit for bit a panel
/// column's result (the row operations on several vectors), on dense random blocks whose rows are permuted so that
/// pivoting swaps. On a machine without AVX-512 every case takes the row form and the bits are not compared.
/// </summary>
public class DiagonalSolveKernelTests
{
    [Theory]
    [InlineData(16, true)] // one register of floats
    [InlineData(32, true)] // two
    [InlineData(48, true)] // three
    [InlineData(64, true)] // four
    [InlineData(20, false)] // not whole registers: the row form
    public void One_vector_solves_float(int p, bool inRegisters) => OneVectorSolves<float>(p, inRegisters, 1e-4);

    [Theory]
    [InlineData(8, true)]
    [InlineData(32, true)]
    [InlineData(48, false)] // six registers of doubles: the row form
    public void One_vector_solves_double(int p, bool inRegisters) => OneVectorSolves<double>(p, inRegisters, 1e-12);

    private static void OneVectorSolves<T>(int p, bool inRegisters, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(p);
        // A dense block with a dominant diagonal, its rows rotated by one so that every pivot swaps.
        var g = new double[p * p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                g[i * p + j] = (i == j ? p : 0) + random.NextDouble() - 0.5;
        var rotated = new double[p * p];
        for (int i = 0; i < p; i++) Array.Copy(g, ((i + 1) % p) * p, rotated, i * p, p);
        var model = GfmmModel.Zero(2, p, dtype: typeof(T) == typeof(double) ? GfmmDtype.Float64 : GfmmDtype.Float32);
        for (int block = 0; block < 2; block++)
        {
            var diagonal = model.L.Tensor<T>(model.L.Layout.Diagonal(block));
            for (int k = 0; k < diagonal.Length; k++) diagonal[k] = T.CreateTruncating(rotated[k]);
        }
        var factors = DiagonalBlockFactors<T>.TryCreate(model.L.Store<T>(), out _).ShouldNotBeNull();
        Enumerable.Range(0, p).Any(k => factors.Pivots[k] != k).ShouldBeTrue("pivoting swaps rows");

        const int count = 3; // fewer than a register block of columns: every column by row operations
        var panel = Enumerable.Range(0, p * count).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        foreach (bool transpose in new[] { false, true })
        {
            var vector = Enumerable.Range(0, p).Select(i => panel[i * count]).ToArray();
            var solvedPanel = (T[])panel.Clone();
            GfmmKernels.LuSolve<T>(factors.Factors.AsSpan(0, p * p), factors.FactorsTransposed.AsSpan(0, p * p), factors.Pivots.AsSpan(0, p), transpose, vector, p, 1);
            GfmmKernels.LuSolve<T>(factors.Factors.AsSpan(0, p * p), factors.FactorsTransposed.AsSpan(0, p * p), factors.Pivots.AsSpan(0, p), transpose, solvedPanel, p, count);
            // The register sweeps apply the row operations' arithmetic in their order; the row form sums in another.
            for (int i = 0; i < p; i++)
                if (inRegisters && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) vector[i].ShouldBe(solvedPanel[i * count], $"entry {i}, transpose {transpose}: a panel column's bits");
                else double.CreateTruncating(vector[i]).ShouldBe(double.CreateTruncating(solvedPanel[i * count]), tolerance, $"entry {i}, transpose {transpose}");

            double worst = 0, scale = 0;
            for (int i = 0; i < p; i++)
            {
                double residual = double.CreateTruncating(panel[i * count]);
                for (int j = 0; j < p; j++)
                    residual -= (transpose ? rotated[j * p + i] : rotated[i * p + j]) * double.CreateTruncating(vector[j]);
                worst = Math.Max(worst, Math.Abs(residual));
                scale = Math.Max(scale, Math.Abs(double.CreateTruncating(panel[i * count])));
            }
            (worst / scale).ShouldBeLessThan(tolerance, $"relative residual of op(G) z = r, transpose {transpose}");
        }
    }
}
