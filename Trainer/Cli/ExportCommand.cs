using System.CommandLine;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.IO;
using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu export</c>: a model as a NumPy <c>.npz</c> archive with the reference implementation's state-dict names
/// (<c>L.encoder.0.3.W.weight</c>, …; shape [P, P], float32, or float64 for a float64 model), the all-zero root edges the reference's modules hold, and
/// the scalars <c>scale</c> (float64), <c>N</c>, <c>M</c>, <c>P</c> (int64). <c>genlu import</c> reads a float32 model's back bit for bit (a float64 model's is read back rounded to float32).
/// </summary>
internal static class ExportCommand
{
    /// <summary>The name of the scale scalar, <c>s</c> of <c>A ≈ s · L · U</c>.</summary>
    public const string ScaleName = "scale";

    /// <summary>The name of the operator's order (may be less than M · P).</summary>
    public const string OrderName = "N";

    public const string LeafCountName = "M";

    public const string BlockSizeName = "P";

    /// <summary>The reference's name of the root edge of L and U, identically zero (GenLu does not store it).</summary>
    public const string RootName = "root_bridge.W.weight";

    public static Command Create(CliConsole console)
    {
        var modelArgument = new Argument<FileInfo>("model") { Description = "A *.gfmm.json model file." };
        var to = new Option<FileInfo>("--to") { Description = "The .npz archive to write (numpy.load reads it).", Required = true };
        var command = new Command("export", "Write a model's tensors as a NumPy .npz archive with the reference's state-dict names.");
        command.Arguments.Add(modelArgument);
        command.Options.Add(to);
        command.SetAction(result => GenluCommandLine.Guarded(console, "export", () =>
        {
            string target = result.GetValue(to)!.FullName;
            if (!string.Equals(Path.GetExtension(target), ".npz", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"--to: '{target}' must be a .npz file.");
            if (Directory.Exists(target)) throw new CliException($"--to: '{target}' is a directory; give the path of a file.");
            if (!Directory.Exists(Path.GetDirectoryName(target))) throw new CliException($"--to: directory '{Path.GetDirectoryName(target)}' does not exist.");
            var file = result.GetValue(modelArgument)!;
            if (!file.Exists) throw new CliException($"model file '{file.FullName}' does not exist.");

            var model = GfmmModel.Load(file.FullName);
            var arrays = ToArrays(model);
            NpzArchive.Write(target, arrays);
            console.Out.WriteLine(Markup.Escape($"Wrote {arrays.Count} arrays (M = {model.M}, P = {model.P}, N = {model.N}, scale {model.Scale:R}) to {target}."));
            return 0;
        }));
        return command;
    }

    /// <summary>Every array of the export, by name: the tensors of L and U (with their zero roots) and the four scalars.</summary>
    public static SortedDictionary<string, NdArray> ToArrays(GfmmModel model)
    {
        var arrays = new SortedDictionary<string, NdArray>(StringComparer.Ordinal);
        int[] shape = [model.P, model.P];
        foreach (var (prefix, block) in new[] { ("L.", model.L), ("U.", model.U) })
        {
            for (int t = 0; t < block.Layout.TensorCount; t++)
                // A tensor the model does not store is zero; the export holds every tensor a state dict has.
                arrays.Add(prefix + block.Layout.TensorName(t), Tensor(block, t, shape));
            arrays.Add(prefix + RootName, new NdArray(TensorType(block), shape, new double[block.Layout.TensorSize]));
        }

        arrays.Add(ScaleName, NdArray.Scalar(model.Scale));
        arrays.Add(OrderName, NdArray.Scalar(model.N));
        arrays.Add(LeafCountName, NdArray.Scalar(model.M));
        arrays.Add(BlockSizeName, NdArray.Scalar(model.P));
        return arrays;
    }

    /// <summary>A tensor as an array of the model's dtype (float32 or float64), zeros when the block does not store it.</summary>
    private static NdArray Tensor(GfmmBlock block, int t, int[] shape)
    {
        if (block.Dtype == GfmmDtype.Float32)
            return NdArray.FromSingles(block.IsStored(t) ? block.Tensor(t) : new float[block.Layout.TensorSize], shape);
        return new NdArray(NdArrayType.Float64, shape, block.IsStored(t) ? block.Tensor<double>(t).ToArray() : new double[block.Layout.TensorSize]);
    }

    private static NdArrayType TensorType(GfmmBlock block) => block.Dtype == GfmmDtype.Float64 ? NdArrayType.Float64 : NdArrayType.Float32;
}
