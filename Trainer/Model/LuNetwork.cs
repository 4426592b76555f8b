using static TorchSharp.torch;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Trainer.Model;

/// <summary>
/// The learned factorization <c>A ≈ L U</c> (of the operator already divided by its scale) as a TorchSharp
/// module: <c>forward(X) = L (U X)</c> for columns X of shape [N, B].
/// </summary>
internal sealed class LuNetwork : nn.Module<Tensor, Tensor>
{
    private readonly GfmmFactor lower;
    private readonly GfmmFactor upper;

    public LuNetwork(int m, int p, ScalarType dtype = ScalarType.Float32) : base(nameof(LuNetwork))
    {
        lower = new GfmmFactor("L", new GfmmLayout(GfmmKind.Lower, m, p), dtype);
        upper = new GfmmFactor("U", new GfmmLayout(GfmmKind.Upper, m, p), dtype);
        RegisterComponents();
    }

    public GfmmFactor Lower => lower;
    public GfmmFactor Upper => upper;
    public int M => lower.Layout.M;
    public int P => lower.Layout.P;
    public int N => lower.Layout.N;
    public ScalarType DType => lower.Weights.dtype;

    /// <summary>Both factors, L first: the order of every per-factor list (masks, optimizer state).</summary>
    public IReadOnlyList<GfmmFactor> Factors => [lower, upper];

    public override Tensor forward(Tensor columns) => Apply(columns, x => lower.forward(upper.forward(x)));

    /// <summary><c>U^T L^T X</c>.</summary>
    public Tensor ForwardTransposed(Tensor columns) =>
        Apply(columns, x => upper.ForwardTransposed(lower.ForwardTransposed(x)));

    /// <summary>Applies a block-batched map to columns [N, B] (leaf block i of column b is x[i, :, b]).</summary>
    public Tensor Apply(Tensor columns, Func<Tensor, Tensor> blockMap)
    {
        if (columns.ndim != 2 || columns.shape[0] != N)
            throw new ArgumentException($"Expected columns of shape [{N}, B], got [{string.Join(", ", columns.shape)}].", nameof(columns));
        long batch = columns.shape[1];
        return blockMap(columns.reshape(M, P, batch)).reshape(N, batch);
    }

    /// <summary>Every weight uniform in [-0.1, 0.1] (spec), drawn from <paramref name="generator"/>, L then U.</summary>
    public void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var factor in Factors)
            factor.Weights.uniform_(-0.1, 0.1, generator);
    }

    /// <summary>Copies the weights of a Runtime model (same M and P) into this network.</summary>
    public void Load(GfmmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.M != M || model.P != P)
            throw new ArgumentException($"The model has M = {model.M}, P = {model.P}; this network has M = {M}, P = {P}.", nameof(model));
        using var noGrad = no_grad();
        lower.Weights.copy_(tensor(model.L.ToArray()).view(lower.Weights.shape));
        upper.Weights.copy_(tensor(model.U.ToArray()).view(upper.Weights.shape));
    }

    /// <summary>The weights as Runtime blocks (float32; the flat order is the layout's, so this is a copy).</summary>
    public (GfmmBlock Lower, GfmmBlock Upper) ExportBlocks() =>
        (new GfmmBlock(lower.Layout, ToFloats(lower.Weights)), new GfmmBlock(upper.Layout, ToFloats(upper.Weights)));

    internal static float[] ToFloats(Tensor t) => t.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();
}
