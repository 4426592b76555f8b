using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using GenLu.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenLu.Generator.Parsing;

/// <summary>Turns a class carrying <c>[GfmmSolver]</c> into an equatable <see cref="SolverTarget"/>.</summary>
internal static class TargetParser
{
    public static SolverTarget Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var attribute = context.Attributes[0];
        string modelPath = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string path ? path : "";
        var precision = RequestedPrecision.FromWeightFile;
        foreach (var argument in attribute.NamedArguments)
            if (argument.Key == AttributeSource.PrecisionProperty && argument.Value.Value is int value)
                precision = (RequestedPrecision)value;
        var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()
            ?? context.TargetNode.GetLocation());

        var containing = new List<string>();
        bool containersPartial = true;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, "partial " + Keyword(outer) + " " + NameWithTypeParameters(outer));
            containersPartial &= IsPartial(outer, cancellationToken);
        }

        string fullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new SolverTarget(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            TypeName: NameWithTypeParameters(type),
            FullName: fullName,
            HintName: HintName(fullName),
            ContainingTypes: new EquatableArray<string>(containing.ToArray()),
            IsStaticPartial: type.IsStatic && IsPartial(type, cancellationToken) && containersPartial,
            ModelPath: modelPath,
            DeclaringDirectory: Path.GetDirectoryName(context.TargetNode.SyntaxTree.FilePath) ?? "",
            AttributeLocation: location,
            Precision: precision);
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    private static string HintName(string fullName)
    {
        var chars = fullName.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '.' && chars[i] != '_') chars[i] = '_';
        return new string(chars) + ".GfmmSolver.g.cs";
    }
}
