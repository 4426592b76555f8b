using GenLu.Format;

namespace GenLu.IntegrationTests;

/// <summary>The embedded models are reproducible and the generated constants describe them.</summary>
public class ModelFileTests
{
    [Fact]
    public void The_committed_M8_P32_file_is_regenerated_byte_for_byte_from_its_seed()
    {
        byte[] committed = File.ReadAllBytes(ModelFiles.PathOf(ModelFiles.WellConditioned));
        ModelFiles.RegenerateWellConditioned().ToUtf8Json().ShouldBe(committed);
    }

    [Fact]
    public void Generated_constants_match_the_weight_files()
    {
        var reference = GfmmFile.Parse(File.ReadAllText(ModelFiles.PathOf(ModelFiles.Reference)));
        (ReferenceSolver.M, ReferenceSolver.P, ReferenceSolver.N, ReferenceSolver.Scale).ShouldBe((reference.M, reference.P, reference.M * reference.P, reference.Scale));
        ReferenceSolver.WeightsSha256.ShouldBe(reference.Sha256);

        var wellConditioned = GfmmFile.Parse(File.ReadAllText(ModelFiles.PathOf(ModelFiles.WellConditioned)));
        (WellConditionedSolver.M, WellConditionedSolver.P, WellConditionedSolver.N, WellConditionedSolver.Scale).ShouldBe((8, 32, 256, 3.0));
        WellConditionedSolver.WeightsSha256.ShouldBe(wellConditioned.Sha256);
        WellConditionedSolver.ScratchLength.ShouldBe(2 * 3 * 32);
    }
}
