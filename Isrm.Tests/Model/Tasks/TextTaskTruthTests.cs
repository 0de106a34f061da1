using System.Numerics;

namespace Isrm.Tests.Model.Tasks;

/// <summary>The text tasks compute their truth from the prompt alone, and generate prompts of the size asked.</summary>
public class TextTaskTruthTests
{
    private static readonly ITextTask Addition = TextTasks.Parse("addition"), Parity = TextTasks.Parse("parity");

    [Theory]
    [InlineData("48213+97065=", "145278")]
    [InlineData("12+13=", "025")]
    [InlineData("999+1=", "1000")]
    [InlineData("0+0=", "00")]
    [InlineData("7+2727910731=", "02727910738")]
    public void Addition_answers_have_one_digit_more_than_the_longer_operand(string prompt, string answer)
    {
        Assert.Equal(answer, Addition.Answer(prompt));
        Assert.Equal(answer.Length - 1, Addition.Size(prompt));
    }

    [Fact]
    public void Generated_additions_have_the_size_asked_no_leading_zeros_and_the_true_sum()
    {
        var random = new Random(3);
        foreach (int size in new[] { 1, 2, 5, 10, 40 })
            for (int i = 0; i < 50; i++)
            {
                string prompt = Addition.Prompt(random, size);
                Assert.EndsWith("=", prompt);
                string[] operands = prompt[..^1].Split('+');
                Assert.Equal(size, operands.Max(o => o.Length));
                Assert.All(operands, o => Assert.True(o.Length == 1 || o[0] != '0', $"leading zero in {prompt}"));
                BigInteger sum = BigInteger.Parse(operands[0]) + BigInteger.Parse(operands[1]);
                Assert.Equal(sum, BigInteger.Parse(Addition.Answer(prompt)));
                Assert.Equal(size + 1, Addition.Answer(prompt).Length);
            }
    }

    [Theory]
    [InlineData("10110=", "1")]
    [InlineData("0000=", "0")]
    [InlineData("1=", "1")]
    [InlineData("11=", "0")]
    public void Parity_is_the_count_of_ones_mod_two(string prompt, string answer)
    {
        Assert.Equal(answer, Parity.Answer(prompt));
        Assert.Equal(prompt.Length - 1, Parity.Size(prompt));
    }

    [Fact]
    public void Generated_parity_prompts_have_the_bits_asked()
    {
        var random = new Random(5);
        string prompt = Parity.Prompt(random, 17);
        Assert.Equal(18, prompt.Length);
        Assert.Matches("^[01]{17}=$", prompt);
    }

    [Theory]
    [InlineData("addition", "12+=")]
    [InlineData("addition", "1a+2=")]
    [InlineData("addition", "12+34")]
    [InlineData("addition", "-1+2=")]
    [InlineData("parity", "102=")]
    [InlineData("parity", "=")]
    public void A_malformed_prompt_is_one_sentence(string task, string prompt)
    {
        var e = Assert.Throws<ArgumentException>(() => TextTasks.Parse(task).Answer(prompt));
        Assert.Contains(prompt, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void The_registry_names_both_tasks_and_refuses_others()
    {
        Assert.Equal(["addition", "parity"], TextTasks.All.Select(t => t.Name));
        Assert.Null(TextTasks.Find("mazes"));
        var e = Assert.Throws<ArgumentException>(() => TextTasks.Parse("multiplication"));
        Assert.Contains("addition or parity", e.Message);
    }

    [Fact]
    public void A_training_sequence_is_prompt_answer_newline()
    {
        Assert.Equal("12+13=025\n", Addition.Sequence("12+13="));
    }
}
