namespace Isrm.Tests.Model.Config;

/// <summary>IsrmConfig holds every option and round-trips through JSON.</summary>
public class ConfigTests
{
    [Fact]
    public void Json_round_trip_keeps_every_option()
    {
        var config = new IsrmConfig
        {
            Family = ModelFamily.Isrm, Width = 96, Layers = 3, QueryHeads = 6, KvHeads = 2, LatentIterations = 2,
            StepEmbedding = StepEmbeddingKind.Stateless, AlphaSchedule = AlphaScheduleKind.Harmonic, AlphaC = 0.5f, InputInjection = InjectionKind.ConcatProject,
            StateNorm = true, InitialState = InitialStateKind.Random, Solver = SolverKind.Anderson, HaltingHead = false,
        };
        Assert.Equal(config, IsrmConfig.FromJson(config.ToJson()));
    }

    [Fact]
    public void The_defaults_follow_the_whitepaper_attention_shape()
    {
        var config = new IsrmConfig();
        Assert.Equal((6, 2), (config.QueryHeads, config.KvHeads));
        Assert.Equal(AlphaScheduleKind.Whitepaper, config.AlphaSchedule);
    }

    [Fact]
    public void An_unknown_option_is_refused()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => IsrmConfig.FromJson("{\"widht\": 64}"));
    }

    [Theory]
    [InlineData("{\"stepEmbedding\": \"learned\"}", "stepEmbedding")]
    [InlineData("{\"queryHeads\": 5, \"kvHeads\": 2}", "queryHeads")]
    [InlineData("{\"alphaSchedule\": \"cosine\"}", "alphaSchedule")]
    public void An_invalid_value_is_named_in_one_sentence(string json, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => IsrmConfig.FromJson(json));
        Assert.Contains(option, error.Message);
    }
}
