using GenLu.Operators;

namespace GenLu.Tests.Operators;

public class TestOperatorsTests
{
    private static readonly string[] SymmetricPositiveDefinite = ["laplacian1d", "laplacian2d", "biharmonic1d", "biharmonic2d", "rbf"];

    public static TheoryData<string> Names() => new(TestOperators.All.Select(d => d.Name));

    [Fact]
    public void Registry_lists_the_seven_operators_of_the_spec()
    {
        TestOperators.All.Select(d => d.Name).ShouldBe(
            ["laplacian1d", "laplacian2d", "convdiff1d", "convdiff2d", "biharmonic1d", "biharmonic2d", "rbf"]);
        TestOperators.All.Where(d => d.IsGrid).Select(d => d.Name).ShouldBe(["laplacian2d", "convdiff2d", "biharmonic2d"]);
        TestOperators.All.Single(d => d.Name == "convdiff1d").DefaultParameters.ShouldBe(
            new Dictionary<string, double> { ["eps"] = 0.1, ["beta"] = 1.0 }, ignoreOrder: true);
        TestOperators.All.Single(d => d.Name == "rbf").DefaultParameters["lengthScale"].ShouldBe(0.2);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Size_argument_is_n_in_1d_and_the_grid_side_in_2d(string name)
    {
        var descriptor = TestOperators.All.Single(d => d.Name == name);
        var op = TestOperators.Create(name, 6);
        int expected = descriptor.IsGrid ? 36 : 6;
        op.N.ShouldBe(expected);
        op.Matrix.Length.ShouldBe(expected * expected);
        op.Name.ShouldBe(name);
        op.Parameters.Keys.ShouldBe(descriptor.DefaultParameters.Keys, ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Scaled_operators_have_largest_entry_one_and_scale_times_matrix_is_the_operator(string name)
    {
        var op = TestOperators.Create(name, 8);
        double max = op.Matrix.Max(Math.Abs);
        if (name == "laplacian1d")
        {
            op.Scale.ShouldBe(1.0);
            max.ShouldBe(2.0);
        }
        else
        {
            max.ShouldBe(1.0, 1e-15);
            op.Scale.ShouldBeGreaterThan(0);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Symmetric_operators_are_symmetric_and_positive_definite(string name)
    {
        var op = TestOperators.Create(name, 7);
        int n = op.N;
        bool symmetric = true;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                symmetric &= op.Matrix[(i * n) + j] == op.Matrix[(j * n) + i];
            }
        }

        symmetric.ShouldBe(SymmetricPositiveDefinite.Contains(name));
        if (symmetric)
        {
            CholeskySucceeds(op.Matrix, n).ShouldBeTrue();
        }
    }

    [Fact]
    public void Laplacian1d_is_tridiag_minus1_2_minus1()
    {
        var op = TestOperators.Laplacian1d(5);
        op.Matrix.ShouldBe(
        [
            2, -1, 0, 0, 0,
            -1, 2, -1, 0, 0,
            0, -1, 2, -1, 0,
            0, 0, -1, 2, -1,
            0, 0, 0, -1, 2,
        ]);
    }

    [Fact]
    public void Laplacian2d_is_the_five_point_stencil_over_four()
    {
        var op = TestOperators.Laplacian2d(3);
        op.Scale.ShouldBe(4);
        int n = 9;

        // Centre point (1,1) = index 4 couples to 1, 3, 5, 7; corner (0,0) to 1 and 3 only.
        for (int j = 0; j < n; j++)
        {
            double centre = j == 4 ? 1 : j is 1 or 3 or 5 or 7 ? -0.25 : 0;
            op.Matrix[(4 * n) + j].ShouldBe(centre);
            double corner = j == 0 ? 1 : j is 1 or 3 ? -0.25 : 0;
            op.Matrix[j].ShouldBe(corner);
        }

        // Row 2 (x = 2, y = 0) does not wrap around to row 3 (x = 0, y = 1).
        op.Matrix[(2 * n) + 3].ShouldBe(0);
    }

    [Fact]
    public void ConvectionDiffusion1d_has_identity_Dirichlet_rows_and_upwind_interior_rows()
    {
        // n = 5: h = 1/4, eps/h^2 = 1.6, beta/h = 4: diagonal 7.2, left -5.6, right -1.6; scale 7.2.
        var op = TestOperators.ConvectionDiffusion1d(5);
        op.Scale.ShouldBe(7.2, 1e-12);
        var a = op.Matrix.Select(v => v * 7.2).ToArray();
        a[0..5].ShouldBe([1, 0, 0, 0, 0], tolerance: 1e-12);
        a[20..25].ShouldBe([0, 0, 0, 0, 1], tolerance: 1e-12);
        a[5..10].ShouldBe([-5.6, 7.2, -1.6, 0, 0], tolerance: 1e-12);
        a[10..15].ShouldBe([0, -5.6, 7.2, -1.6, 0], tolerance: 1e-12);
    }

    [Fact]
    public void ConvectionDiffusion1d_upwinds_against_a_negative_flow()
    {
        var op = TestOperators.ConvectionDiffusion1d(5, eps: 0.1, beta: -1);
        var a = op.Matrix.Select(v => v * op.Scale).ToArray();
        a[10..15].ShouldBe([0, -1.6, 7.2, -5.6, 0], tolerance: 1e-12);
    }

    [Fact]
    public void ConvectionDiffusion2d_couples_upwind_in_x_only()
    {
        // g = 3: h = 1/4, eps/h^2 = 1.6, beta/h = 4: centre 4*1.6 + 4 = 10.4, west -5.6, east/north/south -1.6.
        var op = TestOperators.ConvectionDiffusion2d(3);
        op.Scale.ShouldBe(10.4, 1e-12);
        var centreRow = op.Matrix.Skip(4 * 9).Take(9).Select(v => v * 10.4).ToArray();
        centreRow.ShouldBe([0, -1.6, 0, -5.6, 10.4, -1.6, 0, -1.6, 0], tolerance: 1e-12);

        // The first grid point has no west neighbour and no boundary row: its row is the same stencil, truncated.
        var firstRow = op.Matrix.Take(9).Select(v => v * 10.4).ToArray();
        firstRow.ShouldBe([10.4, -1.6, 0, -1.6, 0, 0, 0, 0, 0], tolerance: 1e-12);
    }

    [Fact]
    public void Biharmonic1d_is_the_square_of_the_Laplacian_over_six()
    {
        int n = 6;
        var op = TestOperators.Biharmonic1d(n);
        op.Scale.ShouldBe(6 * Math.Pow(n + 1, 4), 1e-6);
        var a = op.Matrix.Select(v => v * 6).ToArray();
        a[0..6].ShouldBe([5, -4, 1, 0, 0, 0], tolerance: 1e-12);
        a[12..18].ShouldBe([1, -4, 6, -4, 1, 0], tolerance: 1e-12);
    }

    [Fact]
    public void Biharmonic2d_is_the_square_of_the_2d_Laplacian_plus_shift()
    {
        int g = 4;
        int n = g * g;
        var laplacian = TestOperators.Laplacian2d(g).Matrix.Select(v => v * 4).ToArray();
        var expected = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = i == j ? 1e-6 : 0;
                for (int k = 0; k < n; k++)
                {
                    sum += laplacian[(i * n) + k] * laplacian[(k * n) + j];
                }

                expected[(i * n) + j] = sum;
            }
        }

        var op = TestOperators.Biharmonic2d(g);
        op.Scale.ShouldBe(20 + 1e-6, 1e-12);
        op.Matrix.Select(v => v * op.Scale).ToArray().ShouldBe(expected, tolerance: 1e-12);
    }

    [Fact]
    public void Rbf_entries_are_the_squared_exponential_kernel_over_its_diagonal()
    {
        int n = 11;
        var op = TestOperators.RbfKernel(n);
        op.Scale.ShouldBe(1 + 1e-4, 1e-15);
        for (int i = 0; i < n; i++)
        {
            op.Matrix[(i * n) + i].ShouldBe(1.0, 1e-15);
        }

        // x_2 = 0.2, x_5 = 0.5: distance 0.3, l = 0.2.
        op.Matrix[(2 * n) + 5].ShouldBe(Math.Exp(-0.09 / 0.08) / (1 + 1e-4), 1e-15);
    }

    [Fact]
    public void Create_passes_parameters_and_fills_defaults()
    {
        var op = TestOperators.Create("convdiff1d", 5, new Dictionary<string, double> { ["eps"] = 0.5 });
        op.Parameters["eps"].ShouldBe(0.5);
        op.Parameters["beta"].ShouldBe(1.0);
        op.Matrix.ShouldBe(TestOperators.ConvectionDiffusion1d(5, eps: 0.5).Matrix);
    }

    [Fact]
    public void Create_rejects_an_unknown_operator_and_lists_the_known_ones()
    {
        var error = Should.Throw<ArgumentException>(() => TestOperators.Create("poisson", 8));
        error.Message.ShouldContain("'poisson'");
        error.Message.ShouldContain("laplacian1d, laplacian2d, convdiff1d, convdiff2d, biharmonic1d, biharmonic2d, rbf");
    }

    [Fact]
    public void Create_rejects_an_unknown_parameter()
    {
        var error = Should.Throw<ArgumentException>(() =>
            TestOperators.Create("rbf", 8, new Dictionary<string, double> { ["sigma"] = 1 }));
        error.Message.ShouldContain("'sigma'");
        error.Message.ShouldContain("lengthScale, nugget");

        Should.Throw<ArgumentException>(() =>
            TestOperators.Create("laplacian1d", 8, new Dictionary<string, double> { ["eps"] = 1 })).Message.ShouldContain("no parameters");
    }

    [Fact]
    public void Invalid_sizes_and_parameters_are_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.Laplacian1d(1)).ParamName.ShouldBe("n");
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.Laplacian2d(TestOperators.MaxGrid2d + 1)).ParamName.ShouldBe("g");
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.ConvectionDiffusion1d(8, eps: 0)).ParamName.ShouldBe("eps");
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.ConvectionDiffusion2d(8, beta: double.NaN)).ParamName.ShouldBe("beta");
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.RbfKernel(8, lengthScale: -1)).ParamName.ShouldBe("lengthScale");
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.Biharmonic2d(4, shift: -1)).ParamName.ShouldBe("shift");
    }

    /// <summary>A plain Cholesky factorisation: succeeds exactly when the symmetric matrix is positive definite.</summary>
    private static bool CholeskySucceeds(double[] matrix, int n)
    {
        var l = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            double d = matrix[(j * n) + j];
            for (int k = 0; k < j; k++)
            {
                d -= l[(j * n) + k] * l[(j * n) + k];
            }

            if (d <= 0)
            {
                return false;
            }

            l[(j * n) + j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = matrix[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    s -= l[(i * n) + k] * l[(j * n) + k];
                }

                l[(i * n) + j] = s / l[(j * n) + j];
            }
        }

        return true;
    }

    [Theory]
    [InlineData("laplacian1d", 37)]
    [InlineData("laplacian2d", 9)]
    [InlineData("convdiff1d", 41)]
    [InlineData("convdiff2d", 8)]
    [InlineData("biharmonic1d", 33)]
    [InlineData("biharmonic2d", 7)]
    public void The_sparse_form_of_a_stencil_operator_is_its_dense_form_bit_for_bit(string name, int size)
    {
        var parameters = name.StartsWith("convdiff", StringComparison.Ordinal) ? new Dictionary<string, double> { ["beta"] = -2 } : null;
        var dense = TestOperators.Create(name, size, parameters);
        var sparse = TestOperators.CreateSparse(name, size, parameters)!;

        (sparse.Name, sparse.N, sparse.Scale).ShouldBe((dense.Name, dense.N, dense.Scale));
        sparse.Parameters.ShouldBe(dense.Parameters);
        sparse.Matrix.ToDense().Values.ShouldBe(dense.Matrix);
        sparse.Matrix.NonZeroCount.ShouldBe(dense.Matrix.Count(v => v != 0));
    }

    [Fact]
    public void Sparse_forms_go_beyond_the_dense_size_limits_and_kernels_have_none()
    {
        var big = TestOperators.CreateSparse("biharmonic1d", 1_000_000)!;
        big.N.ShouldBe(1_000_000);
        big.Matrix.NonZeroCount.ShouldBe((5 * 1_000_000) - 6); // pentadiagonal
        TestOperators.CreateSparse("laplacian2d", 1000)!.N.ShouldBe(1_000_000);
        TestOperators.CreateSparse("rbf", 10).ShouldBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => TestOperators.CreateSparse("laplacian1d", 1));
    }
}
