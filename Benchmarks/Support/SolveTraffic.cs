using GenLu.Structure;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// The least work one structured solve of order N can do for <c>rhs</c> right-hand sides: read every
/// tensor of L and U once (each diagonal G_i as its LU factors, same size, plus P int32 pivots), read b and
/// write x; two flops per tensor entry per right-hand side (a P x P product, or the two triangular solves
/// with G_i's factors, cost 2 P² each) and one for the final division by s.
/// </summary>
internal readonly record struct SolveTraffic(long WeightBytes, long VectorBytes, long Flops)
{
    public long Bytes => WeightBytes + VectorBytes;

    public static SolveTraffic Of(int n, int rhs)
    {
        int m = BenchmarkModels.LeafCount(n), p = BenchmarkModels.P;
        long tensorFloats = (long)new GfmmLayout(GfmmKind.Lower, m, p).WeightCount + new GfmmLayout(GfmmKind.Upper, m, p).WeightCount;
        long pivots = 2L * m * p;
        return new SolveTraffic(
            WeightBytes: (tensorFloats + pivots) * sizeof(float),
            VectorBytes: 2L * n * rhs * sizeof(float),
            Flops: rhs * ((2 * tensorFloats) + n));
    }
}
