namespace GenLu.IO;

/// <summary>A matrix file (Matrix Market or .npy) is malformed or uses a feature this reader does not support.</summary>
public sealed class MatrixFormatException : FormatException
{
    public MatrixFormatException(string message)
        : base(message)
    {
    }

    public MatrixFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
