using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <remarks>Span rules of every product (the same as the generated solvers'): <c>x</c> and <c>y</c> may be the
/// same span (in place) but must not overlap otherwise; <c>count == 0</c> is a no-op; a batch larger than the
/// workspace's <see cref="GfmmWorkspace.BatchCapacity"/> runs in chunks of that many vectors. The vectors' type is the
/// block's <see cref="Dtype"/> (float for float32, double for float64); the other throws an <see cref="ArgumentException"/>.</remarks>
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
    public void Multiply(ReadOnlySpan<float> x, Span<float> y) => Multiply(x, y, CreateWorkspace());

    /// <summary><c>y = Fᵀ x</c>; allocates a workspace on every call.</summary>
    public void MultiplyTranspose(ReadOnlySpan<float> x, Span<float> y) => MultiplyTranspose(x, y, CreateWorkspace());

    /// <summary><c>y = F x</c> of a float64 block for one vector. Allocation-free.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y, GfmmWorkspace workspace) =>
        Product(x, y, 1, workspace, transpose: false);

    /// <summary><c>y = F x</c> of a float64 block for <paramref name="count"/> vectors stored one after another.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y, int count, GfmmWorkspace workspace) =>
        Product(x, y, count, workspace, transpose: false);

    /// <summary><c>y = Fᵀ x</c> of a float64 block for one vector. Allocation-free.</summary>
    public void MultiplyTranspose(ReadOnlySpan<double> x, Span<double> y, GfmmWorkspace workspace) =>
        Product(x, y, 1, workspace, transpose: true);

    /// <summary><c>y = Fᵀ x</c> of a float64 block for <paramref name="count"/> vectors stored one after another.</summary>
    public void MultiplyTranspose(ReadOnlySpan<double> x, Span<double> y, int count, GfmmWorkspace workspace) =>
        Product(x, y, count, workspace, transpose: true);

    /// <summary>A workspace of this block's shape and dtype for batches of up to <paramref name="batchCapacity"/> vectors.</summary>
    public GfmmWorkspace CreateWorkspace(int batchCapacity = 1) => new(Layout, batchCapacity, Dtype);

    /// <summary>
    /// The block as a dense N x N row-major matrix in double precision, by applying it to the columns of
    /// the identity. O(N²) memory and O(N² P) time: a test oracle and a tool for small N, never a solve path.
    /// </summary>
    public double[] ToDense()
    {
        double[] weights = Either(s => GfmmDense.Widen<float>(s.Values), d => d.Values);
        var pass = Pass(transpose: false);
        return GfmmDense.Columns(M, P, (x, y, count, buffers) => pass.Apply<double>(weights, x, y, count, buffers));
    }

    private GfmmPass? forwardPass;
    private GfmmPass? transposePass;

    /// <summary>The block's product plan (or its transpose's), made ready on first use and then kept: the layout never changes.</summary>
    internal GfmmPass Pass(bool transpose) => transpose
        ? transposePass ??= CreatePass(PlanOperation.Apply, transposed: true)
        : forwardPass ??= CreatePass(PlanOperation.Apply, transposed: false);

    /// <summary>A plan of this block made ready for its store: the tensors it does not hold are left out.</summary>
    internal GfmmPass CreatePass(PlanOperation operation, bool transposed) =>
        Either(s => GfmmPass.For(s, operation, transposed), d => GfmmPass.For(d, operation, transposed));

    private void Product<T>(ReadOnlySpan<T> x, Span<T> y, int count, GfmmWorkspace workspace, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GfmmArguments.CheckBatch(N, x, y, count, workspace, M, P);
        GfmmArguments.CheckDtype<T>(Dtype, "block", nameof(x));
        GfmmBatches.Run(new ProductOperation<T>(Pass(transpose), Store<T>().Values), x, y, N, N, count, T.One, workspace);
    }

    /// <summary>One block's product, in place on node-major data (its plan works in place).</summary>
    private readonly struct ProductOperation<T>(GfmmPass pass, T[] weights) : INodeMajorOperation<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(Span<T> values, int count, GfmmNodeBuffers<T> buffers) => pass.Apply<T>(weights, values, values, count, buffers);
    }
}
