using System.Numerics;

namespace Isrm.Model.Tasks.Addition;

/// <summary>
/// Multi-digit addition written most-significant digit first, "48213+97065=" → "145278". The answer always has n + 1
/// digits for n digits in the longer operand ("12+13=" → "025"), so each answer digit's significance is known from the
/// prompt; the first answer digit depends on every carry. Size = n.
/// </summary>
public sealed class AdditionTask() : TextTask("addition", "48213+97065=", "digit")
{
    /// <summary>Operands of 1…size digits, at least one of exactly size, no leading zeros.</summary>
    protected override string Draw(Random random, int size)
    {
        int other = random.Next(1, size + 1);
        bool longFirst = random.Next(2) == 0;
        string a = Number(random, longFirst ? size : other), b = Number(random, longFirst ? other : size);
        return $"{a}+{b}=";
    }

    private static string Number(Random random, int digits)
    {
        var chars = new char[digits];
        chars[0] = (char)('0' + (digits == 1 ? random.Next(10) : random.Next(1, 10)));
        for (int i = 1; i < digits; i++) chars[i] = (char)('0' + random.Next(10));
        return new string(chars);
    }

    public override string Answer(string prompt)
    {
        var (a, b) = Operands(prompt);
        int n = Math.Max(a.Length, b.Length);
        return (BigInteger.Parse(a) + BigInteger.Parse(b)).ToString().PadLeft(n + 1, '0');
    }

    public override int Size(string prompt)
    {
        var (a, b) = Operands(prompt);
        return Math.Max(a.Length, b.Length);
    }

    private static (string A, string B) Operands(string prompt)
    {
        string[] parts = prompt.EndsWith('=') ? prompt[..^1].Split('+') : [];
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
            throw new ArgumentException($"'{prompt}' is not an addition prompt: write two whole numbers joined by '+' and ended by '=', e.g. 48213+97065=.");
        return (parts[0], parts[1]);
    }
}
