using GenLu.IO;
using GenLu.Tests.Support;

namespace GenLu.Tests.IO;

public sealed class SafeTensorsTests
{
    private static SafeTensorsContent Read(byte[] bytes) => SafeTensors.Read(new MemoryStream(bytes), "test.safetensors");

    [Fact]
    public void Tensors_of_each_type_and_the_metadata_are_read_bit_for_bit()
    {
        float[] weights = [1.5f, -0f, float.Epsilon, -2.25f, 3e38f, 7f];
        byte[] file = HandMadeArrays.SafeTensors(
        [
            ("L.w", "F32", [2, 3], HandMadeArrays.Float32Bytes(weights)),
            ("scale", "F64", [], HandMadeArrays.Float64Bytes([0.1])),
            ("sizes", "I64", [2], HandMadeArrays.Int64Bytes([2225, -1])),
        ], metadataJson: "{\"format\":\"pt\"}");
        var content = Read(file);

        content.Metadata["format"].ShouldBe("pt");
        var w = content.Tensors["L.w"];
        (w.Type, w.Rank, w.Shape[0], w.Shape[1]).ShouldBe((NdArrayType.Float32, 2, 2, 3));
        w.Values.Select(v => BitConverter.SingleToInt32Bits((float)v)).ShouldBe(weights.Select(BitConverter.SingleToInt32Bits));
        content.Tensors["scale"].Rank.ShouldBe(0);
        content.Tensors["scale"].SingleValue().ShouldBe(0.1);
        content.Tensors["sizes"].Values.ShouldBe([2225, -1]);
    }

    [Fact]
    public void Truncated_and_oversized_headers_are_rejected_before_allocation()
    {
        Should.Throw<MatrixFormatException>(() => Read([1, 0, 0])).Message.ShouldContain("ends inside the 8-byte header length");
        // A header length far beyond the file (a 2^60-byte claim): refused from the file's length, nothing allocated.
        byte[] huge = [.. BitConverter.GetBytes(1UL << 60), .. "{}"u8.ToArray()];
        long before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<MatrixFormatException>(() => Read(huge)).Message.ShouldContain("bad header length");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
        byte[] longerThanFile = [.. BitConverter.GetBytes(100UL), .. "{\"a\":1}"u8.ToArray()];
        Should.Throw<MatrixFormatException>(() => Read(longerThanFile)).Message.ShouldContain("only 7 bytes follow");
        Should.Throw<MatrixFormatException>(() => Read([.. BitConverter.GetBytes(1UL), (byte)'{'])).Message.ShouldContain("at least 2 bytes");
        Should.Throw<MatrixFormatException>(() => Read([.. BitConverter.GetBytes(ulong.MaxValue), .. "{}"u8.ToArray()])).Message.ShouldContain("bad header length");
    }

    public static TheoryData<string, string, byte[], string> BadHeaders => new()
    {
        { "not json", "{\"a\": ", [], "not valid JSON" },
        { "not an object", "[1, 2]", [], "must be a JSON object" },
        { "unsupported dtype", "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4], "dtype F16" },
        { "rank 3", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1],\"data_offsets\":[0,4]}}", new byte[4], "rank 3" },
        { "shape disagrees", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8], "needs 12 bytes" },
        { "shape overflows", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}", new byte[8], "needs more bytes than" },
        { "past the buffer", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8], "run past the buffer" },
        { "overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12], "overlaps" },
        { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8], "belong to no tensor" },
        { "trailing bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[12], "cover 4 bytes" },
        { "missing field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4], "must define dtype, shape and data_offsets" },
        { "unknown field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", new byte[4], "unexpected or repeated field 'x'" },
        { "negative offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[4], "non-negative integers" },
        { "duplicate name", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8], "names 'a' twice" },
        { "bad metadata", "{\"__metadata__\":{\"k\":1}}", [], "must be a string" },
        { "nan", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", HandMadeArrays.Float32Bytes([1f, float.NaN]), "NaN" },
        { "empty tensor", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", [], "empty tensors" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Malformed_headers_and_buffers_are_MatrixFormatExceptions(string what, string header, byte[] buffer, string expected)
    {
        var error = Should.Throw<MatrixFormatException>(() => Read(HandMadeArrays.SafeTensorsFromHeader(header, buffer)), what);
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_refused()
    {
        byte[] file = HandMadeArrays.SafeTensors([("a", "F64", [1], HandMadeArrays.Float64Bytes([1.0]))]);
        Should.Throw<ArgumentException>(() => SafeTensors.Read(new ForwardOnlyStream(file)));
    }
}
