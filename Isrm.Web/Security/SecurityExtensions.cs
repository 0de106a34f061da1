using System.Security.Cryptography;

namespace Isrm.Web.Security;

/// <summary>HTTPS, HSTS and the security headers every response carries.</summary>
public static class SecurityExtensions
{
    private const string NonceKey = "isrm-csp-nonce";

    /// <summary>
    /// Outside Development: HSTS, and a redirect to HTTPS when an https address is configured (a plain-http deployment
    /// such as the Docker image keeps working). Always: nosniff, no framing, no cross-site referrer, and a
    /// Content-Security-Policy that admits only this site's scripts plus the one inline import map (by nonce).
    /// </summary>
    public static WebApplication UseIsrmSecurity(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            if (HttpsConfigured(app.Configuration)) app.UseHttpsRedirection();
        }
        app.Use((context, next) =>
        {
            if (context.Items.TryAdd(NonceKey, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))))
                context.Response.OnStarting(() => AddHeaders(context));
            return next(context);
        });
        return app;
    }

    /// <summary>This request's CSP nonce, for the inline <c>&lt;script type="importmap"&gt;</c> Blazor renders.</summary>
    public static string? CspNonce(HttpContext? context) =>
        context?.Items.TryGetValue(NonceKey, out object? nonce) == true ? nonce as string : null;

    /// <summary>The Content-Security-Policy for a response whose inline scripts carry <paramref name="nonce"/>.</summary>
    public static string ContentSecurityPolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        // MudBlazor and Plotly set style attributes and inject <style> elements
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        // 'self' covers the same-origin WebSocket of Blazor's circuit and of the refinement hub
        "connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static Task AddHeaders(HttpContext context)
    {
        IHeaderDictionary headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.ContentSecurityPolicy = ContentSecurityPolicy(CspNonce(context)!);
        return Task.CompletedTask;
    }

    /// <summary>True when the app listens on, or is told of, an https address (urls, https_port(s), Kestrel endpoints).</summary>
    public static bool HttpsConfigured(IConfiguration configuration) =>
        (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(configuration["https_port"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Any(e => (e["Url"] ?? "").StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}
