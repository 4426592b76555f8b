using System.Globalization;
using System.Text;
using GenLu.Format;
using GenLu.Structure;

namespace GenLu.Tests.Format;

/// <summary>Sizes claimed by a header are checked in 64 bits and against what the file holds before
/// anything proportional to them is allocated (docs/format.md, "Limits").</summary>
public class DeclaredSizeLimitTests
{
    private const long AllocationBound = 16L << 20;

    [Theory]
    [InlineData(8, 536870916)]   // 8 * 536870916 wraps to 32 in int
    [InlineData(2, 1310720000)]  // 2 * 1310720000 wraps to a negative int
    public void Block_size_whose_products_overflow_int_is_refused(int m, int p)
    {
        var e = Should.Throw<ArgumentOutOfRangeException>(() => new GfmmLayout(GfmmKind.Lower, m, p));
        e.ParamName.ShouldBe("p");
        e.Message.ShouldStartWith("P (the block size) must be <= 16384: one P x P tensor holds at most 268435456 weights.");
    }

    [Fact]
    public void Largest_M_is_counted_in_64_bits_and_refused_by_its_weight_count()
    {
        // L with M = 2^30: encoders and decoders 2(2M - 2), M diagonal blocks, 2M - 2 - 30 bridges.
        const long m = 1L << 30;
        long tensors = 2 * (2 * m - 2) + m + (2 * m - 2 - 30);
        var e = Should.Throw<ArgumentOutOfRangeException>(() => new GfmmLayout(GfmmKind.Lower, (int)m, 1));
        e.Message.ShouldStartWith($"A GFMM block with M = {m}, P = 1 has {tensors} weights; at most 268435456 are supported.");
    }

    [Fact]
    public void Largest_P_alone_is_refused_because_a_block_holds_several_tensors()
    {
        // M = 2, L: 2 encoders, 2 decoders, 2 diagonal blocks, 1 bridge = 7 tensors of 2^28 floats.
        var e = Should.Throw<ArgumentOutOfRangeException>(() => new GfmmLayout(GfmmKind.Lower, 2, 16384));
        e.Message.ShouldStartWith($"A GFMM block with M = 2, P = 16384 has {7L << 28} weights; at most 268435456 are supported.");
    }

    [Fact]
    public void Large_accepted_layout_has_the_documented_counts_and_order()
    {
        const int m = 1 << 16, p = 8, levels = 16;
        var layout = new GfmmLayout(GfmmKind.General, m, p);
        layout.N.ShouldBe(524288);
        int bridges = 2 * m - 2 - levels;
        layout.TensorCount.ShouldBe(2 * (2 * m - 2) + m + 2 * bridges + 1);
        layout.WeightCount.ShouldBe(layout.TensorCount * 64);
        layout.Root.ShouldBe(layout.TensorCount - 1);
    }

    [Fact]
    public void Header_with_overflowing_P_is_a_shape_error()
    {
        var e = Should.Throw<GfmmFormatException>(() => GfmmFile.Parse(Header(8, 536870916, "")));
        e.Error.ShouldBe(GfmmFormatError.Shape);
        e.Field.ShouldBe("P");
    }

    [Fact]
    public void Tiny_file_declaring_M_2_to_the_24_is_refused_without_allocating_for_it()
    {
        string text = Header(1 << 24, 1, "");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Should.Throw<GfmmFormatException>(() => GfmmFile.Parse(text));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        e.Error.ShouldBe(GfmmFormatError.MissingTensor);
        e.Message.ShouldBe("Invalid GFMM weight file: tensors[\"L.encoder.0.0.W.weight\"]: required for M = 16777216, P = 1 but absent.");
        allocated.ShouldBeLessThan(AllocationBound);
    }

    [Fact]
    public void Every_tensor_named_but_with_empty_data_is_refused_before_the_weight_arrays_exist()
    {
        // M = 2, P = 4096: the weight arrays would take 2 x 7 x 64 MiB; the file holds a few hundred bytes.
        const int p = 4096;
        var members = new StringBuilder();
        foreach (var (prefix, kind) in new[] { ("L.", GfmmKind.Lower), ("U.", GfmmKind.Upper) })
        {
            var layout = new GfmmLayout(kind, 2, p);
            for (int t = 0; t < layout.TensorCount; t++)
                members.Append(members.Length == 0 ? "" : ",").Append('"').Append(prefix).Append(layout.TensorName(t))
                    .Append("\":{\"shape\":[4096,4096],\"data\":\"\"}");
        }
        string text = Header(2, p, members.ToString());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Should.Throw<GfmmFormatException>(() => GfmmFile.Parse(text));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        e.Error.ShouldBe(GfmmFormatError.Base64);
        e.Message.ShouldBe("Invalid GFMM weight file: tensors[\"L.encoder.0.0.W.weight\"].data: decodes to 0 bytes; a 4096 x 4096 float32 tensor has 67108864.");
        allocated.ShouldBeLessThan(AllocationBound);
    }

    [Fact]
    public void ToPayload_outside_the_array_is_an_argument_error()
    {
        var weights = new[] { 1f, -2.5f, 3f, 0.125f };
        Should.Throw<ArgumentNullException>(() => GfmmFile.ToPayload<float>(null!, 0, 0)).ParamName.ShouldBe("weights");
        var offset = Should.Throw<ArgumentOutOfRangeException>(() => GfmmFile.ToPayload(weights, -1, 1));
        offset.ParamName.ShouldBe("offset");
        offset.Message.ShouldStartWith("offset must be in [0, 4].");
        var count = Should.Throw<ArgumentOutOfRangeException>(() => GfmmFile.ToPayload(weights, 2, 3));
        count.ParamName.ShouldBe("count");
        count.Message.ShouldStartWith("count must be in [0, 2] (weights has 4 floats from offset 2).");
        Should.Throw<ArgumentOutOfRangeException>(() => GfmmFile.ToPayload(weights, 0, int.MaxValue)).ParamName.ShouldBe("count");
    }

    [Fact]
    public void ToPayload_is_little_endian_float32()
    {
        byte[] bytes = GfmmFile.ToPayload([1f, -2.5f, 3f, 0.125f], 1, 2);
        // -2.5f = 0xC0200000, 3f = 0x40400000, least significant byte first.
        bytes.ShouldBe(new byte[] { 0x00, 0x00, 0x20, 0xC0, 0x00, 0x00, 0x40, 0x40 });
    }

    private static string Header(int m, int p, string tensorMembers) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"format\":\"genlu-gfmm\",\"version\":1,\"dtype\":\"float32\",\"M\":{m},\"P\":{p},\"scale\":1.0,\"tensors\":{{{tensorMembers}}},\"sha256\":\"00\"}}");

    [Fact]
    public void A_file_larger_than_the_format_allows_is_refused_before_it_is_read()
    {
        // A sparse file: its length is past the limit, its blocks are never written, so the test costs no disk.
        string path = Path.Combine(Path.GetTempPath(), $"genlu-huge-{Guid.NewGuid():N}.gfmm.json");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew))
                file.SetLength(GfmmFile.MaxFileBytes + 1);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Should.Throw<GfmmFormatException>(() => GenLu.Gfmm.GfmmModel.Load(path));
            (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
            e.Error.ShouldBe(GfmmFormatError.TooLarge);
            e.Message.ShouldContain("1,073,741,825 bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
