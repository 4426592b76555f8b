using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The register-resident triangular sweeps inside the G_i solves (<see cref="DiagonalSolveEmitter"/>): the
/// Vector256 sweeps of one or several interleaved vectors, and the Vector512 wide sweeps of eight vectors.
/// </summary>
internal static class RegisterSweepEmitter
{
    private const string Intrinsics = SimdHelperEmitter.Intrinsics;
    private const string Unsafe = SimdHelperEmitter.Unsafe;

    /// <summary>For P a multiple of Vector256's lanes L (8 floats, 4 doubles) up to 8 L the vector z lives in P/L
    /// Vector256 registers for the whole solve and every column step is unrolled with constant lanes and offsets: no
    /// step waits for a store of the previous one to reach memory.</summary>
    internal static bool UsesRegisterSweeps(int p, ElementType element) => p % element.Lanes(256) == 0 && p <= 8 * element.Lanes(256);

    /// <summary>Right-hand sides whose register sweeps <see cref="EmitRegisterSweeps"/> interleaves in one
    /// method: four vectors of P ≤ 4 L take 16 of the 32 vector registers, leaving room for the factor columns.</summary>
    internal static int InterleavedSweeps(int p, ElementType element) => UsesRegisterSweeps(p, element) && p <= 4 * element.Lanes(256) ? 4 : 1;

    /// <summary>
    /// The register sweeps of <paramref name="vectors"/> right-hand sides, read from and written back to the refs
    /// <c>z</c> (one vector) or <c>v0 … v{vectors-1}</c>. Several vectors are interleaved step by step: each
    /// sweep is a chain of P dependent steps (lane k is final only after step k−1), and independent chains side
    /// by side keep the FMA units busy while one chain waits. Every vector sees exactly the operations of a lone
    /// sweep, in the same order, so the results are bit for bit those of one vector at a time.
    /// </summary>
    internal static void EmitRegisterSweeps(CodeWriter writer, int p, ElementType element, bool transposed, int vectors = 1)
    {
        int lanes = element.Lanes(256), chunks = p / lanes;
        string v = Intrinsics + "Vector256";
        string D(int k) => $"{Unsafe}.Add(ref d, {I(k)})";
        string Z(int r, int c) => vectors == 1 ? $"z{I(c)}" : $"z{I(r)}_{I(c)}";
        string Source(int r) => vectors == 1 ? "z" : $"v{I(r)}";
        string Lane(int r, int k) => $"{v}.GetElement({Z(r, k / lanes)}, {I(k % lanes)})";
        string SetLane(int r, int k, string value) => $"{Z(r, k / lanes)} = {v}.WithElement({Z(r, k / lanes)}, {I(k % lanes)}, {value});";
        string Suffix(int k, int r) => vectors == 1 ? I(k) : $"{I(k)}_{I(r)}";
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"var {Z(r, c)} = {v}.LoadUnsafe(ref {Source(r)}, {I(lanes * c)});");
        if (!transposed)
        {
            // Unit-lower forward sweep: column k updates the rows below k.
            for (int k = 0; k < p - 1; k++)
            {
                int first = (k + 1) / lanes;
                for (int c = first; c < chunks; c++) writer.Line($"var l{I(k)}_{I(c)} = {v}.LoadUnsafe(ref l, {I(k * p + lanes * c)});");
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"var f{Suffix(k, r)} = {v}.Create(-{Lane(r, k)});");
                    for (int c = first; c < chunks; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(l{I(k)}_{I(c)}, f{Suffix(k, r)}, {Z(r, c)});");
                }
            }
            // Upper backward sweep: scale by the diagonal's reciprocal, then column k updates the rows above k.
            for (int k = p - 1; k >= 0; k--)
            {
                int end = (k + lanes - 1) / lanes;
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"{element.Keyword} s{Suffix(k, r)} = {Lane(r, k)} * {D(k)};");
                    writer.Line(SetLane(r, k, "s" + Suffix(k, r)));
                }
                if (end == 0) continue;
                for (int c = 0; c < end; c++) writer.Line($"var u{I(k)}_{I(c)} = {v}.LoadUnsafe(ref u, {I(k * p + lanes * c)});");
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"var g{Suffix(k, r)} = {v}.Create(-s{Suffix(k, r)});");
                    for (int c = 0; c < end; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(u{I(k)}_{I(c)}, g{Suffix(k, r)}, {Z(r, c)});");
                }
            }
        }
        else
        {
            if (vectors != 1) throw new System.ArgumentOutOfRangeException(nameof(vectors), "Transposed sweeps are emitted for one vector.");
            // Uᵀ forward sweep: row k of Uᵀ is column k of U, above the diagonal.
            for (int k = 0; k < p; k++)
            {
                int end = (k + lanes - 1) / lanes;
                if (end == 0)
                {
                    writer.Line(SetLane(0, k, $"{Lane(0, k)} * {D(k)}"));
                    continue;
                }
                string sum = string.Join(" + ", Enumerable(end, c => $"{v}.LoadUnsafe(ref u, {I(k * p + lanes * c)}) * {Z(0, c)}"));
                writer.Line(SetLane(0, k, $"({Lane(0, k)} - {v}.Sum({sum})) * {D(k)}"));
            }
            // Lᵀ backward sweep (unit diagonal): column k of L, below the diagonal.
            for (int k = p - 2; k >= 0; k--)
            {
                int first = (k + 1) / lanes;
                string sum = string.Join(" + ", Enumerable(chunks - first, c => $"{v}.LoadUnsafe(ref l, {I(k * p + lanes * (first + c))}) * {Z(0, first + c)}"));
                writer.Line(SetLane(0, k, $"{Lane(0, k)} - {v}.Sum({sum})"));
            }
        }
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"{v}.StoreUnsafe({Z(r, c)}, ref {Source(r)}, {I(lanes * c)});");
    }

    private static string[] Enumerable(int count, System.Func<int, string> item)
    {
        var items = new string[count];
        for (int i = 0; i < count; i++) items[i] = item(i);
        return items;
    }

    /// <summary>Vectors of one wide sweep (<see cref="EmitWideSweeps"/>), for P ≤ 32 a multiple of Vector512's lanes W
    /// (16 floats, 8 doubles): eight when P is W or 2 W, four when it is 4 W (P = 32 doubles), so that their P/W Vector512
    /// registers each fill at most half of the 32 vector registers.</summary>
    internal static int WideSweeps(int p, ElementType element)
    {
        int lanes = element.Lanes(512);
        if (p % lanes != 0 || p > 32) return 1;
        return p <= 2 * lanes ? 8 : 4;
    }

    /// <summary>
    /// The two sweeps for <paramref name="vectors"/> vectors held in P/W Vector512 registers each. Step k
    /// broadcasts lane k of every vector with one permute and adds a column of the factor times it, so the chain
    /// from one step to the next is a permute and an FMA; the column (negated, and for U scaled by 1/u_kk) is
    /// prepared off that chain. U's diagonal is applied at the end, to all lanes at once: lane k is final when
    /// step k reads it, and no later step writes it, so the sweep carries the unscaled values and each update
    /// uses (u_ik / u_kk) times the unscaled lane k. Each step is a block of its own, so the C# compiler reuses the
    /// same few locals for every step and the JIT keeps the method fully optimized.
    /// </summary>
    internal static void EmitWideSweeps(CodeWriter writer, int p, ElementType element, int vectors)
    {
        int lanes = element.Lanes(512), chunks = p / lanes;
        const string V = Intrinsics + "Vector512";
        string Z(int r, int c) => $"z{I(r)}_{I(c)}";
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"var {Z(r, c)} = {V}.LoadUnsafe(ref v{I(r)}, {I(lanes * c)});");

        void Step(int k, int firstChunk, int endChunk, string? prelude, System.Func<int, string> column)
        {
            writer.OpenBlock();
            if (prelude is not null) writer.Line(prelude);
            writer.Line($"var index = {V}.Create({element.LaneIndex(k % lanes)});");
            for (int c = firstChunk; c < endChunk; c++) writer.Line($"var column{I(c)} = {column(c)};");
            for (int r = 0; r < vectors; r++)
            {
                writer.Line($"var lane{I(r)} = {V}.Shuffle({Z(r, k / lanes)}, index);");
                for (int c = firstChunk; c < endChunk; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(column{I(c)}, lane{I(r)}, {Z(r, c)});");
            }
            writer.Close();
        }

        writer.Line("// Unit-lower forward sweep: column k updates the rows below k.");
        for (int k = 0; k < p - 1; k++)
            Step(k, (k + 1) / lanes, chunks, null, c => $"-{V}.LoadUnsafe(ref l, {I(k * p + lanes * c)})");
        writer.Line("// Upper backward sweep on unscaled values: column k, times −1/u_kk, updates the rows above k.");
        for (int k = p - 1; k >= 1; k--)
            Step(k, 0, (k + lanes - 1) / lanes, $"var scale = {V}.Create(-{Unsafe}.Add(ref d, {I(k)}));", c => $"{V}.LoadUnsafe(ref u, {I(k * p + lanes * c)}) * scale");
        writer.Line("// U's diagonal, for every lane at once.");
        for (int c = 0; c < chunks; c++) writer.Line($"var inverse{I(c)} = {V}.LoadUnsafe(ref d, {I(lanes * c)});");
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"{V}.StoreUnsafe({Z(r, c)} * inverse{I(c)}, ref v{I(r)}, {I(lanes * c)});");
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
