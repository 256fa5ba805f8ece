import unittest

from kael.versions import highest_version, same_version, version_key


class VersionTest(unittest.TestCase):
    def test_orders_1_10_after_1_9_and_keeps_the_text(self):
        self.assertEqual(highest_version(["1.9", "1.10", "1.2"]), "1.10")

    def test_pads_missing_parts(self):
        self.assertTrue(same_version("1.0", "1.0.0"))
        self.assertTrue(same_version("v2", "2.0.0"))
        self.assertFalse(same_version("1.0", "1.0.1"))

    def test_orders_prereleases_before_the_release(self):
        self.assertEqual(highest_version(["1.0.0-beta.2", "1.0.0", "1.0.0-beta.10"]), "1.0.0")
        self.assertLess(version_key("1.0.0-beta.2"), version_key("1.0.0-beta.10"))
        self.assertLess(version_key("1.0.0-2"), version_key("1.0.0-alpha"))

    def test_ignores_texts_that_are_no_version(self):
        self.assertIsNone(version_key("1.x"))
        self.assertEqual(highest_version(["latest", "0.9"]), "0.9")
        self.assertIsNone(highest_version([]))


if __name__ == "__main__":
    unittest.main()
