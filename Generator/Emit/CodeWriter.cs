using System;
using System.Text;

namespace GenLu.Generator.Emit;

/// <summary>A minimal indented writer over one <see cref="StringBuilder"/> (the emitted files reach megabytes of
/// embedded data, so every line goes straight into the builder).</summary>
internal sealed class CodeWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder;
    private int depth;

    public CodeWriter(int capacity) => builder = new StringBuilder(capacity);

    public StringBuilder Builder => builder;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
            for (int i = 0; i < depth; i++) builder.Append(IndentUnit);
        builder.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes a multi-line text (a raw string template) line by line at the current indentation.</summary>
    public CodeWriter Lines(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
        return this;
    }

    public CodeWriter Open(string header) => Line(header).OpenBlock();

    /// <summary>Opens a bare block (a scope of its own).</summary>
    public CodeWriter OpenBlock()
    {
        Line("{");
        depth++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        if (depth == 0) throw new InvalidOperationException("Close without a matching Open.");
        depth--;
        return Line("}" + suffix);
    }

    /// <summary>The indentation of a line one level deeper than the current one.</summary>
    public string NestedIndent()
    {
        var indent = new StringBuilder();
        for (int i = 0; i <= depth; i++) indent.Append(IndentUnit);
        return indent.ToString();
    }

    public override string ToString() => builder.ToString();
}
