// Shared source: compiled into GenLu.Generator (netstandard2.0) and the genlu-embed build tool (net10.0), so the
// patterns the build step finds in a resource's weights and those the generator finds in literal data follow one rule.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using GenLu.Structure;

namespace GenLu.Generator.Embedding;

/// <summary>
/// The tensors and diagonal blocks of a model with so few non-zero entries that code for those entries alone beats
/// the dense P-specialized kernels — the exact factors of a banded operator, for instance, whose G_i are bidiagonal and
/// whose bridges hold one number. The generator knows the weights, so each such pattern of positions becomes a kernel
/// of its own: one statement per non-zero entry, its positions constants, its values still read from the (dense,
/// unchanged) embedded data. A tensor or block shares a kernel only with those of exactly its pattern.
/// <para>Positions are indices into the embedded column-major P x P layout (<c>column · P + row</c> for the entry
/// <c>W[row, column]</c>); a diagonal block's pattern is that of its LU factors' strict triangles, and only blocks that
/// partial pivoting left unpermuted get one (their kernels then do no row swaps).</para>
/// </summary>
internal sealed class SparsePatterns : IEquatable<SparsePatterns>
{
    /// <summary>At most this many product patterns and as many solve patterns per model (the most frequent ones), so the
    /// source stays O(P²) whatever the weights.</summary>
    public const int MaxPatterns = 8;

    /// <summary>The tensors' and the blocks' value when they use the dense kernels.</summary>
    public const int Dense = -1;

    public static readonly SparsePatterns None = new([], [], [], [], [], []);

    private string? encoded;

    public SparsePatterns(int[][] products, int[][] solveLower, int[][] solveUpper, int[] lowerTensors, int[] upperTensors, int[] blocks)
    {
        Products = products;
        SolveLower = solveLower;
        SolveUpper = solveUpper;
        LowerTensors = lowerTensors;
        UpperTensors = upperTensors;
        Blocks = blocks;
    }

    /// <summary>Each product pattern's positions, ascending.</summary>
    public int[][] Products { get; }

    /// <summary>Each solve pattern's positions in the strictly lower part of its unit-lower factor, ascending.</summary>
    public int[][] SolveLower { get; }

    /// <summary>Each solve pattern's positions in the strictly upper part of U, ascending (U's diagonal is always read).</summary>
    public int[][] SolveUpper { get; }

    /// <summary>The product pattern of each of L's layout tensors, or <see cref="Dense"/> (also for tensors not stored); empty when no tensor has one.</summary>
    public int[] LowerTensors { get; }

    /// <summary>As <see cref="LowerTensors"/>, for U.</summary>
    public int[] UpperTensors { get; }

    /// <summary>The solve pattern of each G_i, L's M blocks then U's, or <see cref="Dense"/>; empty when no block has one.</summary>
    public int[] Blocks { get; }

    public bool IsEmpty => Products.Length == 0 && SolveLower.Length == 0;

    /// <summary>A tensor's product pattern, or <see cref="Dense"/>.</summary>
    public int TensorPattern(GfmmKind kind, int tensor)
    {
        var patterns = kind == GfmmKind.Lower ? LowerTensors : UpperTensors;
        return patterns.Length == 0 ? Dense : patterns[tensor];
    }

    /// <summary>A block's solve pattern (its index among all embedded blocks), or <see cref="Dense"/>.</summary>
    public int BlockPattern(int block) => Blocks.Length == 0 ? Dense : Blocks[block];

    /// <summary>Finds the patterns of a model's stored tensors and factored diagonal blocks.</summary>
    /// <param name="m">Leaves.</param>
    /// <param name="p">Block size.</param>
    /// <param name="lowerStored">L's stored tensors' layout indices, ascending.</param>
    /// <param name="lower">Those tensors one after another, each row-major <c>W[out, in]</c>.</param>
    /// <param name="upperStored">As <paramref name="lowerStored"/>, for U.</param>
    /// <param name="upper">As <paramref name="lower"/>, for U.</param>
    /// <param name="lowerFactors">L's G_i's in-place LU factors, column-major, P² per block.</param>
    /// <param name="lowerPivots">Their pivots (zero-based), P per block.</param>
    /// <param name="upperFactors">As <paramref name="lowerFactors"/>, for U.</param>
    /// <param name="upperPivots">As <paramref name="lowerPivots"/>, for U.</param>
    public static SparsePatterns Find<T>(int m, int p,
        IReadOnlyList<int> lowerStored, ReadOnlySpan<T> lower, IReadOnlyList<int> upperStored, ReadOnlySpan<T> upper,
        ReadOnlySpan<T> lowerFactors, ReadOnlySpan<int> lowerPivots, ReadOnlySpan<T> upperFactors, ReadOnlySpan<int> upperPivots)
        where T : struct, IEquatable<T>
    {
        int size = p * p;
        var products = new Candidates();
        var lowerTensors = TensorPatterns(new GfmmLayout(GfmmKind.Lower, m, p).TensorCount, lowerStored, lower, p, products);
        var upperTensors = TensorPatterns(new GfmmLayout(GfmmKind.Upper, m, p).TensorCount, upperStored, upper, p, products);

        var solves = new Candidates();
        var blocks = new int[2 * m];
        var positions = new List<int>(size);
        for (int block = 0; block < 2 * m; block++)
        {
            var factors = block < m ? lowerFactors.Slice(block * size, size) : upperFactors.Slice((block - m) * size, size);
            var pivots = block < m ? lowerPivots.Slice(block * p, p) : upperPivots.Slice((block - m) * p, p);
            blocks[block] = Unpermuted(pivots) && TriangleEntries(factors, p, positions) ? solves.Add(positions) : Dense;
        }

        var productIds = products.Chosen();
        var solveIds = solves.Chosen();
        Renumber(lowerTensors, productIds);
        Renumber(upperTensors, productIds);
        Renumber(blocks, solveIds);
        var solveLower = new int[solves.ChosenCount][];
        var solveUpper = new int[solves.ChosenCount][];
        for (int i = 0; i < solveLower.Length; i++)
        {
            var entries = solves.ChosenPattern(i);
            solveLower[i] = Array.FindAll(entries, position => position % p > position / p);
            solveUpper[i] = Array.FindAll(entries, position => position % p < position / p);
        }
        var productPatterns = new int[products.ChosenCount][];
        for (int i = 0; i < productPatterns.Length; i++) productPatterns[i] = products.ChosenPattern(i);
        return new SparsePatterns(productPatterns, solveLower, solveUpper,
            productPatterns.Length == 0 ? [] : lowerTensors, productPatterns.Length == 0 ? [] : upperTensors,
            solveLower.Length == 0 ? [] : blocks);
    }

    private static int[] TensorPatterns<T>(int tensorCount, IReadOnlyList<int> stored, ReadOnlySpan<T> values, int p, Candidates candidates)
        where T : struct, IEquatable<T>
    {
        int size = p * p;
        var patterns = new int[tensorCount];
        for (int t = 0; t < patterns.Length; t++) patterns[t] = Dense;
        var positions = new List<int>(size);
        for (int k = 0; k < stored.Count; k++)
        {
            // The row-major tensor's entries, as positions of the embedded column-major layout.
            if (SparseEntries.Find(values.Slice(k * size, size), p) is not { } entries) continue;
            positions.Clear();
            for (int row = 0; row < p; row++)
                for (int e = entries.RowStarts[row]; e < entries.RowStarts[row + 1]; e++) positions.Add(entries.Columns[e] * p + row);
            positions.Sort();
            patterns[stored[k]] = candidates.Add(positions);
        }
        return patterns;
    }

    /// <summary>The strict triangles' non-zero positions of one block's column-major LU factors, or false when too many.</summary>
    private static bool TriangleEntries<T>(ReadOnlySpan<T> factors, int p, List<int> positions)
        where T : struct, IEquatable<T>
    {
        // Read as a row-major matrix, the column-major factors' "row" is the column: its diagonal is the same.
        if (SparseEntries.Find(factors, p, (column, row) => column != row) is not { } entries) return false;
        positions.Clear();
        for (int column = 0; column < p; column++)
            for (int e = entries.RowStarts[column]; e < entries.RowStarts[column + 1]; e++) positions.Add(column * p + entries.Columns[e]);
        return true;
    }

    private static bool Unpermuted(ReadOnlySpan<int> pivots)
    {
        for (int k = 0; k < pivots.Length; k++) if (pivots[k] != k) return false;
        return true;
    }

    private static void Renumber(int[] patterns, int[] chosenIds)
    {
        for (int i = 0; i < patterns.Length; i++)
            if (patterns[i] != Dense) patterns[i] = chosenIds[patterns[i]];
    }

    /// <summary>Distinct patterns in order of first appearance with how often each occurs; the <see cref="MaxPatterns"/>
    /// most frequent are chosen (ties to the earlier), the rest fall back to the dense kernels.</summary>
    private sealed class Candidates
    {
        private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
        private readonly List<int[]> patterns = [];
        private readonly List<int> counts = [];
        private int[]? chosen;

        public int ChosenCount { get; private set; }

        public int Add(List<int> positions)
        {
            var key = new StringBuilder(positions.Count * 4);
            foreach (int position in positions) key.Append(position).Append(',');
            string text = key.ToString();
            if (!ids.TryGetValue(text, out int id))
            {
                id = patterns.Count;
                ids.Add(text, id);
                patterns.Add(positions.ToArray());
                counts.Add(0);
            }
            counts[id]++;
            return id;
        }

        /// <summary>For each candidate its new id, or <see cref="Dense"/> when it is not among the chosen.</summary>
        public int[] Chosen()
        {
            var order = new int[patterns.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            Array.Sort(order, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
            ChosenCount = Math.Min(MaxPatterns, order.Length);
            // Chosen patterns keep their order of first appearance, so the numbering does not depend on the sort.
            Array.Sort(order, 0, ChosenCount);
            chosen = new int[patterns.Count];
            for (int i = 0; i < chosen.Length; i++) chosen[i] = Dense;
            for (int i = 0; i < ChosenCount; i++) chosen[order[i]] = i;
            return chosen;
        }

        public int[] ChosenPattern(int id) => patterns[Array.IndexOf(chosen!, id)];
    }

    // The manifest's text form: one line per part (see EmbeddedModelManifest).

    /// <summary>Patterns separated by ';', each its positions separated by ','.</summary>
    public static string WritePatterns(int[][] patterns)
    {
        var parts = new string[patterns.Length];
        for (int i = 0; i < patterns.Length; i++)
            parts[i] = string.Join(",", Array.ConvertAll(patterns[i], position => position.ToString(CultureInfo.InvariantCulture)));
        return patterns.Length + ":" + string.Join(";", parts);
    }

    public static int[][] ReadPatterns(string text, int p)
    {
        int colon = text.IndexOf(':');
        int count = colon <= 0 ? -1 : int.Parse(text.Substring(0, colon), NumberStyles.None, CultureInfo.InvariantCulture);
        if (count < 0 || count > MaxPatterns) throw new FormatException("a pattern list has no valid count");
        if (count == 0) return [];
        var parts = text.Substring(colon + 1).Split(';');
        if (parts.Length != count) throw new FormatException("a pattern list has the wrong number of patterns");
        var patterns = new int[count][];
        for (int i = 0; i < count; i++)
        {
            patterns[i] = parts[i].Length == 0 ? [] : Array.ConvertAll(parts[i].Split(','), word => int.Parse(word, NumberStyles.None, CultureInfo.InvariantCulture));
            for (int k = 0; k < patterns[i].Length; k++)
                if (patterns[i][k] >= p * p || (k > 0 && patterns[i][k] <= patterns[i][k - 1]))
                    throw new FormatException("a pattern's positions are not ascending within P x P");
        }
        return patterns;
    }

    /// <summary>One character per tensor or block: '.' dense, 'a' + id a pattern.</summary>
    public static string WriteAssignment(int[] patterns)
    {
        var text = new StringBuilder(patterns.Length + 12);
        text.Append(patterns.Length.ToString(CultureInfo.InvariantCulture)).Append(':');
        foreach (int pattern in patterns) text.Append(pattern == Dense ? '.' : (char)('a' + pattern));
        return text.ToString();
    }

    public static int[] ReadAssignment(string text, int expectedLength, int patternCount)
    {
        int colon = text.IndexOf(':');
        int count = colon <= 0 ? -1 : int.Parse(text.Substring(0, colon), NumberStyles.None, CultureInfo.InvariantCulture);
        if (patternCount == 0 && count == 0) return [];
        if (count != expectedLength || text.Length - colon - 1 != count) throw new FormatException("a pattern assignment has the wrong length");
        var patterns = new int[count];
        for (int i = 0; i < count; i++)
        {
            char c = text[colon + 1 + i];
            patterns[i] = c == '.' ? Dense : c - 'a';
            if (c != '.' && (patterns[i] < 0 || patterns[i] >= patternCount))
                throw new FormatException("a pattern assignment names a pattern that does not exist");
        }
        return patterns;
    }

    private string Encoded => encoded ??= string.Join("\n",
        WritePatterns(Products), WritePatterns(SolveLower), WritePatterns(SolveUpper),
        WriteAssignment(LowerTensors), WriteAssignment(UpperTensors), WriteAssignment(Blocks));

    public bool Equals(SparsePatterns? other) => other is not null && (ReferenceEquals(this, other) || Encoded == other.Encoded);

    public override bool Equals(object? obj) => Equals(obj as SparsePatterns);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Encoded);
}
