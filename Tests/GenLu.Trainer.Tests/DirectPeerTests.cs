using GenLu.Operators;
using GenLu.Sparse;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Tests;

/// <summary>
/// The peers' P/Invoke (LAPACK pttrf/gbtrf/getrf, CHOLMOD, UMFPACK, hmat-oss) against a dense Gaussian elimination in double,
/// on the operators each one applies to; a peer whose library is missing must say which package brings it.
/// </summary>
public sealed class DirectPeerTests
{
    [Theory]
    [InlineData("laplacian1d", 17, new[] { DirectPeers.Tridiagonal, DirectPeers.Banded, DirectPeers.Cholmod, DirectPeers.Umfpack, DirectPeers.Dense, DirectPeers.Hierarchical })]
    [InlineData("laplacian2d", 5, new[] { DirectPeers.Cholmod, DirectPeers.Umfpack, DirectPeers.Dense, DirectPeers.Hierarchical })]
    [InlineData("convdiff1d", 19, new[] { DirectPeers.Banded, DirectPeers.Umfpack, DirectPeers.Dense })]
    [InlineData("rbf", 12, new[] { DirectPeers.Cholmod, DirectPeers.Umfpack, DirectPeers.Dense, DirectPeers.Hierarchical })]
    [InlineData("rbf", 300, new[] { DirectPeers.Cholmod, DirectPeers.Umfpack, DirectPeers.Dense, DirectPeers.Hierarchical })]
    public void Every_applicable_peer_solves_like_dense_elimination(string name, int size, string[] expectedPeers)
    {
        var op = TestOperators.Create(name, size);
        int n = op.N;
        var csr = DirectPeers.FromDense(op.Matrix, n);
        var peers = DirectPeers.For(csr, op.Matrix.ToArray());
        peers.Select(p => p.Name).ShouldBe(expectedPeers, ignoreOrder: true);

        var random = new Random(5);
        var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var reference = DenseSolve(op.Matrix, n, b);
        foreach (var peer in peers)
        {
            if (peer.Factor is null)
            {
                peer.Skipped.ShouldNotBeNull();
                peer.Skipped.ShouldContain("apt-get install");
                continue;
            }
            using var solver = peer.Factor();
            var x = new double[n];
            solver.Solve(b, x);
            for (int i = 0; i < n; i++) x[i].ShouldBe(reference[i], 1e-10 * reference.Max(Math.Abs), peer.Name);
        }
    }

    [Fact]
    public void Cholmod_and_pttrf_refuse_an_indefinite_matrix()
    {
        // tridiag(-1, 1, -1) of order 6 is symmetric with a negative eigenvalue (1 - 2 cos(pi / 7) < 0).
        var builder = new CsrBuilder(6, 6);
        for (int i = 0; i < 6; i++)
        {
            builder.Add(i, i, 1);
            if (i > 0) builder.Add(i, i - 1, -1);
            if (i < 5) builder.Add(i, i + 1, -1);
        }
        var a = builder.Build();
        foreach (var peer in DirectPeers.For(a, null).Where(p => p.Name is DirectPeers.Cholmod or DirectPeers.Tridiagonal && p.Factor is not null))
            Should.Throw<InvalidOperationException>(() => peer.Factor!()).Message.ShouldContain("positive definite");
        // The banded and general LU still solve it (it is not singular).
        foreach (var peer in DirectPeers.For(a, null).Where(p => p.Name is DirectPeers.Banded or DirectPeers.Umfpack && p.Factor is not null))
        {
            using var solver = peer.Factor!();
            var x = new double[6];
            solver.Solve([1, 0, 0, 0, 0, 1], x);
            var ax = new double[6];
            a.Apply(x, ax);
            ax.Zip(new double[] { 1, 0, 0, 0, 0, 1 }, (p, q) => Math.Abs(p - q)).Max().ShouldBeLessThan(1e-12, peer.Name);
        }
    }

    [Fact]
    public void A_singular_matrix_is_refused_by_the_lu_peers()
    {
        var builder = new CsrBuilder(4, 4);
        builder.Add(0, 0, 1);
        builder.Add(1, 1, 1);
        builder.Add(2, 2, 1);
        builder.Add(3, 2, 1); // row 3 has no diagonal and is parallel to row 2: rank 3
        var a = builder.Build();
        foreach (var peer in DirectPeers.For(a, null).Where(p => p.Factor is not null))
            Should.Throw<InvalidOperationException>(() => peer.Factor!()).Message.ShouldContain("singular", Case.Insensitive);
    }

    [Fact]
    public void The_hierarchical_peer_answers_at_its_compression_tolerance_where_its_blocks_are_low_rank()
    {
        // At N = 1,024 most of the kernel is in admissible (low-rank) blocks. The H-LDLᵀ recompresses its updates at the
        // matrix's low-rank threshold; left at hmat-oss's default, the normwise backward error here was 1.3e-7 (2.9e-12 with it set to the ACA+ tolerance 1e-10).
        if (!HmatOss.IsAvailable)
        {
            HmatOss.MissingMessage.ShouldContain("apt-get install libhmat-oss-dev");
            return;
        }
        var op = TestOperators.Create("rbf", 1024);
        int n = op.N;
        var random = new Random(8);
        var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var points = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        using var hmat = new HmatOss.SymmetricFactors(points, (i, j) => op.Matrix[(i * n) + j]);
        var x = new double[n];
        hmat.Solve(b, x);
        // ‖b − A x‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞): what a solve at compression tolerance ε can guarantee is a small multiple of ε.
        double residual = 0, normA = 0;
        for (int i = 0; i < n; i++)
        {
            var row = op.Matrix.AsSpan(i * n, n);
            double ax = 0, rowSum = 0;
            for (int j = 0; j < n; j++)
            {
                ax += row[j] * x[j];
                rowSum += Math.Abs(row[j]);
            }
            residual = Math.Max(residual, Math.Abs(b[i] - ax));
            normA = Math.Max(normA, rowSum);
        }
        double backward = residual / ((normA * x.Max(Math.Abs)) + b.Max(Math.Abs));
        backward.ShouldBeLessThan(1e-9);
    }

    /// <summary>Gaussian elimination with partial pivoting on a copy (row-major).</summary>
    private static double[] DenseSolve(double[] matrix, int n, double[] b)
    {
        var a = matrix.ToArray();
        var x = b.ToArray();
        for (int k = 0; k < n; k++)
        {
            int pivot = Enumerable.Range(k, n - k).MaxBy(i => Math.Abs(a[(i * n) + k]));
            for (int j = 0; j < n; j++) (a[(k * n) + j], a[(pivot * n) + j]) = (a[(pivot * n) + j], a[(k * n) + j]);
            (x[k], x[pivot]) = (x[pivot], x[k]);
            for (int i = k + 1; i < n; i++)
            {
                double f = a[(i * n) + k] / a[(k * n) + k];
                for (int j = k; j < n; j++) a[(i * n) + j] -= f * a[(k * n) + j];
                x[i] -= f * x[k];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int j = i + 1; j < n; j++) sum -= a[(i * n) + j] * x[j];
            x[i] = sum / a[(i * n) + i];
        }
        return x;
    }
}
