namespace Isrm.Model.Tasks.Text;

/// <summary>
/// Training batches of freshly generated instances of a text task: one size per batch (drawn from the training sizes),
/// sequences prompt + answer + "\n" in bytes, padded with newlines, loss only on the answer and its newline.
/// </summary>
public sealed class TextTaskBatches(ITextTask task, IReadOnlyList<int> sizes, IsrmConfig config) : IBatchSource
{
    private const int Pad = '\n';

    public ITextTask Task => task;
    public IReadOnlyList<int> Sizes => sizes;

    public TrainingBatch Next(int batchSize, Random random, Device device)
    {
        int size = sizes[random.Next(sizes.Count)];
        var prompts = new string[batchSize];
        for (int i = 0; i < batchSize; i++) prompts[i] = task.Prompt(random, size);
        return Encode(task, config, prompts, device) with { Size = size };
    }

    /// <summary>
    /// Teacher-forced rows of prompt + answer + "\n": inputs and targets (B, T) shifted by one, LossMask 1 on the targets
    /// that are answer tokens or the final newline, and the layout of the inputs.
    /// </summary>
    public static TrainingBatch Encode(ITextTask task, IsrmConfig config, IReadOnlyList<string> prompts, Device device)
    {
        var rows = prompts.Select(p => Encoding.ASCII.GetBytes(task.Sequence(p)).Select(b => (int)b).ToArray()).ToList();
        int length = rows.Max(r => r.Length) - 1;
        if (length > config.MaxContext)
            throw new ArgumentException($"a {task.Name} instance of {length + 1} tokens does not fit the model's context of {config.MaxContext}; use smaller sizes.");
        var inputs = new long[rows.Count * length];
        var targets = new long[rows.Count * length];
        var mask = new float[rows.Count * length];
        var inputRows = new List<IReadOnlyList<int>>(rows.Count);
        for (int b = 0; b < rows.Count; b++)
        {
            int[] row = rows[b];
            int prompt = prompts[b].Length;
            for (int t = 0; t < length; t++)
            {
                inputs[b * length + t] = t < row.Length - 1 ? row[t] : Pad;
                targets[b * length + t] = t + 1 < row.Length ? row[t + 1] : Pad;
                if (t >= prompt - 1 && t + 1 < row.Length) mask[b * length + t] = 1;
            }
            inputRows.Add(row[..^1]);
        }
        long[] shape = [rows.Count, length];
        return new TrainingBatch(tensor(inputs, shape, device: device), tensor(targets, shape, device: device))
        {
            LossMask = tensor(mask, shape, device: device),
            Layout = TextLayout.For(config, inputRows, 0, length, device),
        };
    }
}
