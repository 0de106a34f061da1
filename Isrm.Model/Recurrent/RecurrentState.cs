namespace Isrm.Model.Recurrent;

/// <summary>The state a recurrent family carries between generation calls, and how many tokens it has read.</summary>
public sealed class RecurrentState : IDisposable
{
    private Tensor[] _tensors = [];

    /// <summary>Tokens read so far.</summary>
    public int Length { get; private set; }

    public IReadOnlyList<Tensor> Tensors => _tensors;

    public bool IsEmpty => _tensors.Length == 0;

    /// <summary>The read-out of the last token read (B, D), so the next token's movement can be measured.</summary>
    public Tensor? LastOutput { get; private set; }

    /// <summary>Bytes held, the last read-out included (the quantity the memory benchmark compares with a K/V cache).</summary>
    public long Bytes => _tensors.Sum(t => t.numel() * t.element_size()) + (LastOutput is Tensor o ? o.numel() * o.element_size() : 0);

    /// <summary>Takes ownership of the state after <paramref name="length"/> tokens; the previous one is released.</summary>
    public void Replace(Tensor[] tensors, int length, Tensor lastOutput)
    {
        Tensor[] owned = tensors.Select(t => t.detach().DetachFromDisposeScope()).ToArray();
        Tensor last = lastOutput.detach().DetachFromDisposeScope();
        Dispose();
        _tensors = owned;
        LastOutput = last;
        Length = length;
    }

    /// <summary>Becomes a copy of <paramref name="other"/> (the state of an earlier tick handed on).</summary>
    public void CopyFrom(RecurrentState other)
    {
        using var scope = NewDisposeScope();
        Replace(other._tensors.Select(t => t.clone()).ToArray(), other.Length, other.LastOutput!.clone());
    }

    public void Dispose()
    {
        foreach (Tensor t in _tensors) t.Dispose();
        LastOutput?.Dispose();
        LastOutput = null;
        _tensors = [];
    }
}
