using System.Runtime.InteropServices;

namespace GenLu.Trainer.Tuning.Peers;

/// <summary>
/// LAPACK from the system OpenBLAS (Debian: <c>apt-get install libopenblas0-pthread</c>): dense getrf/getrs,
/// banded gbtrf/gbtrs and SPD tridiagonal pttrf/pttrs; pinned to one thread so that it is compared with our
/// single-threaded code on equal terms. Shared by the benchmarks' peer columns and <c>genlu tune</c>.
/// Column-major, Fortran calling convention (every argument by reference).
/// </summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";

    private static readonly Lazy<bool> Loaded = new(() =>
    {
        if (!NativeLibrary.TryLoad(Library, out _)) return false;
        openblas_set_num_threads(1);
        return true;
    });

    /// <summary>True when the library is installed; benchmarks skip only the OpenBLAS column otherwise.</summary>
    public static bool IsAvailable => Loaded.Value;

    public static string MissingMessage =>
        $"{Library} not found: OpenBLAS columns are skipped (install it with 'apt-get install libopenblas0-pthread').";

    // Every entry point goes through here, so that the one-thread setting is applied in whichever process
    // calls first (BenchmarkDotNet runs each case in a fresh process) before any LAPACK call.
    private static void ThrowIfMissing()
    {
        if (!IsAvailable) throw new DllNotFoundException(MissingMessage);
    }

    public static int Getrf(Span<float> a, int n, Span<int> ipiv)
    {
        ThrowIfMissing();
        int m = n, lda = n, info = 0;
        fixed (float* pa = a) fixed (int* pi = ipiv) sgetrf_(&m, &n, pa, &lda, pi, &info);
        return info;
    }

    public static int Getrf(Span<double> a, int n, Span<int> ipiv)
    {
        ThrowIfMissing();
        int m = n, lda = n, info = 0;
        fixed (double* pa = a) fixed (int* pi = ipiv) dgetrf_(&m, &n, pa, &lda, pi, &info);
        return info;
    }

    public static int Getrs(ReadOnlySpan<float> lu, int n, ReadOnlySpan<int> ipiv, Span<float> b, int nrhs)
    {
        ThrowIfMissing();
        byte trans = (byte)'N';
        int lda = n, ldb = n, info = 0;
        fixed (float* pa = lu) fixed (int* pi = ipiv) fixed (float* pb = b)
            sgetrs_(&trans, &n, &nrhs, pa, &lda, pi, pb, &ldb, &info, 1);
        return info;
    }

    public static int Getrs(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> ipiv, Span<double> b, int nrhs) =>
        Dgetrs((byte)'N', lu, n, ipiv, b, nrhs);

    /// <summary>
    /// Solves <c>Aᵀ x = b</c> with getrf's factors of A (column-major): a row-major matrix factored as it is stands for
    /// Aᵀ, so this solves the row-major system.
    /// </summary>
    public static int GetrsTransposed(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> ipiv, Span<double> b, int nrhs) =>
        Dgetrs((byte)'T', lu, n, ipiv, b, nrhs);

    private static int Dgetrs(byte trans, ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> ipiv, Span<double> b, int nrhs)
    {
        ThrowIfMissing();
        int lda = n, ldb = n, info = 0;
        fixed (double* pa = lu) fixed (int* pi = ipiv) fixed (double* pb = b)
            dgetrs_(&trans, &n, &nrhs, pa, &lda, pi, pb, &ldb, &info, 1);
        return info;
    }

    /// <summary>
    /// L·D·Lᵀ of the SPD tridiagonal matrix with diagonal <paramref name="d"/> (n) and off-diagonal <paramref name="e"/>
    /// (n − 1), in place; info &gt; 0: the leading minor of that order is not positive definite.
    /// </summary>
    public static int Pttrf(Span<double> d, Span<double> e)
    {
        ThrowIfMissing();
        int n = d.Length, info = 0;
        if (e.Length < Math.Max(n - 1, 0)) throw new ArgumentException($"A tridiagonal matrix of order {n} has {n - 1} off-diagonal entries, not {e.Length}.", nameof(e));
        fixed (double* pd = d) fixed (double* pe = e) dpttrf_(&n, pd, pe, &info);
        return info;
    }

    /// <summary>Solves with the factors of <see cref="Pttrf"/>; <paramref name="b"/> (n · nrhs, column after column) becomes x.</summary>
    public static int Pttrs(ReadOnlySpan<double> d, ReadOnlySpan<double> e, Span<double> b, int nrhs)
    {
        ThrowIfMissing();
        int n = d.Length, ldb = Math.Max(n, 1), info = 0;
        fixed (double* pd = d) fixed (double* pe = e) fixed (double* pb = b) dpttrs_(&n, &nrhs, pd, pe, pb, &ldb, &info);
        return info;
    }

    /// <summary>
    /// The rows LAPACK's band storage needs for <paramref name="lower"/> sub- and <paramref name="upper"/>
    /// super-diagonals with room for gbtrf's fill-in: 2·kl + ku + 1.
    /// </summary>
    public static int BandRows(int lower, int upper) => 2 * lower + upper + 1;

    /// <summary>
    /// LU with partial pivoting of an n × n band matrix in LAPACK band storage (column-major, <see cref="BandRows"/>
    /// rows per column, entry (i, j) at row kl + ku + i − j of column j), in place.
    /// </summary>
    public static int Gbtrf(Span<double> band, int n, int lower, int upper, Span<int> ipiv)
    {
        ThrowIfMissing();
        int m = n, ldab = BandRows(lower, upper), info = 0;
        if (band.Length < (long)ldab * n) throw new ArgumentException($"The band store needs {ldab} x {n} entries, not {band.Length}.", nameof(band));
        fixed (double* pa = band) fixed (int* pi = ipiv) dgbtrf_(&m, &n, &lower, &upper, pa, &ldab, pi, &info);
        return info;
    }

    /// <summary>Solves with the factors of <see cref="Gbtrf"/>; <paramref name="b"/> (n · nrhs, column after column) becomes x.</summary>
    public static int Gbtrs(ReadOnlySpan<double> band, int n, int lower, int upper, ReadOnlySpan<int> ipiv, Span<double> b, int nrhs)
    {
        ThrowIfMissing();
        byte trans = (byte)'N';
        int ldab = BandRows(lower, upper), ldb = Math.Max(n, 1), info = 0;
        fixed (double* pa = band) fixed (int* pi = ipiv) fixed (double* pb = b)
            dgbtrs_(&trans, &n, &lower, &upper, &nrhs, pa, &ldab, pi, pb, &ldb, &info, 1);
        return info;
    }

    [LibraryImport(Library)]
    private static partial void dpttrf_(int* n, double* d, double* e, int* info);

    [LibraryImport(Library)]
    private static partial void dpttrs_(int* n, int* nrhs, double* d, double* e, double* b, int* ldb, int* info);

    [LibraryImport(Library)]
    private static partial void dgbtrf_(int* m, int* n, int* kl, int* ku, double* ab, int* ldab, int* ipiv, int* info);

    [LibraryImport(Library)]
    private static partial void dgbtrs_(byte* trans, int* n, int* kl, int* ku, int* nrhs, double* ab, int* ldab, int* ipiv, double* b, int* ldb, int* info, nint transLength);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int count);

    [LibraryImport(Library)]
    private static partial void sgetrf_(int* m, int* n, float* a, int* lda, int* ipiv, int* info);

    [LibraryImport(Library)]
    private static partial void dgetrf_(int* m, int* n, double* a, int* lda, int* ipiv, int* info);

    // The trailing length is gfortran's hidden CHARACTER length argument for TRANS.
    [LibraryImport(Library)]
    private static partial void sgetrs_(byte* trans, int* n, int* nrhs, float* a, int* lda, int* ipiv, float* b, int* ldb, int* info, nint transLength);

    [LibraryImport(Library)]
    private static partial void dgetrs_(byte* trans, int* n, int* nrhs, double* a, int* lda, int* ipiv, double* b, int* ldb, int* info, nint transLength);
}
