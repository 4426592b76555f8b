using GenLu.Gfmm;
using GenLu.Solvers;
using GenLu.Tests.Support;

namespace GenLu.Tests.Solvers;

/// <summary>The dense and delegate operators against the dense definition, and the interfaces' argument rules.</summary>
public class LinearOperatorTests
{
    private const int N = 37; // not a multiple of any vector width

    [Fact]
    public void A_dense_operator_applies_the_matrix_and_its_transpose()
    {
        var random = new Random(5);
        var matrix = DenseMath.RandomVector(N * N, random); // not symmetric
        var x = DenseMath.RandomVector(N, random);
        var y = DenseMath.RandomVector(N, random);
        ILinearOperator a = LinearOperator.FromDense(matrix, N);
        a.Order.ShouldBe(N);

        var ax = new double[N];
        var aty = new double[N];
        a.Apply(x, ax);
        a.ApplyTranspose(y, aty);

        var dense = DenseMath.FromRowMajor(matrix, N);
        var expectedAx = DenseMath.Multiply(dense, x);
        var expectedAty = DenseMath.Multiply(dense, y, transpose: true);
        for (int i = 0; i < N; i++)
        {
            ax[i].ShouldBe(expectedAx[i], 1e-12);
            aty[i].ShouldBe(expectedAty[i], 1e-12);
        }
        // <Aᵀ y, x> = <y, A x>.
        aty.Zip(x, (u, v) => u * v).Sum().ShouldBe(y.Zip(ax, (u, v) => u * v).Sum(), 1e-11);
    }

    [Fact]
    public void A_delegate_operator_uses_its_transpose_product_or_says_it_has_none()
    {
        static void Shift(ReadOnlySpan<double> v, Span<double> y)
        {
            for (int i = 0; i < N; i++) y[i] = i > 0 ? v[i - 1] : 0;
        }
        static void ShiftBack(ReadOnlySpan<double> v, Span<double> y)
        {
            for (int i = 0; i < N; i++) y[i] = i + 1 < N ? v[i + 1] : 0;
        }
        var x = Enumerable.Range(1, N).Select(i => (double)i).ToArray();
        var y = new double[N];

        var both = LinearOperator.FromDelegate(N, Shift, ShiftBack);
        both.Apply(x, y);
        y[0].ShouldBe(0);
        y[1].ShouldBe(1);
        both.ApplyTranspose(x, y);
        y[0].ShouldBe(2);
        y[N - 1].ShouldBe(0);

        var forwardOnly = LinearOperator.FromDelegate(N, Shift);
        Should.Throw<NotSupportedException>(() => forwardOnly.ApplyTranspose(x, y)).Message.ShouldContain("applyTranspose");
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_argument()
    {
        var a = LinearOperator.FromDense(new double[N * N], N);
        Should.Throw<ArgumentException>(() => a.Apply(new double[N - 1], new double[N])).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => a.ApplyTranspose(new double[N], new double[N + 1])).ParamName.ShouldBe("y");
        var shared = new double[N];
        Should.Throw<ArgumentException>(() => a.ApplyTranspose(shared, shared)).ParamName.ShouldBe("y");
        Should.Throw<ArgumentOutOfRangeException>(() => LinearOperator.FromDense([], 0)).ParamName.ShouldBe("order");
        Should.Throw<ArgumentOutOfRangeException>(() => LinearOperator.FromDelegate(0, (_, _) => { })).ParamName.ShouldBe("order");
        Should.Throw<ArgumentNullException>(() => LinearOperator.FromDelegate(N, null!)).ParamName.ShouldBe("apply");

        Should.Throw<ArgumentOutOfRangeException>(() => new SinglePrecisionPreconditioner(0, 0, (_, _, _) => { })).ParamName.ShouldBe("order");
        Should.Throw<ArgumentOutOfRangeException>(() => new SinglePrecisionPreconditioner(N, -1, (_, _, _) => { })).ParamName.ShouldBe("scratchLength");
        var solver = new GfmmSolver(LaplacianBlockLu.Build(2, 4));
        Should.Throw<ArgumentException>(() => new IterativeRefinement(a, solver)).ParamName.ShouldBe("preconditioner");
        Should.Throw<ArgumentNullException>(() => new Gmres(a, null!)).ParamName.ShouldBe("preconditioner");
    }

    [Fact]
    public void A_single_precision_preconditioner_hands_the_solve_scaled_float_vectors_and_a_scratch_of_its_length()
    {
        // The "solve" doubles its input, so z = 2 r whatever the scaling, and the scaled input has max-norm 1.
        float largestSeen = 0;
        int scratchSeen = -1;
        var preconditioner = new SinglePrecisionPreconditioner(3, 5, (b, x, scratch) =>
        {
            largestSeen = b.ToArray().Max(v => Math.Abs(v));
            scratchSeen = scratch.Length;
            for (int i = 0; i < b.Length; i++) x[i] = 2 * b[i];
        });
        var z = new double[3];
        preconditioner.Apply([1e-300, -3e-300, 2e-300], z);
        largestSeen.ShouldBe(1f);
        scratchSeen.ShouldBe(5);
        z.ShouldBe([2e-300, -6e-300, 4e-300], tolerance: 1e-306);
    }
}
