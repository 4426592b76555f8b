// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
// A small strict JSON reader: the generator cannot load System.Text.Json reliably inside every compiler
// host, and the file format needs only objects, arrays, strings, numbers, booleans and null.
// A weight file is mostly one long base64 string per tensor, so a value keeps only where it lies in the one source
// text: its raw text and a string's decoded characters are made when asked for, and a tensor's data is decoded from
// the source text itself (GfmmFile), so reading a file holds its text once, not once per nesting level.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace GenLu.Format;

/// <summary>How the loops that run once per character or weight of a file are compiled.</summary>
internal static class OnePass
{
    /// <summary>
    /// <c>MethodImplOptions.AggressiveOptimization</c> (512; netstandard2.0 does not name it, and a host that does not know
    /// it ignores it): a file is read once per process, so these loops would otherwise spend their one long call in
    /// unoptimized first-tier code (measured: 2.3 s instead of 0.8 s to parse a 158 MB file).
    /// </summary>
    public const MethodImplOptions FullyOptimized = (MethodImplOptions)512;
}

internal enum JsonKind { Object, Array, String, Number, True, False, Null }

/// <summary>A parsed JSON value: its kind, where it lies in the source text, and an object's members or an array's items.</summary>
internal sealed class JsonNodeLite
{
    private readonly bool hasEscapes;

    public JsonNodeLite(JsonKind kind, string source, int start, int length, bool hasEscapes = false,
        List<KeyValuePair<string, JsonNodeLite>>? members = null, List<JsonNodeLite>? items = null)
    {
        Kind = kind;
        Source = source;
        Start = start;
        Length = length;
        this.hasEscapes = hasEscapes;
        Members = members;
        Items = items;
    }

    public JsonKind Kind { get; }

    /// <summary>The whole text the value was parsed from (shared by every node, never copied).</summary>
    public string Source { get; }

    /// <summary>Offset of the value's first character in <see cref="Source"/> (a string's opening quote).</summary>
    public int Start { get; }

    /// <summary>Length of the value's text in <see cref="Source"/>, quotes included.</summary>
    public int Length { get; }

    /// <summary>The value's exact source text (a new string each time: provenance keeps a section's text).</summary>
    public string Raw => Source.Substring(Start, Length);

    /// <summary>A string whose characters between its quotes are exactly its value: no escape sequence in it.</summary>
    public bool IsVerbatimString => Kind == JsonKind.String && !hasEscapes;

    /// <summary>The decoded string, or the number's text; null for other kinds. Made anew on each call and not kept, so a
    /// tensor's data decoded through it (escapes, or the generator's reader) lives only as long as its caller needs it.</summary>
    public string? Text => Kind switch
    {
        JsonKind.String => hasEscapes ? JsonLiteParser.Unescape(Source, Start) : Source.Substring(Start + 1, Length - 2),
        JsonKind.Number => Source.Substring(Start, Length),
        _ => null,
    };

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

    private JsonLiteParser(string text, int pos = 0)
    {
        this.text = text;
        this.pos = pos;
    }

    public static JsonNodeLite Parse(string text)
    {
        var parser = new JsonLiteParser(text);
        if (parser.pos < text.Length && text[parser.pos] == '\uFEFF') parser.pos++;
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser.pos != text.Length) throw parser.Error("unexpected text after the JSON value");
        return value;
    }

    /// <summary>The value of the string whose opening quote is at <paramref name="start"/> in text the parser accepted.</summary>
    internal static string Unescape(string text, int start)
    {
        var parser = new JsonLiteParser(text, start);
        var value = new StringBuilder();
        parser.ScanString(value);
        return value.ToString();
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
            case '"': { bool escaped = ScanString(null); return new JsonNodeLite(JsonKind.String, text, start, pos - start, escaped); }
            case 't': Expect("true"); return new JsonNodeLite(JsonKind.True, text, start, 4);
            case 'f': Expect("false"); return new JsonNodeLite(JsonKind.False, text, start, 5);
            case 'n': Expect("null"); return new JsonNodeLite(JsonKind.Null, text, start, 4);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) { ScanNumber(); return new JsonNodeLite(JsonKind.Number, text, start, pos - start); }
                throw Error("unexpected character '" + c + "'");
        }
    }

    private JsonNodeLite ParseObject(int depth)
    {
        int start = pos++;
        var members = new List<KeyValuePair<string, JsonNodeLite>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        SkipWhitespace();
        if (Peek() == '}') { pos++; return new JsonNodeLite(JsonKind.Object, text, start, pos - start, members: members); }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a property name");
            string key = ParseName();
            if (!seen.Add(key)) throw Error("duplicate property \"" + key + "\"");
            SkipWhitespace();
            if (Next() != ':') throw Error("expected ':' after property \"" + key + "\"", pos - 1);
            members.Add(new KeyValuePair<string, JsonNodeLite>(key, ParseValue(depth + 1)));
            SkipWhitespace();
            char c = Next();
            if (c == '}') return new JsonNodeLite(JsonKind.Object, text, start, pos - start, members: members);
            if (c != ',') throw Error("expected ',' or '}' in an object", pos - 1);
        }
    }

    private JsonNodeLite ParseArray(int depth)
    {
        int start = pos++;
        var items = new List<JsonNodeLite>();
        SkipWhitespace();
        if (Peek() == ']') { pos++; return new JsonNodeLite(JsonKind.Array, text, start, pos - start, items: items); }
        while (true)
        {
            items.Add(ParseValue(depth + 1));
            SkipWhitespace();
            char c = Next();
            if (c == ']') return new JsonNodeLite(JsonKind.Array, text, start, pos - start, items: items);
            if (c != ',') throw Error("expected ',' or ']' in an array", pos - 1);
        }
    }

    /// <summary>A property name: its characters, copied once (through a builder only when it has escapes).</summary>
    private string ParseName()
    {
        int start = pos;
        return ScanString(null) ? Unescape(text, start) : text.Substring(start + 1, pos - start - 2);
    }

    /// <summary>
    /// Checks the string at <see cref="pos"/> (its opening quote) and moves past its closing quote; appends its decoded
    /// characters to <paramref name="value"/> when one is given. Returns whether it has an escape sequence: a string
    /// without one is its source characters, which need no decoding.
    /// </summary>
    [MethodImpl(OnePass.FullyOptimized)]
    private bool ScanString(StringBuilder? value)
    {
        pos++; // opening quote
        bool escaped = false;
        while (true)
        {
            int run = pos;
            while (pos < text.Length && text[pos] != '"' && text[pos] != '\\' && text[pos] >= ' ') pos++;
            value?.Append(text, run, pos - run);
            char c = Next();
            if (c == '"') return escaped;
            if (c < ' ') throw Error("control character in a string", pos - 1);
            escaped = true;
            char e = Next();
            switch (e)
            {
                case '"': value?.Append('"'); break;
                case '\\': value?.Append('\\'); break;
                case '/': value?.Append('/'); break;
                case 'b': value?.Append('\b'); break;
                case 'f': value?.Append('\f'); break;
                case 'n': value?.Append('\n'); break;
                case 'r': value?.Append('\r'); break;
                case 't': value?.Append('\t'); break;
                case 'u':
                    if (pos + 4 > text.Length) throw Error("truncated \\u escape", text.Length, true);
                    if (!TryParseHex4(pos, out char code)) throw Error("bad \\u escape");
                    value?.Append(code);
                    pos += 4;
                    break;
                default: throw Error("bad escape '\\" + e + "'", pos - 1);
            }
        }
    }

    /// <summary>Four hexadecimal digits (either case) at <paramref name="at"/>, as the UTF-16 unit they spell.</summary>
    private bool TryParseHex4(int at, out char code)
    {
        int value = 0;
        for (int i = at; i < at + 4; i++)
        {
            char h = text[i];
            int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (digit < 0) { code = '\0'; return false; }
            value = (value << 4) | digit;
        }
        code = (char)value;
        return true;
    }

    private void ScanNumber()
    {
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
