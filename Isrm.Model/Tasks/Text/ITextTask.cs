namespace Isrm.Model.Tasks.Text;

/// <summary>
/// A task written as plain text a person types: a prompt ending in '=' and an answer computed from the prompt alone.
/// A training sequence is prompt + answer + "\n" in bytes.
/// </summary>
public interface ITextTask
{
    /// <summary>The name the command line, files and checkpoints use (e.g. <c>addition</c>).</summary>
    string Name { get; }

    /// <summary>A prompt to show a person what to type (e.g. <c>48213+97065=</c>).</summary>
    string Example { get; }

    /// <summary>A random prompt of the given size (e.g. digits of the longer operand), ending in '='.</summary>
    string Prompt(Random random, int size);

    /// <summary>The true answer; throws <see cref="ArgumentException"/> with one sentence for a malformed prompt.</summary>
    string Answer(string prompt);

    /// <summary>The size of a prompt as <see cref="Prompt"/> makes it; throws like <see cref="Answer"/>.</summary>
    int Size(string prompt);
}
