namespace Isrm.Tests.Model.Tokenization;

/// <summary>One small BPE trained once per test class, on English with some non-Latin text, saved to a temporary folder.</summary>
public sealed class TrainedBpe : IDisposable
{
    public const int VocabSize = 420;

    public static readonly string[] Texts =
    [
        "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence.\n" +
        "The jury further said in term-end presentments that the City Executive Committee deserves the praise and thanks of the City.\n",
        "He was well rid of her. He certainly didn't want a wife who was fickle as Ann. If he had married her, he'd have been asking for trouble.\n",
        "Numbers: 1961, 1962, 3.14 and 42 -- they're all here.\tTabs\tand  double  spaces.\r\nWindows line.\n",
        "Café naïve résumé — “quotes” 漢字 テキスト Привет мир 😀 👍🏽\n",
    ];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("isrm-bpe-").FullName;
    public BpeVocabulary Vocabulary { get; }
    public BpeTextTokenizer Tokenizer { get; }

    public TrainedBpe()
    {
        // Repeated so pairs are frequent enough to be merged up to the requested size.
        string[] corpus = Enumerable.Repeat(Texts, 6).SelectMany(t => t).ToArray();
        Vocabulary = BpeTrainer.Train(corpus, VocabSize);
        Tokenizer = BpeTextTokenizer.Create(Vocabulary, Directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
