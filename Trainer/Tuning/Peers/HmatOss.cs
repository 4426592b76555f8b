using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLu.Trainer.Tuning.Peers;

/// <summary>
/// hmat-oss, Airbus's hierarchical-matrix library (Debian: <c>apt-get install libhmat-oss-dev</c>), through its C
/// interface: a cluster tree on the points, the standard admissibility (η = 2), assembly by ACA+ from the kernel's
/// entries, then the H-LDLᵀ factorization and solves, in double (its H-LLᵀ stops with a non-positive pivot on
/// the RBF kernel where LDLᵀ and LU do not, so LDLᵀ is the factorization used). Its C interface is a table of function pointers filled by
/// <c>hmat_init_default_interface</c>; the offsets below are those of hmat-oss 1.8 (Debian bookworm's libhmat-oss3,
/// read from its hmat.h with offsetof; the soname libhmat.so.3 is that ABI).
/// </summary>
internal static unsafe partial class HmatOss
{
    private const string Library = "libhmat.so.3";

    // hmat_interface_t of hmat-oss 1.8: sizeof 392; the entries used, by byte offset.
    private const int InterfaceBytes = 392;
    private const int CreateEmptyOffset = 0, SetLowRankEpsilonOffset = 16, AssembleOffset = 24, FactorizeOffset = 72, DestroyOffset = 80, SolveSystemsOffset = 112, InitOffset = 232;

    // hmat_assemble_context_t (72 bytes): simple_compute at 8, user_context at 32, compression at 48, lower_symmetric at 56,
    // progress at 64 (null: no progress bar on stdout, which would break 'genlu tune --json').
    private const int AssembleContextBytes = 72, SimpleComputeOffset = 8, UserContextOffset = 32, CompressionOffset = 48, LowerSymmetricOffset = 56, AssembleProgressOffset = 64;

    // hmat_factorization_context_t (16 bytes): factorization (an enum, hmat_factorization_ldlt = 1) first, progress at 8.
    private const int FactorizationProgressOffset = 8;
    private const int FactorizationContextBytes = 16, LdltFactorization = 1;

    private const int DoublePrecision = 1; // HMAT_DOUBLE_PRECISION

    private static readonly Lazy<nint> Interface = new(CreateInterface);

    public static bool IsAvailable => Interface.Value != 0;

    public static string MissingMessage =>
        $"{Library} (hmat-oss 1.8) not found: the hmat-oss column is skipped (install it with 'apt-get install libhmat-oss-dev').";

    /// <summary>The default ACA+ tolerance of the assembly: far below float precision, so that the factors can answer at 1e-10.</summary>
    public const double DefaultCompressionTolerance = 1e-10;

    private static nint CreateInterface()
    {
        if (!NativeLibrary.TryLoad(Library, out _)) return 0;
        void* table = NativeMemory.AllocZeroed(InterfaceBytes);
        hmat_init_default_interface(table, DoublePrecision);
        var init = (delegate* unmanaged<int>)Entry(table, InitOffset);
        if (init == null || init() != 0)
        {
            NativeMemory.Free(table);
            return 0;
        }
        return (nint)table;
    }

    private static void* Entry(void* table, int offset) => *(void**)((byte*)table + offset);

    /// <summary>The H-LDLᵀ factors of a symmetric kernel matrix on points of a line.</summary>
    public sealed class SymmetricFactors : PeerSolver
    {
        private readonly void* table;
        private void* matrix;
        private void* clusterTree;
        private readonly double[] work;

        /// <param name="points">One coordinate per unknown (the kernel's points on a line).</param>
        /// <param name="entry">The matrix entry (i, j), called for the blocks the assembly needs (j ≤ i: the lower triangle).</param>
        /// <param name="compressionTolerance">The ACA+ tolerance of the admissible blocks' low-rank approximations.</param>
        public SymmetricFactors(ReadOnlySpan<double> points, Func<int, int, double> entry, double compressionTolerance = DefaultCompressionTolerance)
        {
            ArgumentNullException.ThrowIfNull(entry);
            if (!IsAvailable) throw new DllNotFoundException(MissingMessage);
            table = (void*)Interface.Value;
            Order = points.Length;
            work = new double[Order];
            var coordinates = points.ToArray();
            fixed (double* pc = coordinates)
            {
                void* clustering = hmat_create_clustering_median();
                clusterTree = hmat_create_cluster_tree(pc, 1, Order, clustering);
                hmat_delete_clustering(clustering);
            }
            void* admissibility = hmat_create_admissibility_standard(2.0);
            var createEmpty = (delegate* unmanaged<void*, void*, int, void*, void*>)Entry(table, CreateEmptyOffset);
            matrix = createEmpty(clusterTree, clusterTree, 1, admissibility);
            hmat_delete_admissibility(admissibility);
            if (matrix is null) { Dispose(); throw new InvalidOperationException("hmat-oss could not create the H-matrix."); }
            // The factorization recompresses its low-rank updates at the matrix's own threshold; left at its default it
            // truncates far above the assembly's tolerance (measured: a relative residual of 2.4e-6 on the RBF kernel at
            // N = 4,096 with ACA+ at 1e-10 or 1e-12 alike), so it is set to the assembly's tolerance.
            var setLowRankEpsilon = (delegate* unmanaged<void*, double, void>)Entry(table, SetLowRankEpsilonOffset);
            setLowRankEpsilon(matrix, compressionTolerance);

            var handle = GCHandle.Alloc(entry);
            byte* assemble = stackalloc byte[AssembleContextBytes];
            byte* factor = stackalloc byte[FactorizationContextBytes];
            void* compression = hmat_create_compression_aca_plus(compressionTolerance);
            try
            {
                hmat_assemble_context_init(assemble);
                *(delegate* unmanaged<void*, int, int, void*, void>*)(assemble + SimpleComputeOffset) = &Interaction;
                *(nint*)(assemble + UserContextOffset) = GCHandle.ToIntPtr(handle);
                *(void**)(assemble + CompressionOffset) = compression;
                *(int*)(assemble + LowerSymmetricOffset) = 1;
                *(void**)(assemble + AssembleProgressOffset) = null;
                var assembleGeneric = (delegate* unmanaged<void*, void*, int>)Entry(table, AssembleOffset);
                if (assembleGeneric(matrix, assemble) != 0) throw new InvalidOperationException("hmat-oss assembly failed.");
                hmat_factorization_context_init(factor);
                *(int*)factor = LdltFactorization;
                *(void**)(factor + FactorizationProgressOffset) = null;
                var factorize = (delegate* unmanaged<void*, void*, int>)Entry(table, FactorizeOffset);
                if (factorize(matrix, factor) != 0) throw new InvalidOperationException("hmat-oss: the H-LDLᵀ factorization failed.");
            }
            catch
            {
                Dispose();
                throw;
            }
            finally
            {
                hmat_delete_compression(compression);
                handle.Free();
            }
        }

        public override int Order { get; }

        public override void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            ObjectDisposedException.ThrowIf(matrix is null, this);
            if (b.Length != Order || x.Length != Order) throw new ArgumentException($"b and x must have length {Order}.");
            b.CopyTo(work);
            var solve = (delegate* unmanaged<void*, void*, int, int>)Entry(table, SolveSystemsOffset);
            fixed (double* pw = work)
                if (solve(matrix, pw, 1) != 0) throw new InvalidOperationException("hmat-oss solve failed.");
            work.CopyTo(x);
        }

        public override void Dispose()
        {
            if (matrix is not null)
            {
                var destroy = (delegate* unmanaged<void*, int>)Entry(table, DestroyOffset);
                destroy(matrix);
                matrix = null;
            }
            if (clusterTree is not null)
            {
                hmat_delete_cluster_tree(clusterTree);
                clusterTree = null;
            }
        }

        [UnmanagedCallersOnly]
        private static void Interaction(void* context, int row, int column, void* result)
        {
            var entry = (Func<int, int, double>)GCHandle.FromIntPtr((nint)context).Target!;
            *(double*)result = entry(row, column);
        }
    }

    [LibraryImport(Library)]
    private static partial void hmat_init_default_interface(void* table, int valueType);

    [LibraryImport(Library)]
    private static partial void* hmat_create_clustering_median();

    [LibraryImport(Library)]
    private static partial void hmat_delete_clustering(void* clustering);

    [LibraryImport(Library)]
    private static partial void* hmat_create_cluster_tree(double* coordinates, int dimension, int size, void* clustering);

    [LibraryImport(Library)]
    private static partial void hmat_delete_cluster_tree(void* tree);

    [LibraryImport(Library)]
    private static partial void* hmat_create_admissibility_standard(double eta);

    [LibraryImport(Library)]
    private static partial void hmat_delete_admissibility(void* admissibility);

    [LibraryImport(Library)]
    private static partial void* hmat_create_compression_aca_plus(double epsilon);

    [LibraryImport(Library)]
    private static partial void hmat_delete_compression(void* compression);

    [LibraryImport(Library)]
    private static partial void hmat_assemble_context_init(void* context);

    [LibraryImport(Library)]
    private static partial void hmat_factorization_context_init(void* context);
}
