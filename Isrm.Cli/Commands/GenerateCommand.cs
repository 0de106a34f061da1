using System.Diagnostics;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm generate</c>: continue a prompt, optionally showing every refinement step or streaming the events as JSON lines.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var options = new GenerationOptions(defaultMaxTokens: 64);
        var promptOption = CliOptions.OptionalText("--prompt", "Text to continue");
        promptOption.Required = true;
        var debugOption = CliOptions.OptionalInt("--debug-refinement",
            "Print a table of every refinement step (α, top tokens, confidence, entropy, delta, residual, KL, halt) for each token, or for the first N tokens", 1, 1_000_000);
        debugOption.Arity = ArgumentArity.ZeroOrOne;
        var jsonOption = CliOptions.Json("the events (step, token, done), one JSON object per line");
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("generate", "Generate text from a prompt, optionally showing every refinement step", promptOption);
        options.AddTo(command);
        command.Options.Add(debugOption);
        command.Options.Add(jsonOption);
        command.Options.Add(force);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            GenerationRequest request = options.Request(parse, parse.GetValue(promptOption) ?? "");
            bool json = CliOptions.JsonWanted(parse, jsonOption, parse.GetValue(force), out string? jsonFile);
            int? debugTokens = null;
            if (parse.GetResult(debugOption) is not null)
            {
                debugTokens = parse.GetValue(debugOption) ?? int.MaxValue;
            }
            // Per-step read-outs cost time: computed only when shown (--debug-refinement) or streamed (--json).
            // A long K on one token is minutes of work: its steps are followed so that progress can be shown.
            bool longRun = !json && debugTokens is null && request.K.Limit() >= LongK;
            request = request with { TraceSteps = json || debugTokens is not null || longRun };
            await using ModelSession session = await ModelSession.OpenAsync(parse.GetValue(options.Checkpoint)!, parse.GetValue(options.Device)!, parse.GetValue(options.Threads));
            int promptTokens = session.CountTokens(request.Prompt);
            if (promptTokens >= session.MaxContext)   // the generator keeps the most recent context; say so rather than refuse
                Console.Error.WriteLine($"Note: the prompt is {promptTokens} tokens; the model reads only the last {session.MaxContext - 1} (its context is {session.MaxContext}).");
            IAsyncEnumerable<GenerationEvent> events = session.GenerateAsync(request, cancellation);
            if (json)
            {
                await using TextWriter? file = jsonFile is null ? null : new StreamWriter(jsonFile);
                await PrintJson(events, file ?? Console.Out);
            }
            else await PrintText(events, debugTokens, longRun ? request.K.Limit() : null);
            return 0;
        }));
        return command;
    }

    /// <summary>From this K on, generate shows its progress within each token on stderr.</summary>
    private const int LongK = 512;

    private static async Task PrintJson(IAsyncEnumerable<GenerationEvent> events, TextWriter lines)
    {
        await foreach (GenerationEvent e in events)
            lines.WriteLine(JsonOutput.Line(e));
    }

    private static async Task PrintText(IAsyncEnumerable<GenerationEvent> events, int? debugTokens, int? progressK)
    {
        var shown = Stopwatch.StartNew();
        var steps = new List<StepEvent>();
        var text = new StringBuilder();
        var clock = Stopwatch.StartNew();
        long totalSteps = 0;
        await foreach (GenerationEvent e in events)
        {
            switch (e)
            {
                case StepEvent step:
                    if (step.TokenIndex < debugTokens) steps.Add(step);
                    if (progressK is int k && shown.Elapsed.TotalSeconds >= 1)
                    {
                        Console.Error.WriteLine($"token {step.TokenIndex + 1}: step {step.Step:N0} of at most {k:N0} (Ctrl-C stops)");
                        shown.Restart();
                    }
                    break;
                case TokenEvent token when token.TokenIndex < debugTokens:
                    totalSteps += token.StepsUsed;
                    AnsiConsole.WriteLine($"Token {token.TokenIndex}: {RefinementTable.Quote(token.Text)} (id {token.TokenId}) after {token.StepsUsed} steps");
                    AnsiConsole.Write(RefinementTable.Build(steps));
                    steps.Clear();
                    text.Append(token.Text);
                    break;
                case TokenEvent token:
                    totalSteps += token.StepsUsed;
                    text.Append(token.Text);
                    if (debugTokens is null)
                    {
                        Console.Out.Write(token.Text);
                        Console.Out.Flush();
                    }
                    break;
                case DoneEvent done:
                    if (debugTokens is not null) Console.Out.Write("Text: " + text);
                    Console.Out.WriteLine();
                    double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    Console.Error.WriteLine($"{done.Tokens} tokens, {(double)totalSteps / Math.Max(done.Tokens, 1):F1} refinement steps per token, {done.Tokens / seconds:F1} tokens/s ({done.StopReason.Kebab()}).");
                    break;
            }
        }
    }
}
