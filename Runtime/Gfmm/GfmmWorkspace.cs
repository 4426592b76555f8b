using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Reusable scratch memory for GFMM products and structured solves of one shape (M, P), for batches of
/// up to <see cref="BatchCapacity"/> vectors at a time. With a workspace, <see cref="GfmmBlock"/>,
/// <see cref="GfmmModel"/> and <see cref="GfmmSolver"/> calls allocate nothing; a batch larger than
/// <see cref="BatchCapacity"/> is processed in chunks of that many vectors (the same results). Holds the execution
/// plans' scratch slots and one node-major panel, about <c>2 N · BatchCapacity</c> numbers of its <see cref="Dtype"/>, which
/// must be the model's (<see cref="GfmmModel.CreateWorkspace"/> and <see cref="GfmmSolver.CreateWorkspace"/> make the right
/// one). Not thread-safe: use one workspace per thread.
/// </summary>
public sealed class GfmmWorkspace
{
    public GfmmWorkspace(int m, int p, int batchCapacity = 1, GfmmDtype dtype = GfmmDtype.Float32)
    {
        // The layout constructor validates M and P with the same messages everywhere.
        _ = new GfmmLayout(GfmmKind.Lower, m, p);
        if (batchCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(batchCapacity), batchCapacity, "The batch capacity must be >= 1.");
        (M, P, BatchCapacity, Dtype) = (m, p, batchCapacity, dtype);
        buffers = dtype switch
        {
            GfmmDtype.Float32 => new GfmmNodeBuffers<float>(m, p, batchCapacity),
            GfmmDtype.Float64 => new GfmmNodeBuffers<double>(m, p, batchCapacity),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The dtype must be Float32 or Float64."),
        };
    }

    /// <summary>A workspace for blocks of <paramref name="layout"/>'s shape (any kind).</summary>
    public GfmmWorkspace(GfmmLayout layout, int batchCapacity = 1, GfmmDtype dtype = GfmmDtype.Float32)
        : this((layout ?? throw new ArgumentNullException(nameof(layout))).M, layout.P, batchCapacity, dtype)
    {
    }

    // A GfmmNodeBuffers<float> or <double>, as Dtype says.
    private readonly object buffers;

    public int M { get; }
    public int P { get; }
    public int N => M * P;

    /// <summary>The number type of the vectors this workspace holds: the model's.</summary>
    public GfmmDtype Dtype { get; }

    /// <summary>Vectors a batched call pushes through the tree together; larger batches run in chunks of this size.</summary>
    public int BatchCapacity { get; }

    /// <summary>The scratch in <typeparamref name="T"/>; <see cref="Check{T}"/> has made sure it is of that type.</summary>
    internal GfmmNodeBuffers<T> Buffers<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => (GfmmNodeBuffers<T>)buffers;

    /// <summary>Throws unless this workspace fits shape (M, P) and holds numbers of type <typeparamref name="T"/>.</summary>
    internal void Check<T>(int m, int p, string parameterName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (M != m || P != p)
            throw new ArgumentException($"The workspace is for M = {M}, P = {P}, but the operation has M = {m}, P = {p}.", parameterName);
        if (buffers is not GfmmNodeBuffers<T>)
            throw new ArgumentException($"The workspace holds {GfmmDtypes.Name(Dtype)} vectors, but the operation works on {typeof(T).Name} ones; create it with the model's dtype.", parameterName);
    }
}
