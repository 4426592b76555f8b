using System.Diagnostics;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static GenLu.Tests.Infrastructure.GeneratorHarness;

namespace GenLu.Tests;

/// <summary>
/// The generator driver on fuzzed weight files (truncations, bit flips, edited M and P): every run ends in one
/// GLU diagnostic of the file family or in a generated solver, never in a generator exception, and allocates a
/// bounded amount whatever size the file declares.
/// </summary>
public class WeightFileFuzzTests
{
    private static readonly HashSet<string> FileDiagnostics = ["GLU002", "GLU003", "GLU004", "GLU005", "GLU006", "GLU007", "GLU008", "GLU011"];

    private static readonly string[] SizeEdits = ["0", "3", "-2", "64", "4096", "16777216", "2147483647", "2147483648", "1e9"];

    [Fact]
    public void Fuzzed_weight_files_give_a_file_diagnostic_or_a_solver_and_bounded_allocation()
    {
        string seed = WeightFiles.Valid(m: 4, p: 3);
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath));
        // What one run on the valid file allocates (compilation, emitted source): mutants may not cost much more.
        GeneratorDriverRunResult? validResult = null;
        long validRun = AllocatedBy(() => validResult = Driver([WeightFiles.File(seed)]).RunGenerators(compilation).GetRunResult());
        validResult!.Results.Single().GeneratedSources.Length.ShouldBe(2);
        var random = new Random(1202);
        var clock = Stopwatch.StartNew();
        int generated = 0, refused = 0;

        for (int n = 0; n < 60; n++)
        {
            string text = (n % 3) switch
            {
                0 => seed[..random.Next(seed.Length)],
                1 => Flip(seed, random),
                _ => seed.Replace(random.Next(2) == 0 ? "\"M\":4" : "\"P\":3",
                    (random.Next(2) == 0 ? "\"M\":" : "\"P\":") + SizeEdits[random.Next(SizeEdits.Length)]),
            };
            text.ShouldNotBe(seed, "every mutant differs from the valid file");
            GeneratorDriverRunResult? result = null;
            long allocated = AllocatedBy(() => result = Driver([WeightFiles.File(text)]).RunGenerators(compilation).GetRunResult());

            var run = result!.Results.Single();
            run.Exception.ShouldBeNull();
            allocated.ShouldBeLessThan(3 * validRun + 64L * text.Length + (8 << 20));
            if (result.Diagnostics.IsEmpty)
            {
                generated++;
                run.GeneratedSources.Length.ShouldBe(2);
            }
            else
            {
                refused++;
                var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
                FileDiagnostics.ShouldContain(diagnostic.Id, diagnostic.GetMessage());
                run.GeneratedSources.Length.ShouldBe(1);
            }
        }

        (generated + refused).ShouldBe(60);
        refused.ShouldBeGreaterThan(30, $"generated {generated}, refused {refused}");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
    }

    private static string Flip(string text, Random random)
    {
        var chars = text.ToCharArray();
        for (int flips = random.Next(1, 4); flips > 0; flips--)
        {
            int at = random.Next(chars.Length);
            chars[at] = (char)(chars[at] ^ (1 << random.Next(7)));
        }
        return new string(chars);
    }

    private static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
