"""The differential: the same requests to woosim and to a real store, compared.

Each step of `cases.steps()` is resolved against each target's own earlier
answers (ids differ between the stores), sent, normalised
(`normalise.Normaliser`) and compared: status, error code, headers that carry
behaviour (X-WP-Total, X-WP-TotalPages, Link, Location, Allow) and the body.
Steps are grouped into request kinds (method + route + parameter names +
body field names + signing mode); a kind is identical when every step of it
is.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime

from .cases import Step, steps as all_steps
from .http import Answer, Target
from .normalise import POSTS, Aliases, Normaliser, diff

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")


class Unresolved(Exception):
    pass


@dataclass
class Side:
    """One target during a run: its saved answers and its id aliases."""

    target: Target
    tag: str
    hook_url: str
    saved: dict = field(default_factory=dict)
    aliases: Aliases = field(default_factory=Aliases)
    own: set = field(default_factory=set)  # (space, id) of the records this run created

    def lookup(self, expr: str):
        if expr == "T":
            return self.tag
        if expr == "HOOK":
            return self.hook_url
        name, *path = expr.split(".")
        if name not in self.saved:
            raise Unresolved(expr)
        v = self.saved[name]
        if not path:
            path = ["id"]
        for p in path:
            if isinstance(v, list) and p.isdigit() and int(p) < len(v):
                v = v[int(p)]
            elif isinstance(v, dict) and p in v:
                v = v[p]
            else:
                raise Unresolved(expr)
        if v in (None, 0, ""):
            raise Unresolved(expr)
        return v

    def resolve(self, value):
        if isinstance(value, str):
            whole = PLACEHOLDER.fullmatch(value)
            if whole and whole.group(1) not in ("T", "HOOK"):
                return self.lookup(whole.group(1))
            return PLACEHOLDER.sub(lambda m: str(self.lookup(m.group(1))), value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def learn(self, step: Step, answer: Answer):
        if not step.save:
            return
        before = set(self.aliases.by_id)
        self._learn(step, answer)
        if step.method != "GET":  # a record a GET step named (Uncategorized) is the store's, not ours
            self.own |= set(self.aliases.by_id) - before

    def _learn(self, step: Step, answer: Answer):
        body = answer.body
        if 200 <= answer.status < 300:
            if isinstance(body, dict) and isinstance(body.get("id"), int):
                self.aliases.learn(step.space, body["id"], step.save)
            elif isinstance(body, list) and body and isinstance(body[0], dict):
                self.aliases.learn(step.space, body[0].get("id"), step.save)
                body = body[0]
            elif isinstance(body, dict):
                for op in ("create", "update"):
                    for i, item in enumerate(body.get(op) or []):
                        if isinstance(item, dict):
                            self.aliases.learn(step.space, item.get("id"), f"{step.save}.{op}.{i}")
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            self.aliases.learn(POSTS, body["data"].get("new_draft_order_id"), f"{step.save}-draft")
        self.saved[step.save] = body


def kind_of(step: Step) -> str:
    route = PLACEHOLDER.sub("<id>", step.path)
    route = re.sub(r"/\d+", "/<n>", route)
    params = ",".join(sorted({re.sub(r"\[\d*\]$", "[]", k) if step.mode != "client" else k for k, _ in step.params}))
    body = ""
    if isinstance(step.body, dict):
        body = " {" + ",".join(sorted(step.body)) + "}"
    mode = "" if step.mode == "client" else f" [{step.mode}]"
    return f"{step.method} {route}{'?' + params if params else ''}{body}{mode}"


def select(body, paths: tuple):
    out = {}
    for p in paths:
        if p == "<keys>":
            out[p] = sorted(body) if isinstance(body, dict) else body
        elif p.startswith("[*]."):
            key = p[4:]
            out[p] = [x.get(key) for x in body] if isinstance(body, list) else body
        else:
            v = body
            for part in p.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            out[p] = v
    return out


@dataclass
class Result:
    step: Step
    kind: str
    differences: list
    real: dict | None = None
    sim: dict | None = None
    scoped: bool = False

    @property
    def identical(self) -> bool:
        return not self.differences


class Differential:
    def __init__(self, real: Target, sim: Target, hook_url: str, steps: list[Step] | None = None):
        self.tag = "cf" + format(int(time.time() * 1000) % 36**7, "x")
        self.real = Side(real, self.tag, hook_url)
        self.sim = Side(sim, self.tag, hook_url)
        self.steps = steps if steps is not None else all_steps()
        self.now = datetime.utcnow()
        self.results: list[Result] = []
        self.real_store_had_data = False

    def store_has_data(self, target: Target) -> bool:
        for endpoint in ("orders", "products", "coupons"):
            a = target.send(
                "client",
                "GET",
                endpoint,
                [("per_page", "1"), ("status", "any")] if endpoint == "orders" else [("per_page", "1")],
                None,
            )
            if a and a.headers.get("X-WP-Total", "0") != "0":
                return True
        a = target.send("client", "GET", "customers", [("per_page", "1")], None)
        return bool(a and a.headers.get("X-WP-Total", "0") != "0")

    def run(self, progress=None) -> list[Result]:
        self.real_store_had_data = self.store_has_data(self.real.target)
        for i, step in enumerate(self.steps):
            if progress:
                progress(i, len(self.steps), step)
            self.results.append(self.one(step))
        return self.results

    def _send(self, side: Side, step: Step):
        try:
            path = side.resolve(step.path)
            params = [(side.resolve(k), str(side.resolve(v))) for k, v in step.params]
            body = side.resolve(step.body)
        except Unresolved as e:
            return None, f"not sent: {{{e}}} unknown (an earlier step failed)"
        answer = side.target.send(step.mode, step.method, path, params, body)
        if answer is None:
            return None, "not sent: no read-only key for this store"
        side.learn(step, answer)
        return answer, None

    def one(self, step: Step) -> Result:
        kind = kind_of(step)
        ra, rerr = self._send(self.real, step)
        sa, serr = self._send(self.sim, step)
        if ra is None or sa is None:
            if ra is None and sa is None and rerr == serr:
                return Result(step, kind, [f"not compared ({rerr})"])
            return Result(step, kind, [f"real: {rerr or ra.status} / woosim: {serr or sa.status}"])
        scoped = step.unscoped and self.real_store_had_data
        rn = self.normalised(self.real, step, ra, scoped)
        sn = self.normalised(self.sim, step, sa, scoped)
        return Result(step, kind, diff(rn, sn), rn, sn, scoped)

    def normalised(self, side: Side, step: Step, a: Answer, scoped: bool) -> dict:
        body = a.body
        if body is None and a.text:
            body = {"<not json>": a.text[:200]}
        if step.select and a.status < 300:
            body = select(body, step.select)
        headers = dict(a.headers)
        if scoped and isinstance(body, list):
            body = [x for x in body if isinstance(x, dict) and (step.space, x.get("id")) in side.own]
            for h in list(headers):
                if h.lower() in ("x-wp-total", "x-wp-totalpages", "link"):
                    del headers[h]
        n = Normaliser(side.target.url, side.aliases, self.now)
        out = {"status": a.status, "headers": n.headers(headers, step.space), "body": n.body(body, step.space)}
        if isinstance(a.body, dict) and "code" in a.body and a.status >= 400:
            out["code"] = a.body.get("code")
        return out

    # --- report --------------------------------------------------------------------
    def kinds(self) -> dict[str, list[Result]]:
        by: dict[str, list[Result]] = {}
        for r in self.results:
            by.setdefault(r.kind, []).append(r)
        return by

    def figures(self) -> dict:
        kinds = self.kinds()
        same = [k for k, rs in kinds.items() if all(r.identical for r in rs)]
        product = [k for k, rs in kinds.items() if any(r.step.product for r in rs)]
        product_same = [k for k in product if k in same]
        return {
            "kinds": len(kinds),
            "identical": len(same),
            "product_kinds": len(product),
            "product_identical": len(product_same),
            "steps": len(self.results),
            "steps_identical": sum(r.identical for r in self.results),
            "real_store_had_data": self.real_store_had_data,
        }

    def report(self) -> str:
        lines = []
        for kind, rs in self.kinds().items():
            if all(r.identical for r in rs):
                lines.append(f"  same   {kind}" + ("   (product)" if any(r.step.product for r in rs) else ""))
                continue
            lines.append(f"  DIFF   {kind}" + ("   (product)" if any(r.step.product for r in rs) else ""))
            for r in rs:
                if r.identical:
                    continue
                note = f" - {r.step.note}" if r.step.note else ""
                lines.append(f"         step {r.step.name}{note}")
                if r.real and r.sim and r.real["status"] != r.sim["status"]:
                    lines.append(
                        f"           status: real {r.real['status']} {r.real.get('code', '')} / "
                        f"woosim {r.sim['status']} {r.sim.get('code', '')}"
                    )
                for d in r.differences[:8]:
                    lines.append(f"           {d}")
        f = self.figures()
        lines.append("")
        lines.append(
            f"request kinds identical: {f['identical']}/{f['kinds']} "
            f"({100 * f['identical'] / max(f['kinds'], 1):.1f} %); "
            f"the product's own: {f['product_identical']}/{f['product_kinds']}"
        )
        if f["real_store_had_data"]:
            lines.append(
                "the real store already had data: whole-store listings were compared on this run's "
                "records only, without X-WP-Total"
            )
        return "\n".join(lines)

    def dump(self, path: str):
        data = {
            "figures": self.figures(),
            "tag": self.tag,
            "results": [
                {
                    "step": r.step.name,
                    "kind": r.kind,
                    "product": r.step.product,
                    "identical": r.identical,
                    "differences": r.differences,
                    "real": r.real,
                    "woosim": r.sim,
                }
                for r in self.results
            ],
        }
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as fh:
            json.dump(data, fh, indent=1, default=str, ensure_ascii=False)
