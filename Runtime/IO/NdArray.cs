namespace GenLu.IO;

/// <summary>The element types the array readers and writers (.npy, .npz, safetensors) handle.</summary>
public enum NdArrayType
{
    /// <summary>IEEE single precision (.npy <c>'&lt;f4'</c>, safetensors <c>F32</c>).</summary>
    Float32,

    /// <summary>IEEE double precision (.npy <c>'&lt;f8'</c>, safetensors <c>F64</c>).</summary>
    Float64,

    /// <summary>Signed 64-bit integers (.npy <c>'&lt;i8'</c>, safetensors <c>I64</c>), limited to ±2⁵³ so that every value
    /// is exact in <see cref="NdArray.Values"/>.</summary>
    Int64,
}

/// <summary>
/// An array of rank 0 (a scalar), 1 or 2 as the .npy, .npz and safetensors files hold it: its element type, its shape and
/// its values in C (row-major) order, held as doubles. The constructor enforces what the element type promises: every
/// value is finite, a <see cref="NdArrayType.Float32"/> value is exactly a float, an <see cref="NdArrayType.Int64"/>
/// value an integer within ±2⁵³; so writing an array and reading it back gives the same bits.
/// </summary>
public sealed class NdArray
{
    /// <summary>The largest integer magnitude an <see cref="NdArrayType.Int64"/> array holds (every such integer is a double).</summary>
    public const long MaxExactInteger = 1L << 53;

    /// <summary>The largest rank the readers and writers support.</summary>
    public const int MaxRank = 2;

    private readonly int[] shape;

    /// <summary>Wraps <paramref name="values"/> (not copied) as an array of the given type and shape.</summary>
    /// <exception cref="ArgumentException">The shape is not of rank 0–2 with positive extents, the value count differs from
    /// the shape's, or a value is not representable in <paramref name="type"/> (NaN, infinite, not a float, not an integer).</exception>
    public NdArray(NdArrayType type, ReadOnlySpan<int> shape, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (type is not (NdArrayType.Float32 or NdArrayType.Float64 or NdArrayType.Int64))
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown element type.");
        if (shape.Length > MaxRank)
            throw new ArgumentException($"An array of rank {shape.Length} is not supported (at most {MaxRank}).", nameof(shape));
        long count = 1;
        foreach (int extent in shape)
        {
            if (extent < 1) throw new ArgumentException($"Every extent of the shape ({string.Join(", ", shape.ToArray())}) must be positive.", nameof(shape));
            count *= extent;
        }

        if (count != values.Length)
            throw new ArgumentException($"The shape ({string.Join(", ", shape.ToArray())}) holds {count} values, but {values.Length} were given.", nameof(values));
        for (int k = 0; k < values.Length; k++)
        {
            if (Representable(type, values[k]) is { } problem)
                throw new ArgumentException($"Value number {k} is {values[k]}: {problem}.", nameof(values));
        }

        Type = type;
        this.shape = shape.ToArray();
        Values = values;
    }

    /// <summary>The element type.</summary>
    public NdArrayType Type { get; }

    /// <summary>The extents, outermost first (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of dimensions: 0 for a scalar.</summary>
    public int Rank => shape.Length;

    /// <summary>The values in C order (the last index varies fastest).</summary>
    public double[] Values { get; }

    /// <summary>The shape as numpy prints it, e.g. <c>(4, 4)</c>, <c>(8,)</c> or <c>()</c>.</summary>
    public string ShapeText => FormatShape(shape);

    /// <summary>A float64 scalar.</summary>
    public static NdArray Scalar(double value) => new(NdArrayType.Float64, [], [value]);

    /// <summary>An int64 scalar.</summary>
    /// <exception cref="ArgumentException">|value| exceeds <see cref="MaxExactInteger"/>.</exception>
    public static NdArray Scalar(long value) => new(NdArrayType.Int64, [], [value]);

    /// <summary>A float32 array of the given shape holding <paramref name="values"/> (copied).</summary>
    public static NdArray FromSingles(ReadOnlySpan<float> values, ReadOnlySpan<int> shape)
    {
        var widened = new double[values.Length];
        for (int k = 0; k < values.Length; k++) widened[k] = values[k];
        return new NdArray(NdArrayType.Float32, shape, widened);
    }

    /// <summary>The single value of an array with exactly one element (a scalar, or shape (1,) or (1, 1)).</summary>
    /// <exception cref="InvalidOperationException">The array has more than one element.</exception>
    public double SingleValue() => Values.Length == 1
        ? Values[0]
        : throw new InvalidOperationException($"An array of shape {ShapeText} is not a scalar.");

    internal static string FormatShape(ReadOnlySpan<int> extents) => extents.Length switch
    {
        0 => "()",
        1 => $"({extents[0]},)",
        _ => $"({string.Join(", ", extents.ToArray())})",
    };

    internal static string FormatShape(IReadOnlyList<long> extents) => extents.Count == 1 ? $"({extents[0]},)" : $"({string.Join(", ", extents)})";

    /// <summary>Null when <paramref name="value"/> fits the type, else what is wrong with it.</summary>
    internal static string? Representable(NdArrayType type, double value)
    {
        if (!double.IsFinite(value)) return "NaN and infinities are rejected";
        return type switch
        {
            NdArrayType.Float32 when (double)(float)value != value => "not exactly a float32 value",
            NdArrayType.Int64 when Math.Floor(value) != value => "not an integer",
            NdArrayType.Int64 when Math.Abs(value) > MaxExactInteger => $"larger in magnitude than 2^53 = {MaxExactInteger}",
            _ => null,
        };
    }

    /// <summary>Bytes per element in the files.</summary>
    internal static int ItemSize(NdArrayType type) => type == NdArrayType.Float32 ? 4 : 8;
}
