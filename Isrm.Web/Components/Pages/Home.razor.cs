using Isrm.Web.Components.Visuals;
using Isrm.Web.Refinement;
using Isrm.Web.State;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Isrm.Web.Components.Pages;

/// <summary>The chat: prompt, live trajectory of the token being refined, stepping, logit-lens grid.</summary>
public partial class Home
{
    private TrajectoryChart? _chart;

    [Inject] private IRefinementService Refinement { get; set; } = null!;
    [Inject] private IJSRuntime Js { get; set; } = null!;

    private ChatSession Session { get; set; } = null!;

    private StepHeatmapModel Heatmap => StepHeatmapModel.Build(Session.SelectedTurn?.Tokens ?? []);

    private string TrajectoryTitle => Session.Selected is { } t
        ? $"{(Session.FollowLive && !t.IsFinished ? "Live: " : "")}token #{t.TokenIndex} '{StepHeatmapModel.Visible(t.Display)}' — {t.Steps.Count} steps"
        : "Trajectory of the token being refined";

    private string ScrubberTitle => Session.Selected is { } t
        ? $"Step through token #{t.TokenIndex} (scrub, play, or use the arrows)"
        : "Step through a token's trajectory";

    protected override void OnInitialized()
    {
        Session = new ChatSession(Refinement);
        Session.Changed += () => InvokeAsync(StateHasChanged);
        Session.StepAppended += step => InvokeAsync(() => _chart?.AppendAsync(step) ?? Task.CompletedTask);
        Session.SelectionChanged += token => InvokeAsync(() => _chart?.ShowAsync(token) ?? Task.CompletedTask);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        Session.LoadCheckpoints();
        StateHasChanged();
    }

    private Task SendAsync() => Session.SendAsync();

    private void Stop() => Session.Stop();

    private Task OpenTokenAsync((ConversationTurn Turn, TokenTrajectory Token) pick) => Session.OpenToken(pick.Turn, pick.Token);

    private Task OpenColumnAsync(int column) =>
        Session.SelectedTurn is { } turn && column < turn.Tokens.Count ? Session.OpenToken(turn, turn.Tokens[column]) : Task.CompletedTask;

    private async Task OpenCellAsync(HeatmapCell cell)
    {
        await OpenColumnAsync(cell.TokenIndex);
        Session.Scrubber.Seek(cell.Step);
    }

    private async Task CopyAsync() => await Js.InvokeVoidAsync("isrm.copy", Session.Conversation.ExportText());

    private async Task ExportAsync() =>
        await Js.InvokeVoidAsync("isrm.download", $"isrm-conversation-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json", Session.Conversation.ExportJson());

    public void Dispose() => Session.Stop();
}
