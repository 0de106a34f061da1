namespace Isrm.Tests.Web;

/// <summary>The plain classes behind the live view: frame budget, what each draw sends, scales, notes and the training files.</summary>
public sealed class LiveViewStateTests
{
    [Fact]
    public async Task The_frame_budget_draws_a_burst_of_frames_once_and_a_flush_at_once()
    {
        int renders = 0, finals = 0;
        using var budget = new FrameBudget(final => { renders++; if (final) finals++; return Task.CompletedTask; }) { Interval = TimeSpan.FromMilliseconds(50) };

        for (int i = 0; i < 10_000; i++) budget.Invalidate();
        for (int i = 0; i < 100 && renders == 0; i++) await Task.Delay(10);
        await Task.Delay(200);
        Assert.Equal(1, renders);

        await budget.FlushAsync();
        Assert.Equal((2, 1), (renders, finals));
        budget.Invalidate();
        for (int i = 0; i < 100 && renders == 2; i++) await Task.Delay(10);
        Assert.Equal(3, renders);   // a new burst after an idle spell starts a new loop
    }

    [Fact]
    public void The_grid_feed_sends_each_cell_once_and_relabels_a_column_when_its_token_is_chosen()
    {
        var turn = new ConversationTurn("p", new GenerationSettings(), "tiny");
        var feed = new GridFeed();
        turn.Apply(Frames.Step(0, 1, "a", 0.3));
        turn.Apply(Frames.Step(0, 2, "a", 0.6));

        GridBatch first = feed.Next(turn);
        Assert.True(first.Reset);
        Assert.Equal(2, first.Cells.Count);
        Assert.Equal([0, 2, "a", 0.6], first.Cells[1][..4]);
        Assert.Contains("'a' 60.0 %", (string)first.Cells[1][4]!);
        Assert.Contains("'z'", (string)first.Cells[1][4]!);
        Assert.Equal([0, "#0 a…", null], first.Labels.Single());

        Assert.True(feed.Next(turn).IsEmpty);
        turn.Apply(new TokenFrame(0, " ", 2));
        turn.Apply(Frames.Step(1, 1, "b"));
        GridBatch second = feed.Next(turn);
        Assert.False(second.Reset);
        Assert.Equal([1, 1], second.Cells.Single()[..2]);
        Assert.Equal([[0, "#0 ·", "·"], [1, "#1 b…", null]], second.Labels);

        Assert.True(feed.Next(new ConversationTurn("q", new GenerationSettings(), "tiny")).Reset);
    }

    [Fact]
    public void The_trajectory_feed_sends_only_new_steps_and_resets_for_another_token()
    {
        var token = new TokenTrajectory(0);
        token.Steps.AddRange([Frames.Step(0, 1), Frames.Step(0, 2)]);
        var feed = new TrajectoryFeed();

        TrajectoryBatch first = feed.Next(token)!;
        Assert.True(first.Reset);
        Assert.Equal([1, 2], first.Points.Step);
        Assert.Null(feed.Next(token));
        token.Steps.Add(Frames.Step(0, 3));
        TrajectoryBatch second = feed.Next(token)!;
        Assert.False(second.Reset);
        Assert.Equal([3], second.Points.Step);
        Assert.Equal(first.Key, second.Key);
        Assert.True(feed.Next(new TokenTrajectory(1))!.Reset);
    }

    [Fact]
    public void A_shared_chart_range_spans_both_sides_and_ignores_non_positive_norms()
    {
        var left = new TokenTrajectory(0);
        left.Steps.Add(Frames.Step(0, 1) with { Delta = 0, Residual = 2, Confidence = 0.9, Entropy = 3 });
        var right = new TokenTrajectory(0);
        right.Steps.Add(Frames.Step(0, 1) with { Delta = 1e-4, Residual = 0.5, Confidence = 0.1, Entropy = 0.2 });

        ChartRange range = ChartRange.Over(left, right)!;

        Assert.Equal([0.1, 3], range.Top!);
        Assert.Equal([1e-4, 2], range.Log!);
        Assert.Equal(1, range.XMax);
        Assert.Null(ChartRange.Over(new TokenTrajectory(0), null));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(8, 300)]
    [InlineData(100, 664)]
    [InlineData(256, 800)]
    public void The_k_slider_is_logarithmic_and_round_trips(int k, int position)
    {
        Assert.Equal(position, KScale.ToSlider(k, 256));
        Assert.Equal(k, KScale.FromSlider(position, 256));
        Assert.Equal(800, KScale.SliderMax(256));
        Assert.Equal(256, KScale.FromSlider(10_000, 256));
    }

    [Fact]
    public void Limits_are_said_in_one_sentence()
    {
        var turn = new ConversationTurn("é" + new string('x', 299), new GenerationSettings(), "tiny", context: "earlier\n");
        Assert.Equal("The earlier turns and the prompt are 309 tokens; the model reads only the last 255 of them (its context is 256 tokens).",
            Notes.PromptNote(turn, 256, byteTokens: true));
        Assert.StartsWith("The earlier turns and the prompt are up to 309 tokens", Notes.PromptNote(turn, 256, byteTokens: false));
        Assert.Null(Notes.PromptNote(turn, 1024, byteTokens: true));
        Assert.Null(Notes.PromptNote(turn, null, byteTokens: true));

        turn.Apply(new DoneFrame(2, 30, StopReason.ContextFull));
        Assert.StartsWith("The model's context is full, so it stopped after 2 tokens", Notes.EndNote(turn));
        Assert.Contains("the context is full", Notes.Status(turn));
    }

    [Fact]
    public void Tokens_are_named_in_words_and_banded_by_probability()
    {
        var token = new TokenTrajectory(3) { Text = " the", StepsUsed = 8 };
        token.Steps.Add(Frames.Step(3, 8, " the", 0.85));

        Assert.Equal("token 3: space then the, 85% sure, 8 steps", Notes.TokenName(token).Replace("85 %", "85%"));
        Assert.Equal("high", Notes.ConfidenceBand(token));
        Assert.Equal("newline", TokenText.Spoken("\n"));
        Assert.Equal("“,” then space", TokenText.Spoken(", "));
        token.Text = "q";   // sampled outside the top list: its probability is not reported, so it counts as unsure
        Assert.Equal("vlow", Notes.ConfidenceBand(token));
    }

    [Fact]
    public void The_context_of_a_new_turn_is_the_earlier_prompts_and_replies_without_control_characters()
    {
        var conversation = new Conversation();
        ConversationTurn first = conversation.Start("Hi ", new GenerationSettings(), "tiny");
        first.Apply(new TokenFrame(0, "there\u0008", 1));
        first.Apply(new DoneFrame(1, 1, StopReason.MaxTokens));
        ConversationTurn failed = conversation.Start("x", new GenerationSettings(), "tiny");
        failed.Fail("no");

        Assert.Equal("Hi there\n", conversation.Context());
    }

    [Fact]
    public async Task Compare_marks_where_the_two_texts_part()
    {
        var session = new CompareSession { Prompt = "p" };
        session.LeftSettings.MaxTokens = 3;
        await session.RunAsync(new FakeRefinementService(), () => Task.CompletedTask);
        Assert.Null(session.DivergenceIndex);   // the fake writes the same text on both sides

        session.Right!.Tokens[1].Text = "x";
        Assert.Equal(1, session.DivergenceIndex);
        Assert.False(session.IsAfterDivergence(1));
        Assert.True(session.IsAfterDivergence(2));
    }

    [Fact]
    public void Training_files_come_from_every_root_once_and_long_runs_are_thinned()
    {
        using var root = new TempCheckpointsRoot();
        string shipped = Path.Combine(root.Root, "checkpoints"), runs = Path.Combine(root.Root, "runs"), reports = Path.Combine(root.Root, "reports");
        foreach (string dir in new[] { Path.Combine(shipped, "a"), Path.Combine(runs, "b"), Path.Combine(reports, "scaling", "main") }) Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(shipped, "a", "metrics.jsonl"), """{"step":1,"trainLoss":5,"valLoss":null,"lr":0.1,"k":1,"gradNorm":1,"tokens":1,"flops":1,"elapsedSec":1}""");
        File.WriteAllText(Path.Combine(runs, "b", "metrics.jsonl"), "");
        File.WriteAllText(Path.Combine(reports, "scaling.json"), "[]");
        File.WriteAllText(Path.Combine(reports, "scaling", "main", "scaling.json"), "[]");

        var runsRead = new TrainingFiles().Read([("checkpoints", shipped), ("runs", runs), ("again", shipped)]);
        Assert.Equal(["checkpoints/a", "runs/b"], runsRead.Select(r => r.Name));
        Assert.Equal(["scaling.json", "scaling/main"], TrainingData.FindScalingReports(reports).Select(r => r.Name));

        var points = Enumerable.Range(1, 11_000).Select(i => ((double)i, 10.0 / i)).ToList();
        var thin = TrainingData.Thin(points, 500);
        Assert.InRange(thin.Count, 450, 501);
        Assert.Equal(points[^1], thin[^1]);
        Assert.Equal(11.5, thin[0].Step);   // the first bucket's mean step (22 steps per bucket)
    }
}
