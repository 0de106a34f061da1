namespace Isrm.Tests.Web.Browser;

/// <summary>
/// The web app on a real port and Debian's Chromium to drive it, started before and stopped after each test of the
/// deriving class, which prepares what the app serves (<see cref="CreateAppAsync"/>) and what to delete afterwards.
/// </summary>
public abstract class BrowserHost : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    protected IsrmWebApp App { get; private set; } = null!;
    protected IBrowser Chromium { get; private set; } = null!;
    /// <summary>Where the app listens.</summary>
    protected Uri Base { get; private set; } = null!;

    /// <summary>Writes what the app serves and makes the app (not yet started).</summary>
    protected abstract Task<IsrmWebApp> CreateAppAsync();

    /// <summary>Deletes what the test made, after the app has stopped.</summary>
    protected virtual void CleanUp() { }

    public async Task InitializeAsync()
    {
        App = await CreateAppAsync();
        Base = App.Start();
        _playwright = await Playwright.CreateAsync();
        Chromium = await LiveViewFixture.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
        CleanUp();
    }
}
