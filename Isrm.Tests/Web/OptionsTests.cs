using Isrm.Web.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Isrm.Tests.Web;

/// <summary>Settings are checked when the app starts: a value out of range stops it with a sentence naming the key.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("Isrm:Model:MaxLoadedModels", "0", "Isrm:Model:MaxLoadedModels must be at least 1.")]
    [InlineData("Isrm:Model:Device", "tpu", "Isrm:Model:Device must be cpu or cuda.")]
    [InlineData("Isrm:Model:MaxBatch", "0", "Isrm:Model:MaxBatch must be from 1 to 256.")]
    [InlineData("Isrm:Hub:RequestsPerMinute", "-1", "Isrm:Hub:RequestsPerMinute must be 0 (no limit) or more.")]
    [InlineData("Isrm:Training:PollSeconds", "0", "Isrm:Training:PollSeconds must be at least 1.")]
    public void An_out_of_range_setting_fails_the_start_up_check_with_its_sentence(string key, string value, string sentence)
    {
        using ServiceProvider services = Services((key, value));

        // What the host runs before it starts (ValidateOnStart).
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(sentence, error.Failures);
    }

    [Fact]
    public void The_shipped_appsettings_pass_the_start_up_check()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Repository.Root, "Isrm.Web", "appsettings.json")).Build();
        using ServiceProvider services = new ServiceCollection().AddIsrmOptions(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(256, services.GetRequiredService<IOptions<Isrm.Web.Options.ModelServiceOptions>>().Value.MaxK);
    }

    [Fact]
    public void The_earlier_name_MaxLoops_still_sets_the_largest_K()
    {
        using ServiceProvider services = Services(("Isrm:Model:MaxLoops", "3"));
        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(3, services.GetRequiredService<IOptions<Isrm.Web.Options.ModelServiceOptions>>().Value.MaxK);
        using ServiceProvider zero = Services(("Isrm:Model:MaxLoops", "0"));
        Assert.Contains("Isrm:Model:MaxK must be at least 1.",
            Assert.Throws<OptionsValidationException>(() => zero.GetRequiredService<IStartupValidator>().Validate()).Failures);
    }

    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return new ServiceCollection().AddIsrmOptions(configuration).BuildServiceProvider();
    }
}
