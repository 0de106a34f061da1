using Isrm.Model.Recurrent;

namespace Isrm.Tests.Model.Recurrent;

/// <summary>The families behind <see cref="IFamilyCore"/>: same state-dict names, same outputs as before the interface.</summary>
public class FamilyInterfaceTests(ITestOutputHelper output)
{
    [Fact]
    public void The_shipped_rlm_checkpoint_gives_the_probabilities_it_gave_before_the_interface()
    {
        // Reference written by main's CLI before the change (the command is in the file).
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Repository.Combine("Isrm.Tests", "Model", "Recurrent", "rlm-small-reference.json")));
        using LoadedCheckpoint checkpoint = Checkpoint.Load(Repository.Combine("checkpoints", "rlm-small"), CPU);
        Assert.IsType<RecurrentFamily>(checkpoint.Model.Core);
        var request = new Isrm.Model.Generation.GenerationRequest { Prompt = reference.RootElement.GetProperty("prompt").GetString()!, MaxTokens = 12, Temperature = 0, K = 8 };
        var steps = Isrm.Model.Generation.Generator.Generate(checkpoint, request).OfType<Isrm.Model.Generation.StepEvent>().ToList();
        var expected = reference.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(expected.Count, steps.Count);
        double worst = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var top = expected[i].GetProperty("top").EnumerateArray().Select(p => (Id: p[0].GetInt32(), Prob: p[1].GetDouble())).ToList();
            Assert.Equal(top.Select(t => t.Id), steps[i].TopTokens.Select(t => t.TokenId));
            worst = Math.Max(worst, top.Zip(steps[i].TopTokens).Max(p => Math.Abs(p.First.Prob - p.Second.Prob)));
        }
        output.WriteLine($"max |p − p_before| over {steps.Count} tokens × 5: {worst:E2}");
        Assert.True(worst <= 1e-5, $"probabilities moved by {worst}");
    }

    [Theory]
    [InlineData("isrm", new[] { "y0", "z0", "network.", "answer_injection." })]
    [InlineData("rlm", new[] { "recurrent." })]
    public void Family_components_keep_their_state_dict_names(string family, string[] prefixes)
    {
        using var model = new IsrmModel(RecurrentModels.Config(family) with { StepEmbedding = StepEmbeddingKind.None, InputInjection = InjectionKind.ConcatProject });
        var names = model.state_dict().Keys.ToList();
        foreach (string prefix in prefixes) Assert.Contains(names, n => n.StartsWith(prefix));
        Assert.Contains("embedding.weight", names);
        Assert.DoesNotContain(names, n => n.StartsWith("_core") || n.StartsWith("core."));
    }
}
