namespace Isrm.Tests.Cli;

/// <summary>
/// <c>isrm eval</c> and <c>isrm eval-rlm</c> on a folder of text that is not the training corpus: the shipped
/// checkpoints evaluate every document and say so; <c>--split validation</c> refuses in one sentence.
/// </summary>
public sealed class ForeignCorpusEvalTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _corpus;

    public ForeignCorpusEvalTests()
    {
        _corpus = Directory.CreateDirectory(_folder.Combine("foreign")).FullName;
        string[] words = "the river ran past an old mill where children played in summer and farmers brought grain to town".Split(' ');
        var random = new Random(3);
        for (int d = 0; d < 3; d++)
            File.WriteAllText(Path.Combine(_corpus, $"note{d}.txt"), string.Join(' ', Enumerable.Range(0, 300).Select(_ => words[random.Next(words.Length)])) + ".\n");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Eval_of_the_shipped_checkpoint_on_a_foreign_folder_reads_every_document_and_says_so()
    {
        string json = _folder.Combine("out.json");
        var (code, output, errors) = IsrmProcess.Run("eval", "--checkpoint", Repository.Combine("checkpoints", "isrm-default"),
            "--corpus", _corpus, "--k", "1,4", "--windows", "4", "--json", json);
        Assert.True(code == 0, errors);
        Assert.Contains($"{_corpus} is not the corpus isrm-default was trained on: evaluating every one of its 3 documents.", output);
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(json));
        double[] losses = results.RootElement.EnumerateArray().Select(r => r.GetProperty("lossNatsPerToken").GetDouble()).ToArray();
        Assert.Equal(2, losses.Length);
        Assert.All(losses, l => Assert.InRange(l, 0.1, Math.Log(256)));   // a real loss: better than uniform over bytes
    }

    [Fact]
    public void Split_all_and_split_validation_choose_explicitly()
    {
        var (code, output, _) = IsrmProcess.Run("eval", "--checkpoint", Repository.Combine("checkpoints", "transformer-equal-steps"),
            "--corpus", _corpus, "--k", "1", "--windows", "2", "--split", "all");
        Assert.Equal(0, code);
        Assert.Contains($"Evaluating all 3 documents of {_corpus} (--split all).", output);

        var (refused, _, error) = IsrmProcess.Run("eval", "--checkpoint", Repository.Combine("checkpoints", "transformer-equal-steps"),
            "--corpus", _corpus, "--k", "1", "--split", "validation");
        Assert.Equal(1, refused);
        Assert.Matches(@"^transformer-equal-steps's split\.json names document '[a-z0-9]+', which is not in .+; use the corpus it was trained on, or --split all \(or auto\) for another folder\.\s*$", error);
    }

    [Fact]
    public void Eval_rlm_recall_on_a_foreign_folder_reads_every_document_and_says_so()
    {
        var (code, output, errors) = BenchCommandTests.RunResearch("eval-rlm", "recall", "--checkpoint", Repository.Combine("checkpoints", "rlm-small"),
            "--corpus", _corpus, "--samples", "2", "--gaps", "8,16");
        Assert.True(code == 0, errors);
        Assert.Contains($"{_corpus} is not the corpus rlm-small was trained on: evaluating every one of its 3 documents.", output);
        Assert.Matches(@"│ 16\s+│ \d+\.\d{3}", output);
    }
}
