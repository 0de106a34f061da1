namespace Isrm.Tests.Web.Browser;

/// <summary>
/// One web app on real tiny checkpoints ("tiny", "tiny2" and a one-pass "tiny-transformer", context 128), the model
/// side timed by <see cref="TimingBackend"/>, and one headless Debian Chromium, shared by the live-view browser tests.
/// </summary>
public sealed class LiveViewFixture : IAsyncLifetime
{
    public static readonly string Screenshots = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    private readonly TempCheckpointsRoot _folder = TinyCheckpoints.Folder();
    private IPlaywright _playwright = null!;

    public TimingBackend Timing { get; } = new(new CheckpointBackend(Microsoft.Extensions.Options.Options.Create(new ModelServiceOptions())));
    public IsrmWebApp App { get; private set; } = null!;
    public Uri Base { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(30_000); // a shared 2-core machine: first render and model loading can be slow
        Directory.CreateDirectory(Screenshots);
        using (var model = TinyModels.Create(TinyModels.Config() with { Family = Isrm.Model.Config.ModelFamily.Transformer, MaxContext = 128 }, seed: 5))
            Checkpoint.Save(Path.Combine(_folder.Root, "tiny-transformer"), model, new ByteTokenizer(), new CheckpointMetadata
            {
                Command = "web test fixture", Corpus = "none (random init)", Step = 0, TokensSeen = 0,
            });
        App = new IsrmWebApp(_folder.Root, backend: Timing);
        Base = App.Start();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright);
    }

    /// <summary>The provisioned Chromium (installed by the test run if missing), headless, with nothing that reaches the network.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = HostTools.Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    });

    /// <summary>A fresh page at <paramref name="path"/>, with every Content-Security-Policy report collected.</summary>
    public async Task<(IPage Page, List<string> Blocked)> OpenAsync(string path, int width = 1400, int height = 1000)
    {
        IPage page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var blocked = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) blocked.Add(message.Text); };
        await page.GotoAsync(new Uri(Base, path).ToString());
        return (page, blocked);
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name), FullPage = true });

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
        _folder.Dispose();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Isrm.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}

/// <summary>The browser tests that share one app and one Chromium (run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class LiveViewCollection : ICollectionFixture<LiveViewFixture>
{
    public const string Name = "live view in Chromium";
}
