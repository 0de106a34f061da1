namespace Isrm.Web.Refinement;

/// <summary>Checks a <see cref="RefinementRequest"/> at the edge and says in one sentence what is wrong.</summary>
public static class RequestValidator
{
    /// <summary>Returns the model request, or null with <paramref name="error"/> set.</summary>
    public static GenerationRequest? Validate(RefinementRequest? dto, ModelServiceOptions limits, out string error)
    {
        error = dto switch
        {
            null => "The request is empty: send an object with at least a prompt.",
            _ when string.IsNullOrWhiteSpace(dto.Prompt) => "The prompt is empty: type some text to continue.",
            // Tokens ≤ UTF-8 bytes for the byte and byte-level BPE tokenizers, so counting bytes never lets too many through.
            _ when Encoding.UTF8.GetByteCount(dto.Prompt) is int bytes && bytes > limits.MaxPromptTokens =>
                $"The prompt is too long: {bytes} bytes of UTF-8 (up to one token each) against a limit of {limits.MaxPromptTokens} tokens; shorten it.",
            _ when PromptText.Problem(dto.Prompt) is string problem => problem,
            _ when dto.K.Problem(limits.MaxK) is string problem => problem,
            _ when dto.MaxTokens < 1 || dto.MaxTokens > limits.MaxTokensLimit =>
                $"maxTokens must be from 1 to {limits.MaxTokensLimit}; got {dto.MaxTokens}.",
            _ when dto.Temperature is not double t || !double.IsFinite(t) || t < 0 =>
                $"temperature must be a finite number ≥ 0 (0 = greedy); got {dto.Temperature?.ToString(CultureInfo.InvariantCulture) ?? "null"}.",
            _ when dto.TopK < 0 => $"topK must be ≥ 0 (0 = off); got {dto.TopK}.",
            _ when dto.TopP is not double p || !double.IsFinite(p) || p <= 0 || p > 1 =>
                $"topP must be in (0, 1] (1 = off); got {dto.TopP?.ToString(CultureInfo.InvariantCulture) ?? "null"}.",
            _ when dto.Seed < 0 => $"seed must be ≥ 0; got {dto.Seed}.",
            _ when dto.StopText is { Length: 0 or > 16 } => "stopText must be 1 to 16 characters, or left out.",
            _ when dto.Intervention?.Problem(dto.K.Capped(limits.MaxK), dto.MaxTokens) is string problem => problem,
            _ when dto.Starts?.Problem(dto.MaxTokens) is string problem => problem,
            _ when dto.Starts is not null && dto.Intervention is not null => "Choose either an intervention or several starts, not both in one request.",
            _ => "",
        };
        if (error.Length > 0) return null;
        return new GenerationRequest
        {
            Prompt = dto!.Prompt,
            K = dto.K.Capped(limits.MaxK),
            MaxTokens = dto.MaxTokens,
            Temperature = (float)dto.Temperature!.Value,
            TopK = dto.TopK,
            TopP = (float)dto.TopP!.Value,
            Seed = (ulong)dto.Seed,
            IncludeStates = dto.IncludeStates,
            StopText = dto.StopText,
            Intervention = dto.Intervention,
            Starts = dto.Starts,
        };
    }
}
