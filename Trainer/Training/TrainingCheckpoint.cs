using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using GenLu.Format;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace GenLu.Trainer.Training;

/// <summary>A checkpoint file is unreadable or belongs to a different run.</summary>
internal sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Saves and restores the complete state of a <see cref="GfmmTrainer"/>: weights, Adam moments and step
/// count, block and step counters, the saturation detector and the loss history, plus the options and
/// the matrix fingerprint it belongs to. Numbers are stored exactly (IEEE bytes, base64), so a resumed run
/// continues bit for bit. Written atomically (temporary file, then a move). A SHA-256 of the payload (the
/// model format's checksum over the numbers and counters) makes an edited or damaged checkpoint fail to
/// load instead of silently changing the model.
/// </summary>
internal static partial class TrainingCheckpoint
{
    public const string FormatName = "genlu-training-checkpoint";

    /// <summary>Version 2 added <c>Sha256</c>; version 1 checkpoints (without it) are refused.</summary>
    public const int Version = 2;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    private sealed class Data
    {
        public string Format { get; set; } = "";
        public int Version { get; set; }
        public string Problem { get; set; } = "";
        public int N { get; set; }
        public string Fingerprint { get; set; } = "";
        public TrainingOptions Options { get; set; } = new();
        public string DType { get; set; } = "";
        public int Block { get; set; }
        public int StepInBlock { get; set; }
        public long TotalSteps { get; set; }
        public double ElapsedSeconds { get; set; }
        public bool Finished { get; set; }
        public SaturationDetector.State Detector { get; set; }
        public long AdamSteps { get; set; }
        public string[] Weights { get; set; } = [];
        public string[] FirstMoments { get; set; } = [];
        public string[] SecondMoments { get; set; } = [];
        public string TrainLoss { get; set; } = "";
        public long[] TestSteps { get; set; } = [];
        public string TestLoss { get; set; } = "";
        public long[] BlockStarts { get; set; } = [];
        public string Sha256 { get; set; } = "";
    }

    public static void Save(GfmmTrainer trainer, string path)
    {
        var data = new Data
        {
            Format = FormatName,
            Version = Version,
            Problem = trainer.Problem.Name,
            N = trainer.Problem.N,
            Fingerprint = trainer.Problem.Fingerprint,
            Options = trainer.Options,
            DType = trainer.Network.DType.ToString(),
            Block = trainer.Block,
            StepInBlock = trainer.StepInBlock,
            TotalSteps = trainer.TotalSteps,
            ElapsedSeconds = trainer.ElapsedSeconds,
            Finished = trainer.Finished,
            Detector = trainer.Detector.Current,
            AdamSteps = trainer.Optimizer.StepCount,
            Weights = trainer.Network.Factors.Select(f => Encode(f.Weights)).ToArray(),
            FirstMoments = trainer.Optimizer.FirstMoments.Select(Encode).ToArray(),
            SecondMoments = trainer.Optimizer.SecondMoments.Select(Encode).ToArray(),
            TrainLoss = Convert.ToBase64String(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(trainer.History.TrainLoss))),
            TestSteps = trainer.History.TestLoss.Select(t => t.Step).ToArray(),
            TestLoss = Encode(trainer.History.TestLoss.Select(t => t.Loss).ToArray()),
            BlockStarts = [.. trainer.History.BlockStarts],
        };
        data.Sha256 = Checksum(data);

        string full = Path.GetFullPath(path);
        string temporary = full + "." + Guid.NewGuid().ToString("N") + TemporarySuffix;
        try
        {
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(data, Json));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Loads a checkpoint into a freshly constructed trainer of the same problem and options.</summary>
    public static void Restore(GfmmTrainer trainer, string path)
    {
        Data data;
        try
        {
            data = JsonSerializer.Deserialize<Data>(File.ReadAllBytes(path), Json)
                ?? throw new CheckpointException($"Checkpoint '{path}' is empty.");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CheckpointException($"Cannot read checkpoint '{path}': {e.Message}", e);
        }

        if (data.Format != FormatName || data.Version != Version)
            throw new CheckpointException($"'{path}' is not a version {Version} {FormatName} file.");
        ValidateCounters(data, path);
        string actual;
        try
        {
            actual = Checksum(data);
        }
        catch (FormatException e)
        {
            throw new CheckpointException($"Checkpoint '{path}' is damaged: {e.Message}", e);
        }
        if (!string.Equals(data.Sha256, actual, StringComparison.Ordinal))
            throw new CheckpointException($"Checkpoint '{path}' says Sha256 = {data.Sha256} but its contents hash to {actual}: it was changed or damaged.");
        if (data.Problem != trainer.Problem.Name || data.N != trainer.Problem.N || data.Fingerprint != trainer.Problem.Fingerprint)
            throw new CheckpointException($"Checkpoint '{path}' was written for matrix '{data.Problem}' (N = {data.N}), not for this '{trainer.Problem.Name}' (N = {trainer.Problem.N}) or its entries differ.");
        if (DifferentOption(data.Options, trainer.Options) is { } option)
            throw new CheckpointException($"Checkpoint '{path}' was written with a different {option}; resume with the options of the original run.");
        if (data.DType != trainer.Network.DType.ToString())
            throw new CheckpointException($"Checkpoint '{path}' holds {data.DType} weights, not {trainer.Network.DType}.");

        var factors = trainer.Network.Factors;
        if (data.Weights.Length != factors.Count || data.FirstMoments.Length != factors.Count || data.SecondMoments.Length != factors.Count)
            throw new CheckpointException($"Checkpoint '{path}' does not hold {factors.Count} weight tensors with their moments.");
        try
        {
            using var noGrad = no_grad();
            for (int i = 0; i < factors.Count; i++)
                factors[i].Weights.copy_(tensor(Decode(data.Weights[i], factors[i].Weights.numel())).view(factors[i].Weights.shape));
            trainer.Optimizer.Restore(data.AdamSteps,
                data.FirstMoments.Select((m, i) => Decode(m, factors[i].Weights.numel())).ToArray(),
                data.SecondMoments.Select((v, i) => Decode(v, factors[i].Weights.numel())).ToArray());

            trainer.History.TrainLoss.Clear();
            trainer.History.TrainLoss.AddRange(MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(data.TrainLoss)).ToArray());
            double[] testLoss = Decode(data.TestLoss, data.TestSteps.Length);
            trainer.History.TestLoss.Clear();
            trainer.History.TestLoss.AddRange(data.TestSteps.Zip(testLoss));
            trainer.History.BlockStarts.Clear();
            trainer.History.BlockStarts.AddRange(data.BlockStarts);
            trainer.RestoreProgress(data.Block, data.StepInBlock, data.TotalSteps, data.ElapsedSeconds, data.Finished, data.Detector);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CheckpointException($"Checkpoint '{path}' is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// Deletes the temporary files a killed <see cref="Save"/> of this target left behind
    /// (<c>&lt;target&gt;.&lt;32 hex digits&gt;.tmp</c>); other files in the directory are untouched.
    /// </summary>
    public static void RemoveStaleTemporaries(string path)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory)) return;
        string target = Path.GetFileName(full);
        foreach (string candidate in Directory.EnumerateFiles(directory, target + ".*" + TemporarySuffix))
        {
            string name = Path.GetFileName(candidate);
            if (name.Length == target.Length + 1 + 32 + TemporarySuffix.Length
                && name.StartsWith(target + ".", StringComparison.Ordinal)
                && TemporaryGuid().IsMatch(name.AsSpan(target.Length + 1, 32)))
                File.Delete(candidate);
        }
    }

    private const string TemporarySuffix = ".tmp";

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TemporaryGuid();

    /// <summary>Counters a resumed run trusts: each must be in range, or the checkpoint names it.</summary>
    private static void ValidateCounters(Data data, string path)
    {
        int blockCount = data.Options.BlockCount;
        Require(data.Block >= 0 && data.Block < blockCount, nameof(Data.Block), data.Block, $"in [0, {blockCount})");
        Require(data.StepInBlock >= 0, nameof(Data.StepInBlock), data.StepInBlock, ">= 0");
        Require(data.TotalSteps >= data.StepInBlock, nameof(Data.TotalSteps), data.TotalSteps, $">= StepInBlock ({data.StepInBlock})");
        Require(data.AdamSteps >= 0, nameof(Data.AdamSteps), data.AdamSteps, ">= 0");
        Require(double.IsFinite(data.ElapsedSeconds) && data.ElapsedSeconds >= 0, nameof(Data.ElapsedSeconds), data.ElapsedSeconds, "finite and >= 0");
        foreach (long step in data.TestSteps)
            Require(step >= 0 && step <= data.TotalSteps, nameof(Data.TestSteps), step, $"in [0, TotalSteps = {data.TotalSteps}]");
        foreach (long start in data.BlockStarts)
            Require(start >= 0 && start <= data.TotalSteps, nameof(Data.BlockStarts), start, $"in [0, TotalSteps = {data.TotalSteps}]");

        void Require(bool valid, string field, object value, string rule)
        {
            if (!valid) throw new CheckpointException($"Checkpoint '{path}' has {field} = {value}; it must be {rule}.");
        }
    }

    /// <summary>SHA-256 of every number and counter a resume restores, in a fixed order.</summary>
    private static string Checksum(Data data) => GfmmFile.Sha256Hex(ChecksummedParts(data));

    private static IEnumerable<byte[]> ChecksummedParts(Data data)
    {
        foreach (string encoded in data.Weights.Concat(data.FirstMoments).Concat(data.SecondMoments).Append(data.TrainLoss).Append(data.TestLoss))
            yield return Convert.FromBase64String(encoded);
        yield return MemoryMarshal.AsBytes(data.TestSteps.AsSpan()).ToArray();
        yield return MemoryMarshal.AsBytes(data.BlockStarts.AsSpan()).ToArray();
        long[] counters = [data.Block, data.StepInBlock, data.TotalSteps, data.AdamSteps, BitConverter.DoubleToInt64Bits(data.ElapsedSeconds), data.Finished ? 1 : 0];
        yield return MemoryMarshal.AsBytes(counters.AsSpan()).ToArray();
        yield return JsonSerializer.SerializeToUtf8Bytes(data.Detector, Json);
    }

    /// <summary>The name of the first option that differs, or null.</summary>
    private static string? DifferentOption(TrainingOptions saved, TrainingOptions current)
    {
        if (saved == current) return null;
        var a = JsonSerializer.SerializeToNode(saved, Json)!.AsObject();
        var b = JsonSerializer.SerializeToNode(current, Json)!.AsObject();
        return a.Select(p => p.Key).FirstOrDefault(key => !JsonNode.DeepEquals(a[key], b[key])) ?? "option";
    }

    private static string Encode(Tensor t) =>
        Encode(t.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray());

    private static string Encode(double[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private static double[] Decode(string base64, long count)
    {
        double[] values = MemoryMarshal.Cast<byte, double>(Convert.FromBase64String(base64)).ToArray();
        if (values.Length != count) throw new FormatException($"expected {count} numbers, found {values.Length}");
        return values;
    }
}
