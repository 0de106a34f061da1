using Microsoft.ML.Tokenizers;

namespace Isrm.Tests.Model.Tokenization;

/// <summary>The BPE trainer learns the most frequent pairs first and writes GPT-2 byte-level files that Microsoft.ML.Tokenizers loads.</summary>
public sealed class BpeTrainerTests(TrainedBpe trained) : IClassFixture<TrainedBpe>
{
    [Fact]
    public void Merges_follow_pair_frequency_on_a_hand_counted_example()
    {
        // Pre-tokens "ab", " ab", " ab", " cd": (a,b) is seen 3 times, then (' ', ab) twice, the rest once.
        BpeVocabulary vocabulary = BpeTrainer.Train(["ab ab ab cd"], vocabSize: 300);

        Assert.Equal([((int)'a', (int)'b'), (' ', 256)], vocabulary.Merges);
        Assert.Equal(258, vocabulary.Tokens.Count);
        Assert.Equal(" ab"u8.ToArray(), vocabulary.Tokens[257]);
    }

    [Fact]
    public void Training_reaches_the_requested_vocabulary_with_distinct_tokens()
    {
        Assert.Equal(TrainedBpe.VocabSize, trained.Vocabulary.Tokens.Count);
        Assert.Equal(TrainedBpe.VocabSize, trained.Tokenizer.VocabSize);
        Assert.Equal(trained.Vocabulary.Tokens.Count, trained.Vocabulary.Tokens.Select(Convert.ToHexString).Distinct().Count());
        Assert.All(Enumerable.Range(0, 256), b => Assert.Equal([(byte)b], trained.Vocabulary.Tokens[b]));
    }

    [Fact]
    public void Training_twice_gives_identical_files()
    {
        string again = Directory.CreateTempSubdirectory("isrm-bpe-again-").FullName;
        try
        {
            BpeTrainer.Train(Enumerable.Repeat(TrainedBpe.Texts, 6).SelectMany(t => t), TrainedBpe.VocabSize).Save(again);
            foreach (string file in new[] { BpeVocabulary.VocabFile, BpeVocabulary.MergesFile })
                Assert.Equal(File.ReadAllText(Path.Combine(trained.Directory, file)), File.ReadAllText(Path.Combine(again, file)));
        }
        finally { Directory.Delete(again, recursive: true); }
    }

    [Fact]
    public void The_files_are_in_gpt2_byte_level_format()
    {
        string[] merges = File.ReadAllLines(Path.Combine(trained.Directory, BpeVocabulary.MergesFile));
        string vocab = File.ReadAllText(Path.Combine(trained.Directory, BpeVocabulary.VocabFile));

        Assert.Equal("#version: 0.2", merges[0]);
        Assert.Equal(trained.Vocabulary.Merges.Count + 1, merges.Length);
        Assert.All(merges.Skip(1), line => Assert.Equal(2, line.Split(' ').Length));
        Assert.Contains("\"Ġ\": 32", vocab);
        Assert.Contains("\"Ċ\": 10", vocab);
        Assert.Contains("\"Ġthe\":", vocab);
        Assert.Equal("{\"kind\":\"bpe\"}\n", File.ReadAllText(Path.Combine(trained.Directory, "tokenizer.json")));
    }

    [Fact]
    public void Microsoft_ML_Tokenizers_loads_the_files_and_encodes_like_our_wrapper()
    {
        BpeTokenizer library = BpeTokenizer.Create(new BpeOptions(
            Path.Combine(trained.Directory, BpeVocabulary.VocabFile), Path.Combine(trained.Directory, BpeVocabulary.MergesFile))
        {
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(ByteLevel.PreTokenPattern(), null),
        });

        foreach (string text in TrainedBpe.Texts)
            Assert.Equal(library.EncodeToIds(text), trained.Tokenizer.Encode(text));
        Assert.Equal(TrainedBpe.VocabSize, library.Vocabulary.Count);
    }

    [Fact]
    public void Learned_merges_compress_text_like_the_training_text()
    {
        string text = string.Concat(TrainedBpe.Texts);
        int bytes = System.Text.Encoding.UTF8.GetByteCount(text);

        int tokens = trained.Tokenizer.Encode(text).Length;

        Assert.True(tokens * 2 < bytes, $"{tokens} tokens for {bytes} bytes");
        Assert.Single(trained.Tokenizer.Encode(" the"));
    }
}
