using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace GenLu.Tests.Support;

/// <summary>
/// .npy, .npz and safetensors bytes written by hand from the formats' descriptions, independent of the readers and
/// writers under test (NumPy's format document, the zip container, the safetensors README).
/// </summary>
internal static class HandMadeArrays
{
    /// <summary>A version-1.0 .npy: magic, version, little-endian header length, the dict padded to 64 bytes, the data.</summary>
    public static byte[] Npy(string descr, string shape, bool fortranOrder, byte[] data)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(padded - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static byte[] Float64Npy(string shape, bool fortranOrder, params double[] values) => Npy("<f8", shape, fortranOrder, Float64Bytes(values));

    public static byte[] Float32Bytes(IEnumerable<float> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Float64Bytes(IEnumerable<double> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Int64Bytes(IEnumerable<long> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>A zip of <c>NAME.npy</c> entries, as numpy.savez (stored) or savez_compressed (deflated) writes it.</summary>
    public static byte[] Npz(IEnumerable<(string EntryName, byte[] Content)> entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }

    /// <summary>A safetensors file: the tensors' data back to back in the given order, the JSON header padded with spaces.</summary>
    public static byte[] SafeTensors(IEnumerable<(string Name, string Dtype, int[] Shape, byte[] Data)> tensors, string? metadataJson = null)
    {
        var members = new List<string>();
        if (metadataJson is not null) members.Add($"\"__metadata__\":{metadataJson}");
        var data = new List<byte>();
        foreach (var (name, dtype, shape, bytes) in tensors)
        {
            string shapeText = string.Join(",", shape.Select(e => e.ToString(CultureInfo.InvariantCulture)));
            members.Add($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{shapeText}],\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}}");
            data.AddRange(bytes);
        }
        return SafeTensorsFromHeader("{" + string.Join(",", members) + "}", data.ToArray());
    }

    /// <summary>A safetensors file from its header text and buffer (the header padded with spaces to a multiple of 8).</summary>
    public static byte[] SafeTensorsFromHeader(string header, byte[] buffer)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header).ToList();
        while (headerBytes.Count % 8 != 0) headerBytes.Add((byte)' ');
        return [.. BitConverter.GetBytes((ulong)headerBytes.Count), .. headerBytes, .. buffer];
    }
}
