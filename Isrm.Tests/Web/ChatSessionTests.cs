namespace Isrm.Tests.Web;

/// <summary>The chat page's behaviour without a browser: send, stream, follow live, stop, errors.</summary>
public sealed class ChatSessionTests
{
    private readonly FakeRefinementService _api = new();

    private async Task<ChatSession> Ready()
    {
        var session = new ChatSession(_api);
        session.LoadCheckpoints();
        return session;
    }

    [Fact]
    public void Every_text_page_opens_on_the_services_default_checkpoint_when_another_is_listed_first()
    {
        _api.Checkpoints.Insert(0, new("addition", "isrm", 1_000, "0 steps", true, null));   // sorts before the default
        Assert.Equal("tiny", TextCheckpoints.Opening(TextCheckpoints.List(_api), _api));
        var chat = new ChatSession(_api);
        chat.LoadCheckpoints();
        var pca = new LatentPcaSession(_api);
        pca.LoadCheckpoints();
        Assert.Equal(("tiny", "tiny"), (chat.Settings.Checkpoint, pca.Settings.Checkpoint));

        _api.Checkpoints.RemoveAll(c => c.Name == "tiny");   // no default listed: the first usable one
        Assert.Equal("addition", TextCheckpoints.Opening(TextCheckpoints.List(_api), _api));
        _api.Checkpoints[0] = _api.Checkpoints[0] with { Usable = false, Error = "truncated" };
        Assert.Null(TextCheckpoints.Opening(TextCheckpoints.List(_api), _api));
    }

    [Fact]
    public async Task Send_streams_the_answer_following_the_newest_token_and_announces_every_frame()
    {
        ChatSession session = await Ready();
        int invalidated = 0;
        session.Invalidated += () => invalidated++;
        session.Settings.K = 3;
        session.Settings.MaxTokens = 2;
        session.Prompt = "hello";

        await session.SendAsync();

        Assert.Equal("ab", session.Conversation.Latest!.Reply);
        Assert.Equal("hello", _api.Requests.Single().Prompt);
        Assert.Equal(RefinementDepth.Of(3), _api.Requests.Single().K);
        Assert.Equal("tiny", _api.Requests.Single().Checkpoint);
        Assert.Equal(1, session.Selected!.TokenIndex);
        Assert.Equal(1 + 2 * (3 + 1) + 1, invalidated); // started, 3 steps and a token frame per token, then done
        Assert.Equal(3, session.Scrubber.StepCount);
        Assert.False(session.IsRunning);
        Assert.Equal("", session.Prompt);
    }

    [Fact]
    public async Task Stop_cancels_the_stream_and_marks_the_turn_stopped()
    {
        ChatSession session = await Ready();
        _api.Gate = new SemaphoreSlim(0);
        session.Prompt = "go";
        Task sending = session.SendAsync();
        _api.Gate.Release(3);
        await WaitUntil(() => session.Conversation.Latest!.StepFrameCount == 3);

        Assert.True(session.IsRunning);
        await session.StopAsync();
        // the turn ends on the page at once, before the stream has even noticed the cancellation
        Assert.Equal(TurnStatus.Cancelled, session.Conversation.Latest!.Status);
        Assert.False(session.IsRunning);
        _api.Gate.Release(100);   // frames still on their way are dropped
        await sending;

        Assert.Equal(3, session.Conversation.Latest!.StepFrameCount);
        Assert.Equal(TurnStatus.Cancelled, session.Conversation.Latest!.Status);
    }

    [Fact]
    public async Task A_queued_request_shows_how_many_are_ahead_until_its_first_frame()
    {
        ChatSession session = await Ready();
        _api.Gate = new SemaphoreSlim(0);
        _api.QueueAhead = 2;
        session.Prompt = "go";
        Task sending = session.SendAsync();
        await WaitUntil(() => session.Conversation.Latest!.QueuedAhead == 2);
        Assert.Equal(0, session.Conversation.Latest!.StepFrameCount);

        _api.Gate.Release(1);
        await WaitUntil(() => session.Conversation.Latest!.StepFrameCount == 1);
        Assert.Null(session.Conversation.Latest!.QueuedAhead);
        _api.Gate.Release(10_000);
        await sending;
        Assert.Equal(TurnStatus.Done, session.Conversation.Latest!.Status);
    }

    [Fact]
    public async Task A_refused_request_shows_the_hub_sentence()
    {
        ChatSession session = await Ready();
        _api.Refuse = "The prompt is empty: type some text to continue.";
        session.Prompt = "x";

        await session.SendAsync();

        Assert.Equal(TurnStatus.Failed, session.Conversation.Latest!.Status);
        Assert.Equal(_api.Refuse, session.Error);
    }

    [Fact]
    public async Task Opening_a_finished_token_stops_following_and_shows_its_steps()
    {
        ChatSession session = await Ready();
        session.Settings.K = 4;
        session.Settings.MaxTokens = 3;
        session.Prompt = "x";
        await session.SendAsync();
        ConversationTurn turn = session.Conversation.Latest!;

        await session.OpenToken(turn, turn.Tokens[0]);
        session.Scrubber.Seek(2);

        Assert.False(session.FollowLive);
        Assert.Equal(0, session.Selected!.TokenIndex);
        Assert.Equal(2, session.ScrubbedStep!.Step);
    }

    [Fact]
    public async Task Send_is_refused_without_a_prompt_or_a_usable_checkpoint()
    {
        ChatSession session = await Ready();
        session.Prompt = "   ";
        Assert.False(session.CanSend);
        _api.Checkpoints.RemoveAt(0);
        session = await Ready();
        session.Prompt = "x";
        Assert.False(session.CanSend);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
