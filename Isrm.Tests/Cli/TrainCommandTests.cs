namespace Isrm.Tests.Cli;

/// <summary><c>isrm train</c> and <c>isrm eval</c> as a user runs them: progress, resume, Ctrl-C, crashes, bad input.</summary>
public class TrainCommandTests
{
    private static string[] Tiny(TinyCorpus corpus, int steps, params string[] more) =>
    [
        "train", "--corpus", corpus.Directory, "--out", corpus.Out, "--steps", steps.ToString(), "--width", "48", "--batch", "4",
        "--context", "32", "--k-max", "3", "--eval-every", "2", "--eval-k", "2", "--warmup", "2", .. more,
    ];

    private static int LastMetricStep(string run) =>
        JsonDocument.Parse(File.ReadLines(Path.Combine(run, Trainer.MetricsFile)).Last()).RootElement.GetProperty("step").GetInt32();

    [Fact]
    public void Train_then_resume_extends_the_run_and_records_both_commands()
    {
        using var corpus = new TinyCorpus();
        var (code, _, err) = IsrmProcess.Run(Tiny(corpus, 3, "--json"));
        Assert.True(code == 0, err);
        (code, _, err) = IsrmProcess.Run("train", "--out", corpus.Out, "--resume", "--steps", "5", "--json");
        Assert.True(code == 0, err);

        CheckpointInfo info = Checkpoint.Inspect(corpus.Out);
        Assert.Equal(5, info.Metadata.Step);
        Assert.Contains("--resume", info.Metadata.Command);
        Assert.Contains("--width 48", info.Metadata.Command);
        Assert.Equal(5, File.ReadLines(Path.Combine(corpus.Out, Trainer.MetricsFile)).Count());
    }

    [Fact]
    public void Ctrl_C_saves_the_checkpoint_and_exits()
    {
        using var corpus = new TinyCorpus();
        using var process = new IsrmProcess(Tiny(corpus, 100000, "--json", "--save-every", "100000"));
        string metrics = Path.Combine(corpus.Out, Trainer.MetricsFile);
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        while ((!File.Exists(metrics) || File.ReadLines(metrics).Count() < 3) && DateTime.UtcNow < deadline) Thread.Sleep(100);
        process.Interrupt();
        // On a loaded machine a signal can land while the runtime is still wiring its handler: press Ctrl-C again, as a user would.
        if (!process.WaitForExitQuietly(TimeSpan.FromSeconds(30))) process.Interrupt();
        var (code, output, _) = process.WaitForExit(TimeSpan.FromSeconds(120));

        Assert.Equal(130, code);
        Assert.Contains("interrupted", output);
        CheckpointInfo info = Checkpoint.Inspect(corpus.Out);
        Assert.True(info.Metadata.Step >= 3);
        Assert.Equal(LastMetricStep(corpus.Out), info.Metadata.Step);
    }

    [Fact]
    public void Kill_9_during_checkpoint_writes_leaves_a_loadable_checkpoint_that_resumes()
    {
        using var corpus = new TinyCorpus();
        var random = new Random(3);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            // Saving after every step keeps the trainer inside Checkpoint.Save much of the time.
            string[] args = attempt == 0 ? Tiny(corpus, 100000, "--json", "--save-every", "1")
                : ["train", "--out", corpus.Out, "--resume", "--json"];
            using var process = new IsrmProcess(args);
            string metrics = Path.Combine(corpus.Out, Trainer.MetricsFile);
            DateTime deadline = DateTime.UtcNow.AddSeconds(90);
            int before = File.Exists(metrics) ? File.ReadLines(metrics).Count() : 0;
            while ((!File.Exists(metrics) || File.ReadLines(metrics).Count() < before + 2) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Thread.Sleep(random.Next(0, 150));
            process.KillHard();
            process.WaitForExit(TimeSpan.FromSeconds(30));

            using LoadedCheckpoint loaded = Checkpoint.Load(corpus.Out, TorchSharp.torch.CPU);
            Assert.True(loaded.Info.Metadata.Step >= 1, $"attempt {attempt}");
        }
        var (code, _, err) = IsrmProcess.Run("train", "--out", corpus.Out, "--resume", "--json", "--steps", (Checkpoint.Inspect(corpus.Out).Metadata.Step + 2).ToString());
        Assert.True(code == 0, err);
    }

    [Fact]
    public void Train_with_a_window_makes_a_hybrid_checkpoint_and_a_window_on_isrm_is_one_sentence()
    {
        using var corpus = new TinyCorpus();
        var (code, _, err) = IsrmProcess.Run(Tiny(corpus, 2, "--family", "rlm", "--neurons", "16", "--sync-pairs", "32", "--window", "8", "--json"));
        Assert.True(code == 0, err);
        using (LoadedCheckpoint loaded = Checkpoint.Load(corpus.Out, TorchSharp.torch.CPU))
        {
            Assert.Equal(8, loaded.Model.Config.Window);
            Assert.IsType<Isrm.Model.Recurrent.HybridCore>(loaded.Model.Recurrent);
        }
        var (refused, output, error) = IsrmProcess.Run(Tiny(corpus, 2, "--window", "8"));
        Assert.Equal(1, refused);
        Assert.Equal("window must be 0 or more, and above 0 only for rlm, rlt or gated-rlt.", error.Trim());
        Assert.DoesNotContain("   at ", error + output);
    }

    [Theory]
    [InlineData("--k-min", "0", "--k-min")]
    [InlineData("--k-dist", "cauchy", "--k-dist")]
    [InlineData("--steps", "0", "--steps")]
    [InlineData("--alpha-schedule", "cosine", "--alpha-schedule must be whitepaper, constant or harmonic")]
    public void Bad_options_get_one_sentence_and_exit_code_1(string option, string value, string named)
    {
        using var corpus = new TinyCorpus();
        var (code, output, err) = IsrmProcess.Run(Tiny(corpus, 2, option, value));
        Assert.Equal(1, code);
        Assert.Contains(named, err);
        Assert.DoesNotContain("   at ", err + output);
    }

    [Fact]
    public void A_missing_corpus_is_one_sentence()
    {
        var (code, _, err) = IsrmProcess.Run("train", "--corpus", "/nonexistent/corpus", "--out", Path.Combine(Path.GetTempPath(), "isrm-never"));
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void Eval_writes_json_csv_and_plots_with_the_adaptive_K_reached()
    {
        using var corpus = new TinyCorpus();
        Assert.Equal(0, IsrmProcess.Run(Tiny(corpus, 2, "--json")).ExitCode);
        string json = Path.Combine(corpus.Out, "eval", "scaling.json");
        var (code, _, err) = IsrmProcess.Run("eval", "--checkpoint", corpus.Out, "--corpus", corpus.Directory, "--k", "1,2,4,inf", "--windows", "4", "--json", json);
        Assert.True(code == 0, err);

        JsonElement[] rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToArray();
        Assert.Equal(["1", "2", "4", "inf"], rows.Select(r => r.GetProperty("k").GetString()));
        Assert.InRange(rows[3].GetProperty("meanKReached").GetDouble(), 1, 256);
        Assert.All(rows, r => Assert.True(r.GetProperty("lossNatsPerToken").GetDouble() > 0));
        Assert.True(File.Exists(Path.ChangeExtension(json, ".csv")));
        Assert.True(new FileInfo(Path.Combine(corpus.Out, "eval", "scaling-loss.png")).Length > 1000);
        Assert.True(new FileInfo(Path.Combine(corpus.Out, "eval", "scaling-delta-residual.png")).Length > 1000);
    }

    [Fact]
    public void Eval_rejects_a_bad_K_list_in_one_sentence()
    {
        var (code, _, err) = IsrmProcess.Run("eval", "--checkpoint", Path.GetTempPath(), "--corpus", Path.GetTempPath(), "--k", "1,zero");
        Assert.Equal(1, code);
        Assert.Contains("'zero'", err);
    }
}
