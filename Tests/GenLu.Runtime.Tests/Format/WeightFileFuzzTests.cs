using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using GenLu.Gfmm;
using GenLu.Tests.IO;
using GenLu.Tests.Support;

namespace GenLu.Tests.Format;

/// <summary>
/// Random truncations, bit flips and edited size fields of a small weight file through <see cref="GfmmModel.Parse"/>:
/// each mutant is refused with a <see cref="FormatException"/> (the <c>GfmmFormatException</c> family) or accepted
/// with exactly the original weights (the checksum covers them), and parsing allocates a bounded multiple of the
/// input whatever M and P it declares.
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed partial class WeightFileFuzzTests
{
    private const int Mutants = 900;

    private static readonly string[] SizeEdits =
        ["0", "1", "2", "3", "8", "-4", "1024", "16384", "16777216", "1073741824", "2147483647", "2147483648", "99999999999999999999", "1e3", "4.0", "\"4\"", "null"];

    [Fact]
    public void Mutated_weight_files_give_a_typed_error_or_the_original_weights_and_allocate_little()
    {
        var clock = Stopwatch.StartNew();
        var original = LaplacianBlockLu.Build(4, 3);
        var stream = new MemoryStream();
        original.Save(stream);
        byte[] seed = stream.ToArray();
        string seedText = Encoding.UTF8.GetString(seed);
        var random = new Random(20261202);
        int valid = 0, refused = 0;

        for (int n = 0; n < Mutants; n++)
        {
            string text = (n % 3) switch
            {
                0 => seedText[..random.Next(seedText.Length)],
                1 => Encoding.UTF8.GetString(Flip(seed, random)),
                _ => EditSize(seedText, random),
            };

            GfmmModel? parsed = null;
            Exception? error = null;
            long allocated = AllocationMeasurement.BytesAllocatedBy(() =>
            {
                try
                {
                    parsed = GfmmModel.Parse(text);
                }
                catch (Exception e) when (e is FormatException or SingularMatrixException)
                {
                    error = e;
                }
            });

            // The JSON tree, the decoded payloads and the weights: a small multiple of the text, never of the header.
            allocated.ShouldBeLessThan(64L * text.Length + (1 << 20), text.Length < 400 ? text : text[..400]);
            if (parsed is { } model)
            {
                valid++;
                (model.M, model.P).ShouldBe((original.M, original.P));
                model.L.ToArray().ShouldBe(original.L.ToArray());
                model.U.ToArray().ShouldBe(original.U.ToArray());
                double.IsFinite(model.Scale).ShouldBeTrue();
                model.Scale.ShouldBeGreaterThan(0);
            }
            else
            {
                refused++;
                error!.Message.ShouldNotBeNullOrWhiteSpace();
            }
        }

        valid.ShouldBeGreaterThan(10, $"valid {valid}, refused {refused}");
        refused.ShouldBeGreaterThan(600, $"valid {valid}, refused {refused}");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
    }

    private static byte[] Flip(byte[] seed, Random random)
    {
        var flipped = (byte[])seed.Clone();
        for (int flips = random.Next(1, 4); flips > 0; flips--)
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
        return flipped;
    }

    /// <summary>M, P or one number of a tensor's shape set to an edge value.</summary>
    private static string EditSize(string text, Random random)
    {
        string value = SizeEdits[random.Next(SizeEdits.Length)];
        return random.Next(3) switch
        {
            0 => HeaderField().Replace(text, m => m.Groups[1].Value == "M" ? $"\"M\":{value}" : m.Value, 1),
            1 => HeaderField().Replace(text, m => m.Groups[1].Value == "P" ? $"\"P\":{value}" : m.Value),
            _ => ShapeField().Replace(text, $"\"shape\":[{value},3]", 1),
        };
    }

    [GeneratedRegex("\"(M|P)\"\\s*:\\s*\\d+")]
    private static partial Regex HeaderField();

    [GeneratedRegex("\"shape\"\\s*:\\s*\\[\\s*3\\s*,\\s*3\\s*\\]")]
    private static partial Regex ShapeField();
}
