using GenLu.Structure;

namespace GenLu.Tests.Gfmm;

public class GfmmLayoutTests
{
    [Fact]
    public void Parameter_count_matches_the_spec_for_M8_P32()
    {
        // Spec: (2M-2) encoders + (2M-2) decoders + (2M-1) level-0 bridge + (3 + 1) coarse bridges = 47 blocks.
        var layout = new GfmmLayout(GfmmKind.Lower, 8, 32);
        layout.TensorCount.ShouldBe(47);
        layout.WeightCount.ShouldBe(48_128);
        new GfmmLayout(GfmmKind.Upper, 8, 32).WeightCount.ShouldBe(48_128);
    }

    [Fact]
    public void Names_are_unique_and_follow_the_reference_state_dict()
    {
        var layout = new GfmmLayout(GfmmKind.Lower, 8, 2);
        var names = Enumerable.Range(0, layout.TensorCount).Select(layout.TensorName).ToList();
        names.Distinct().Count().ShouldBe(names.Count);
        layout.TensorName(layout.Encoder(0, 3)).ShouldBe("encoder.0.3.W.weight");
        layout.TensorName(layout.Decoder(2, 1)).ShouldBe("decoder.2.1.W.weight");
        layout.TensorName(layout.Diagonal(5)).ShouldBe("bridges.0.diag_blocks.5.W.weight");
        layout.TensorName(layout.LowerBridge(1, 0)).ShouldBe("bridges.1.lower_blocks.0.W.weight");
        new GfmmLayout(GfmmKind.Upper, 8, 2).TensorName(new GfmmLayout(GfmmKind.Upper, 8, 2).UpperBridge(0, 6))
            .ShouldBe("bridges.0.upper_blocks.6.W.weight");
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(6, 4)]
    [InlineData(8, 0)]
    public void Invalid_shapes_are_rejected(int m, int p) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmLayout(GfmmKind.Lower, m, p));

    [Fact]
    public void Triangular_blocks_have_no_opposite_bridges_and_no_root()
    {
        var lower = new GfmmLayout(GfmmKind.Lower, 4, 2);
        lower.Root.ShouldBe(-1);
        Should.Throw<InvalidOperationException>(() => lower.UpperBridge(0, 0));
        new GfmmLayout(GfmmKind.General, 4, 2).Root.ShouldBeGreaterThanOrEqualTo(0);
    }
}
