using Bunit;
using Isrm.Web.Components.Visuals;

namespace Isrm.Tests.Web;

/// <summary>The chat page recognises a task prompt, computes its answer and marks each answer token right or wrong.</summary>
public sealed class TaskTruthTests : MudComponentTests
{
    [Theory]
    [InlineData("48213+97065=", "addition", "145278")]
    [InlineData("12+13=", "addition", "025")]
    [InlineData("10110=", "parity", "1")]
    public void A_task_prompt_gets_its_truth_from_the_prompt(string prompt, string task, string answer)
    {
        TaskTruth truth = Assert.IsType<TaskTruth>(TaskTruth.Of(prompt));
        Assert.Equal((task, answer), (truth.Task, truth.Answer));
    }

    [Theory]
    [InlineData("The jury said")]
    [InlineData("12+13")]
    [InlineData("")]
    public void Other_text_has_no_truth(string prompt) => Assert.Null(TaskTruth.Of(prompt));

    [Fact]
    public async Task The_chat_marks_each_answer_token_and_says_where_the_reply_goes_wrong()
    {
        var service = new FakeRefinementService { Reply = "035\n" };
        var session = new ChatSession(service);
        session.LoadCheckpoints();
        session.Prompt = "12+13=";
        await session.SendAsync();

        Assert.Equal("\n", service.Requests.Single().StopText);   // a task's answer ends at its line
        var cut = Render<ChatPanel>(p => p.Add(c => c.Session, session));
        string?[] truth = cut.FindAll("[data-testid=token]").Select(t => t.GetAttribute("data-truth")).ToArray();
        Assert.Equal(new string?[] { "right", "wrong", "right", null }, truth);
        var note = cut.Find("[data-testid=truth]");
        Assert.Equal("025", note.GetAttribute("data-answer"));
        Assert.Equal("false", note.GetAttribute("data-right"));
        Assert.Contains("wrong from character 2", note.TextContent);

        service.Requests.Clear();
        service.Reply = "hello";
        session.Prompt = "hello";
        await session.SendAsync();
        Assert.Null(service.Requests.Single().StopText);
    }
}
