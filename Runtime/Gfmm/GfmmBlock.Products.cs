namespace GenLu.Gfmm;

public sealed partial class GfmmBlock
{
    /// <summary><c>y = F x</c> for one vector of length N (spec: "Forward product"). Allocation-free.</summary>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y, GfmmWorkspace workspace) =>
        Product(x, y, 1, workspace, transpose: false);

    /// <summary><c>y = F x</c> for <paramref name="count"/> vectors of length N stored one after another.</summary>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace) =>
        Product(x, y, count, workspace, transpose: false);

    /// <summary><c>y = Fᵀ x</c> for one vector (spec: "Transposed product"). Allocation-free.</summary>
    public void MultiplyTranspose(ReadOnlySpan<float> x, Span<float> y, GfmmWorkspace workspace) =>
        Product(x, y, 1, workspace, transpose: true);

    /// <summary><c>y = Fᵀ x</c> for <paramref name="count"/> vectors stored one after another.</summary>
    public void MultiplyTranspose(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace) =>
        Product(x, y, count, workspace, transpose: true);

    /// <summary><c>y = F x</c>; allocates a workspace on every call (use the workspace overload in loops).</summary>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y) => Multiply(x, y, new GfmmWorkspace(Layout));

    /// <summary><c>y = Fᵀ x</c>; allocates a workspace on every call.</summary>
    public void MultiplyTranspose(ReadOnlySpan<float> x, Span<float> y) => MultiplyTranspose(x, y, new GfmmWorkspace(Layout));

    /// <summary>
    /// The block as a dense N x N row-major matrix in double precision, by applying it to the columns of
    /// the identity. O(N²) memory and O(N² P) time: a test oracle and a tool for small N, never a solve path.
    /// </summary>
    public double[] ToDense()
    {
        double[] weights = GfmmDense.Widen(Weights);
        return GfmmDense.Columns(M, P, (x, y, count, buffers) =>
            GfmmPasses.Multiply<double>(Layout, weights, transpose: false, x, y, count, buffers));
    }

    private void Product(ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace, bool transpose)
    {
        GfmmArguments.CheckBatch(N, x, y, count, workspace, M, P);
        if (count == 1)
        {
            GfmmPasses.Multiply(Layout, Weights, transpose, x, y, 1, workspace.Buffers);
            return;
        }
        var buffers = workspace.Buffers;
        Span<float> input = buffers.PanelA(count), output = buffers.PanelB(count);
        GfmmKernels.ToNodeMajor(x, input, N, count);
        GfmmPasses.Multiply<float>(Layout, Weights, transpose, input, output, count, buffers);
        GfmmKernels.FromNodeMajor<float>(output, y, N, count, 1f);
    }
}
