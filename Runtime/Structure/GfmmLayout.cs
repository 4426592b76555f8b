// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Collections.Generic;
using System.Globalization;

namespace GenLu.Structure;

/// <summary>The three kinds of GFMM block (spec: "One GFMM block", "L and U").</summary>
public enum GfmmKind
{
    /// <summary>Block-lower-triangular: level-0 bridge lower-bi, coarser bridges lower, zero root.</summary>
    Lower,

    /// <summary>Block-upper-triangular: level-0 bridge upper-bi, coarser bridges upper, zero root.</summary>
    Upper,

    /// <summary>Non-triangular: level-0 bridge tri, coarser bridges lower and upper, and a root edge.</summary>
    General,
}

/// <summary>
/// Where every P x P weight of one GFMM block lives in its flat weight array, and the reference's
/// state-dict name of each. Tensor <c>t</c> occupies floats <c>[t * P * P, (t + 1) * P * P)</c>, row-major
/// <c>W[out, in]</c>. Storage order: encoders (level by level), decoders, the level-0 diagonal blocks
/// <c>G_i</c>, lower bridges (level by level), upper bridges, then the root (general blocks only: the
/// root of L and U is identically zero and not stored).
/// </summary>
public sealed class GfmmLayout : IEquatable<GfmmLayout>
{
    /// <summary>Largest supported number of weights in one block (2^28 floats = 1 GiB).</summary>
    public const long MaxWeightCount = 1L << 28;

    /// <summary>Largest supported leaf block size: <c>MaxBlockSize²</c> = <see cref="MaxWeightCount"/>.</summary>
    public const int MaxBlockSize = 1 << 14;

    private readonly int[] encoderStart;
    private readonly int[] decoderStart;
    private readonly int diagonalStart;
    private readonly int[] lowerStart;
    private readonly int[] upperStart;

    public GfmmLayout(GfmmKind kind, int m, int p)
    {
        if (kind != GfmmKind.Lower && kind != GfmmKind.Upper && kind != GfmmKind.General)
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown GFMM block kind.");
        if (m < 2 || (m & (m - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(m), m, "M (the number of leaf blocks) must be a power of two >= 2.");
        if (p < 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "P (the block size) must be >= 1.");

        if (p > MaxBlockSize)
            throw new ArgumentOutOfRangeException(nameof(p), p, $"P (the block size) must be <= {MaxBlockSize}: one P x P tensor holds at most {MaxWeightCount} weights.");

        // Counted in 64 bits before any array or int offset depends on it: M up to 2^30 and P up to
        // MaxBlockSize give at most 5 * 2^30 tensors and 2^61 weights, far from long overflow.
        int levels = Log2(m);
        long treeNodes = 2L * m - 2;
        long bridgesPerSide = treeNodes - levels;
        long tensorCount = 2 * treeNodes + m
            + (kind != GfmmKind.Upper ? bridgesPerSide : 0)
            + (kind != GfmmKind.Lower ? bridgesPerSide : 0)
            + (kind == GfmmKind.General ? 1 : 0);
        long weightCount = checked(tensorCount * p * (long)p);
        if (weightCount > MaxWeightCount)
            throw new ArgumentOutOfRangeException(nameof(p), p, $"A GFMM block with M = {m}, P = {p} has {weightCount} weights; at most {MaxWeightCount} are supported.");

        Kind = kind;
        M = m;
        P = p;
        // N = M * P <= TensorCount * P^2 <= MaxWeightCount, so it fits in an int.
        N = m * p;
        Levels = levels;
        encoderStart = new int[Levels];
        decoderStart = new int[Levels];
        lowerStart = new int[Levels];
        upperStart = new int[Levels];

        int next = 0;
        for (int level = 0; level < Levels; level++) { encoderStart[level] = next; next += NodeCount(level); }
        for (int level = 0; level < Levels; level++) { decoderStart[level] = next; next += NodeCount(level); }
        diagonalStart = next;
        next += m;
        for (int level = 0; level < Levels; level++)
        {
            lowerStart[level] = HasLowerBridges ? next : -1;
            if (HasLowerBridges) next += NodeCount(level) - 1;
        }
        for (int level = 0; level < Levels; level++)
        {
            upperStart[level] = HasUpperBridges ? next : -1;
            if (HasUpperBridges) next += NodeCount(level) - 1;
        }
        Root = kind == GfmmKind.General ? next++ : -1;
        TensorCount = next;
    }

    public GfmmKind Kind { get; }

    /// <summary>Number of leaves (a power of two, at least 2).</summary>
    public int M { get; }

    /// <summary>Leaf block size.</summary>
    public int P { get; }

    /// <summary>Matrix order, <c>M * P</c> (at most <see cref="MaxWeightCount"/>).</summary>
    public int N { get; }

    /// <summary><c>log2(M)</c>: levels 0 … Levels-1 carry weights.</summary>
    public int Levels { get; }

    /// <summary>Numbers in one P x P tensor.</summary>
    public int TensorSize => P * P;

    /// <summary>Number of P x P tensors the block stores.</summary>
    public int TensorCount { get; }

    /// <summary>Total number of floats the block stores.</summary>
    public int WeightCount => TensorCount * TensorSize;

    public bool HasLowerBridges => Kind != GfmmKind.Upper;

    public bool HasUpperBridges => Kind != GfmmKind.Lower;

    /// <summary>Tensor index of the root edge, or -1 for L and U (whose root is zero).</summary>
    public int Root { get; }

    /// <summary>Nodes at a level: <c>d_l = M / 2^l</c>.</summary>
    public int NodeCount(int level) => M >> level;

    /// <summary>Encoder edge <c>E[level][node]</c>.</summary>
    public int Encoder(int level, int node) => encoderStart[CheckLevel(level)] + CheckNode(level, node, NodeCount(level));

    /// <summary>Decoder edge <c>D[level][node]</c>.</summary>
    public int Decoder(int level, int node) => decoderStart[CheckLevel(level)] + CheckNode(level, node, NodeCount(level));

    /// <summary>Level-0 diagonal block <c>G_node</c>.</summary>
    public int Diagonal(int node) => diagonalStart + CheckNode(0, node, M);

    /// <summary>Whether tensor <paramref name="tensor"/> is one of the level-0 diagonal blocks <c>G_i</c>.</summary>
    public bool IsDiagonal(int tensor) => tensor >= diagonalStart && tensor < diagonalStart + M;

    /// <summary>Whether tensor <paramref name="tensor"/> belongs to the level-0 bridge (the near field): a <c>G_i</c> or a
    /// neighbour coupling <c>Lo_i</c>/<c>Up_i</c> of level 0. A banded operator's exact factors hold nothing else.</summary>
    public bool IsLevelZeroBridge(int tensor) =>
        IsDiagonal(tensor)
        || (HasLowerBridges && tensor >= lowerStart[0] && tensor < lowerStart[0] + M - 1)
        || (HasUpperBridges && tensor >= upperStart[0] && tensor < upperStart[0] + M - 1);

    /// <summary>Bridge block <c>Lo_node</c> of a level, coupling node <c>node</c> into node <c>node + 1</c>.</summary>
    public int LowerBridge(int level, int node)
    {
        if (!HasLowerBridges) throw new InvalidOperationException($"A {Kind} GFMM block has no lower bridge blocks.");
        return lowerStart[CheckLevel(level)] + CheckNode(level, node, NodeCount(level) - 1);
    }

    /// <summary>Bridge block <c>Up_node</c> of a level, coupling node <c>node + 1</c> into node <c>node</c>.</summary>
    public int UpperBridge(int level, int node)
    {
        if (!HasUpperBridges) throw new InvalidOperationException($"A {Kind} GFMM block has no upper bridge blocks.");
        return upperStart[CheckLevel(level)] + CheckNode(level, node, NodeCount(level) - 1);
    }

    /// <summary>The reference's state-dict name of a tensor, without the "L." / "U." prefix,
    /// e.g. <c>encoder.0.3.W.weight</c> or <c>bridges.1.lower_blocks.0.W.weight</c>.</summary>
    public string TensorName(int tensor)
    {
        if ((uint)tensor >= (uint)TensorCount) throw new ArgumentOutOfRangeException(nameof(tensor), tensor, $"Tensor index must be in [0, {TensorCount}).");
        if (tensor == Root) return "root_bridge.W.weight";
        if (tensor >= diagonalStart && tensor < diagonalStart + M) return Name("bridges.0.diag_blocks", tensor - diagonalStart);
        for (int level = Levels - 1; level >= 0; level--)
        {
            int count = NodeCount(level) - 1;
            if (HasUpperBridges && tensor >= upperStart[level] && tensor < upperStart[level] + count)
                return Name("bridges." + Invariant(level) + ".upper_blocks", tensor - upperStart[level]);
            if (HasLowerBridges && tensor >= lowerStart[level] && tensor < lowerStart[level] + count)
                return Name("bridges." + Invariant(level) + ".lower_blocks", tensor - lowerStart[level]);
            if (tensor >= decoderStart[level] && tensor < decoderStart[level] + NodeCount(level))
                return Name("decoder." + Invariant(level), tensor - decoderStart[level]);
            if (tensor >= encoderStart[level] && tensor < encoderStart[level] + NodeCount(level))
                return Name("encoder." + Invariant(level), tensor - encoderStart[level]);
        }
        throw new InvalidOperationException("Unreachable: every tensor index has a name.");
    }

    /// <summary>Name → tensor index for all tensors of this layout.</summary>
    public Dictionary<string, int> TensorIndexByName()
    {
        var map = new Dictionary<string, int>(TensorCount, StringComparer.Ordinal);
        for (int t = 0; t < TensorCount; t++) map.Add(TensorName(t), t);
        return map;
    }

    public bool Equals(GfmmLayout? other) => other is not null && Kind == other.Kind && M == other.M && P == other.P;

    public override bool Equals(object? obj) => Equals(obj as GfmmLayout);

    public override int GetHashCode() => ((int)Kind * 397 ^ M) * 397 ^ P;

    public override string ToString() => $"{Kind} GFMM block, M = {M}, P = {P}, N = {N}";

    internal static int Log2(int powerOfTwo)
    {
        int log = 0;
        while ((1 << log) < powerOfTwo) log++;
        return log;
    }

    private int CheckLevel(int level) =>
        (uint)level < (uint)Levels ? level : throw new ArgumentOutOfRangeException(nameof(level), level, $"Level must be in [0, {Levels}).");

    private static int CheckNode(int level, int node, int count) =>
        (uint)node < (uint)count ? node : throw new ArgumentOutOfRangeException(nameof(node), node, $"Node index at level {level} must be in [0, {count}).");

    private static string Name(string group, int index) => group + "." + Invariant(index) + ".W.weight";

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
