"""Queueing formulas for the staffing recommendation (R30): Erlang C (M/M/n) and Erlang A
(M/M/n+M). Pure functions, no Django; times in seconds, rates per hour where named so.

Notation: ``agents`` n servers, ``traffic`` A = λ·AHT (offered load in Erlangs), μ = 1/AHT,
θ = 1/patience (mean patience in seconds, exponential).

Erlang C (Erlang 1917; A. K. Erlang, "Solution of some problems in the theory of probabilities
of significance in automatic telephone exchanges"; any queueing text, e.g. Gross & Harris,
*Fundamentals of Queueing Theory*, M/M/c):

- Erlang B by its stable recursion (no factorials, exact for any n):
  B(0, A) = 1,  B(k, A) = A·B(k−1, A) / (k + A·B(k−1, A)).
- Probability of waiting: C(n, A) = n·B / (n − A·(1 − B)) for A < n; 1 when A ≥ n (the queue
  grows without bound).
- Service level: P(wait ≤ t) = 1 − C·exp(−(n − A)·t / AHT).
- Average speed of answer: ASA = C·AHT / (n − A).
- Occupancy: A / n.

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
customers", M&SOM 4(3), 2002; Mandelbaum & Zeltyn, "The impact of customers' patience on
delay and abandonment", Queueing Systems 2004), computed exactly through the birth–death chain:

- States k = 0, 1, … callers in the system; births λ; deaths min(k, n)·μ + max(k − n, 0)·θ.
  π_k ∝ ∏ λ / death_i; the chain is truncated where the tail's terms are below 1e-13 of the
  sum (they are then negligible for every figure); always stable when θ > 0.
- P(wait) = Σ_{k ≥ n} π_k (an arrival sees the stationary state: PASTA).
- P(abandon) = Σ_{k > n} (k − n)·θ·π_k / λ (the abandonment rate over the arrival rate).
- Average wait of all callers (answered or not) = L_q / λ with L_q = Σ (k − n)·π_k (Little).
- Service level P(answered within t), over all offered calls (a caller who hangs up counts as
  not answered): an arrival that finds j callers waiting ahead moves forward at rate
  n·μ + i·θ while i are ahead and hangs up at rate θ; the probability of reaching an agent
  before t is computed for all j at once by uniformisation of that small absorbing chain
  (a Poisson-weighted sum of matrix-vector steps; no cancellation, no factorials).
"""

import math
from dataclasses import dataclass
from functools import lru_cache

MAX_AGENTS = 100_000  # the searches give up beyond this, or 10 x traffic + 200 (a target of 100 %)
_TAIL = 1e-13
MAX_QUEUE = 20_000  # waiting callers the chain holds at most (reached only with θ ≈ 0)
_RESCALE = 1e250


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of M/M/n/n by the recursion above; 1.0 for 0 agents."""
    if traffic <= 0:
        return 0.0 if agents > 0 else 1.0
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits (M/M/n): 1.0 when traffic ≥ agents (no steady state)."""
    if traffic <= 0:
        return 0.0
    if traffic >= agents:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1 - b))


def _traffic(rate_per_hour: float, aht_seconds: float) -> float:
    return rate_per_hour * aht_seconds / 3600.0


def service_level(agents: int, traffic: float, aht_seconds: float, target_seconds: float) -> float:
    """P(wait ≤ target) in M/M/n; 0.0 when traffic ≥ agents."""
    if traffic <= 0:
        return 1.0
    if traffic >= agents:
        return 0.0
    c = erlang_c(agents, traffic)
    return 1.0 - c * math.exp(-(agents - traffic) * target_seconds / aht_seconds)


def asa(agents: int, traffic: float, aht_seconds: float) -> float:
    """Average wait of all callers (seconds) in M/M/n; ``math.inf`` when traffic ≥ agents."""
    if traffic <= 0:
        return 0.0
    if traffic >= agents:
        return math.inf
    return erlang_c(agents, traffic) * aht_seconds / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share of the agents' time spent on calls (can exceed 1: no steady state)."""
    return traffic / agents if agents else (math.inf if traffic > 0 else 0.0)


def agents_needed(
    rate_per_hour: float,
    aht_seconds: float,
    target_fraction: float,
    target_seconds: float,
    max_occupancy: float = 1.0,
) -> int | None:
    """The fewest agents (Erlang C) answering ``target_fraction`` of calls within
    ``target_seconds`` at an occupancy of at most ``max_occupancy``. 0 without traffic; None
    when no number of agents can meet the target (a target of 100 %)."""
    traffic = _traffic(rate_per_hour, aht_seconds)
    if traffic <= 0:
        return 0
    if target_fraction >= 1:
        return None  # every caller answered in time: only with infinitely many agents
    n = max(1, math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - 1e-9))
    limit = min(MAX_AGENTS, max(n, math.ceil(10 * traffic) + 200))
    while n <= limit:
        if service_level(n, traffic, aht_seconds, target_seconds) >= target_fraction:
            return n
        n += 1
    return None


@dataclass(frozen=True)
class ErlangA:
    """The figures of M/M/n+M at one number of agents."""

    agents: int
    p_wait: float
    p_abandon: float
    avg_wait: float  # seconds, over all callers
    service_level: float  # answered within the target, over all offered calls
    occupancy: float  # carried load per agent


def _stationary(agents: int, lam: float, mu: float, theta: float) -> list[float]:
    """π_0 … π_K of the birth–death chain (normalised), truncated at a negligible tail."""
    probs = [1.0]
    total = 1.0
    k = 0
    while True:
        k += 1
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        term = probs[-1] * lam / death
        probs.append(term)
        total += term
        if total > _RESCALE:
            probs = [p / total for p in probs]
            term, total = probs[-1], 1.0
        if k > agents and lam < death and term < _TAIL * total:
            break
        if k > agents + MAX_QUEUE:  # θ vanishingly small: the tail is cut here
            break
    return [p / total for p in probs]


def _poisson_weights(mean: float, tail: float = 1e-14) -> list[float]:
    """Poisson(mean) probabilities 0…K covering all but ``tail`` of the mass (log-space start,
    no underflow for a large mean)."""
    if mean <= 0:
        return [1.0]
    weights = []
    k = 0
    covered = 0.0
    while True:
        w = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
        weights.append(w)
        covered += w
        if k > mean and (1.0 - covered < tail or w < tail * 1e-3):
            return weights
        k += 1


@lru_cache(maxsize=4096)
def erlang_a(
    agents: int,
    rate_per_hour: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
) -> ErlangA:
    """Erlang A at ``agents`` (see the module's docstring). Cached: the agents search and the
    figures at the recommended number ask for the same point."""
    lam = rate_per_hour / 3600.0
    if lam <= 0:
        return ErlangA(agents, 0.0, 0.0, 0.0, 1.0, 0.0)
    mu = 1.0 / aht_seconds
    theta = 1.0 / patience_seconds
    if agents <= 0:
        # nobody answers: everyone waits until they hang up
        return ErlangA(agents, 1.0, 1.0, patience_seconds, 0.0, 0.0)
    pi = _stationary(agents, lam, mu, theta)
    p_wait = sum(pi[agents:])
    queue = [(k - agents, p) for k, p in enumerate(pi) if k > agents]
    lq = sum(j * p for j, p in queue)
    p_abandon = theta * lq / lam
    avg_wait = lq / lam
    # An arrival sees state n + j (j ahead of it in the queue) with probability π_{n+j}.
    ahead = pi[agents:]  # index j = callers ahead
    answered_within = sum(pi[:agents]) + _answered_within(ahead, agents * mu, theta, target_seconds)
    carried = lam * (1.0 - p_abandon) / mu
    return ErlangA(
        agents=agents,
        p_wait=p_wait,
        p_abandon=min(1.0, p_abandon),
        avg_wait=avg_wait,
        service_level=min(1.0, answered_within),
        occupancy=carried / agents,
    )


def _answered_within(ahead: list[float], service: float, theta: float, t: float) -> float:
    """Σ_j ahead[j]·P(a caller with j ahead reaches an agent within t). Phase i (i ahead)
    leaves at rate service + i·θ (someone ahead served or hanging up) and the caller hangs up at
    rate θ; phase 0 moves to "answered" at rate ``service``. Uniformised at rate Λ."""
    if not ahead or sum(ahead) <= 0:
        return 0.0
    size = len(ahead)
    rate = service + (size - 1) * theta + theta
    weights = _poisson_weights(rate * t)
    v = list(ahead)
    stay = [1.0 - (service + i * theta + theta) / rate for i in range(size)]
    move = [(service + i * theta) / rate for i in range(size)]
    answered = 0.0
    result = weights[0] * answered
    for w in weights[1:]:
        answered += v[0] * move[0]
        v = [v[i] * stay[i] + v[i + 1] * move[i + 1] for i in range(size - 1)] + [
            v[size - 1] * stay[size - 1]
        ]
        result += w * answered
    # answered mass is nondecreasing in steps; the Poisson tail left out is < 1e-14
    return result


def agents_needed_a(
    rate_per_hour: float,
    aht_seconds: float,
    patience_seconds: float,
    target_fraction: float,
    target_seconds: float,
    max_occupancy: float = 1.0,
    start: int | None = None,
) -> int | None:
    """The fewest agents (Erlang A) answering ``target_fraction`` of the offered calls within
    ``target_seconds`` at an occupancy of at most ``max_occupancy``. ``start`` is a guess (the
    Erlang C answer) to search from. 0 without traffic; None when no number of agents can."""
    traffic = _traffic(rate_per_hour, aht_seconds)
    if traffic <= 0:
        return 0
    if target_fraction >= 1:
        return None

    def meets(n: int) -> bool:
        if n <= 0:
            return False
        figures = erlang_a(n, rate_per_hour, aht_seconds, patience_seconds, target_seconds)
        return (
            figures.service_level >= target_fraction and figures.occupancy <= max_occupancy + 1e-12
        )

    n = max(1, start or math.ceil(traffic))
    if meets(n):
        while n > 1 and meets(n - 1):
            n -= 1
        return n
    limit = min(MAX_AGENTS, max(n, math.ceil(10 * traffic) + 200))
    while n < limit:
        n += 1
        if meets(n):
            return n
    return None
