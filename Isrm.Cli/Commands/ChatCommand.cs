namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm chat</c>: reads lines from stdin and streams the model's continuation of the conversation so far.
/// <c>/k N</c> (or <c>/k inf</c>) changes K between turns; <c>/quit</c> or end of input leaves.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var options = new GenerationOptions(defaultMaxTokens: 128);
        var command = new Command("chat", "Talk to a checkpoint interactively (/k N changes K, /quit leaves)");
        options.AddTo(command);
        command.SetAction((parse, cancellation) => UserError.Guard(async () =>
        {
            RefinementDepth loops = options.Request(parse, "check").K;   // reject bad settings before loading anything
            await using ModelSession session = await ModelSession.OpenAsync(parse.GetValue(options.Checkpoint)!, parse.GetValue(options.Device)!, parse.GetValue(options.Threads));
            Console.Out.WriteLine($"Chatting with {session.Info.Name} at K = {loops.Show()}. Type /k N (or /k inf) to change K, /quit to leave.");
            string transcript = "";
            while (!cancellation.IsCancellationRequested)
            {
                Console.Out.Write("> ");
                Console.Out.Flush();
                string? line = await Console.In.ReadLineAsync(cancellation);
                if (line is null || line.Trim() == "/quit") break;
                if (line.Trim().Length == 0) continue;
                if (line.TrimStart().StartsWith("/k", StringComparison.Ordinal))
                {
                    try
                    {
                        loops = RefinementDepth.Parse(line.Trim()[2..].Trim()).Checked(parse.GetValue(options.Cap), "/k");
                        Console.Out.WriteLine($"K = {loops.Show()}.");
                    }
                    catch (ArgumentException e) { Console.Error.WriteLine(UserError.Sentence(e.Message)); }
                    continue;
                }
                if (line.TrimStart().StartsWith('/'))
                {
                    Console.Error.WriteLine($"Unknown command '{line.Trim()}': use /k N, /k inf or /quit.");
                    continue;
                }
                if (PromptText.Problem(line) is string problem)
                {
                    Console.Error.WriteLine(problem);
                    continue;
                }
                transcript += line + "\n";
                // The reply ends at the model's first newline: one line per turn, like the user's.
                GenerationRequest request = options.Request(parse, transcript, loops) with { StopText = "\n", TraceSteps = false };
                string reply = await Reply(session, request, cancellation);
                transcript += reply.EndsWith('\n') ? reply : reply + "\n";
            }
            return 0;
        }));
        return command;
    }

    private static async Task<string> Reply(ModelSession session, GenerationRequest request, CancellationToken cancellation)
    {
        string reply = "";
        int steps = 0;
        await foreach (GenerationEvent e in session.GenerateAsync(request, cancellation))
        {
            if (e is TokenEvent token)
            {
                reply += token.Text;
                steps += token.StepsUsed;
                Console.Out.Write(token.Text.TrimEnd('\n'));
                Console.Out.Flush();
            }
            else if (e is DoneEvent done)
            {
                Console.Out.WriteLine();
                Console.Error.WriteLine($"({done.Tokens} tokens, {(double)steps / Math.Max(done.Tokens, 1):F1} steps per token)");
            }
        }
        return reply;
    }
}
