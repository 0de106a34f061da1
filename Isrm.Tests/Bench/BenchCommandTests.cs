namespace Isrm.Tests.Bench;

/// <summary>
/// The benchmarks (project Isrm.Bench, <c>isrm-bench</c>) measure and print figures (run here on tiny sizes; real
/// figures are the generated tables of docs/benchmarks.md).
/// </summary>
public class BenchCommandTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    /// <summary>Runs the built <c>isrm-bench</c> as a child process, the way <c>dotnet run --project Isrm.Bench --</c> does.</summary>
    internal static (int ExitCode, string Out, string Err) RunBench(params string[] args) => Run("isrm-bench.dll", args);

    /// <summary>Runs <c>isrm-research</c> (the experiments' tool) as a user does.</summary>
    internal static (int ExitCode, string Out, string Err) RunResearch(params string[] args) => Run("isrm-research.dll", args);

    private static (int ExitCode, string Out, string Err) Run(string tool, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, tool));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private JsonElement Json(params string[] args)
    {
        var (code, stdout, stderr) = RunBench(args);
        output.WriteLine($"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(stdout);
        return json.RootElement.Clone();
    }

    [Fact]
    public void Generate_bench_finds_cached_decoding_faster_than_recompute_and_fewer_steps_faster_with_the_same_tokens()
    {
        // The shipped default with a 192-token context: recompute runs ~195 positions per step where the cache runs one,
        // and K = 4 runs four steps per token where K = 1 runs one — relations that hold on any machine, loaded or not.
        JsonElement report = Json("generate", "--checkpoint", Repository.Combine("checkpoints", "isrm-default"),
            "--context", "192", "--k", "1,4", "--tokens", "4", "--repeats", "1", "--threads", "1", "--json");

        Assert.True(report.GetProperty("floorProducts").GetInt32() >= 7);
        Assert.True(report.GetProperty("floorMicroseconds").GetDouble() > 0);
        JsonElement[] rows = report.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { 1, 4 }, rows.Select(r => r.GetProperty("k").GetInt32()));
        foreach (JsonElement row in rows)
        {
            // per CPU second of the model's thread, so that another process on the machine does not decide it
            double cached = row.GetProperty("cachedTokensPerCpuSecond").GetDouble(), recompute = row.GetProperty("recomputeTokensPerCpuSecond").GetDouble();
            Assert.True(cached > recompute, $"K = {row.GetProperty("k")}: cached {cached:F1} tokens/s is not faster than recompute {recompute:F1}");
            // the ratio is the step's time over the floor's, as the report says
            double step = row.GetProperty("stepMicroseconds").GetDouble(), floor = report.GetProperty("floorMicroseconds").GetDouble();
            Assert.InRange(row.GetProperty("floorRatio").GetDouble(), step / floor * 0.99 - 0.01, step / floor * 1.01 + 0.01);
            Assert.InRange(row.GetProperty("maxLogitDifference").GetDouble(), 0, 1e-4);
            Assert.True(row.GetProperty("sameTokens").GetBoolean());
        }
        Assert.True(rows[0].GetProperty("cachedTokensPerCpuSecond").GetDouble() > rows[1].GetProperty("cachedTokensPerCpuSecond").GetDouble(),
            "one refinement step per token is not faster than four");
        // a step creates its tensors whatever K is: K = 4 does not create fewer per step than K = 1
        Assert.True(rows[1].GetProperty("tensorsPerStep").GetDouble() >= 0.5 * rows[0].GetProperty("tensorsPerStep").GetDouble());
    }

    [Fact]
    public void Train_bench_reports_fp32_and_bf16_throughput_for_each_setting()
    {
        JsonElement report = Json("train", "--steps", "1", "--json");

        Assert.True(report.GetProperty("bFloat16MatmulFlopsPerSec").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(report.GetProperty("bFloat16Note").GetString()));
        JsonElement[] rows = report.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { "fp32", "bf16", "fp32", "bf16" }, rows.Select(r => r.GetProperty("precision").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("tokensPerSec").GetDouble() > 0));
        // MFU is the achieved FLOP rate over the measured fp32 matmul rate, and a K = 8 ISRM does more work per token
        // than a transformer applied once (FLOPs per token = FLOP rate ÷ token rate, which does not depend on the speed)
        double peak = report.GetProperty("matmulFlopsPerSec").GetDouble();
        Assert.All(rows.Where(r => r.GetProperty("precision").GetString() == "fp32"), r =>
            Assert.Equal(r.GetProperty("flopsPerSec").GetDouble() / peak, r.GetProperty("mfu").GetDouble(), 6));
        static double PerToken(JsonElement r) => r.GetProperty("flopsPerSec").GetDouble() / r.GetProperty("tokensPerSec").GetDouble();
        Assert.True(PerToken(rows[2]) > 4 * PerToken(rows[0]), $"{rows[2].GetProperty("setting")}: {PerToken(rows[2]):E2} FLOPs per token against {PerToken(rows[0]):E2} for {rows[0].GetProperty("setting")}");
    }

    [Fact]
    public void Memory_probe_reports_the_peak_resident_memory_of_one_run()
    {
        JsonElement probe = Json("memory-probe", "--checkpoint", tiny.Directory, "--mode", "forward", "--loops", "4", "--context", "16");

        Assert.Equal(4, probe.GetProperty("k").GetInt32());
        long afterLoad = probe.GetProperty("rssAfterLoadKb").GetInt64(), peak = probe.GetProperty("peakKb").GetInt64();
        Assert.InRange(afterLoad, 10_000, 10_000_000);
        Assert.True(peak >= afterLoad, $"peak {peak} kB below the resident {afterLoad} kB after load");
    }

    [Fact]
    public void Anderson_bench_prints_the_residual_per_network_call_for_each_method()
    {
        JsonElement report = Json("anderson", "--calls", "8", "--context", "8", "--json");

        JsonElement[] rows = report.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { 1, 2, 4, 8 }, rows.Select(r => r.GetProperty("calls").GetInt32()));
        foreach (string method in new[] { "plain", "whitepaper", "anderson" })
            Assert.True(rows[^1].GetProperty(method).GetDouble() < rows[0].GetProperty(method).GetDouble(), $"{method} did not reduce the residual");
    }

    [Fact]
    public void Batch_bench_refines_requests_together_with_the_tokens_they_make_alone()
    {
        JsonElement report = Json("batch", "--checkpoint", tiny.Directory, "--requests", "1,3", "--k", "2", "--tokens", "3", "--repeats", "1", "--json");

        JsonElement[] rows = report.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { (1, true), (3, true), (1, false), (3, false) },
            rows.Select(r => (r.GetProperty("requests").GetInt32(), r.GetProperty("traced").GetBoolean())));
        Assert.All(rows, r => Assert.True(r.GetProperty("sameTokens").GetBoolean()));
        Assert.All(rows, r => Assert.True(r.GetProperty("togetherStepsPerSecond").GetDouble() > 0 && r.GetProperty("aloneStepsPerSecond").GetDouble() > 0));
        foreach (JsonElement r in rows)
        {
            // the ratio is together ÷ alone; a joined step holds at most the widest step's rows, a share is a share
            double ratio = r.GetProperty("togetherStepsPerSecond").GetDouble() / r.GetProperty("aloneStepsPerSecond").GetDouble();
            Assert.True(Math.Abs(ratio - r.GetProperty("ratio").GetDouble()) <= 0.01 + 0.01 * ratio, $"ratio {r.GetProperty("ratio")} is not together ÷ alone ({ratio:F3})");
            Assert.InRange(r.GetProperty("joinedShare").GetDouble(), 0, 1);
        }
        foreach (JsonElement r in rows.Where(r => r.GetProperty("requests").GetInt32() == 3))
        {
            Assert.True(r.GetProperty("widestStep").GetInt64() >= 2, "three requests started together were never refined in one step");
            Assert.InRange(r.GetProperty("meanRowsPerJoinedStep").GetDouble(), 1, r.GetProperty("widestStep").GetInt64());
        }
        foreach (JsonElement r in rows.Where(r => r.GetProperty("requests").GetInt32() == 1))
            Assert.Equal(1, r.GetProperty("widestStep").GetInt64());
    }

    [Fact]
    public void Hub_load_bench_quick_admits_or_refuses_every_client_with_no_errors_or_hangs()
    {
        JsonElement report = Json("hub", "--quick", "--checkpoint", tiny.Directory, "--json");

        JsonElement[] variants = report.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(new[] { 1, 4 }, variants.Select(v => v.GetProperty("queueCapacity").GetInt32()));
        foreach (JsonElement v in variants)
        {
            Assert.Equal(4, v.GetProperty("clients").GetInt32());
            Assert.Equal(0, v.GetProperty("errors").GetInt32());
            Assert.Equal(0, v.GetProperty("hangs").GetInt32());
            Assert.Equal(4, v.GetProperty("completed").GetInt32() + v.GetProperty("busy").GetInt32());
            Assert.Equal(4, v.GetProperty("perClient").GetArrayLength());
            Assert.True(v.GetProperty("rssBeforeMb").GetInt64() > 0);
            Assert.True(v.GetProperty("rssPeakSampledMb").GetInt64() >= v.GetProperty("rssBeforeMb").GetInt64());
        }
        // Capacity 4 admits the running request and four waiting, so all four complete (with capacity 1 how many are
        // told busy depends on whether the first finished before the last arrived).
        Assert.Equal(4, variants[1].GetProperty("completed").GetInt32());
        Assert.All(variants[1].GetProperty("perClient").EnumerateArray(), c => Assert.Equal(2 * 3, c.GetProperty("steps").GetInt32()));
        JsonElement scaling = report.GetProperty("scaling");   // --quick: one pair, one client alone and the four together
        Assert.Equal(4, scaling.GetProperty("clients").GetInt32());
        Assert.Equal(1, scaling.GetProperty("ratios").GetArrayLength());
        Assert.InRange(scaling.GetProperty("medianRatio").GetDouble(), scaling.GetProperty("minRatio").GetDouble(), scaling.GetProperty("maxRatio").GetDouble());
        Assert.True(scaling.GetProperty("minRatio").GetDouble() > 0);
        Assert.Equal(scaling.GetProperty("minRatio").GetDouble(), scaling.GetProperty("maxRatio").GetDouble());
        JsonElement soak = report.GetProperty("soak");   // --quick: 20 requests one after another on a fresh server
        Assert.Equal(20, soak.GetProperty("requests").GetInt32());
        Assert.Equal(20, soak.GetProperty("completed").GetInt32());
        Assert.True(soak.GetProperty("rssBeforeMb").GetInt64() > 0 && soak.GetProperty("rssAfterMb").GetInt64() > 0);
    }

    [Fact]
    public void Bench_without_a_subcommand_writes_a_report_with_the_machine_and_one_section_per_benchmark()
    {
        string path = tiny.Combine(Path.Combine("reports", "bench.md"));
        var (code, stdout, stderr) = RunBench("--quick", "--only", "anderson,hub-disconnect", "--out", path);
        output.WriteLine($"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal(0, code);

        string report = File.ReadAllText(path);
        Assert.Contains("## Machine", report);
        foreach (string row in new[] { "| CPU |", "| cores |", "| RAM |", "| OS |", "| .NET |", "| TorchSharp |", "| torch threads |", "| load average" })
            Assert.Contains(row, report);
        Assert.Contains("Command: `isrm-bench anderson --calls 8 --context 8` — exit code 0", report);
        Assert.Contains("## A client that disconnects mid-generation", report);
        Assert.Contains("steps computed after disconnect", report);
        Assert.DoesNotContain("## Cached vs recompute generation", report);
    }

    [Fact]
    public void A_bad_K_list_is_one_sentence()
    {
        var (code, _, stderr) = RunBench("generate", "--k", "1,x");
        Assert.Equal(1, code);
        Assert.Equal("--k must be an integer from 1 to 4096 or \"inf\"; got 'x'.", stderr.Trim());
    }
}
