namespace Isrm.Tests.Model.Tasks;

/// <summary>Digit significance: distance from the right end of a prompt run; '=' and the answer one descending run.</summary>
public class SignificanceTests
{
    [Fact]
    public void Addition_digits_count_from_the_units_and_the_answer_continues_below_the_equals_sign()
    {
        //                     4 8 2 1 3 + 9 7 0 6 5 = 1 4 5 2 7 8 \n
        int[] expected = [4, 3, 2, 1, 0, 0, 4, 3, 2, 1, 0, 6, 5, 4, 3, 2, 1, 0, 0];
        Assert.Equal(expected, TextLayout.Significance("48213+97065=145278\n"));
    }

    [Fact]
    public void Operands_of_different_lengths_align_by_units_and_n_is_the_longer_one()
    {
        //                     7 + 2 7 2 7 = 0 2 7 3 4
        int[] expected = [0, 0, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0];
        Assert.Equal(expected, TextLayout.Significance("7+2727=02734"));
    }

    [Fact]
    public void Parity_bits_count_down_to_the_last_and_the_answer_sits_below_the_equals_sign()
    {
        Assert.Equal([4, 3, 2, 1, 0, 6, 5, 0], TextLayout.Significance("10110=1\n"));
    }

    [Fact]
    public void Text_without_an_equals_sign_has_no_prompt_and_only_digit_runs_count()
    {
        Assert.Equal([0, 0, 0, 1, 0], TextLayout.Significance("ab 42"));
        Assert.Equal(0, TextLayout.PromptLength("ab 42".Select(c => (int)c).ToArray()));
        Assert.Equal(6, TextLayout.PromptLength("10110=1".Select(c => (int)c).ToArray()));
    }

    [Fact]
    public void The_answers_significance_is_causal_so_cached_decoding_can_compute_it()
    {
        string full = "931+88=1019\n";
        int[] whole = TextLayout.Significance(full);
        for (int length = full.IndexOf('=') + 1; length <= full.Length; length++)
            Assert.Equal(whole[..length], TextLayout.Significance(full[..length]));
    }
}
