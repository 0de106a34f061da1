namespace Isrm.Web.Puzzles;

/// <summary>A checked solve: the instance, its checkpoint folder and how long to think.</summary>
public sealed record ValidSolve(string Checkpoint, string Directory, Puzzle Puzzle, RefinementDepth K,
    InterventionRequest? Intervention = null, Puzzle? Foreign = null, int Starts = 1, long StartSeed = 1);

/// <summary>Checks a <see cref="SolveRequest"/> at the edge and says in one sentence what is wrong.</summary>
public static class SolveRequestValidator
{
    /// <summary>
    /// The instance a request describes (parsed text, or a new one by size and seed) for <paramref name="task"/>, or
    /// null with the sentence. Needs no checkpoint, so the page can show an instance before solving it.
    /// </summary>
    public static Puzzle? Instance(SolveRequest request, PuzzleTask task, PuzzleOptions limits, out string error)
    {
        error = "";
        try
        {
            if (!string.IsNullOrWhiteSpace(request.Text))
            {
                if (request.Text.Length > limits.MaxInputChars)
                {
                    error = $"The puzzle text has {request.Text.Length:N0} characters; this server reads up to {limits.MaxInputChars:N0} (a {limits.MaxMazeSize}×{limits.MaxMazeSize} maze or {limits.MaxBits:N0} bits).";
                    return null;
                }
                IReadOnlyList<Puzzle> puzzles = PuzzleFormat.Read(task, request.Text, limits.Reading);
                return puzzles[0];
            }
            if (request.Size is not int size)
            {
                error = "Give either the puzzle text or a size for a new random instance.";
                return null;
            }
            int min = task.MinSize, max = task.MaxSize(limits.Reading);
            if (size < min || size > max)
            {
                error = $"Size {size} is outside what this server solves for {task.Name} ({min}–{max}, {task.SizeMeaning}); choose a size in that range.";
                return null;
            }
            if (request.Seed < 0)
            {
                error = $"The seed must be ≥ 0; got {request.Seed}.";
                return null;
            }
            return task.Generate(size, request.Generator, new Random(request.Seed));   // a task without variants ignores it
        }
        catch (PuzzleFormatException e) when (e.Message.StartsWith("the file holds more than", StringComparison.Ordinal))
        {
            error = "The text holds more than one instance: solve them one by one.";
            return null;
        }
        catch (PuzzleFormatException e)
        {
            error = Sentence(e.Message);
            return null;
        }
    }

    /// <summary>Returns the checked solve, or null with <paramref name="error"/> set.</summary>
    public static ValidSolve? Validate(SolveRequest? request, CheckpointCatalog catalog, PuzzleOptions limits, out string error)
    {
        if (request is null)
        {
            error = "The request is empty: send an object with a size or the puzzle text.";
            return null;
        }
        PuzzleTask? task = null;
        if (!string.IsNullOrWhiteSpace(request.Task))
        {
            try { task = PuzzleTasks.Parse(request.Task); }
            catch (PuzzleFormatException e)
            {
                error = Sentence(e.Message.Replace(Environment.NewLine, " "));
                return null;
            }
        }
        if (request.K.Problem(limits.MaxK, "K") is string problem)
        {
            error = problem;
            return null;
        }
        int? k = request.K.Steps;
        if (!catalog.TryResolvePuzzle(request.Checkpoint, task?.Name, out string directory, out CheckpointListing? listing, out error)) return null;
        PuzzleTask checkpointTask = PuzzleTasks.Parse(listing!.Task);
        if (task is not null && task != checkpointTask)
        {
            error = $"Checkpoint '{listing.Name}' solves {checkpointTask.Name}, not {task.Name}: choose a {task.Name} checkpoint.";
            return null;
        }
        if (request.Starts < 1 || request.Starts > PuzzleSolveOptions.MaxStarts)
        {
            error = $"starts must be from 1 to {PuzzleSolveOptions.MaxStarts} (1 = the network's own start only); got {request.Starts}.";
            return null;
        }
        if (request.StartSeed < 0)
        {
            error = $"startSeed must be ≥ 0; got {request.StartSeed}.";
            return null;
        }
        if (request.Starts > 1 && request.Intervention is not null)
        {
            error = "Choose either an intervention or several starts, not both in one solve.";
            return null;
        }
        Puzzle? puzzle = Instance(request, checkpointTask, limits, out error);
        if (puzzle is null) return null;
        Puzzle? foreign = null;
        if (request.Intervention is { } change)
        {
            if (change.Problem(request.K.Capped(limits.MaxK), maxTokens: null) is string refused)
            {
                error = refused;
                return null;
            }
            if (change.Change == InterventionChange.Seed)
            {
                var other = new SolveRequest { Size = puzzle.Size, Seed = (int)Math.Min(change.Seed, int.MaxValue), Generator = request.Generator };
                foreign = Instance(other, checkpointTask, limits, out error);
                if (foreign is null) return null;
            }
        }
        return new ValidSolve(listing.Name, directory, puzzle, request.K.Capped(limits.MaxK), request.Intervention, foreign, request.Starts, request.StartSeed);
    }

    /// <summary>A model-library message ("line 3 has …") as a sentence.</summary>
    public static string Sentence(string message)
    {
        string text = message.Trim();
        if (text.Length == 0) return "The puzzle could not be read.";
        text = char.ToUpperInvariant(text[0]) + text[1..];
        return text.EndsWith('.') ? text : text + ".";
    }

}
