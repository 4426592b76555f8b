using GenLu.Gfmm;

namespace GenLu.IntegrationTests;

/// <summary>The reference implementation's exported M = 2, P = 4 model (the shared fixture, copied in).</summary>
[GenLu.GfmmSolver("Models/reference-m2p4.gfmm.json")]
public static partial class ReferenceSolver { }

/// <summary>A seeded, well-conditioned M = 8, P = 32 model (N = 256, scale 3); see <see cref="ModelFiles"/>.</summary>
[GenLu.GfmmSolver("Models/wellconditioned-m8p32.gfmm.json")]
public static partial class WellConditionedSolver { }

/// <summary>The exact factors of the 1D Laplacian tridiag(-1, 2, -1) of order N = 128 (M = 8, P = 16, scale 1), built by
/// <c>GenLu.Exact.ExactFactorization</c>; see <see cref="PreconditionerTests"/>.</summary>
[GenLu.GfmmSolver("Models/laplacian1d.gfmm.json")]
public static partial class Laplacian1D { }
