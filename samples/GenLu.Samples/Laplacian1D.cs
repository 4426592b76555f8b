namespace GenLu.Samples;

// README: generated-class
// In its own file (or after all other code of a file): the generator fills the class in at build time.
[GenLu.GfmmSolver("models/laplacian1d.gfmm.json")]   // the file is an AdditionalFiles item
public static partial class Laplacian1D { }
// END README
