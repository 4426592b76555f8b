namespace GenLu.IO;

/// <summary>
/// An append-only array that doubles when full, up to a limit: the readers store what a file actually holds in it,
/// so their allocation follows the data read, never a size the file merely declares.
/// </summary>
internal sealed class GrowableArray<T>
{
    private const int MinimumGrowth = 16;
    private readonly long limit;
    private T[] items;

    /// <summary>Starts with room for <paramref name="capacity"/> items and never grows beyond <paramref name="limit"/>.</summary>
    public GrowableArray(int capacity, long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        this.limit = Math.Min(limit, Array.MaxLength);
        items = capacity == 0 ? [] : new T[Math.Min(capacity, this.limit)];
    }

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == items.Length)
        {
            Grow();
        }

        items[Count++] = item;
    }

    public Span<T> AsSpan() => items.AsSpan(0, Count);

    /// <summary>The items as an array of exactly <see cref="Count"/> elements (the storage itself when it is full).</summary>
    public T[] ToExactArray() => Count == items.Length ? items : items.AsSpan(0, Count).ToArray();

    private void Grow()
    {
        long capacity = Math.Min(Math.Max(MinimumGrowth, 2L * items.Length), limit);
        if (capacity <= Count)
        {
            throw new InvalidOperationException($"More than {limit:N0} items; no single array holds them.");
        }

        Array.Resize(ref items, (int)capacity);
    }
}
