using System.Globalization;

namespace GenLu.Generator.Parsing;

/// <summary>
/// Reads M and P from a weight file's top-level object without building the JSON tree or decoding a tensor, so
/// the size limit (<see cref="GeneratedSize"/>) is checked before any work proportional to the model. It only
/// scans: members are skipped character by character (strings, nested objects and arrays). Anything it cannot
/// follow yields false, and the full reader (<c>GfmmFile.Parse</c>) then reports the defect precisely.
/// </summary>
internal static class WeightFileHeader
{
    public static bool TryReadShape(string json, out int m, out int p) => Scan(json, withDtype: false, out m, out p, out _);

    /// <summary>M and P as <see cref="TryReadShape"/> finds them, and whether the file claims <c>"dtype": "float64"</c>
    /// (the members before the tensors, in the files GenLu writes; a dtype after them costs a scan to the end).</summary>
    public static bool TryReadHeader(string json, out int m, out int p, out bool float64) => Scan(json, withDtype: true, out m, out p, out float64);

    private static bool Scan(string json, bool withDtype, out int m, out int p, out bool float64)
    {
        m = p = 0;
        float64 = false;
        bool haveM = false, haveP = false, haveDtype = !withDtype;
        int pos = 0;
        if (pos < json.Length && json[pos] == '\uFEFF') pos++;
        SkipWhitespace(json, ref pos);
        if (!Take(json, ref pos, '{')) return false;
        while (true)
        {
            SkipWhitespace(json, ref pos);
            if (pos >= json.Length || json[pos] != '"') return false;
            int keyStart = pos + 1;
            if (!SkipString(json, ref pos)) return false;
            string key = json.Substring(keyStart, pos - 1 - keyStart);
            SkipWhitespace(json, ref pos);
            if (!Take(json, ref pos, ':')) return false;
            SkipWhitespace(json, ref pos);
            int valueStart = pos;
            if (!SkipValue(json, ref pos)) return false;
            // The first occurrence counts, as in the full reader.
            if (key == "M" && !haveM) haveM = int.TryParse(json.Substring(valueStart, pos - valueStart).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out m);
            else if (key == "P" && !haveP) haveP = int.TryParse(json.Substring(valueStart, pos - valueStart).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out p);
            else if (key == "dtype" && !haveDtype)
            {
                haveDtype = true;
                float64 = json.Substring(valueStart, pos - valueStart).Trim() == "\"float64\"";
            }
            if (haveM && haveP && haveDtype) return true;
            SkipWhitespace(json, ref pos);
            if (Take(json, ref pos, ',')) continue;
            return haveM && haveP && withDtype; // the end without a dtype (the reader reports it), or '}' without both, or malformed
        }
    }

    private static bool SkipValue(string json, ref int pos)
    {
        if (pos >= json.Length) return false;
        char c = json[pos];
        if (c == '"') return SkipString(json, ref pos);
        if (c != '{' && c != '[')
        {
            while (pos < json.Length && json[pos] != ',' && json[pos] != '}' && json[pos] != ']') pos++;
            return pos < json.Length;
        }
        int depth = 0;
        while (pos < json.Length)
        {
            c = json[pos];
            if (c == '"')
            {
                if (!SkipString(json, ref pos)) return false;
                continue;
            }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') depth--;
            pos++;
            if (depth == 0) return true;
        }
        return false;
    }

    /// <summary>From an opening quote to just past its closing quote.</summary>
    private static bool SkipString(string json, ref int pos)
    {
        pos++;
        while (pos < json.Length)
        {
            char c = json[pos++];
            if (c == '\\') pos++;
            else if (c == '"') return pos <= json.Length;
        }
        return false;
    }

    private static bool Take(string json, ref int pos, char expected)
    {
        if (pos >= json.Length || json[pos] != expected) return false;
        pos++;
        return true;
    }

    private static void SkipWhitespace(string json, ref int pos)
    {
        while (pos < json.Length && (json[pos] == ' ' || json[pos] == '\t' || json[pos] == '\n' || json[pos] == '\r')) pos++;
    }
}
