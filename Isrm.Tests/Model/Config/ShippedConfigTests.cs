namespace Isrm.Tests.Model.Config;

/// <summary>The options that became enums still read and write the strings the shipped checkpoints hold.</summary>
public sealed class ShippedConfigTests
{
    public static TheoryData<string> Shipped => new(Directory.GetDirectories(Path.Combine(Repository.Root, "checkpoints"))
        .Where(d => File.Exists(Path.Combine(d, "config.json")) && !Isrm.Model.Reasoning.PuzzleCheckpoint.IsPuzzle(d))
        .Select(Path.GetFileName).OfType<string>());   // puzzle networks have their own config (PuzzleCheckpoint tests)

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_config_loads_and_writes_back_each_of_its_options_unchanged(string name)
    {
        string folder = Path.Combine(Repository.Root, "checkpoints", name);
        string json = File.ReadAllText(Path.Combine(folder, "config.json"));

        IsrmConfig config = IsrmConfig.FromJson(json);

        // every option the file holds comes back with the same value (newer builds add computed flags)
        Assert.Empty(Normalize(json).Except(Normalize(config.ToJson())));
        Assert.Equal(name, Checkpoint.Inspect(folder).Name);
    }

    /// <summary>The shipped text checkpoints that keep their training state (the task checkpoints ship weights only).</summary>
    public static TheoryData<string> ShippedRuns => new(Directory.GetDirectories(Path.Combine(Repository.Root, "checkpoints"))
        .Where(d => File.Exists(Path.Combine(d, "trainer.json"))).Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(ShippedRuns))]
    public void Every_shipped_trainer_state_keeps_its_k_distribution(string name)
    {
        string path = Path.Combine(Repository.Root, "checkpoints", name, "trainer.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement saved = doc.RootElement.GetProperty("options");

        TrainingOptions options = TrainingOptions.FromJson(saved.GetRawText());

        Assert.Equal(saved.GetProperty("kDistribution").GetString(), options.KDistribution.Kebab());
    }

    [Fact]
    public void Enum_options_are_written_in_kebab_case()
    {
        string json = new IsrmConfig { Family = ModelFamily.GatedRlt, InputInjection = InjectionKind.ConcatProject }.ToJson();

        Assert.Contains("\"family\": \"gated-rlt\"", json);
        Assert.Contains("\"inputInjection\": \"concat-project\"", json);
        Assert.Equal("isrm, transformer, rlm, rlt or gated-rlt", EnumNames.Choices<ModelFamily>());
    }

    /// <summary>Each option and its value, in name order (the order of keys in a JSON object carries no meaning).</summary>
    private static IEnumerable<string> Normalize(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Order(StringComparer.Ordinal);
}
