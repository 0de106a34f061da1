namespace Isrm.Tests.Model.Tasks;

/// <summary>The new options default to the old behaviour: old config.json files parse, new ones round-trip.</summary>
public class TextTaskConfigTests
{
    private static string Shipped(string name)
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !Directory.Exists(Path.Combine(directory, "checkpoints", name))) directory = Path.GetDirectoryName(directory);
        Assert.NotNull(directory);
        return File.ReadAllText(Path.Combine(directory!, "checkpoints", name, "config.json"));
    }

    [Theory]
    [InlineData("isrm-default")]
    [InlineData("transformer-equal-steps")]
    [InlineData("rlm-small")]
    public void An_old_checkpoints_config_parses_with_rope_and_causal_attention(string name)
    {
        string json = Shipped(name);
        Assert.DoesNotContain("positions", json);
        IsrmConfig config = IsrmConfig.FromJson(json);
        Assert.Equal(PositionKind.Rope, config.Positions);
        Assert.Equal(PromptAttentionKind.Causal, config.PromptAttention);
    }

    [Fact]
    public void The_new_options_round_trip_in_kebab_case()
    {
        var config = new IsrmConfig { QueryHeads = 4, KvHeads = 2, Width = 128, Positions = PositionKind.RopeSignificance, PromptAttention = PromptAttentionKind.Bidirectional };
        string json = config.ToJson();
        Assert.Contains("\"positions\": \"rope-significance\"", json);
        Assert.Contains("\"promptAttention\": \"bidirectional\"", json);
        Assert.Equal(config, IsrmConfig.FromJson(json));
    }

    [Fact]
    public void Significance_positions_need_even_head_counts_and_an_attention_family()
    {
        var odd = new IsrmConfig { QueryHeads = 6, KvHeads = 3, Width = 192, Positions = PositionKind.RopeSignificance };
        Assert.Contains("even number", Assert.Throws<ArgumentException>(odd.Validate).Message);
        var recurrent = new IsrmConfig { Family = ModelFamily.Rlm, PromptAttention = PromptAttentionKind.Bidirectional };
        Assert.Throws<ArgumentException>(recurrent.Validate);
        var typo = new IsrmConfig().ToJson().Replace("\"rope\"", "\"rope-sig\"");
        Assert.Throws<ArgumentException>(() => IsrmConfig.FromJson(typo));
    }
}
