"""Procedural BBH-style tasks whose reasoning steps are known, so a program can write the CoTs.

This is the embedded default data of the demo and the ground truth for the key-step masks
(edit-method.md §2): because every step is computed here, we can write
  - a correct CoT (``gold_cot``): one step per line, ending "Therefore, the answer is X.";
  - a dual CoT with ONE injected mistake (``corrupt_cot``): the gold CoT copied verbatim up to step k,
    step k changed by a mistake of a named type, every later step recomputed consistently from the wrong
    state, and a final answer that is verified to be wrong. This mimics the paper's CCP output (§1.4),
    where the wrong response copies the right one and diverges at one step;
  - the type of a wrong CoT's first wrong step (``classify_mistake``), as in the paper's mistake
    patterns (App. A.6, §5.5): logical, calculation, knowledge, or other.

Families (config.SYNTHETIC_TASKS) and their ``difficulty`` knob (1 = in-domain; higher = OOD):
  multistep_arithmetic       difficulty + 2 operations      mistakes: calculation, logical, knowledge
  boolean_expressions        difficulty + 2 operators       mistakes: calculation, logical
  tracking_shuffled_objects  difficulty + 2 players/swaps   mistakes: calculation, logical, knowledge
  web_of_lies                difficulty + 3 people          mistakes: logical, knowledge
  date_arithmetic            difficulty + 1 date shifts     mistakes: calculation, logical, knowledge
  object_counting            2 * difficulty + 3 items       mistakes: calculation, logical, knowledge

Question rows follow the questions schema; ``meta`` (JSON) holds generator, difficulty, seed, index,
the task ``spec`` (everything needed to recompute the steps) and the gold ``steps``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edit_ray.answers import ANSWER_PHRASE
from edit_ray.config import SYNTHETIC_TASKS
from edit_ray.data.loaders import format_options, letter

MISTAKE_TYPES = ("logical", "calculation", "knowledge")
# classify_mistake tries the most specific explanation first; corrupt_cot only returns mistakes that
# classify back to their own type, so the two functions agree by construction.
_CLASSIFY_ORDER = ("knowledge", "logical", "calculation")
Fault = dict[str, Any]


@dataclass(frozen=True)
class Family:
    description: str
    types: tuple[str, ...]
    make_spec: Callable[[random.Random, int], dict]
    question: Callable[[dict], tuple[str, list[str] | None, str]]  # -> (input, choices, target)
    trace: Callable[[dict, Fault | None], tuple[list[str], str]]  # -> (step lines, final answer)
    faults: Callable[[dict, int, str], list[Fault]]  # candidate mistakes of a type at step k


def _fmt(n: int) -> str:
    return str(n)


# ------------------------------------------------------------------------------ multistep arithmetic
def _leaf_paths(node, path=()) -> list[tuple[int, ...]]:
    """Paths (child indices) to the leaves of an expression tree [op, child, ...]."""
    if not isinstance(node, list):
        return [path]
    return [p for i in range(1, len(node)) for p in _leaf_paths(node[i], (*path, i))]


def _grow(tree, rng: random.Random, new: list):
    """Replace a random leaf of the tree with the operation node ``new`` (one more step)."""
    path = rng.choice(_leaf_paths(tree))
    if not path:
        return new
    node = tree
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = new
    return tree


_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def _arith_spec(rng: random.Random, difficulty: int) -> dict:
    tree: Any = rng.randint(-9, 9)
    for _ in range(difficulty + 2):
        tree = _grow(tree, rng, [rng.choice("+-*"), rng.randint(-9, 9), rng.randint(-9, 9)])
    return {"tree": tree}


def _arith_render(node) -> str:
    if isinstance(node, list):
        return f"({_arith_render(node[1])} {node[0]} {_arith_render(node[2])})"
    return _fmt(node)


def _arith_knowledge(op: str, a: int, b: int) -> int | None:
    """A misremembered sign rule: 'a - (-b) = a - b', 'a negative product is positive', ..."""
    if op == "-" and b < 0:
        return a + b
    if op == "*" and (a < 0 or b < 0) and a * b != 0:
        return -(a * b)
    if op == "+" and (a < 0) != (b < 0) and a + b != 0:
        return -(a + b)
    return None


def _arith_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    lines: list[str] = []

    def ev(node) -> int:
        if not isinstance(node, list):
            return node
        a, b = ev(node[1]), ev(node[2])
        op, k = node[0], len(lines)
        shown, v = op, _OPS[op](a, b)
        if fault and fault["step"] == k:
            if fault["type"] == "calculation":
                v = v + fault["delta"]
            elif fault["type"] == "logical":
                shown, v = fault["op"], _OPS[fault["op"]](a, b)
            elif fault["type"] == "knowledge":
                v = _arith_knowledge(op, a, b)
        lines.append(f"{_arith_render(node)} = {_fmt(a)} {shown} {_fmt(b)} = {_fmt(v)}.")
        return v

    return lines, _fmt(ev(spec["tree"]))


def _arith_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    nodes = []

    def post(node):
        if isinstance(node, list):
            a, b = post(node[1]), post(node[2])
            nodes.append((node[0], a, b))
            return _OPS[node[0]](a, b)
        return node

    post(spec["tree"])
    if k >= len(nodes):
        return []
    op, a, b = nodes[k]
    if mistake == "calculation":
        return [{"step": k, "type": mistake, "delta": d} for d in (-3, -2, -1, 1, 2, 3)]
    if mistake == "logical":
        return [{"step": k, "type": mistake, "op": o} for o in "+-*" if o != op and _OPS[o](a, b) != _OPS[op](a, b)]
    if mistake == "knowledge":
        return [{"step": k, "type": mistake}] if _arith_knowledge(op, a, b) is not None else []
    return []


def _arith_question(spec: dict) -> tuple[str, None, str]:
    return f"{_arith_render(spec['tree'])} =", None, _arith_trace(spec, None)[1]


# ------------------------------------------------------------------------------- boolean expressions
_BOOL = {"and": lambda a, b: a and b, "or": lambda a, b: a or b}


def _bool_spec(rng: random.Random, difficulty: int) -> dict:
    tree: Any = rng.choice([True, False])
    for _ in range(difficulty + 2):
        leaf = rng.choice([True, False])
        new = ["not", leaf] if rng.random() < 0.3 else [rng.choice(["and", "or"]), leaf, rng.choice([True, False])]
        tree = _grow(tree, rng, new)
    return {"tree": tree}


def _bool_render(node, top: bool = False) -> str:
    if not isinstance(node, list):
        return str(node)
    if node[0] == "not":
        inner = _bool_render(node[1])
        return f"not {inner}"
    s = f"{_bool_render(node[1])} {node[0]} {_bool_render(node[2])}"
    return s if top else f"( {s} )"


def _bool_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    lines: list[str] = []

    def ev(node) -> bool:
        if not isinstance(node, list):
            return node
        if node[0] == "not":
            a = ev(node[1])
            k, v = len(lines), not a
            if fault and fault["step"] == k and fault["type"] == "calculation":
                v = not v
            lines.append(f"{_bool_render(node)} = not {a} = {v}.")
            return v
        a, b = ev(node[1]), ev(node[2])
        op, k = node[0], len(lines)
        shown, v = op, _BOOL[op](a, b)
        if fault and fault["step"] == k:
            if fault["type"] == "calculation":
                v = not v
            elif fault["type"] == "logical":
                shown, v = fault["op"], _BOOL[fault["op"]](a, b)
        lines.append(f"{_bool_render(node)} = {a} {shown} {b} = {v}.")
        return v

    return lines, str(ev(spec["tree"]))


def _bool_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    n = len(_bool_trace(spec, None)[0])
    if k >= n:
        return []
    if mistake == "calculation":
        return [{"step": k, "type": mistake}]
    if mistake == "logical":
        lines = _bool_trace(spec, None)[0]
        m = re.search(r"= (True|False) (and|or) (True|False) =", lines[k])
        if not m:
            return []
        other = "or" if m.group(2) == "and" else "and"
        return [{"step": k, "type": mistake, "op": other}]
    return []


def _bool_question(spec: dict) -> tuple[str, None, str]:
    return f"{_bool_render(spec['tree'], top=True)} is", None, _bool_trace(spec, None)[1]


# ------------------------------------------------------------------------ tracking shuffled objects
_NAMES = ["Alice", "Bob", "Claire", "Dave", "Eve", "Fred", "Gertrude", "Harry", "Izzi"]
_OBJECT_KINDS = {
    "ball": ["pink", "white", "red", "blue", "green", "yellow", "orange", "purple", "black"],
    "book": ["Frankenstein", "Ulysses", "Moby Dick", "Hound of the Baskervilles", "Lolita", "Catch-22",
             "The Odyssey", "The Pearl", "The Great Gatsby"],
    "present": ["red", "blue", "white", "black", "green", "orange", "purple", "brown", "yellow"],
}


def _track_spec(rng: random.Random, difficulty: int) -> dict:
    n = min(difficulty + 2, len(_NAMES))
    kind = rng.choice(sorted(_OBJECT_KINDS))
    words = rng.sample(_OBJECT_KINDS[kind], n)
    objects = [f"{w} {kind}" if kind != "book" else w for w in words]
    swaps = [rng.sample(range(n), 2) for _ in range(n)]
    return {"names": _NAMES[:n], "kind": kind, "objects": objects, "swaps": swaps, "ask": rng.randrange(n)}


def _the(o: str, kind: str) -> str:
    return o if kind == "book" else f"the {o}"


def _track_state(names: list[str], held: list[str], kind: str) -> str:
    return ", ".join(f"{p} has {_the(o, kind)}" for p, o in zip(names, held))


def _track_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    names, held = spec["names"], list(spec["objects"])
    if fault and fault["step"] == 0 and fault["type"] == "knowledge":
        i, j = fault["pair"]
        held[i], held[j] = held[j], held[i]
    lines = [f"At the start: {_track_state(names, held, spec['kind'])}."]
    verb = {"ball": "swap balls", "book": "swap books", "present": "swap gifts"}[spec["kind"]]
    for s, (i, j) in enumerate(spec["swaps"]):
        k = s + 1
        a, b = i, j
        skip = False
        if fault and fault["step"] == k:
            if fault["type"] == "logical":
                a, b = fault["pair"]
            elif fault["type"] == "calculation":
                skip = True
        if not skip:
            held[a], held[b] = held[b], held[a]
        lines.append(f"{names[i]} and {names[j]} {verb}: {_track_state(names, held, spec['kind'])}.")
    final = held[spec["ask"]]
    lines.append(f"At the end, {names[spec['ask']]} has {_the(final, spec['kind'])}.")
    return lines, letter(spec["objects"].index(final))


def _track_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    n = len(spec["names"])
    if mistake == "knowledge" and k == 0:
        return [{"step": 0, "type": mistake, "pair": [i, j]} for i in range(n) for j in range(i + 1, n)]
    if 1 <= k <= len(spec["swaps"]):
        i, j = spec["swaps"][k - 1]
        if mistake == "calculation":
            return [{"step": k, "type": mistake}]
        if mistake == "logical":
            # one of the two players replaced by a third: the wrong pair swaps
            return [{"step": k, "type": mistake, "pair": sorted([x, m])}
                    for x in (i, j) for m in range(n) if m not in (i, j)]
    return []


def _track_question(spec: dict) -> tuple[str, list[str], str]:
    names, objs = spec["names"], spec["objects"]
    kind = spec["kind"]
    who = ", ".join(names[:-1]) + f", and {names[-1]}"
    holding = {"ball": "a ball", "book": "a new book", "present": "a present"}[kind]
    start = (", ".join(f"{p} has {_the(o, kind)}" for p, o in zip(names[:-1], objs[:-1]))
             + f", and {names[-1]} has {_the(objs[-1], kind)}")
    verb = {"ball": "trade balls", "book": "trade books", "present": "swap their gifts"}[kind]
    swap_verb = {"ball": "swap balls", "book": "swap books", "present": "swap their gifts"}[kind]
    steps = []
    for s, (i, j) in enumerate(spec["swaps"]):
        head = "First" if s == 0 else ("Finally" if s == len(spec["swaps"]) - 1 else "Then")
        steps.append(f"{head}, {names[i]} and {names[j]} {swap_verb}.")
    text = (f"{who} are playing a game. At the start of the game, they are each holding {holding}: {start}. "
            f"As the game progresses, pairs of players {verb}. {' '.join(steps)} "
            f"At the end of the game, {names[spec['ask']]} has")
    return format_options(text, objs), list(objs), _track_trace(spec, None)[1]


# ------------------------------------------------------------------------------------- web of lies
_PEOPLE = ["Fidel", "Jerry", "Vina", "Millicent", "Raymond", "Shaunda", "Leda", "Kristian", "Ka", "Delbert"]


def _says(truth: bool) -> str:
    return "tells the truth" if truth else "lies"


def _lies_spec(rng: random.Random, difficulty: int) -> dict:
    n = min(difficulty + 3, len(_PEOPLE))
    return {"people": rng.sample(_PEOPLE, n), "first": rng.choice([True, False]),
            "claims": [rng.choice([True, False]) for _ in range(n - 1)]}


def _lies_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    people, claims = spec["people"], spec["claims"]
    truth = spec["first"]
    if fault and fault["step"] == 0 and fault["type"] == "knowledge":
        truth = not truth  # misread premise
    lines = [f"(1) {people[0]} {_says(truth)}. So, we know that {people[0]} {_says(truth)}."]
    for i, claim in enumerate(claims):
        k = i + 1
        new = truth == claim  # a person tells the truth iff the claim about the previous one is right
        if fault and fault["step"] == k and fault["type"] == "logical":
            new = not new
        lines.append(f"({k + 1}) {people[k]} says {people[k - 1]} {_says(claim)}. Since {people[k - 1]} "
                     f"{_says(truth)}, {people[k]} {_says(new)}.")
        truth = new
    return lines, "Yes" if truth else "No"


def _lies_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    if mistake == "knowledge" and k == 0:
        return [{"step": 0, "type": mistake}]
    if mistake == "logical" and 1 <= k <= len(spec["claims"]):
        return [{"step": k, "type": mistake}]
    return []


def _lies_question(spec: dict) -> tuple[str, None, str]:
    people = spec["people"]
    parts = [f"{people[0]} {_says(spec['first'])}."]
    parts += [f"{people[i + 1]} says {people[i]} {_says(c)}." for i, c in enumerate(spec["claims"])]
    return f"Question: {' '.join(parts)} Does {people[-1]} tell the truth?", None, _lies_trace(spec, None)[1]


# ---------------------------------------------------------------------------------- date arithmetic
def _date_spec(rng: random.Random, difficulty: int) -> dict:
    start = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
    shifts = []
    for _ in range(difficulty + 1):
        unit = rng.choice(["days", "days", "weeks"])
        amount = rng.randint(1, 20) if unit == "days" else rng.randint(1, 3)
        shifts.append({"amount": amount, "unit": unit, "later": rng.choice([True, False])})
    return {"start": start.isoformat(), "shifts": shifts}


def _mdy(d: dt.date) -> str:
    return d.strftime("%m/%d/%Y")


def _month_len(d: dt.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def _date_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    cur = dt.date.fromisoformat(spec["start"])
    lines = [f"The start date is {_mdy(cur)}."]
    for s, sh in enumerate(spec["shifts"]):
        k = s + 1
        days = sh["amount"] * (7 if sh["unit"] == "weeks" else 1)
        later = sh["later"]
        if fault and fault["step"] == k and fault["type"] == "logical":
            later = not later  # shifted the wrong way
        new = cur + dt.timedelta(days=days if later else -days)
        # the month whose length the step relies on: this one going forward, the previous one going back
        crossed = new.month != cur.month
        pivot = cur if later else new
        month_len = _month_len(pivot)
        if fault and fault["step"] == k:
            if fault["type"] == "calculation":
                new = new + dt.timedelta(days=fault["delta"])
            elif fault["type"] == "knowledge":
                # believes the month has a different number of days
                new = new + dt.timedelta(days=(month_len - fault["month_len"]) * (1 if later else -1))
                month_len = fault["month_len"]
        how = "later" if sh["later"] else "earlier"
        sign = "+" if later else "-"
        note = f" ({pivot.strftime('%B')} {pivot.year} has {month_len} days)" if crossed else ""
        amount = f"{sh['amount']} {sh['unit'] if sh['amount'] != 1 else sh['unit'][:-1]}"
        lines.append(f"{amount} {how}: {_mdy(cur)} {sign} {days} days = {_mdy(new)}{note}.")
        cur = new
    return lines, _mdy(cur)


def _date_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    if not 1 <= k <= len(spec["shifts"]):
        return []
    if mistake == "calculation":
        return [{"step": k, "type": mistake, "delta": d} for d in (-2, -1, 1, 2)]
    if mistake == "logical":
        return [{"step": k, "type": mistake}]
    if mistake == "knowledge":
        lines = _date_trace(spec, None)[0]
        m = re.search(r"has (\d+) days\)", lines[k])
        if not m:
            return []
        return [{"step": k, "type": mistake, "month_len": n} for n in (28, 29, 30, 31) if n != int(m.group(1))]
    return []


def _date_question(spec: dict) -> tuple[str, None, str]:
    start = dt.date.fromisoformat(spec["start"])
    moves = []
    for s, sh in enumerate(spec["shifts"]):
        amount = f"{sh['amount']} {sh['unit'] if sh['amount'] != 1 else sh['unit'][:-1]}"
        verb = f"postponed by {amount}" if sh["later"] else f"moved {amount} earlier"
        moves.append(("It was " if s == 0 else "then it was ") + verb)
    text = (f"A meeting was scheduled for {_mdy(start)}. {', '.join(moves)}. "
            "What is the final date of the meeting in MM/DD/YYYY?")
    return text, None, _date_trace(spec, None)[1]


# ---------------------------------------------------------------------------------- object counting
_CATEGORIES = {
    "musical instrument": [("flute", "flutes"), ("piano", "pianos"), ("trombone", "trombones"),
                           ("violin", "violins"), ("drum", "drums"), ("clarinet", "clarinets"),
                           ("trumpet", "trumpets"), ("accordion", "accordions")],
    "fruit": [("apple", "apples"), ("banana", "bananas"), ("plum", "plums"), ("peach", "peaches"),
              ("strawberry", "strawberries"), ("grape", "grapes"), ("orange", "oranges"),
              ("nectarine", "nectarines")],
    "vegetable": [("carrot", "carrots"), ("cabbage", "cabbages"), ("potato", "potatoes"),
                  ("onion", "onions"), ("yam", "yams"), ("garlic", "garlics"), ("celery", "celeries"),
                  ("lettuce head", "lettuce heads")],
    "animal": [("cat", "cats"), ("rabbit", "rabbits"), ("goat", "goats"), ("pig", "pigs"), ("cow", "cows"),
               ("snake", "snakes"), ("frog", "frogs"), ("donkey", "donkeys")],
}
_WORDS = ["zero", "one", "two", "three", "four"]


def _count_spec(rng: random.Random, difficulty: int) -> dict:
    n = 2 * difficulty + 3
    cats = sorted(_CATEGORIES)
    ask = rng.choice(cats)
    pool = [(c, s, p) for c in cats for s, p in _CATEGORIES[c]]
    chosen = rng.sample(pool, n)
    if not any(c == ask for c, _, _ in chosen):  # at least one item of the asked category
        chosen[0] = rng.choice([x for x in pool if x[0] == ask and x not in chosen])
    items = [{"cat": c, "sing": s, "plur": p, "qty": rng.choice([1, 1, 2, 3, 4])} for c, s, p in chosen]
    return {"ask": ask, "items": items}


def _item_phrase(it: dict) -> str:
    if it["qty"] == 1:
        return ("an " if it["sing"][0] in "aeiou" else "a ") + it["sing"]
    return f"{_WORDS[it['qty']]} {it['plur']}"


def _cat_plural(c: str) -> str:
    return {"fruit": "fruits", "animal": "animals", "vegetable": "vegetables"}.get(c, c + "s")


def _count_trace(spec: dict, fault: Fault | None) -> tuple[list[str], str]:
    total = 0
    lines = []
    ask = spec["ask"]
    for k, it in enumerate(spec["items"]):
        relevant = it["cat"] == ask
        qty = it["qty"]
        delta = 0
        if fault and fault["step"] == k:
            if fault["type"] == "knowledge":
                relevant = not relevant  # wrong fact about what the item is
            elif fault["type"] == "logical":
                qty = 1  # counts the entry once, not its quantity
            elif fault["type"] == "calculation":
                delta = fault["delta"]
        phrase = _item_phrase(it)
        if relevant:
            new = total + qty + delta
            lines.append(f"{phrase}: {'is a' if it['qty'] == 1 else 'are'} {ask if it['qty'] == 1 else _cat_plural(ask)}"
                         f", count {qty}; total = {total} + {qty} = {new}.")
            total = new
        else:
            lines.append(f"{phrase}: not {'a ' + ask if it['qty'] == 1 else _cat_plural(ask)}; "
                         f"total stays {total}.")
    return lines, str(total)


def _count_faults(spec: dict, k: int, mistake: str) -> list[Fault]:
    if k >= len(spec["items"]):
        return []
    it = spec["items"][k]
    relevant = it["cat"] == spec["ask"]
    if mistake == "knowledge":
        return [{"step": k, "type": mistake}]
    if mistake == "logical" and relevant and it["qty"] > 1:
        return [{"step": k, "type": mistake}]
    if mistake == "calculation" and relevant:
        return [{"step": k, "type": mistake, "delta": d} for d in (-2, -1, 1, 2)]
    return []


def _count_question(spec: dict) -> tuple[str, None, str]:
    phrases = [_item_phrase(it) for it in spec["items"]]
    listing = ", ".join(phrases[:-1]) + f", and {phrases[-1]}"
    text = f"I have {listing}. How many {_cat_plural(spec['ask'])} do I have?"
    return text, None, _count_trace(spec, None)[1]


# ----------------------------------------------------------------------------------------- registry
FAMILIES: dict[str, Family] = {
    "multistep_arithmetic": Family(
        "Solve multi-step arithmetic problems.", ("calculation", "logical", "knowledge"),
        _arith_spec, _arith_question, _arith_trace, _arith_faults),
    "boolean_expressions": Family(
        "Evaluate the result of a random Boolean expression.", ("calculation", "logical"),
        _bool_spec, _bool_question, _bool_trace, _bool_faults),
    "tracking_shuffled_objects": Family(
        "A task requiring determining the final positions of a set of objects given their initial positions "
        "and a description of a sequence of swaps.", ("calculation", "logical", "knowledge"),
        _track_spec, _track_question, _track_trace, _track_faults),
    "web_of_lies": Family(
        "Evaluate a random boolean function expressed as a word problem.", ("logical", "knowledge"),
        _lies_spec, _lies_question, _lies_trace, _lies_faults),
    "date_arithmetic": Family(
        "Infer the date from context.", ("calculation", "logical", "knowledge"),
        _date_spec, _date_question, _date_trace, _date_faults),
    "object_counting": Family(
        "Questions that involve enumerating objects and asking the model to count them.",
        ("calculation", "logical", "knowledge"),
        _count_spec, _count_question, _count_trace, _count_faults),
}
assert tuple(FAMILIES) == tuple(SYNTHETIC_TASKS), "config.SYNTHETIC_TASKS and FAMILIES must list the same tasks"


def _family(task: str) -> Family:
    if task not in FAMILIES:
        raise ValueError(f"unknown synthetic task '{task}'; valid: {list(FAMILIES)}")
    return FAMILIES[task]


def _final_line(answer: str) -> str:
    return f"{ANSWER_PHRASE} {answer}."


# --------------------------------------------------------------------------------------------- API
def generate(task: str, n: int, difficulty: int, seed: int) -> list[dict]:
    """n question rows of one synthetic task (split left empty; ``assign_splits`` sets it).

    Deterministic in (task, n, difficulty, seed); qids are "<task>/d<difficulty>-<i>" so that an OOD
    set (higher difficulty) never collides with the in-domain one.
    """
    fam = _family(task)
    if difficulty < 1:
        raise ValueError(f"difficulty must be >= 1, got {difficulty}")
    rows = []
    for i in range(n):
        rng = random.Random(f"{task}:{difficulty}:{seed}:{i}")
        spec = fam.make_spec(rng, difficulty)
        text, choices, target = fam.question(spec)
        steps, answer = fam.trace(spec, None)
        meta = {"generator": task, "difficulty": difficulty, "seed": seed, "index": i, "spec": spec,
                "steps": steps}
        rows.append({"qid": f"{task}/d{difficulty}-{i}", "task": task, "split": "", "input": text,
                     "choices": choices, "target": target, "source": "synthetic",
                     "description": fam.description, "meta": json.dumps(meta)})
        assert answer == target
    return rows


def _meta(q: dict) -> dict:
    meta = q.get("meta")
    meta = json.loads(meta) if isinstance(meta, str) and meta else (meta or {})
    if "spec" not in meta or "generator" not in meta:
        raise ValueError(f"question {q.get('qid')} is not synthetic (no gold steps in meta)")
    return meta


def is_synthetic(q: dict) -> bool:
    try:
        _meta(q)
        return True
    except (ValueError, json.JSONDecodeError):
        return False


def gold_cot(q: dict) -> str:
    """The correct step-by-step CoT: one step per line, then "Therefore, the answer is X."."""
    meta = _meta(q)
    steps, answer = _family(meta["generator"]).trace(meta["spec"], None)
    return "\n".join([*steps, _final_line(answer)])


def _line_type(fam: Family, spec: dict, k: int, line: str) -> str | None:
    """The mistake type whose candidate faults at step k reproduce ``line``, if any."""
    norm = " ".join(line.split())
    for t in _CLASSIFY_ORDER:
        if t not in fam.types:
            continue
        for fault in fam.faults(spec, k, t):
            lines, _ = fam.trace(spec, fault)
            if k < len(lines) and " ".join(lines[k].split()) == norm:
                return t
    return None


def corrupt_cot(q: dict, seed: int, mistake_type: str | list[str] | tuple[str, ...] | None = None) -> dict:
    """A wrong CoT with one injected mistake: {"cot", "step", "mistake_type", "answer"}.

    The lines before ``step`` equal the gold CoT, line ``step`` holds the mistake, later lines follow
    correctly from the wrong state, and the final answer differs from the gold one. ``mistake_type`` is
    one type, a list of allowed types (tried in a seeded order; those the task lacks are skipped), or None
    for every type of the task.
    Raises ValueError when the task supports none of the asked types or no mistake of them changes the
    answer of this question.
    """
    meta = _meta(q)
    fam = _family(meta["generator"])
    spec = meta["spec"]
    asked = [mistake_type] if isinstance(mistake_type, str) else list(mistake_type or fam.types)
    allowed = [t for t in fam.types if t in asked]
    if not allowed:
        raise ValueError(f"{meta['generator']} supports mistake types {list(fam.types)}, not {asked}")
    gold_steps, gold_answer = fam.trace(spec, None)
    rng = random.Random(f"{seed}:{q.get('qid')}")
    types = rng.sample(allowed, len(allowed))
    for t in types:
        for k in rng.sample(range(len(gold_steps)), len(gold_steps)):
            cands = fam.faults(spec, k, t)
            for fault in rng.sample(cands, len(cands)):
                steps, answer = fam.trace(spec, fault)
                if answer == gold_answer or steps[:k] != gold_steps[:k] or steps[k] == gold_steps[k]:
                    continue
                if _line_type(fam, spec, k, steps[k]) != t:
                    continue  # would be read back as another type: keep the two functions consistent
                return {"cot": "\n".join([*steps, _final_line(answer)]), "step": k, "mistake_type": t,
                        "answer": answer}
    raise ValueError(f"{q.get('qid')}: no single-step mistake of type {'/'.join(allowed)} changes the final answer")


_NUM_RE = re.compile(r"-?\d+(?:\.\d+)?")


def classify_mistake(q: dict, cot: str) -> str:
    """Type of the first wrong step of a wrong CoT: "logical", "calculation", "knowledge" or "other".

    Finds the first line that differs from the gold CoT. If a mistake of this task's generator
    reproduces that line exactly, its type is returned. Otherwise (free-form teacher CoTs): a line that
    matches the gold line except for its numbers is a calculation error, a line differing in at most
    three words is a logical error, anything else is "other".
    """
    if not is_synthetic(q):
        return "other"
    meta = _meta(q)
    fam = _family(meta["generator"])
    gold = [ln.strip() for ln in gold_cot(q).splitlines() if ln.strip()]
    wrong = [ln.strip() for ln in (cot or "").splitlines() if ln.strip()]
    k = next((i for i, (a, b) in enumerate(zip(gold, wrong)) if " ".join(a.split()) != " ".join(b.split())), None)
    if k is None:
        return "other"
    if k < len(gold) - 1:
        t = _line_type(fam, meta["spec"], k, wrong[k])
        if t is not None:
            return t
    g, w = gold[k], wrong[k]
    if _NUM_RE.sub("#", g) == _NUM_RE.sub("#", w) and _NUM_RE.findall(g) != _NUM_RE.findall(w):
        return "calculation"
    gw, ww = g.split(), w.split()
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in
                  difflib.SequenceMatcher(a=gw, b=ww, autojunk=False).get_opcodes() if tag != "equal")
    return "logical" if changed <= 3 else "other"


def exemplar_questions(task: str, n: int = 3, seed: int = 12345) -> list[dict]:
    """Fixed few-shot exemplars of a synthetic task (prompts take these; disjoint seed from the data)."""
    return generate(task, n, 1, seed)
