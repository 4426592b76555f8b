// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
// The float32 forms keep the names they had before float64 models existed: the generator and the float32 paths
// of the Runtime use them, and only code that handles both number types names the generic types.
global using DiagonalBlockFactors = GenLu.Structure.DiagonalBlockFactors<float>;
global using GfmmTensorStore = GenLu.Structure.GfmmTensorStore<float>;
global using GfmmFileContent = GenLu.Format.GfmmFileContent<float>;
