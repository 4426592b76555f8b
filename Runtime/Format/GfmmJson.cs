// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
// A small strict JSON reader: the generator cannot load System.Text.Json reliably inside every compiler
// host, and the file format needs only objects, arrays, strings, numbers, booleans and null.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GenLu.Format;

internal enum JsonKind { Object, Array, String, Number, True, False, Null }

/// <summary>A parsed JSON value; <see cref="Raw"/> is its exact source text (kept for provenance).</summary>
internal sealed class JsonNodeLite
{
    public JsonNodeLite(JsonKind kind, string raw, string? text = null,
        List<KeyValuePair<string, JsonNodeLite>>? members = null, List<JsonNodeLite>? items = null)
    {
        Kind = kind;
        Raw = raw;
        Text = text;
        Members = members;
        Items = items;
    }

    public JsonKind Kind { get; }
    public string Raw { get; }

    /// <summary>The decoded string, or the number's text.</summary>
    public string? Text { get; }
    public List<KeyValuePair<string, JsonNodeLite>>? Members { get; }
    public List<JsonNodeLite>? Items { get; }

    public JsonNodeLite? Member(string name)
    {
        if (Members is null) return null;
        foreach (var member in Members)
            if (string.Equals(member.Key, name, StringComparison.Ordinal)) return member.Value;
        return null;
    }
}

internal sealed class JsonParseException : Exception
{
    public JsonParseException(string message, int offset, bool endOfInput) : base(message)
    {
        Offset = offset;
        EndOfInput = endOfInput;
    }

    public int Offset { get; }

    /// <summary>True when the text ended early (a truncated file).</summary>
    public bool EndOfInput { get; }
}

internal sealed class JsonLiteParser
{
    private const int MaxDepth = 64;
    private readonly string text;
    private int pos;

    private JsonLiteParser(string text) => this.text = text;

    public static JsonNodeLite Parse(string text)
    {
        var parser = new JsonLiteParser(text);
        if (parser.pos < text.Length && text[parser.pos] == '\uFEFF') parser.pos++;
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser.pos != text.Length) throw parser.Error("unexpected text after the JSON value");
        return value;
    }

    private JsonNodeLite ParseValue(int depth)
    {
        if (depth > MaxDepth) throw Error("nesting deeper than " + MaxDepth);
        SkipWhitespace();
        int start = pos;
        char c = Peek();
        switch (c)
        {
            case '{': return ParseObject(depth);
            case '[': return ParseArray(depth);
            case '"': { string s = ParseString(); return new JsonNodeLite(JsonKind.String, text.Substring(start, pos - start), s); }
            case 't': Expect("true"); return new JsonNodeLite(JsonKind.True, "true");
            case 'f': Expect("false"); return new JsonNodeLite(JsonKind.False, "false");
            case 'n': Expect("null"); return new JsonNodeLite(JsonKind.Null, "null");
            default:
                if (c == '-' || (c >= '0' && c <= '9')) { string n = ParseNumber(); return new JsonNodeLite(JsonKind.Number, n, n); }
                throw Error("unexpected character '" + c + "'");
        }
    }

    private JsonNodeLite ParseObject(int depth)
    {
        int start = pos++;
        var members = new List<KeyValuePair<string, JsonNodeLite>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        SkipWhitespace();
        if (Peek() == '}') { pos++; return new JsonNodeLite(JsonKind.Object, text.Substring(start, pos - start), members: members); }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a property name");
            string key = ParseString();
            if (!seen.Add(key)) throw Error("duplicate property \"" + key + "\"");
            SkipWhitespace();
            if (Next() != ':') throw Error("expected ':' after property \"" + key + "\"", pos - 1);
            members.Add(new KeyValuePair<string, JsonNodeLite>(key, ParseValue(depth + 1)));
            SkipWhitespace();
            char c = Next();
            if (c == '}') return new JsonNodeLite(JsonKind.Object, text.Substring(start, pos - start), members: members);
            if (c != ',') throw Error("expected ',' or '}' in an object", pos - 1);
        }
    }

    private JsonNodeLite ParseArray(int depth)
    {
        int start = pos++;
        var items = new List<JsonNodeLite>();
        SkipWhitespace();
        if (Peek() == ']') { pos++; return new JsonNodeLite(JsonKind.Array, text.Substring(start, pos - start), items: items); }
        while (true)
        {
            items.Add(ParseValue(depth + 1));
            SkipWhitespace();
            char c = Next();
            if (c == ']') return new JsonNodeLite(JsonKind.Array, text.Substring(start, pos - start), items: items);
            if (c != ',') throw Error("expected ',' or ']' in an array", pos - 1);
        }
    }

    private string ParseString()
    {
        pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            char c = Next();
            if (c == '"') return sb.ToString();
            if (c < ' ') throw Error("control character in a string", pos - 1);
            if (c != '\\') { sb.Append(c); continue; }
            char e = Next();
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (pos + 4 > text.Length) throw Error("truncated \\u escape", text.Length, true);
                    if (!ushort.TryParse(text.Substring(pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                        throw Error("bad \\u escape");
                    sb.Append((char)code);
                    pos += 4;
                    break;
                default: throw Error("bad escape '\\" + e + "'", pos - 1);
            }
        }
    }

    private string ParseNumber()
    {
        int start = pos;
        if (Peek() == '-') pos++;
        if (Peek() == '0') pos++;
        else Digits();
        if (pos < text.Length && text[pos] == '.') { pos++; Digits(); }
        if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
        {
            pos++;
            if (Peek() == '+' || Peek() == '-') pos++;
            Digits();
        }
        return text.Substring(start, pos - start);
    }

    private void Digits()
    {
        if (Peek() < '0' || Peek() > '9') throw Error("expected a digit");
        while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9') pos++;
    }

    private void Expect(string word)
    {
        if (pos + word.Length > text.Length) throw Error("truncated literal", text.Length, true);
        if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0) throw Error("unexpected literal");
        pos += word.Length;
    }

    private void SkipWhitespace()
    {
        while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) pos++;
    }

    private char Peek() => pos < text.Length ? text[pos] : throw Error("unexpected end of input", text.Length, true);

    private char Next() { char c = Peek(); pos++; return c; }

    private JsonParseException Error(string message, int? at = null, bool endOfInput = false)
    {
        int offset = at ?? pos;
        return new JsonParseException(message + " at offset " + offset.ToString(CultureInfo.InvariantCulture), offset, endOfInput);
    }
}
