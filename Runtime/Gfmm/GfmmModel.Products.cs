namespace GenLu.Gfmm;

public sealed partial class GfmmModel
{
    /// <summary>A workspace of this model's shape for batches of up to <paramref name="batchCapacity"/> vectors.</summary>
    public GfmmWorkspace CreateWorkspace(int batchCapacity = 1) => new(M, P, batchCapacity);

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

    /// <summary><c>s · L · U</c> as a dense N x N row-major matrix in double precision (O(N²) memory,
    /// O(N² P) time): a test oracle and a tool for small N.</summary>
    public double[] ToDense()
    {
        double[] lower = GfmmDense.Widen(L.Weights), upper = GfmmDense.Widen(U.Weights);
        return GfmmDense.Columns(M, P, (x, y, count, buffers) =>
        {
            Span<double> ux = buffers.PanelA(count);
            GfmmPasses.Multiply<double>(U.Layout, upper, transpose: false, x, ux, count, buffers);
            GfmmPasses.Multiply<double>(L.Layout, lower, transpose: false, ux, y, count, buffers);
            GfmmKernels.Scale(y, Scale);
        });
    }

    // The first factor applied is U (or Lᵀ when transposed); node-major panels A and B hold the batch,
    // the intermediate product and the result in turn.
    private void Product(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace, bool transpose)
    {
        GfmmArguments.CheckBatch(N, x, y, count, workspace, M, P);
        var (first, second) = transpose ? (L, U) : (U, L);
        var buffers = workspace.Buffers;
        float scale = (float)Scale;
        if (count == 1)
        {
            Span<float> middle = buffers.PanelA(1);
            GfmmPasses.Multiply(first.Layout, first.Weights, transpose, x, middle, 1, buffers);
            GfmmPasses.Multiply<float>(second.Layout, second.Weights, transpose, middle, y, 1, buffers);
            GfmmKernels.Scale(y, scale);
            return;
        }
        Span<float> panelA = buffers.PanelA(count), panelB = buffers.PanelB(count);
        GfmmKernels.ToNodeMajor(x, panelA, N, count);
        GfmmPasses.Multiply<float>(first.Layout, first.Weights, transpose, panelA, panelB, count, buffers);
        GfmmPasses.Multiply<float>(second.Layout, second.Weights, transpose, panelB, panelA, count, buffers);
        GfmmKernels.FromNodeMajor<float>(panelA, y, N, count, scale);
    }
}
