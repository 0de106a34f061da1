using Isrm.Web.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Isrm.Bench;

/// <summary>How one client's generation ended: completed (a done frame), busy (the hub's "busy" refusal), error, or hang (timeout).</summary>
internal enum HubOutcome { Completed, Busy, Error, Hang }

/// <summary>One client's generation through the hub, timed at the client (all times from the Generate call).</summary>
internal sealed record HubClientRun(HubOutcome Outcome, double FirstStepMs, double TotalMs, int Steps, int Tokens, string? Message)
{
    /// <summary>This client's own rate: steps after the first over the time from the first step to the end.</summary>
    public double StepsPerSecond => Steps > 1 && TotalMs > FirstStepMs ? (Steps - 1) / ((TotalMs - FirstStepMs) / 1000) : double.NaN;

    /// <summary>Streams one generation; never throws and never waits longer than <paramref name="timeout"/>.</summary>
    public static async Task<HubClientRun> RunAsync(HubConnection connection, RefinementRequest request, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        double firstStep = double.NaN;
        int steps = 0, tokens = 0;
        bool done = false;
        using var cancel = new CancellationTokenSource();
        async Task Consume()
        {
            await foreach (JsonElement frame in connection.StreamAsync<JsonElement>("Generate", request, cancel.Token))
                switch (frame.GetProperty("kind").GetString())
                {
                    case "step":
                        if (steps++ == 0) firstStep = clock.Elapsed.TotalMilliseconds;
                        break;
                    case "token": tokens++; break;
                    case "done": done = true; break;
                }
        }
        try
        {
            // WaitAsync bounds the wait even if the stream ignored its cancellation.
            await Consume().WaitAsync(timeout);
            return new HubClientRun(done ? HubOutcome.Completed : HubOutcome.Error, firstStep, clock.Elapsed.TotalMilliseconds, steps, tokens,
                done ? null : "the stream ended without a done frame");
        }
        catch (TimeoutException)
        {
            await cancel.CancelAsync();
            return new HubClientRun(HubOutcome.Hang, firstStep, clock.Elapsed.TotalMilliseconds, steps, tokens, $"no done frame within {timeout.TotalSeconds:F0} s");
        }
        catch (HubException e)
        {
            string message = WireJson.Sentence(e.Message);
            HubOutcome outcome = message.Contains("busy", StringComparison.OrdinalIgnoreCase) ? HubOutcome.Busy : HubOutcome.Error;
            return new HubClientRun(outcome, firstStep, clock.Elapsed.TotalMilliseconds, steps, tokens, message);
        }
        catch (Exception e)
        {
            return new HubClientRun(HubOutcome.Error, firstStep, clock.Elapsed.TotalMilliseconds, steps, tokens, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The request every hub benchmark sends: greedy, so that runs are comparable.</summary>
    public static RefinementRequest Request(int k, int tokens) => new()
    {
        Prompt = HubCheckpoint.Prompt, K = k, MaxTokens = tokens, Temperature = 0, Seed = 1,
    };

    /// <summary>The value at quantile <paramref name="q"/> (nearest rank) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        double[] sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
