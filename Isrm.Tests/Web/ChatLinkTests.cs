namespace Isrm.Tests.Web;

/// <summary>A chat run shared as a link: its settings round-trip through the query, and a bad value is one sentence.</summary>
public sealed class ChatLinkTests
{
    private static Dictionary<string, string> Query(string link) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    [Fact]
    public void A_link_carries_the_runs_settings_and_prompt_and_reads_back_the_same()
    {
        var settings = new GenerationSettings { Checkpoint = "tiny", K = 17, Seed = 42, MaxTokens = 9, Temperature = 0.35 };
        string link = ChatLink.For(settings, "48213+97065= & more?", run: true);
        var back = new GenerationSettings();
        string? prompt = ChatLink.Apply(Query(link), back, ["tiny"], out bool run, out string? problem);
        Assert.Null(problem);
        Assert.True(run);
        Assert.Equal("48213+97065= & more?", prompt);
        Assert.Equal((settings.Checkpoint, settings.K, settings.InfiniteK, settings.Seed, settings.MaxTokens, settings.Temperature),
            (back.Checkpoint, back.K, back.InfiniteK, back.Seed, back.MaxTokens, back.Temperature));
        Assert.True(ChatLink.Apply(Query("?k=inf"), back, [], out _, out _) is null && back.InfiniteK);
    }

    [Theory]
    [InlineData("?checkpoint=nope", "checkpoint 'nope'")]
    [InlineData("?k=0", "k must be an integer from 1 to 256")]
    [InlineData("?k=99999", "k must be an integer from 1 to 256")]
    [InlineData("?seed=-1", "seed must be a whole number")]
    [InlineData("?maxTokens=0", "maxTokens must be a whole number")]
    [InlineData("?temperature=NaN", "temperature must be a number")]
    public void An_unusable_value_is_one_sentence_and_nothing_runs(string link, string expected)
    {
        var settings = new GenerationSettings();
        ChatLink.Apply(Query(link + "&run=1"), settings, ["tiny"], out _, out string? problem);
        Assert.Contains(expected, problem);
        Assert.EndsWith(".", problem);
    }

    [Fact]
    public async Task Opening_a_link_with_run_1_sends_it_and_a_bad_link_shows_the_sentence_instead()
    {
        var service = new FakeRefinementService();
        var session = new ChatSession(service);
        session.LoadCheckpoints();
        await session.OpenLinkAsync(Query("?checkpoint=tiny&prompt=hello&k=3&seed=7&maxTokens=2&temperature=0&run=1"));
        RefinementRequestAssert(service.Requests.Single());
        Assert.Equal("?checkpoint=tiny&prompt=hello&k=3&seed=7&maxTokens=2&temperature=0&run=1", session.ShareQuery());

        var other = new ChatSession(service);
        other.LoadCheckpoints();
        await other.OpenLinkAsync(Query("?prompt=hello&k=abc&run=1"));
        Assert.Single(service.Requests);   // nothing more ran
        Assert.Contains("The link's k", other.Error);
    }

    private static void RefinementRequestAssert(Isrm.Web.Refinement.RefinementRequest r) =>
        Assert.Equal(("hello", 3, 7L, 2, 0.0), (r.Prompt, r.K.Steps ?? 0, r.Seed, r.MaxTokens, r.Temperature ?? -1));
}
