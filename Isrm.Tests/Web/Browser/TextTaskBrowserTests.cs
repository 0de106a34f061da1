namespace Isrm.Tests.Web.Browser;

/// <summary>
/// The chat on the shipped addition checkpoint (the ISRM itself, trained on text): an instance typed as a person types
/// it is answered wrong at K = 1 and right at the checkpoint's K*, each answer digit marked against the truth computed
/// from the prompt, and the logit-lens grid shows the digits turning right as the steps go (seeded, greedy).
/// </summary>
public sealed class TextTaskBrowserTests : BrowserHost
{
    private string _checkpoint = null!;

    protected override Task<IsrmWebApp> CreateAppAsync()
    {
        string root = Path.Combine(LiveViewFixture.RepositoryRoot(), "checkpoints");
        _checkpoint = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order()
            .FirstOrDefault(name => TaskOf(Path.Combine(root, name)) == "addition")
            ?? throw new Xunit.Sdk.XunitException("no shipped checkpoint's metadata.json names the task addition");
        return Task.FromResult(new IsrmWebApp(root));
    }

    private static string? TaskOf(string directory)
    {
        string metadata = Path.Combine(directory, "metadata.json");
        if (!File.Exists(metadata)) return null;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(metadata));
        return doc.RootElement.TryGetProperty("task", out JsonElement task) ? task.GetString() : null;
    }

    private async Task<(string? Right, string?[] Marks, string? Rows)> Ask(string prompt, int k)
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(new Uri(Base, $"/?checkpoint={_checkpoint}&prompt={Uri.EscapeDataString(prompt)}&k={k}&seed=1&maxTokens=12&temperature=0&run=1").ToString());
        await Chat.DoneAsync(page, timeoutMs: 120_000);
        ILocator truth = page.Locator("[data-testid=truth]");
        await Assertions.Expect(truth).ToHaveAttributeAsync("data-answer", "145278");
        string?[] marks = (await page.Locator("[data-testid=token]").EvaluateAllAsync<string?[]>("els => els.map(e => e.dataset.truth ?? null)")).ToArray();
        await page.WaitForTimeoutAsync(300);   // the grid's last animation frame
        string? rows = await page.Locator("[data-testid=step-grid]").GetAttributeAsync("data-right-by-step");
        if (k > 1) await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(LiveViewFixture.Screenshots, "web-chat-addition.png") });
        string? right = await truth.GetAttributeAsync("data-right");
        await page.CloseAsync();
        return (right, marks, rows);
    }

    [Fact]
    public async Task An_addition_typed_in_the_chat_is_wrong_at_k_1_and_right_when_the_model_thinks_longer()
    {
        Directory.CreateDirectory(LiveViewFixture.Screenshots);
        var once = await Ask("48213+97065=", 1);
        Assert.Equal("false", once.Right);
        Assert.Contains("wrong", once.Marks);

        var longer = await Ask("48213+97065=", 16);
        Assert.Equal("true", longer.Right);
        Assert.All(longer.Marks.Take(6), m => Assert.Equal("right", m));
        // the digits turn right as the steps go: fewer right at step 1 than at the last step
        int[] byStep = longer.Rows!.Split(',').Select(int.Parse).ToArray();
        Assert.True(byStep[0] < byStep[^1], $"right digits per step: {longer.Rows}");
    }

    [Fact]
    public async Task The_puzzles_page_shows_the_addition_checkpoints_accuracy_against_k()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(new Uri(Base, "/puzzles").ToString());
        ILocator curve = page.Locator($"[data-testid=text-task-curve][data-checkpoint={_checkpoint}]");
        await Assertions.Expect(curve).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(curve).ToContainTextAsync("accuracy against K");
        Assert.True(await curve.Locator("polyline").CountAsync() >= 3, "one curve per evaluated size");
    }
}
