namespace Isrm.Model.Modules;

/// <summary>Combines the input embedding and states into the network input: a sum, or a linear map of the concatenation (Huginn).</summary>
public sealed class InputInjection : nn.Module
{
    private readonly Linear? project;

    public InputInjection(int width, int inputs, bool concatProject) : base(nameof(InputInjection))
    {
        if (concatProject) project = nn.Linear(inputs * width, width, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Each part (B, T, D) → (B, T, D).</summary>
    public Tensor Forward(params Tensor[] parts)
    {
        if (project is not null)
        {
            using var projecting = NewDisposeScope();
            return MixedPrecision.Linear(cat(parts, -1), project.weight!).MoveToOuterDisposeScope();
        }
        using var scope = NewDisposeScope();
        Tensor sum = parts[0];
        for (int i = 1; i < parts.Length; i++) sum = sum.Plus(parts[i]);
        return sum.MoveToOuterDisposeScope();
    }
}
