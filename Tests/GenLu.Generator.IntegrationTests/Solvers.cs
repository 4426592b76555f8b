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

/// <summary>The exact float64 factors of the RBF kernel of order N = 64 (length scale 0.05, nugget 1e-7; cond₁ ≈ 1.4e8),
/// M = 2, P = 32, embedded as a resource of doubles by the build step; see <see cref="Float64SolverTests"/>. Written by
/// <c>genlu factor --operator rbf --n 64 --m 2 --p 32 --param lengthScale=0.05 --param nugget=1e-7 --dtype float64 --out rbf-float64-m2p32.gfmm.json</c>.</summary>
[GenLu.GfmmSolver("Models/rbf-float64-m2p32.gfmm.json")]
public static partial class KernelSolver64 { }

/// <summary>The float32 M = 8, P = 32 model of <see cref="WellConditionedSolver"/> as a double solver (weights widened,
/// G_i factored in double), literal data and looped schedules.</summary>
[GenLu.GfmmSolver("Models/wellconditioned-m8p32.gfmm.json", Precision = GenLu.GfmmPrecision.Double)]
public static partial class WidenedSolver { }
