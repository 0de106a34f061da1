namespace Isrm.Tests.Web;

/// <summary>
/// The web app on a real port over a checkpoints root, with one connected SignalR client, started before and stopped
/// after each test of the deriving class (which says what the root holds and how the app is made).
/// </summary>
public abstract class HubHost(TempCheckpointsRoot folder) : IAsyncLifetime
{
    protected TempCheckpointsRoot Folder { get; } = folder;
    protected IsrmWebApp App { get; private set; } = null!;
    protected HubConnection Hub { get; private set; } = null!;
    /// <summary>Where the app listens (for more clients).</summary>
    protected Uri BaseAddress { get; private set; } = null!;

    /// <summary>The app over <see cref="Folder"/>; a derived class may give it a backend or settings.</summary>
    protected virtual IsrmWebApp CreateApp() => new(Folder.Root);

    /// <summary>Deletes what the deriving class made besides <see cref="Folder"/>, after the app has stopped.</summary>
    protected virtual void CleanUp() { }

    public async Task InitializeAsync()
    {
        App = CreateApp();
        BaseAddress = App.Start();
        Hub = await App.ConnectAsync(BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        await App.DisposeAsync();
        Folder.Dispose();
        CleanUp();
    }
}
