using Isrm.Web.Client;
using Isrm.Web.Components;
using Isrm.Web.Hubs;
using Isrm.Web.Models;
using Isrm.Web.Puzzles;
using Isrm.Web.Security;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddIsrmCheckpoints(builder.Configuration);
builder.Services.AddIsrmModelService();
builder.Services.AddIsrmPages();
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

app.Run();

/// <summary>Entry point marker for WebApplicationFactory in tests.</summary>
public partial class Program;
