namespace Isrm.Model.Tasks.Text;

/// <summary>What every text task shares: its name, an example prompt, and refusing a size below 1 in one sentence.</summary>
public abstract class TextTask(string name, string example, string unit) : ITextTask
{
    public string Name => name;

    public string Example => example;

    public string Prompt(Random random, int size) =>
        size >= 1 ? Draw(random, size) : throw new ArgumentException($"a {name} prompt needs at least one {unit} (got {size}).");

    /// <summary>A random prompt of <paramref name="size"/> ≥ 1.</summary>
    protected abstract string Draw(Random random, int size);

    public abstract string Answer(string prompt);

    public abstract int Size(string prompt);
}
