namespace Isrm.Tests.Research;

/// <summary>
/// The critic's effect is judged by 95 % intervals of paired differences (issue 14.6): the intervals are right on
/// synthetic samples of known mean, and <c>isrm-research critic-ci</c> writes them for a tiny model.
/// </summary>
public class CriticIntervalTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(5, 2.5706)]
    [InlineData(10, 2.2281)]
    [InlineData(30, 2.0423)]
    [InlineData(200, 1.9719)]
    public void The_t_quantile_matches_the_table(int degrees, double table) =>
        Assert.InRange(Math.Abs(PairedInterval.StudentT975(degrees) - table), 0, 1e-3);

    [Fact]
    public void Both_intervals_cover_the_true_mean_of_a_paired_sample_about_95_times_in_100()
    {
        var random = new Random(11);
        const double trueMean = 0.3;
        int samples = 400, tCovers = 0, bootstrapCovers = 0;
        for (int s = 0; s < samples; s++)
        {
            // paired differences: skewed (exponential minus its mean) plus the true mean, n = 40
            var d = Enumerable.Range(0, 40).Select(_ => trueMean + (-Math.Log(1 - random.NextDouble()) - 1)).ToList();
            var summary = PairedInterval.Of(d, resamples: 500, seed: s);
            if (summary.TLow <= trueMean && trueMean <= summary.THigh) tCovers++;
            if (summary.BootstrapLow <= trueMean && trueMean <= summary.BootstrapHigh) bootstrapCovers++;
            Assert.True(summary.TLow < summary.Mean && summary.Mean < summary.THigh);
        }
        output.WriteLine($"coverage: t {tCovers}/{samples}, bootstrap {bootstrapCovers}/{samples}");
        Assert.InRange(tCovers / (double)samples, 0.91, 0.98);
        Assert.InRange(bootstrapCovers / (double)samples, 0.89, 0.98);
    }

    [Fact]
    public void A_clear_effect_excludes_0_and_a_symmetric_null_sample_contains_it()
    {
        var random = new Random(5);
        var noise = Enumerable.Range(0, 128).Select(_ => random.NextDouble() * 2 - 1).ToList();
        var effect = PairedInterval.Of(noise.Select(x => x + 0.5).ToList());
        Assert.False(effect.ContainsZero);
        Assert.True(effect.TLow > 0 && effect.BootstrapLow > 0);
        var none = PairedInterval.Of(noise.Concat(noise.Select(x => -x)).ToList());   // mean exactly 0
        Assert.True(none.ContainsZero);
        Assert.Equal(0, none.Mean, 12);
        Assert.Throws<ArgumentException>(() => PairedInterval.Of([1.0]));
    }

    [Fact]
    public void The_Wilson_interval_of_half_is_symmetric_and_narrows_with_more_trials()
    {
        var (low, high) = PairedInterval.Wilson(50, 100);
        Assert.Equal(0.5, (low + high) / 2, 9);
        Assert.Equal(0.4038, low, 3);
        var (low4, high4) = PairedInterval.Wilson(200, 400);
        Assert.True(high4 - low4 < high - low);
    }
}

/// <summary><c>isrm-research critic-ci</c> end to end on a tiny checkpoint and a tiny corpus.</summary>
public sealed class CriticCiCommandTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Corpus()
    {
        string dir = Directory.CreateDirectory(_folder.Combine("corpus")).FullName;
        string[] words = "a mill by the river where the farmers brought grain and children sang in the yard".Split(' ');
        var random = new Random(4);
        for (int d = 0; d < 20; d++)
            File.WriteAllText(Path.Combine(dir, $"doc{d:00}.txt"), string.Join(' ', Enumerable.Range(0, 90).Select(_ => words[random.Next(words.Length)])));
        return dir;
    }

    [Fact]
    public void Critic_ci_writes_paired_intervals_for_every_measure_with_a_judge()
    {
        string json = _folder.Combine("critic.json");
        var (code, stdout, stderr) = BenchCommandTests.RunResearch("critic-ci", "--checkpoint", tiny.Directory, "--corpus", Corpus(), "--judge", tiny.Directory,
            "--prompts", "12", "--candidates", "3", "--train-windows", "16", "--steps", "5", "--prompt-length", "16", "--continuation", "8", "--k", "2", "--json", json);
        output.WriteLine($"{stdout}\n{stderr}");
        Assert.True(code == 0, stderr);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = document.RootElement;
        Assert.Equal(12, root.GetProperty("prompts").GetInt32());
        Assert.Equal(3, root.GetProperty("candidates").GetInt32());
        double accuracy = root.GetProperty("criticAccuracy").GetDouble();
        Assert.InRange(accuracy, root.GetProperty("criticAccuracyLow").GetDouble(), root.GetProperty("criticAccuracyHigh").GetDouble());
        Assert.InRange(root.GetProperty("changedChoices").GetInt32(), 0, 12);
        JsonElement[] metrics = root.GetProperty("metrics").EnumerateArray().ToArray();
        Assert.Equal(3, metrics.Length);
        Assert.StartsWith("judge loss", metrics[1].GetProperty("name").GetString());
        foreach (JsonElement m in metrics)
        {
            JsonElement vs = m.GetProperty("vsRandomPick");
            Assert.Equal(12, vs.GetProperty("count").GetInt32());
            // the paired mean is the difference of the two means, and sits inside both of its intervals
            Assert.Equal(m.GetProperty("critic").GetDouble() - m.GetProperty("randomPick").GetDouble(), vs.GetProperty("mean").GetDouble(), 9);
            Assert.InRange(vs.GetProperty("mean").GetDouble(), vs.GetProperty("tLow").GetDouble(), vs.GetProperty("tHigh").GetDouble());
            Assert.InRange(vs.GetProperty("mean").GetDouble(), vs.GetProperty("bootstrapLow").GetDouble() - 1e-12, vs.GetProperty("bootstrapHigh").GetDouble() + 1e-12);
            Assert.Equal(m.GetProperty("critic").GetDouble() - m.GetProperty("firstSample").GetDouble(), m.GetProperty("vsFirstSample").GetProperty("mean").GetDouble(), 9);
            Assert.False(string.IsNullOrEmpty(m.GetProperty("verdict").GetString()));
        }
        // the tiny model was never trained on this text: its own loss and the judge's (the same model) are positive
        Assert.True(metrics[0].GetProperty("randomPick").GetDouble() > 0);
        Assert.Equal(metrics[0].GetProperty("randomPick").GetDouble(), metrics[1].GetProperty("randomPick").GetDouble(), 2);
    }

    [Fact]
    public void Critic_ci_refuses_too_few_prompts_in_one_sentence()
    {
        var (code, _, stderr) = BenchCommandTests.RunResearch("critic-ci", "--checkpoint", tiny.Directory, "--corpus", Corpus(), "--prompts", "1");
        Assert.Equal(1, code);
        Assert.Equal("--prompts and --candidates must each be at least 2.", stderr.Trim());
    }
}
