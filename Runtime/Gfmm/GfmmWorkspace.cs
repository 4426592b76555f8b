using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Reusable scratch memory for GFMM products and structured solves of one shape (M, P), for batches of
/// up to <see cref="BatchCapacity"/> vectors. With a workspace, <see cref="GfmmBlock"/>,
/// <see cref="GfmmModel"/> and <see cref="GfmmSolver"/> calls allocate nothing. Holds about
/// <c>4 N · BatchCapacity</c> floats. Not thread-safe: use one workspace per thread.
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

    /// <summary>Largest number of vectors one batched call may process with this workspace.</summary>
    public int BatchCapacity => Buffers.Capacity;

    internal GfmmNodeBuffers<float> Buffers { get; }

    /// <summary>Throws unless this workspace fits shape (M, P) and a batch of <paramref name="count"/> vectors.</summary>
    internal void Check(int m, int p, int count, string parameterName)
    {
        if (M != m || P != p)
            throw new ArgumentException($"The workspace is for M = {M}, P = {P}, but the operation has M = {m}, P = {p}.", parameterName);
        if (count > BatchCapacity)
            throw new ArgumentException($"The workspace holds batches of up to {BatchCapacity} vectors, but {count} were given.", parameterName);
    }
}
