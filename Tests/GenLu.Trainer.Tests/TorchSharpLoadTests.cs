using TorchSharp;

namespace GenLu.Tests;

public class TorchSharpLoadTests
{
    [Fact]
    public void NativeLibraryLoadsAndComputes()
    {
        // Fails with a TypeInitializationException when the build did not patch libLibTorchSharp.so.
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var product = a.matmul(a);
        product.data<float>().ToArray().ShouldBe(new float[] { 7, 10, 15, 22 });
    }
}
