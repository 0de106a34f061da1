using Isrm.Web.Replay;

namespace Isrm.Tests.Web.Browser;

/// <summary>
/// A run exported as one HTML file replays without the server (issue 28, point 3): the chat's Export HTML, opened
/// from disk in a browser that is offline, shows the same top tokens at the same steps as the run's JSON export.
/// </summary>
public sealed class ReplayBrowserTests(LiveViewFixture app, ITestOutputHelper output) : LiveViewTests(app, output)
{
    [Fact]
    public async Task The_chats_html_export_replays_every_step_offline_with_the_runs_own_numbers()
    {
        (IPage page, _) = await App.OpenAsync("/?checkpoint=tiny&prompt=Once%20upon&k=6&seed=3&maxTokens=3&temperature=0&run=1");
        await Expect(page.Locator("[data-testid=export-html]")).ToBeEnabledAsync(new() { Timeout = 60_000 });
        string dir = Path.Combine(Path.GetTempPath(), $"isrm-replay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            IDownload html = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-html]").ClickAsync());
            IDownload json = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export]").ClickAsync());
            string htmlFile = Path.Combine(dir, "run.html"), jsonFile = Path.Combine(dir, "run.json");
            await html.SaveAsAsync(htmlFile);
            await json.SaveAsAsync(jsonFile);
            await page.CloseAsync();
            Assert.EndsWith(".html", html.SuggestedFilename);

            JsonElement token = JsonDocument.Parse(await File.ReadAllTextAsync(jsonFile)).RootElement.GetProperty("turns")[0].GetProperty("tokens")[2];
            string expected = token.GetProperty("steps")[1].GetProperty("topTokens")[0].GetProperty("token").GetString()!;

            // offline, from disk: nothing can come from the server
            IBrowserContext offline = await App.Browser.NewContextAsync(new BrowserNewContextOptions { Offline = true });
            var requests = new List<string>();
            IPage replay = await offline.NewPageAsync();
            replay.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal)) requests.Add(r.Url); };
            var errors = new List<string>();
            replay.PageError += (_, e) => errors.Add(e);
            await replay.GotoAsync(new Uri(htmlFile).AbsoluteUri);
            await Expect(replay.Locator(".tokens button")).ToHaveCountAsync(3);
            await replay.Locator(".tokens button").Nth(2).ClickAsync();
            await replay.Locator("[data-testid=replay-step]").FillAsync("2");
            await Expect(replay.Locator("table")).ToHaveAttributeAsync("data-top", expected);
            await Expect(replay.Locator(".caption").Last).ToHaveTextAsync("step 2 of 6");
            Output.WriteLine($"token #2 step 2 top token '{expected}'; requests beyond the file: {requests.Count}");
            Assert.Empty(requests);
            Assert.Empty(errors);
            await offline.CloseAsync();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_replay_page_embeds_the_run_and_fetches_nothing_even_when_a_prompt_holds_markup()
    {
        string export = JsonSerializer.Serialize(new { format = "isrm-conversation/1", turns = new[] { new { prompt = "</script><script>alert(1)</script><!--", tokens = Array.Empty<object>() } } });
        string html = RunReplay.Conversation(export);
        Assert.Equal(2, Regex.Matches(html, "<script").Count);                 // the data and the player, nothing injected
        Assert.DoesNotContain("<script>alert", html);
        string data = Regex.Match(html, "<script type=\"application/json\" id=\"run-data\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal("</script><script>alert(1)</script><!--", JsonDocument.Parse(data).RootElement.GetProperty("turns")[0].GetProperty("prompt").GetString());
        Assert.DoesNotMatch(@"\s(src|href)\s*=", html);                         // no script, style, font or image fetched
        Assert.DoesNotContain("@import", html);
        Assert.Contains("data-kind=\"chat\"", html);
    }

}
