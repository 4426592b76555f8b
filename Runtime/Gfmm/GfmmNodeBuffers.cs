using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Scratch memory for the GFMM passes over up to <see cref="Capacity"/> vectors at once: the scratch slots of
/// the execution plans (<see cref="ExecutionPlan.MaxScratchSlots"/> of them, enough for every kind of block of
/// this shape), one node-major N x count panel for batch layout changes, and one P x count panel where a run of
/// subtracted products is gathered. Every slot is a P x count panel, so the offsets depend on the count of the
/// call in progress.
/// </summary>
internal sealed class GfmmNodeBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] slots;
    private readonly T[] panel;
    private readonly T[] gather;

    public GfmmNodeBuffers(int m, int p, int capacity)
    {
        M = m;
        P = p;
        Capacity = capacity;
        SlotCount = ExecutionPlan.MaxScratchSlots(m);
        long slotFloats = (long)SlotCount * p * capacity;
        long panelFloats = (long)m * p * capacity;
        if (panelFloats > Array.MaxLength || slotFloats > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A workspace for N = {(long)m * p} and {capacity} vectors exceeds the largest array.");
        slots = new T[slotFloats];
        panel = new T[panelFloats];
        gather = new T[(long)p * capacity];
    }

    public int M { get; }
    public int P { get; }
    public int Capacity { get; }

    /// <summary>Scratch slots available (each one P x count panel).</summary>
    public int SlotCount { get; }

    /// <summary>The plan's scratch slots for a call over <paramref name="count"/> vectors.</summary>
    public Span<T> Slots(int count) => slots.AsSpan(0, SlotCount * P * count);

    /// <summary>A node-major N x count panel.</summary>
    public Span<T> Panel(int count) => panel.AsSpan(0, M * P * count);

    /// <summary>A P x count panel for gathered terms.</summary>
    public Span<T> Gather(int count) => gather.AsSpan(0, P * count);
}
