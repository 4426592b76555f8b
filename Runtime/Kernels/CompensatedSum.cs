namespace GenLu.Kernels;

/// <summary>
/// A running sum of doubles and products of doubles whose result is as accurate as if it had been accumulated in
/// twice the working precision and then rounded (Ogita, Rump and Oishi, "Accurate sum and dot product", 2005,
/// algorithm Dot2): every addition and every product is split exactly into its rounded value and its rounding error
/// (Knuth's TwoSum, and TwoProduct with one fused multiply-add), and the errors are summed apart. What refinement needs
/// to compute a residual <c>b − A x</c> past the κ·u limit of plain double arithmetic.
/// </summary>
internal struct CompensatedSum
{
    private double sum;
    private double error;

    public CompensatedSum(double start) => sum = start;

    /// <summary>The sum, rounded once.</summary>
    public readonly double Value => sum + error;

    public void Add(double value)
    {
        double next = sum + value;
        double back = next - value;
        // TwoSum: (sum - back) + (value - (next - back)) is exactly sum + value - next.
        error += (sum - back) + (value - (next - back));
        sum = next;
    }

    /// <summary>Adds <c>a · b</c>, its rounding error included.</summary>
    public void AddProduct(double a, double b)
    {
        double product = a * b;
        error += Math.FusedMultiplyAdd(a, b, -product); // exactly a·b − product
        Add(product);
    }
}
