using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GenLu.IO;
using GenLu.Sparse;

namespace GenLu.Tests.IO;

/// <summary>
/// Random truncations, bit flips and edited size fields of small .mtx and .npy files through every reader: each
/// mutant must give a <see cref="MatrixFormatException"/> or a valid matrix (the same from every reader), and reading
/// it must allocate little whatever size it declares.
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed partial class MatrixFileFuzzTests
{
    private const int MutantsPerSeed = 250;

    /// <summary>What reading a file of a few hundred bytes may allocate beyond a valid result's own row pointers.</summary>
    private const long SmallFileAllocationLimit = 1 << 20;

    private static readonly string[] SizeEdits =
        ["0", "1", "2", "7", "-1", "46340", "65536", "2147483647", "2147483648", "1000000000", "99999999999999999999", "x"];

    private static readonly string[] MatrixMarketSeeds =
    [
        "%%MatrixMarket matrix coordinate real general\n% a comment\n4 5 6\n1 1 1.5\n2 3 -2e-1\n4 5 7\n3 1 0.25\n1 1 2\n4 2 -3\n",
        "%%MatrixMarket matrix coordinate real symmetric\n4 4 5\n1 1 4\n2 1 -1\n3 2 -1\n4 3 -1\n4 4 4\n",
        "%%MatrixMarket matrix coordinate integer skew-symmetric\n3 3 3\n2 1 5\n3 1 -7\n3 2 1\n",
        "%%MatrixMarket matrix coordinate pattern symmetric\n5 5 4\n1 1\n3 1\n5 2\n5 5\n",
        "%%MatrixMarket matrix array real general\n3 2\n1\n-2.5\n3\n4e-3\n5\n6\n",
        "%%MatrixMarket matrix array integer symmetric\n3 3\n1\n2\n3\n4\n5\n6\n",
    ];

    [Fact]
    public void Mutated_Matrix_Market_files_give_a_typed_error_or_a_valid_matrix_and_allocate_little()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(20261201);
        int valid = 0, refused = 0;
        foreach (string seed in MatrixMarketSeeds)
        {
            foreach (var mutant in Mutants(Encoding.UTF8.GetBytes(seed), random, EditMatrixMarketSize))
            {
                string text = Encoding.UTF8.GetString(mutant);
                var fromStream = Outcome(() => MatrixMarket.ReadSparse(new MemoryStream(mutant)), SparseFootprint);
                var fromText = Outcome(() => MatrixMarket.ReadSparse(new StringReader(text)), SparseFootprint);
                var dense = Outcome(() => MatrixMarket.Read(new StringReader(text)), m => 8L * m.Values.Length);

                // The byte bound of a stream refuses early what a text reader refuses late, but never changes the result.
                (fromStream.Result is null).ShouldBe(fromText.Result is null, text);
                if (fromText.Result is { } sparse)
                {
                    valid++;
                    sparse.Values.ToArray().ShouldAllBe(v => double.IsFinite(v));
                    fromStream.Result!.Values.ToArray().ShouldBe(sparse.Values.ToArray());
                    fromStream.Result.ColumnIndices.ToArray().ShouldBe(sparse.ColumnIndices.ToArray());
                    if (dense.Result is { } matrix)
                    {
                        matrix.Values.ShouldBe(sparse.ToDense().Values, text);
                    }
                    else
                    {
                        CsrMatrix.CanDensify(sparse.Rows, sparse.Columns).ShouldBeFalse(text);
                    }
                }
                else
                {
                    refused++;
                    dense.Result.ShouldBeNull(text);
                }
            }
        }

        valid.ShouldBeGreaterThan(20, $"valid {valid}, refused {refused}");
        refused.ShouldBeGreaterThan(1000);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Mutated_npy_files_give_a_typed_error_or_a_valid_matrix_and_allocate_little()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(1201);
        var cOrder = new MemoryStream();
        NpyFile.Write(cOrder, new DenseMatrix(3, 4, [1, -2, 3.5, 4, 5e-3, 6, 7, 8, 9, 10, 11, -12]));
        byte[][] seeds =
        [
            cOrder.ToArray(),
            Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", [.. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(3f), .. BitConverter.GetBytes(4f), .. BitConverter.GetBytes(5f), .. BitConverter.GetBytes(6f)]),
        ];
        int valid = 0, refused = 0;
        foreach (byte[] seed in seeds)
        {
            foreach (var mutant in Mutants(seed, random, EditNpyShape))
            {
                var seekable = Outcome(() => NpyFile.Read(new MemoryStream(mutant)), m => 8L * m.Values.Length);
                var piped = Outcome(() => NpyFile.Read(new ForwardOnlyStream(mutant)), m => 8L * m.Values.Length);
                (seekable.Result is null).ShouldBe(piped.Result is null);
                if (seekable.Result is { } matrix)
                {
                    valid++;
                    ((long)matrix.Rows * matrix.Cols).ShouldBe(matrix.Values.Length);
                    matrix.Values.ShouldAllBe(v => double.IsFinite(v));
                    piped.Result!.Values.ShouldBe(matrix.Values);
                }
                else
                {
                    refused++;
                }
            }
        }

        valid.ShouldBeGreaterThan(20, $"valid {valid}, refused {refused}");
        refused.ShouldBeGreaterThan(200);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    /// <summary>A third each of truncations, one to three bit flips, and size fields set to edge values.</summary>
    private static IEnumerable<byte[]> Mutants(byte[] seed, Random random, Func<byte[], string, byte[]> editSize)
    {
        for (int n = 0; n < MutantsPerSeed; n++)
        {
            switch (n % 3)
            {
                case 0:
                    yield return seed[..random.Next(seed.Length)];
                    break;
                case 1:
                    var flipped = (byte[])seed.Clone();
                    for (int flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    yield return flipped;
                    break;
                default:
                    yield return editSize(seed, SizeEdits[random.Next(SizeEdits.Length)]);
                    break;
            }
        }
    }

    /// <summary>The file with one number of its size line (the first line not starting with '%') replaced.</summary>
    private static byte[] EditMatrixMarketSize(byte[] seed, string replacement)
    {
        var lines = Encoding.UTF8.GetString(seed).Split('\n');
        int at = Array.FindIndex(lines, line => line.Length > 0 && line[0] != '%');
        var fields = lines[at].Split(' ');
        fields[replacement.Length % fields.Length] = replacement;
        lines[at] = string.Join(' ', fields);
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    /// <summary>The file with one number of its header's shape replaced, the header length field kept consistent.</summary>
    private static byte[] EditNpyShape(byte[] seed, string replacement)
    {
        int headerLength = seed[8] | (seed[9] << 8);
        string dict = Encoding.Latin1.GetString(seed, 10, headerLength).TrimEnd();
        var shape = ShapePattern().Match(dict);
        var numbers = new[] { shape.Groups[1].Value, shape.Groups[2].Value };
        numbers[replacement.Length % 2] = replacement;
        string edited = dict.Replace(shape.Value, string.Create(CultureInfo.InvariantCulture, $"({numbers[0]}, {numbers[1]})"));
        return Npy(edited, seed[(10 + headerLength)..]);
    }

    private static byte[] Npy(string dict, byte[] data)
    {
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict + new string(' ', padded - 10 - dict.Length - 1) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. Encoding.Latin1.GetBytes(header), .. data];
    }

    private static long SparseFootprint(CsrMatrix m) => (4L * (m.Rows + 1)) + (12L * m.NonZeroCount);

    /// <summary>
    /// Runs a reader: a result or a <see cref="MatrixFormatException"/> (any other exception fails the test), having
    /// allocated at most the small-file limit plus a few times the result's own footprint.
    /// </summary>
    private static (T? Result, MatrixFormatException? Error) Outcome<T>(Func<T> read, Func<T, long> footprint)
        where T : class
    {
        T? result = null;
        MatrixFormatException? error = null;
        long allocated = AllocationMeasurement.BytesAllocatedBy(() =>
        {
            try
            {
                result = read();
            }
            catch (MatrixFormatException e)
            {
                error = e;
            }
        });
        allocated.ShouldBeLessThan(SmallFileAllocationLimit + (result is null ? 0 : 4 * footprint(result)));
        return (result, error);
    }

    [GeneratedRegex(@"\((\d+), (\d+)\)")]
    private static partial Regex ShapePattern();
}
