using System.Diagnostics;
using System.Text;
using GenLu.Gfmm;
using GenLu.Tests.Support;

namespace GenLu.Tests;

/// <summary>
/// Every command (factor, train, eval, inspect, solve, export, import), run as a child process of the built <c>genlu</c> under a 256 MB GC heap limit, on tiny files
/// that declare huge sizes: each must stop at the header with one <c>genlu &lt;command&gt;:</c> line and exit
/// code 1 — no OutOfMemoryException, no stack trace. The time bound is generous (a correctness check: a file
/// that were densified or allocated from its header would exhaust the heap, not merely be slow).
/// </summary>
public sealed class HeapLimitCliTests : IDisposable
{
    private const string HeapLimit = "0x10000000"; // 256 MB
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly string directory = Directory.CreateTempSubdirectory("genlu-heap-").FullName;

    public HeapLimitCliTests()
    {
        File.WriteAllText(PathOf("declares-46340.mtx"), "%%MatrixMarket matrix coordinate real general\n46340 46340 1\n1 1 1.0\n");
        File.WriteAllText(PathOf("declares-1e9.mtx"), "%%MatrixMarket matrix coordinate real general\n1000000000 1000000000 1\n1 1 1.0\n");
        File.WriteAllText(PathOf("array-46340.mtx"), "%%MatrixMarket matrix array real general\n46340 46340\n1.0\n");
        File.WriteAllBytes(PathOf("shape-100000.npy"), HandMadeArrays.Npy("<f8", "(100000, 100000)", false, new byte[64]));
        File.WriteAllBytes(PathOf("shape-1e9.npy"), HandMadeArrays.Npy("<f8", "(1000000000,)", false, new byte[8]));
        File.WriteAllText(PathOf("m-2p24.gfmm.json"),
            "{\"format\":\"genlu-gfmm\",\"version\":1,\"dtype\":\"float32\",\"M\":16777216,\"P\":1,\"scale\":1,\"tensors\":{},\"sha256\":\"" + new string('0', 64) + "\"}");
        File.WriteAllText(PathOf("m-2p24-v2.gfmm.json"),
            "{\"format\":\"genlu-gfmm\",\"version\":2,\"dtype\":\"float32\",\"M\":16777216,\"P\":1,\"N\":16777216,\"scale\":1,\"tensors\":{},\"sha256\":\"" + new string('0', 64) + "\"}");
        File.WriteAllBytes(PathOf("b8.npy"), HandMadeArrays.Float64Npy("(8,)", false, 1, 2, 3, 4, 5, 6, 7, 8));
        // An archive whose one entry claims a 1e5 x 1e5 float32 tensor in 64 bytes.
        File.WriteAllBytes(PathOf("huge-entry.npz"), HandMadeArrays.Npz([("L.encoder.0.0.W.weight.npy", HandMadeArrays.Npy("<f4", "(100000, 100000)", false, new byte[64]))]));
        IdentityModel(8).Save(PathOf("identity.gfmm.json"));
        IdentityModel(40000).Save(PathOf("claims-40000.gfmm.json"));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    public static TheoryData<string, string> Cases() => new()
    {
        { "factor", "--matrix declares-46340.mtx" },
        { "factor", "--matrix declares-1e9.mtx" },
        { "factor", "--matrix array-46340.mtx" },
        { "factor", "--matrix shape-100000.npy" },
        { "factor", "--matrix shape-1e9.npy" },
        { "factor", "--matrix declares-46340.mtx --m 4096 --p 16" },
        { "train", "--matrix declares-46340.mtx --steps 1 --polish 0" },
        { "train", "--matrix shape-100000.npy --steps 1 --polish 0" },
        { "eval", "identity.gfmm.json --matrix declares-1e9.mtx" },
        { "eval", "identity.gfmm.json --matrix shape-100000.npy" },
        { "eval", "claims-40000.gfmm.json" },
        { "eval", "m-2p24.gfmm.json" },
        { "tune", "--matrix declares-46340.mtx --train-steps 0 --budget 10s" },
        { "tune", "--matrix shape-100000.npy --train-steps 0 --budget 10s" },
        { "inspect", "m-2p24.gfmm.json" },
        { "inspect", "m-2p24.gfmm.json --json" },
        { "inspect", "m-2p24-v2.gfmm.json" },
        { "solve", "identity.gfmm.json --rhs shape-1e9.npy --out x.npy" },
        { "solve", "identity.gfmm.json --rhs shape-100000.npy --out x.npy" },
        { "solve", "identity.gfmm.json --rhs declares-1e9.mtx --out x.npy" },
        { "solve", "identity.gfmm.json --rhs b8.npy --matrix declares-1e9.mtx --out x.npy" },
        { "solve", "m-2p24-v2.gfmm.json --rhs b8.npy --out x.npy" },
        { "export", "m-2p24.gfmm.json --to x.npz" },
        { "import", "huge-entry.npz --scale 1 --out x.gfmm.json" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_tiny_file_declaring_a_huge_size_is_refused_in_one_line_under_a_heap_limit(string command, string arguments)
    {
        var (exitCode, error, elapsed) = RunGenlu(command + " " + arguments);

        elapsed.ShouldBeLessThan(Bound);
        exitCode.ShouldBe(1, error);
        error.ShouldStartWith($"genlu {command}: ");
        error.TrimEnd().Split('\n').Length.ShouldBe(1, error);
        error.ShouldNotContain("OutOfMemory");
        error.ShouldNotContain("Unhandled exception");
        error.ShouldNotContain("   at ");
        error.ShouldNotContain("(Parameter '");
    }

    [Fact]
    public void The_heap_limit_is_real_a_command_that_fits_still_works()
    {
        // The same child process setup succeeds where the work is small: the failures above are the inputs'.
        var (exitCode, error, _) = RunGenlu("inspect identity.gfmm.json");
        exitCode.ShouldBe(0, error);
        var (evalCode, evalError, _) = RunGenlu("eval identity.gfmm.json --operator laplacian1d --n 8 --samples 5");
        evalCode.ShouldBe(0, evalError);
        var (solveCode, solveError, _) = RunGenlu("solve identity.gfmm.json --rhs b8.npy --out x.npy");
        solveCode.ShouldBe(0, solveError);
    }

    private (int ExitCode, string Error, TimeSpan Elapsed) RunGenlu(string arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "genlu.dll"));
        foreach (string argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_GCHeapHardLimit"] = HeapLimit;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Bound + TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"genlu {arguments} did not finish within {Bound + TimeSpan.FromSeconds(30)}.");
        }
        process.WaitForExit();
        _ = output.Result;
        return (process.ExitCode, error.Result, clock.Elapsed);
    }

    /// <summary>A little-endian float64 .npy header declaring <paramref name="shape"/>, then only <paramref name="dataBytes"/> zero bytes.</summary>

    /// <summary>L = U = I (M = 2, P = 4) whose provenance names <paramref name="name"/> (the 1D Laplacian) of order <paramref name="claimedN"/>.</summary>
    internal static GfmmModel IdentityModel(int claimedN, string name = "laplacian1d")
    {
        var zero = GfmmModel.Zero(2, 4);
        var lower = zero.L.Clone();
        var upper = zero.U.Clone();
        foreach (var block in new[] { lower, upper })
            for (int leaf = 0; leaf < 2; leaf++)
            {
                var g = block.Tensor(block.Layout.Diagonal(leaf));
                for (int i = 0; i < 4; i++) g[i * 4 + i] = 1;
            }
        return new GfmmModel(lower, upper, 1, new GfmmProvenance { Operator = new OperatorProvenance { Name = name, N = claimedN } });
    }
}
