using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// Tensors whose non-zero entries fill a leading block (bases of rank below P padded to P): the block is found, packed
/// (transposed) and its product, with the op flipped for a transposed block, equals the product with the whole P x P
/// tensor computed in double, for one vector and for panels that take every path of the panel kernel; the one-vector
/// column-form kernel for every number of output vectors, full or masked.
/// </summary>
public class LeadingBoxTests
{
    [Theory]
    [InlineData(32, 11, 32)] // an encoder of rank 11
    [InlineData(32, 32, 11)] // a decoder of rank 11: packed transposed
    [InlineData(32, 5, 7)]
    [InlineData(16, 3, 16)]
    public void The_packed_block_multiplies_as_the_whole_tensor(int p, int rows, int columns)
    {
        var random = new Random(p * 100 + rows * 10 + columns);
        var tensor = new float[p * p];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                tensor[i * p + j] = (float)(random.NextDouble() - 0.5);
        var box = LeadingBox.Find<float>(tensor, p).ShouldNotBeNull();
        box.Transposed.ShouldBeTrue("the solver's copy holds its dense tensors transposed");
        (box.Columns, box.Rows).ShouldBe((rows, columns));
        var packed = new float[box.Length];
        box.Pack<float>(tensor, packed, p);

        foreach (int count in new[] { 1, 3, 64 + 5 })
            foreach (bool transpose in new[] { false, true })
            {
                var x = Enumerable.Range(0, p * count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
                var y = Enumerable.Range(0, p * count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
                var expected = new double[p * count];
                for (int o = 0; o < p; o++)
                    for (int c = 0; c < count; c++)
                    {
                        double sum = y[o * count + c];
                        for (int k = 0; k < p; k++) sum += (transpose ? tensor[k * p + o] : tensor[o * p + k]) * (double)x[k * count + c];
                        expected[o * count + c] = sum;
                    }
                GfmmKernels.MultiplyAdd<float>(packed, transpose != box.Transposed, x, y, p, count, box.Rows, box.Columns);
                for (int i = 0; i < y.Length; i++) ((double)y[i]).ShouldBe(expected[i], 1e-5, $"count {count}, transpose {transpose}, entry {i}");
            }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void The_one_vector_kernels_add_exactly_the_block_product_and_touch_no_other_entry(bool inDouble, bool columnForm)
    {
        // Column form: y[0 .. outputs) += Wᵀ x for a row-major inputs x outputs block W; row form: y += W x for a row-major
        // outputs x inputs W. One to four Vector512 per row of W, the last one full or under a lane mask; y's entries beyond
        // the outputs must come back unchanged and x's beyond the inputs must not be read (NaN there would spread).
        const int p = 64;
        var random = new Random((inDouble ? 2 : 1) + (columnForm ? 10 : 0));
        foreach (int outputs in new[] { 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 64 })
            foreach (int inputs in new[] { 1, 2, 7, 17, 32, 64 })
            {
                var w = Enumerable.Range(0, inputs * outputs).Select(_ => random.NextDouble() - 0.5).ToArray();
                var x = Enumerable.Range(0, p).Select(i => i < inputs ? random.NextDouble() - 0.5 : double.NaN).ToArray();
                var y = Enumerable.Range(0, p).Select(i => i < outputs ? random.NextDouble() : double.NaN).ToArray();
                var expected = (double[])y.Clone();
                for (int o = 0; o < outputs; o++)
                    for (int k = 0; k < inputs; k++) expected[o] += (columnForm ? w[k * outputs + o] : w[o * inputs + k]) * x[k];
                var (rows, columns) = columnForm ? (inputs, outputs) : (outputs, inputs);
                double[] actual;
                if (inDouble)
                {
                    actual = (double[])y.Clone();
                    GfmmKernels.MultiplyAdd<double>(w, transpose: columnForm, x, actual, p, 1, rows, columns);
                }
                else
                {
                    var single = y.Select(v => (float)v).ToArray();
                    GfmmKernels.MultiplyAdd<float>(w.Select(v => (float)v).ToArray(), transpose: columnForm, x.Select(v => (float)v).ToArray(), single, p, 1, rows, columns);
                    actual = single.Select(v => (double)v).ToArray();
                }
                for (int o = 0; o < p; o++)
                {
                    if (o >= outputs) double.IsNaN(actual[o]).ShouldBeTrue($"{inputs} x {outputs}: y[{o}] is not an output");
                    else actual[o].ShouldBe(expected[o], inDouble ? 1e-12 : 1e-5, $"{inputs} x {outputs}, output {o}");
                }
            }
    }

    [Fact]
    public void A_tensor_filling_more_than_half_is_read_whole()
    {
        const int p = 8;
        var tensor = new float[p * p];
        tensor[5 * p + 6] = 1; // the leading 6 x 7 block: 42 of 64 entries
        LeadingBox.Find<float>(tensor, p).ShouldBeNull();
        LeadingBox.Find<float>(new float[p * p], p).ShouldBeNull("a zero tensor is left out, not packed");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64 + 5)]
    public void A_solver_reading_packed_bases_inverts_the_models_product(int count)
    {
        // The RBF kernel's exact factors hold bases of rank below P, padded: the solver packs them.
        const int n = 1024, m = 32, p = 32;
        var model = ExactFactorization.Build(MatrixEntries.RbfKernel(n), m, p, TestOperators.RbfKernel(n).Scale).Model.ToFloat64();
        Enumerable.Range(0, model.L.Layout.TensorCount)
            .Count(t => model.L.IsStored(t) && !model.L.Layout.IsDiagonal(t) && LeadingBox.Find<double>(model.L.Tensor<double>(t), p) is not null)
            .ShouldBeGreaterThan(m / 2, "packed bases");
        var solver = new GfmmSolver(model);
        var random = new Random(count);
        var b = Enumerable.Range(0, n * count).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (bool transpose in new[] { false, true })
        {
            var x = new double[n * count];
            var back = new double[n * count];
            if (transpose) solver.SolveTranspose(b, x, count, solver.CreateWorkspace());
            else solver.Solve(b, x, count, solver.CreateWorkspace());
            // The model's product reads every tensor whole: solve then product must give b back.
            if (transpose) model.ApplyTranspose(x, back, count, model.CreateWorkspace());
            else model.Apply(x, back, count, model.CreateWorkspace());
            double worst = 0;
            for (int i = 0; i < b.Length; i++) worst = Math.Max(worst, Math.Abs(back[i] - b[i]));
            worst.ShouldBeLessThan(1e-8, $"transpose {transpose}");
        }
    }
}
