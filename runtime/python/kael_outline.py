"""Reads a Python service package's __init__.py statically, for kael's package check.

Usage: kael_outline.py <package dir>   (the text of __init__.py on stdin, so unsaved editor text counts)

It parses the text with `ast` and asks importlib.util.find_spec whether each top-level module that
__init__.py imports unconditionally can be found. User code is never imported or run: this is what
`kael validate` and the editor use (the frame's own check imports the package, in kael_worker.py).
Standard library only, Python 3.9+. Prints one JSON object:

  {"python": "3.11.2", "executable": "/usr/bin/python3", "dynamic": false,
   "definitions": {"add": {"kind": "function", "line": 3, "signature": "def add(a, b)", "doc": "..."}},
   "imports": [{"module": "numpy", "level": 0, "names": [], "line": 1, "found": false}]}
  {"python": ..., "syntaxError": {"message": "invalid syntax", "line": 2, "column": 15}}
  {"unavailable": "reading __init__.py needs Python 3.9 or newer, this is 3.8.10"}

Kinds: function, async, generator, class, value, module (`import x`), imported (`from x import y`),
unknown (decorated, conditional or computed: only running the code would tell). Lines are 1-based.
"""

import ast
import importlib.util
import json
import os
import sys


def main(argv):
    out = {"python": sys.version.split()[0], "executable": sys.executable}
    if sys.version_info < (3, 9):
        out["unavailable"] = "reading __init__.py needs Python 3.9 or newer, this is " + out["python"]
        return out
    package = os.path.abspath(argv[1])
    # The modules the worker would find: the package folder and its parent first, then the
    # interpreter's own path; never this script's folder.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [package, os.path.dirname(package)] + [
        p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != here
    ]
    try:
        tree = ast.parse(sys.stdin.buffer.read(), "__init__.py")
    except SyntaxError as e:
        out["syntaxError"] = {"message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}
        return out
    outline = Outline()
    outline.visit(tree.body, True)
    for imp in outline.imports:
        if imp["level"] == 0:
            top = imp["module"].split(".")[0]
            try:
                imp["found"] = importlib.util.find_spec(top) is not None
            except (ImportError, ValueError):
                imp["found"] = False
    out.update(definitions=outline.definitions, dynamic=outline.dynamic, imports=outline.imports)
    return out


class Outline:
    """The top-level names of a module body, what they are, and its unconditional imports."""

    def __init__(self):
        self.definitions = {}
        self.dynamic = False
        self.imports = []

    def define(self, name, kind, node, **extra):
        self.definitions[name] = dict({"kind": kind, "line": node.lineno}, **extra)

    def kind_of(self, value):
        if isinstance(value, ast.Lambda):
            return "function"
        if isinstance(value, ast.Name):
            return self.definitions.get(value.id, {}).get("kind", "unknown")
        if isinstance(value, (ast.Call, ast.Attribute, ast.Subscript, ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Await)):
            return "unknown"
        return "value"

    def visit(self, body, certain):
        """`certain`: the statements run unconditionally when the module is imported."""
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(node, certain)
            elif isinstance(node, ast.ClassDef):
                self.define(node.name, "class" if certain and not node.decorator_list else "unknown", node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                value = node.value
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    one = (
                        isinstance(target, ast.Name)
                        and value is not None
                        and certain
                        and not isinstance(node, ast.AugAssign)
                    )
                    for name in targets(target):
                        self.define(name, self.kind_of(value) if one else "unknown", node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.import_(node, certain)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for part in ("body", "orelse", "finalbody"):
                    self.visit(getattr(node, part, []), False)
                for handler in getattr(node, "handlers", []):
                    self.visit(handler.body, False)
            elif getattr(ast, "TryStar", None) is not None and isinstance(node, ast.TryStar):
                self.visit(node.body, False)

    def function(self, node, certain):
        is_async = isinstance(node, ast.AsyncFunctionDef)
        signature = ("async def " if is_async else "def ") + node.name + "(" + ast.unparse(node.args) + ")"
        if node.returns is not None:
            signature += " -> " + ast.unparse(node.returns)
        kind = "generator" if yields(node) else "async" if is_async else "function"
        if node.decorator_list or not certain:
            kind = "unknown"
        extra = {"signature": signature}
        doc = ast.get_docstring(node)
        if doc:
            extra["doc"] = doc
        if node.name == "__getattr__":
            # PEP 562: the module answers any attribute at run time.
            self.dynamic = True
        self.define(node.name, kind, node, **extra)

    def import_(self, node, certain):
        for alias in node.names:
            if alias.name == "*":
                self.dynamic = True
            elif isinstance(node, ast.Import):
                self.define(alias.asname or alias.name.split(".")[0], "module" if certain else "unknown", node)
            else:
                self.define(alias.asname or alias.name, "imported", node)
        if not certain:
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.imports.append({"module": alias.name, "level": 0, "names": [], "line": node.lineno})
        else:
            self.imports.append(
                {
                    "module": node.module or "",
                    "level": node.level,
                    "names": [a.name for a in node.names],
                    "line": node.lineno,
                }
            )


def targets(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in targets(e)]
    return []


def yields(fn):
    """True when the function's own body (not a nested function's) yields: it is a generator."""
    todo = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return False


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(sys.argv)) + "\n")
