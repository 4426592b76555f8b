using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>The solves overwrite b while reading the factors: b sharing their storage is refused.</summary>
public class DenseLuOverlapTests
{
    // A = [[4, 3], [6, 3]] (row-major); A x = [10, 12] has x = [1, 2] (4 + 6 = 10, 6 + 6 = 12).
    private static double[] FactoredWithRoom(int[] perm)
    {
        var storage = new double[] { 4, 3, 6, 3, 10, 12 };
        DenseLu.Factor(storage.AsSpan(0, 4), 2, 2, 2, MatrixLayout.RowMajor, perm).ShouldBe(0);
        return storage;
    }

    [Theory]
    [InlineData(2)] // b = the factors' second row
    [InlineData(3)] // b straddles the factors' end
    public void Solve_with_b_overlapping_the_factors_is_an_argument_error(int bStart)
    {
        var perm = new int[2];
        var storage = FactoredWithRoom(perm);
        var e = Should.Throw<ArgumentException>(() =>
            DenseLu.Solve<double>(storage.AsSpan(0, 4), 2, MatrixLayout.RowMajor, perm, storage.AsSpan(bStart, 2)));
        e.ParamName.ShouldBe("b");
        e.Message.ShouldStartWith("b overlaps lu: the solve overwrites b while it still reads the factors, so b must not share storage with them.");
        Should.Throw<ArgumentException>(() =>
            DenseLu.SolveTranspose<double>(storage.AsSpan(0, 4), 2, MatrixLayout.RowMajor, perm, storage.AsSpan(bStart, 2))).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() =>
            DenseLu.SolveUpper<double>(storage.AsSpan(0, 4), 2, 2, MatrixLayout.RowMajor, storage.AsSpan(bStart, 2), 1)).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() =>
            DenseLu.SolveLowerUnit<double>(storage.AsSpan(0, 4), 2, 2, MatrixLayout.RowMajor, storage.AsSpan(bStart, 2), 1)).ParamName.ShouldBe("b");
    }

    [Fact]
    public void Solve_with_b_adjacent_to_the_factors_in_one_array_is_correct()
    {
        var perm = new int[2];
        var storage = FactoredWithRoom(perm);
        DenseLu.Solve<double>(storage.AsSpan(0, 4), 2, MatrixLayout.RowMajor, perm, storage.AsSpan(4, 2));
        storage[4].ShouldBe(1.0, 1e-14);
        storage[5].ShouldBe(2.0, 1e-14);
    }
}
