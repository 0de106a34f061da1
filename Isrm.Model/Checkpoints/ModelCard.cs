namespace Isrm.Model.Checkpoints;

/// <summary>
/// A checkpoint's model card (<c>README.md</c>, as Hugging Face model cards are): a front-matter block of
/// <c>key: value</c> lines between two <c>---</c> lines, then prose. The keys are the card's key facts.
/// </summary>
public sealed record ModelCard(IReadOnlyList<KeyValuePair<string, string>> Facts)
{
    public const string FileName = "README.md";

    /// <summary>The facts <c>isrm info</c> prints, in this order, when the card has them.</summary>
    public static readonly string[] KeyFacts = ["summary", "training_data", "training_command", "parameters", "result", "result_command", "limits"];

    public string? this[string key] => Facts.FirstOrDefault(f => f.Key == key).Value;

    /// <summary>The card in <paramref name="directory"/>, or null when it has none (or no front matter).</summary>
    public static ModelCard? Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != "---") return null;
        var facts = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            if (line.Trim() == "---") return new ModelCard(facts);
            int colon = line.IndexOf(':');
            if (colon > 0) facts.Add(KeyValuePair.Create(line[..colon].Trim(), Unquote(line[(colon + 1)..].Trim())));
        }
        return null;   // no closing line: not front matter
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"") : value;
}
