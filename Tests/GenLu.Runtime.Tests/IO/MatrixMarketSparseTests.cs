using System.Text;
using GenLu.IO;
using GenLu.Sparse;

namespace GenLu.Tests.IO;

[Collection(AllocationMeasurement.Name)]
public sealed class MatrixMarketSparseTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-mm-sparse-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string, double[]> SymmetryKinds => new()
    {
        {
            "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 2\n3 1 -1.5\n1 3 4\n2 2 1e-3\n",
            [2, 0, 4, 0, 1e-3, 0, -1.5, 0, 0]
        },
        {
            "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n3 2 -1\n3 3 2\n",
            [2, -1, 0, -1, 0, -1, 0, -1, 2]
        },
        {
            "%%MatrixMarket matrix coordinate integer skew-symmetric\n3 3 2\n2 1 5\n3 1 -7\n",
            [0, -5, 7, 5, 0, 0, -7, 0, 0]
        },
        {
            "%%MatrixMarket matrix coordinate pattern general\n2 3 3\n1 1\n2 3\n1 2\n",
            [1, 1, 0, 0, 0, 1]
        },
        {
            "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 3\n1 1\n3 1\n3 2\n",
            [1, 0, 1, 0, 0, 1, 1, 1, 0]
        },
        {
            "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n",
            [0, -1, -2, 1, 0, -3, 2, 3, 0]
        },
    };

    [Theory]
    [MemberData(nameof(SymmetryKinds))]
    public void Each_kind_reads_sparse_and_dense_as_the_hand_written_matrix(string text, double[] expected)
    {
        var sparse = MatrixMarket.ReadSparse(new StringReader(text));
        sparse.ToDense().Values.ShouldBe(expected);
        sparse.NonZeroCount.ShouldBe(expected.Count(v => v != 0));
        MatrixMarket.Read(new StringReader(text)).Values.ShouldBe(expected);

        // The same from a file, whose length bounds what the size line may declare.
        string path = Write("kind.mtx", text);
        MatrixMarket.ReadSparse(path).ToDense().Values.ShouldBe(expected);
        MatrixMarket.Read(path).Values.ShouldBe(expected);
    }

    [Fact]
    public void Repeated_entries_are_summed_on_both_sides_of_a_symmetric_matrix()
    {
        var m = MatrixMarket.ReadSparse(new StringReader("%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n2 1 1.5\n1 1 1\n2 1 0.25\n"));
        m.ToDense().Values.ShouldBe([1, 1.75, 1.75, 0]);
        m.NonZeroCount.ShouldBe(3);
    }

    [Theory]
    [InlineData("2 2 1\n0 1 1\n", "row index 0 is out of range 1..2")]
    [InlineData("2 2 1\n1 3 1\n", "column index 3 is out of range 1..2")]
    [InlineData("2 2 1\n-1 1 1\n", "row index -1 is out of range")]
    [InlineData("2 2 1\n1 x 1\n", "column index 'x' is not an integer")]
    [InlineData("2 2 2\n1 1 1\n", "truncated data")]
    [InlineData("2 2 3\n1 1 1\n2 2 1\n", "truncated data")]
    [InlineData("2 2 1\n1 1 1 9\n", "found 4 fields")]
    [InlineData("2 2 1\n1 1 1\n2 2 2\n", "wrong entry count")]
    [InlineData("2 2 1\n1 1 1.5e400\n", "not finite")]
    [InlineData("2 2 2\n1 1 1.5e308\n1 1 1.5e308\n", "overflow")]
    public void Bad_entries_are_MatrixFormatExceptions_from_text_and_from_files(string body, string expected)
    {
        string text = "%%MatrixMarket matrix coordinate real general\n" + body;
        Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadSparse(new StringReader(text))).Message.ShouldContain(expected);
        Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadSparse(Write("bad.mtx", text))).Message.ShouldContain(expected);
    }

    [Fact]
    public void A_tiny_file_declaring_a_billion_entries_is_refused_from_its_header()
    {
        string path = Write("huge.mtx", "%%MatrixMarket matrix coordinate real general\n20000 20000 1000000000\n1 1 1\n");
        new FileInfo(path).Length.ShouldBeLessThan(80);
        MatrixFormatException? error = null;
        AllocationMeasurement.BytesAllocatedBy(() => error = Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadSparse(path)))
            .ShouldBeLessThan(1 << 20);
        error!.Message.ShouldContain("declares 1,000,000,000 entries");
        error.Message.ShouldContain("line 2");
        Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadHeader(path)).Message.ShouldContain("truncated data");
    }

    [Fact]
    public void A_tiny_text_declaring_a_billion_entries_costs_only_what_it_holds()
    {
        const string Text = "%%MatrixMarket matrix coordinate real general\n20000 20000 1000000000\n1 1 1\n";
        AllocationMeasurement.BytesAllocatedBy(() =>
            Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadSparse(new StringReader(Text))).Message.ShouldContain("expected 1000000000 entries, found 1"))
            .ShouldBeLessThan(1 << 20);
    }

    [Fact]
    public void A_large_sparse_order_is_read_without_rows_times_columns_storage()
    {
        string path = Write("one.mtx", "%%MatrixMarket matrix coordinate real general\n20000 20000 1\n20000 1 3\n");
        CsrMatrix? read = null;
        AllocationMeasurement.BytesAllocatedBy(() => read = MatrixMarket.ReadSparse(path)).ShouldBeLessThan(1 << 20);
        var m = read!;
        (m.Rows, m.Columns, m.NonZeroCount, m[19_999, 0]).ShouldBe((20_000, 20_000, 1, 3.0));

        // The dense reader refuses it from the header: 4e8 entries exceed the dense limit.
        Should.Throw<MatrixFormatException>(() => MatrixMarket.Read(path)).Message.ShouldContain("too large to read densely");
    }

    [Theory]
    [InlineData("%%MatrixMarket matrix array real general\n46340 46340\n1\n")]
    [InlineData("%%MatrixMarket matrix array real symmetric\n46340 46340\n1\n2\n")]
    public void A_tiny_array_file_declaring_46340_squared_is_a_MatrixFormatException(string text)
    {
        string path = Write("array.mtx", text);
        AllocationMeasurement.BytesAllocatedBy(() =>
        {
            Should.Throw<MatrixFormatException>(() => MatrixMarket.Read(path)).Message.ShouldContain("truncated data");
            Should.Throw<MatrixFormatException>(() => MatrixMarket.Read(new StringReader(text))).Message.ShouldContain("truncated data");
            Should.Throw<MatrixFormatException>(() => MatrixMarket.ReadSparse(path)).Message.ShouldContain("truncated data");
        }).ShouldBeLessThan(1 << 20);
    }

    [Fact]
    public void ReadHeader_reports_the_declared_kind_and_size()
    {
        string path = Write("h.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n% c\n5 5 2\n2 1\n5 5\n");
        MatrixMarket.ReadHeader(path).ShouldBe(new MatrixMarketHeader(
            MatrixMarketFormat.Coordinate, MatrixMarketField.Pattern, MatrixMarketSymmetry.Symmetric, 5, 5, 2));
        MatrixMarket.ReadHeader(Write("a.mtx", "%%MatrixMarket matrix array integer skew-symmetric\n4 4\n1\n2\n3\n4\n5\n6\n")).Entries.ShouldBe(6);
    }

    [Fact]
    public void The_sparse_writer_round_trips_every_stored_entry_exactly()
    {
        var builder = new CsrBuilder(4, 3);
        builder.Add(3, 2, 1.0 / 3);
        builder.Add(0, 1, -1e-300);
        builder.Add(2, 0, 0.0);
        builder.Add(0, 0, 12345.678);
        var original = builder.Build();
        string path = Path.Combine(directory, "w.mtx");
        MatrixMarket.Write(path, original);

        var read = MatrixMarket.ReadSparse(path);
        read.RowPointers.ToArray().ShouldBe(original.RowPointers.ToArray());
        read.ColumnIndices.ToArray().ShouldBe(original.ColumnIndices.ToArray());
        read.Values.ToArray().ShouldBe(original.Values.ToArray());
        Directory.GetFiles(directory).ShouldBe([path]);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Writers_refuse_non_finite_values_and_leave_no_file(double bad)
    {
        var matrix = new DenseMatrix(2, 2, [1, 2, bad, 4]);
        foreach (var layout in new[] { MatrixMarketLayout.Array, MatrixMarketLayout.Coordinate })
        {
            Should.Throw<ArgumentException>(() => MatrixMarket.Write(Path.Combine(directory, "nan.mtx"), matrix, layout)).Message.ShouldContain("Entry (1, 0)");
        }

        Should.Throw<ArgumentException>(() => MatrixMarket.Write(new StringWriter(), matrix)).Message.ShouldContain("cannot be written");
        Should.Throw<ArgumentException>(() => NpyFile.Write(Path.Combine(directory, "nan.npy"), matrix)).Message.ShouldContain("Entry (1, 0)");
        Directory.GetFiles(directory).ShouldBeEmpty();
    }

    [Fact]
    public void A_non_seekable_npy_stream_declaring_a_huge_shape_costs_only_what_it_holds()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (46340, 46340), }";
        string header = dict + new string(' ', 128 - 10 - dict.Length - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 1, 0, (byte)header.Length, 0 });
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(1.0));
        var file = bytes.ToArray();
        AllocationMeasurement.BytesAllocatedBy(() =>
        {
            Should.Throw<MatrixFormatException>(() => NpyFile.Read(new ForwardOnlyStream(file))).Message.ShouldContain("truncated data");
            Should.Throw<MatrixFormatException>(() => NpyFile.Read(new MemoryStream(file))).Message.ShouldContain("only 8 bytes follow the header");
        }).ShouldBeLessThan(1 << 20);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
