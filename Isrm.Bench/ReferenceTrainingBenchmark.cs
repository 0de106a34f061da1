using System.Text.RegularExpressions;

namespace Isrm.Bench;

/// <summary>
/// Our training step against the PyTorch reference's (<c>reference/isrm_torch.py train</c>) in one run: the same
/// checkpoint, text, batch, context, fixed K and truncated backprop, one thread each; the reference once on Debian's
/// generic BLAS and once on OpenBLAS (<see cref="OpenBlasLibrary"/>). Prints tokens/s of each and the ratios.
/// </summary>
internal static partial class ReferenceTrainingBenchmark
{
    private sealed record Side(string Engine, string Blas, double TokensPerSec, int Steps);
    private sealed record Report(string Checkpoint, int Batch, int Context, int K, int Backprop, Side[] Sides, string? OpenBlasFolder, string? OpenBlasProblem);

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Text checkpoint folder (its safetensors export is what the reference trains)", DefaultValueFactory = _ => "checkpoints/isrm-default" };
        var steps = new Option<int>("--steps") { Description = "Timed optimizer steps per side (one more warms up) [1…200]", DefaultValueFactory = _ => 5 };
        var k = new Option<int>("--k", "--loops") { Description = "Refinement steps per training step, the same on both sides [1…64]", DefaultValueFactory = _ => 8 };
        var backprop = new Option<int>("--backprop") { Description = "Backpropagate through the last this-many steps [1…K]", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch") { Description = "Sequences per step [1…256]", DefaultValueFactory = _ => 16 };
        var json = BenchCommands.JsonOption();
        var command = CliCommands.Create("train-reference", "Training tokens/s of ours against the PyTorch reference (generic BLAS and OpenBLAS), same model and work, one thread",
            checkpoint, steps, k, backprop, batch, json);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int s = parse.GetValue(steps), kk = parse.GetValue(k), b = parse.GetValue(backprop), n = parse.GetValue(batch);
            if (s is < 1 or > 200) throw new ArgumentException($"--steps must be from 1 to 200 (got {s}).");
            if (kk is < 1 or > 64) throw new ArgumentException($"--k must be from 1 to 64 (got {kk}).");
            if (b < 1 || b > kk) throw new ArgumentException($"--backprop must be from 1 to K = {kk} (got {b}).");
            if (n is < 1 or > 256) throw new ArgumentException($"--batch must be from 1 to 256 (got {n}).");
            string directory = parse.GetValue(checkpoint)!;
            string python = TorchPython() ?? throw new ArgumentException("No python3 with PyTorch was found: install it with `sudo apt-get install -y python3-torch` or set ISRM_PYTHON to a python that imports torch.");
            Report report = await Measure(directory, s, kk, b, n, python);
            if (parse.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return 0;
        }));
        return command;
    }

    private static async Task<Report> Measure(string directory, int steps, int k, int backprop, int batch, string python)
    {
        string work = Path.Combine(Path.GetTempPath(), $"isrm-train-reference-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string exported = Path.Combine(work, "exported"), text = Path.Combine(work, "text.txt");
            CheckpointExchange.Export(directory, exported);
            File.WriteAllText(text, Text(), new UTF8Encoding(false));
            using var thread = new ModelThread("isrm-bench", 1);
            var (ours, context) = await thread.RunAsync(() => Ours(directory, text, steps, k, backprop, batch));
            string? blas = OpenBlasLibrary.Folder(out string? problem);
            var sides = new List<Side> { ours, Reference(python, exported, text, steps, k, backprop, batch, context, null, work) };
            if (blas is not null) sides.Add(Reference(python, exported, text, steps, k, backprop, batch, context, blas, work));
            return new Report(Path.GetFileName(Path.GetFullPath(directory)), batch, context, k, backprop, sides.ToArray(), blas, problem);
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    // The text both sides train on: this repository's documentation, repeated to a few hundred kilobytes.
    private static string Text()
    {
        string docs = string.Concat(Directory.GetFiles(Repository("docs"), "*.md").Order().Select(File.ReadAllText));
        return string.Concat(Enumerable.Repeat(docs, Math.Max(1, 200_000 / Math.Max(1, docs.Length))));
    }

    // Our step: the same AdamW, clipping, fixed K, truncated backprop and loss after the last step as the reference's.
    private static (Side, int Context) Ours(string directory, string textFile, int steps, int k, int backprop, int batch)
    {
        using LoadedCheckpoint loaded = Checkpoint.Load(directory, CPU);
        var model = loaded.Model;
        int context = Math.Min(128, model.Config.MaxContext);
        byte[] data = File.ReadAllBytes(textFile);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-4, weight_decay: 0.1);
        var random = new Random(1);
        var clock = new Stopwatch();
        for (int step = 0; step <= steps; step++)   // step 0 warms up and is not timed
        {
            if (step == 1) clock.Start();
            using var scope = NewDisposeScope();
            long[] windows = new long[batch * (context + 1)];
            for (int row = 0; row < batch; row++)
            {
                int start = random.Next(data.Length - context - 1);
                for (int i = 0; i <= context; i++) windows[row * (context + 1) + i] = data[start + i];
            }
            Tensor tokens = tensor(windows, new long[] { batch, context + 1 });
            Tensor inputs = tokens.narrow(1, 0, context), targets = tokens.narrow(1, 1, context).reshape(-1);
            optimizer.zero_grad();
            var options = new RefinementOptions { K = k, EveryStepLogits = false, StepNorms = false, StepHalt = false, GradientSteps = backprop, Seed = (ulong)step + 1 };
            Tensor? loss = null;
            foreach (RefinementStep s in Refiner.Run(model, model.Embed(inputs), options))
                if (s.IsLast) loss = nn.functional.nll_loss(s.LogProbs!.reshape(-1, model.Config.VocabSize), targets);
            loss!.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return (new Side("ours (TorchSharp)", "libtorch's own kernels", (double)batch * context * steps / seconds, steps), context);
    }

    private static Side Reference(string python, string exported, string text, int steps, int k, int backprop, int batch, int context, string? blas, string work)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        string script = Repository("reference", "isrm_torch.py");
        foreach (string a in new[] { script, "train", "--checkpoint", exported, "--text", text, "--out", Path.Combine(work, blas is null ? "generic" : "openblas"),
                     "--steps", (steps + 1).ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture),
                     "--context", context.ToString(CultureInfo.InvariantCulture), "--k-min", k.ToString(CultureInfo.InvariantCulture),
                     "--k-max", k.ToString(CultureInfo.InvariantCulture), "--backprop", backprop.ToString(CultureInfo.InvariantCulture), "--device", "cpu" })
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        if (blas is not null) start.Environment["LD_LIBRARY_PATH"] = blas;
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(30))) { process.Kill(entireProcessTree: true); throw new TimeoutException("the reference's training took over 30 minutes."); }
        Match timed = Timed().Match(stdout.Result);
        if (process.ExitCode != 0 || !timed.Success)
            throw new InvalidOperationException($"the reference's training failed (exit {process.ExitCode}): {stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()}");
        return new Side("reference (PyTorch " + Version(python) + ")", blas is null ? "Debian's generic BLAS" : "OpenBLAS", double.Parse(timed.Groups[1].Value, CultureInfo.InvariantCulture), steps);
    }

    [GeneratedRegex(@"timed: .*\(([0-9.]+) tokens/s")]
    private static partial Regex Timed();

    private static string Version(string python)
    {
        var start = new ProcessStartInfo(python, ["-c", "import torch; print(torch.__version__)"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        string version = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return version;
    }

    private static string? TorchPython()
    {
        IEnumerable<string> candidates = new[] { Environment.GetEnvironmentVariable("ISRM_PYTHON"), "/usr/bin/python3" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "python3")))
            .OfType<string>().Where(File.Exists).Distinct();
        foreach (string python in candidates)
        {
            var start = new ProcessStartInfo(python, ["-c", "import torch"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            process.WaitForExit();
            if (process.ExitCode == 0) return python;
        }
        return null;
    }

    private static string Repository(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "reference", "isrm_torch.py"))) return Path.Combine([dir.FullName, .. parts]);
        throw new ArgumentException("reference/isrm_torch.py was not found above this program: run isrm-bench from a clone of the repository.");
    }

    private static void Print(Report report)
    {
        var table = new Table().AddColumns("engine", "BLAS", "tokens/s", "ours ÷ this");
        double ours = report.Sides[0].TokensPerSec;
        foreach (Side s in report.Sides) table.AddRow(s.Engine, s.Blas, $"{s.TokensPerSec:N0}", $"{ours / s.TokensPerSec:F2}×");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{report.Checkpoint}: batch {report.Batch} × {report.Context} tokens, K = {report.K}, backprop through the last {report.Backprop}, AdamW, one thread each; {report.Sides[0].Steps} timed steps after one warm-up.");
        if (report.OpenBlasProblem is { } problem) AnsiConsole.WriteLine($"No OpenBLAS run: {problem}");
    }
}
