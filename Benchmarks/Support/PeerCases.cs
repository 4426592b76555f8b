using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Sparse;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// One operator of the peer suites at one order: its matrix (CSR, and dense where it is dense anyway), GenLu's exact
/// model at P = 32 (from the CSR band when the operator is sparse, as <c>genlu factor --matrix</c> does), the peers that
/// apply to it (<see cref="DirectPeers.For"/>) and a seeded right-hand side. The last case is kept: the suites run in
/// this process, and a dense operator at N = 4096 is 128 MiB.
/// </summary>
internal sealed class PeerCase
{
    public const int P = 32;

    private static PeerCase? last;
    private static readonly Dictionary<(string, int), string[]> ApplicablePeers = [];

    /// <summary>The Matérn (ν = 3/2) covariance case: not a built-in operator, a dense kernel beside <c>rbf</c>.</summary>
    public const string Matern = "matern32";

    private PeerCase(string name, int n)
    {
        var op = name == Matern ? MaternKernel(n) : BuiltIn(name, n);
        if (op.N != n) throw new ArgumentOutOfRangeException(nameof(n), n, $"{name} has no order {n} (a 2D operator needs a square).");
        Name = name;
        N = n;
        Scale = op.Scale;
        Csr = DirectPeers.FromDense(op.Matrix, n);
        IsSparse = Csr.NonZeroCount < (long)n * n / 4;
        Dense = IsSparse ? null : op.Matrix.ToArray();
        Peers = DirectPeers.For(Csr, Dense);
        var random = new Random(42);
        B = Enumerable.Range(0, n).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
    }

    private static OperatorMatrix BuiltIn(string name, int n)
    {
        var descriptor = TestOperators.All.Single(d => d.Name == name);
        return TestOperators.Create(name, descriptor.IsGrid ? (int)Math.Round(Math.Sqrt(n)) : n);
    }

    /// <summary>The Matérn 3/2 kernel of <see cref="MatrixEntries.Matern32Kernel"/> (l = 0.2, nugget 1e-4, the rbf operator's), formed densely.</summary>
    private static OperatorMatrix MaternKernel(int n)
    {
        const double length = 0.2, nugget = 1e-4;
        var all = Enumerable.Range(0, n).ToArray();
        var values = new double[(long)n * n];
        MatrixEntries.Matern32Kernel(n, length, nugget).Block(all, all, values);
        return new OperatorMatrix(Matern, n, values, 1 + nugget, new Dictionary<string, double> { ["lengthScale"] = length, ["nugget"] = nugget });
    }

    public string Name { get; }

    public int N { get; }

    /// <summary>The divisor of the built-in operator: <see cref="Csr"/> and <see cref="Dense"/> are A / s.</summary>
    public double Scale { get; }

    public CsrMatrix Csr { get; }

    public bool IsSparse { get; }

    public double[]? Dense { get; }

    public IReadOnlyList<PeerChoice> Peers { get; }

    public double[] B { get; }

    public static PeerCase Get(string name, int n) => last is { } cached && cached.Name == name && cached.N == n ? cached : last = new PeerCase(name, n);

    /// <summary>The names of the peers that apply to (and can run for) the operator at order n, for the suites' filter.</summary>
    public static IReadOnlyCollection<string> Applicable(string name, int n)
    {
        if (!ApplicablePeers.TryGetValue((name, n), out var names))
            ApplicablePeers[(name, n)] = names = Get(name, n).Peers.Where(p => p.Factor is not null).Select(p => p.Name).ToArray();
        return names;
    }

    /// <summary>Every peer that is missing here, once per library, for the run's notes.</summary>
    public static IEnumerable<string> MissingLibraries()
    {
        if (!OpenBlas.IsAvailable) yield return OpenBlas.MissingMessage;
        if (!SuiteSparse.IsCholmodAvailable) yield return SuiteSparse.CholmodMissingMessage;
        if (!SuiteSparse.IsUmfpackAvailable) yield return SuiteSparse.UmfpackMissingMessage;
        if (!HmatOss.IsAvailable) yield return HmatOss.MissingMessage;
    }

    /// <summary>
    /// GenLu's exact factors of A / s at P = 32 (padded to M·P ≥ N), as a model of A (scale s): from the CSR band for a
    /// sparse operator, from the entries for a kernel (what <c>genlu factor</c> chooses for both).
    /// </summary>
    public GfmmModel BuildModel()
    {
        int m = Trainer.Training.TrainingOptions.LeavesFor(N, P);
        var built = IsSparse ? ExactFactorization.Build(Csr, m, P) : ExactFactorization.Build(MatrixEntries.FromDense(Dense!, N, isSymmetric: Name is "rbf" or Matern), m, P);
        return new GfmmModel(built.Model.L, built.Model.U, Scale, built.Model.Provenance, N);
    }

    /// <summary>‖b − (A/s) x‖∞ / (‖A/s‖∞ ‖x‖∞ + ‖b‖∞) for the case's b.</summary>
    public double BackwardError(ReadOnlySpan<double> x)
    {
        var ax = new double[N];
        Csr.Apply(x, ax);
        double residual = 0, norm = 0, xMax = 0, bMax = 0;
        for (int i = 0; i < N; i++)
        {
            residual = Math.Max(residual, Math.Abs(B[i] - ax[i]));
            double row = 0;
            foreach (double v in Csr.RowValues(i)) row += Math.Abs(v);
            norm = Math.Max(norm, row);
            xMax = Math.Max(xMax, Math.Abs(x[i]));
            bMax = Math.Max(bMax, Math.Abs(B[i]));
        }
        return residual / ((norm * xMax) + bMax);
    }

    /// <summary>
    /// <paramref name="target"/>, or ten times the relative residual UMFPACK's double LU attains on this b where that is
    /// larger: no solve in double gets much below it. Without UMFPACK, the target.
    /// </summary>
    public double AnswerTolerance(double target)
    {
        if (Peers.FirstOrDefault(p => p.Name == DirectPeers.Umfpack)?.Factor is not { } factor) return target;
        using var lu = factor();
        var x = new double[N];
        lu.Solve(B, x);
        var ax = new double[N];
        Csr.Apply(x, ax);
        double attained = Math.Sqrt(ax.Zip(B, (p, q) => (p - q) * (p - q)).Sum() / B.Sum(v => v * v));
        return Math.Max(target, 10 * attained);
    }

    /// <summary>A (unscaled) for GMRES, O(nnz) per product.</summary>
    public ILinearOperator Operator() => LinearOperator.FromDelegate(N, (x, y) =>
    {
        Csr.Apply(x, y);
        for (int i = 0; i < y.Length; i++) y[i] *= Scale;
    });
}

/// <summary>Marks a peer benchmark: it runs only for the operators the peer applies to (<see cref="DirectPeers.For"/>) and when its library is here.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresPeerAttribute(string peer) : Attribute
{
    public string Peer { get; } = peer;
}
