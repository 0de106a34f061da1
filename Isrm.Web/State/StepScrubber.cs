namespace Isrm.Web.State;

/// <summary>Scrub / play / pause / step through one token's refinement steps (1-based step numbers).</summary>
public sealed class StepScrubber
{
    public int StepCount { get; private set; }
    /// <summary>The step shown, 1..StepCount (0 when there are no steps).</summary>
    public int Current { get; private set; }
    public bool IsPlaying { get; private set; }

    /// <summary>Points the scrubber at a trajectory of <paramref name="steps"/> steps, showing the last one.</summary>
    public void Load(int steps)
    {
        StepCount = Math.Max(0, steps);
        Current = StepCount;
        IsPlaying = false;
    }

    /// <summary>New steps arrived while following live: stay on the newest if we were on it.</summary>
    public void Grow(int steps)
    {
        bool atEnd = Current == StepCount;
        StepCount = Math.Max(StepCount, steps);
        if (atEnd) Current = StepCount;
    }

    public void Seek(int step) => Current = StepCount == 0 ? 0 : Math.Clamp(step, 1, StepCount);
    public void Next() => Seek(Current + 1);
    public void Previous() => Seek(Current - 1);
    public void First() => Seek(1);
    public void Last() => Seek(StepCount);

    /// <summary>Starts playback from step 1 if at the end.</summary>
    public void Play()
    {
        if (StepCount == 0) return;
        if (Current >= StepCount) Current = 1;
        IsPlaying = true;
    }

    public void Pause() => IsPlaying = false;

    /// <summary>One playback tick: advance, and stop at the last step. Returns whether still playing.</summary>
    public bool Tick()
    {
        if (!IsPlaying) return false;
        if (Current < StepCount) Current++;
        if (Current >= StepCount) IsPlaying = false;
        return IsPlaying;
    }
}
