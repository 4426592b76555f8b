using GenLu.Tests.Infrastructure;
using GenLu.Gfmm;

namespace GenLu.IntegrationTests;

/// <summary>The weight files the solvers were generated from, as copied beside the test assembly.</summary>
internal static class ModelFiles
{
    public const string Reference = "reference-m2p4.gfmm.json";
    public const string WellConditioned = "wellconditioned-m8p32.gfmm.json";
    public const string Laplacian = "laplacian1d.gfmm.json";
    public const string Kernel64 = "rbf-float64-m2p32.gfmm.json";
    public const ulong WellConditionedSeed = 20261123;
    public const double WellConditionedScale = 3;

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Models", name);

    public static GfmmModel Load(string name) => GfmmModel.Load(PathOf(name));

    /// <summary>The committed M = 8, P = 32 file is exactly this model (see ModelFileTests).</summary>
    public static GfmmModel RegenerateWellConditioned() =>
        TestModels.WellConditioned(8, 32, WellConditionedSeed, WellConditionedScale);
}
