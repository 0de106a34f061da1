using static TorchSharp.torch;

namespace Isrm.Model.Refinement;

/// <summary>
/// A network the engine refines with a full step y ← f(x, y) and no text cache: the puzzle networks of
/// <c>Isrm.Model.Reasoning</c>. States may have any layout; logits are (B, N, V) over N positions.
/// </summary>
public interface IStepNetwork
{
    /// <summary>The initial state from the input x.</summary>
    Tensor InitialState(Tensor x);

    /// <summary>One step: the next state from the input (re-injected) and the current state.</summary>
    Tensor Step(Tensor x, Tensor y);

    /// <summary>Logits (B, N, V) read from a state.</summary>
    Tensor Logits(Tensor y);

    /// <summary>‖change of state‖ per position (B, N) between two states.</summary>
    Tensor Change(Tensor previous, Tensor next);
}
