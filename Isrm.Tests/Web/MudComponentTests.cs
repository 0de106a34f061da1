using Bunit;
using MudBlazor.Services;

namespace Isrm.Tests.Web;

/// <summary>
/// The bUnit context the component tests share: MudBlazor's services, and loose JS interop because MudBlazor calls
/// into JavaScript that a test without a browser does not answer.
/// </summary>
public abstract class MudComponentTests : IAsyncLifetime
{
    private readonly BunitContext _bunit = new();

    protected MudComponentTests()
    {
        _bunit.Services.AddMudServices();
        _bunit.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that only implement IAsyncDisposable.
    public async Task DisposeAsync() => await _bunit.DisposeAsync();

    protected IRenderedComponent<T> Render<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        parameters is null ? _bunit.Render<T>() : _bunit.Render(parameters);
}
