namespace Isrm.Tests.Research;

/// <summary>The heads of the proposal's tasks: genre classification, the internal critic, the recall and repetition measures.</summary>
public class TaskHeadTests
{
    [Fact]
    public void The_classification_head_maps_a_recurrent_models_states_to_one_logit_per_genre()
    {
        using var model = RecurrentModels.Create("rlm");
        using var scope = NewDisposeScope();
        Tensor states = StateReader.States(model, randint(0, 256, new long[] { 3, 10 }));
        Assert.Equal(new long[] { 3, 10, model.Config.Width }, states.shape);
        Tensor features = ClassificationHead.Features(states);
        Assert.Equal(new long[] { 3, 2 * model.Config.Width }, features.shape);
        using var head = new ClassificationHead(model.Config.Width, 15);
        Assert.Equal(new long[] { 3, 15 }, head.forward(features).shape);
    }

    [Fact]
    public void The_critic_reranks_each_group_of_candidates_by_its_score()
    {
        using var critic = new Critic(4);
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, p) in critic.named_parameters())
                if (name.EndsWith("weight")) p.copy_(tensor(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }).reshape(1, 8));
                else p.zero_();
        // Two prompts × three candidates; the score is the mean of channel 0 over the candidate's tokens.
        float[] means = [0.1f, 0.9f, 0.5f, -1f, -2f, 3f];
        Tensor states = zeros(6, 5, 4);
        for (int i = 0; i < 6; i++) states[i, TensorIndex.Colon, 0] = means[i];
        Tensor scores = critic.forward(states);
        Assert.True((scores - tensor(means)).abs().max().item<float>() < 1e-5f);
        Assert.Equal(new long[] { 1, 2 }, Critic.Rerank(scores, 3));
    }

    [Fact]
    public void Repeated_four_grams_count_only_repeats()
    {
        Assert.Equal(0, CriticProbe.RepeatedFourGrams([1, 2, 3, 4, 5, 6]));
        Assert.Equal(2.0 / 6, CriticProbe.RepeatedFourGrams([1, 2, 3, 4, 1, 2, 3, 4, 1]), 6);   // 6 four-grams, the last 2 seen before
        Assert.Equal(0, CriticProbe.RepeatedFourGrams([1, 2]));
    }

    [Fact]
    public void The_transformer_k_v_cache_grows_with_context_and_the_recurrent_state_does_not()
    {
        var config = RecurrentModels.Config("rlm");
        long small = Isrm.Bench.RecurrentMemory.KvCacheBytes(config with { Family = ModelFamily.Transformer }, 64);
        long large = Isrm.Bench.RecurrentMemory.KvCacheBytes(config with { Family = ModelFamily.Transformer }, 256);
        Assert.Equal(4 * small, large);
        Assert.Equal(2L * config.Layers * config.KvHeads * 64 * config.HeadDim * 4, small);

        using var model = RecurrentModels.Create("rlm");
        IReadOnlyList<Isrm.Bench.RecurrentMemory.Row> rows = Isrm.Bench.RecurrentMemory.Run(model, config with { Family = ModelFamily.Transformer }, [32, 128], chunk: 32);
        Assert.Equal(rows[0].StateBytes, rows[1].StateBytes);
        Assert.True(rows[1].TransformerKvBytes > rows[0].TransformerKvBytes);
    }
}
