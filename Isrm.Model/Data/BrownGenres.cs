namespace Isrm.Model.Data;

/// <summary>The Brown Corpus's 15 genre categories, keyed by the letter in a document id (<c>ca01</c> → a → news).</summary>
public static class BrownGenres
{
    // Names as in the corpus's own cats.txt (and NLTK), so labels match what other tools report.
    public static IReadOnlyDictionary<char, string> ByLetter { get; } = new Dictionary<char, string>
    {
        ['a'] = "news",
        ['b'] = "editorial",
        ['c'] = "reviews",
        ['d'] = "religion",
        ['e'] = "hobbies",
        ['f'] = "lore",
        ['g'] = "belles_lettres",
        ['h'] = "government",
        ['j'] = "learned",
        ['k'] = "fiction",
        ['l'] = "mystery",
        ['m'] = "science_fiction",
        ['n'] = "adventure",
        ['p'] = "romance",
        ['r'] = "humor",
    };

    /// <summary>True for a Brown document id: "c", a genre letter, two digits (e.g. <c>cp12</c>).</summary>
    public static bool IsDocumentId(string name) =>
        name.Length == 4 && name[0] == 'c' && ByLetter.ContainsKey(name[1]) && char.IsAsciiDigit(name[2]) && char.IsAsciiDigit(name[3]);

    public static string GenreOf(string documentId) =>
        IsDocumentId(documentId) ? ByLetter[documentId[1]] : throw new ArgumentException($"'{documentId}' is not a Brown document id.", nameof(documentId));
}
