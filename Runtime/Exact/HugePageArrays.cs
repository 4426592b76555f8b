using System.Runtime.InteropServices;

namespace GenLu.Exact;

/// <summary>
/// Working arrays of a construction that are written once in full and freed when it ends (the block LU's band): on
/// Linux their memory is advised to be backed by transparent huge pages before it is first written, where the system
/// leaves that to the program (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> = <c>madvise</c>, Debian's default).
/// Every fresh 4 KiB page costs a fault when first written, and on a virtual machine each is dear: 2 GB written for the
/// first time took 7.5 s in 4 KiB pages and 2.3–4.2 s in 2 MiB pages here, and the sparse construction of N = 2²⁰
/// (an 805 MB band) took 4.8–6.2 s against 6.9–7.8 s (two interleaved pairs).
/// <para>Only such arrays: the factors a solve streams stay in ordinary pages. With the RBF model of N = 2²⁰ in huge
/// pages a solve took 680–800 ms against 210–236 ms for a copy of the same weights in 4 KiB pages (same process,
/// interleaved); with the advice off both copies took 177–228 ms.</para>
/// </summary>
internal static class HugePageArrays
{
    /// <summary>Arrays from this size on are advised (four huge pages; smaller ones gain little and may waste memory).</summary>
    public const long MinimumBytes = 8L << 20;

    private const int HugePageBytes = 2 << 20;
    private const int AdviseHugePage = 14; // MADV_HUGEPAGE
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>A zeroed array the GC will not move, as <c>GC.AllocateArray(length, pinned: true)</c>.</summary>
    public static T[] NewPinned<T>(int length)
        where T : unmanaged
    {
        var array = GC.AllocateArray<T>(length, pinned: true);
        Advise(array);
        return array;
    }

    /// <summary>Advises the whole 2 MiB pages inside the array's data. The GC hands out a large array in memory it has not
    /// written yet (it knows fresh pages are zero), so the advice comes before the first fault; in reused memory it only
    /// lets the kernel collapse pages later. The advice changes no value; a kernel that refuses it is ignored.</summary>
    private static unsafe void Advise<T>(T[] array)
        where T : unmanaged
    {
        long bytes = (long)array.Length * sizeof(T);
        if (unavailable || bytes < MinimumBytes) return;
        fixed (T* data = array)
        {
            long start = ((long)data + HugePageBytes - 1) & ~(long)(HugePageBytes - 1);
            long end = ((long)data + bytes) & ~(long)(HugePageBytes - 1);
            if (end <= start) return;
            try
            {
                _ = Madvise((nint)start, (nuint)(end - start), AdviseHugePage);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                unavailable = true;
            }
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
