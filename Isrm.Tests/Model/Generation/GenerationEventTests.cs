namespace Isrm.Tests.Model.Generation;

/// <summary>The generator reports steps 1..K of each token, then the token, then done; K = ∞ and cancellation behave.</summary>
public class GenerationEventTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(3, false)]
    public void Events_come_as_steps_one_to_K_then_the_token_for_each_token_then_done(int loops, bool cache)
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        var request = new GenerationRequest { Prompt = "ab", K = loops, MaxTokens = 4, Temperature = 0, UseCache = cache };
        GenerationEvent[] events = Generator.Generate(checkpoint, request).ToArray();

        Assert.Equal(4 * (loops + 1) + 1, events.Length);
        int index = 0;
        for (int token = 0; token < 4; token++)
        {
            for (int step = 1; step <= loops; step++)
            {
                var frame = Assert.IsType<StepEvent>(events[index++]);
                Assert.Equal((token, step), (frame.TokenIndex, frame.Step));
                Assert.Equal("step", frame.Kind);
            }
            var chosen = Assert.IsType<TokenEvent>(events[index++]);
            Assert.Equal((token, loops), (chosen.TokenIndex, chosen.StepsUsed));
        }
        var done = Assert.IsType<DoneEvent>(events[index]);
        Assert.Equal((4, StopReason.MaxTokens), (done.Tokens, done.StopReason));
    }

    [Fact]
    public void K_infinity_with_an_unreachable_tolerance_stops_at_the_cap_and_says_so()
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        var request = new GenerationRequest { Prompt = "ab", K = RefinementDepth.Infinite.Capped(6), KlTolerance = 1e-30f, MaxTokens = 2, Temperature = 0 };
        GenerationEvent[] events = Generator.Generate(checkpoint, request).ToArray();

        Assert.All(events.OfType<TokenEvent>(), t => Assert.Equal(6, t.StepsUsed));
        Assert.Equal(12, events.OfType<StepEvent>().Count());
    }

    [Fact]
    public void K_infinity_stops_as_soon_as_KL_falls_below_the_tolerance_and_reports_the_steps_used()
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        var request = new GenerationRequest { Prompt = "ab", K = RefinementDepth.Infinite.Capped(64), KlTolerance = 1e-4f, MaxTokens = 3, Temperature = 0 };
        GenerationEvent[] events = Generator.Generate(checkpoint, request).ToArray();

        foreach (TokenEvent token in events.OfType<TokenEvent>())
        {
            StepEvent[] steps = events.OfType<StepEvent>().Where(s => s.TokenIndex == token.TokenIndex).ToArray();
            Assert.Equal(token.StepsUsed, steps.Length);
            Assert.InRange(token.StepsUsed, 1, 64);
            Assert.Equal(Enumerable.Range(1, token.StepsUsed), steps.Select(s => s.Step));
            Assert.All(steps[..^1], s => Assert.True(s.KlToPrevious >= 1e-4f, $"step {s.Step} had KL {s.KlToPrevious} but did not stop"));
            if (token.StepsUsed < 64) Assert.True(steps[^1].KlToPrevious < 1e-4f);
        }
    }

    [Fact]
    public void Cancelling_during_a_step_ends_generation_before_the_next_step()
    {
        using LoadedCheckpoint checkpoint = TinyModels.Loaded();
        using var cancellation = new CancellationTokenSource();
        var request = new GenerationRequest { Prompt = "ab", K = 50, MaxTokens = 5, Temperature = 0 };
        var seen = new List<GenerationEvent>();
        foreach (GenerationEvent e in Generator.Generate(checkpoint, request, cancellation.Token))
        {
            seen.Add(e);
            if (e is StepEvent { TokenIndex: 1, Step: 3 }) cancellation.Cancel();
        }

        var done = Assert.IsType<DoneEvent>(seen[^1]);
        Assert.Equal((StopReason.Cancelled, 1), (done.StopReason, done.Tokens));
        var last = Assert.IsType<StepEvent>(seen[^2]);
        Assert.Equal((1, 3), (last.TokenIndex, last.Step));
        Assert.Equal(50 + 1 + 3 + 1, seen.Count);
    }
}
