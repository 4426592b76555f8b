using System.Runtime.CompilerServices;

namespace GenLu.Gfmm;

/// <summary>
/// The P x P kernels of the GFMM passes. Node data is "node-major": one node holds a P x count
/// row-major panel (row k = component k of all count vectors), so a batch is a mat-mat product whose
/// inner loop runs over the contiguous count dimension; with count = 1 a panel is an ordinary vector
/// and the kernels switch to dot-product / axpy forms that vectorize over P instead.
/// Callers validate sizes once; these loops do not bounds-check. The parts: panel products
/// (GfmmKernels.PanelProducts.cs), diagonal-block LU solves (GfmmKernels.DiagonalSolves.cs) and the
/// node-major transposes (GfmmKernels.NodeMajor.cs); their level-1 pieces are GenLu.Kernels'.
/// </summary>
internal static unsafe partial class GfmmKernels
{
    /// <summary>
    /// The address of a ref into memory that the public entry point has pinned with <c>fixed</c>, for the
    /// pointer kernels of <see cref="Kernels.StridedLevel1{T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* Pinned<T>(ref T value) where T : unmanaged => (T*)Unsafe.AsPointer(ref value);
}
