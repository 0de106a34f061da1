namespace Isrm.Bench;

/// <summary>
/// <c>isrm-bench anderson</c>: the fixed-point residual ‖f(s) − s‖ reached after each network call by Anderson
/// acceleration, plain undamped iteration and the whitepaper's decaying schedule, on one random-init model whose
/// map is made contractive. Why it needs help: every block has a residual stream, so f(x + y) ≈ x + y + small and the
/// map has a Jacobian near the identity. With the state RMS-normalised, y enters only through y / rms(y), whose
/// Jacobian has norm 1 / rms(y); an input embedding of RMS r gives rms(y*) ≈ √(1 + r²) and a contraction ≈ 1/√(1 + r²).
/// No step embedding, so f is the same map at every step.
/// </summary>
internal static class AndersonBenchmark
{
    private sealed record Row(int Calls, double Plain, double Whitepaper, double Anderson);

    private sealed record Report(int Context, float InitScale, float InputRms, int Width, Row[] Rows, Dictionary<string, int?> CallsToTolerance, double Tolerance);

    private static readonly string[] Methods = ["plain", "whitepaper", "anderson"];

    public static Command Create()
    {
        var callsOption = new Option<int>("--calls") { Description = "Network calls per method", DefaultValueFactory = _ => 64 };
        var contextOption = new Option<int>("--context") { Description = "Tokens refined at once", DefaultValueFactory = _ => 64 };
        var scaleOption = new Option<float>("--init-scale") { Description = "Factor on the network's initial weights (smaller = more contractive)", DefaultValueFactory = _ => 0.5f };
        var inputOption = new Option<float>("--input-rms") { Description = "RMS of the input embeddings x (larger = more contractive map)", DefaultValueFactory = _ => 1f };
        var jsonOption = BenchCommands.JsonOption();
        var command = CliCommands.Create("anderson", "Fixed-point residual per network call: Anderson vs plain iteration vs the whitepaper schedule",
            callsOption, contextOption, scaleOption, inputOption, jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            int calls = parse.GetValue(callsOption), context = parse.GetValue(contextOption);
            float scale = parse.GetValue(scaleOption), inputRms = parse.GetValue(inputOption);
            if (!(inputRms > 0)) throw new ArgumentException($"--input-rms must be positive (got {inputRms}).");
            if (calls < 1 || calls > 1024) throw new ArgumentException($"--calls must be between 1 and 1024 (got {calls}).");
            if (context < 1 || context > 256) throw new ArgumentException($"--context must be between 1 and 256 (got {context}).");
            if (!(scale > 0)) throw new ArgumentException($"--init-scale must be positive (got {scale}).");
            using var thread = new ModelThread("isrm-bench", 1);
            Report report = await thread.RunAsync(() => Measure(calls, context, scale, inputRms));
            if (parse.GetValue(jsonOption)) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
            else Print(report);
            return 0;
        }));
        return command;
    }

    private static IsrmConfig Config(string method) => new IsrmConfig
    {
        StateNorm = true, StepEmbedding = StepEmbeddingKind.None, LatentIterations = 0, HaltingHead = false, MaxContext = 256,
        AlphaSchedule = method == "whitepaper" ? AlphaScheduleKind.Whitepaper : AlphaScheduleKind.Constant, AlphaC = 1f,
        Solver = method == "anderson" ? SolverKind.Anderson : SolverKind.Iterate,
    };

    private static Report Measure(int calls, int context, float scale, float inputRms)
    {
        manual_seed(0);
        using var reference = new IsrmModel(Config("plain"));
        using (no_grad())
            foreach ((string name, TorchSharp.Modules.Parameter p) in reference.named_parameters())
            {
                if (name.StartsWith("network.", StringComparison.Ordinal)) p.mul_(scale);
                if (name == "embedding.weight") p.normal_(0, inputRms);
            }
        long[] ids = Enumerable.Range(0, context).Select(i => (long)((i * 37 + 11) % 256)).ToArray();
        var residuals = new Dictionary<string, double[]>();
        foreach (string method in Methods)
        {
            using var model = new IsrmModel(Config(method));
            model.load_state_dict(reference.state_dict());   // the same f for every method
            model.eval();
            residuals[method] = Residuals(model, ids, calls);
        }
        const double tolerance = 1e-4;
        var rows = Enumerable.Range(0, 11).Select(p => 1 << p).Where(c => c <= calls).Append(calls).Distinct()
            .Select(c => new Row(c, residuals["plain"][c - 1], residuals["whitepaper"][c - 1], residuals["anderson"][c - 1])).ToArray();
        // Relative to the first call's residual, so the figure does not depend on the state's scale.
        var reached = Methods.ToDictionary(m => m, m =>
        {
            int index = Array.FindIndex(residuals[m], r => r < tolerance * residuals[m][0]);
            return index < 0 ? (int?)null : index + 1;
        });
        return new Report(context, scale, inputRms, reference.Config.Width, rows, reached, tolerance);
    }

    /// <summary>Mean over positions of ‖f(s) − s‖ at the state each network call is applied to.</summary>
    private static double[] Residuals(IsrmModel model, long[] ids, int calls)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        Tensor x = model.Embed(tensor(ids, new long[] { 1, ids.Length }));
        var options = new RefinementOptions { K = calls, EveryStepLogits = false };
        return Refiner.Run(model, x, options).Select(step => (double)step.Residual!.mean().item<float>()).ToArray();
    }

    private static string E(double value) => value.ToString("0.00e+00", System.Globalization.CultureInfo.InvariantCulture);

    private static void Print(Report report)
    {
        AnsiConsole.WriteLine($"Random-init model (width {report.Width}, state norm, network weights × {report.InitScale}, input RMS {report.InputRms}), {report.Context} tokens; mean ‖f(s) − s‖ over positions.");
        var table = BenchCommands.FiguresTable("network calls", "plain (α = 1)", "whitepaper α_k", "Anderson");
        foreach (Row r in report.Rows)
            table.AddRow(r.Calls.ToString(), E(r.Plain), E(r.Whitepaper), E(r.Anderson));
        AnsiConsole.Write(table);
        foreach ((string method, int? calls) in report.CallsToTolerance)
            AnsiConsole.WriteLine($"{method}: residual below {report.Tolerance:E0} × its first value after {(calls is null ? "more than the calls run" : $"{calls} calls")}.");
    }
}
