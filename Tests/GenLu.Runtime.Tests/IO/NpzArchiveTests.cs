using System.IO.Compression;
using GenLu.IO;
using GenLu.Tests.Support;

namespace GenLu.Tests.IO;

public sealed class NpzArchiveTests
{
    [Fact]
    public void Written_arrays_read_back_with_their_types_shapes_and_bits()
    {
        var arrays = new SortedDictionary<string, NdArray>(StringComparer.Ordinal)
        {
            ["w"] = NdArray.FromSingles([1.5f, -0f, float.Epsilon, 3e38f, -2.25f, 7f], [2, 3]),
            ["scale"] = NdArray.Scalar(0.1),
            ["N"] = NdArray.Scalar(2225L),
            ["v"] = new NdArray(NdArrayType.Float64, [3], [1e-300, -4, Math.PI]),
        };
        using var stream = new MemoryStream();
        NpzArchive.Write(stream, arrays);
        stream.Position = 0;
        var read = NpzArchive.Read(stream);

        read.Keys.ShouldBe(arrays.Keys);
        foreach (var (name, array) in arrays)
        {
            read[name].Type.ShouldBe(array.Type);
            read[name].Shape.ToArray().ShouldBe(array.Shape.ToArray());
            read[name].Values.Select(BitConverter.DoubleToInt64Bits).ShouldBe(array.Values.Select(BitConverter.DoubleToInt64Bits));
        }

        // The same arrays give the same bytes (fixed timestamps, stored entries).
        using var again = new MemoryStream();
        NpzArchive.Write(again, arrays);
        again.ToArray().ShouldBe(stream.ToArray());
    }

    [Fact]
    public void A_numpy_style_compressed_archive_with_fortran_order_and_int_scalars_is_read()
    {
        byte[] archive = HandMadeArrays.Npz(
        [
            ("m.npy", HandMadeArrays.Float64Npy("(2, 3)", true, 1, 4, 2, 5, 3, 6)),
            ("n.npy", HandMadeArrays.Npy("<i8", "()", false, HandMadeArrays.Int64Bytes([64]))),
            ("k.npy", HandMadeArrays.Npy("<i4", "(2,)", false, [.. BitConverter.GetBytes(-3), .. BitConverter.GetBytes(9)])),
            ("f.npy", HandMadeArrays.Npy("<f4", "(1,)", false, HandMadeArrays.Float32Bytes([0.1f]))),
        ], CompressionLevel.Optimal);
        var read = NpzArchive.Read(new MemoryStream(archive));

        read["m"].Values.ShouldBe([1, 2, 3, 4, 5, 6]); // column-major in the file, C order in memory
        read["m"].Shape.ToArray().ShouldBe([2, 3]);
        read["n"].Rank.ShouldBe(0);
        read["n"].Type.ShouldBe(NdArrayType.Int64);
        read["n"].SingleValue().ShouldBe(64);
        read["k"].Values.ShouldBe([-3, 9]);
        read["f"].Type.ShouldBe(NdArrayType.Float32);
        read["f"].Values[0].ShouldBe((double)0.1f);
    }

    public static TheoryData<string, byte[], string> BadArchives => new()
    {
        { "not a zip", "this is not a zip file at all, just text"u8.ToArray(), "not a valid .npz" },
        { "truncated", HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(4,)", false, 1, 2, 3, 4))])[..40], "not a valid .npz" },
        { "not .npy", HandMadeArrays.Npz([("a.txt", "hello"u8.ToArray())]), "only NAME.npy entries" },
        { "directory", HandMadeArrays.Npz([("dir/", [])]), "only NAME.npy entries" },
        { "duplicate", HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(1,)", false, 1)), ("a.npy", HandMadeArrays.Float64Npy("(1,)", false, 2))]), "two arrays named 'a'" },
        { "bad entry", HandMadeArrays.Npz([("good.npy", HandMadeArrays.Float64Npy("(1,)", false, 1)), ("bad.npy", "\x93NUMPY garbage"u8.ToArray())]), "entry 'bad.npy'" },
        { "nan", HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(2,)", false, 1, double.NaN))]), "NaN" },
        { "rank 3", HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(1, 1, 1)", false, 1))]), "3 dimensions" },
        { "declares more than it holds", HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(100000000,)", false, 1, 2))]), "truncated data" },
        { "empty", HandMadeArrays.Npz([]), "no arrays" },
    };

    [Theory]
    [MemberData(nameof(BadArchives))]
    public void Bad_archives_and_entries_are_MatrixFormatExceptions(string what, byte[] archive, string expected)
    {
        var error = Should.Throw<MatrixFormatException>(() => NpzArchive.Read(new MemoryStream(archive), what));
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void A_huge_declared_shape_in_a_deflated_entry_allocates_only_what_is_inflated()
    {
        // 2^27 float64 values declared (1 GiB), 16 bytes present: the reader must fail without allocating the GiB.
        byte[] archive = HandMadeArrays.Npz([("a.npy", HandMadeArrays.Float64Npy("(134217728,)", false, 1, 2))], CompressionLevel.Optimal);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<MatrixFormatException>(() => NpzArchive.Read(new MemoryStream(archive))).Message.ShouldContain("truncated data");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L << 20);
    }

    [Fact]
    public void Writing_refuses_bad_names_and_leaves_no_file()
    {
        string directory = Directory.CreateTempSubdirectory("genlu-npz-").FullName;
        try
        {
            string path = Path.Combine(directory, "x.npz");
            Should.Throw<ArgumentException>(() => NpzArchive.Write(path, [new("a/b", NdArray.Scalar(1.0))]));
            Should.Throw<ArgumentException>(() => NpzArchive.Write(path, [new("", NdArray.Scalar(1.0))]));
            Directory.GetFiles(directory).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Arrays_refuse_values_their_type_cannot_hold()
    {
        Should.Throw<ArgumentException>(() => new NdArray(NdArrayType.Float32, [1], [0.1])).Message.ShouldContain("float32");
        Should.Throw<ArgumentException>(() => new NdArray(NdArrayType.Int64, [1], [1.5])).Message.ShouldContain("integer");
        Should.Throw<ArgumentException>(() => new NdArray(NdArrayType.Float64, [2], [1, double.PositiveInfinity])).Message.ShouldContain("NaN and infinities");
        Should.Throw<ArgumentException>(() => new NdArray(NdArrayType.Float64, [2, 2], [1, 2, 3]));
        Should.Throw<ArgumentException>(() => new NdArray(NdArrayType.Float64, [1, 1, 1], [1]));
    }
}
