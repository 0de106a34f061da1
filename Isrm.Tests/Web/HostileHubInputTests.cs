namespace Isrm.Tests.Web;

/// <summary>
/// Hostile requests at the hub: each is refused with one sentence, nothing outside the checkpoints folder is read and
/// the server keeps serving the same connection.
/// </summary>
public sealed class HostileHubInputTests(ITestOutputHelper output) : HubHost(new TempCheckpointsRoot().WithFake("tiny").WithFake("tiny2"))
{
    private readonly TempCheckpointsRoot _outside = new TempCheckpointsRoot().WithFake("secret");
    private readonly FakeGenerationBackend _backend = new();

    protected override IsrmWebApp CreateApp()
    {
        // A symbolic link inside the checkpoints folder to a valid checkpoint outside it.
        Directory.CreateSymbolicLink(Path.Combine(Folder.Root, "escape"), Path.Combine(_outside.Root, "secret"));
        return new IsrmWebApp(Folder.Root, _backend, settings: new Dictionary<string, string> { ["Isrm:Hub:RequestsPerMinute"] = "0" });
    }

    protected override void CleanUp() => _outside.Dispose();

    [Fact]
    public async Task A_thousand_random_bad_requests_each_get_one_sentence_and_a_good_one_still_succeeds()
    {
        var random = new Random(20261123);
        var seen = new Dictionary<string, int>();
        for (int i = 0; i < 1000; i++)
        {
            (string kind, RefinementRequest request, string expected) = BadRequest(random);
            seen[kind] = seen.GetValueOrDefault(kind) + 1;
            string message = await Hub.ErrorOfAsync(request);
            Assert.True(message.Contains(expected, StringComparison.Ordinal), $"request {i} ({kind}): '{message}' lacks '{expected}'");
            AssertOneSentence(message);
        }
        output.WriteLine(string.Join(", ", seen.OrderBy(e => e.Key).Select(e => $"{e.Key} {e.Value}")));

        Assert.Equal(BadKinds, seen.Count);
        Assert.Equal(0, _backend.Loads);
        Assert.Equal(HubConnectionState.Connected, Hub.State);
        var frames = await Hub.CollectAsync(new RefinementRequest { Prompt = "hi", K = 2, MaxTokens = 3 });
        Assert.Equal("done", frames[^1].GetProperty("kind").GetString());
        Assert.Equal(3, frames[^1].GetProperty("tokens").GetInt32());
    }

    [Theory]
    [InlineData("escape", "symbolic link to a folder outside the checkpoints folder")]
    [InlineData("../tiny", "is not a checkpoint name")]
    [InlineData("/etc", "is not a checkpoint name")]
    [InlineData("/etc/passwd", "is not a checkpoint name")]
    [InlineData("..\\tiny", "is not a checkpoint name")]
    [InlineData("tiny/../../x", "is not a checkpoint name")]
    [InlineData("..", "is not a checkpoint name")]
    [InlineData("~", "Unknown checkpoint '~'")]
    public async Task Checkpoint_names_and_links_pointing_outside_are_refused_without_reading_them(string name, string expected)
    {
        string message = await Hub.ErrorOfAsync(new RefinementRequest { Prompt = "hi", Checkpoint = name });

        Assert.Contains(expected, message);
        AssertOneSentence(message);
        Assert.Equal(0, _backend.Loads);
    }

    [Fact]
    public async Task A_link_pointing_outside_is_listed_as_unusable_and_not_inspected()
    {
        var list = await Hub.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");

        CheckpointListing escape = list.Single(c => c.Name == "escape");
        Assert.False(escape.Usable);
        Assert.Contains("symbolic link", escape.Error);
        Assert.Equal(0, escape.ParameterCount);
    }

    [Fact]
    public async Task A_one_megabyte_prompt_is_refused_as_too_long()
    {
        string message = await Hub.ErrorOfAsync(new RefinementRequest { Prompt = new string('a', 1 << 20) });

        Assert.Equal("The prompt is too long: 1048576 bytes of UTF-8 (up to one token each) against a limit of 4096 tokens; shorten it.", message);
    }

    [Theory]
    [InlineData("ab\u0000c", "character 2 is the control character U+0000")]
    [InlineData("\u001b[31mred", "character 0 is the control character U+001B")]
    [InlineData("del\u007f", "character 3 is the control character U+007F")]
    [InlineData("c1\u0085", "character 2 is the control character U+0085")]
    public async Task Control_characters_are_refused_but_tabs_and_newlines_pass(string prompt, string expected)
    {
        string message = await Hub.ErrorOfAsync(new RefinementRequest { Prompt = prompt });

        Assert.Contains(expected, message);
        var frames = await Hub.CollectAsync(new RefinementRequest { Prompt = "a\tb\r\nc", MaxTokens = 1, K = 1 });
        Assert.Equal("done", frames[^1].GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("\"ab\\ud800c\"", "character 2 is an unpaired surrogate U+D800")]
    [InlineData("\"\\udc00\"", "character 0 is an unpaired surrogate U+DC00")]
    [InlineData("\"ok \\ud83d\\ude00 then \\ud83d\"", "character 11 is an unpaired surrogate U+D83D")]
    public async Task Unpaired_surrogate_escapes_on_the_wire_are_refused_as_invalid_text(string jsonPrompt, string expected)
    {
        await using RawHubSocket raw = await RawHubSocket.ConnectAsync(BaseAddress);

        string message = await raw.GenerateErrorAsync("{\"prompt\":" + jsonPrompt + "}");

        Assert.Contains("not valid Unicode text", message);
        Assert.Contains(expected, message);
        Assert.Contains("\"type\":3", await raw.InvokeRawAsync("{\"prompt\":\"hi\",\"maxTokens\":1}"));
    }

    [Fact]
    public async Task Invalid_utf8_bytes_on_the_wire_are_refused_as_invalid_text_and_the_connection_stays()
    {
        await using RawHubSocket raw = await RawHubSocket.ConnectAsync(BaseAddress);
        byte[] prompt = [(byte)'a', 0xC3, (byte)'(', 0xFF, (byte)'b'];   // a truncated sequence and a byte that never occurs

        string message = await raw.GenerateErrorAsync(prompt);

        Assert.Contains("not valid Unicode text", message);
        Assert.Contains("character 1 is an unpaired surrogate U+DCC3", message);   // each bad byte b is reported as U+DC00 + b
        string done = await raw.InvokeRawAsync("{\"prompt\":\"hi\",\"maxTokens\":1}");
        Assert.Contains("\"kind\":\"done\"", done);
    }

    private const int BadKinds = 16;

    /// <summary>One random bad request of one of <see cref="BadKinds"/> kinds, and a fragment its error must contain.</summary>
    private (string Kind, RefinementRequest Request, string Expected) BadRequest(Random random)
    {
        int kind = random.Next(BadKinds);
        var request = new RefinementRequest { Prompt = RandomText(random, random.Next(1, 40)), MaxTokens = 1, K = 1 };
        switch (kind)
        {
            case 0:
                request.Prompt = "";
                return ("empty prompt", request, "The prompt is empty");
            case 1:
                request.Prompt = new string(Enumerable.Range(0, random.Next(1, 20)).Select(_ => " \t\r\n"[random.Next(4)]).ToArray());
                return ("blank prompt", request, "The prompt is empty");
            case 2:
                request.Prompt = random.Next(2) == 0 ? new string('x', (1 << 20) + random.Next(100)) : string.Concat(Enumerable.Repeat("é", 3000));
                return ("long prompt", request, "The prompt is too long");
            case 3:
                char[] controls = [.. Enumerable.Range(0, 32).Where(c => c is not (9 or 10 or 13)).Select(c => (char)c), '\u007f', .. Enumerable.Range(0x80, 32).Select(c => (char)c)];
                int at = random.Next(request.Prompt.Length + 1);
                request.Prompt = request.Prompt.Insert(at, controls[random.Next(controls.Length)].ToString());
                return ("control character", request, "control character");
            case 4:
                request.K = -random.Next(0, int.MaxValue);
                return ("K <= 0", request, "k must be an integer from 1 to 256");
            case 5:
                request.K = random.Next(2) == 0 ? random.Next(257, int.MaxValue) : RefinementDepth.NotADepth("1" + new string('9', random.Next(10, 40)));
                return ("K huge", request, "k must be an integer from 1 to 256");
            case 6:
                request.K = RefinementDepth.NotADepth(RandomText(random, random.Next(0, 10)) + "x");
                return ("K not a number", request, "k must be an integer from 1 to 256");
            case 7:
                request.Temperature = new double?[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, null, -random.NextDouble() - 1e-9 }[random.Next(5)];
                return ("temperature", request, "temperature must be a finite number");
            case 8:
                request.TopP = new double?[] { 0, -random.NextDouble(), 1 + 1e-9 + random.NextDouble() * 10, double.NaN, null }[random.Next(5)];
                return ("top-p", request, "topP must be in (0, 1]");
            case 9:
                request.MaxTokens = random.Next(2) == 0 ? -random.Next(0, int.MaxValue) : random.Next(513, int.MaxValue);
                return ("max tokens", request, "maxTokens must be from 1 to 512");
            case 10:
                request.Checkpoint = "ck-" + random.Next(1_000_000);
                return ("unknown checkpoint", request, "Unknown checkpoint 'ck-");
            case 11:
                request.Checkpoint = new[] { "../tiny", "..", "tiny/../../etc", "..\\..\\x", "../../../../etc/passwd", "a/b", "./tiny" }[random.Next(7)];
                return ("relative path", request, "is not a checkpoint name");
            case 12:
                request.Checkpoint = new[] { "/etc", "/etc/passwd", "/", Path.Combine(Folder.Root, "tiny"), Path.Combine(_outside.Root, "secret") }[random.Next(5)];
                return ("absolute path", request, "is not a checkpoint name");
            case 13:
                request.Checkpoint = "escape";
                return ("link outside", request, "symbolic link to a folder outside");
            case 14:
                request.TopK = -random.Next(1, int.MaxValue);
                return ("top-k", request, "topK must be ≥ 0");
            default:
                request.Seed = -random.NextInt64(1, long.MaxValue);
                return ("seed", request, "seed must be ≥ 0");
        }
    }

    private static string RandomText(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => "abcdefghij klmnopqrstuvwxyzÄ€0123456789"[random.Next(39)]).ToArray());

    /// <summary>What the user is shown: one line, ending with a full stop, without SignalR's prefix or an exception name.</summary>
    private static void AssertOneSentence(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.EndsWith(".", message);
        Assert.DoesNotContain("Exception", message);
        Assert.True(message.Length < 300, message);
    }
}
