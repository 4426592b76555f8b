using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using GenLu.Structure;

namespace GenLu.Trainer.Model;

/// <summary>
/// One triangular GFMM block (L or U, spec "One GFMM block") as a TorchSharp module. All P x P weights
/// live in one parameter of shape [TensorCount, P, P] in <see cref="GfmmLayout"/> order, so every group
/// the products need (the encoders of a level, the decoders of a level, the diagonal blocks, the bridge
/// blocks of a level) is a contiguous slice, and export is a plain copy. Each tree level costs a few
/// batched matrix products over all its nodes instead of one small product per edge.
/// </summary>
/// <remarks>
/// Vectors are batched as [M, P, B]: leaf block i of all B columns. The zero root is not stored, so
/// the encoders and decoders of the coarsest level carry nothing (their gradient is zero); they are
/// kept because the file format stores them.
/// </remarks>
internal sealed class GfmmFactor : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weights;

    public GfmmFactor(string name, GfmmLayout layout, ScalarType dtype) : base(name)
    {
        if (layout.Kind == GfmmKind.General)
            throw new ArgumentException("Only triangular (Lower or Upper) blocks can be trained.", nameof(layout));
        Layout = layout;
        weights = new Parameter(zeros(layout.TensorCount, layout.P, layout.P, dtype));
        RegisterComponents();
    }

    public GfmmLayout Layout { get; }

    /// <summary>The [TensorCount, P, P] weights, tensor <c>t</c> at index <c>t</c> of <see cref="Layout"/>.</summary>
    public Parameter Weights => weights;

    /// <summary><c>F x</c> for a batch x of shape [M, P, B].</summary>
    public override Tensor forward(Tensor x) => Sweep(x, transposed: false);

    /// <summary><c>F^T x</c> for a batch x of shape [M, P, B] (spec "Transposed product").</summary>
    public Tensor ForwardTransposed(Tensor x) => Sweep(x, transposed: true);

    /// <summary>
    /// The shared up-sweep / down-sweep. For F the up-sweep combines children through the encoders and
    /// the down-sweep spreads through the decoders; for F^T the decoders (transposed) go up and the
    /// encoders (transposed) go down, and the bridge shifts the other way.
    /// </summary>
    private Tensor Sweep(Tensor x, bool transposed)
    {
        int m = Layout.M, p = Layout.P, levels = Layout.Levels;
        long batch = x.shape[2];

        // up[l]: the values entering level l (s[l] for F, t[l] for F^T). The coarsest level's
        // up-edges feed only the zero root, so they are skipped.
        var up = new Tensor[levels];
        up[0] = x;
        for (int level = 0; level + 1 < levels; level++)
        {
            int d = m >> level;
            up[level + 1] = Gather(level, transposed).bmm(up[level].view(d / 2, 2 * p, batch));
        }

        Tensor? down = null;
        for (int level = levels - 1; level >= 0; level--)
        {
            int d = m >> level;
            Tensor result = Bridge(level, up[level], transposed);
            if (level == 0)
                result = result + Diagonal(transposed).bmm(up[0]);
            if (down is not null)
                result = result + Scatter(level, transposed).bmm(down).view(d, p, batch);
            down = result;
        }
        return down!;
    }

    /// <summary>[d/2, P, 2P]: parent j receives <c>[W_2j  W_2j+1]</c> times its two stacked children.</summary>
    private Tensor Gather(int level, bool transposed)
    {
        int d = Layout.NodeCount(level), p = Layout.P;
        return transposed
            ? Group(Layout.Decoder(level, 0), d).view(d / 2, 2 * p, p).transpose(1, 2)
            : SideBySide(Group(Layout.Encoder(level, 0), d));
    }

    /// <summary>[d/2, 2P, P]: children 2j and 2j+1 receive <c>[W_2j ; W_2j+1]</c> times parent j.</summary>
    private Tensor Scatter(int level, bool transposed)
    {
        int d = Layout.NodeCount(level), p = Layout.P;
        return transposed
            ? SideBySide(Group(Layout.Encoder(level, 0), d)).transpose(1, 2)
            : Group(Layout.Decoder(level, 0), d).view(d / 2, 2 * p, p);
    }

    /// <summary>[d, P, P] edges as [d/2, P, 2P] with each sibling pair placed side by side.</summary>
    private Tensor SideBySide(Tensor edges)
    {
        long d = edges.shape[0], p = Layout.P;
        return edges.view(d / 2, 2, p, p).permute(0, 2, 1, 3).reshape(d / 2, p, 2 * p);
    }

    private Tensor Diagonal(bool transposed)
    {
        Tensor g = Group(Layout.Diagonal(0), Layout.M);
        return transposed ? g.transpose(1, 2) : g;
    }

    /// <summary>
    /// The off-diagonal bridge blocks of a level. Block k couples nodes k and k+1: Lo_k maps node k into
    /// node k+1, Up_k maps node k+1 into node k; the transpose swaps the direction.
    /// </summary>
    private Tensor Bridge(int level, Tensor values, bool transposed)
    {
        int d = Layout.NodeCount(level);
        bool lower = Layout.Kind == GfmmKind.Lower;
        Tensor blocks = Group(lower ? Layout.LowerBridge(level, 0) : Layout.UpperBridge(level, 0), d - 1);
        if (transposed) blocks = blocks.transpose(1, 2);

        bool intoNext = lower != transposed;
        Tensor coupled = blocks.bmm(values.narrow(0, intoNext ? 0 : 1, d - 1));
        // Node 0 (into next) or node d-1 (into previous) receives nothing from the bridge.
        return nn.functional.pad(coupled, intoNext ? [0, 0, 0, 0, 1, 0] : [0, 0, 0, 0, 0, 1]);
    }

    private Tensor Group(int firstTensor, int count) => weights.narrow(0, firstTensor, count);
}
