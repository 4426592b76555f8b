// The README's "Using each part" snippets, compiled by the solution build so that they stay true. The code
// between "// README: <name>" and "// END README" is what the README shows (a test compares them).
// It runs in well under a second on the tiny model in models/ (1D Laplacian, N = 8, built by `genlu factor`).
using GenLu.Samples;

DenseSamples.Run();
RuntimeSamples.Run();
GeneratorSamples.Run();
