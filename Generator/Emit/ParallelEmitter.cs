namespace GenLu.Generator.Emit;

/// <summary>
/// Writes <c>SolveParallel</c>: batched solves on every core. The batch is cut into the serial overload's panels of
/// <c>PanelWidth</c> vectors, and the calling thread and one worker per further processor take panels until none is left,
/// each with its own scratch, so the numbers equal the serial call's bit for bit. The workers and their scratch are created
/// once per class, at the first parallel call; a call allocates nothing after that. The vectors come as
/// <c>Memory&lt;float&gt;</c> (<c>Memory&lt;double&gt;</c> for a double solver) because generated code stays safe (consumers need no AllowUnsafeBlocks) and a span cannot reach
/// another thread; arrays convert implicitly. A call while another thread's parallel call runs, a batch of one panel or
/// less, or a one-processor machine solve serially on the calling thread.
/// </summary>
internal static class ParallelEmitter
{
    private const string Threading = "global::System.Threading";

    public static void Emit(CodeWriter writer, ElementType element)
    {
        string t = element.Keyword;
        writer.Lines($$"""
            /// <summary>Writes to <paramref name="x"/> the solutions <c>x ≈ A⁻¹ b</c> of <paramref name="count"/> right-hand sides on
            /// every processor: panels of <see cref="PanelWidth"/> vectors, the same as the serial batched <c>Solve</c>'s (the same
            /// numbers, bit for bit), go to the calling thread and to worker threads created at the first call, each with its own
            /// scratch; later calls allocate nothing. One panel or less, a one-processor machine, or a parallel call already running
            /// on another thread solve serially on the calling thread.</summary>
            /// <param name="b">Input vectors, <see cref="N"/> {{t}}s each, one after another.</param>
            /// <param name="x">Destination, as long as <paramref name="b"/>; it may be the same memory (in place) but must not overlap it otherwise.</param>
            /// <param name="count">Number of vectors.</param>
            /// <exception cref="global::System.ArgumentException">A length is wrong or the vectors overlap.</exception>
            public static void SolveParallel(global::System.ReadOnlyMemory<{{t}}> b, global::System.Memory<{{t}}> x, int count)
            {
                CheckVectors(b.Span, nameof(b), x.Span, nameof(x), count);
                var workers = count > PanelWidth ? ParallelPanels.TryEnter() : null;
                if (workers is null)
                {
                    Solve(b.Span, x.Span, count, ParallelPanels.CallerScratch);
                    return;
                }
                try
                {
                    workers.Solve(b, x, count);
                }
                finally
                {
                    workers.Exit();
                }
            }

            /// <summary>The worker threads of <see cref="SolveParallel"/>, one per processor beyond the caller's, and every thread's scratch.</summary>
            private sealed class ParallelPanels
            {
                /// <summary>Created by the type initializer, so exactly once, at the first parallel call (the explicit static
                /// constructor keeps the runtime from running it any earlier).</summary>
                private static class Shared
                {
                    public static readonly ParallelPanels Instance = new(global::System.Environment.ProcessorCount);

                    static Shared()
                    {
                    }
                }

                [global::System.ThreadStatic] private static {{t}}[]? callerScratch;

                /// <summary>Scratch of the calling thread: each thread's own, made at its first parallel call.</summary>
                public static {{t}}[] CallerScratch => callerScratch ??= new {{t}}[BatchScratchLength];

                private readonly {{t}}[][] scratch;
                private readonly {{Threading}}.ManualResetEventSlim[] wake;
                // A semaphore: its blocking wait needs no lock made lazily (ManualResetEventSlim's first blocking wait allocates one).
                private readonly {{Threading}}.SemaphoreSlim finished = new(0);
                private global::System.ReadOnlyMemory<{{t}}> input;
                private global::System.Memory<{{t}}> output;
                private int count;
                private int nextPanel;
                private int busy;
                private global::System.Exception? failure;

                private ParallelPanels(int threads)
                {
                    scratch = new {{t}}[threads - 1][];
                    wake = new {{Threading}}.ManualResetEventSlim[threads - 1];
                    for (int w = 0; w < wake.Length; w++)
                    {
                        scratch[w] = new {{t}}[BatchScratchLength];
                        wake[w] = new {{Threading}}.ManualResetEventSlim(false);
                        int worker = w;
                        new {{Threading}}.Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = "GenLu solve " + (w + 1) }.Start();
                    }
                }

                /// <summary>The workers, claimed for one call; null on one processor or while another call holds them.</summary>
                public static ParallelPanels? TryEnter()
                {
                    if (global::System.Environment.ProcessorCount < 2) return null;
                    var panels = Shared.Instance;
                    return {{Threading}}.Interlocked.CompareExchange(ref panels.busy, 1, 0) == 0 ? panels : null;
                }

                public void Exit() => {{Threading}}.Volatile.Write(ref busy, 0);

                public void Solve(global::System.ReadOnlyMemory<{{t}}> b, global::System.Memory<{{t}}> x, int vectors)
                {
                    input = b;
                    output = x;
                    count = vectors;
                    nextPanel = 0;
                    failure = null;
                    int helpers = global::System.Math.Min(wake.Length, (vectors - 1) / PanelWidth);
                    for (int w = 0; w < helpers; w++) wake[w].Set();
                    TakePanels(CallerScratch);
                    for (int w = 0; w < helpers; w++) finished.Wait();
                    input = default;
                    output = default;
                    if (failure is not null) global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
                }

                private void TakePanels({{t}}[] work)
                {
                    try
                    {
                        for (int panel = {{Threading}}.Interlocked.Increment(ref nextPanel) - 1; (long)panel * PanelWidth < count; panel = {{Threading}}.Interlocked.Increment(ref nextPanel) - 1)
                        {
                            int first = panel * PanelWidth;
                            int width = global::System.Math.Min(PanelWidth, count - first);
                            SolveCore(input.Span.Slice(first * N, width * N), output.Span.Slice(first * N, width * N), work, width);
                        }
                    }
                    catch (global::System.Exception e)
                    {
                        {{Threading}}.Interlocked.CompareExchange(ref failure, e, null);
                    }
                }

                private void WorkerLoop(int worker)
                {
                    while (true)
                    {
                        wake[worker].Wait();
                        wake[worker].Reset();
                        TakePanels(scratch[worker]);
                        finished.Release();
                    }
                }
            }

            """);
    }
}
