namespace Isrm.Model.Tasks.Parity;

/// <summary>Parity of a bit string answered in one token, "10110=" → "1"; every bit matters. Size = number of bits.</summary>
public sealed class ParityTask() : TextTask("parity", "10110=", "bit")
{
    protected override string Draw(Random random, int size)
    {
        var bits = new char[size];
        for (int i = 0; i < size; i++) bits[i] = random.Next(2) == 0 ? '0' : '1';
        return new string(bits) + "=";
    }

    public override string Answer(string prompt) => (Bits(prompt).Count(c => c == '1') % 2).ToString();

    public override int Size(string prompt) => Bits(prompt).Length;

    private static string Bits(string prompt)
    {
        string bits = prompt.EndsWith('=') ? prompt[..^1] : "";
        if (bits.Length == 0 || bits.Any(c => c is not ('0' or '1')))
            throw new ArgumentException($"'{prompt}' is not a parity prompt: write a string of 0s and 1s ended by '=', e.g. 10110=.");
        return bits;
    }
}
