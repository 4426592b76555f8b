using System.Text;
using GenLu.IO;

namespace GenLu.Tests.IO;

public sealed class NpyFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-npy-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_float64_C_order_in_every_format_version(int major)
    {
        var bytes = Npy(major, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", Float64(1, 2, 3, 4, 5, -6.5));
        var m = ReadFile(bytes);
        m.Rows.ShouldBe(2);
        m.Cols.ShouldBe(3);
        m.Values.ShouldBe([1, 2, 3, 4, 5, -6.5]);
    }

    [Fact]
    public void Reads_Fortran_order_as_column_major()
    {
        var bytes = Npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", Float64(1, 4, 2, 5, 3, 6));
        ReadFile(bytes).Values.ShouldBe([1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public void Reads_float32_and_tolerates_other_key_order_and_spacing()
    {
        var data = new byte[16];
        float[] values = [0.1f, -2.5f, 3e-8f, 1e30f];
        Buffer.BlockCopy(values, 0, data, 0, 16);
        var bytes = Npy(1, "{\"shape\":(2,2),\"fortran_order\":False,\"descr\":\"<f4\"}", data);
        ReadFile(bytes).Values.ShouldBe(values.Select(v => (double)v).ToArray());
    }

    [Fact]
    public void Writer_output_reads_back_exactly_and_is_a_valid_version_1_file()
    {
        string path = Path.Combine(directory, "w.npy");
        double[] values = [0.1, 1.0 / 3, -1e-300, 7, 8, 9];
        NpyFile.Write(path, values, 3, 2);
        var bytes = File.ReadAllBytes(path);

        // Magic, version 1.0, header length so that the data starts on a 64-byte boundary.
        bytes[..8].ShouldBe(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        int dataStart = 10 + bytes[8] + (bytes[9] << 8);
        (dataStart % 64).ShouldBe(0);
        Encoding.Latin1.GetString(bytes, 10, dataStart - 10).ShouldContain("'shape': (3, 2)");
        BitConverter.ToDouble(bytes, dataStart + 8).ShouldBe(1.0 / 3);

        var m = NpyFile.Read(path);
        (m.Rows, m.Cols).ShouldBe((3, 2));
        m.Values.ShouldBe(values);
        Directory.GetFiles(directory).ShouldBe([path]);
    }

    [Theory]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1), }", 8, "unsupported dtype '>f8'")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", 4, "unsupported dtype '<i4'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 32, "1 dimensions")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", 8, "3 dimensions")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 1), }", 0, "must be positive")]
    [InlineData("{'descr': '<f8', 'shape': (1, 1), }", 8, "must define 'descr', 'fortran_order' and 'shape'")]
    [InlineData("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 1), }", 8, "expected True or False")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), 'extra': 1}", 8, "unexpected key 'extra'")]
    [InlineData("['descr', '<f8']", 8, "expected '{'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 24, "truncated data, expected 4 values")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", 24, "wrong entry count")]
    public void Malformed_headers_and_data_are_MatrixFormatExceptions(string header, int dataBytes, string expected)
    {
        var error = Should.Throw<MatrixFormatException>(() => ReadFile(Npy(1, header, new byte[dataBytes])));
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Bad_magic_version_and_truncated_header_are_rejected()
    {
        var good = Npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", Float64(1));

        var badMagic = (byte[])good.Clone();
        badMagic[1] = (byte)'X';
        Should.Throw<MatrixFormatException>(() => ReadFile(badMagic)).Message.ShouldContain("magic");

        var badVersion = (byte[])good.Clone();
        badVersion[6] = 4;
        Should.Throw<MatrixFormatException>(() => ReadFile(badVersion)).Message.ShouldContain("version 4.0");

        Should.Throw<MatrixFormatException>(() => ReadFile(good[..20])).Message.ShouldContain("ends inside the header");
        Should.Throw<MatrixFormatException>(() => ReadFile(good[..4])).Message.ShouldContain("ends inside the magic");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_values_are_rejected(double bad)
    {
        var bytes = Npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", Float64(1, bad));
        Should.Throw<MatrixFormatException>(() => ReadFile(bytes)).Message.ShouldContain("value number 1");
    }

    /// <summary>Builds a .npy file by hand: magic, version, little-endian header length, padded header, data.</summary>
    private static byte[] Npy(int major, string dict, byte[] data)
    {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dict.Length + 1;
        string header = dict + new string(' ', ((unpadded + 63) / 64 * 64) - unpadded) + "\n";
        var output = new List<byte> { 0x93 };
        output.AddRange("NUMPY"u8.ToArray());
        output.Add((byte)major);
        output.Add(0);
        output.Add((byte)(header.Length & 0xFF));
        output.Add((byte)(header.Length >> 8));
        if (lengthBytes == 4)
        {
            output.AddRange(new byte[] { 0, 0 });
        }

        output.AddRange(Encoding.ASCII.GetBytes(header));
        output.AddRange(data);
        return output.ToArray();
    }

    private static byte[] Float64(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private DenseMatrix ReadFile(byte[] bytes)
    {
        string path = Path.Combine(directory, "m.npy");
        File.WriteAllBytes(path, bytes);
        return NpyFile.Read(path);
    }
}
