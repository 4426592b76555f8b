using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Metrics;
using GenLu.Operators;
using GenLu.Tests.Support;
using Xunit.Abstractions;
namespace GenLu.Tests.Exact;
public sealed class ScratchDiag(ITestOutputHelper output)
{
    [Theory]
    [InlineData(256, 16, 16)]
    [InlineData(512, 16, 32)]
    [InlineData(1024, 32, 32)]
    public void Diag(int n, int m, int p)
    {
        var op = TestOperators.RbfKernel(n);
        var r = ExactFactorization.Build(MatrixEntries.RbfKernel(n), m, p, op.Scale);
        var d = ExactFactorization.Build(op.Matrix, n, m, p, op.Scale);
        double E(GfmmModel model) { var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)); return MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), op.Matrix); }
        output.WriteLine($"n={n} entries {E(r.Model):E3} dense {E(d.Model):E3}");
        foreach (var t in r.Truncation) output.WriteLine(t.ToString());
        foreach (var t in d.Truncation.Take(4)) output.WriteLine(t.ToString());
        double maxw = 0; foreach (var v in r.Model.L.ToArray()) maxw = Math.Max(maxw, Math.Abs(v));
        double maxd = 0; foreach (var v in d.Model.L.ToArray()) maxd = Math.Max(maxd, Math.Abs(v));
        output.WriteLine($"max |w| entries {maxw:E3} dense {maxd:E3}");
    }
}
