using Isrm.Web.Components;
using Isrm.Web.Security;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddIsrmOptions(builder.Configuration);
builder.Services.AddIsrmRefinement();
builder.Services.AddIsrmHub();
builder.Services.AddIsrmPuzzles(builder.Configuration);

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseIsrmSecurity();
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapIsrmHubs();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

try
{
    app.Services.GetRequiredService<IStartupValidator>().Validate();   // before the host logs it with a stack trace
    app.Run();
}
catch (OptionsValidationException e)
{
    // A setting in appsettings.json or the environment is out of range: say which, without a stack trace.
    Console.Error.WriteLine(string.Join(" ", e.Failures));
    return 1;
}
return 0;

/// <summary>Entry point marker for WebApplicationFactory in tests.</summary>
public partial class Program;
