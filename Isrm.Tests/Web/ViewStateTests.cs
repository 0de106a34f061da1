namespace Isrm.Tests.Web;

/// <summary>The plain view-state classes behind the pages: no browser, no server.</summary>
public sealed class ViewStateTests
{
    [Fact]
    public void A_turn_folds_frames_into_one_trajectory_per_token()
    {
        var turn = new ConversationTurn("p", new GenerationSettings(), "tiny");
        foreach (RefinementFrame f in Frames.Run(tokens: 3, k: 4)) turn.Apply(f);

        Assert.Equal(3, turn.Tokens.Count);
        Assert.All(turn.Tokens, t => Assert.Equal(4, t.Steps.Count));
        Assert.Equal("abc", turn.Reply);
        Assert.Equal(TurnStatus.Done, turn.Status);
        Assert.Equal(4, turn.MaxSteps);
    }

    [Fact]
    public void The_export_carries_every_step_of_every_token()
    {
        var conversation = new Conversation();
        ConversationTurn turn = conversation.Start("hello", new GenerationSettings { K = 2 }, "tiny");
        foreach (RefinementFrame f in Frames.Run(tokens: 2, k: 2)) turn.Apply(f);

        using JsonDocument doc = JsonDocument.Parse(conversation.ExportJson());
        JsonElement exported = doc.RootElement.GetProperty("turns")[0];
        Assert.Equal("hello", exported.GetProperty("prompt").GetString());
        Assert.Equal("ab", exported.GetProperty("reply").GetString());
        Assert.Equal(2, exported.GetProperty("settings").GetProperty("k").GetInt32());
        Assert.Equal(2, exported.GetProperty("tokens")[1].GetProperty("steps").GetArrayLength());
        Assert.Equal("step", exported.GetProperty("tokens")[0].GetProperty("steps")[0].GetProperty("kind").GetString());
        Assert.Equal("> hello\nab", conversation.ExportText());
    }

    [Fact]
    public void The_scrubber_steps_plays_to_the_end_and_stops()
    {
        var scrubber = new StepScrubber();
        scrubber.Load(3);
        Assert.Equal(3, scrubber.Current);
        scrubber.Play();
        Assert.Equal(1, scrubber.Current);
        Assert.True(scrubber.Tick());
        Assert.False(scrubber.Tick());
        Assert.Equal(3, scrubber.Current);
        Assert.False(scrubber.IsPlaying);
        scrubber.Seek(99);
        Assert.Equal(3, scrubber.Current);
        scrubber.Previous();
        scrubber.Previous();
        scrubber.Previous();
        Assert.Equal(1, scrubber.Current);
    }

    [Fact]
    public void A_scrubber_following_live_stays_on_the_newest_step_unless_moved_back()
    {
        var scrubber = new StepScrubber();
        scrubber.Load(1);
        scrubber.Grow(2);
        Assert.Equal(2, scrubber.Current);
        scrubber.Seek(1);
        scrubber.Grow(3);
        Assert.Equal(1, scrubber.Current);
    }

    [Fact]
    public void Control_bytes_and_whitespace_are_made_visible_in_labels()
    {
        Assert.Equal("·a↵\\x01", TokenText.Visible(" a\n\u0001"));
        Assert.Equal("∅", TokenText.Visible(""));
    }

    [Fact]
    public void Approximate_kl_is_zero_for_identical_lists_and_matches_a_hand_computation()
    {
        TopToken[] p = [new("a", 0.5), new("b", 0.5)];
        TopToken[] q = [new("a", 0.25), new("b", 0.75)];

        Assert.Equal(0, TopTokenDivergence.ApproximateKl(p, p), 9);
        double expected = 0.5 * Math.Log(0.5 / 0.25) + 0.5 * Math.Log(0.5 / 0.75);
        Assert.Equal(expected, TopTokenDivergence.ApproximateKl(p, q), 4);
    }

    [Fact]
    public async Task Compare_gives_one_kl_per_step_of_the_longer_side()
    {
        var session = new CompareSession { Prompt = "p" };
        session.LeftSettings.K = 2;
        session.RightSettings.K = 5;
        session.LeftSettings.MaxTokens = 1;
        await session.RunAsync(new FakeRefinementService(), () => Task.CompletedTask);
        session.Select(0);

        Assert.Equal(5, session.KlPerStep().Count);
        Assert.Equal(5, session.Scrubber.StepCount);
        Assert.All(session.KlPerStep(), kl => Assert.True(kl >= 0));
    }

    [Fact]
    public void Pca_of_points_on_a_line_puts_all_variance_on_the_first_axis()
    {
        var vectors = Enumerable.Range(0, 10).Select(i => new float[] { i, 2 * i, -i, 0 }).ToList();

        PcaProjection pca = Pca2D.Project(vectors);

        Assert.Equal(1.0, pca.ExplainedFirst, 6);
        Assert.Equal(0.0, pca.ExplainedSecond, 6);
        double spacing = Math.Abs(pca.Points[1].X - pca.Points[0].X);
        Assert.Equal(Math.Sqrt(6), spacing, 4);
        Assert.All(pca.Points, p => Assert.Equal(0, p.Y, 6));
    }

    [Fact]
    public void Metrics_are_read_while_the_last_line_is_still_being_written()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, """
            {"step":1,"trainLoss":5.5,"valLoss":null,"lr":0.001,"k":4,"gradNorm":1.0,"tokens":100,"flops":1e9,"elapsedSec":0.5}
            {"step":2,"trainLoss":5.1,"valLoss":5.3,"lr":0.001,"k":16,"gradNorm":0.9,"tokens":200,"flops":2e9,"elapsedSec":1.0}
            {"step":3,"trainLo
            """);
        try
        {
            var points = TrainingData.ReadMetrics(path);
            Assert.Equal([1, 2], points.Select(p => p.Step));
            Assert.Null(points[0].ValLoss);
            Assert.Equal(5.3, points[1].ValLoss);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_scaling_report_reads_inf_as_infinite_k()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, """
            [{"checkpoint":"c","family":"isrm","k":"8","lossNatsPerToken":2.5,"bitsPerByte":3.6,"meanDelta":0.1,"meanResidual":2,"positions":64},
             {"checkpoint":"c","family":"isrm","k":"inf","lossNatsPerToken":2.4,"bitsPerByte":3.5,"meanDelta":0.001,"meanResidual":2,"positions":64},
             {"checkpoint":"c","family":"isrm","k":"lots","lossNatsPerToken":2.4,"bitsPerByte":3.5,"meanDelta":0.001,"meanResidual":2,"positions":64},
             {"checkpoint":"not a result"}]
            """);
        try
        {
            var points = TrainingData.ReadScaling(path);
            Assert.Equal(2, points.Count);
            Assert.Equal(RefinementDepth.Of(8), points[0].K);
            Assert.True(points[1].K.IsInfinite);
            Assert.Equal(2.4, points[1].LossNatsPerToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Settings_turn_the_infinity_toggle_into_k_inf()
    {
        var settings = new GenerationSettings { K = 300, InfiniteK = false };
        Assert.Equal(RefinementDepth.Of(256), settings.ToRequest("x").K);
        settings.InfiniteK = true;
        Assert.Equal("\"inf\"", JsonSerializer.Serialize(settings.ToRequest("x").K));
    }
}
