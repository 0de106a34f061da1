namespace Isrm.Model.Refinement;

/// <summary>
/// Whether a <see cref="RefinementCache"/> changes what a model computes (it must not: it only saves computing it
/// again). The benchmark reports this figure beside its speed-up, and the tests hold every family and option to it.
/// </summary>
public static class CacheAgreement
{
    /// <summary>
    /// The largest absolute difference between the final read-outs of <paramref name="ids"/> in one full pass and the
    /// same read-outs streamed through <paramref name="cache"/>: the first <paramref name="prefix"/> tokens at once
    /// (a prompt), then one token at a time. <paramref name="final"/> picks the read-out from a token's steps.
    /// </summary>
    public static float MaxDifferenceFromFullPass(IsrmModel model, long[] ids, int prefix, RefinementOptions options,
        RefinementCache cache, Func<IEnumerable<RefinementStep>, Tensor> final)
    {
        Tensor full = final(Refiner.Run(model, model.Embed(tensor(ids, new long[] { 1, ids.Length })), options));   // (1, n, V)
        var pieces = new List<Tensor> { final(Refiner.Run(model, model.Embed(tensor(ids[..prefix], new long[] { 1, prefix })), options, cache, 0)) };
        for (int position = prefix; position < ids.Length; position++)
            pieces.Add(final(Refiner.Run(model, model.Embed(tensor(new[] { ids[position] }, new long[] { 1, 1 })), options, cache, position)));
        return (cat(pieces.ToArray(), 1) - full).abs().max().item<float>();
    }

    /// <summary>The logits of the last step (the token's answer), computed from its state.</summary>
    public static Tensor FinalLogits(IsrmModel model, IEnumerable<RefinementStep> steps)
    {
        Tensor? logits = null;
        foreach (RefinementStep step in steps)
            if (step.IsLast) logits = model.Logits(step.Y);
        return logits!;
    }
}
