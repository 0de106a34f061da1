namespace Isrm.Tests.Reference;

/// <summary>
/// Training beyond one process on an existing engine: <c>torchrun</c> runs <c>reference/isrm_torch.py train</c> under
/// DistributedDataParallel (gloo on this CPU machine). Two processes with a batch of 2 each follow the same weights as
/// one process with a batch of 4, and the result comes back through <c>isrm import</c> and serves in the web app.
/// </summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempCheckpointsRoot _root = new();

    [Fact]
    public async Task Two_gloo_processes_train_the_weights_one_process_trains_on_the_same_global_batches()
    {
        TinyCheckpoints.Save(_root.Root, "original");
        string exported = Path.Combine(_root.Root, "exported"), text = Path.Combine(_root.Root, "text.txt");
        CheckpointExchange.Export(Path.Combine(_root.Root, "original"), exported);
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the jury said the river ran past the old mills. ", 60)));
        string script = Repository.Combine("reference", "isrm_torch.py");
        string[] common = ["train", "--checkpoint", exported, "--text", text, "--steps", "20", "--context", "24", "--k-max", "3", "--backprop", "2", "--lr", "1e-2", "--device", "cpu"];

        var single = Run([script, .. common, "--batch", "4", "--out", Path.Combine(_root.Root, "single")]);
        Assert.True(single.Exit == 0, single.Output);
        // torchrun as python -m torch.distributed.run; --redirects 2 --tee 1 because torch 1.13's default of 0 fails on Python 3.11.
        var ddp = Run(["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "--redirects", "2", "--tee", "1",
            script, .. common, "--batch", "2", "--out", Path.Combine(_root.Root, "ddp")]);
        Assert.True(ddp.Exit == 0, ddp.Output);
        Assert.Contains("rank 0's shard of 4", ddp.Output);

        var one = SafeTensors.Read(Path.Combine(_root.Root, "single", Checkpoint.SafeTensorsFile)).Tensors.ToDictionary(t => t.Name);
        var two = SafeTensors.Read(Path.Combine(_root.Root, "ddp", Checkpoint.SafeTensorsFile)).Tensors.ToDictionary(t => t.Name);
        var start = SafeTensors.Read(Path.Combine(exported, Checkpoint.SafeTensorsFile)).Tensors.ToDictionary(t => t.Name);
        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        double apart = one.Max(kv => kv.Value.Values.Zip(two[kv.Key].Values, (a, b) => Math.Abs(a - b)).Max());
        double moved = one.Max(kv => kv.Value.Values.Zip(start[kv.Key].Values, (a, b) => Math.Abs(a - b)).Max());
        output.WriteLine($"max |single − ddp| = {apart:G3}; max |trained − start| = {moved:G3}");
        Assert.True(apart <= 1e-4, $"the two runs differ by {apart}");
        Assert.True(moved > 1e-3, $"20 steps moved no weight ({moved})");

        var (code, _, errors) = IsrmProcess.Run("import", "--checkpoint", Path.Combine(_root.Root, "ddp"), "--out", Path.Combine(_root.Root, "from-ddp"));
        Assert.True(code == 0, errors);
        await using var app = new IsrmWebApp(_root.Root);
        await using HubConnection hub = await app.ConnectAsync(app.Start());
        var list = await hub.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");
        Assert.True(list.Single(c => c.Name == "from-ddp").Usable, list.Single(c => c.Name == "from-ddp").Error);
        int tokens = 0;
        await foreach (JsonElement f in hub.StreamAsync<JsonElement>("Generate",
                           new RefinementRequest { Prompt = "the jury", Checkpoint = "from-ddp", K = RefinementDepth.Of(3), MaxTokens = 4, Seed = 5 }))
            if (f.GetProperty("kind").GetString() == "token") tokens++;
        Assert.Equal(4, tokens);
    }

    [Fact]
    public void Debians_pytorch_runs_on_openblas_provisioned_beside_it()
    {
        string? folder = Isrm.Bench.OpenBlasLibrary.Folder(out string? problem);
        Assert.True(folder is not null, problem);
        Assert.True(File.Exists(Path.Combine(folder!, "libblas.so.3")));
        var (exit, maps) = Run(["-c", "import torch; (torch.randn(256, 96) @ torch.randn(96, 384)).sum(); print(open('/proc/self/maps').read())"]);
        Assert.True(exit == 0, maps);
        string blas = maps.Split('\n').Where(l => l.Contains("blas", StringComparison.OrdinalIgnoreCase)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).Distinct().FirstOrDefault() ?? "";
        output.WriteLine($"OpenBLAS folder {folder}; the process mapped {blas}");
        Assert.Contains("openblas", blas, StringComparison.OrdinalIgnoreCase);
    }

    // The PyTorch runs of these tests use OpenBLAS (Debian's python3-torch otherwise multiplies on the generic reference BLAS).
    private static (int Exit, string Output) Run(string[] args)
    {
        var start = new ProcessStartInfo(HostTools.TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        if (Isrm.Bench.OpenBlasLibrary.Folder(out _) is string blas) start.Environment["LD_LIBRARY_PATH"] = blas;
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); throw new TimeoutException("the PyTorch run did not finish"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose() => _root.Dispose();
}
