using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Reusable scratch memory for GFMM products and structured solves of one shape (M, P), for batches of
/// up to <see cref="BatchCapacity"/> vectors at a time. With a workspace, <see cref="GfmmBlock"/>,
/// <see cref="GfmmModel"/> and <see cref="GfmmSolver"/> calls allocate nothing; a batch larger than
/// <see cref="BatchCapacity"/> is processed in chunks of that many vectors (the same results). Holds the execution
/// plans' scratch slots and one node-major panel, about <c>2 N · BatchCapacity</c> floats. Not thread-safe: use
/// one workspace per thread.
/// </summary>
public sealed class GfmmWorkspace
{
    public GfmmWorkspace(int m, int p, int batchCapacity = 1)
    {
        // The layout constructor validates M and P with the same messages everywhere.
        _ = new GfmmLayout(GfmmKind.Lower, m, p);
        if (batchCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(batchCapacity), batchCapacity, "The batch capacity must be >= 1.");
        Buffers = new GfmmNodeBuffers<float>(m, p, batchCapacity);
    }

    /// <summary>A workspace for blocks of <paramref name="layout"/>'s shape (any kind).</summary>
    public GfmmWorkspace(GfmmLayout layout, int batchCapacity = 1)
        : this((layout ?? throw new ArgumentNullException(nameof(layout))).M, layout.P, batchCapacity)
    {
    }

    public int M => Buffers.M;
    public int P => Buffers.P;
    public int N => M * P;

    /// <summary>Vectors a batched call pushes through the tree together; larger batches run in chunks of this size.</summary>
    public int BatchCapacity => Buffers.Capacity;

    internal GfmmNodeBuffers<float> Buffers { get; }

    /// <summary>Throws unless this workspace fits shape (M, P).</summary>
    internal void Check(int m, int p, string parameterName)
    {
        if (M != m || P != p)
            throw new ArgumentException($"The workspace is for M = {M}, P = {P}, but the operation has M = {m}, P = {p}.", parameterName);
    }
}
