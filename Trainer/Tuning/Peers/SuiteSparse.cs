using System.Runtime.InteropServices;
using GenLu.Sparse;

namespace GenLu.Trainer.Tuning.Peers;

/// <summary>
/// Sparse direct solvers from the system SuiteSparse (Debian: <c>apt-get install libsuitesparse-dev</c>): UMFPACK's
/// unsymmetric LU and CHOLMOD's supernodal Cholesky, both in double with 32-bit indices. A CSR matrix is handed over
/// as it is: its arrays are the compressed-column arrays of Aᵀ, so UMFPACK solves with Aᵀ's transpose and CHOLMOD
/// (symmetric input) reads the upper triangle, which for a symmetric A is the same matrix.
/// </summary>
internal static unsafe partial class SuiteSparse
{
    private const string UmfpackLibrary = "libumfpack.so.5";
    private const string CholmodLibrary = "libcholmod.so.3";

    private static readonly Lazy<bool> UmfpackLoaded = new(() => NativeLibrary.TryLoad(UmfpackLibrary, out _) && OpenBlas.IsAvailable);
    private static readonly Lazy<bool> CholmodLoaded = new(() => NativeLibrary.TryLoad(CholmodLibrary, out _) && OpenBlas.IsAvailable);

    public static bool IsUmfpackAvailable => UmfpackLoaded.Value;

    public static bool IsCholmodAvailable => CholmodLoaded.Value;

    public static string UmfpackMissingMessage =>
        $"{UmfpackLibrary} not found: the UMFPACK column is skipped (install it with 'apt-get install libsuitesparse-dev').";

    public static string CholmodMissingMessage =>
        $"{CholmodLibrary} not found: the CHOLMOD column is skipped (install it with 'apt-get install libsuitesparse-dev').";

    /// <summary>UMFPACK's LU of a square CSR matrix (symbolic and numeric factorization); dispose to free it.</summary>
    public sealed class UmfpackLu : IDisposable
    {
        private readonly int[] pointers;
        private readonly int[] indices;
        private readonly double[] values;
        private void* numeric;

        public UmfpackLu(CsrMatrix a)
        {
            ArgumentNullException.ThrowIfNull(a);
            if (!IsUmfpackAvailable) throw new DllNotFoundException(UmfpackMissingMessage);
            if (a.Rows != a.Columns) throw new ArgumentException($"UMFPACK needs a square matrix, not {a.Rows} x {a.Columns}.", nameof(a));
            Order = a.Rows;
            pointers = a.RowPointers.ToArray();
            indices = a.ColumnIndices.ToArray();
            values = a.Values.ToArray();
            void* symbolic = null;
            fixed (int* p = pointers) fixed (int* i = indices) fixed (double* x = values)
            {
                int status = umfpack_di_symbolic(Order, Order, p, i, x, &symbolic, null, null);
                if (status != 0) throw new InvalidOperationException($"UMFPACK symbolic analysis failed (status {status}).");
                void* factors = null;
                status = umfpack_di_numeric(p, i, x, symbolic, &factors, null, null);
                umfpack_di_free_symbolic(&symbolic);
                // Status 1 is UMFPACK_WARNING_singular_matrix: the factors exist but a solve would divide by zero.
                if (status != 0)
                {
                    umfpack_di_free_numeric(&factors);
                    throw new InvalidOperationException(status == 1 ? "UMFPACK: the matrix is singular." : $"UMFPACK numeric factorization failed (status {status}).");
                }
                numeric = factors;
            }
        }

        public int Order { get; }

        /// <summary><c>x = A⁻¹ b</c> (b and x of length <see cref="Order"/>, distinct).</summary>
        public void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            ObjectDisposedException.ThrowIf(numeric is null, this);
            if (b.Length != Order || x.Length != Order) throw new ArgumentException($"b and x must have length {Order}.");
            fixed (int* p = pointers) fixed (int* i = indices) fixed (double* v = values) fixed (double* pb = b) fixed (double* px = x)
            {
                // The arrays are A's CSR, i.e. Aᵀ in compressed columns: solving with that matrix's transpose solves A x = b.
                int status = umfpack_di_solve(SolveTransposed, p, i, v, px, pb, numeric, null, null);
                if (status != 0) throw new InvalidOperationException($"UMFPACK solve failed (status {status}).");
            }
        }

        public void Dispose()
        {
            if (numeric is null) return;
            void* factors = numeric;
            umfpack_di_free_numeric(&factors);
            numeric = null;
        }
    }

    /// <summary>CHOLMOD's Cholesky L·Lᵀ of a symmetric positive definite CSR matrix (analyse + factorize); dispose to free it.</summary>
    public sealed class CholmodCholesky : IDisposable
    {
        // sizeof(cholmod_common) is 2,664 bytes in SuiteSparse 5; the block is larger so that a newer layout still fits.
        private const int CommonBytes = 16 * 1024;
        private readonly void* common;
        private readonly CholmodSparse* matrix;
        private void* factor;

        public CholmodCholesky(CsrMatrix a)
        {
            ArgumentNullException.ThrowIfNull(a);
            if (!IsCholmodAvailable) throw new DllNotFoundException(CholmodMissingMessage);
            if (a.Rows != a.Columns) throw new ArgumentException($"CHOLMOD needs a square matrix, not {a.Rows} x {a.Columns}.", nameof(a));
            Order = a.Rows;
            common = NativeMemory.AllocZeroed(CommonBytes);
            cholmod_start(common);
            matrix = (CholmodSparse*)NativeMemory.AllocZeroed((nuint)sizeof(CholmodSparse));
            int nonZeros = a.NonZeroCount;
            matrix->RowCount = matrix->ColumnCount = (nuint)Order;
            matrix->MaxNonZeros = (nuint)nonZeros;
            matrix->Pointers = Copy(a.RowPointers);
            matrix->Indices = Copy(a.ColumnIndices);
            matrix->Values = Copy(a.Values);
            matrix->SymmetryType = 1; // symmetric, upper triangle used: Aᵀ's upper triangle is A's lower, the same for symmetric A
            matrix->ValueType = 1; // CHOLMOD_REAL (index type 0 = CHOLMOD_INT and data type 0 = CHOLMOD_DOUBLE are the zeroed defaults)
            matrix->Sorted = 1;
            matrix->Packed = 1;
            factor = cholmod_analyze(matrix, common);
            if (factor is null) { Dispose(); throw new InvalidOperationException("CHOLMOD analysis failed."); }
            if (cholmod_factorize(matrix, factor, common) == 0) { Dispose(); throw new InvalidOperationException("CHOLMOD factorization failed."); }
            // cholmod_factor starts with n and minor (size_t): minor < n means the leading minor of that order is not positive definite.
            nuint minor = ((nuint*)factor)[1];
            if (minor < (nuint)Order) { Dispose(); throw new InvalidOperationException($"CHOLMOD: the matrix is not positive definite (leading minor {minor + 1})."); }
        }

        public int Order { get; }

        /// <summary><c>x = A⁻¹ b</c> (b and x of length <see cref="Order"/>).</summary>
        public void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            ObjectDisposedException.ThrowIf(factor is null, this);
            if (b.Length != Order || x.Length != Order) throw new ArgumentException($"b and x must have length {Order}.");
            fixed (double* pb = b)
            {
                var rhs = new CholmodDense { RowCount = (nuint)Order, ColumnCount = 1, MaxNonZeros = (nuint)Order, Leading = (nuint)Order, Values = pb, ValueType = 1 };
                CholmodDense* solution = cholmod_solve(0, factor, &rhs, common);
                if (solution is null) throw new InvalidOperationException("CHOLMOD solve failed.");
                new ReadOnlySpan<double>(solution->Values, Order).CopyTo(x);
                cholmod_free_dense(&solution, common);
            }
        }

        public void Dispose()
        {
            if (factor is not null)
            {
                void* f = factor;
                cholmod_free_factor(&f, common);
                factor = null;
            }
            if (matrix is not null && matrix->Pointers is not null)
            {
                NativeMemory.Free(matrix->Pointers);
                NativeMemory.Free(matrix->Indices);
                NativeMemory.Free(matrix->Values);
                matrix->Pointers = null;
                cholmod_finish(common);
                NativeMemory.Free(matrix);
                NativeMemory.Free(common);
            }
        }

        private static void* Copy<T>(ReadOnlySpan<T> source) where T : unmanaged
        {
            void* target = NativeMemory.Alloc((nuint)source.Length, (nuint)sizeof(T));
            source.CopyTo(new Span<T>(target, source.Length));
            return target;
        }
    }

    private const int SolveTransposed = 1; // UMFPACK_At

    // cholmod_sparse: the fields CHOLMOD reads, in its order (itype 0 = int indices, xtype 1 = real, dtype 0 = double).
    [StructLayout(LayoutKind.Sequential)]
    private struct CholmodSparse
    {
        public nuint RowCount, ColumnCount, MaxNonZeros;
        public void* Pointers, Indices, ColumnCounts, Values, ImaginaryValues;
        public int SymmetryType, IndexType, ValueType, DataType, Sorted, Packed;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CholmodDense
    {
        public nuint RowCount, ColumnCount, MaxNonZeros, Leading;
        public double* Values;
        public void* ImaginaryValues;
        public int ValueType, DataType;
    }

    [LibraryImport(UmfpackLibrary)]
    private static partial int umfpack_di_symbolic(int rows, int columns, int* pointers, int* indices, double* values, void** symbolic, double* control, double* info);

    [LibraryImport(UmfpackLibrary)]
    private static partial int umfpack_di_numeric(int* pointers, int* indices, double* values, void* symbolic, void** numeric, double* control, double* info);

    [LibraryImport(UmfpackLibrary)]
    private static partial int umfpack_di_solve(int system, int* pointers, int* indices, double* values, double* x, double* b, void* numeric, double* control, double* info);

    [LibraryImport(UmfpackLibrary)]
    private static partial void umfpack_di_free_symbolic(void** symbolic);

    [LibraryImport(UmfpackLibrary)]
    private static partial void umfpack_di_free_numeric(void** numeric);

    [LibraryImport(CholmodLibrary)]
    private static partial int cholmod_start(void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial int cholmod_finish(void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial void* cholmod_analyze(CholmodSparse* a, void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial int cholmod_factorize(CholmodSparse* a, void* factor, void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial CholmodDense* cholmod_solve(int system, void* factor, CholmodDense* b, void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial int cholmod_free_dense(CholmodDense** x, void* common);

    [LibraryImport(CholmodLibrary)]
    private static partial int cholmod_free_factor(void** factor, void* common);
}
