using Isrm.Web.State;

namespace Isrm.Tests.Web;

/// <summary>The Compare page's behaviour without a browser: both sides at once, drawn step by step.</summary>
public sealed class CompareSessionTests
{
    [Fact]
    public async Task Both_sides_stream_at_once_and_every_step_of_the_selected_token_is_drawn_live()
    {
        var service = new FakeRefinementService { Gate = new SemaphoreSlim(0) };
        var session = new CompareSession { Prompt = "hi" };
        session.LeftSettings.K = 2;
        session.RightSettings.K = 3;
        session.LeftSettings.MaxTokens = 2;
        // what the page would draw on each frame: the steps each side has so far
        var drawn = new List<(bool Left, int Step)>();
        session.Invalidated += () =>
        {
            lock (drawn)
            {
                drawn.Add((true, session.Left?.StepFrameCount ?? 0));
                drawn.Add((false, session.Right?.StepFrameCount ?? 0));
            }
        };

        Task run = session.RunAsync(service, () => Task.CompletedTask);
        for (int i = 0; i < 40 && !(Drawn(drawn, true) > 0 && Drawn(drawn, false) > 0); i++)
        {
            service.Gate.Release();
            await Task.Delay(10);
        }

        Assert.True(Drawn(drawn, true) > 0 && Drawn(drawn, false) > 0, "each side drew a step while the other was still running");
        Assert.False(run.IsCompleted);
        service.Gate.Release(1000);
        await run;
        Assert.Equal((2 * 2, 2 * 3), (session.Left!.StepFrameCount, session.Right!.StepFrameCount));
        Assert.Equal(2, service.Requests.Count);
        Assert.All(service.Requests, r => Assert.Equal(2, r.MaxTokens));   // the right side takes the left's sampling settings
        Assert.Equal("ab", session.Right!.Reply);
        Assert.Equal(3, session.Scrubber.StepCount);
    }

    private static int Drawn(List<(bool Left, int Step)> drawn, bool left)
    {
        lock (drawn) return drawn.Where(d => d.Left == left).Select(d => d.Step).DefaultIfEmpty(0).Max();
    }
}
