using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLu.Gfmm;

/// <summary>An operation that works in place on node-major data (see <see cref="GfmmKernels"/>) of numbers <typeparamref name="T"/>.</summary>
internal interface INodeMajorOperation<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Overwrites the <paramref name="count"/> node-major vectors of <paramref name="values"/> with the result.</summary>
    void Run(Span<T> values, int count, GfmmNodeBuffers<T> buffers);
}

/// <summary>
/// Runs an in-place node-major operation over a batch of vectors stored one after another, in chunks of the
/// workspace's <see cref="GfmmWorkspace.BatchCapacity"/>: a chunk of one unpadded vector is already node-major and
/// runs on the output itself; otherwise the chunk goes through the workspace's node-major panel. The input is
/// copied to the output first unless it is the same span, so in-place calls work. A model of order
/// <c>n &lt; M · P</c> factors <c>A ⊕ I</c>: its vectors are padded with zeros to <c>M · P</c> in the panel and
/// only their first <c>n</c> entries come back.
/// </summary>
internal static class GfmmBatches
{
    public static void Run<T, TOperation>(in TOperation operation, ReadOnlySpan<T> x, Span<T> y, int n, int paddedN, int count, T factor, GfmmWorkspace workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperation : struct, INodeMajorOperation<T>
    {
        var buffers = workspace.Buffers<T>();
        for (int first = 0; first < count; first += buffers.Capacity)
        {
            int chunk = Math.Min(buffers.Capacity, count - first);
            ReadOnlySpan<T> source = x.Slice(first * n, chunk * n);
            Span<T> target = y.Slice(first * n, chunk * n);
            if (chunk == 1 && n == paddedN)
            {
                if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(target))) source.CopyTo(target);
                operation.Run(target, 1, buffers);
                GfmmKernels.Scale(target, factor);
            }
            else
            {
                Span<T> panel = buffers.Panel(chunk);
                GfmmKernels.ToNodeMajor(source, panel, n, paddedN, chunk);
                operation.Run(panel, chunk, buffers);
                GfmmKernels.FromNodeMajor(panel, target, n, chunk, factor);
            }
        }
    }
}
