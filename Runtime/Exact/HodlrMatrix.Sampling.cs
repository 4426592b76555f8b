using GenLu.Solvers;

namespace GenLu.Exact;

public sealed partial class HodlrMatrix
{
    /// <summary>Random vectors beyond the rank cap in each range sample: the sample's extra directions show whether
    /// the block's rank fits under the cap (a gap in the sample's singular values).</summary>
    public const int DefaultOversampling = 10;

    /// <summary>
    /// Compresses an operator known only through its products (issue 13, "products only") by randomized peeling, level by
    /// level from the coarsest (Lin, Lu and Ying 2011; Martinsson 2016): at level ℓ, Gaussian vectors supported on the
    /// first child of every sibling pair, multiplied by A, minus what the coarser levels already explain, are samples of
    /// every block A(second, first) of the level at once; their orthonormal range Q, placed on the second children and
    /// multiplied by Aᵀ (minus the coarser levels), gives Qᵀ A(second, first); an SVD of that product truncates the block
    /// at the tolerance. The blocks A(first, second) take the mirrored pair of products, or none when A is symmetric. The
    /// leaves' diagonal blocks come last, from one product of stacked identities minus all off-diagonal blocks.
    /// <para>Cost: <c>2 (maxRank + oversampling)</c> products per level (twice that when not symmetric) plus
    /// <c>leafSize</c>, O(N · r · log² N) own work, and three N x (maxRank + oversampling) blocks of doubles while it runs
    /// beside the result's O(N · r · log N) numbers. Factor the result with <see cref="ExactFactorization"/>.Build, and
    /// measure that against the operator itself with <see cref="SampledError.EstimateByProducts"/>.</para>
    /// </summary>
    /// <param name="a">The operator; <see cref="ILinearOperator.ApplyTranspose"/> is called only when <paramref name="isSymmetric"/> is false. Called from one thread; an
    /// <see cref="IBlockLinearOperator"/> gets each level's vectors in one call.</param>
    /// <param name="isSymmetric">Whether A = Aᵀ: halves the products, and the result is symmetric.</param>
    /// <param name="leafSize">The largest diagonal block (the tree halves until every leaf has at most this many rows).</param>
    /// <param name="maxRank">The rank cap of an off-diagonal block.</param>
    /// <param name="tolerance">Singular values of a block at most tolerance · ‖A‖_F / √N (the root-mean-square row norm,
    /// estimated from four products) are cut.</param>
    /// <param name="oversampling">Sample vectors beyond <paramref name="maxRank"/>.</param>
    /// <param name="seed">Seeds the Gaussian vectors: the same seed gives the same matrix.</param>
    /// <param name="progress">Receives <see cref="ExactStage.Sampling"/> after each level and after the diagonal blocks.</param>
    /// <param name="cancellationToken">Checked before every product.</param>
    /// <exception cref="ArgumentException">A product is not finite.</exception>
    /// <exception cref="NotSupportedException">A is not symmetric and its operator has no transposed product.</exception>
    public static HodlrMatrix FromProducts(
        ILinearOperator a,
        bool isSymmetric,
        int leafSize = 32,
        int maxRank = 32,
        double tolerance = ExactFactorization.DefaultTolerance,
        int oversampling = DefaultOversampling,
        int seed = 0,
        IProgress<ExactProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Order;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(leafSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRank, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(oversampling);
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and >= 0.");

        // The ranges of a level differ in length by at most one, so its widest is ⌈n / 2^level⌉.
        int Widest(int level) => (int)(((long)n + (1L << level) - 1) >> level);
        int depth = 0;
        while (Widest(depth) > leafSize) depth++;
        var matrix = new HodlrMatrix(n, depth, isSymmetric);
        const int NormVectors = 4;
        int widest = Math.Max(Math.Max(maxRank + oversampling, NormVectors), Widest(depth));
        var sampler = new ProductSampler(a, isSymmetric, widest, cancellationToken);
        var random = new Random(seed);
        GaussianSamples.Fill(sampler.Input(NormVectors), random);
        var sample = sampler.Multiply(NormVectors, transpose: false).AsSpan(0, n * NormVectors);
        double frobenius = Math.Sqrt(Kernels.Level1.Dot<double>(sample, sample) / NormVectors);
        double threshold = tolerance * frobenius / Math.Sqrt(n);

        var levels = new List<HodlrLevel>(depth);
        for (int level = 1; level <= depth; level++)
        {
            levels.Add(matrix.SampleLevel(level, sampler, maxRank, maxRank + oversampling, threshold, random));
            progress?.Report(new ExactProgress(ExactStage.Sampling, level, depth + 1));
        }

        matrix.SampleDiagonal(sampler);
        progress?.Report(new ExactProgress(ExactStage.Sampling, depth + 1, depth + 1));
        matrix.Levels = levels;
        matrix.Products = sampler.Products;
        matrix.ProductTime = sampler.ProductTime;
        return matrix;
    }

    /// <summary>Both off-diagonal blocks of every pair of <paramref name="level"/>; levels above it are known.</summary>
    private HodlrLevel SampleLevel(int level, ProductSampler sampler, int maxRank, int samples, double threshold, Random random)
    {
        var below = ColumnRanges(level, sampleFirst: true, sampler, samples, threshold, random);
        var belowBlocks = Project(level, below, rangeOnSecond: true, sampler, maxRank, threshold);
        lower[level - 1] = belowBlocks.Select(block => block.Block).ToArray();
        var all = belowBlocks.ToList();
        if (symmetric)
        {
            upper[level - 1] = lower[level - 1].Select(block => block.Transposed).ToArray();
        }
        else
        {
            var above = ColumnRanges(level, sampleFirst: false, sampler, samples, threshold, random);
            var aboveBlocks = Project(level, above, rangeOnSecond: false, sampler, maxRank, threshold);
            upper[level - 1] = aboveBlocks.Select(block => block.Block).ToArray();
            all.AddRange(aboveBlocks);
        }

        return new HodlrLevel(
            level,
            all.Max(block => block.Block.Rank),
            all.Max(block => block.LargestDiscarded),
            all.Count(block => block.Saturated));
    }

    /// <summary>
    /// An orthonormal basis of the column space of every target block of a level (rows of one child, columns of its
    /// sibling): A times Gaussian vectors on the source children, minus the coarser levels, read on the target rows.
    /// </summary>
    private (double[] Basis, int Rank, bool Saturated)[] ColumnRanges(int level, bool sampleFirst, ProductSampler sampler, int samples, double threshold, Random random)
    {
        int pairs = 1 << (level - 1);
        var omega = sampler.Input(samples);
        for (int pair = 0; pair < pairs; pair++)
        {
            var (start, end) = Child(level, pair, second: !sampleFirst);
            GaussianSamples.Fill(omega.Slice(start * samples, (end - start) * samples), random);
        }

        var y = sampler.Multiply(samples, transpose: false);
        SubtractOffDiagonal(y.AsSpan(0, n * samples), omega, samples, level - 1, transpose: false);
        var ranges = new (double[] Basis, int Rank, bool Saturated)[pairs];
        Parallel.For(0, pairs, pair =>
        {
            var (start, end) = Child(level, pair, second: sampleFirst);
            int rows = end - start;
            var block = y.AsSpan(start * samples, rows * samples);
            var (vectors, sigma) = rows > samples ? TallLeftSingularVectors(block.ToArray(), rows, samples) : LeftSingularVectors.Compute(block, rows, samples);
            int rank = sigma.Count(value => value > threshold);
            var basis = new double[rows * rank];
            for (int row = 0; row < rows; row++)
            {
                for (int j = 0; j < rank; j++) basis[(row * rank) + j] = vectors[(j * rows) + row];
            }

            // A sample narrower than the block with every direction above the tolerance shows no gap: more may hide.
            ranges[pair] = (basis, rank, rank == samples && rows > samples);
        });
        return ranges;
    }

    /// <summary>
    /// <see cref="LeftSingularVectors.Compute"/> of a tall rows x columns sample through its thin QR: S = Q R and R = U Σ Vᵀ
    /// give S's left vectors Q U. One-sided Jacobi on S itself would rotate columns of length rows in every sweep (half
    /// the order at level 1); on R they have length columns.
    /// </summary>
    private static (double[] Vectors, double[] Sigma) TallLeftSingularVectors(double[] sample, int rows, int columns)
    {
        var (q, r) = Semiseparable.ThinQr(sample, rows, columns);
        var (rotation, sigma) = LeftSingularVectors.Compute(r, columns, columns);
        var vectors = new double[(long)rows * sigma.Length];
        for (int j = 0; j < sigma.Length; j++)
        {
            var direction = rotation.AsSpan(j * columns, columns);
            for (int row = 0; row < rows; row++) vectors[((long)j * rows) + row] = Kernels.Level1.Dot<double>(q.AsSpan(row * columns, columns), direction);
        }

        return (vectors, sigma);
    }

    /// <summary>
    /// The blocks A(target, source) ≈ Q (Qᵀ A(target, source)) of a level from their column bases Q: one transposed
    /// product of the bases placed on the target rows, minus the coarser levels, read on the source rows; then each block
    /// is truncated by the SVD of its r x |source| factor.
    /// </summary>
    private (LowRank Block, double LargestDiscarded, bool Saturated)[] Project(
        int level, (double[] Basis, int Rank, bool Saturated)[] ranges, bool rangeOnSecond, ProductSampler sampler, int maxRank, double threshold)
    {
        int pairs = ranges.Length;
        int width = ranges.Max(range => range.Rank);
        var blocks = new (LowRank Block, double LargestDiscarded, bool Saturated)[pairs];
        if (width == 0)
        {
            for (int pair = 0; pair < pairs; pair++) blocks[pair] = (new LowRank([], [], 0), 0, false);
            return blocks;
        }

        var w = sampler.Input(width);
        for (int pair = 0; pair < pairs; pair++)
        {
            var (start, end) = Child(level, pair, second: rangeOnSecond);
            var (basis, rank, _) = ranges[pair];
            for (int row = 0; row < end - start; row++) basis.AsSpan(row * rank, rank).CopyTo(w.Slice((start + row) * width));
        }

        var z = sampler.Multiply(width, transpose: true);
        SubtractOffDiagonal(z.AsSpan(0, n * width), w, width, level - 1, transpose: true);
        Parallel.For(0, pairs, pair =>
        {
            var (basis, rank, saturated) = ranges[pair];
            var (start, end) = Child(level, pair, second: !rangeOnSecond);
            int columns = end - start, rows = basis.Length / Math.Max(rank, 1);
            // V (columns x rank) = A(target, source)ᵀ Q; the SVD of Vᵀ = W Σ Xᵀ gives A ≈ (Q W) (V W)ᵀ with Σ inside V W.
            var transposed = new double[rank * columns];
            for (int column = 0; column < columns; column++)
            {
                for (int j = 0; j < rank; j++) transposed[(j * columns) + column] = z[((long)(start + column) * width) + j];
            }

            var (rotation, sigma) = LeftSingularVectors.Compute(transposed, rank, columns);
            int kept = Math.Min(maxRank, sigma.Count(value => value > threshold));
            double discarded = kept < sigma.Length ? sigma[kept] : 0;
            var left = new double[rows * kept];
            var right = new double[columns * kept];
            for (int j = 0; j < kept; j++)
            {
                var direction = rotation.AsSpan(j * rank, rank);
                for (int row = 0; row < rows; row++) left[(row * kept) + j] = Kernels.Level1.Dot<double>(basis.AsSpan(row * rank, rank), direction);
                for (int column = 0; column < columns; column++)
                {
                    double sum = 0;
                    for (int i = 0; i < rank; i++) sum += transposed[(i * columns) + column] * direction[i];
                    right[(column * kept) + j] = sum;
                }
            }

            blocks[pair] = (new LowRank(left, right, kept), discarded, saturated || discarded > threshold);
        });
        return blocks;
    }

    /// <summary>The leaves' diagonal blocks: stacked identities (column t is 1 at row t of every leaf) times A, minus
    /// every off-diagonal block, hold each leaf's block in its rows.</summary>
    private void SampleDiagonal(ProductSampler sampler)
    {
        int leaves = 1 << depth;
        int width = Enumerable.Range(0, leaves).Max(leaf => Start(depth, leaf + 1) - Start(depth, leaf));
        var identities = sampler.Input(width);
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            int start = Start(depth, leaf);
            for (int t = 0; t < Start(depth, leaf + 1) - start; t++) identities[((start + t) * width) + t] = 1;
        }

        var y = sampler.Multiply(width, transpose: false);
        SubtractOffDiagonal(y.AsSpan(0, n * width), identities, width, depth, transpose: false);
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            int start = Start(depth, leaf), size = Start(depth, leaf + 1) - start;
            var block = new double[size * size];
            for (int i = 0; i < size; i++) y.AsSpan((start + i) * width, size).CopyTo(block.AsSpan(i * size));
            if (symmetric)
            {
                // A = Aᵀ holds exactly; the two sampled triangles differ by rounding.
                for (int i = 0; i < size; i++)
                {
                    for (int j = 0; j < i; j++) block[(i * size) + j] = block[(j * size) + i] = 0.5 * (block[(i * size) + j] + block[(j * size) + i]);
                }
            }

            diagonal[leaf] = block;
        }
    }

    /// <summary>The index range of the first or second child of a pair at a level.</summary>
    private (int Start, int End) Child(int level, int pair, bool second)
    {
        int node = (2 * pair) + (second ? 1 : 0);
        return (Start(level, node), Start(level, node + 1));
    }

    /// <summary>
    /// Applies the caller's operator to blocks of vectors stored row-major (n x count) — in one call when it is an
    /// <see cref="IBlockLinearOperator"/>, else one vector at a time — counting the products and checking them. It owns
    /// the three n x widest buffers every level reuses (the block, its transpose and the products; the result is
    /// transposed back into the second), so the sampling holds 3 · n · widest numbers whatever the depth.
    /// </summary>
    private sealed class ProductSampler(ILinearOperator a, bool symmetric, int widest, CancellationToken cancellationToken)
    {
        private readonly int n = a.Order;
        private readonly double[] inputBlock = new double[(long)a.Order * widest];
        private readonly double[] transposed = new double[(long)a.Order * widest];
        private readonly double[] products = new double[(long)a.Order * widest];

        public int Products { get; private set; }

        /// <summary>Wall time spent inside the caller's products.</summary>
        public TimeSpan ProductTime { get; private set; }

        /// <summary>The n x count block to multiply, zeroed; valid until the next call.</summary>
        public Span<double> Input(int count)
        {
            var input = inputBlock.AsSpan(0, n * count);
            input.Clear();
            return input;
        }

        /// <summary>A (or Aᵀ) times the n x count block of <see cref="Input"/>: the first n · count numbers of the array
        /// returned (row-major), valid until the next call.</summary>
        public double[] Multiply(int count, bool transpose)
        {
            // Vector t of the block is row t of its transpose: each product reads and writes contiguous spans.
            Semiseparable.Transpose(inputBlock.AsSpan(0, n * count), n, count, transposed);
            bool byTranspose = transpose && !symmetric;
            var inputs = transposed.AsSpan(0, n * count);
            var outputs = products.AsSpan(0, n * count);
            outputs.Clear();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (a is IBlockLinearOperator blockOperator)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (byTranspose) blockOperator.ApplyTranspose(inputs, outputs, count);
                else blockOperator.Apply(inputs, outputs, count);
            }
            else
            {
                for (int t = 0; t < count; t++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (byTranspose) a.ApplyTranspose(inputs.Slice(t * n, n), outputs.Slice(t * n, n));
                    else a.Apply(inputs.Slice(t * n, n), outputs.Slice(t * n, n));
                }
            }

            ProductTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            int bad = outputs.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"Product {Products + (bad / n) + 1} of the operator ({(byTranspose ? "Aᵀ" : "A")} x) has a non-finite entry {outputs[bad]} at row {bad % n}.", nameof(a));
            }

            Products += count;
            Semiseparable.Transpose(products.AsSpan(0, n * count), count, n, transposed);
            return transposed;
        }
    }
}
