namespace GenLu.Tests.Support;

/// <summary>
/// Measures what a piece of code allocates on the calling thread once it is warm. The runtime itself occasionally
/// allocates on a thread that runs hot code (on-stack replacement and tier-up compilations happen on it), a few
/// kilobytes once; an allocation of the code under test happens on every run. So the body runs once to warm up and
/// then several times, and the least count is the code's own: zero only if no run of it allocates.
/// </summary>
internal static class AllocationProbe
{
    public static long LeastBytesPerRun(Action body, int runs = 5)
    {
        body(); // JIT, type initialization and lazily made workspaces happen before any measurement
        long least = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            body();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
