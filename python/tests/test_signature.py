import hashlib
import hmac
import unittest

from kael.signature import CHANGING_COMMANDS, canonical_json, js_number, sign_command


class CanonicalJsonTest(unittest.TestCase):
    def test_sorts_keys_at_every_level_and_writes_no_spaces(self):
        self.assertEqual(canonical_json({"b": 1, "a": {"d": [1, "x", None], "c": None}}), '{"a":{"d":[1,"x",null]},"b":1}')

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
    def test_signs_namespace_command_arguments_targets_time_nonce_and_key_id(self):
        auth = sign_command(
            "key", "prod", "_update_pkg", {"pkg": "calc", "version": "1.10"}, not_id=["b", "a"], now_ms=1700000000000, nonce="ab"
        )
        kid = hashlib.sha256(b"key").hexdigest()[:8]
        text = (
            '{"fn":"_update_pkg","kid":"%s","kwargs":{"pkg":"calc","version":"1.10"},"nonce":"ab",'
            '"notId":["a","b"],"ns":"prod","ts":1700000000000,"v":1}' % kid
        )
        expected = hmac.new(b"key", text.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(auth, {"v": 1, "kid": kid, "ts": 1700000000000, "nonce": "ab", "sig": expected})

    def test_binds_the_target_frame(self):
        one = sign_command("k", "ns", "_restart_service", {}, id="frame-a", now_ms=1, nonce="n")
        other = sign_command("k", "ns", "_restart_service", {}, id="frame-b", now_ms=1, nonce="n")
        self.assertNotEqual(one["sig"], other["sig"])

    def test_uses_a_fresh_nonce_each_time(self):
        self.assertNotEqual(
            sign_command("k", "ns", "_restart_service", {})["nonce"], sign_command("k", "ns", "_restart_service", {})["nonce"]
        )

    def test_lists_the_changing_commands_of_the_runtime(self):
        self.assertEqual(
            CHANGING_COMMANDS,
            {"_install_pkg", "_update_pkg", "_rollback_pkg", "_restart_service", "_restart_crontab", "_export_pkg"},
        )


if __name__ == "__main__":
    unittest.main()
