using System.Text.Json;
using Isrm.Tests.Cli;
using Isrm.Tests.Model;
using Xunit.Abstractions;

namespace Isrm.Tests.Rlm;

/// <summary><c>isrm-bench recall</c>, <c>recall-eval</c> and <c>recall-report</c> on a tiny model.</summary>
public sealed class RecallCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_run_measures_1_to_256_pairs_and_recall_eval_fills_in_what_an_older_run_lacks()
    {
        string run = _folder.Combine("rlm-tiny");
        var (code, stdout, stderr) = BenchCommandTests.RunBench("recall", "--family", "rlm", "--width", "16", "--neurons", "8", "--sync-pairs", "12",
            "--steps", "2", "--batch", "4", "--train-pairs", "1,2", "--eval-sequences", "4", "--out", run);
        output.WriteLine($"{stdout}\n{stderr}");
        Assert.True(code == 0, stderr);
        string path = Path.Combine(run, "recall.json");
        Dictionary<string, double> Accuracy()
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.GetProperty("accuracy").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        var measured = Accuracy();
        Assert.Equal(["1", "2", "4", "8", "16", "32", "64", "128", "256"], measured.Keys);
        Assert.All(measured.Values, a => Assert.InRange(a, 0, 1));

        // An older run measured 4 … 256 only: recall-eval adds 1 and 2, with the same seeded sequences, and keeps the rest.
        string text = File.ReadAllText(path);
        using (JsonDocument document = JsonDocument.Parse(text))
        {
            var older = document.RootElement.GetProperty("accuracy").EnumerateObject().Where(p => p.Name is not ("1" or "2")).ToDictionary(p => p.Name, p => p.Value.GetDouble());
            var root = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text)!;
            root["accuracy"] = JsonSerializer.SerializeToElement(older);
            File.WriteAllText(path, JsonSerializer.Serialize(root));
        }
        Assert.Equal(7, Accuracy().Count);
        var (evaluated, evalOut, evalError) = BenchCommandTests.RunBench("recall-eval", "--runs", run, "--eval-sequences", "4");
        output.WriteLine(evalOut);
        Assert.True(evaluated == 0, evalError);
        Assert.Contains("N 1: accuracy", evalOut);
        Assert.DoesNotContain("N 4: accuracy", evalOut);
        Assert.Equal(measured, Accuracy());

        var (reported, table, reportError) = BenchCommandTests.RunBench("recall-report", "--runs", run, "--out", _folder.Combine("report"));
        Assert.True(reported == 0, reportError);
        Assert.Contains("| N=1 | N=2 | N=4 |", table);
        Assert.True(File.Exists(Path.Combine(_folder.Combine("report"), "recall.png")));

        var (refused, _, error) = BenchCommandTests.RunBench("recall-eval", "--runs", _folder.Combine("nowhere"));
        Assert.Equal(1, refused);
        Assert.Contains("holds no recall.json", error);
    }
}
