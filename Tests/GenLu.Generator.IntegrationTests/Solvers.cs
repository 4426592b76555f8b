using GenLu.Gfmm;

namespace GenLu.IntegrationTests;

/// <summary>The reference implementation's exported M = 2, P = 4 model (the shared fixture, copied in).</summary>
[GenLu.GfmmSolver("Models/reference-m2p4.gfmm.json")]
public static partial class ReferenceSolver { }

/// <summary>A seeded, well-conditioned M = 8, P = 32 model (N = 256, scale 3); see <see cref="ModelFiles"/>.</summary>
[GenLu.GfmmSolver("Models/wellconditioned-m8p32.gfmm.json")]
public static partial class WellConditionedSolver { }
