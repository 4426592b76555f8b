namespace GenLu.Tests.IO;

/// <summary>
/// Tests that bound a reader's allocation with the process-wide <see cref="GC.GetTotalAllocatedBytes(bool)"/> run in
/// this collection, alone, so that no other test's allocations are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurement
{
    public const string Name = "Allocation measurement";

    /// <summary>The bytes allocated by the whole process while <paramref name="action"/> runs.</summary>
    public static long BytesAllocatedBy(Action action)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        action();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
