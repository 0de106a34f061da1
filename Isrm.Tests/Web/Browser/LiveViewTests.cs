namespace Isrm.Tests.Web.Browser;

/// <summary>
/// A class of live-view browser tests: in the <see cref="LiveViewCollection"/> (xunit reads the attribute from this
/// base), so they share one app and one Chromium and run one after another.
/// </summary>
[Collection(LiveViewCollection.Name)]
public abstract class LiveViewTests(LiveViewFixture app, ITestOutputHelper output)
{
    /// <summary>The shared app, its timed model side and the browser.</summary>
    protected LiveViewFixture App { get; } = app;

    protected ITestOutputHelper Output { get; } = output;
}
