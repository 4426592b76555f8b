using GenLu.IO;

namespace GenLu.Tests.IO;

public sealed class MatrixMarketTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-mm-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Reads_a_general_coordinate_file_with_comments_from_disk()
    {
        string path = Path.Combine(directory, "a.mtx");
        File.WriteAllText(path, """
            %%MatrixMarket matrix coordinate real general
            % a comment
            %another one

            2 3 3
            1 1 1.5
            2 3 -2e-1
            % a comment between entries
            1 2 4
            """);

        var m = MatrixMarket.Read(path);
        m.Rows.ShouldBe(2);
        m.Cols.ShouldBe(3);
        m.Values.ShouldBe([1.5, 4, 0, 0, 0, -0.2]);
    }

    [Fact]
    public void Mirrors_a_symmetric_coordinate_file()
    {
        var m = Read("""
            %%MatrixMarket matrix coordinate real symmetric
            3 3 4
            1 1 2
            2 1 -1
            3 2 -1
            3 3 2
            """);
        m.Values.ShouldBe([2, -1, 0, -1, 0, -1, 0, -1, 2]);
    }

    [Fact]
    public void Reads_an_array_file_column_major()
    {
        var m = Read("""
            %%MatrixMarket matrix array real general
            2 3
            1
            4
            2
            5
            3
            6
            """);
        m.Values.ShouldBe([1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public void Reads_a_symmetric_array_file_as_its_lower_triangle_by_columns()
    {
        var m = Read("""
            %%MatrixMarket matrix array integer symmetric
            3 3
            1
            2
            3
            4
            5
            6
            """);
        m.Values.ShouldBe([1, 2, 3, 2, 4, 5, 3, 5, 6]);
    }

    [Fact]
    public void Header_keywords_are_case_insensitive_and_integer_fields_are_read()
    {
        var m = Read("""
            %%MatrixMarket MATRIX Coordinate Integer General
            1 2 2
            1 1 -7
            1 2 3
            """);
        m.Values.ShouldBe([-7, 3]);
    }

    [Theory]
    [InlineData(MatrixMarketLayout.Array)]
    [InlineData(MatrixMarketLayout.Coordinate)]
    public void Writer_output_reads_back_exactly(MatrixMarketLayout layout)
    {
        var original = new DenseMatrix(2, 3, [0.1, 0, -1e-300, 1.0 / 3, 12345.678, 0]);
        string path = Path.Combine(directory, "w.mtx");
        MatrixMarket.Write(path, original, layout);
        MatrixMarket.Read(path).Values.ShouldBe(original.Values);
        Directory.GetFiles(directory).ShouldBe([path]);
    }

    [Theory]
    [InlineData("", "file is empty")]
    [InlineData("%%MatrixMarket matrix coordinate real\n1 1 0\n", "bad header")]
    [InlineData("%MatrixMarket matrix coordinate real general\n1 1 0\n", "bad header")]
    [InlineData("%%MatrixMarket vector coordinate real general\n1 1 0\n", "unsupported object 'vector'")]
    [InlineData("%%MatrixMarket matrix coordinate complex general\n1 1 0\n", "unsupported field 'complex'")]
    [InlineData("%%MatrixMarket matrix array pattern general\n1 1\n", "'pattern' needs the coordinate format")]
    [InlineData("%%MatrixMarket matrix coordinate pattern skew-symmetric\n1 1 0\n", "'pattern' needs the coordinate format")]
    [InlineData("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 1 1\n", "lies on the diagonal")]
    [InlineData("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", "unsupported symmetry 'hermitian'")]
    [InlineData("%%MatrixMarket matrix sparse real general\n1 1 0\n", "unsupported format 'sparse'")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n% only comments\n", "size line is missing")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2\n", "size line must hold 3 integers")]
    [InlineData("%%MatrixMarket matrix array real general\n2 x\n", "cols count 'x'")]
    [InlineData("%%MatrixMarket matrix array real general\n0 2\n", "must be positive")]
    [InlineData("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", "must be square")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n", "row index 3 is out of range 1..2")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 0 1.0\n", "column index 0 is out of range")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n", "truncated data: expected 3 entries, found 2")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 1\n", "wrong entry count")]
    [InlineData("%%MatrixMarket matrix array real general\n2 1\n1\n", "truncated data: expected 2 entries, found 1")]
    [InlineData("%%MatrixMarket matrix array real general\n1 1\n1\n2\n", "wrong entry count")]
    [InlineData("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n", "above the diagonal")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 NaN\n", "not finite")]
    [InlineData("%%MatrixMarket matrix array real general\n1 1\n1e999\n", "not finite")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n", "'abc' is not a real number")]
    [InlineData("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", "'1.5' is not an integer")]
    [InlineData("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1\n", "must be 'row col value'")]
    public void Malformed_input_is_a_MatrixFormatException_naming_the_problem(string text, string expected)
    {
        var error = Should.Throw<MatrixFormatException>(() => Read(text));
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Errors_name_the_line()
    {
        var error = Should.Throw<MatrixFormatException>(() =>
            Read("%%MatrixMarket matrix coordinate real general\n% c\n2 2 1\n9 1 1\n"));
        error.Message.ShouldContain("line 4");
    }

    private static DenseMatrix Read(string text) => MatrixMarket.Read(new StringReader(text));
}
