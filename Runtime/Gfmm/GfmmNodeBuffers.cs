using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Scratch memory for the GFMM passes over up to <see cref="Capacity"/> vectors at once: the encoder sums
/// <c>s[l]</c> and decoder values <c>y[l]</c> of levels 1 … Lv (level 0 is the caller's data), two
/// node-major N x count panels for batch layout changes and intermediate products, and one P x count
/// panel. A level's nodes are stored one after another, each a P x count panel, so the offsets depend on
/// the count of the call in progress.
/// </summary>
internal sealed class GfmmNodeBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] encoderSums;
    private readonly T[] decoderValues;
    private readonly T[] panelA;
    private readonly T[] panelB;
    private readonly T[] leafPanel;

    public GfmmNodeBuffers(int m, int p, int capacity)
    {
        M = m;
        P = p;
        Capacity = capacity;
        Levels = GfmmLayout.Log2(m);
        long interior = (long)(m - 1) * p * capacity; // nodes above the leaves: M/2 + M/4 + … + 1 = M - 1
        long panel = (long)m * p * capacity;
        if (panel > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A workspace for N = {m * p} and {capacity} vectors exceeds the largest array.");
        encoderSums = new T[interior];
        decoderValues = new T[interior];
        panelA = new T[panel];
        panelB = new T[panel];
        leafPanel = new T[(long)p * capacity];
    }

    public int M { get; }
    public int P { get; }
    public int Levels { get; }
    public int Capacity { get; }

    /// <summary>Encoder sums of a level (1 … Lv) for a call over <paramref name="count"/> vectors.</summary>
    public Span<T> EncoderLevel(int level, int count) => Level(encoderSums, level, count);

    /// <summary>Decoder values of a level (1 … Lv).</summary>
    public Span<T> DecoderLevel(int level, int count) => Level(decoderValues, level, count);

    public Span<T> PanelA(int count) => panelA.AsSpan(0, M * P * count);

    public Span<T> PanelB(int count) => panelB.AsSpan(0, M * P * count);

    public Span<T> LeafPanel(int count) => leafPanel.AsSpan(0, P * count);

    private Span<T> Level(T[] storage, int level, int count)
    {
        // Levels 1 … level-1 hold M/2 + … + M/2^(level-1) = M - M/2^(level-1) nodes.
        int nodesBefore = M - (M >> (level - 1));
        int panel = P * count;
        return storage.AsSpan(nodesBefore * panel, (M >> level) * panel);
    }
}
