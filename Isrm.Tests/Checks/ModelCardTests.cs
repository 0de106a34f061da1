namespace Isrm.Tests.Checks;

/// <summary>Every shipped checkpoint has a model card that agrees with its metadata and the reports; info and --version show it.</summary>
public sealed partial class ModelCardTests
{
    public static TheoryData<string> ShippedCheckpoints()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(Repository.Combine("checkpoints")).Order())
            if (!CheckpointFolder.IsPuzzle(dir)) data.Add(Path.GetFileName(dir));
        return data;
    }

    public static TheoryData<string> ShippedPuzzleCheckpoints()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(Repository.Combine("checkpoints")).Order())
            if (CheckpointFolder.IsPuzzle(dir)) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedPuzzleCheckpoints))]
    public void A_puzzle_checkpoints_card_names_its_recorded_command_and_parameter_count(string name)
    {
        string dir = Repository.Combine("checkpoints", name);
        string card = File.ReadAllText(Path.Combine(dir, "README.md"));
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, Checkpoint.MetadataFile)));
        string command = metadata.RootElement.GetProperty("command").GetString()!;
        long parameters = metadata.RootElement.GetProperty("parameterCount").GetInt64();
        // the card wraps the command over lines with a trailing backslash
        string flat = Regex.Replace(card, @"\\\s*\n\s*", "");
        foreach (string part in command.Split(" ; "))   // a resumed run records each of its commands
            Assert.Contains(part.Trim(), flat);
        Assert.Contains(parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), card);
        Assert.Contains("isrm solve", card);

        // Its front matter makes `isrm info` show the card, with figures from its own results file.
        ModelCard facts = ModelCard.Read(dir) ?? throw new Xunit.Sdk.XunitException($"{name} has no model card with front matter");
        foreach (string key in ModelCard.KeyFacts) Assert.False(string.IsNullOrWhiteSpace(facts[key]), $"{name}: {key}");
        Assert.Equal(command, facts["training_command"]);
        Assert.Equal(parameters.ToString(System.Globalization.CultureInfo.InvariantCulture), facts["parameters"]);
        AssertFiguresFromOwnJson(name, facts);
    }

    [Theory]
    [MemberData(nameof(ShippedCheckpoints))]
    public void The_card_names_the_recorded_command_and_parameters_and_only_figures_its_own_results_json_holds(string name)
    {
        string dir = Repository.Combine("checkpoints", name);
        ModelCard card = ModelCard.Read(dir) ?? throw new Xunit.Sdk.XunitException($"{name} has no model card with front matter");
        CheckpointInfo info = Checkpoint.Inspect(dir);
        foreach (string key in ModelCard.KeyFacts) Assert.False(string.IsNullOrWhiteSpace(card[key]), $"{name}: {key}");
        Assert.Equal(name, card["model"]);
        Assert.Equal(info.Family, card["family"]);
        Assert.Equal(info.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), card["parameters"]);
        Assert.Equal(info.Metadata.Command, card["training_command"]);
        Assert.StartsWith("isrm ", card["result_command"]);

        AssertFiguresFromOwnJson(name, card);
    }

    /// <summary>
    /// Every measured figure of the card comes from the JSON its own result command writes (not any report's text):
    /// a figure with d decimals equals some number of those files rounded to d decimals.
    /// </summary>
    private static void AssertFiguresFromOwnJson(string name, ModelCard card)
    {
        string[] files = JsonFile().Matches(card["result_command"]!).Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.True(files.Length > 0, $"{name}: the result command names no --json file");
        var numbers = new List<double>();
        foreach (string file in files)
        {
            string path = Repository.Combine(file.Split('/'));
            Assert.True(File.Exists(path), $"{name}: {file} does not exist");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            Collect(doc.RootElement, numbers);
        }
        foreach (Match figure in Figure().Matches(card["result"]!))
        {
            int decimals = figure.Value.Length - figure.Value.IndexOf('.') - 1;
            double value = double.Parse(figure.Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(numbers.Any(n => Math.Abs(Math.Round(n, decimals) - value) < 1e-9),
                $"{name}: {figure.Value} is in none of {string.Join(", ", files)}");
        }
    }

    private static void Collect(JsonElement element, List<double> numbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number: numbers.Add(element.GetDouble()); break;
            case JsonValueKind.Array: foreach (JsonElement e in element.EnumerateArray()) Collect(e, numbers); break;
            case JsonValueKind.Object: foreach (JsonProperty p in element.EnumerateObject()) Collect(p.Value, numbers); break;
        }
    }

    [GeneratedRegex(@"--json (\S+\.json)")]
    private static partial Regex JsonFile();

    [Fact]
    public void Info_prints_the_cards_key_facts()
    {
        var (code, output, errors) = IsrmProcess.Run("info", "--checkpoint", Repository.Combine("checkpoints", "isrm-default"));
        Assert.True(code == 0, errors);
        Assert.Contains("model card (README.md)", output);
        Assert.Contains("1.5251 nats/byte at K = 8", output);
        Assert.Contains("--k-mean 8", output);

        var (jsonCode, json, _) = IsrmProcess.Run("info", "--checkpoint", Repository.Combine("checkpoints", "rlm-small"), "--json");
        Assert.Equal(0, jsonCode);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("197632", doc.RootElement.GetProperty("modelCard").GetProperty("parameters").GetString());
    }

    [Fact]
    public void Version_prints_our_version_torchsharps_and_dotnets()
    {
        var (code, output, _) = IsrmProcess.Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^isrm \d+\.\d+\.\d+\S* \(TorchSharp 0\.107\.0, \.NET 10\.\d+\.\d+\)\s*$", output);
    }

    [GeneratedRegex(@"\d+\.\d{2,}")]
    private static partial Regex Figure();
}
