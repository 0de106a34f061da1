namespace Isrm.Tests.Web.Browser;

/// <summary>What a chat user expects (issue 18, points 4 and 6): limits said, newest turn in view, text coloured by confidence, turns that build on each other.</summary>
public sealed class ChatFeaturesBrowserTests(LiveViewFixture app, ITestOutputHelper output) : LiveViewTests(app, output)
{
    [Fact]
    public async Task The_answer_is_text_coloured_by_confidence_and_turns_carry_context_regenerate_and_edit()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.SetUpAsync(page, k: 4, maxTokens: 6);
        await Chat.SendAsync(page, "The cat");
        ILocator status = page.Locator("[data-testid=turn-status]");
        await Expect(status.Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });

        // plain text, each token coloured by its probability band, its top-5 on hover, named in words
        ILocator tokens = page.Locator("[data-testid=turn]").Last.Locator("[data-testid=token]");
        await Expect(tokens).ToHaveCountAsync(6);
        foreach (ILocator token in await tokens.AllAsync())
        {
            Assert.Contains(await token.GetAttributeAsync("data-conf"), new[] { "high", "mid", "low", "vlow" });
            Assert.Contains("%", await token.GetAttributeAsync("title"));
            Assert.StartsWith("token ", await token.GetAttributeAsync("aria-label"));
        }
        string reply = string.Concat(await tokens.AllTextContentsAsync());
        // the streamed answer is also in a polite live region, for screen readers
        Assert.Equal("polite", await page.Locator("[data-testid=live-answer]").GetAttributeAsync("aria-live"));
        Assert.Contains("Model, 6 tokens", await page.Locator("[data-testid=live-answer]").TextContentAsync());

        // a second turn is sent after the first one's prompt and reply
        await Chat.SendAsync(page, "And then");
        await Expect(status).ToHaveCountAsync(2);
        await Expect(status.Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        string sent = App.Timing.Runs.Last().Prompt;
        Assert.StartsWith("The cat", sent);
        Assert.EndsWith("\nAnd then", sent);
        Assert.True(sent.Length > "The cat\nAnd then".Length, "the first reply was not sent with the second prompt");
        await Expect(page.Locator("[data-testid=turn]").Last).ToContainTextAsync("after the earlier turns");

        // regenerate replaces the last answer (next seed); the number of turns stays
        int runs = App.Timing.Runs.Count;
        await page.Locator("[data-testid=regenerate]").ClickAsync();
        // the old turn's status still reads "done" until the new run starts: wait for the model's new run to finish first
        for (int i = 0; i < 600 && !(App.Timing.Runs.Count > runs && App.Timing.Runs.Last().DoneAt is not null); i++) await Task.Delay(100);
        await Expect(status.Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        Assert.Equal(runs + 1, App.Timing.Runs.Count);
        await Expect(status).ToHaveCountAsync(2);

        // edit and resend the first prompt: it replaces that turn and the later ones
        await page.Locator("[data-testid=edit]").First.ClickAsync();
        await Expect(page.Locator("[data-testid=prompt]")).ToHaveValueAsync("The cat");
        await Expect(page.Locator("[data-testid=editing]")).ToContainTextAsync("Editing turn 1");
        await page.Locator("[data-testid=prompt]").FillAsync("The dog");
        await page.Locator("[data-testid=send]").ClickAsync();
        await Expect(status).ToHaveCountAsync(1);
        await Expect(status.Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        Assert.Equal("The dog", App.Timing.Runs.Last().Prompt);
        Output.WriteLine($"first reply: {reply.Length} characters; context sent with the second prompt: {sent.Length} characters");
        await LiveViewFixture.ShotAsync(page, "13-chat-turns.png");
    }

    [Fact]
    public async Task A_long_prompt_and_a_full_context_are_said_on_the_page_and_the_newest_turn_is_in_view()
    {
        (IPage page, _) = await App.OpenAsync("/", height: 700);
        await Chat.SetUpAsync(page, k: 2, maxTokens: 8);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Remember earlier turns" }).UncheckAsync();
        string prompt = string.Concat(Enumerable.Repeat("The jury said so. ", 12));   // 216 bytes; the tiny models read 127
        await Chat.SendAsync(page, prompt);
        await Chat.DoneAsync(page);

        await Expect(page.Locator("[data-testid=prompt-cut]")).ToHaveTextAsync(
            $"The prompt is {prompt.Trim().Length} tokens; the model reads only the last 127 of them (its context is 128 tokens).");
        ILocator limit = page.Locator("[data-testid=limit]");
        await Expect(limit).ToContainTextAsync("context is full");
        await Expect(page.Locator("[data-testid=turn-status]").Last).ToContainTextAsync("the context is full");
        Assert.True(await InViewAsync(limit), "the context-full note is out of view");
        await LiveViewFixture.ShotAsync(page, "14-limits.png");
    }

    [Fact]
    public async Task The_k_box_and_the_log_slider_agree_and_a_one_pass_checkpoint_disables_k_and_says_why()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.SetUpAsync(page, k: 100, maxTokens: 2);
        Assert.Equal("664", await page.Locator("[data-testid=k-slider]").InputValueAsync());   // log2(100) × 100
        await page.Locator("[data-testid=k-slider]").FillAsync("300");
        await Expect(page.Locator("[data-testid=k-value]")).ToHaveTextAsync("K = 8");
        await Expect(page.Locator("[data-testid=k-box]")).ToHaveValueAsync("8");

        await page.Locator("[data-testid=checkpoint-select]").SelectOptionAsync("tiny-transformer");
        await Expect(page.Locator("[data-testid=k-disabled]")).ToContainTextAsync("makes each token in one pass");
        await Expect(page.Locator("[data-testid=k-box]")).ToBeDisabledAsync();
        await Expect(page.Locator("[data-testid=k-slider]")).ToBeDisabledAsync();
        await Expect(page.Locator("[data-testid=k-value]")).ToHaveTextAsync("one pass");
        await LiveViewFixture.ShotAsync(page, "15-one-pass-checkpoint.png");
    }

    private static Task<bool> InViewAsync(ILocator locator) => locator.EvaluateAsync<bool>(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }");

}
