namespace Isrm.Tests.Web;

/// <summary>
/// The app in Debian's Chromium (never a downloaded browser; provisioned by <see cref="HostTools"/>) against real tiny checkpoints: chat with K = 8, open a
/// token's trajectory, compare two checkpoints. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class BrowserEndToEndTests : BrowserHost
{
    private static readonly string Screenshots = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    private readonly TempCheckpointsRoot _folder = TinyCheckpoints.Folder();
    private readonly TempCheckpointsRoot _runs = new();

    protected override async Task<IsrmWebApp> CreateAppAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(30_000); // a shared 2-core machine: first render and hub connect can be slow
        Directory.CreateDirectory(Screenshots);
        string runs = Path.Combine(_runs.Root, "demo");
        Directory.CreateDirectory(runs);
        await File.WriteAllLinesAsync(Path.Combine(runs, "metrics.jsonl"), Enumerable.Range(1, 20).Select(i =>
            $$"""{"step":{{i * 10}},"trainLoss":{{5.5 / Math.Sqrt(i):0.000}},"valLoss":{{(i % 5 == 0 ? (5.8 / Math.Sqrt(i)).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "null")}},"lr":0.001,"k":4,"gradNorm":1.2,"tokens":{{i * 4096}},"flops":1e9,"elapsedSec":{{i}}}"""));
        Directory.CreateDirectory(Path.Combine(_runs.Root, "reports"));
        await File.WriteAllTextAsync(Path.Combine(_runs.Root, "reports", "scaling.json"), """
            [{"checkpoint":"demo","family":"isrm","positions":64,"k":1,"lossNatsPerToken":2.9,"bitsPerByte":4.1,"meanDelta":0.2,"meanResidual":3.1},
             {"checkpoint":"demo","family":"isrm","positions":64,"k":8,"lossNatsPerToken":2.4,"bitsPerByte":3.4,"meanDelta":0.05,"meanResidual":2.9},
             {"checkpoint":"demo","family":"isrm","positions":64,"k":32,"lossNatsPerToken":2.35,"bitsPerByte":3.3,"meanDelta":0.01,"meanResidual":2.8},
             {"checkpoint":"demo","family":"isrm","positions":64,"k":"inf","lossNatsPerToken":2.34,"bitsPerByte":3.3,"meanDelta":0.001,"meanResidual":2.8}]
            """);
        return new IsrmWebApp(_folder.Root, runsRoot: _runs.Root);
    }

    protected override void CleanUp()
    {
        _folder.Dispose();
        _runs.Dispose();
    }

    [Fact]
    public async Task Chat_with_k_8_shows_8_steps_then_a_token_opens_its_trajectory_and_two_checkpoints_compare()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        // The Content-Security-Policy must let Blazor, MudBlazor and Plotly do everything below: the browser reports each block.
        var blocked = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) blocked.Add(message.Text); };
        await page.GotoAsync(new Uri(Base, "/").ToString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "01-empty-chat.png"), FullPage = true });

        await Expect(page.Locator("[data-testid=checkpoint-select] option[value=tiny]")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=k-slider]").FillAsync("300");   // log scale: K = 2^(300/100)
        await Expect(page.Locator("[data-testid=k-value]")).ToHaveTextAsync("K = 8");
        await page.Locator("[data-testid=prompt]").FillAsync("The cat sat");
        await page.Locator(".mud-input-control:has(label:text-is('max tokens')) input").FillAsync("6");
        await page.Locator("[data-testid=send]").ClickAsync();

        await Expect(page.Locator("[data-testid=turn-status]").Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=tokens] [data-testid=token]")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=trajectory-chart]")).ToHaveAttributeAsync("data-steps", "8");
        await Expect(page.Locator("[data-testid=trajectory-chart] .scatterlayer .trace").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=step-grid]")).ToHaveAttributeAsync("data-rows", "8");
        Assert.Equal(6, await page.Locator("[data-testid=tokens] [data-testid=token]").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "02-chat-k8.png"), FullPage = true });

        await page.Locator("[data-testid=token]").Nth(1).ClickAsync();
        await Expect(page.Locator("[data-testid=trajectory-title]")).ToContainTextAsync("token #1");
        await page.Locator("[data-testid=step-scrubber]").FillAsync("3");
        await Expect(page.Locator("[data-testid=step-label]")).ToHaveTextAsync("step 3 of 8");
        await page.Locator("[data-testid=step-next]").ClickAsync();
        await Expect(page.Locator("[data-testid=step-label]")).ToHaveTextAsync("step 4 of 8");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "03-token-trajectory.png"), FullPage = true });

        await page.Locator("[data-testid=nav-compare]").ClickAsync();
        await Expect(page.Locator("[data-testid=compare]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=compare-prompt]").FillAsync("Once upon");
        await page.Locator("[data-testid=compare-left] [data-testid=checkpoint-select]").SelectOptionAsync("tiny");
        await page.Locator("[data-testid=compare-right] [data-testid=checkpoint-select]").SelectOptionAsync("tiny2");
        await page.Locator("[data-testid=compare-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=compare-kl]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=compare-left] [data-testid=trajectory-chart]")).Not.ToHaveAttributeAsync("data-steps", "0");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "04-compare.png"), FullPage = true });

        await page.Locator("[data-testid=nav-training]").ClickAsync();
        await Expect(page.Locator("[data-testid=training-chart]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=training-chart] .scatterlayer .trace").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=scaling-chart] .scatterlayer .trace").First).ToBeVisibleAsync();
        await page.Locator("[data-testid=pca-run]").ClickAsync();
        await Expect(page.Locator("#latent-pca-chart .scatterlayer .trace").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "05-training.png"), FullPage = true });
        Assert.Empty(blocked);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Isrm.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }

}
