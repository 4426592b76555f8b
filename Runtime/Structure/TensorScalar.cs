// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;

namespace GenLu.Structure;

/// <summary>
/// What the shared structure code needs to know about the number type <typeparamref name="T"/> of a block's weights
/// (float for float32 models, double for float64): its dtype, how a double rounds to it and widens back, and its
/// little-endian bytes in a weight file. netstandard2.0 has no generic math, so this is the one place that
/// distinguishes the two; anything else is <see cref="Instance"/> away.
/// </summary>
internal abstract class TensorScalar<T>
    where T : struct, IEquatable<T>
{
    /// <summary>The rules of <typeparamref name="T"/>; only float and double are tensor scalars.</summary>
    public static readonly TensorScalar<T> Instance = Create();

    public abstract GfmmDtype Dtype { get; }

    /// <summary>The format's name of the type: <c>"float32"</c> or <c>"float64"</c>.</summary>
    public string DtypeName => GfmmDtypes.Name(Dtype);

    /// <summary>Bytes per number in a tensor payload.</summary>
    public abstract int ByteSize { get; }

    /// <summary>The nearest <typeparamref name="T"/> (round to nearest even; the identity for double).</summary>
    public abstract T Round(double value);

    /// <summary>The exact double value.</summary>
    public abstract double Widen(T value);

    /// <summary>The number whose little-endian bytes start at <paramref name="offset"/>.</summary>
    public abstract T Read(byte[] bytes, int offset);

    /// <summary>The little-endian bytes of <paramref name="count"/> numbers from <paramref name="offset"/>, in one copy.</summary>
    public byte[] ToBytes(T[] values, int offset, int count)
    {
        var bytes = new byte[(long)count * ByteSize];
        Buffer.BlockCopy(values, offset * ByteSize, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
            for (int start = 0; start < bytes.Length; start += ByteSize) Array.Reverse(bytes, start, ByteSize);
        return bytes;
    }

    private static TensorScalar<T> Create()
    {
        object rules = typeof(T) == typeof(float) ? new SingleScalar()
            : typeof(T) == typeof(double) ? new DoubleScalar()
            : throw new NotSupportedException($"GFMM tensors hold float or double, not {typeof(T).Name}.");
        return (TensorScalar<T>)rules;
    }
}

/// <summary>Reads the little-endian numbers of a payload on a machine of either byte order.</summary>
internal static class LittleEndianBytes
{
    /// <summary>The <paramref name="count"/> bytes at <paramref name="offset"/> in machine order (a copy only on big-endian machines).</summary>
    public static (byte[] Bytes, int Offset) InMachineOrder(byte[] littleEndian, int offset, int count)
    {
        if (BitConverter.IsLittleEndian) return (littleEndian, offset);
        var one = new byte[count];
        Buffer.BlockCopy(littleEndian, offset, one, 0, count);
        Array.Reverse(one);
        return (one, 0);
    }
}

internal sealed class SingleScalar : TensorScalar<float>
{
    public override GfmmDtype Dtype => GfmmDtype.Float32;
    public override int ByteSize => 4;
    public override float Round(double value) => (float)value;
    public override double Widen(float value) => value;

    public override float Read(byte[] bytes, int offset)
    {
        var (machine, at) = LittleEndianBytes.InMachineOrder(bytes, offset, 4);
        return BitConverter.ToSingle(machine, at);
    }
}

internal sealed class DoubleScalar : TensorScalar<double>
{
    public override GfmmDtype Dtype => GfmmDtype.Float64;
    public override int ByteSize => 8;
    public override double Round(double value) => value;
    public override double Widen(double value) => value;

    public override double Read(byte[] bytes, int offset)
    {
        var (machine, at) = LittleEndianBytes.InMachineOrder(bytes, offset, 8);
        return BitConverter.ToDouble(machine, at);
    }
}

/// <summary>The format's names of the dtypes.</summary>
public static class GfmmDtypes
{
    public const string Float32Name = "float32";
    public const string Float64Name = "float64";

    /// <summary><c>"float32"</c> or <c>"float64"</c>.</summary>
    public static string Name(GfmmDtype dtype) => dtype switch
    {
        GfmmDtype.Float32 => Float32Name,
        GfmmDtype.Float64 => Float64Name,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The dtype of a format name; false for any other text.</summary>
    public static bool TryParse(string name, out GfmmDtype dtype)
    {
        switch (name)
        {
            case Float32Name: dtype = GfmmDtype.Float32; return true;
            case Float64Name: dtype = GfmmDtype.Float64; return true;
            default: dtype = default; return false;
        }
    }
}
