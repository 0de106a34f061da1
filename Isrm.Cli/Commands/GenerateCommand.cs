using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Isrm.Model.Generation;
using Spectre.Console;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm generate</c>: continue a prompt, optionally showing every refinement step or streaming the events as JSON lines.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var options = new GenerationOptions(defaultMaxTokens: 64);
        var promptOption = new Option<string>("--prompt") { Description = "Text to continue", Required = true };
        var debugOption = new Option<int?>("--debug-refinement")
        {
            Description = "Print a table of every refinement step (α, top tokens, confidence, entropy, delta, residual, KL, halt) for each token, or for the first N tokens",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var jsonOption = new Option<bool>("--json") { Description = "Print the events (step, token, done) as one JSON object per line" };
        var command = new Command("generate", "Generate text from a prompt, optionally showing every refinement step");
        command.Options.Add(promptOption);
        options.AddTo(command);
        command.Options.Add(debugOption);
        command.Options.Add(jsonOption);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            GenerationRequest request = options.Request(parse, parse.GetValue(promptOption) ?? "");
            bool json = parse.GetValue(jsonOption);
            int? debugTokens = null;
            if (parse.GetResult(debugOption) is not null)
            {
                debugTokens = parse.GetValue(debugOption) ?? int.MaxValue;
                if (debugTokens < 1) throw new ArgumentException($"--debug-refinement takes a number of tokens of at least 1 (got {debugTokens}).");
            }
            // Per-step read-outs cost time: computed only when shown (--debug-refinement) or streamed (--json).
            request = request with { TraceSteps = json || debugTokens is not null };
            await using ModelSession session = await ModelSession.OpenAsync(parse.GetValue(options.Checkpoint)!, parse.GetValue(options.Device)!, parse.GetValue(options.Threads));
            int promptTokens = session.CountTokens(request.Prompt);
            if (promptTokens >= session.MaxContext)   // the generator keeps the most recent context; say so rather than refuse
                Console.Error.WriteLine($"Note: the prompt is {promptTokens} tokens; the model reads only the last {session.MaxContext - 1} (its context is {session.MaxContext}).");
            IAsyncEnumerable<GenerationEvent> events = session.GenerateAsync(request, cancellation);
            if (json) await PrintJson(events);
            else await PrintText(events, debugTokens);
            return 0;
        }));
        return command;
    }

    private static async Task PrintJson(IAsyncEnumerable<GenerationEvent> events)
    {
        await foreach (GenerationEvent e in events)
            Console.Out.WriteLine(JsonOutput.Line(e));
    }

    private static async Task PrintText(IAsyncEnumerable<GenerationEvent> events, int? debugTokens)
    {
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
                    Console.Error.WriteLine($"{done.Tokens} tokens, {(double)totalSteps / Math.Max(done.Tokens, 1):F1} refinement steps per token, {done.Tokens / seconds:F1} tokens/s ({done.StopReason}).");
                    break;
            }
        }
    }
}
