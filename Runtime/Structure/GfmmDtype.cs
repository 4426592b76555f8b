// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
namespace GenLu.Structure;

/// <summary>The number type of a model's weights, its solves and its file's tensors (<c>"dtype"</c>, docs/format.md).</summary>
public enum GfmmDtype
{
    /// <summary>IEEE binary32 (<see cref="float"/>): the default, and every file before float64 existed.</summary>
    Float32,

    /// <summary>IEEE binary64 (<see cref="double"/>): for operators whose condition number leaves float32 no correct digit.</summary>
    Float64,
}
