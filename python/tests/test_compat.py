import ast
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = [os.path.join(HERE, "..", "kael", name) for name in sorted(os.listdir(os.path.join(HERE, "..", "kael"))) if name.endswith(".py")]
RUNTIME_SCRIPTS = [os.path.join(HERE, "..", "..", "runtime", "python", name) for name in ("kael_worker.py", "kael_outline.py")]


class Python39Test(unittest.TestCase):
    def test_the_client_and_the_runtime_scripts_use_no_syntax_newer_than_python_3_9(self):
        files = SOURCES + [p for p in RUNTIME_SCRIPTS if os.path.isfile(p)]
        self.assertGreater(len(files), 5)
        for path in files:
            with open(path, encoding="utf-8") as f:
                ast.parse(f.read(), path, feature_version=(3, 9))


if __name__ == "__main__":
    unittest.main()
