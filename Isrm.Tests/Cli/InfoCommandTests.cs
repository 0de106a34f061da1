namespace Isrm.Tests.Cli;

/// <summary><c>isrm info</c> shows a checkpoint's parameter count, configuration and training metadata.</summary>
public class InfoCommandTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    private long ParameterCount()
    {
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(tiny.Directory, "metadata.json")));
        return metadata.RootElement.GetProperty("parameterCount").GetInt64();
    }

    [Fact]
    public void Prints_the_parameter_count_config_and_training_metadata()
    {
        var (code, stdout, stderr) = RunIsrm("info", "--checkpoint", tiny.Directory);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, code);
        Assert.Contains($"{ParameterCount():N0} parameters", stdout);
        Assert.Contains("width", stdout);
        Assert.Contains("48", stdout);
        Assert.Contains("3,456", stdout);   // tokens seen
    }

    [Fact]
    public void Json_gives_the_config_and_metadata_as_one_object()
    {
        var (code, stdout, _) = RunIsrm("info", "--checkpoint", tiny.Directory, "--json");

        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(ParameterCount(), json.RootElement.GetProperty("parameterCount").GetInt64());
        Assert.Equal(48, json.RootElement.GetProperty("config").GetProperty("width").GetInt32());
        Assert.Equal(12, json.RootElement.GetProperty("metadata").GetProperty("step").GetInt64());
        // every checkpoint says its kind, task and network the same way (a puzzle's: OverwriteTests)
        Assert.Equal("text", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal("language-model", json.RootElement.GetProperty("task").GetString());
        Assert.Equal("isrm", json.RootElement.GetProperty("network").GetString());
    }
}
