namespace Isrm.Tests.Model.Refinement;

/// <summary>The α schedules against their closed forms, including the whitepaper's summable-α flaw (its Σα ≈ 1.41).</summary>
public class ScheduleTests
{
    [Fact]
    public void The_whitepaper_schedule_matches_its_formula_and_starts_at_k_1()
    {
        var config = new IsrmConfig { AlphaSchedule = AlphaScheduleKind.Whitepaper };
        Assert.Equal(0.15 / 1.15 * 0.97, AlphaSchedule.Alpha(config, 1), 6);
        Assert.Equal(0.15 / (1 + 0.15 * 10) * Math.Pow(0.97, 10), AlphaSchedule.Alpha(config, 10), 6);
    }

    [Fact]
    public void The_whitepaper_alphas_sum_to_about_1_41()
    {
        double sum = Enumerable.Range(1, 100_000).Sum(AlphaSchedule.Whitepaper);
        Assert.InRange(sum, 1.40, 1.42);
    }

    [Theory]
    [InlineData(1, 0.874)]
    [InlineData(8, 0.498)]
    [InlineData(16, 0.370)]
    [InlineData(32, 0.286)]
    [InlineData(64, 0.246)]
    [InlineData(100_000, 0.2345)]
    public void Even_a_perfect_contraction_keeps_this_fraction_of_its_distance(int k, double expected)
    {
        Assert.Equal(expected, AlphaSchedule.RemainingFraction(AlphaSchedule.Whitepaper, k), tolerance: 0.001);
    }

    [Fact]
    public void The_harmonic_schedule_is_not_summable_so_the_remaining_distance_goes_to_zero()
    {
        var config = new IsrmConfig { AlphaSchedule = AlphaScheduleKind.Harmonic, AlphaC = 1f };
        Assert.Equal(0.5f, AlphaSchedule.Alpha(config, 1));
        // Π (1 − 1/(k+1)) = 1/(K+1): the closed form.
        Assert.Equal(1.0 / 1001, AlphaSchedule.RemainingFraction(k => AlphaSchedule.Alpha(config, k), 1000), 9);
    }

    [Fact]
    public void A_transformer_takes_one_full_step()
    {
        Assert.Equal(1f, AlphaSchedule.Alpha(new IsrmConfig { Family = ModelFamily.Transformer }, 1));
    }
}
