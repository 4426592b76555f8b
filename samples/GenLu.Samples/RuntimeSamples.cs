using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;

namespace GenLu.Samples;

/// <summary>A GFMM model (float), the GMRES it preconditions (double) and the exact construction, from a matrix or from products.</summary>
internal static class RuntimeSamples
{
    public static void Run()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "models", "laplacian1d.gfmm.json");

        // README: model-load
        // A GFMM model A ≈ s·L·U from its file; TryLoad reports a bad file instead of throwing.
        if (!GfmmModel.TryLoad(path, out var model, out string? error))
        {
            Console.Error.WriteLine(error);
            return;
        }
        Console.WriteLine($"{model.Provenance.Operator?.Name}, N = {model.N}, ‖LU − A/s‖₂ = {model.Provenance.Metrics?.Error2:E2}");
        // END README

        int n = model.N;
        float[] b = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var x = new float[n];
        var y = new float[n];

        // README: model-solve
        // In float: the O(N·P) structured solve and the product.
        var solver = new GfmmSolver(model);                 // factors every G_i once
        var workspace = solver.CreateWorkspace();           // reuse: no allocation per call
        solver.Solve(b, x, workspace);                      // x ≈ A⁻¹ b
        model.Apply(x, y, workspace);                       // y = s·L·U x ≈ b
        var (sign, logAbs) = solver.LogDeterminant;          // det(s·L·U) = sign · e^logAbs, overflow-free
        // END README

        Console.WriteLine($"structured solve: max |s·L·U x − b| = {b.Zip(y, (u, v) => Math.Abs(u - v)).Max():E2}");

        var op = TestOperators.Laplacian1d(n);
        double[] a = op.Matrix.Select(v => v * op.Scale).ToArray();   // the operator itself, row-major
        double[] bDouble = b.Select(v => (double)v).ToArray();
        var xDouble = new double[n];

        // README: gmres
        // In double: exact answers from the approximate factors, GMRES preconditioned by the structured solve
        // (any ILinearOperator: dense, GenLu.Sparse.CsrMatrix, a delegate; any IPreconditioner: a GfmmSolver here).
        var gmres = new Gmres(LinearOperator.FromDense(a, n), solver);
        var result = gmres.Solve(bDouble, xDouble);
        Console.WriteLine($"GMRES: {result.Iterations} iterations, relative residual {result.RelativeResidual:E2}");
        // END README

        // README: exact
        // L and U built exactly from the block LU instead of trained (laplacian.Matrix is A / laplacian.Scale).
        var laplacian = TestOperators.Create("laplacian1d", 8);
        var exact = ExactFactorization.Build(laplacian.Matrix, laplacian.N, m: 2, p: 4, scale: laplacian.Scale);
        Console.WriteLine($"exact construction: {exact.Seconds * 1000:0.0} ms, method {exact.Model.Provenance.Construction?.Method}");
        // END README

        // README: products
        // A matrix known only through its products (a simulation code's A·x): sampled into HODLR form, then factored.
        var kernel = TestOperators.Create("rbf", 256);
        var products = LinearOperator.FromDense(kernel.Matrix, kernel.N);   // or LinearOperator.FromDelegate(n, apply, applyTranspose)
        var hodlr = HodlrMatrix.FromProducts(products, isSymmetric: true, leafSize: 32, maxRank: 32);
        var fromProducts = ExactFactorization.Build(hodlr, m: 8, p: 32, scale: kernel.Scale);
        var check = SampledError.EstimateByProducts(fromProducts.Model, products);
        Console.WriteLine($"{hodlr.Products} products, ‖LU − A/s‖_F / ‖A/s‖_F ≈ {check.RelativeFrobenius:E1}");
        // END README
    }
}
