namespace Isrm.Tests.Web;

/// <summary>A chat exported as JSON loads back into the viewer: the same turns, tokens, steps and settings.</summary>
public sealed class ConversationImportTests
{
    [Fact]
    public async Task An_export_loads_back_with_every_step_of_every_token()
    {
        var session = new ChatSession(new FakeRefinementService());
        session.LoadCheckpoints();
        session.Settings.MaxTokens = 4;
        session.Settings.K = 6;
        session.Settings.Seed = 9;
        session.Prompt = "first";
        await session.SendAsync();
        session.Prompt = "second";
        await session.SendAsync();
        string json = session.Conversation.ExportJson();

        var viewer = new ChatSession(new FakeRefinementService());
        viewer.LoadCheckpoints();
        await viewer.LoadExportAsync(json);
        Assert.Null(viewer.Error);
        Assert.Equal(session.Conversation.Turns.Select(t => (t.Prompt, t.Reply, t.Status, t.Tokens.Count)),
            viewer.Conversation.Turns.Select(t => (t.Prompt, t.Reply, t.Status, t.Tokens.Count)));
        var (a, b) = (session.Conversation.Turns[1], viewer.Conversation.Turns[1]);
        Assert.Equal(a.Tokens.Select(t => t.Steps.Count), b.Tokens.Select(t => t.Steps.Count));
        Assert.Equal(a.Tokens[2].Steps[3].TopTokens[0], b.Tokens[2].Steps[3].TopTokens[0]);
        Assert.Equal((6, 9L, 4), (b.Settings.K, b.Settings.Seed, b.Settings.MaxTokens));
        string again = viewer.Conversation.ExportJson();   // exported again: the same file but for its time stamp
        Assert.Equal(json.Replace(ExportedAt(json), ""), again.Replace(ExportedAt(again), ""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"format\":\"something-else\",\"turns\":[]}")]
    [InlineData("{\"format\":\"isrm-conversation/1\",\"turns\":[{\"prompt\":1}]}")]
    public async Task A_file_that_is_not_an_export_is_one_sentence_and_the_conversation_stays(string text)
    {
        var session = new ChatSession(new FakeRefinementService());
        session.LoadCheckpoints();
        session.Prompt = "kept";
        await session.SendAsync();
        await session.LoadExportAsync(text);
        Assert.StartsWith("This file is not a conversation exported by this page", session.Error);
        Assert.Equal("kept", session.Conversation.Turns.Single().Prompt);
    }

    private static string ExportedAt(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("exportedAt").GetRawText();
}
