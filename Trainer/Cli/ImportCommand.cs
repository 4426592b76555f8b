using System.CommandLine;
using System.Globalization;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Structure;
using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu import</c>: a GenLu weight file from an <c>.npz</c> or <c>.safetensors</c> file of named tensors, as
/// <c>genlu export</c> writes them or as a state dict of the reference implementation converts (docs/interop.md).
/// </summary>
internal static class ImportCommand
{
    /// <summary>Tensor names listed in a "missing" message before it says how many more there are.</summary>
    private const int ListedNames = 3;

    public static Command Create(CliConsole console)
    {
        var source = new Argument<FileInfo>("tensors") { Description = "A .npz (numpy.savez) or .safetensors file of tensors named as the reference's state dict." };
        var scale = new Option<double?>("--scale") { Description = "The scale s of A ≈ s · L · U; required when the file has no 'scale'." };
        var order = new Option<int?>("--n") { Description = "The operator's order N (≤ M · P); default: the file's 'N', else M · P." };
        var allowMissingZero = new Option<bool>("--allow-missing-zero") { Description = "Treat absent tensors as zero instead of refusing the file." };
        var output = new Option<FileInfo>("--out") { Description = "The model file to write (*.gfmm.json).", Required = true };
        var command = new Command("import", "Build a model file from named tensors (.npz or .safetensors), e.g. a converted PyTorch state dict.");
        command.Arguments.Add(source);
        foreach (Option option in new Option[] { scale, order, allowMissingZero, output })
            command.Options.Add(option);
        command.SetAction(result => GenluCommandLine.Guarded(console, "import", () =>
        {
            string target = result.GetValue(output)!.FullName;
            if (Directory.Exists(target)) throw new CliException($"--out: '{target}' is a directory; give the path of a file.");
            if (!Directory.Exists(Path.GetDirectoryName(target))) throw new CliException($"--out: directory '{Path.GetDirectoryName(target)}' does not exist.");
            if (!target.EndsWith(".gfmm.json", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"--out: '{target}' must end in .gfmm.json (the name the source generator picks up).");
            var file = result.GetValue(source)!;
            if (!file.Exists) throw new CliException($"tensor file '{file.FullName}' does not exist.");

            var arrays = Path.GetExtension(file.FullName).ToLowerInvariant() switch
            {
                ".npz" => NpzArchive.Read(file.FullName),
                ".safetensors" => SafeTensors.Read(file.FullName).Tensors,
                var other => throw new CliException($"tensor file '{file.FullName}': unknown extension '{other}'; use .npz or .safetensors."),
            };
            var model = FromArrays(arrays, result.GetValue(scale), result.GetValue(order), result.GetValue(allowMissingZero), file.Name);
            model.Save(target);
            console.Out.WriteLine(Markup.Escape($"Imported M = {model.M}, P = {model.P}, N = {model.N}, scale {model.Scale:R} from {file.Name} to {target}."));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The model the named arrays describe. M and P come from the scalars <c>M</c>/<c>P</c> or, when absent, from the
    /// tensors' names and shapes; the scale from <c>scale</c> or <paramref name="scale"/>; N from <c>N</c>,
    /// <paramref name="order"/> or M · P. Every tensor must be [P, P], finite and named by the layout (the reference's
    /// zero root edges are accepted when zero); every tensor of the layout must be present unless
    /// <paramref name="allowMissingZero"/>.
    /// </summary>
    public static GfmmModel FromArrays(IReadOnlyDictionary<string, NdArray> arrays, double? scale, int? order, bool allowMissingZero, string sourceName)
    {
        var scalars = new[] { ExportCommand.ScaleName, ExportCommand.OrderName, ExportCommand.LeafCountName, ExportCommand.BlockSizeName };
        var tensors = arrays.Where(pair => !scalars.Contains(pair.Key)).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        if (tensors.Count == 0) throw new CliException($"{sourceName} holds no tensors.");

        int p = Integer(arrays, ExportCommand.BlockSizeName) ?? InferBlockSize(tensors);
        int m = Integer(arrays, ExportCommand.LeafCountName) ?? InferLeafCount(tensors);
        GfmmLayout lowerLayout, upperLayout;
        try
        {
            lowerLayout = new GfmmLayout(GfmmKind.Lower, m, p);
            upperLayout = new GfmmLayout(GfmmKind.Upper, m, p);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliException($"{sourceName}: M = {m}, P = {p} is not a GFMM shape: {FirstSentence(e.Message)}");
        }

        var lower = new float[lowerLayout.WeightCount];
        var upper = new float[upperLayout.WeightCount];
        var lowerIndex = lowerLayout.TensorIndexByName();
        var upperIndex = upperLayout.TensorIndexByName();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            bool isLower = name.StartsWith("L.", StringComparison.Ordinal), isUpper = name.StartsWith("U.", StringComparison.Ordinal);
            string local = isLower || isUpper ? name[2..] : name;
            if (array.Rank != 2 || array.Shape[0] != p || array.Shape[1] != p)
                throw new CliException($"{sourceName}: tensor '{name}' has shape {array.ShapeText}; every tensor must be ({p}, {p}).");
            float[] weights = Singles(array, name, sourceName);
            if ((isLower || isUpper) && local == ExportCommand.RootName)
            {
                if (weights.Any(w => w != 0)) throw new CliException($"{sourceName}: tensor '{name}' is not zero; the root edge of L and U must be identically zero.");
                continue;
            }

            int index = -1;
            bool known = (isLower && lowerIndex.TryGetValue(local, out index)) || (isUpper && upperIndex.TryGetValue(local, out index));
            if (!known) throw new CliException($"{sourceName}: unexpected tensor '{name}': no tensor of that name exists for M = {m}, P = {p}.");
            weights.CopyTo((isLower ? lower : upper).AsSpan(index * p * p, p * p));
            placed.Add(name);
        }

        var missing = new[] { ("L.", lowerLayout), ("U.", upperLayout) }
            .SelectMany(side => Enumerable.Range(0, side.Item2.TensorCount).Select(t => side.Item1 + side.Item2.TensorName(t)))
            .Where(name => !placed.Contains(name)).ToList();
        if (missing.Count > 0 && !allowMissingZero)
        {
            string listed = string.Join(", ", missing.Take(ListedNames).Select(name => $"'{name}'"));
            throw new CliException($"{sourceName}: {missing.Count} tensor{(missing.Count == 1 ? " is" : "s are")} missing for M = {m}, P = {p}: {listed}" +
                $"{(missing.Count > ListedNames ? $" and {missing.Count - ListedNames} more" : "")} (--allow-missing-zero reads absent tensors as zero).");
        }

        double s = Scale(arrays, scale, sourceName);
        int n = Order(arrays, order, lowerLayout.N, sourceName);
        var provenance = new GfmmProvenance
        {
            Construction = new ConstructionProvenance { Method = "imported", AdditionalFields = new() { ["source"] = sourceName } },
        };
        return new GfmmModel(new GfmmBlock(lowerLayout, lower), new GfmmBlock(upperLayout, upper), s, provenance, n);
    }

    private static double Scale(IReadOnlyDictionary<string, NdArray> arrays, double? given, string sourceName)
    {
        double? stored = arrays.TryGetValue(ExportCommand.ScaleName, out var array) ? ScalarValue(array, ExportCommand.ScaleName, sourceName) : null;
        if (stored is { } a && given is { } b && a != b)
            throw new CliException($"{sourceName} records scale {a:R}, but --scale is {b:R}; give one or make them agree.");
        double value = stored ?? given ?? throw new CliException($"{sourceName} has no 'scale'; give it with --scale S (A ≈ s · L · U).");
        if (!(value > 0) || !double.IsFinite(value)) throw new CliException($"the scale must be finite and > 0, not {value:R}.");
        return value;
    }

    private static int Order(IReadOnlyDictionary<string, NdArray> arrays, int? given, int paddedN, string sourceName)
    {
        int? stored = Integer(arrays, ExportCommand.OrderName, sourceName);
        if (stored is { } a && given is { } b && a != b)
            throw new CliException($"{sourceName} records N = {a}, but --n is {b}; give one or make them agree.");
        int n = stored ?? given ?? paddedN;
        if (n < 1 || n > paddedN) throw new CliException($"N = {n} must be in [1, M · P = {paddedN}].");
        return n;
    }

    private static int? Integer(IReadOnlyDictionary<string, NdArray> arrays, string name, string sourceName = "the file")
    {
        if (!arrays.TryGetValue(name, out var array)) return null;
        double value = ScalarValue(array, name, sourceName);
        if (value != Math.Floor(value) || value < 1 || value > int.MaxValue)
            throw new CliException($"{sourceName}: '{name}' is {value:R}; it must be a positive integer.");
        return (int)value;
    }

    private static double ScalarValue(NdArray array, string name, string sourceName) => array.Values.Length == 1
        ? array.Values[0]
        : throw new CliException($"{sourceName}: '{name}' has shape {array.ShapeText}; it must be a scalar.");

    /// <summary>P from the tensors' shapes: the first row count (every tensor is then checked against it).</summary>
    private static int InferBlockSize(Dictionary<string, NdArray> tensors)
    {
        var first = tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal).First();
        return first.Value.Rank == 2 ? first.Value.Shape[0] : throw new CliException($"tensor '{first.Key}' has shape {first.Value.ShapeText}; tensors must be P x P matrices.");
    }

    /// <summary>M from the names: one more than the largest level-0 node index (encoder, decoder or diagonal block).</summary>
    private static int InferLeafCount(Dictionary<string, NdArray> tensors)
    {
        int largest = -1;
        foreach (string name in tensors.Keys)
        {
            if (name.Length < 2) continue;
            string local = name[2..];
            foreach (string group in new[] { "encoder.0.", "decoder.0.", "bridges.0.diag_blocks." })
            {
                if (!local.StartsWith(group, StringComparison.Ordinal) || !local.EndsWith(".W.weight", StringComparison.Ordinal)) continue;
                var digits = local.AsSpan(group.Length, local.Length - group.Length - ".W.weight".Length);
                if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int node)) largest = Math.Max(largest, node);
            }
        }

        return largest >= 0 ? largest + 1 : throw new CliException("no level-0 tensor (encoder.0.i, decoder.0.i or bridges.0.diag_blocks.i) names M; give the scalar 'M' in the file.");
    }

    /// <summary>A tensor's values as floats: float32 exactly, float64 rounded (refused if it overflows float32).</summary>
    private static float[] Singles(NdArray array, string name, string sourceName)
    {
        if (array.Type == NdArrayType.Int64) throw new CliException($"{sourceName}: tensor '{name}' holds integers; weights must be float32 or float64.");
        var weights = new float[array.Values.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            weights[k] = (float)array.Values[k];
            if (!float.IsFinite(weights[k]))
                throw new CliException($"{sourceName}: tensor '{name}', value number {k} ({array.Values[k]:R}) overflows float32.");
        }

        return weights;
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (end >= 0 ? message[..end] : message).ReplaceLineEndings(" ");
    }
}
