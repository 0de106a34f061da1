namespace Isrm.Model.Data;

/// <summary>Turns a Brown document in tagged form (<c>The/at Fulton/np-tl ...</c>) into plain readable text, one paragraph per line.</summary>
public static class BrownText
{
    // Tokens glued to the word before them.
    private static readonly HashSet<string> NoSpaceBefore = [",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "''"];
    // Tokens glued to the word after them.
    private static readonly HashSet<string> NoSpaceAfter = ["(", "[", "{", "$", "``", "`"];

    /// <summary>Strips the tags and joins the words; paragraphs (blocks between blank lines) become single lines.</summary>
    public static string ToPlainText(string tagged)
    {
        var output = new StringBuilder(tagged.Length / 2);
        foreach (List<string> paragraph in Paragraphs(tagged))
        {
            string line = JoinWords(paragraph);
            if (line.Length == 0) continue;
            output.Append(line).Append('\n');
        }
        return output.ToString();
    }

    /// <summary>The word part of a <c>word/tag</c> token: everything before the last slash (words such as <c>1-1/2</c> keep theirs).</summary>
    public static string StripTag(string token)
    {
        int slash = token.LastIndexOf('/');
        return slash > 0 ? token[..slash] : token;
    }

    private static IEnumerable<List<string>> Paragraphs(string tagged)
    {
        var words = new List<string>();
        foreach (string line in tagged.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (words.Count > 0) yield return words;
                words = [];
                continue;
            }
            foreach (string token in line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
                words.Add(StripTag(token));
        }
        if (words.Count > 0) yield return words;
    }

    private static string JoinWords(List<string> words)
    {
        var line = new StringBuilder();
        bool glueNext = true;
        // A lone ' is an opening or a closing single quote; Brown does not say which, so alternate.
        bool singleQuoteOpen = false;
        foreach (string word in words)
        {
            // Brown closes a sentence ending in an abbreviation with a second "." token ("Jr." ".").
            if (word == "." && line.Length > 0 && line[^1] == '.') continue;
            bool glueBefore = NoSpaceBefore.Contains(word);
            bool glueAfter = NoSpaceAfter.Contains(word);
            if (word == "'")
            {
                glueBefore = singleQuoteOpen;
                glueAfter = !singleQuoteOpen;
                singleQuoteOpen = !singleQuoteOpen;
            }
            if (!glueNext && !glueBefore) line.Append(' ');
            line.Append(word switch { "``" or "''" => "\"", "`" => "'", _ => word });
            glueNext = glueAfter;
        }
        return line.ToString();
    }
}
