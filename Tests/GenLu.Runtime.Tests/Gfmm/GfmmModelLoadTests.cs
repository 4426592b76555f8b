using System.Text;
using GenLu.Format;
using GenLu.Gfmm;

namespace GenLu.Tests.Gfmm;

/// <summary>Load(Stream) and TryLoad: the same reader as Load(path), and no exception for a bad file.</summary>
public class GfmmModelLoadTests
{
    private static readonly string FixturePath = TestPaths.Fixture("reference-m2p4.gfmm.json");

    [Fact]
    public void Load_from_a_stream_reads_what_load_from_the_path_reads_and_leaves_the_stream_open()
    {
        var fromPath = GfmmModel.Load(FixturePath);
        using var stream = File.OpenRead(FixturePath);
        var fromStream = GfmmModel.Load(stream);
        stream.CanRead.ShouldBeTrue();
        fromStream.L.ToArray().ShouldBe(fromPath.L.ToArray());
        fromStream.U.ToArray().ShouldBe(fromPath.U.ToArray());
        fromStream.Scale.ShouldBe(fromPath.Scale);
        fromStream.ToUtf8Json().ShouldBe(fromPath.ToUtf8Json());
    }

    [Fact]
    public void Save_to_a_stream_writes_the_file_bytes()
    {
        var model = GfmmModel.Load(FixturePath);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.ToArray().ShouldBe(model.ToUtf8Json());
        stream.Position = 0;
        GfmmModel.Load(stream).L.ToArray().ShouldBe(model.L.ToArray());
    }

    [Fact]
    public void TryLoad_accepts_a_valid_file_by_path_and_by_stream()
    {
        GfmmModel.TryLoad(FixturePath, out var byPath, out string? pathError).ShouldBeTrue();
        pathError.ShouldBeNull();
        byPath!.N.ShouldBe(8);

        using var stream = File.OpenRead(FixturePath);
        GfmmModel.TryLoad(stream, out var byStream, out string? streamError).ShouldBeTrue();
        streamError.ShouldBeNull();
        byStream!.L.ToArray().ShouldBe(byPath.L.ToArray());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(0.01)]
    public void TryLoad_of_a_truncated_file_returns_false_with_the_reason(double keptFraction)
    {
        byte[] bytes = File.ReadAllBytes(FixturePath);
        using var truncated = new MemoryStream(bytes, 0, (int)(bytes.Length * keptFraction));
        GfmmModel.TryLoad(truncated, out var model, out string? error).ShouldBeFalse();
        model.ShouldBeNull();
        error.ShouldContain("truncated");
        // Load reports the same defect as a typed exception.
        truncated.Position = 0;
        Should.Throw<GfmmFormatException>(() => GfmmModel.Load(truncated)).Error.ShouldBe(GfmmFormatError.Truncated);
    }

    [Fact]
    public void TryLoad_of_garbage_returns_false_for_text_and_for_random_bytes()
    {
        using (var text = new MemoryStream(Encoding.UTF8.GetBytes("this is not a model")))
        {
            GfmmModel.TryLoad(text, out var model, out string? error).ShouldBeFalse();
            model.ShouldBeNull();
            error!.ShouldStartWith("Invalid GFMM weight file");
        }

        var random = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            byte[] noise = new byte[random.Next(1, 4096)];
            random.NextBytes(noise);
            using var stream = new MemoryStream(noise);
            GfmmModel.TryLoad(stream, out var model, out string? error).ShouldBeFalse();
            model.ShouldBeNull();
            error.ShouldNotBeNullOrEmpty();
        }
    }

    [Fact]
    public void TryLoad_of_a_missing_file_returns_false_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"genlu-missing-{Guid.NewGuid():N}.gfmm.json");
        GfmmModel.TryLoad(path, out var model, out string? error).ShouldBeFalse();
        model.ShouldBeNull();
        error.ShouldContain(Path.GetFileName(path));
    }

    [Fact]
    public void TryLoad_still_throws_for_a_null_argument()
    {
        Should.Throw<ArgumentNullException>(() => GfmmModel.TryLoad((string)null!, out _, out _));
        Should.Throw<ArgumentNullException>(() => GfmmModel.TryLoad((Stream)null!, out _, out _));
        Should.Throw<ArgumentNullException>(() => GfmmModel.Load((Stream)null!));
    }
}
