namespace Isrm.Model.Checkpoints;

/// <summary>
/// A model's weights as safetensors: the tensor names are the model's state-dict names (docs/checkpoints.md lists them
/// with their shapes), so they change only when a module's field names change.
/// </summary>
public static class SafeTensorWeights
{
    /// <summary>Every persistent tensor of <paramref name="model"/>, copied to float32 arrays on the CPU.</summary>
    public static IReadOnlyList<NamedTensor> From(nn.Module model)
    {
        var named = new List<NamedTensor>();
        using var scope = NewDisposeScope();
        foreach ((string name, Tensor t) in model.state_dict())
        {
            Tensor cpu = t.detach().to(float32).cpu().contiguous();
            named.Add(new NamedTensor(name, cpu.shape, cpu.data<float>().ToArray()));
        }
        return named;
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into <paramref name="model"/>; every name must be present with its exact shape
    /// and nothing else may be there, else one sentence (a <see cref="CheckpointException"/>) says which tensor differs.
    /// </summary>
    public static void CopyInto(nn.Module model, IReadOnlyList<NamedTensor> tensors, string checkpointName)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Dictionary<string, Tensor> state = model.state_dict();
        string? extra = byName.Keys.FirstOrDefault(n => !state.ContainsKey(n));
        if (extra is not null)
            throw new CheckpointException($"Checkpoint '{checkpointName}' has a tensor '{extra}' that its config.json's model does not have.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach ((string name, Tensor target) in state)
        {
            if (!byName.TryGetValue(name, out NamedTensor? source))
                throw new CheckpointException($"Checkpoint '{checkpointName}' lacks the tensor '{name}' that its config.json's model needs.");
            if (!source.Shape.SequenceEqual(target.shape))
                throw new CheckpointException($"Checkpoint '{checkpointName}' has '{name}' of shape [{string.Join(", ", source.Shape)}] where its config.json's model needs [{string.Join(", ", target.shape)}].");
            target.copy_(tensor(source.Values, source.Shape).to(target.dtype).to(target.device));
        }
    }
}
