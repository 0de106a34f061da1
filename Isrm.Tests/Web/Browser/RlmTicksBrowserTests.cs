namespace Isrm.Tests.Web.Browser;

/// <summary>
/// The PCA view of the Training page on the shipped ticked RLM (<c>reports/rlm/ticks/rlm-ticks4</c>, issue 14.7): a
/// token's path has one point per tick, as for ISRM's refinement steps. The screenshot is reports/rlm/ticks/pca-ticks.png.
/// </summary>
public sealed class RlmTicksBrowserTests : BrowserHost
{
    private readonly TempCheckpointsRoot _folder = new();

    protected override Task<IsrmWebApp> CreateAppAsync()
    {
        string shipped = Path.Combine(LiveViewFixture.RepositoryRoot(), "reports", "rlm", "ticks", "rlm-ticks4");
        string copy = Directory.CreateDirectory(Path.Combine(_folder.Root, "rlm-ticks4")).FullName;
        foreach (string file in Directory.GetFiles(shipped)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return Task.FromResult(new IsrmWebApp(_folder.Root));
    }

    protected override void CleanUp()
    {
        _folder.Dispose();
    }

    [Fact]
    public async Task The_pca_view_of_a_ticked_rlm_draws_one_point_per_tick()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(LiveViewFixture.Screenshots);
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(new Uri(Base, "/training").ToString());
        await page.Locator("[data-testid=pca-checkpoint]").SelectOptionAsync("rlm-ticks4");
        ILocator k = page.Locator("[data-testid=latent-pca]").Locator("xpath=..").Locator(".mud-input-control:has(label:text-is('K')) input");
        await k.FillAsync("12");
        await k.PressAsync("Tab");
        await page.Locator("[data-testid=pca-run]").ClickAsync();
        ILocator chart = page.Locator("#latent-pca-chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("aria-label", "Path of the latent state over 12 steps in the plane of its first two principal components.",
            new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#latent-pca-chart .scatterlayer .trace").First).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(300);   // the last animation frame of the chart
        // copied to reports/rlm/ticks/pca-ticks.png for reports/rlm.md
        await page.Locator("[data-testid=latent-pca]").Locator("xpath=..").ScreenshotAsync(new() { Path = Path.Combine(LiveViewFixture.Screenshots, "rlm-ticks-pca.png") });
    }
}
