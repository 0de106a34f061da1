namespace Isrm.Tests.Web.Browser;

/// <summary>Compare draws both sides live, aligned on one position, on one y-scale (issue 18, point 5).</summary>
public sealed class CompareBrowserTests(LiveViewFixture app, ITestOutputHelper output) : LiveViewTests(app, output)
{
    [Fact]
    public async Task Both_sides_draw_while_they_run_on_one_y_scale_and_a_divergence_is_marked()
    {
        (IPage page, _) = await App.OpenAsync("/compare");
        await Expect(page.Locator("[data-testid=compare-left] [data-testid=checkpoint-select] option[value=tiny2]")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=compare-prompt]").FillAsync("Once upon");
        await page.Locator("[data-testid=compare-left] [data-testid=checkpoint-select]").SelectOptionAsync("tiny");
        await page.Locator("[data-testid=compare-right] [data-testid=checkpoint-select]").SelectOptionAsync("tiny2");
        await page.Locator("[data-testid=compare-right] [data-testid=k-box]").FillAsync("256");
        await page.Locator("[data-testid=compare-right] [data-testid=k-box]").PressAsync("Tab");
        await page.Locator(".mud-input-control:has(label:text-is('max tokens')) input").FillAsync("60");
        await page.Locator(".mud-input-control:has(label:text-is('max tokens')) input").PressAsync("Tab");
        await page.Locator("[data-testid=compare-run]").ClickAsync();

        // live: both charts have steps while the run is still going, read in one instant of the page (a tiny model is
        // fast: a wait and a later read could see the run end in between; 60 tokens keep it running for several seconds
        // even on a loaded machine, where 20 once ended before the browser drew)
        var live = await page.WaitForFunctionAsync("""
            () => Number(document.getElementById('compare-left-chart').dataset.steps || 0) > 0
               && Number(document.getElementById('compare-right-chart').dataset.steps || 0) > 0
               && { running: !document.querySelector('[data-testid=compare-stop]').disabled }
            """);
        bool stillRunning = (await live.JsonValueAsync<JsonElement>()).GetProperty("running").GetBoolean();
        await LiveViewFixture.ShotAsync(page, "16-compare-live.png");
        Assert.True(stillRunning, "both sides drew only after the run ended");

        await Expect(page.Locator("[data-testid=compare-right] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 240_000 });
        await Expect(page.Locator("[data-testid=compare-left] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done");
        await Expect(page.Locator("[data-testid=compare-kl]")).ToBeVisibleAsync();

        // one scale: the same step and y ranges on both charts
        string Ranges(string id) => $"() => {{ const l = document.getElementById('{id}')._fullLayout; return JSON.stringify([l.xaxis.range, l.yaxis.range, l.yaxis2.range]); }}";
        await page.WaitForTimeoutAsync(300);
        string left = await page.EvaluateAsync<string>(Ranges("compare-left-chart"));
        string right = await page.EvaluateAsync<string>(Ranges("compare-right-chart"));
        Output.WriteLine($"y ranges: left {left}, right {right}");
        Assert.Equal(left, right);

        // aligned: both sides show the same position; where the texts part, both say so
        var leftText = await page.Locator("[data-testid=compare-left] [data-testid=token]").AllTextContentsAsync();
        var rightText = await page.Locator("[data-testid=compare-right] [data-testid=token]").AllTextContentsAsync();
        int parted = leftText.Zip(rightText).TakeWhile(p => p.First == p.Second).Count();
        Output.WriteLine($"left '{string.Concat(leftText)}', right '{string.Concat(rightText)}', texts part at {parted}");
        if (parted < Math.Min(leftText.Count, rightText.Count))
        {
            await Expect(page.Locator("[data-testid=divergence]")).ToHaveCountAsync(2);
            await Expect(page.Locator("[data-testid=compare-alignment]")).ToContainTextAsync($"up to token #{parted}");
        }
        else await Expect(page.Locator("[data-testid=divergence]")).ToHaveCountAsync(0);
        Assert.Equal(JsonSerializer.Serialize(await page.Locator("[data-testid=compare-left] h3").AllTextContentsAsync()).Contains($"token #{parted}"),
                     JsonSerializer.Serialize(await page.Locator("[data-testid=compare-right] h3").AllTextContentsAsync()).Contains($"token #{parted}"));
        await LiveViewFixture.ShotAsync(page, "17-compare-done.png");
    }

    [Fact]
    public async Task A_link_with_an_intervention_runs_the_original_beside_the_changed_run_the_same_way_twice_and_the_chat_offers_it()
    {
        // from the chat: a finished run, a token picked, and a link into the compare view at the scrubber's step
        (IPage chat, _) = await App.OpenAsync("/?checkpoint=tiny&prompt=Once%20upon&k=6&seed=3&maxTokens=4&temperature=0&run=1");
        await Expect(chat.Locator("[data-testid=intervene-link]")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        string? offered = await chat.Locator("[data-testid=intervene-link]").GetAttributeAsync("href");
        Output.WriteLine($"chat offers {offered}");
        Assert.StartsWith("compare?checkpoint=tiny&prompt=Once%20upon&k=6&seed=3&maxTokens=4", offered);
        Assert.Contains("&step=", offered);
        Assert.Contains("&change=random", offered);
        await chat.CloseAsync();

        string link = "/compare?checkpoint=tiny&prompt=Once%20upon&k=6&seed=3&maxTokens=4&temperature=0&at=1&step=3&change=scale&value=-1&run=1";
        var runs = new List<(IReadOnlyList<string> Left, IReadOnlyList<string> Right, string Said)>();
        for (int open = 0; open < 2; open++)
        {
            (IPage page, _) = await App.OpenAsync(link);
            await Expect(page.Locator("[data-testid=compare-right] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 120_000 });
            await Expect(page.Locator("[data-testid=compare-left] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done");
            await Expect(page.Locator("[data-testid=intervention-divergence]")).ToContainTextAsync("Right side: token #1, after step 3: state × -1");
            await Expect(page.Locator("[data-testid=intervene-on]")).ToBeCheckedAsync();
            // the runs end within a few hundred ms of the page opening, before the charts' script may have loaded: both draw anyway
            await Expect(page.Locator("#compare-left-chart")).ToHaveAttributeAsync("data-steps", "6");
            await Expect(page.Locator("#compare-right-chart")).ToHaveAttributeAsync("data-steps", "6");
            await Expect(page.Locator("[data-testid=compare-share-link]")).ToContainTextAsync("&at=1&step=3&change=scale&value=-1");
            if (open == 0) await LiveViewFixture.ShotAsync(page, "21-compare-intervention.png");
            runs.Add((await page.Locator("[data-testid=compare-left] [data-testid=token]").AllTextContentsAsync(),
                      await page.Locator("[data-testid=compare-right] [data-testid=token]").AllTextContentsAsync(),
                      await page.Locator("[data-testid=intervention-divergence]").TextContentAsync() ?? ""));
            await page.CloseAsync();
        }
        Output.WriteLine($"left '{string.Concat(runs[0].Left)}', right '{string.Concat(runs[0].Right)}': {runs[0].Said}");
        Assert.Equal(runs[0].Left, runs[1].Left);
        Assert.Equal(runs[0].Right, runs[1].Right);
        Assert.Equal(runs[0].Said, runs[1].Said);
        Assert.Equal(runs[0].Left[0], runs[0].Right[0]);   // token 0 comes before the intervention

        (IPage bad, _) = await App.OpenAsync("/compare?checkpoint=tiny&prompt=ab&k=6&at=0&step=9&change=blur&value=1");
        await Expect(bad.Locator("[data-testid=compare]")).ToContainTextAsync("The link's change must be random, seed, scale or token; got 'blur'.");
        await bad.CloseAsync();
    }

    [Fact]
    public async Task A_chat_token_runs_from_several_starts_and_the_page_says_how_the_runs_end()
    {
        (IPage chat, _) = await App.OpenAsync("/?checkpoint=tiny&prompt=Once%20upon&k=12&seed=3&maxTokens=3&temperature=0&run=1");
        await Expect(chat.Locator("[data-testid=token-paths-run]")).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await chat.Locator("[data-testid=token-paths-starts]").FillAsync("5");
        await chat.Locator("[data-testid=token-paths-starts]").PressAsync("Tab");
        await chat.Locator("[data-testid=token-paths-run]").ClickAsync();
        await Expect(chat.Locator("[data-testid=token-paths-summary]")).ToContainTextAsync("How the runs end:", new() { Timeout = 60_000 });
        await Expect(chat.Locator("[data-testid=token-paths-summary]")).ToContainTextAsync("runs of token #2");
        await chat.WaitForFunctionAsync("() => (document.getElementById('token-paths-chart')?.data || []).length === 5");
        Output.WriteLine(await chat.Locator("[data-testid=token-paths-summary]").TextContentAsync());
        await LiveViewFixture.ShotAsync(chat, "25-chat-token-paths.png");
        await chat.CloseAsync();
    }

}
