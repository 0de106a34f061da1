using Bunit;
using Isrm.Web.Components.Visuals;

namespace Isrm.Tests.Web;

/// <summary>The Razor components rendered by bUnit: test ids, content and clicks, without a browser.</summary>
public sealed class ComponentTests : MudComponentTests
{
    [Fact]
    public async Task The_chat_panel_has_the_stable_test_ids_and_token_chips_open_trajectories()
    {
        var session = new ChatSession(new FakeRefinementService());
        session.LoadCheckpoints();
        session.Settings.MaxTokens = 3;
        session.Prompt = "hi";
        await session.SendAsync();
        (ConversationTurn, TokenTrajectory)? opened = null;

        var cut = Render<ChatPanel>(p => p.Add(c => c.Session, session)
            .Add(c => c.OnTokenClick, ((ConversationTurn, TokenTrajectory) pick) => opened = pick));

        foreach (string id in new[] { "prompt", "send", "stop", "export" }) Assert.Single(cut.FindAll($"[data-testid={id}]"));
        Assert.Equal(3, cut.FindAll("[data-testid=token]").Count);
        Assert.Equal("done", cut.Find("[data-testid=turn-status]").GetAttribute("data-status"));
        cut.FindAll("[data-testid=token]")[1].Click();
        Assert.Equal(1, opened!.Value.Item2.TokenIndex);
    }

    [Fact]
    public void Escape_in_the_prompt_box_stops_and_enter_sends()
    {
        var session = new ChatSession(new FakeRefinementService());
        int stops = 0, sends = 0;
        var cut = Render<ChatPanel>(p => p.Add(c => c.Session, session)
            .Add(c => c.OnStop, () => stops++).Add(c => c.OnSend, () => sends++));

        cut.Find("[data-testid=prompt]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        cut.Find("[data-testid=prompt]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        cut.Find("[data-testid=prompt]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter", ShiftKey = true });

        Assert.Equal((1, 1), (stops, sends));
    }

    [Fact]
    public void The_settings_panel_lists_unusable_checkpoints_with_their_error_and_offers_infinite_k()
    {
        var settings = new GenerationSettings();
        var cut = Render<SettingsPanel>(p => p.Add(c => c.Settings, settings)
            .Add(c => c.Checkpoints, new FakeRefinementService().Checkpoints).Add(c => c.Loaded, true));

        Assert.Contains("truncated", cut.Find("[data-testid=unusable-checkpoint]").TextContent);
        Assert.True(cut.Find("[data-testid=checkpoint-select] option[value=broken]").HasAttribute("disabled"));
        cut.Find("[data-testid=k-box]").Change("17");
        Assert.Equal(17, settings.K);
        Assert.Equal("K = 17", cut.Find("[data-testid=k-value]").TextContent);
        cut.Find("[data-testid=k-slider]").Input("500");   // log scale: 2^(500/100)
        Assert.Equal(32, settings.K);
        Assert.Equal("32", cut.Find("[data-testid=k-box]").GetAttribute("value"));
    }

    [Fact]
    public void The_scrubber_bar_moves_through_steps_with_its_buttons_and_slider()
    {
        var scrubber = new StepScrubber();
        scrubber.Load(5);
        var cut = Render<StepScrubberBar>(p => p.Add(c => c.Scrubber, scrubber));

        cut.Find("[data-testid=step-first]").Click();
        cut.Find("[data-testid=step-next]").Click();
        Assert.Equal("step 2 of 5", cut.Find("[data-testid=step-label]").TextContent);
        cut.Find("[data-testid=step-scrubber]").Input("4");
        Assert.Equal(4, scrubber.Current);
    }

    [Fact]
    public void The_help_explains_delta_versus_residual()
    {
        var cut = Render<HelpPanel>();

        string text = cut.Markup;
        Assert.Contains("delta vanishes while the residual stays large", text);
        Assert.Contains("residual", text);
    }
}
