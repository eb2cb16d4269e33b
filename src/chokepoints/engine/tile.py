"""One step's element-wise work on a tile of products: stocks, orders, the inventory limit.

Inputs per (product p of the tile, run r, buyer b), in the "days of target" units of
:func:`chokepoints.engine.simulate._run_chunk` (d = omega / (s A), q_hat = OS / (s A den)):
``G[p, r, b] = sum_k W3[p, k, b] rho_k fill_k`` and, for "alt",
``G[p, Rc + r, b] = tau_r sum_k W3[p, k, b] rho'_k`` from one BLAS product per product, and
c = x_a / s (inputs used, over s A). The update, written once here and computed by
either backend:

  d'      = max(d + q_hat G_recv - c, 0)                     stocks after deliveries and use
  "alt":   q_hat' = (max(x_opt - d', 0) + tau c) / G_den     where G_den > 0 (else unchanged)
  "noalt": q_hat' = max(x_opt - d', 0) / tau + c
  m_f     = min(m_f, min over p of d'[p] + off[p])           output the stocks allow (off = +inf
                                                              on inputs that cannot bind)

Backends:

* ``numpy`` -- whole-array operations with preallocated buffers (about eight passes over
  the tile's memory); always available.
* ``numba`` -- the same formulas as one fused loop (one pass; ``pip install
  "chokepoints[fast]"``). Results agree with ``numpy`` to rounding (the order of the
  additions differs); tests/test_engine_backends.py checks it.

Controlled routes (licences, priority rationing) correct a few (product, buyer) pairs;
the caller applies those corrections around :func:`update_tile` (``_run_chunk`` and
:mod:`chokepoints.engine.corrections`), so both backends see the same plain update.
"""

from __future__ import annotations

import importlib.util
import threading

import numpy as np

BACKENDS = ("auto", "numpy", "numba")
# numba is optional and imported only when the fused loop is first used (importing it costs
# about half a second and 100 MB, which small worlds running on numpy should not pay)
_HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def numba_available() -> bool:
    return _HAVE_NUMBA


AUTO_NUMBA_ELEMENTS = 1 << 20  # "auto" picks numba from this many (product, run, buyer) values per chunk


def resolve_backend(name: str | None, elements: int | None = None) -> str:
    """Check a backend name; with ``elements`` (state values per chunk) also settle "auto".

    "auto" is numba when it imports and the chunk holds at least ``AUTO_NUMBA_ELEMENTS``
    values (below that, compiling the loop costs more than it saves), else numpy. An
    explicit "numba" needs numba installed.
    """
    from ..errors import InputError

    name = (name or "auto").lower()
    if name not in BACKENDS:
        raise InputError(f"backend: expected one of {', '.join(BACKENDS)}, got {name!r}")
    if name == "numba" and not numba_available():
        raise InputError('backend "numba" needs numba: pip install "chokepoints[fast]"')
    if name == "auto" and elements is not None:
        return "numba" if numba_available() and elements >= AUTO_NUMBA_ELEMENTS else "numpy"
    return name


class TileBuffers:
    """Scratch arrays of the numpy backend for tiles of at most P products."""

    def __init__(self, P: int, Rc: int, n: int, dtype: np.dtype):
        self.T1 = np.empty((P, Rc, n), dtype=dtype)
        self.T2 = np.empty((P, Rc, n), dtype=dtype)
        self.mask = np.empty((P, Rc, n), dtype=bool)
        self.zero = np.zeros((Rc, n), dtype=dtype)  # an array operand: float32 maximum with a scalar is slow


def _update_numpy(G, d, q, x_a, x_opt, inv_s, tau, off, m_lim, alt, masked, uniform_c, buf):
    k, Rc, _ = d.shape
    r = G[:, :Rc]
    np.multiply(q, r, out=r)  # received / (s A)
    r += d
    if uniform_c is not None:
        c, tc, u = uniform_c  # c = x_a / s, tau c, x_opt + tau c: the same for every product
        r -= c
    else:
        c = buf.T1[:k]
        np.multiply(x_a, inv_s, out=c)
        r -= c
    np.maximum(r, buf.zero, out=d)  # d' = max(d + received - used, 0)
    if alt:
        g = buf.T2[:k]
        if uniform_c is not None:
            np.subtract(u, d, out=g)
            np.maximum(g, tc, out=g)  # max(x_opt - d', 0) + tau c
        else:
            np.subtract(x_opt, d, out=g)
            np.maximum(g, buf.zero, out=g)
            c *= tau[None, :, None]
            g += c
        den = G[:, Rc:]
        if masked:
            msk = buf.mask[:k]
            np.greater(den, 0.0, out=msk)
            np.divide(g, den, out=q, where=msk)
        else:
            np.divide(g, den, out=q)
    else:
        np.subtract(x_opt, d, out=q)
        np.maximum(q, buf.zero, out=q)
        q /= tau[None, :, None]
        q += c
    if off is not None:
        tmp = buf.T1[:k]
        np.add(d, off[:, None, :], out=tmp)
        np.minimum(m_lim, np.minimum.reduce(tmp, axis=0), out=m_lim)
    else:
        for j in range(k):
            np.minimum(m_lim, d[j], out=m_lim)


def _stock_gap_py(dr, qr, gr, b, c, goal, z):  # pragma: no cover - compiled (inlined into the loop)
    """d'[b] = max(d + q G_recv - c, 0) stored in dr; returns max(x_opt - d', 0)."""
    v = dr[b] + qr[b] * gr[b] - c
    v = v if v > z else z
    dr[b] = v
    gap = goal - v
    return gap if gap > z else z


_stock_gap = _stock_gap_py  # replaced by its compiled version in _compile_fused


def _fused_py(G, d, q, x_a, x_opt, inv_s, tau, off, use_off, m_lim, alt, masked, zero):  # pragma: no cover
    # rows as 1-D views and a zero of the arrays' own type keep float32 in float32 and let
    # LLVM vectorise the inner loops (no float64 literals, no branches on loop invariants inside)
    k, Rc, n = d.shape
    z = zero[0]
    per_run_s = inv_s.shape[1] > 1
    for j in range(k):
        for r in range(Rc):
            dr, qr, gr = d[j, r], q[j, r], G[j, r]
            xr, or_, mr = x_a[r], x_opt[r], m_lim[r]
            sr = inv_s[j, r if per_run_s else 0]
            t = tau[r]
            if alt:
                den = G[j, Rc + r]
                for b in range(n):
                    c = xr[b] * sr[b]
                    val = (_stock_gap(dr, qr, gr, b, c, or_[b], z) + t * c) / den[b]
                    if masked:
                        val = val if den[b] > z else qr[b]
                    qr[b] = val
            else:
                for b in range(n):
                    c = xr[b] * sr[b]
                    qr[b] = _stock_gap(dr, qr, gr, b, c, or_[b], z) / t + c
            offr = off[j if use_off else 0]
            for b in range(n):
                v = dr[b] + offr[b] if use_off else dr[b]
                mr[b] = v if v < mr[b] else mr[b]


_fused = None
_compile_lock = threading.Lock()


def _compile_fused():
    """The fused loop (compiled on first use, cached on disk where numba finds a writable place).
    error_model="numpy": division by zero gives inf/nan as in NumPy, with no check that blocks SIMD."""
    global _fused
    if _fused is not None:
        return _fused
    with _compile_lock:
        if _fused is not None:
            return _fused
        import numba

        # the loop calls _stock_gap by its global name: rebind it to the compiled, inlined version
        globals()["_stock_gap"] = numba.njit(inline="always")(_stock_gap_py)
        try:
            _fused = numba.njit(nogil=True, cache=True, error_model="numpy")(_fused_py)
        except RuntimeError:  # pragma: no cover - no writable cache location
            _fused = numba.njit(nogil=True, error_model="numpy")(_fused_py)
        return _fused


def update_tile(
    backend: str,
    G: np.ndarray,
    d: np.ndarray,
    q: np.ndarray,
    x_a: np.ndarray,
    x_opt: np.ndarray,
    inv_s: np.ndarray,
    tau: np.ndarray,
    off: np.ndarray | None,
    m_lim: np.ndarray,
    alt: bool,
    masked: bool,
    uniform_c: tuple | None,
    buf: TileBuffers,
) -> None:
    """Update ``d`` and ``q`` (k, Rc, n) in place and lower ``m_lim`` (Rc, n); see the module docstring.

    ``G`` (k, 2 Rc | Rc, n) is overwritten by the numpy backend. ``inv_s`` is (k, 1 | Rc, n);
    ``uniform_c`` (numpy backend only) is (c, tau c, x_opt + tau c) when every input has the
    same target, which saves passes.
    """
    if backend == "numba":
        use_off = off is not None
        offa = off if use_off else np.zeros((1, 1), dtype=d.dtype)
        _compile_fused()(G, d, q, x_a, x_opt, inv_s, tau, offa, use_off, m_lim, alt, masked, np.zeros(1, dtype=d.dtype))
    else:
        _update_numpy(G, d, q, x_a, x_opt, inv_s, tau, off, m_lim, alt, masked, uniform_c, buf)
