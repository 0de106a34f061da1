namespace Isrm.Research.Probes;

/// <summary>Reads a model's per-token states and log-probabilities without gradients, in batches (probes build on it).</summary>
public static class StateReader
{
    /// <summary>tokens (B, T) → final states y (B, T, D) after the model's pass (K = <paramref name="loops"/> for ISRM, 1 otherwise).</summary>
    public static Tensor States(IsrmModel model, Tensor tokens, int loops = 8)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var options = new RefinementOptions { K = loops, EveryStepLogits = false };
        Tensor? y = null;
        foreach (RefinementStep step in Refiner.Run(model, model.Embed(tokens), options))
            if (step.IsLast) y = step.Y.clone();
        return y!.MoveToOuterDisposeScope();
    }

    /// <summary>Per-position log-probabilities of the next token (B, T, V).</summary>
    public static Tensor LogProbs(IsrmModel model, Tensor tokens, int loops = 8)
    {
        using var scope = NewDisposeScope();
        Tensor y = States(model, tokens, loops);
        using var noGrad = no_grad();
        return model.Logits(y).log_softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="read"/> over row blocks of <paramref name="tokens"/> and concatenates the results along dim 0.</summary>
    public static Tensor Batched(Tensor tokens, int batch, Func<Tensor, Tensor> read)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < tokens.shape[0]; start += batch)
        {
            using var scope = NewDisposeScope();
            parts.Add(read(tokens.narrow(0, start, Math.Min(batch, tokens.shape[0] - start))).MoveToOuterDisposeScope());
        }
        using var outer = NewDisposeScope();
        Tensor all = cat(parts.ToArray(), 0).MoveToOuterDisposeScope();
        foreach (Tensor p in parts) p.Dispose();
        return all;
    }
}
