namespace GenLu.IO;

/// <summary>A matrix or array file (Matrix Market, .npy, .npz, safetensors) is malformed or uses a feature its reader does not support.</summary>
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
