using System.Collections.ObjectModel;

namespace GenLu.Operators;

/// <summary>
/// The seven test operators of the GFMM specification, built dense (row-major <c>double[]</c>, N x N) and
/// divided by their largest entry magnitude max |A_ij| (all except the 1D Laplacian, which keeps scale 1
/// as in the reference). 2D operators live on a g x g grid with the unknown of grid point (x, y) at index
/// <c>y * g + x</c> (x varies fastest).
/// </summary>
/// <remarks>
/// Dividing by max |A_ij| removes any uniform factor, so the mesh width h only matters where it weighs two
/// terms against each other: in convection-diffusion (eps/h^2 against beta/h) and in the 2D biharmonic shift
/// (the 1e-6 I is added to the h-free square, see <see cref="Biharmonic2d"/>). <see cref="OperatorMatrix.Scale"/>
/// always reports the divisor of the operator as defined here, so <c>Scale * Matrix</c> is that operator.
/// </remarks>
public static partial class TestOperators
{
    /// <summary>The largest 1D size: n*n must fit in one array.</summary>
    public const int MaxSize1d = 46_340;

    /// <summary>The largest grid side of a 2D operator: (g*g)^2 must fit in one array.</summary>
    public const int MaxGrid2d = 215;

    private delegate OperatorMatrix Factory(int size, Func<string, double> parameter);

    /// <summary>The largest 1D size of a sparse operator (<see cref="CreateSparse"/>): its at most 5 n entries fit in one array.</summary>
    public const int MaxSparseSize1d = 1 << 28;

    /// <summary>The largest grid side of a sparse 2D operator: N = g² and its at most 13 N entries fit in one array.</summary>
    public const int MaxSparseGrid2d = 12_000;

    private delegate OperatorEntries EntriesFactory(int size, Func<string, double> parameter);

    private delegate Built Definition(Assembly a, int size, Func<string, double> parameter);

    /// <summary>
    /// An operator of the registry: a stencil operator by its <see cref="Definition"/> over an assembly (dense or sparse), a
    /// kernel by its dense form and its formula per entry.
    /// </summary>
    private sealed record Entry(OperatorDescriptor Descriptor, Factory Create, EntriesFactory? CreateEntries = null, Definition? Define = null)
    {
        public Entry(OperatorDescriptor descriptor, Definition define)
            : this(descriptor, (size, p) => Dense(define(new DenseAssembly(Order(descriptor, size, sparse: false)), size, p)), null, define)
        {
        }
    }

    /// <summary>An assembled operator before it becomes an <see cref="OperatorMatrix"/> or an <see cref="OperatorSparse"/>.</summary>
    private sealed record Built(string Name, Assembly Matrix, double Scale, IReadOnlyDictionary<string, double> Parameters);

    private static readonly Entry[] Entries =
    [
        new(Describe("laplacian1d", false, "1D Laplacian tridiag(-1, 2, -1), not scaled (scale 1)."),
            (a, _, _) => DefineLaplacian1d(a)),
        new(Describe("laplacian2d", true, "2D Laplacian, Kronecker sum of tridiag(-1, 2, -1) on a g x g grid, divided by max |A_ij|."),
            (a, g, _) => DefineLaplacian2d(a, g)),
        new(Describe("convdiff1d", false, "1D convection-diffusion -eps u'' + beta u' (central diffusion, upwind convection, h = 1/(n-1), Dirichlet rows = identity), divided by max |A_ij|.",
                ("eps", 0.1), ("beta", 1.0)),
            (a, _, p) => DefineConvectionDiffusion1d(a, p("eps"), p("beta"))),
        new(Describe("convdiff2d", true, "2D convection-diffusion -eps Laplace(u) + beta du/dx on the g x g interior grid (h = 1/(g+1), upwind in x, no boundary rows), divided by max |A_ij|.",
                ("eps", 0.1), ("beta", 1.0)),
            (a, g, p) => DefineConvectionDiffusion2d(a, g, p("eps"), p("beta"))),
        new(Describe("biharmonic1d", false, "1D biharmonic K^T K, K = tridiag(-1, 2, -1) / h^2 (Dirichlet, h = 1/(n+1)), divided by max |A_ij|."),
            (a, _, _) => DefineBiharmonic1d(a)),
        new(Describe("biharmonic2d", true, "2D biharmonic: square of the 2D Laplacian (Kronecker sum of tridiag(-1, 2, -1)) plus shift * I, divided by max |A_ij|.",
                ("shift", 1e-6)),
            (a, g, p) => DefineBiharmonic2d(a, g, p("shift"))),
        new(Describe("rbf", false, "RBF kernel covariance exp(-|x_i - x_j|^2 / (2 l^2)) + nugget * I on a uniform grid of [0, 1], divided by max |A_ij|.",
                ("lengthScale", 0.2), ("nugget", 1e-4)),
            (n, p) => RbfKernel(n, p("lengthScale"), p("nugget")),
            (n, p) => RbfKernelEntries(n, p("lengthScale"), p("nugget"))),
    ];

    /// <summary>Every operator, in the order of the specification.</summary>
    public static IReadOnlyList<OperatorDescriptor> All { get; } = Array.AsReadOnly(Entries.Select(e => e.Descriptor).ToArray());

    /// <summary>
    /// Builds the operator named <paramref name="name"/> (case-insensitive) of size <paramref name="size"/>
    /// (n for a 1D operator, the grid side g for a 2D one), with <paramref name="parameters"/> overriding the defaults.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown operator name or unknown parameter name, or an invalid value.</exception>
    public static OperatorMatrix Create(string name, int size, IReadOnlyDictionary<string, double>? parameters = null)
    {
        var (entry, parameter) = Find(name, parameters);
        return entry.Create(size, parameter);
    }

    /// <summary>
    /// The operator named <paramref name="name"/> as a formula per entry, never formed (any order, memory O(1)), when it is
    /// one (the kernels: <c>rbf</c>); null for the stencil operators. Same names, sizes, parameters and scale as
    /// <see cref="Create"/>, and the same entries to the last bit.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown operator name or unknown parameter name, or an invalid value.</exception>
    public static OperatorEntries? CreateEntries(string name, int size, IReadOnlyDictionary<string, double>? parameters = null)
    {
        var (entry, parameter) = Find(name, parameters);
        return entry.CreateEntries?.Invoke(size, parameter);
    }

    /// <summary>
    /// The stencil operator named <paramref name="name"/> as a CSR matrix, never dense (1D orders up to
    /// <see cref="MaxSparseSize1d"/>, grid sides up to <see cref="MaxSparseGrid2d"/>); null for the kernels. Same names,
    /// parameters and scale as <see cref="Create"/>, and the same entries to the last bit.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown operator name or unknown parameter name, or an invalid value.</exception>
    public static OperatorSparse? CreateSparse(string name, int size, IReadOnlyDictionary<string, double>? parameters = null)
    {
        var (entry, parameter) = Find(name, parameters);
        if (entry.Define is not { } define) return null;
        var built = define(new SparseAssembly(Order(entry.Descriptor, size, sparse: true)), size, parameter);
        return new OperatorSparse(built.Name, built.Matrix.N, ((SparseAssembly)built.Matrix).ToCsr(), built.Scale, built.Parameters);
    }

    /// <summary>The matrix order N of an operator of size <paramref name="size"/> (n, or g² on a grid), after its size check.</summary>
    private static int Order(OperatorDescriptor descriptor, int size, bool sparse) =>
        descriptor.IsGrid
            ? Check2dSize(size, sparse ? MaxSparseGrid2d : MaxGrid2d) * size
            : Check1dSize(size, sparse ? MaxSparseSize1d : MaxSize1d);

    /// <summary>The registry entry of <paramref name="name"/> (case-insensitive) and its parameter values (defaults filled in).</summary>
    private static (Entry Entry, Func<string, double> Parameter) Find(string name, IReadOnlyDictionary<string, double>? parameters)
    {
        ArgumentNullException.ThrowIfNull(name);
        var entry = Array.Find(Entries, e => string.Equals(e.Descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"Unknown operator '{name}'. Known operators: {string.Join(", ", Entries.Select(e => e.Descriptor.Name))}.",
                nameof(name));

        var defaults = entry.Descriptor.DefaultParameters;
        if (parameters is not null)
        {
            foreach (var key in parameters.Keys)
            {
                if (!defaults.ContainsKey(key))
                {
                    var known = defaults.Count == 0 ? "it takes no parameters" : "known parameters: " + string.Join(", ", defaults.Keys);
                    throw new ArgumentException($"Operator '{entry.Descriptor.Name}' has no parameter '{key}'; {known}.", nameof(parameters));
                }
            }
        }

        return (entry, key => parameters is not null && parameters.TryGetValue(key, out var value) ? value : defaults[key]);
    }

    /// <summary>The 1D Laplacian <c>tridiag(-1, 2, -1)</c> of order n, kept unscaled (Scale = 1) like the reference.</summary>
    public static OperatorMatrix Laplacian1d(int n) => Dense(DefineLaplacian1d(new DenseAssembly(Check1dSize(n))));

    /// <summary>
    /// The 2D Laplacian on a g x g grid, <c>I ⊗ T + T ⊗ I</c> with <c>T = tridiag(-1, 2, -1)</c> (the 5-point stencil
    /// 4, -1, -1, -1, -1 without 1/h^2: dividing by max |A_ij| = 4 would cancel it anyway). N = g*g.
    /// </summary>
    public static OperatorMatrix Laplacian2d(int g) => Dense(DefineLaplacian2d(new DenseAssembly(Check2dSize(g) * g), g));

    /// <summary>
    /// 1D convection-diffusion <c>-eps u'' + beta u'</c> on n points of [0, 1], h = 1/(n-1): interior row i is
    /// <c>eps (-u[i-1] + 2u[i] - u[i+1]) / h^2 + beta (u[i] - u[i-1]) / h</c> (upwind: the difference looks
    /// against the flow, so for beta &lt; 0 it uses u[i+1] - u[i]); rows 0 and n-1 are Dirichlet rows set to the
    /// identity before the division by max |A_ij|.
    /// </summary>
    public static OperatorMatrix ConvectionDiffusion1d(int n, double eps = 0.1, double beta = 1.0) =>
        Dense(DefineConvectionDiffusion1d(new DenseAssembly(Check1dSize(n)), eps, beta));

    /// <summary>
    /// 2D convection-diffusion <c>-eps (u_xx + u_yy) + beta u_x</c> on the g x g interior points of the unit square,
    /// h = 1/(g+1), 5-point central diffusion and upwind convection in x only; no boundary rows (the Dirichlet
    /// values are zero and simply drop out). Divided by max |A_ij|.
    /// </summary>
    public static OperatorMatrix ConvectionDiffusion2d(int g, double eps = 0.1, double beta = 1.0) =>
        Dense(DefineConvectionDiffusion2d(new DenseAssembly(Check2dSize(g) * g), g, eps, beta));

    /// <summary>
    /// 1D biharmonic <c>K^T K</c> with <c>K = tridiag(-1, 2, -1) / h^2</c> the Dirichlet Laplacian on the n interior
    /// points of [0, 1] (h = 1/(n+1)). Pentadiagonal, rows 1, -4, 6, -4, 1 (5 in the corners) after dividing by
    /// max |A_ij| = 6/h^4, so h only shows in <see cref="OperatorMatrix.Scale"/>.
    /// </summary>
    public static OperatorMatrix Biharmonic1d(int n) => Dense(DefineBiharmonic1d(new DenseAssembly(Check1dSize(n))));

    /// <summary>
    /// 2D biharmonic <c>L^2 + shift I</c> with L the unscaled 2D Laplacian of <see cref="Laplacian2d"/> (entries 4 and -1),
    /// divided by max |A_ij|. The spec leaves h open; without 1/h^2 the shift 1e-6 is relative to entries of order 20,
    /// so it keeps a visible (tiny) regularising effect instead of vanishing below double rounding.
    /// </summary>
    public static OperatorMatrix Biharmonic2d(int g, double shift = 1e-6) =>
        Dense(DefineBiharmonic2d(new DenseAssembly(Check2dSize(g) * g), g, shift));

    // Each stencil operator is defined once, over an assembly: dense (the OperatorMatrix of the methods above) or
    // sparse (CreateSparse), entry for entry the same arithmetic in the same order, so both hold the same bits.

    private static Built DefineLaplacian1d(Assembly a)
    {
        AddLaplacian1d(a, 1.0);
        return new Built("laplacian1d", a, 1.0, NoParameters());
    }

    private static Built DefineLaplacian2d(Assembly a, int g)
    {
        AddLaplacian2d(a, g, 1.0);
        return DivideByMax("laplacian2d", a, NoParameters());
    }

    private static Built DefineConvectionDiffusion1d(Assembly a, double eps, double beta)
    {
        CheckConvectionDiffusion(eps, beta);
        int n = a.N;
        double h = 1.0 / (n - 1);
        a.Add(0, 0, 1.0);
        a.Add(n - 1, n - 1, 1.0);
        for (int i = 1; i < n - 1; i++)
        {
            AddConvectionDiffusionStencil(a, i, i - 1, i + 1, eps, beta, h);
        }

        return DivideByMax("convdiff1d", a, Parameters(("eps", eps), ("beta", beta)));
    }

    private static Built DefineConvectionDiffusion2d(Assembly a, int g, double eps, double beta)
    {
        CheckConvectionDiffusion(eps, beta);
        double h = 1.0 / (g + 1);
        AddLaplacian2d(a, g, eps / (h * h));
        for (int y = 0; y < g; y++)
        {
            for (int x = 0; x < g; x++)
            {
                int row = (y * g) + x;
                int upwindX = beta >= 0 ? x - 1 : x + 1;
                a.Add(row, row, Math.Abs(beta) / h);
                if (upwindX >= 0 && upwindX < g)
                {
                    a.Add(row, (y * g) + upwindX, -(Math.Abs(beta) / h));
                }
            }
        }

        return DivideByMax("convdiff2d", a, Parameters(("eps", eps), ("beta", beta)));
    }

    private static Built DefineBiharmonic1d(Assembly k)
    {
        double h = 1.0 / (k.N + 1);
        AddLaplacian1d(k, 1.0 / (h * h));
        return DivideByMax("biharmonic1d", k.SquareOfSymmetricBanded(1), NoParameters());
    }

    private static Built DefineBiharmonic2d(Assembly laplacian, int g, double shift)
    {
        CheckFinite(shift, nameof(shift), allowNegative: false);
        AddLaplacian2d(laplacian, g, 1.0);
        var a = laplacian.SquareOfSymmetricBanded(g);
        for (int i = 0; i < a.N; i++)
        {
            a.Add(i, i, shift);
        }

        return DivideByMax("biharmonic2d", a, Parameters(("shift", shift)));
    }

    /// <summary>
    /// RBF (squared-exponential) kernel covariance <c>exp(-(x_i - x_j)^2 / (2 l^2)) + nugget δ_ij</c> on the uniform grid
    /// x_i = i/(n-1) of [0, 1], divided by max |A_ij| = 1 + nugget (so the diagonal is exactly 1).
    /// </summary>
    public static OperatorMatrix RbfKernel(int n, double lengthScale = 0.2, double nugget = 1e-4)
    {
        var lazy = RbfKernelEntries(Check1dSize(n), lengthScale, nugget);
        var all = Enumerable.Range(0, n).ToArray();
        var a = new double[n * n];
        lazy.Entries.Block(all, all, a);
        return new OperatorMatrix("rbf", n, a, lazy.Scale, lazy.Parameters);
    }

    /// <summary>The <see cref="RbfKernel"/> operator by its entries (<see cref="MatrixEntries.RbfKernel"/>), of any order n ≥ 2.</summary>
    /// <remarks>Its largest entry is the diagonal's exp(0) + nugget = 1 + nugget exactly, the scale it is divided by.</remarks>
    public static OperatorEntries RbfKernelEntries(int n, double lengthScale = 0.2, double nugget = 1e-4)
    {
        Check1dSize(n, int.MaxValue);
        CheckFinite(lengthScale, nameof(lengthScale), allowNegative: false);
        if (lengthScale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "The length scale must be positive.");
        }

        CheckFinite(nugget, nameof(nugget), allowNegative: false);
        return new("rbf", n, MatrixEntries.RbfKernel(n, lengthScale, nugget), 1 + nugget, Parameters(("lengthScale", lengthScale), ("nugget", nugget)));
    }

    /// <summary>Adds <c>weight · tridiag(-1, 2, -1)</c>.</summary>
    private static void AddLaplacian1d(Assembly a, double weight)
    {
        int n = a.N;
        for (int i = 0; i < n; i++)
        {
            a.Add(i, i, 2 * weight);
            if (i > 0)
            {
                a.Add(i, i - 1, -weight);
            }

            if (i < n - 1)
            {
                a.Add(i, i + 1, -weight);
            }
        }
    }

    /// <summary>Adds <c>weight</c> times the 5-point stencil (4 centre, -1 for each grid neighbour).</summary>
    private static void AddLaplacian2d(Assembly a, int g, double weight)
    {
        for (int y = 0; y < g; y++)
        {
            for (int x = 0; x < g; x++)
            {
                int row = (y * g) + x;
                a.Add(row, row, 4 * weight);
                if (x > 0) { a.Add(row, row - 1, -weight); }
                if (x < g - 1) { a.Add(row, row + 1, -weight); }
                if (y > 0) { a.Add(row, row - g, -weight); }
                if (y < g - 1) { a.Add(row, row + g, -weight); }
            }
        }
    }

    /// <summary>One interior 1D row: central diffusion plus the upwind convection difference.</summary>
    private static void AddConvectionDiffusionStencil(Assembly a, int i, int left, int right, double eps, double beta, double h)
    {
        double diffusion = eps / (h * h);
        a.Add(i, i, (2 * diffusion) + (Math.Abs(beta) / h));
        a.Add(i, left, -diffusion);
        a.Add(i, right, -diffusion);
        a.Add(i, beta >= 0 ? left : right, -(Math.Abs(beta) / h));
    }

    private static Built DivideByMax(string name, Assembly a, IReadOnlyDictionary<string, double> parameters)
    {
        double max = a.MaxMagnitude();
        a.Scale(1.0 / max);
        return new Built(name, a, max, parameters);
    }

    private static OperatorMatrix Dense(Built built) =>
        new(built.Name, built.Matrix.N, ((DenseAssembly)built.Matrix).Values, built.Scale, built.Parameters);

    private static int Check1dSize(int n, int max = MaxSize1d) =>
        n < 2 || n > max ? throw new ArgumentOutOfRangeException(nameof(n), n, $"The size n must be in 2..{max}.") : n;

    private static int Check2dSize(int g, int max = MaxGrid2d) =>
        g < 2 || g > max ? throw new ArgumentOutOfRangeException(nameof(g), g, $"The grid side g must be in 2..{max} (N = g*g).") : g;

    private static void CheckConvectionDiffusion(double eps, double beta)
    {
        CheckFinite(eps, nameof(eps), allowNegative: false);
        if (eps == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "The diffusion coefficient eps must be positive.");
        }

        CheckFinite(beta, nameof(beta), allowNegative: true);
    }

    private static void CheckFinite(double value, string name, bool allowNegative)
    {
        if (!double.IsFinite(value) || (!allowNegative && value < 0))
        {
            throw new ArgumentOutOfRangeException(name, value, allowNegative ? $"{name} must be finite." : $"{name} must be finite and non-negative.");
        }
    }

    private static OperatorDescriptor Describe(string name, bool isGrid, string description, params (string Name, double Value)[] defaults) =>
        new(name, isGrid, description, Parameters(defaults));

    private static IReadOnlyDictionary<string, double> NoParameters() => Parameters();

    private static ReadOnlyDictionary<string, double> Parameters(params (string Name, double Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));
}
