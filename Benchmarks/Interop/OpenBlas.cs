using System.Runtime.InteropServices;

namespace GenLu.Benchmarks.Interop;

/// <summary>
/// LAPACK getrf/getrs from the system OpenBLAS (Debian: <c>apt-get install libopenblas0-pthread</c>),
/// pinned to one thread so that it is compared with our single-threaded code on equal terms.
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

    public static int Getrf(Span<float> a, int n, Span<int> ipiv)
    {
        int m = n, lda = n, info = 0;
        fixed (float* pa = a) fixed (int* pi = ipiv) sgetrf_(&m, &n, pa, &lda, pi, &info);
        return info;
    }

    public static int Getrf(Span<double> a, int n, Span<int> ipiv)
    {
        int m = n, lda = n, info = 0;
        fixed (double* pa = a) fixed (int* pi = ipiv) dgetrf_(&m, &n, pa, &lda, pi, &info);
        return info;
    }

    public static int Getrs(ReadOnlySpan<float> lu, int n, ReadOnlySpan<int> ipiv, Span<float> b, int nrhs)
    {
        byte trans = (byte)'N';
        int lda = n, ldb = n, info = 0;
        fixed (float* pa = lu) fixed (int* pi = ipiv) fixed (float* pb = b)
            sgetrs_(&trans, &n, &nrhs, pa, &lda, pi, pb, &ldb, &info, 1);
        return info;
    }

    public static int Getrs(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> ipiv, Span<double> b, int nrhs)
    {
        byte trans = (byte)'N';
        int lda = n, ldb = n, info = 0;
        fixed (double* pa = lu) fixed (int* pi = ipiv) fixed (double* pb = b)
            dgetrs_(&trans, &n, &nrhs, pa, &lda, pi, pb, &ldb, &info, 1);
        return info;
    }

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
