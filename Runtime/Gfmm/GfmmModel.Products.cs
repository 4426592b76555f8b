using System.Numerics;

namespace GenLu.Gfmm;

/// <remarks>Span rules of every product (the same as the generated solvers'): <c>x</c> and <c>y</c> may be the
/// same span (in place) but must not overlap otherwise; <c>count == 0</c> is a no-op; a batch larger than the
/// workspace's <see cref="GfmmWorkspace.BatchCapacity"/> runs in chunks of that many vectors. The vectors' type is the
/// model's <see cref="Dtype"/> (float for float32, double for float64); the other throws an <see cref="ArgumentException"/>.</remarks>
public sealed partial class GfmmModel
{
    /// <summary>A workspace of this model's shape and dtype for batches of up to <paramref name="batchCapacity"/> vectors.</summary>
    public GfmmWorkspace CreateWorkspace(int batchCapacity = 1) => new(M, P, batchCapacity, Dtype);

    /// <summary><c>y = s · L · U x</c> (the approximation of A) for one vector. Allocation-free.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y, GfmmWorkspace workspace) => Product(x, y, 1, workspace, transpose: false);

    /// <summary><c>y = s · L · U x</c> for <paramref name="count"/> vectors stored one after another.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace) => Product(x, y, count, workspace, transpose: false);

    /// <summary><c>y = (s · L · U)ᵀ x = s · Uᵀ Lᵀ x</c> for one vector. Allocation-free.</summary>
    public void ApplyTranspose(ReadOnlySpan<float> x, Span<float> y, GfmmWorkspace workspace) => Product(x, y, 1, workspace, transpose: true);

    /// <summary><c>y = (s · L · U)ᵀ x</c> for <paramref name="count"/> vectors stored one after another.</summary>
    public void ApplyTranspose(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace) => Product(x, y, count, workspace, transpose: true);

    /// <summary><c>y = s · L · U x</c>; allocates a workspace on every call.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y) => Apply(x, y, CreateWorkspace());

    /// <summary><c>y = (s · L · U)ᵀ x</c>; allocates a workspace on every call.</summary>
    public void ApplyTranspose(ReadOnlySpan<float> x, Span<float> y) => ApplyTranspose(x, y, CreateWorkspace());

    /// <summary><c>y = s · L · U x</c> of a float64 model for one vector. Allocation-free.</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y, GfmmWorkspace workspace) => Product(x, y, 1, workspace, transpose: false);

    /// <summary><c>y = s · L · U x</c> of a float64 model for <paramref name="count"/> vectors stored one after another.</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y, int count, GfmmWorkspace workspace) => Product(x, y, count, workspace, transpose: false);

    /// <summary><c>y = (s · L · U)ᵀ x</c> of a float64 model for one vector. Allocation-free.</summary>
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y, GfmmWorkspace workspace) => Product(x, y, 1, workspace, transpose: true);

    /// <summary><c>y = (s · L · U)ᵀ x</c> of a float64 model for <paramref name="count"/> vectors stored one after another.</summary>
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y, int count, GfmmWorkspace workspace) => Product(x, y, count, workspace, transpose: true);

    /// <summary><c>s · L · U</c> as a dense N x N row-major matrix in double precision (O(N²) memory,
    /// O(N² P) time): a test oracle and a tool for small N. For an order N below M · P it is the leading N x N
    /// block, the model's approximation of A itself.</summary>
    public double[] ToDense()
    {
        double[] lower = Weights(L), upper = Weights(U);
        GfmmPass lowerPass = L.Pass(transpose: false), upperPass = U.Pass(transpose: false);
        return GfmmDense.Columns(M, P, (x, y, count, buffers) =>
        {
            upperPass.Apply<double>(upper, x, y, count, buffers);
            lowerPass.Apply<double>(lower, y, y, count, buffers);
            GfmmKernels.Scale(y, Scale);
        }, N);

        static double[] Weights(GfmmBlock block) =>
            block.Dtype == Structure.GfmmDtype.Float64 ? block.Store<double>().Values : GfmmDense.Widen<float>(block.Store<float>().Values);
    }

    /// <summary><c>y = s · L · U x</c> for <paramref name="count"/> vectors of the model's own number type T, for generic callers.</summary>
    internal void Apply<T>(ReadOnlySpan<T> x, Span<T> y, int count, GfmmWorkspace workspace)
        where T : unmanaged, IFloatingPointIeee754<T> => Product(x, y, count, workspace, transpose: false);

    /// <summary><c>y = (s · L · U)ᵀ x</c> for <paramref name="count"/> vectors of the model's own number type T, for generic callers.</summary>
    internal void ApplyTranspose<T>(ReadOnlySpan<T> x, Span<T> y, int count, GfmmWorkspace workspace)
        where T : unmanaged, IFloatingPointIeee754<T> => Product(x, y, count, workspace, transpose: true);

    private void Product<T>(ReadOnlySpan<T> x, Span<T> y, int count, GfmmWorkspace workspace, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GfmmArguments.CheckBatch(N, x, y, count, workspace, M, P);
        GfmmArguments.CheckDtype<T>(Dtype, "model", nameof(x));
        GfmmBatches.Run(new ProductOperation<T>(this, transpose), x, y, N, PaddedN, count, T.CreateChecked(Scale), workspace);
    }

    /// <summary><c>L U</c> (or <c>Uᵀ Lᵀ</c>) in place on node-major data: the first factor applied is U, or Lᵀ when transposed.</summary>
    private readonly struct ProductOperation<T>(GfmmModel model, bool transpose) : INodeMajorOperation<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(Span<T> values, int count, GfmmNodeBuffers<T> buffers)
        {
            var (first, second) = transpose ? (model.L, model.U) : (model.U, model.L);
            first.Pass(transpose).Apply<T>(first.Store<T>().Values, values, values, count, buffers);
            second.Pass(transpose).Apply<T>(second.Store<T>().Values, values, values, count, buffers);
        }
    }
}
