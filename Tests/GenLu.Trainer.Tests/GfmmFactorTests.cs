using GenLu.Tests.Support;
using System.Text.Json.Nodes;
using static TorchSharp.torch;
using GenLu.Gfmm;
using GenLu.Trainer.Model;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

public class GfmmFactorTests
{
    private static double[] Run(LuNetwork network, Func<Tensor, Tensor> product, double[] x)
    {
        using var scope = NewDisposeScope();
        using var input = tensor(x.Select(v => (float)v).ToArray()).view(network.N, 1);
        return product(input).to(ScalarType.Float64).data<double>().ToArray();
    }

    private static void ShouldBeClose(double[] actual, double[] expected, double relative)
    {
        actual.Length.ShouldBe(expected.Length);
        double norm = Math.Sqrt(expected.Sum(v => v * v));
        double error = Math.Sqrt(actual.Zip(expected, (a, e) => (a - e) * (a - e)).Sum());
        error.ShouldBeLessThanOrEqualTo(relative * norm);
    }

    [Fact]
    public void ReferenceFixtureProductsAreReproduced()
    {
        var model = GfmmModel.Load(TestPaths.Fixture("reference-m2p4.gfmm.json"));
        var probe = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("reference-m2p4.probe.json")))!;
        double[] Field(string name) => probe[name]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

        using var network = new LuNetwork(model.M, model.P);
        network.Load(model);
        double[] x = Field("x");
        ShouldBeClose(Run(network, network.forward, x), Field("LUx"), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.forward), x), Field("Lx"), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.forward), x), Field("Ux"), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.ForwardTransposed), x), Field("LTx"), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.ForwardTransposed), x), Field("UTx"), 1e-5);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 2)]
    [InlineData(8, 3)]
    public void BatchedProductsMatchTheEdgeByEdgeDefinition(int m, int p)
    {
        using var network = new LuNetwork(m, p);
        using var generator = new Generator(7);
        network.Initialize(generator);
        var (lower, upper) = network.ExportBlocks();
        var random = new Random(3);
        double[] x = Enumerable.Range(0, m * p).Select(_ => random.NextDouble() * 2 - 1).Select(v => (double)(float)v).ToArray();

        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.forward), x), NaiveGfmm.Multiply(lower, x), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.forward), x), NaiveGfmm.Multiply(upper, x), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.ForwardTransposed), x), NaiveGfmm.MultiplyTranspose(lower, x), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.ForwardTransposed), x), NaiveGfmm.MultiplyTranspose(upper, x), 1e-5);
        ShouldBeClose(Run(network, network.forward, x), NaiveGfmm.Multiply(lower, NaiveGfmm.Multiply(upper, x)), 1e-5);
    }

    [Fact]
    public void AnExportedAndReloadedModelGivesTheSameProducts()
    {
        using var trainer = new GfmmTrainer(TestProblems.Laplacian(16), TestProblems.Tiny(4, 4) with { MaxStepsPerBlock = 50 });
        trainer.Run(CancellationToken.None);
        string path = Path.Combine(Path.GetTempPath(), $"genlu-export-{Guid.NewGuid():N}.gfmm.json");
        try
        {
            ModelExport.Build(trainer, null, out _).Save(path);
            var loaded = GfmmModel.Load(path);
            var random = new Random(4);
            double[] x = Enumerable.Range(0, 16).Select(_ => (double)(float)(random.NextDouble() * 2 - 1)).ToArray();
            var network = trainer.Network;
            ShouldBeClose(Run(network, network.forward, x), NaiveGfmm.Multiply(loaded.L, NaiveGfmm.Multiply(loaded.U, x)), 1e-5);
            ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.forward), x), NaiveGfmm.Multiply(loaded.L, x), 1e-5);
            ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.ForwardTransposed), x), NaiveGfmm.MultiplyTranspose(loaded.U, x), 1e-5);
            var runtime = new float[16];
            loaded.Apply(x.Select(v => (float)v).ToArray(), runtime);
            ShouldBeClose(Run(network, network.forward, x), runtime.Select(v => (double)v).ToArray(), 1e-5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The Runtime's float products of the same weights (what a saved model computes).</summary>
    [Theory]
    [InlineData(2, 4)]
    [InlineData(8, 5)]
    public void BatchedProductsMatchTheRuntimeProducts(int m, int p)
    {
        using var network = new LuNetwork(m, p);
        using (var generator = new Generator(13)) network.Initialize(generator);
        var (lower, upper) = network.ExportBlocks();
        var model = new GfmmModel(lower, upper, 1);
        var random = new Random(8);
        float[] x = Enumerable.Range(0, m * p).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        double[] xd = x.Select(v => (double)v).ToArray();
        double[] Runtime(Action<float[], float[]> product)
        {
            var y = new float[x.Length];
            product(x, y);
            return y.Select(v => (double)v).ToArray();
        }

        ShouldBeClose(Run(network, network.forward, xd), Runtime((a, b) => model.Apply(a, b)), 1e-5);
        ShouldBeClose(Run(network, network.ForwardTransposed, xd), Runtime((a, b) => model.ApplyTranspose(a, b)), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.forward), xd), Runtime((a, b) => lower.Multiply(a, b)), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.forward), xd), Runtime((a, b) => upper.Multiply(a, b)), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Lower.ForwardTransposed), xd), Runtime((a, b) => lower.MultiplyTranspose(a, b)), 1e-5);
        ShouldBeClose(Run(network, c => network.Apply(c, network.Upper.ForwardTransposed), xd), Runtime((a, b) => upper.MultiplyTranspose(a, b)), 1e-5);
    }

    [Fact]
    public void InitializationIsUniformInTheSpecRangeAndSeeded()
    {
        using var first = new LuNetwork(4, 3);
        using var second = new LuNetwork(4, 3);
        using (var g = new Generator(11)) first.Initialize(g);
        using (var g = new Generator(11)) second.Initialize(g);
        var weights = first.ExportBlocks().Lower.ToArray();
        weights.ShouldAllBe(w => w >= -0.1f && w <= 0.1f);
        weights.Max().ShouldBeGreaterThan(0.05f);
        weights.Min().ShouldBeLessThan(-0.05f);
        second.ExportBlocks().Lower.ToArray().ShouldBe(weights);
    }
}
