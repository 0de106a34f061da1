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

    [Fact]
    public void A_comparison_travels_in_its_link_with_its_right_side_or_its_intervention()
    {
        var session = new CompareSession { Prompt = "Once upon" };
        session.LeftSettings.Checkpoint = "a";
        session.RightSettings.Checkpoint = "b";
        session.RightSettings.K = 32;
        string link = session.ShareQuery();
        Assert.Contains("prompt=Once%20upon", link);
        Assert.EndsWith("&run=1&rightCheckpoint=b&rightK=32", link);

        var opened = new CompareSession();
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        Assert.Null(opened.TakeRight(query, ["a", "b"]));
        Assert.Equal(("b", 32, false), (opened.RightSettings.Checkpoint, opened.RightSettings.K, opened.RightSettings.InfiniteK));
        Assert.Contains("checkpoint 'b' for the right side", opened.TakeRight(query, ["a"]));
        Assert.StartsWith("The link's rightK", opened.TakeRight(new Dictionary<string, string> { ["rightK"] = "0" }, ["a"]));

        session.Take(new Isrm.Model.Refinement.InterventionRequest { At = 2, Step = 3, Change = Isrm.Model.Refinement.InterventionChange.Scale, Scale = 0.5 });
        Assert.EndsWith("&run=1&at=2&step=3&change=scale&value=0.5", session.ShareQuery());
        Assert.Equal(session.Intervention, InterventionLink.Read(
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(session.ShareQuery()).ToDictionary(kv => kv.Key, kv => kv.Value.ToString()), out string? problem));
        Assert.Null(problem);
    }
}
