using System.CommandLine;

namespace GenLu.Trainer.Cli;

/// <summary>
/// An option that takes one value of an enum, spelled in lowercase as the docs write it: the help shows
/// <c>&lt;cosine|step&gt;</c> and <c>[default: cosine]</c>, and a wrong value is one line naming the choices
/// (System.CommandLine's own enum parsing shows the CLR type name and the capitalised member names).
/// </summary>
internal static class ChoiceOption
{
    public static Option<string> Create<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        string[] choices = Choices<T>();
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join("|", choices),
            DefaultValueFactory = _ => Spell(defaultValue),
        };
        option.CompletionSources.Add(choices);
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is null || !TryParse<T>(value, out _))
                result.AddError($"{name} must be one of {string.Join(", ", choices)}, not '{value}'.");
        });
        return option;
    }

    /// <summary>The enum value a validated option holds.</summary>
    public static T Value<T>(ParseResult result, Option<string> option) where T : struct, Enum =>
        TryParse<T>(result.GetValue(option)!, out var value)
            ? value
            : throw new CliException($"{option.Name} must be one of {string.Join(", ", Choices<T>())}.");

    public static string Spell<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string[] Choices<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Spell).ToArray();

    // Only the spelled names: Enum.TryParse would also accept "1" or "Cosine, Step".
    private static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
            if (string.Equals(Spell(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        value = default;
        return false;
    }
}
