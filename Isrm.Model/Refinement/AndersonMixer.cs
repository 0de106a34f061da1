namespace Isrm.Model.Refinement;

/// <summary>
/// Anderson acceleration of a fixed-point iteration s ← T(s), solved independently per position so that causality
/// (and therefore the K/V cache) is preserved: s_new = Σ c_i (s_i + β g_i) with g_i = T(s_i) − s_i and
/// c = argmin ‖Σ c_i g_i‖ subject to Σ c_i = 1.
/// </summary>
public sealed class AndersonMixer : IDisposable
{
    private readonly int _memory;
    private readonly float _beta;
    private readonly List<(Tensor State, Tensor Residual)> _history = new();

    public AndersonMixer(int memory, float beta)
    {
        _memory = memory;
        _beta = beta;
    }

    /// <summary>state, mapped: (…, D) tensors; returns the next iterate (…, D).</summary>
    public Tensor Next(Tensor state, Tensor mapped)
    {
        using var scope = NewDisposeScope();
        Tensor residual = mapped - state;
        _history.Add((state.detach().clone().DetachFromDisposeScope(), residual.detach().clone().DetachFromDisposeScope()));
        if (_history.Count > _memory)
        {
            _history[0].State.Dispose();
            _history[0].Residual.Dispose();
            _history.RemoveAt(0);
        }
        Tensor states = stack(_history.Select(h => h.State).ToArray(), -2);       // (…, m, D)
        Tensor residuals = stack(_history.Select(h => h.Residual).ToArray(), -2); // (…, m, D)
        int m = _history.Count;
        Tensor gram = residuals.matmul(residuals.transpose(-1, -2));            // (…, m, m)
        Tensor scale = gram.diagonal(0, -2, -1).mean(new long[] { -1 }, keepdim: true).unsqueeze(-1).Plus(1e-10f);
        Tensor regularised = (gram / scale).Plus(eye(m, device: state.device).Times(1e-6f));
        Tensor ones = ones_like(regularised.select(-1, 0)).unsqueeze(-1);      // (…, m, 1)
        Tensor weights = linalg.solve(regularised, ones);                        // (…, m, 1)
        weights = weights / weights.sum(-2, keepdim: true);
        Tensor next = (weights * states.Plus(residuals.Times(_beta))).sum(-2);          // (…, D)
        return next.MoveToOuterDisposeScope();
    }

    /// <summary>Drops the history: the next iterate starts a fresh acceleration (after an intervention replaced the state).</summary>
    public void Forget()
    {
        foreach (var (s, r) in _history) { s.Dispose(); r.Dispose(); }
        _history.Clear();
    }

    public void Dispose() => Forget();
}
