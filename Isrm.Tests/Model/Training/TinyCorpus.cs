namespace Isrm.Tests.Model.Training;

/// <summary>A throw-away folder corpus of a few short documents.</summary>
internal sealed class TinyCorpus : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("isrm-corpus-").FullName;
    public string Out { get; }

    public TinyCorpus(int documents = 12)
    {
        Out = Path.Combine(Directory, "..", Path.GetFileName(Directory) + "-run");
        var random = new Random(5);
        string[] words = ["the", "jury", "said", "a", "quiet", "river", "ran", "past", "old", "mills", "and", "night", "fell"];
        for (int d = 0; d < documents; d++)
        {
            var text = string.Join(' ', Enumerable.Range(0, 120).Select(_ => words[random.Next(words.Length)]));
            File.WriteAllText(Path.Combine(Directory, $"doc{d:00}.txt"), text + ".\n");
        }
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        if (System.IO.Directory.Exists(Out)) System.IO.Directory.Delete(Out, recursive: true);
    }
}
