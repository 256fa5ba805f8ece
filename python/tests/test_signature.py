import hashlib
import hmac
import unittest

from kael.signature import CHANGING_COMMANDS, canonical_json, js_number, sign_command


class CanonicalJsonTest(unittest.TestCase):
    def test_sorts_keys_at_every_level_and_writes_no_spaces(self):
        self.assertEqual(canonical_json({"b": 1, "a": {"d": [1, "x"], "c": None}}), '{"a":{"c":null,"d":[1,"x"]},"b":1}')

    def test_writes_numbers_as_javascript_does(self):
        cases = {1.0: "1", 1.5: "1.5", -0.25: "-0.25", 1e21: "1e+21", 1e20: "100000000000000000000",
                 1e-7: "1e-7", 1.5e-6: "0.0000015", 123456789.125: "123456789.125", 2.5e-10: "2.5e-10",
                 -1e100: "-1e+100", 0.0: "0", float("nan"): "null"}
        for value, text in cases.items():
            self.assertEqual(js_number(value), text, value)

    def test_keeps_unicode_unescaped_and_escapes_controls_like_json_stringify(self):
        self.assertEqual(canonical_json({"k": "é\n\u0001"}), '{"k":"é\\n\\u0001"}')

    def test_sorts_keys_by_utf16_code_units(self):
        # U+FF5E sorts after U+1F600 in UTF-16 (0xFF5E > 0xD83D) but before it by code point.
        self.assertEqual(canonical_json({"\uff5e": 1, "\U0001F600": 2}), '{"\U0001F600":2,"\uff5e":1}')

    def test_booleans_are_not_numbers(self):
        self.assertEqual(canonical_json([True, False, 0]), "[true,false,0]")


class SignCommandTest(unittest.TestCase):
    def test_signs_name_time_nonce_and_canonical_kwargs(self):
        auth = sign_command("key", "_update_pkg", {"pkg": "calc", "version": "1.10"}, now_ms=1700000000000, nonce="ab")
        text = '_update_pkg\n1700000000000\nab\n{"pkg":"calc","version":"1.10"}'
        expected = hmac.new(b"key", text.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(auth, {"ts": 1700000000000, "nonce": "ab", "sig": expected})

    def test_uses_a_fresh_nonce_each_time(self):
        self.assertNotEqual(sign_command("k", "_restart_service", {})["nonce"], sign_command("k", "_restart_service", {})["nonce"])

    def test_lists_the_changing_commands_of_the_runtime(self):
        self.assertEqual(
            CHANGING_COMMANDS,
            {"_install_pkg", "_update_pkg", "_rollback_pkg", "_restart_service", "_restart_crontab", "_export_pkg"},
        )


if __name__ == "__main__":
    unittest.main()
