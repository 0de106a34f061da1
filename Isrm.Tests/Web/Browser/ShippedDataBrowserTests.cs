namespace Isrm.Tests.Web.Browser;

/// <summary>
/// The app on the shipped checkpoints and reports: the Training page shows their metrics and scaling results out of
/// the box (issue 18, point 3), and the chat on <c>isrm-default</c> gives README's screenshot.
/// </summary>
public sealed class ShippedDataBrowserTests : BrowserHost
{
    private readonly TempCheckpointsRoot _runs = new();

    protected override async Task<IsrmWebApp> CreateAppAsync()
    {
        Directory.CreateDirectory(Path.Combine(_runs.Root, "mine"));
        await File.WriteAllLinesAsync(Path.Combine(_runs.Root, "mine", "metrics.jsonl"), Enumerable.Range(1, 5).Select(i =>
            $$"""{"step":{{i}},"trainLoss":{{6 - i}},"valLoss":null,"lr":0.001,"k":4,"gradNorm":1,"tokens":{{i * 100}},"flops":1e9,"elapsedSec":{{i}}}"""));
        string repo = LiveViewFixture.RepositoryRoot();
        // the shipped folders, as appsettings.json names them relative to Isrm.Web; only the runs folder is a test's own
        return new IsrmWebApp(Path.Combine(repo, "checkpoints"), runsRoot: _runs.Root,
            settings: new Dictionary<string, string> { ["Isrm:Training:ReportsPath"] = "../reports" });
    }

    protected override void CleanUp()
    {
        _runs.Dispose();
    }

    [Fact]
    public async Task The_shipped_runs_and_the_current_scaling_report_show_and_runs_can_be_chosen()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(new Uri(Base, "/training").ToString());

        ILocator options = page.Locator("[data-testid=run-option]");
        await Assertions.Expect(options).ToHaveCountAsync(7);
        var names = await options.EvaluateAllAsync<string[]>("els => els.map(e => e.value)");
        Assert.Equal(["checkpoints/addition-isrm", "checkpoints/isrm-default", "checkpoints/parity-isrm", "checkpoints/rlm-small",
            "checkpoints/transformer-equal-flops", "checkpoints/transformer-equal-steps", "runs/mine"], names);
        ILocator trainingTraces = page.Locator("#training-loss .scatterlayer .trace");
        await Assertions.Expect(trainingTraces).Not.ToHaveCountAsync(0);
        int all = await trainingTraces.CountAsync();

        await Assertions.Expect(page.Locator("[data-testid=scaling-report]")).ToHaveValueAsync("scaling/current");
        Assert.Contains("scaling/recipe-variants", await page.Locator("[data-testid=scaling-report] option").AllTextContentsAsync());
        await Assertions.Expect(page.Locator("#scaling .scatterlayer .trace")).ToHaveCountAsync(3);   // the three shipped text checkpoints as they are now
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(LiveViewFixture.Screenshots, "20-training-shipped.png"), FullPage = true });

        await options.Nth(4).UncheckAsync();   // the 11,000-step transformer: its train and validation curves go
        await Assertions.Expect(trainingTraces).ToHaveCountAsync(all - 2);
        await page.Locator("[data-testid=scaling-report]").SelectOptionAsync("scaling/anderson");
        await Assertions.Expect(page.Locator("#scaling .scatterlayer .trace")).Not.ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_chat_on_the_shipped_default_checkpoint_makes_the_readme_screenshot()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(Base.ToString());
        await Chat.SetUpAsync(page, k: 16, maxTokens: 32, checkpoint: "isrm-default");
        await page.Locator(".mud-input-control:has(label:text-is('temperature (0 = greedy)')) input").FillAsync("0");
        await page.Locator(".mud-input-control:has(label:text-is('temperature (0 = greedy)')) input").PressAsync("Tab");
        await Chat.SendAsync(page, "The jury said");
        await Chat.DoneAsync(page, timeoutMs: 120_000);
        await Assertions.Expect(page.Locator("[data-testid=turn-status]").Last).ToContainTextAsync("all drawn");
        await page.Locator("[data-testid=token]").Nth(2).ClickAsync();
        await page.Locator("[data-testid=step-scrubber]").FillAsync("4");
        await Assertions.Expect(page.Locator("#trajectory")).ToHaveAttributeAsync("data-mark", "4");
        await Assertions.Expect(page.Locator("[data-testid=step-grid]")).ToHaveAttributeAsync("data-rows", "16");
        await page.WaitForTimeoutAsync(300);   // the last animation frame of the chart
        // copied to reports/web-chat.png for the README
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(LiveViewFixture.Screenshots, "web-chat.png") });
    }

    [Fact]
    public async Task A_shared_link_runs_on_open_and_gives_the_same_tokens_twice_and_a_bad_link_one_sentence()
    {
        string link = "?checkpoint=isrm-default&prompt=The%20jury%20said&k=4&seed=3&maxTokens=6&temperature=0.8&run=1";
        var replies = new List<string[]>();
        for (int open = 0; open < 2; open++)
        {
            IPage page = await Chromium.NewPageAsync();
            await page.GotoAsync(new Uri(Base, "/" + link).ToString());
            await Chat.DoneAsync(page, timeoutMs: 120_000);
            replies.Add((await page.Locator("[data-testid=token]").AllTextContentsAsync()).ToArray());
            Assert.Equal(link, await page.Locator("[data-testid=share-link]").TextContentAsync());
            Assert.Contains("seed=3", page.Url);   // the run's settings live in the address bar
            await page.CloseAsync();
        }
        Assert.Equal(6, replies[0].Length);
        Assert.Equal(replies[0], replies[1]);

        IPage bad = await Chromium.NewPageAsync();
        await bad.GotoAsync(new Uri(Base, "/?checkpoint=isrm-default&prompt=x&k=0&run=1").ToString());
        await Assertions.Expect(bad.Locator("[data-testid=page-error]")).ToContainTextAsync("The link's k must be an integer from 1 to");
        Assert.Equal(0, await bad.Locator("[data-testid=turn]").CountAsync());
    }

    [Fact]
    public async Task A_shared_puzzle_link_solves_the_same_instance_the_same_way_twice()
    {
        string link = "/puzzles?task=prefix-sums&checkpoint=prefix-sums-carry&size=24&seed=5&generator=dfs&k=inf&run=1";
        var seen = new List<(string? Status, string? Input)>();
        for (int open = 0; open < 2; open++)
        {
            IPage page = await Chromium.NewPageAsync();
            await page.GotoAsync(new Uri(Base, link).ToString());
            await Assertions.Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("Solved at step", new() { Timeout = 60_000 });
            seen.Add((await page.Locator("[data-testid=puzzle-status]").TextContentAsync(), await page.Locator("[data-testid=puzzle-input]").InputValueAsync()));
            Assert.Contains("seed=5", await page.Locator("[data-testid=share-link]").TextContentAsync());
            await page.CloseAsync();
        }
        Assert.Equal(seen[0], seen[1]);
        Assert.Equal(24, seen[0].Input!.Trim().Length);
    }

    [Fact]
    public async Task A_chat_exported_as_json_loads_back_into_the_viewer()
    {
        var session = new Isrm.Web.State.ChatSession(new FakeRefinementService());
        session.LoadCheckpoints();
        session.Settings.MaxTokens = 5;
        session.Prompt = "from a file";
        await session.SendAsync();
        string file = Path.Combine(_runs.Root, "conversation.json");
        await File.WriteAllTextAsync(file, session.Conversation.ExportJson());

        IPage page = await Chromium.NewPageAsync();
        await page.GotoAsync(Base.ToString());
        // the circuit is live once the checkpoints are listed: only then does the file input reach the page's code
        await Assertions.Expect(page.Locator("[data-testid=checkpoint-select] option[value=isrm-default]")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=load-json]").SetInputFilesAsync(file);
        await Assertions.Expect(page.Locator("[data-testid=turn]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=token]")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".prompt-text")).ToHaveTextAsync("from a file");
        await Assertions.Expect(page.Locator("[data-testid=step-grid]")).ToHaveAttributeAsync("data-columns", "5");
    }
}
