using System;
using System.Collections;
using System.Collections.Generic;

namespace GenLu.Generator.Model;

/// <summary>
/// An immutable array with value equality, so that pipeline models holding arrays compare by content and
/// the incremental driver can cache them. The wrapped array is never mutated after construction.
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? items;

    public EquatableArray(T[] items) => this.items = items;

    public static EquatableArray<T> Empty => new(Array.Empty<T>());

    public int Count => items?.Length ?? 0;

    public T this[int index] => items![index];

    public ReadOnlySpan<T> AsSpan() => items;

    public bool Equals(EquatableArray<T> other)
    {
        var left = AsSpan();
        var right = other.AsSpan();
        if (left.Length != right.Length) return false;
        for (int i = 0; i < left.Length; i++)
            if (!EqualityComparer<T>.Default.Equals(left[i], right[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <summary>Hashes the length and a bounded sample of items: cheap for multi-megabyte weight arrays,
    /// and equal arrays still hash equally.</summary>
    public override int GetHashCode()
    {
        var span = AsSpan();
        int hash = span.Length;
        int step = Math.Max(1, span.Length / 64);
        for (int i = 0; i < span.Length; i += step)
            hash = unchecked(hash * 31 + EqualityComparer<T>.Default.GetHashCode(span[i]));
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}
