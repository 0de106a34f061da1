namespace Isrm.Tests.Research;

/// <summary><c>isrm-research recall</c>, <c>recall-eval</c> and <c>recall-report</c> on a tiny model.</summary>
public sealed class RecallCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_run_measures_1_to_256_pairs_and_recall_eval_fills_in_what_an_older_run_lacks()
    {
        string run = _folder.Combine("rlm-tiny");
        var (code, stdout, stderr) = BenchCommandTests.RunResearch("recall", "--family", "rlm", "--width", "16", "--neurons", "8", "--sync-pairs", "12",
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
        var (evaluated, evalOut, evalError) = BenchCommandTests.RunResearch("recall-eval", "--runs", run, "--eval-sequences", "4");
        output.WriteLine(evalOut);
        Assert.True(evaluated == 0, evalError);
        Assert.Contains("N 1: accuracy", evalOut);
        Assert.DoesNotContain("N 4: accuracy", evalOut);
        Assert.Equal(measured, Accuracy());

        var (reported, table, reportError) = BenchCommandTests.RunResearch("recall-report", "--runs", run, "--out", _folder.Combine("report"));
        Assert.True(reported == 0, reportError);
        Assert.Contains("| N=1 | N=2 | N=4 |", table);
        Assert.True(File.Exists(Path.Combine(_folder.Combine("report"), "recall.png")));

        var (refused, _, error) = BenchCommandTests.RunResearch("recall-eval", "--runs", _folder.Combine("nowhere"));
        Assert.Equal(1, refused);
        Assert.Contains("holds no recall.json", error);
    }

    [Fact]
    public void The_report_gives_each_run_its_limits_and_the_pairs_it_holds()
    {
        // Written by hand: a run that answers all of 4 pairs, three quarters of 8 and a tenth of 16, measured from N = 4 on.
        string run = Directory.CreateDirectory(_folder.Combine("made-up")).FullName;
        File.WriteAllText(Path.Combine(run, "recall.json"), """
            { "command": "by hand", "family": "rlm", "stateFloats": 160, "parameters": 1000, "trainPairs": [4], "steps": 10, "seconds": 60,
              "finalLoss": 1.0, "maxContext": 64, "accuracy": { "4": 1.0, "8": 0.75, "16": 0.1 } }
            """);
        var (code, table, error) = BenchCommandTests.RunResearch("recall-report", "--runs", run, "--out", _folder.Combine("report"));
        Assert.True(code == 0, error);
        // < 90 % from 8, < 50 % from 16; pairs held = max over N of N (a − 1/64)/(1 − 1/64) = 8 · 0.7344/0.9844 = 5.97 at N = 8.
        Assert.Contains("| — | — | 100.0 | 75.0 | 10.0 | — | — | — | — | 8 | 16 | 6.0 (8) |", table);
        // the written recall.json carries the same limits, for the tables of reports/rlm.md
        string written = Path.Combine(_folder.Combine("report"), "recall.json");
        var limits = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(written))![0]!["limits"]!;
        Assert.Equal("8", (string?)limits["below90"]);
        Assert.Equal("16", (string?)limits["below50"]);
        Assert.Equal(5.97, (double)limits["pairsHeld"]!, 2);
        Assert.Equal(8, (int)limits["pairsHeldAt"]!);

        // --report reads that file again and writes the same table
        var (again, tableAgain, againError) = BenchCommandTests.RunResearch("recall-report", "--report", written, "--out", _folder.Combine("again"));
        Assert.True(again == 0, againError);
        Assert.Equal(table, tableAgain);
        var (both, _, bothError) = BenchCommandTests.RunResearch("recall-report", "--runs", run, "--report", written, "--out", _folder.Combine("again"));
        Assert.Equal(1, both);
        Assert.Contains("either --runs", bothError);
        var (wrong, _, wrongError) = BenchCommandTests.RunResearch("recall-report", "--report", Path.Combine(run, "recall.json"), "--out", _folder.Combine("again"));
        Assert.Equal(1, wrong);
        Assert.Contains("is not a recall.json written by recall-report", wrongError);
    }
}
