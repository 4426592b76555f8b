// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Globalization;

namespace GenLu.Structure;

/// <summary>What one <see cref="ExecutionPlan"/> operation computes.</summary>
public enum PlanOperation
{
    /// <summary>Solve <c>op(F) z = b</c> in place (a triangular block only): the vector holds b on entry, z on exit.</summary>
    Solve,

    /// <summary>Multiply <c>y = op(F) x</c>; input and output may be the same vector (in place).</summary>
    Apply,
}

/// <summary>Where a plan operand lives.</summary>
public enum OperandKind : byte
{
    /// <summary>Leaf block <see cref="PlanOperand.Index"/> of the caller's input vector(s) (Apply plans only).</summary>
    Input,

    /// <summary>Leaf block <see cref="PlanOperand.Index"/> of the caller's output vector(s); a Solve plan's only
    /// caller operand (it holds the right-hand side on entry).</summary>
    Output,

    /// <summary>Scratch slot <see cref="PlanOperand.Index"/>: one P-vector per caller vector, in [0, <see cref="ExecutionPlan.ScratchSlots"/>).</summary>
    Scratch,
}

/// <summary>A P-vector (per caller vector) that a plan step reads or writes.</summary>
public readonly struct PlanOperand : IEquatable<PlanOperand>
{
    /// <summary>An operand of <paramref name="kind"/> at <paramref name="index"/> (leaf block or scratch slot).</summary>
    public PlanOperand(OperandKind kind, int index)
    {
        Kind = kind;
        Index = index;
    }

    /// <summary>Caller vector or scratch.</summary>
    public OperandKind Kind { get; }

    /// <summary>Leaf block (caller vectors) or slot (scratch).</summary>
    public int Index { get; }

    /// <summary>Leaf block <paramref name="leaf"/> of the input.</summary>
    public static PlanOperand Input(int leaf) => new(OperandKind.Input, leaf);

    /// <summary>Leaf block <paramref name="leaf"/> of the output.</summary>
    public static PlanOperand Output(int leaf) => new(OperandKind.Output, leaf);

    /// <summary>Scratch slot <paramref name="slot"/>.</summary>
    public static PlanOperand Scratch(int slot) => new(OperandKind.Scratch, slot);

    /// <inheritdoc/>
    public bool Equals(PlanOperand other) => Kind == other.Kind && Index == other.Index;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PlanOperand other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Kind * 1_000_003 ^ Index;

    /// <summary>E.g. <c>in[3]</c>, <c>out[0]</c>, <c>slot[5]</c>.</summary>
    public override string ToString() =>
        (Kind == OperandKind.Input ? "in" : Kind == OperandKind.Output ? "out" : "slot") + "[" + Index.ToString(CultureInfo.InvariantCulture) + "]";
}

/// <summary>The kinds of plan step.</summary>
public enum PlanStepKind : byte
{
    /// <summary><c>target = 0</c>.</summary>
    Clear,

    /// <summary><c>target += sign · op(W_tensor) source</c>, <c>op</c> the transpose when <see cref="PlanStep.Transposed"/>.</summary>
    Product,

    /// <summary><c>target = op(G_block)⁻¹ target</c> with the block's LU factors.</summary>
    DiagonalSolve,

    /// <summary><c>target = source</c>.</summary>
    Copy,
}

/// <summary>
/// One step of an <see cref="ExecutionPlan"/>. <see cref="Leaf"/> is the leaf being processed when the step runs
/// (the generator prints it as a comment); a Clear that starts an interior value also names it by
/// <see cref="Level"/> and <see cref="Node"/> (<c>y[l][k]</c> when <see cref="IsDecoderValue"/>, else <c>s[l][k]</c>).
/// </summary>
public readonly struct PlanStep : IEquatable<PlanStep>
{
    private PlanStep(PlanStepKind kind, int tensor, int block, PlanOperand source, PlanOperand target, bool negative,
        bool transposed, int leaf, int level, int node, bool isDecoderValue)
    {
        Kind = kind;
        Tensor = tensor;
        Block = block;
        Source = source;
        Target = target;
        Negative = negative;
        Transposed = transposed;
        Leaf = leaf;
        Level = level;
        Node = node;
        IsDecoderValue = isDecoderValue;
    }

    /// <summary>What the step does.</summary>
    public PlanStepKind Kind { get; }

    /// <summary>The layout's tensor index of a Product, else -1.</summary>
    public int Tensor { get; }

    /// <summary>The leaf whose <c>G_i</c> a DiagonalSolve uses, else -1.</summary>
    public int Block { get; }

    /// <summary>What a Product or Copy reads (default for Clear and DiagonalSolve).</summary>
    public PlanOperand Source { get; }

    /// <summary>What the step writes.</summary>
    public PlanOperand Target { get; }

    /// <summary>A Product subtracts (sign −1) instead of adding.</summary>
    public bool Negative { get; }

    /// <summary>A Product or DiagonalSolve uses the transposed tensor.</summary>
    public bool Transposed { get; }

    /// <summary>The leaf being processed, or -1 for steps outside the leaf stream (a general block's upward pass).</summary>
    public int Leaf { get; }

    /// <summary>Level of the interior value a Clear starts, or -1.</summary>
    public int Level { get; }

    /// <summary>Node of the interior value a Clear starts, or -1.</summary>
    public int Node { get; }

    /// <summary>The interior value a Clear starts is a decoder value <c>y[l][k]</c> (else an encoder sum <c>s[l][k]</c>).</summary>
    public bool IsDecoderValue { get; }

    internal static PlanStep Clear(PlanOperand target, int leaf) => new(PlanStepKind.Clear, -1, -1, default, target, false, false, leaf, -1, -1, false);

    internal static PlanStep ClearValue(PlanOperand target, int leaf, int level, int node, bool decoder) =>
        new(PlanStepKind.Clear, -1, -1, default, target, false, false, leaf, level, node, decoder);

    internal static PlanStep Product(int tensor, PlanOperand source, PlanOperand target, bool negative, bool transposed, int leaf) =>
        new(PlanStepKind.Product, tensor, -1, source, target, negative, transposed, leaf, -1, -1, false);

    internal static PlanStep DiagonalSolve(int block, PlanOperand target, bool transposed) =>
        new(PlanStepKind.DiagonalSolve, -1, block, default, target, false, transposed, block, -1, -1, false);

    internal static PlanStep Copy(PlanOperand source, PlanOperand target, int leaf) =>
        new(PlanStepKind.Copy, -1, -1, source, target, false, false, leaf, -1, -1, false);

    /// <inheritdoc/>
    public bool Equals(PlanStep other) =>
        Kind == other.Kind && Tensor == other.Tensor && Block == other.Block && Source.Equals(other.Source) && Target.Equals(other.Target)
        && Negative == other.Negative && Transposed == other.Transposed && Leaf == other.Leaf && Level == other.Level && Node == other.Node
        && IsDecoderValue == other.IsDecoderValue;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PlanStep other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (((int)Kind * 397 ^ Tensor) * 397 ^ Block) * 397 ^ Target.GetHashCode();

    /// <summary>E.g. <c>Product(t12ᵀ, in[3] → slot[0], −)</c>.</summary>
    public override string ToString()
    {
        string t = Transposed ? "ᵀ" : "";
        switch (Kind)
        {
            case PlanStepKind.Clear: return $"Clear({Target})";
            case PlanStepKind.Product: return $"Product(t{Tensor.ToString(CultureInfo.InvariantCulture)}{t}, {Source} → {Target}, {(Negative ? "−" : "+")})";
            case PlanStepKind.DiagonalSolve: return $"DiagonalSolve(G_{Block.ToString(CultureInfo.InvariantCulture)}{t}, {Target})";
            default: return $"Copy({Source} → {Target})";
        }
    }
}
