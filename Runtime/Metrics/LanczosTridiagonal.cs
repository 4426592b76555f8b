using GenLu.Kernels;

namespace GenLu.Metrics;

/// <summary>
/// The Lanczos tridiagonal matrix T_k (diagonal α, off-diagonal β) and the two facts about its largest eigenvalue
/// that the iteration needs: the value (bisection with Sturm counts) and the Ritz residual β_k |s_k| (the last
/// component of its unit eigenvector s, found by one step of inverse iteration with a pivoted tridiagonal LU).
/// </summary>
internal sealed class LanczosTridiagonal(int capacity)
{
    private readonly double[] alpha = new double[capacity];
    private readonly double[] beta = new double[capacity];
    private readonly double[] sub = new double[capacity];
    private readonly double[] diag = new double[capacity];
    private readonly double[] super1 = new double[capacity];
    private readonly double[] super2 = new double[capacity];
    private readonly double[] x = new double[capacity];
    private readonly bool[] swapped = new bool[capacity];
    private int size;

    public void Append(double a, double b)
    {
        alpha[size] = a;
        beta[size] = b;
        size++;
    }

    /// <summary>The largest eigenvalue; it is at least <paramref name="lowerBound"/> (Ritz values grow with k).</summary>
    public double LargestEigenvalue(double lowerBound)
    {
        // Gershgorin discs bound the spectrum from above.
        double high = double.MinValue;
        for (int i = 0; i < size; i++)
        {
            double radius = (i > 0 ? Math.Abs(beta[i - 1]) : 0) + (i < size - 1 ? Math.Abs(beta[i]) : 0);
            high = Math.Max(high, alpha[i] + radius);
        }

        double low = Math.Min(lowerBound, high);
        while (high - low > 2 * double.Epsilon + (4e-16 * Math.Abs(high)))
        {
            double middle = 0.5 * (low + high);
            if (middle <= low || middle >= high)
            {
                break;
            }

            if (CountBelow(middle) == size)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }

    /// <summary>β_k |s_k| for the eigenvalue <paramref name="theta"/>: the residual norm of the corresponding Ritz pair.</summary>
    public double LargestRitzResidual(double theta)
    {
        int m = size;
        double tiny = 1e-300 + (1e-16 * Math.Abs(theta));
        for (int i = 0; i < m; i++)
        {
            diag[i] = alpha[i] - theta;
            super1[i] = beta[i];
            sub[i] = beta[i];
            super2[i] = 0;
            x[i] = 1;
        }

        // Gaussian elimination with row interchanges on T - θI (the LAPACK gttrf pattern); a zero pivot is
        // replaced by a tiny one, which inverse iteration tolerates (it only amplifies the wanted direction).
        for (int i = 0; i < m - 1; i++)
        {
            swapped[i] = Math.Abs(diag[i]) < Math.Abs(sub[i]);
            if (!swapped[i])
            {
                if (diag[i] == 0)
                {
                    diag[i] = tiny;
                }

                double factor = sub[i] / diag[i];
                sub[i] = factor;
                diag[i + 1] -= factor * super1[i];
            }
            else
            {
                double factor = diag[i] / sub[i];
                diag[i] = sub[i];
                sub[i] = factor;
                double saved = super1[i];
                super1[i] = diag[i + 1];
                diag[i + 1] = saved - (factor * diag[i + 1]);
                if (i < m - 2)
                {
                    super2[i] = super1[i + 1];
                    super1[i + 1] = -factor * super1[i + 1];
                }
            }
        }

        if (diag[m - 1] == 0)
        {
            diag[m - 1] = tiny;
        }

        // Two steps of inverse iteration from the all-ones vector: the second removes any chance that the start
        // vector happened to be poor in the wanted direction.
        SolveFactored(m);
        Level1.Scale(1 / Level1.Norm2<double>(x.AsSpan(0, m)), x.AsSpan(0, m));
        SolveFactored(m);
        double norm = Level1.Norm2<double>(x.AsSpan(0, m));
        return beta[m - 1] * Math.Abs(x[m - 1]) / norm;
    }

    /// <summary>Overwrites x with (T - θI)^-1 x using the factors left by <see cref="LargestRitzResidual"/>.</summary>
    private void SolveFactored(int m)
    {
        for (int i = 0; i < m - 1; i++)
        {
            if (swapped[i])
            {
                (x[i], x[i + 1]) = (x[i + 1], x[i]);
            }

            x[i + 1] -= sub[i] * x[i];
        }

        for (int i = m - 1; i >= 0; i--)
        {
            double sum = x[i];
            if (i + 1 < m)
            {
                sum -= super1[i] * x[i + 1];
            }

            if (i + 2 < m)
            {
                sum -= super2[i] * x[i + 2];
            }

            x[i] = sum / diag[i];
        }
    }

    /// <summary>The number of eigenvalues of T_k below <paramref name="shift"/> (Sturm sequence / LDLᵀ inertia).</summary>
    private int CountBelow(double shift)
    {
        int count = 0;
        double q = 1;
        for (int i = 0; i < size; i++)
        {
            double coupling = i > 0 ? beta[i - 1] * beta[i - 1] / q : 0;
            q = alpha[i] - shift - coupling;
            if (q == 0)
            {
                q = -1e-300;
            }

            if (q < 0)
            {
                count++;
            }
        }

        return count;
    }
}
