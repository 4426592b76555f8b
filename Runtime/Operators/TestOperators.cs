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
public static class TestOperators
{
    /// <summary>The largest 1D size: n*n must fit in one array.</summary>
    public const int MaxSize1d = 46_340;

    /// <summary>The largest grid side of a 2D operator: (g*g)^2 must fit in one array.</summary>
    public const int MaxGrid2d = 215;

    private delegate OperatorMatrix Factory(int size, Func<string, double> parameter);

    private delegate OperatorEntries EntriesFactory(int size, Func<string, double> parameter);

    /// <summary>An operator of the registry; <see cref="CreateEntries"/> is set for those defined by a formula per entry (kernels).</summary>
    private sealed record Entry(OperatorDescriptor Descriptor, Factory Create, EntriesFactory? CreateEntries = null);

    private static readonly Entry[] Entries =
    [
        new(Describe("laplacian1d", false, "1D Laplacian tridiag(-1, 2, -1), not scaled (scale 1)."),
            (n, _) => Laplacian1d(n)),
        new(Describe("laplacian2d", true, "2D Laplacian, Kronecker sum of tridiag(-1, 2, -1) on a g x g grid, divided by max |A_ij|."),
            (g, _) => Laplacian2d(g)),
        new(Describe("convdiff1d", false, "1D convection-diffusion -eps u'' + beta u' (central diffusion, upwind convection, h = 1/(n-1), Dirichlet rows = identity), divided by max |A_ij|.",
                ("eps", 0.1), ("beta", 1.0)),
            (n, p) => ConvectionDiffusion1d(n, p("eps"), p("beta"))),
        new(Describe("convdiff2d", true, "2D convection-diffusion -eps Laplace(u) + beta du/dx on the g x g interior grid (h = 1/(g+1), upwind in x, no boundary rows), divided by max |A_ij|.",
                ("eps", 0.1), ("beta", 1.0)),
            (g, p) => ConvectionDiffusion2d(g, p("eps"), p("beta"))),
        new(Describe("biharmonic1d", false, "1D biharmonic K^T K, K = tridiag(-1, 2, -1) / h^2 (Dirichlet, h = 1/(n+1)), divided by max |A_ij|."),
            (n, _) => Biharmonic1d(n)),
        new(Describe("biharmonic2d", true, "2D biharmonic: square of the 2D Laplacian (Kronecker sum of tridiag(-1, 2, -1)) plus shift * I, divided by max |A_ij|.",
                ("shift", 1e-6)),
            (g, p) => Biharmonic2d(g, p("shift"))),
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
    public static OperatorMatrix Laplacian1d(int n)
    {
        Check1dSize(n);
        var a = new double[n * n];
        AddLaplacian1d(a, n);
        return new OperatorMatrix("laplacian1d", n, a, 1.0, NoParameters());
    }

    /// <summary>
    /// The 2D Laplacian on a g x g grid, <c>I ⊗ T + T ⊗ I</c> with <c>T = tridiag(-1, 2, -1)</c> (the 5-point stencil
    /// 4, -1, -1, -1, -1 without 1/h^2: dividing by max |A_ij| = 4 would cancel it anyway). N = g*g.
    /// </summary>
    public static OperatorMatrix Laplacian2d(int g)
    {
        Check2dSize(g);
        int n = g * g;
        var a = new double[n * n];
        AddLaplacian2d(a, g, 1.0);
        return DivideByMax("laplacian2d", n, a, NoParameters());
    }

    /// <summary>
    /// 1D convection-diffusion <c>-eps u'' + beta u'</c> on n points of [0, 1], h = 1/(n-1): interior row i is
    /// <c>eps (-u[i-1] + 2u[i] - u[i+1]) / h^2 + beta (u[i] - u[i-1]) / h</c> (upwind: the difference looks
    /// against the flow, so for beta &lt; 0 it uses u[i+1] - u[i]); rows 0 and n-1 are Dirichlet rows set to the
    /// identity before the division by max |A_ij|.
    /// </summary>
    public static OperatorMatrix ConvectionDiffusion1d(int n, double eps = 0.1, double beta = 1.0)
    {
        Check1dSize(n);
        CheckConvectionDiffusion(eps, beta);
        double h = 1.0 / (n - 1);
        var a = new double[n * n];
        a[0] = 1.0;
        a[(n * n) - 1] = 1.0;
        for (int i = 1; i < n - 1; i++)
        {
            AddConvectionDiffusionStencil(a, n, i, i - 1, i + 1, eps, beta, h);
        }

        return DivideByMax("convdiff1d", n, a, Parameters(("eps", eps), ("beta", beta)));
    }

    /// <summary>
    /// 2D convection-diffusion <c>-eps (u_xx + u_yy) + beta u_x</c> on the g x g interior points of the unit square,
    /// h = 1/(g+1), 5-point central diffusion and upwind convection in x only; no boundary rows (the Dirichlet
    /// values are zero and simply drop out). Divided by max |A_ij|.
    /// </summary>
    public static OperatorMatrix ConvectionDiffusion2d(int g, double eps = 0.1, double beta = 1.0)
    {
        Check2dSize(g);
        CheckConvectionDiffusion(eps, beta);
        double h = 1.0 / (g + 1);
        int n = g * g;
        var a = new double[n * n];
        AddLaplacian2d(a, g, eps / (h * h));
        for (int y = 0; y < g; y++)
        {
            for (int x = 0; x < g; x++)
            {
                int row = (y * g) + x;
                int upwindX = beta >= 0 ? x - 1 : x + 1;
                a[(row * n) + row] += Math.Abs(beta) / h;
                if (upwindX >= 0 && upwindX < g)
                {
                    a[(row * n) + (y * g) + upwindX] -= Math.Abs(beta) / h;
                }
            }
        }

        return DivideByMax("convdiff2d", n, a, Parameters(("eps", eps), ("beta", beta)));
    }

    /// <summary>
    /// 1D biharmonic <c>K^T K</c> with <c>K = tridiag(-1, 2, -1) / h^2</c> the Dirichlet Laplacian on the n interior
    /// points of [0, 1] (h = 1/(n+1)). Pentadiagonal, rows 1, -4, 6, -4, 1 (5 in the corners) after dividing by
    /// max |A_ij| = 6/h^4, so h only shows in <see cref="OperatorMatrix.Scale"/>.
    /// </summary>
    public static OperatorMatrix Biharmonic1d(int n)
    {
        Check1dSize(n);
        double h = 1.0 / (n + 1);
        var k = new double[n * n];
        AddLaplacian1d(k, n);
        ScaleInPlace(k, 1.0 / (h * h));
        return DivideByMax("biharmonic1d", n, SquareOfSymmetricBanded(k, n, 1), NoParameters());
    }

    /// <summary>
    /// 2D biharmonic <c>L^2 + shift I</c> with L the unscaled 2D Laplacian of <see cref="Laplacian2d"/> (entries 4 and -1),
    /// divided by max |A_ij|. The spec leaves h open; without 1/h^2 the shift 1e-6 is relative to entries of order 20,
    /// so it keeps a visible (tiny) regularising effect instead of vanishing below double rounding.
    /// </summary>
    public static OperatorMatrix Biharmonic2d(int g, double shift = 1e-6)
    {
        Check2dSize(g);
        CheckFinite(shift, nameof(shift), allowNegative: false);
        int n = g * g;
        var laplacian = new double[n * n];
        AddLaplacian2d(laplacian, g, 1.0);
        var a = SquareOfSymmetricBanded(laplacian, n, g);
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] += shift;
        }

        return DivideByMax("biharmonic2d", n, a, Parameters(("shift", shift)));
    }

    /// <summary>
    /// RBF (squared-exponential) kernel covariance <c>exp(-(x_i - x_j)^2 / (2 l^2)) + nugget δ_ij</c> on the uniform grid
    /// x_i = i/(n-1) of [0, 1], divided by max |A_ij| = 1 + nugget (so the diagonal is exactly 1).
    /// </summary>
    public static OperatorMatrix RbfKernel(int n, double lengthScale = 0.2, double nugget = 1e-4)
    {
        Check1dSize(n);
        CheckFinite(lengthScale, nameof(lengthScale), allowNegative: false);
        if (lengthScale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "The length scale must be positive.");
        }

        CheckFinite(nugget, nameof(nugget), allowNegative: false);
        var a = new double[n * n];
        double h = 1.0 / (n - 1);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double d = (i - j) * h;
                a[(i * n) + j] = Math.Exp(-d * d / (2 * lengthScale * lengthScale));
            }

            a[(i * n) + i] += nugget;
        }

        return DivideByMax("rbf", n, a, Parameters(("lengthScale", lengthScale), ("nugget", nugget)));
    }

    /// <summary>The <see cref="RbfKernel"/> operator by its entries (<see cref="MatrixEntries.RbfKernel"/>), of any order n ≥ 2.</summary>
    public static OperatorEntries RbfKernelEntries(int n, double lengthScale = 0.2, double nugget = 1e-4) =>
        new("rbf", n, MatrixEntries.RbfKernel(n, lengthScale, nugget), 1 + nugget, Parameters(("lengthScale", lengthScale), ("nugget", nugget)));

    private static void AddLaplacian1d(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] = 2;
            if (i > 0)
            {
                a[(i * n) + i - 1] = -1;
            }

            if (i < n - 1)
            {
                a[(i * n) + i + 1] = -1;
            }
        }
    }

    /// <summary>Adds <c>weight</c> times the 5-point stencil (4 centre, -1 for each grid neighbour) to a.</summary>
    private static void AddLaplacian2d(double[] a, int g, double weight)
    {
        int n = g * g;
        for (int y = 0; y < g; y++)
        {
            for (int x = 0; x < g; x++)
            {
                int row = ((y * g) + x) * n;
                a[row + (y * g) + x] += 4 * weight;
                if (x > 0) { a[row + (y * g) + x - 1] -= weight; }
                if (x < g - 1) { a[row + (y * g) + x + 1] -= weight; }
                if (y > 0) { a[row + ((y - 1) * g) + x] -= weight; }
                if (y < g - 1) { a[row + ((y + 1) * g) + x] -= weight; }
            }
        }
    }

    /// <summary>One interior 1D row: central diffusion plus the upwind convection difference.</summary>
    private static void AddConvectionDiffusionStencil(double[] a, int n, int i, int left, int right, double eps, double beta, double h)
    {
        int row = i * n;
        double diffusion = eps / (h * h);
        a[row + i] += (2 * diffusion) + (Math.Abs(beta) / h);
        a[row + left] -= diffusion;
        a[row + right] -= diffusion;
        a[row + (beta >= 0 ? left : right)] -= Math.Abs(beta) / h;
    }

    /// <summary>
    /// The square of a symmetric matrix with half-bandwidth <paramref name="bandwidth"/> (entries with |i-j| &gt; bandwidth
    /// are zero), visiting only the band: O(n bandwidth^2) instead of O(n^3).
    /// </summary>
    private static double[] SquareOfSymmetricBanded(double[] b, int n, int bandwidth)
    {
        var result = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int k = Math.Max(0, i - bandwidth); k <= Math.Min(n - 1, i + bandwidth); k++)
            {
                double bik = b[(i * n) + k];
                if (bik == 0)
                {
                    continue;
                }

                for (int j = Math.Max(0, k - bandwidth); j <= Math.Min(n - 1, k + bandwidth); j++)
                {
                    result[(i * n) + j] += bik * b[(k * n) + j];
                }
            }
        }

        return result;
    }

    private static OperatorMatrix DivideByMax(string name, int n, double[] a, IReadOnlyDictionary<string, double> parameters)
    {
        double max = 0;
        foreach (double v in a)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        ScaleInPlace(a, 1.0 / max);
        return new OperatorMatrix(name, n, a, max, parameters);
    }

    private static void ScaleInPlace(double[] a, double factor)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] *= factor;
        }
    }

    private static void Check1dSize(int n)
    {
        if (n < 2 || n > MaxSize1d)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"The size n must be in 2..{MaxSize1d}.");
        }
    }

    private static void Check2dSize(int g)
    {
        if (g < 2 || g > MaxGrid2d)
        {
            throw new ArgumentOutOfRangeException(nameof(g), g, $"The grid side g must be in 2..{MaxGrid2d} (N = g*g).");
        }
    }

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
