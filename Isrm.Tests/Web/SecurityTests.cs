namespace Isrm.Tests.Web;

/// <summary>Security basics: headers on every response, no directory listing, antiforgery, HTTPS outside Development.</summary>
public sealed class SecurityTests : IAsyncLifetime
{
    private readonly TempCheckpointsRoot _folder = new TempCheckpointsRoot().WithFake("tiny");
    private IsrmWebApp _app = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _app = new IsrmWebApp(_folder.Root, new FakeGenerationBackend());
        _http = new HttpClient { BaseAddress = _app.Start() };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/js/isrm.js")]
    [InlineData("/no-such-page")]
    public async Task Every_response_says_nosniff(string path) =>
        Assert.Equal("nosniff", Header(await _http.GetAsync(path), "X-Content-Type-Options"));

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/js/isrm.js")]
    public async Task Every_response_forbids_framing(string path)
    {
        HttpResponseMessage response = await _http.GetAsync(path);

        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
    }

    [Fact]
    public async Task The_referrer_is_not_sent_to_other_sites_in_full() =>
        Assert.Equal("strict-origin-when-cross-origin", Header(await _http.GetAsync("/"), "Referrer-Policy"));

    [Fact]
    public async Task The_content_security_policy_admits_only_own_scripts_and_the_import_map_by_its_nonce()
    {
        HttpResponseMessage response = await _http.GetAsync("/");
        string csp = Header(response, "Content-Security-Policy");
        string html = await response.Content.ReadAsStringAsync();

        string nonce = Regex.Match(csp, @"script-src 'self' 'nonce-([0-9a-f]{32})';").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotMatch(@"script-src[^;]*'unsafe-inline'", csp);
        // Every inline script on the page carries this response's nonce; the others are files from this site.
        foreach (Match script in Regex.Matches(html, @"<script\b([^>]*)>"))
        {
            string attributes = script.Groups[1].Value;
            if (attributes.Contains("src=", StringComparison.Ordinal)) Assert.DoesNotContain("://", attributes);
            else Assert.Contains($"nonce=\"{nonce}\"", attributes);
        }
        Assert.Contains("type=\"importmap\"", html);
        Assert.NotEqual(nonce, Regex.Match(Header(await _http.GetAsync("/"), "Content-Security-Policy"), "nonce-([^']+)'").Groups[1].Value);
    }

    [Theory]
    [InlineData("/js/")]
    [InlineData("/_content/")]
    [InlineData("/_content/MudBlazor/")]
    [InlineData("/_framework/")]
    public async Task Folders_are_not_listed(string path)
    {
        HttpResponseMessage response = await _http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();

        // The app's own not-found page, not a listing of the folder's files.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Sorry, the content you are looking for does not exist.", body);
        Assert.DoesNotContain("Index of", body);
        Assert.DoesNotContain("MudBlazor.min.css<", body);
        Assert.DoesNotContain(">isrm.js<", body);
    }

    [Fact]
    public async Task A_form_post_without_an_antiforgery_token_is_rejected()
    {
        HttpResponseMessage response = await _http.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "x" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_health_endpoint_answers_ok()
    {
        HttpResponseMessage response = await _http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Outside_development_http_redirects_to_https_when_an_https_port_is_configured()
    {
        await using var app = new IsrmWebApp(_folder.Root, new FakeGenerationBackend(), environment: "Production",
            settings: new Dictionary<string, string> { ["https_port"] = "8443" });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Start() };

        HttpResponseMessage response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location!.Scheme);
        Assert.Equal(8443, response.Headers.Location.Port);
    }

    [Fact]
    public async Task Outside_development_plain_http_keeps_serving_when_no_https_address_is_configured()
    {
        await using var app = new IsrmWebApp(_folder.Root, new FakeGenerationBackend(), environment: "Production");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Start() };

        HttpResponseMessage response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is sent over HTTPS only");
    }

    [Fact]
    public void The_http_launch_profile_has_no_https_address_so_dotnet_run_is_not_redirected()
    {
        using JsonDocument launch = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "Isrm.Web", "Properties", "launchSettings.json")));
        JsonElement http = launch.RootElement.GetProperty("profiles").GetProperty("http");

        Assert.DoesNotContain("https://", http.GetProperty("applicationUrl").GetString());
        Assert.Equal("Development", http.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString());
    }

    [Fact]
    public void The_docker_image_runs_as_the_non_root_app_user()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile"));
        string[] runtimeStage = lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet", StringComparison.Ordinal)).ToArray();

        string user = runtimeStage.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Equal("USER $APP_UID", user);
        Assert.True(Array.IndexOf(runtimeStage, user) < Array.FindIndex(runtimeStage, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values)
        : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header.");
}
