using GenLu.Metrics;
using GenLu.Solvers;

namespace GenLu.Tests.Metrics;

public class MatrixNormsTests
{
    [Fact]
    public void Spectral_norm_of_a_diagonal_matrix_is_its_largest_magnitude()
    {
        var a = new double[16];
        double[] diagonal = [0.5, -3.25, 2, 1];
        for (int i = 0; i < 4; i++)
        {
            a[(i * 4) + i] = diagonal[i];
        }

        MatrixNorms.Spectral(a, 4, 4).ShouldBe(3.25, 1e-10);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(101)]
    public void Spectral_norm_of_the_1d_Laplacian_matches_its_closed_form_eigenvalue(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + i] = 2;
            if (i > 0) { a[(i * n) + i - 1] = -1; }
            if (i < n - 1) { a[(i * n) + i + 1] = -1; }
        }

        double expected = 2 - (2 * Math.Cos(n * Math.PI / (n + 1)));
        MatrixNorms.Spectral(a, n, n).ShouldBe(expected, 1e-9 * expected);
    }

    [Fact]
    public void Spectral_norm_of_a_rectangular_rank_one_matrix_is_the_product_of_the_vector_norms()
    {
        double[] u = [1, -2, 0.5, 3, 4];
        double[] v = [0.25, 1, -1];
        var a = new double[u.Length * v.Length];
        for (int i = 0; i < u.Length; i++)
        {
            for (int j = 0; j < v.Length; j++)
            {
                a[(i * v.Length) + j] = u[i] * v[j];
            }
        }

        double expected = Math.Sqrt(u.Sum(x => x * x)) * Math.Sqrt(v.Sum(x => x * x));
        MatrixNorms.Spectral(a, u.Length, v.Length).ShouldBe(expected, 1e-10 * expected);
        MatrixNorms.Frobenius(a).ShouldBe(expected, 1e-12 * expected);
    }

    [Fact]
    public void Spectral_norm_of_a_rotation_times_diagonal_is_the_largest_scale()
    {
        // A = Q diag(5, 2) with Q a rotation: singular values 5 and 2.
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        double[] a = [5 * c, -2 * s, 5 * s, 2 * c];
        MatrixNorms.Spectral(a, 2, 2).ShouldBe(5, 1e-10);
    }

    [Fact]
    public void Spectral_norm_of_a_map_given_by_products_matches_the_closed_form()
    {
        // The 1D Laplacian applied matrix-free: (A x)_i = 2 x_i - x_(i-1) - x_(i+1); it is symmetric.
        const int n = 40;
        static void Laplacian(ReadOnlySpan<double> x, Span<double> y)
        {
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = (2 * x[i]) - (i > 0 ? x[i - 1] : 0) - (i < x.Length - 1 ? x[i + 1] : 0);
            }
        }

        double expected = 2 - (2 * Math.Cos(n * Math.PI / (n + 1)));
        MatrixNorms.Spectral(new ProductsOnly(n, Laplacian, Laplacian)).ShouldBe(expected, 1e-9 * expected);
    }

    [Fact]
    public void Spectral_norm_of_zero_is_zero()
    {
        MatrixNorms.Spectral(new double[12], 3, 4).ShouldBe(0);
    }

    [Fact]
    public void Frobenius_and_relative_error_follow_their_definitions()
    {
        double[] exact = [3, 0, 0, 4];
        double[] approx = [3, 1, 0, 4];
        MatrixNorms.Frobenius(exact).ShouldBe(5);
        MatrixNorms.RelativeFrobeniusError(approx, exact).ShouldBe(0.2, 1e-15);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Should.Throw<ArgumentException>(() => MatrixNorms.Spectral(new double[5], 2, 3)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentException>(() => MatrixNorms.Spectral([1, double.NaN], 1, 2)).Message.ShouldContain("NaN");
        Should.Throw<ArgumentOutOfRangeException>(() => MatrixNorms.Spectral(new double[4], 2, 2, 0, 10));
        Should.Throw<ArgumentException>(() => MatrixNorms.RelativeFrobeniusError(new double[3], new double[4])).ParamName.ShouldBe("approx");
        Should.Throw<ArgumentException>(() => MatrixNorms.Spectral(new ProductsOnly(2, (x, y) => y.Fill(double.NaN), (x, y) => y.Fill(x[0] + x[1])))).Message.ShouldContain("NaN");
        Should.Throw<ArgumentException>(() => MatrixNorms.RelativeFrobeniusError(new double[4], new double[4])).ParamName.ShouldBe("exact");
    }

    private delegate void Product(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>An operator known only by its two products.</summary>
    private sealed class ProductsOnly(int order, Product apply, Product applyTranspose) : ILinearOperator
    {
        public int Order => order;

        public void Apply(ReadOnlySpan<double> x, Span<double> y) => apply(x, y);

        public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => applyTranspose(x, y);
    }
}
